import { canonicalJson } from './canonical-json';
import type { Definition, Labels } from './definition-schema';
import { describeDelay, outlineDefinition, type OutlineTransition } from './definition-outline';
import { ROLES } from './roles';
import { ownValue } from './own';

export type DiffArea = 'process' | 'state' | 'event' | 'transition' | 'role' | 'deadline' | 'parameter' | 'condition' | 'action' | 'input';

/** One difference between two versions of a definition, with a sentence a process owner understands. */
export interface DefinitionChange {
  area: DiffArea;
  change: 'added' | 'removed' | 'changed';
  /** The state path, event, role, delay, parameter, guard or action name. */
  name: string;
  text: string;
  before?: unknown;
  after?: unknown;
}

export interface DefinitionDiff {
  process: string;
  from: number;
  to: number;
  changes: DefinitionChange[];
}

const same = (a: unknown, b: unknown) => canonicalJson(a ?? null) === canonicalJson(b ?? null);
const en = (labels: Labels | undefined, fallback: string) => (labels ? `"${labels.en}" (${fallback})` : fallback);
const roleName = (role: string) => {
  const labels = ownValue(ROLES, role);
  return labels ? `${labels.en} (${role})` : role;
};
const list = (items: string[]) => (items.length === 0 ? 'nobody' : items.join(', '));

function keyed<T>(a: Record<string, T>, b: Record<string, T>): { added: string[]; removed: string[]; common: string[] } {
  return {
    added: Object.keys(b).filter((k) => !Object.hasOwn(a, k)),
    removed: Object.keys(a).filter((k) => !Object.hasOwn(b, k)),
    common: Object.keys(a).filter((k) => Object.hasOwn(b, k)),
  };
}

function transitionText(t: OutlineTransition, labelOf: (p: string) => string): string {
  const to = t.targets.length ? t.targets.map(labelOf).join(' + ') : 'stays';
  return `${to}${t.guard ? ` when ${t.guard}` : ''}`;
}

