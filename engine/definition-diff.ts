import { canonicalJson } from './canonical-json';
import type { Definition, Labels } from './definition-schema';
import { describeDelay, outlineDefinition, type OutlineTransition } from './definition-outline';
import { ROLES } from './roles';
import { ownValue } from './own';
import { withoutLabels } from './payload-labels';

export type DiffArea = 'process' | 'state' | 'event' | 'transition' | 'role' | 'deadline' | 'parameter' | 'condition' | 'action' | 'input';

/** One difference between two versions of a definition, with a sentence a process owner understands. */
export interface DefinitionChange {
  area: DiffArea;
  change: 'added' | 'removed' | 'changed';
  /** The state path, event, role, delay, parameter, guard or action name. */
  name: string;
  text: string;
  /** The same sentence in Chinese (zh-CN). */
  textZh: string;
  before?: unknown;
  after?: unknown;
}

export interface DefinitionDiff {
  process: string;
  from: number;
  to: number;
  changes: DefinitionChange[];
}

/** A sentence in both languages. */
type Text = { en: string; zh: string };

const same = (a: unknown, b: unknown) => canonicalJson(a ?? null) === canonicalJson(b ?? null);
/** A thing by its label and name: `"Accept" (ACCEPT)` / `"受理"（ACCEPT）`. */
const named = (labels: Labels | undefined, fallback: string): Text =>
  labels ? { en: `"${labels.en}" (${fallback})`, zh: `"${labels['zh-CN']}"（${fallback}）` } : { en: fallback, zh: fallback };
const roleName = (role: string): Text => {
  const labels = ownValue(ROLES, role);
  return labels ? { en: `${labels.en} (${role})`, zh: `${labels['zh-CN']}（${role}）` } : { en: role, zh: role };
};
const list = (items: Text[]): Text =>
  items.length === 0 ? { en: 'nobody', zh: '无人' } : { en: items.map((i) => i.en).join(', '), zh: items.map((i) => i.zh).join('、') };

function keyed<T>(a: Record<string, T>, b: Record<string, T>): { added: string[]; removed: string[]; common: string[] } {
  return {
    added: Object.keys(b).filter((k) => !Object.hasOwn(a, k)),
    removed: Object.keys(a).filter((k) => !Object.hasOwn(b, k)),
    common: Object.keys(a).filter((k) => Object.hasOwn(b, k)),
  };
}

function transitionText(ts: OutlineTransition[], labelOf: (p: string) => Text): Text {
  const one = (t: OutlineTransition): Text => {
    const to = t.targets.map(labelOf);
    return {
      en: `${to.length ? to.map((x) => x.en).join(' + ') : 'stays'}${t.guard ? ` when ${t.guard}` : ''}`,
      zh: `${t.guard ? `当 ${t.guard} 时` : ''}${to.length ? to.map((x) => x.zh).join(' + ') : '停留原处'}`,
    };
  };
  const all = ts.map(one);
  return { en: all.map((x) => x.en).join('; otherwise '), zh: all.map((x) => x.zh).join('；否则 ') };
}

/** The differences between two versions of a process definition, structured and in plain words (English and Chinese). */
export function diffDefinitions(a: Definition, b: Definition): DefinitionDiff {
  const changes: DefinitionChange[] = [];
  const push = (area: DiffArea, change: DefinitionChange['change'], name: string, text: Text, before?: unknown, after?: unknown) =>
    changes.push({
      area,
      change,
      name,
      text: text.en,
      textZh: text.zh,
      ...(before !== undefined && { before }),
      ...(after !== undefined && { after }),
    });
  const added = (area: DiffArea, name: string, text: Text, after?: unknown) => push(area, 'added', name, text, undefined, after);
  const removed = (area: DiffArea, name: string, text: Text, before?: unknown) => push(area, 'removed', name, text, before);
  /** Each name removed from `from`: "<What> <label> is removed." */
  const removedEach = <T>(area: DiffArea, names: string[], from: Record<string, T>, what: Text, label: (name: string) => Text) => {
    for (const name of names) {
      const l = label(name);
      removed(area, name, { en: `${what.en} ${l.en} is removed.`, zh: `${what.zh} ${l.zh} 被删除。` }, from[name]);
    }
  };
  const changed = (area: DiffArea, name: string, text: Text, before?: unknown, after?: unknown) =>
    push(area, 'changed', name, text, before, after);
  /** `State x is now labelled "…" (was "…").` */
  const relabelled = (area: DiffArea, name: string, noun: Text, was: Labels | undefined, now: Labels | undefined) =>
    changed(
      area,
      name,
      {
        en: `${noun.en} ${name} is now labelled "${now?.en ?? ''}" (was "${was?.en ?? ''}").`,
        zh: `${noun.zh} ${name} 的标签现在是"${now?.['zh-CN'] ?? ''}"（原为"${was?.['zh-CN'] ?? ''}"）。`,
      },
      was,
      now,
    );

  if (!same(a.labels, b.labels)) {
    changed(
      'process',
      'labels',
      {
        en: `The process is now called "${b.labels.en}" / "${b.labels['zh-CN']}" (was "${a.labels.en}").`,
        zh: `流程现在名为"${b.labels['zh-CN']}" / "${b.labels.en}"（原为"${a.labels['zh-CN']}"）。`,
      },
      a.labels,
      b.labels,
    );
  }
  if (!same(a.startedBy, b.startedBy)) {
    const now = list(b.startedBy.map(roleName));
    const was = list(a.startedBy.map(roleName));
    changed(
      'process',
      'startedBy',
      {
        en: `New cases may now be started by ${now.en} (was ${was.en}).`,
        zh: `新案件现在可由 ${now.zh} 发起（原为 ${was.zh}）。`,
      },
      a.startedBy,
      b.startedBy,
    );
  }
  if (!same(withoutLabels(a.input), withoutLabels(b.input)) || a.customerField !== b.customerField) {
    changed(
      'input',
      'input',
      { en: 'The information asked for when a case starts has changed.', zh: '发起案件时要求填写的信息已改变。' },
      a.input,
      b.input,
    );
  } else if (!same(a.input, b.input)) {
    changed(
      'input',
      'input',
      {
        en: 'The labels of the information asked for when a case starts have changed (what is checked stays the same).',
        zh: '发起案件时所填信息的标签已改变（检查的内容不变）。',
      },
      a.input,
      b.input,
    );
  }

  // States.
  const oa = outlineDefinition(a);
  const ob = outlineDefinition(b);
  const stateLabel = (def: Definition) => (p: string) => named(ownValue(def.stateLabels, p), p);
  const la = stateLabel(a);
  const lb = stateLabel(b);
  for (const [path, s] of ob.states) {
    if (path === '' || oa.states.has(path)) continue;
    const final = s.type === 'final';
    added(
      'state',
      path,
      { en: `New state ${lb(path).en}${final ? ' (a final state)' : ''}.`, zh: `新状态 ${lb(path).zh}${final ? '（终态）' : ''}。` },
      s.labels,
    );
  }
  for (const [path, s] of oa.states) {
    if (path === '' || ob.states.has(path)) continue;
    removed(
      'state',
      path,
      {
        en: `State ${la(path).en} is removed: open cases in it keep running on their version unless migrated.`,
        zh: `状态 ${la(path).zh} 被删除：处于该状态的未结案件继续按其版本运行，除非迁移。`,
      },
      s.labels,
    );
  }
  const typeZh = (type: string) => (type === 'final' ? '终态' : `${type} 状态`);
  for (const [path, s] of oa.states) {
    const t = ob.states.get(path);
    if (path === '' || !t) continue;
    if (!same(s.labels, t.labels)) relabelled('state', path, { en: 'State', zh: '状态' }, s.labels, t.labels);
    if (s.type !== t.type) {
      changed(
        'state',
        path,
        {
          en: `State ${lb(path).en} is now ${t.type === 'final' ? 'a final state' : `a ${t.type} state`} (was ${s.type}).`,
          zh: `状态 ${lb(path).zh} 现在是${typeZh(t.type)}（原为${typeZh(s.type)}）。`,
        },
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
  const where = (source: string, label: (p: string) => Text): Text =>
    source === '' ? { en: 'in any state', zh: '在任何状态' } : { en: `in ${label(source).en}`, zh: `在 ${label(source).zh}` };
  const eventLabel = (def: Definition, name: string) => named(ownValue(def.events, name)?.labels, name);
  for (const [key, tb] of gb) {
    const [source, name] = key.split('\u0000') as [string, string];
    const ta = ga.get(key);
    const now = transitionText(tb, lb);
    const ev = eventLabel(b, name);
    const at = where(source, lb);
    if (!ta) {
      if (!oa.states.has(source) && source !== '') continue; // part of a new state
      added('transition', `${source || '*'}:${name}`, {
        en: `${ev.en} can now be sent ${at.en}: ${now.en}.`,
        zh: `现在可以${at.zh}发送 ${ev.zh}：${now.zh}。`,
      });
    } else if (
      !same(
        ta.map((t) => [t.targets, t.guard ?? null, t.actions]),
        tb.map((t) => [t.targets, t.guard ?? null, t.actions]),
      )
    ) {
      const was = transitionText(ta, la);
      const otherActions = !same(
        ta.map((t) => t.actions),
        tb.map((t) => t.actions),
      );
      changed('transition', `${source || '*'}:${name}`, {
        en: `${ev.en} ${at.en} now leads to ${now.en} (was ${was.en})${otherActions ? ', with other actions' : ''}.`,
        zh: `${at.zh}的 ${ev.zh} 现在转到 ${now.zh}（原为 ${was.zh}）${otherActions ? '，动作也不同' : ''}。`,
      });
    }
  }
  for (const key of ga.keys()) {
    if (gb.has(key)) continue;
    const [source, name] = key.split('\u0000') as [string, string];
    if (!ob.states.has(source) && source !== '') continue; // the state itself is removed
    const ev = eventLabel(a, name);
    const at = where(source, la);
    removed('transition', `${source || '*'}:${name}`, {
      en: `${ev.en} can no longer be sent ${at.en}.`,
      zh: `不能再${at.zh}发送 ${ev.zh}。`,
    });
  }

  // Events and their roles.
  const ev = keyed(a.events, b.events);
  for (const name of ev.added) {
    const by = list(b.events[name]!.roles.map(roleName));
    const e = eventLabel(b, name);
    added('event', name, { en: `New event ${e.en}, sent by ${by.en}.`, zh: `新事件 ${e.zh}，由 ${by.zh} 发送。` }, b.events[name]);
  }
  removedEach('event', ev.removed, a.events, { en: 'Event', zh: '事件' }, (name) => eventLabel(a, name));
  for (const name of ev.common) {
    const ea = a.events[name]!;
    const eb = b.events[name]!;
    const e = eventLabel(b, name);
    const gained = list(eb.roles.filter((r) => !ea.roles.includes(r)).map(roleName));
    const lost = list(ea.roles.filter((r) => !eb.roles.includes(r)).map(roleName));
    const anyGained = eb.roles.some((r) => !ea.roles.includes(r));
    const anyLost = ea.roles.some((r) => !eb.roles.includes(r));
    if (anyGained || anyLost) {
      const en = [anyGained ? `may now also be sent by ${gained.en}` : '', anyLost ? `may no longer be sent by ${lost.en}` : ''];
      const zh = [anyGained ? `现在也可由 ${gained.zh} 发送` : '', anyLost ? `不能再由 ${lost.zh} 发送` : ''];
      changed(
        'role',
        name,
        { en: `${e.en} ${en.filter(Boolean).join('; ')}.`, zh: `${e.zh} ${zh.filter(Boolean).join('；')}。` },
        ea.roles,
        eb.roles,
      );
    }
    if (!same(withoutLabels(ea.payload), withoutLabels(eb.payload)))
      changed(
        'event',
        name,
        { en: `The information asked for with ${e.en} has changed.`, zh: `${e.zh} 要求填写的信息已改变。` },
        ea.payload,
        eb.payload,
      );
    else if (!same(ea.payload, eb.payload))
      changed(
        'event',
        name,
        {
          en: `The labels of the information asked for with ${e.en} have changed (what is checked stays the same).`,
          zh: `${e.zh} 所填信息的标签已改变（检查的内容不变）。`,
        },
        ea.payload,
        eb.payload,
      );
    if (!same(ea.labels, eb.labels)) relabelled('event', name, { en: 'Event', zh: '事件' }, ea.labels, eb.labels);
  }

  // Roles taking part at all.
  const roles = (d: Definition) => new Set([...d.startedBy, ...Object.values(d.events).flatMap((e) => e.roles)]);
  const ra = roles(a);
  const rb = roles(b);
  for (const r of rb)
    if (!ra.has(r)) added('role', r, { en: `${roleName(r).en} now takes part in the process.`, zh: `${roleName(r).zh} 现在参与该流程。` });
  for (const r of ra)
    if (!rb.has(r))
      removed('role', r, { en: `${roleName(r).en} no longer takes part in the process.`, zh: `${roleName(r).zh} 不再参与该流程。` });

  // Deadlines: what they are and where they run.
  const armedIn = (o: typeof oa, delay: string) =>
    o.transitions.filter((t) => t.trigger === 'after' && t.name === delay).map((t) => t.source);
  const dl = keyed(a.delays, b.delays);
  const delayLabel = (def: Definition, name: string) => named(ownValue(def.delays, name)?.labels, name);
  const states = (paths: string[], label: (p: string) => Text) => ({
    en: paths.map((p) => label(p).en).join(', '),
    zh: paths.map((p) => label(p).zh).join('、'),
  });
  for (const name of dl.added) {
    const armed = armedIn(ob, name);
    const inStates = states(armed, lb);
    const d = delayLabel(b, name);
    added(
      'deadline',
      name,
      {
        en: `New deadline ${d.en}: ${describeDelay(b.delays[name]!, b)}${armed.length ? `, in ${inStates.en}` : ''}.`,
        zh: `新期限 ${d.zh}：${describeDelay(b.delays[name]!, b, 'zh-CN')}${armed.length ? `，用于 ${inStates.zh}` : ''}。`,
      },
      b.delays[name],
    );
  }
  removedEach('deadline', dl.removed, a.delays, { en: 'Deadline', zh: '期限' }, (name) => delayLabel(a, name));
  for (const name of dl.common) {
    const da = a.delays[name]!;
    const db = b.delays[name]!;
    const d = delayLabel(b, name);
    if (!same({ ...da, labels: undefined }, { ...db, labels: undefined })) {
      changed(
        'deadline',
        name,
        {
          en: `Deadline ${d.en} now falls ${describeDelay(db, b)} (was ${describeDelay(da, a)}).`,
          zh: `期限 ${d.zh} 现在为 ${describeDelay(db, b, 'zh-CN')}（原为 ${describeDelay(da, a, 'zh-CN')}）。`,
        },
        da,
        db,
      );
    }
    const sa = armedIn(oa, name);
    const sb = armedIn(ob, name);
    const on = sb.filter((s) => !sa.includes(s));
    const off = sa.filter((s) => !sb.includes(s));
    if (on.length)
      changed('deadline', name, {
        en: `Deadline ${d.en} now also runs in ${states(on, lb).en}.`,
        zh: `期限 ${d.zh} 现在也在 ${states(on, lb).zh} 中计时。`,
      });
    if (off.length)
      changed('deadline', name, {
        en: `Deadline ${d.en} no longer runs in ${states(off, la).en}.`,
        zh: `期限 ${d.zh} 不再在 ${states(off, la).zh} 中计时。`,
      });
  }

  // Parameters.
  const pa = keyed(a.parameters, b.parameters);
  const paramText = (p: { default: unknown; unit?: string | undefined }) => `${String(p.default)}${p.unit ? ` ${p.unit}` : ''}`;
  for (const name of pa.added) {
    const p = b.parameters[name]!;
    const n = named(p.labels, name);
    added('parameter', name, { en: `New parameter ${n.en} = ${paramText(p)}.`, zh: `新参数 ${n.zh} = ${paramText(p)}。` }, p);
  }
  removedEach('parameter', pa.removed, a.parameters, { en: 'Parameter', zh: '参数' }, (name) => named(a.parameters[name]!.labels, name));
  for (const name of pa.common) {
    const x = a.parameters[name]!;
    const y = b.parameters[name]!;
    const n = named(y.labels, name);
    if (!same(x.default, y.default)) {
      changed(
        'parameter',
        name,
        {
          en: `Parameter ${n.en} changes from ${paramText(x)} to ${paramText(y)}.`,
          zh: `参数 ${n.zh} 从 ${paramText(x)} 改为 ${paramText(y)}。`,
        },
        x.default,
        y.default,
      );
    } else if (!same(x, y)) {
      changed(
        'parameter',
        name,
        {
          en: `Parameter ${n.en} is described differently (its value stays ${paramText(y)}).`,
          zh: `参数 ${n.zh} 的描述已改变（取值仍为 ${paramText(y)}）。`,
        },
        x,
        y,
      );
    }
  }

  // Conditions and actions, by name.
  for (const [area, ma, mb, noun, nounZh] of [
    ['condition', a.guards, b.guards, 'Condition', '条件'],
    ['action', a.actions, b.actions, 'Action', '动作'],
  ] as const) {
    const k = keyed<unknown>(ma, mb);
    for (const name of k.added) added(area, name, { en: `New ${noun.toLowerCase()} ${name}.`, zh: `新${nounZh} ${name}。` }, mb[name]);
    for (const name of k.removed) removed(area, name, { en: `${noun} ${name} is removed.`, zh: `${nounZh} ${name} 被删除。` }, ma[name]);
    for (const name of k.common)
      if (!same(ma[name], mb[name]))
        changed(area, name, { en: `${noun} ${name} has changed.`, zh: `${nounZh} ${name} 已改变。` }, ma[name], mb[name]);
  }

  // What auditors check, and whether cases may go to the case library.
  if (!same(a.auditChecklist, b.auditChecklist)) {
    const items = (d: Definition) => (d.auditChecklist?.items ?? []).map((i) => i.id).join(', ') || '—';
    changed(
      'process',
      'auditChecklist',
      {
        en: `The auditors' checklist is now: ${items(b)} (was: ${items(a)}).`,
        zh: `审计检查清单现在是：${items(b)}（原为：${items(a)}）。`,
      },
      a.auditChecklist,
      b.auditChecklist,
    );
  }
  if ((a.caseLibrary === true) !== (b.caseLibrary === true)) {
    changed(
      'process',
      'caseLibrary',
      b.caseLibrary === true
        ? {
            en: 'Completed cases may now be marked as typical cases in the case library.',
            zh: '已完成的案件现在可以标记为案例库中的典型案例。',
          }
        : { en: 'Completed cases may no longer be marked in the case library.', zh: '已完成的案件不再可以标记到案例库。' },
      a.caseLibrary === true,
      b.caseLibrary === true,
    );
  }

  return { process: b.process, from: a.version, to: b.version, changes };
}

/** The diff as lines of text, in English or Chinese. */
export function formatDiff(diff: DefinitionDiff, lang: 'en' | 'zh-CN' = 'en'): string {
  const zh = lang === 'zh-CN';
  const head = `${diff.process} v${diff.from} → v${diff.to}`;
  if (diff.changes.length === 0) return zh ? `${head}：没有变化。\n` : `${head}: no changes.\n`;
  const mark = { added: '+', removed: '-', changed: '~' } as const;
  const n = diff.changes.length;
  const count = zh ? `：${n} 处变化` : `: ${n} change${n === 1 ? '' : 's'}`;
  return `${head}${count}\n${diff.changes.map((c) => `  ${mark[c.change]} ${zh ? c.textZh : c.text}`).join('\n')}\n`;
}