/** The differences between two versions of a process definition, structured and in plain words. */
export function diffDefinitions(a: Definition, b: Definition): DefinitionDiff {
  const changes: DefinitionChange[] = [];
  const push = (c: DefinitionChange) => changes.push(c);
  const added = (area: DiffArea, name: string, text: string, after?: unknown) => push({ area, change: 'added', name, text, after });
  const removed = (area: DiffArea, name: string, text: string, before?: unknown) => push({ area, change: 'removed', name, text, before });
  const changed = (area: DiffArea, name: string, text: string, before?: unknown, after?: unknown) =>
    push({ area, change: 'changed', name, text, before, after });

  if (!same(a.labels, b.labels)) {
    changed(
      'process',
      'labels',
      `The process is now called "${b.labels.en}" / "${b.labels['zh-CN']}" (was "${a.labels.en}").`,
      a.labels,
      b.labels,
    );
  }
  if (!same(a.startedBy, b.startedBy)) {
    changed(
      'process',
      'startedBy',
      `New cases may now be started by ${list(b.startedBy.map(roleName))} (was ${list(a.startedBy.map(roleName))}).`,
      a.startedBy,
      b.startedBy,
    );
  }
  if (!same(a.input, b.input) || a.customerField !== b.customerField) {
    changed('input', 'input', 'The information asked for when a case starts has changed.', a.input, b.input);
  }

  // States.
  const oa = outlineDefinition(a);
  const ob = outlineDefinition(b);
  const stateLabel = (def: Definition) => (p: string) => en(ownValue(def.stateLabels, p), p);
  const la = stateLabel(a);
  const lb = stateLabel(b);
  for (const [path, s] of ob.states) {
    if (path === '' || oa.states.has(path)) continue;
    added('state', path, `New state ${lb(path)}${s.type === 'final' ? ' (a final state)' : ''}.`, s.labels);
  }
  for (const [path, s] of oa.states) {
    if (path === '' || ob.states.has(path)) continue;
    removed('state', path, `State ${la(path)} is removed: open cases in it keep running on their version unless migrated.`, s.labels);
  }
  for (const [path, s] of oa.states) {
    const t = ob.states.get(path);
    if (path === '' || !t) continue;
    if (!same(s.labels, t.labels)) {
      changed('state', path, `State ${path} is now labelled "${t.labels?.en ?? ''}" (was "${s.labels?.en ?? ''}").`, s.labels, t.labels);
    }
    if (s.type !== t.type) {
      changed(
        'state',
        path,
        `State ${lb(path)} is now ${t.type === 'final' ? 'a final state' : `a ${t.type} state`} (was ${s.type}).`,
        s.type,
        t.type,
      );
    }
  }

  // Transitions: per state, per event or delay.
  const group = (ts: OutlineTransition[]) => {
    const m = new Map<string, OutlineTransition[]>();
    for (const t of ts) {
      if (t.trigger !== 'on' && t.trigger !== 'always' && t.trigger !== 'invoke' && t.trigger !== 'timer') continue;
      const key = `${t.source}\u0000${t.name ?? '(always)'}`;
      m.set(key, [...(m.get(key) ?? []), t]);
    }
    return m;
  };
  const ga = group(oa.transitions);
  const gb = group(ob.transitions);
  const where = (source: string, label: (p: string) => string) => (source === '' ? 'in any state' : `in ${label(source)}`);
  const eventLabel = (def: Definition, name: string) => en(ownValue(def.events, name)?.labels, name);
  for (const [key, tb] of gb) {
    const [source, name] = key.split('\u0000') as [string, string];
    const ta = ga.get(key);
    const now = tb.map((t) => transitionText(t, lb)).join('; otherwise ');
    if (!ta) {
      if (!oa.states.has(source) && source !== '') continue; // part of a new state
      push({
        area: 'transition',
        change: 'added',
        name: `${source || '*'}:${name}`,
        text: `${eventLabel(b, name)} can now be sent ${where(source, lb)}: ${now}.`,
      });
    } else if (
      !same(
        ta.map((t) => [t.targets, t.guard ?? null, t.actions]),
        tb.map((t) => [t.targets, t.guard ?? null, t.actions]),
      )
    ) {
      const was = ta.map((t) => transitionText(t, la)).join('; otherwise ');
      push({
        area: 'transition',
        change: 'changed',
        name: `${source || '*'}:${name}`,
        text: `${eventLabel(b, name)} ${where(source, lb)} now leads to ${now} (was ${was})${
          same(
            ta.map((t) => t.actions),
            tb.map((t) => t.actions),
          )
            ? ''
            : ', with other actions'
        }.`,
      });
    }
  }
  for (const key of ga.keys()) {
    if (gb.has(key)) continue;
    const [source, name] = key.split('\u0000') as [string, string];
    if (!ob.states.has(source) && source !== '') continue; // the state itself is removed
    push({
      area: 'transition',
      change: 'removed',
      name: `${source || '*'}:${name}`,
      text: `${eventLabel(a, name)} can no longer be sent ${where(source, la)}.`,
    });
  }

  // Events and their roles.
  const ev = keyed(a.events, b.events);
  for (const name of ev.added) {
    added('event', name, `New event ${eventLabel(b, name)}, sent by ${list(b.events[name]!.roles.map(roleName))}.`, b.events[name]);
  }
  for (const name of ev.removed) removed('event', name, `Event ${eventLabel(a, name)} is removed.`, a.events[name]);
  for (const name of ev.common) {
    const ea = a.events[name]!;
    const eb = b.events[name]!;
    const gained = eb.roles.filter((r) => !ea.roles.includes(r));
    const lost = ea.roles.filter((r) => !eb.roles.includes(r));
    if (gained.length || lost.length) {
      const parts = [
        gained.length ? `may now also be sent by ${list(gained.map(roleName))}` : '',
        lost.length ? `may no longer be sent by ${list(lost.map(roleName))}` : '',
      ]
        .filter(Boolean)
        .join('; ');
      changed('role', name, `${eventLabel(b, name)} ${parts}.`, ea.roles, eb.roles);
    }
    if (!same(ea.payload, eb.payload))
      changed('event', name, `The information asked for with ${eventLabel(b, name)} has changed.`, ea.payload, eb.payload);
    if (!same(ea.labels, eb.labels))
      changed('event', name, `Event ${name} is now labelled "${eb.labels.en}" (was "${ea.labels.en}").`, ea.labels, eb.labels);
  }

  // Roles taking part at all.
  const roles = (d: Definition) => new Set([...d.startedBy, ...Object.values(d.events).flatMap((e) => e.roles)]);
  const ra = roles(a);
  const rb = roles(b);
  for (const r of rb) if (!ra.has(r)) added('role', r, `${roleName(r)} now takes part in the process.`);
  for (const r of ra) if (!rb.has(r)) removed('role', r, `${roleName(r)} no longer takes part in the process.`);

  // Deadlines: what they are and where they run.
  const armedIn = (o: typeof oa, delay: string) =>
    o.transitions.filter((t) => t.trigger === 'after' && t.name === delay).map((t) => t.source);
  const dl = keyed(a.delays, b.delays);
  const delayLabel = (def: Definition, name: string) => en(ownValue(def.delays, name)?.labels, name);
  for (const name of dl.added) {
    const states = armedIn(ob, name).map(lb);
    added(
      'deadline',
      name,
      `New deadline ${delayLabel(b, name)}: ${describeDelay(b.delays[name]!, b)}${states.length ? `, in ${states.join(', ')}` : ''}.`,
      b.delays[name],
    );
  }
  for (const name of dl.removed) removed('deadline', name, `Deadline ${delayLabel(a, name)} is removed.`, a.delays[name]);
  for (const name of dl.common) {
    const da = a.delays[name]!;
    const db = b.delays[name]!;
    const ta = describeDelay(da, a);
    const tb = describeDelay(db, b);
    if (!same({ ...da, labels: undefined }, { ...db, labels: undefined })) {
      changed('deadline', name, `Deadline ${delayLabel(b, name)} now falls ${tb} (was ${ta}).`, da, db);
    }
    const sa = armedIn(oa, name);
    const sb = armedIn(ob, name);
    const on = sb.filter((s) => !sa.includes(s));
    const off = sa.filter((s) => !sb.includes(s));
    if (on.length) changed('deadline', name, `Deadline ${delayLabel(b, name)} now also runs in ${on.map(lb).join(', ')}.`);
    if (off.length) changed('deadline', name, `Deadline ${delayLabel(b, name)} no longer runs in ${off.map(la).join(', ')}.`);
  }

  // Parameters.
  const pa = keyed(a.parameters, b.parameters);
  const paramText = (p: { default: unknown; unit?: string | undefined }) => `${String(p.default)}${p.unit ? ` ${p.unit}` : ''}`;
  for (const name of pa.added)
    added(
      'parameter',
      name,
      `New parameter ${en(b.parameters[name]!.labels, name)} = ${paramText(b.parameters[name]!)}.`,
      b.parameters[name],
    );
  for (const name of pa.removed)
    removed('parameter', name, `Parameter ${en(a.parameters[name]!.labels, name)} is removed.`, a.parameters[name]);
  for (const name of pa.common) {
    const x = a.parameters[name]!;
    const y = b.parameters[name]!;
    if (!same(x.default, y.default)) {
      changed('parameter', name, `Parameter ${en(y.labels, name)} changes from ${paramText(x)} to ${paramText(y)}.`, x.default, y.default);
    } else if (!same(x, y)) {
      changed('parameter', name, `Parameter ${en(y.labels, name)} is described differently (its value stays ${paramText(y)}).`, x, y);
    }
  }

  // Conditions and actions, by name.
  for (const [area, ma, mb, noun] of [
    ['condition', a.guards, b.guards, 'Condition'],
    ['action', a.actions, b.actions, 'Action'],
  ] as const) {
    const k = keyed<unknown>(ma, mb);
    for (const name of k.added) push({ area, change: 'added', name, text: `New ${noun.toLowerCase()} ${name}.`, after: mb[name] });
    for (const name of k.removed) push({ area, change: 'removed', name, text: `${noun} ${name} is removed.`, before: ma[name] });
    for (const name of k.common)
      if (!same(ma[name], mb[name]))
        push({ area, change: 'changed', name, text: `${noun} ${name} has changed.`, before: ma[name], after: mb[name] });
  }

  return { process: b.process, from: a.version, to: b.version, changes };
}

/** The diff as lines of text, grouped by area. */
export function formatDiff(diff: DefinitionDiff): string {
  if (diff.changes.length === 0) return `${diff.process} v${diff.from} → v${diff.to}: no changes.\n`;
  const mark = { added: '+', removed: '-', changed: '~' } as const;
  return `${diff.process} v${diff.from} → v${diff.to}: ${diff.changes.length} change${diff.changes.length === 1 ? '' : 's'}\n${diff.changes.map((c) => `  ${mark[c.change]} ${c.text}`).join('\n')}\n`;
}
