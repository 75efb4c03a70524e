import { asList, isObject, joinPath } from './json-data';
import { ownValue } from './own';

/**
 * The one reading of a definition's machine config: every state with its path, where it is
 * written, its kind and what it does, and every transition with its targets as written. The
 * linter, the outline (diagram, diff), the migration plan, the eventless-loop check and the API's
 * allowed events all read the machine through it. It accepts any config, valid or not (what is not
 * an object reads as empty). A walk runs when a definition is linted, compiled or drawn, never per event.
 */

export type StateKind = 'atomic' | 'compound' | 'parallel' | 'final' | 'history';

/** What starts a transition: an event (`on`), a delay (`after`), none (`always`), a final child (`onDone`), an invoke's end. */
export type TransitionTrigger = 'on' | 'after' | 'always' | 'done' | 'invoke';

export interface MachineState {
  /** Dotted path, e.g. `analysis.reporting`; '' for the machine itself. */
  path: string;
  /** Where it is written in the file, e.g. `machine.states.analysis.states.reporting`. */
  configPath: string;
  /** The path of the state it is in; undefined for the machine. */
  parent: string | undefined;
  config: Record<string, unknown>;
  kind: StateKind;
  children: string[];
  /** Whether its parent's `initial` names it. */
  isInitial: boolean;
  /** The child its `initial` names (not checked to exist). */
  initial?: string;
  /** The keys of its `on` (the events it accepts, `timer.*` included), as written. */
  events: string[];
  /** The keys of its `after` (the delays it arms), as written. */
  delays: string[];
  /** Its entry and exit actions: names, null where one is not written as a name. */
  entry: Array<string | null>;
  exit: Array<string | null>;
  invokes: MachineInvoke[];
}

export interface MachineInvoke {
  /** Where it is written, e.g. `machine.states.checking.invoke` or `….invoke[1]`. */
  configPath: string;
  /** The invoke as written (not necessarily an object). */
  config: unknown;
}

export interface MachineTransition {
  source: string;
  /** Where it is written, e.g. `machine.states.investigating.on.SUBMIT_FINDINGS[1]`. */
  configPath: string;
  trigger: TransitionTrigger;
  /** The event (`on`), the delay (`after`) or what the invoke runs (`invoke`, when named); null otherwise. */
  name: string | null;
  /** The targets as written; resolve them with `resolveTarget`. Empty for a transition that stays. */
  targets: string[];
  /** The guard's name; null when one is written but not as a name. */
  guard?: string | null;
  /** The actions' names; null where one is not written as a name. */
  actions: Array<string | null>;
  /** The transition object as written (absent for a bare target string). */
  config?: Record<string, unknown>;
}

/** A machine config read once: its states (depth first, the machine first) and transitions (per state, in file order). */
export interface MachineWalk {
  machineId: string;
  /**
   * The states by path. Where two are written with the same path (a child named "", a name with a
   * dot), the later one is kept, in the place of the first.
   */
  states: Map<string, MachineState>;
  /** Every state as written, depth first, the machine first (with those `states` does not keep). */
  nodes: MachineState[];
  transitions: MachineTransition[];
  /** The state each own `id` names (the last one, when two states share it). */
  ids: Map<string, string>;
}

/** The name of a guard or action reference (`"name"` or `{ "type": "name" }`), or null. */
export function refName(ref: unknown): string | null {
  if (typeof ref === 'string') return ref;
  if (isObject(ref) && typeof ref.type === 'string') return ref.type;
  return null;
}

/** Reads every state and transition of `machine`, whose id (the process name) is `machineId`. */
export function walkMachine(machine: Record<string, unknown>, machineId: string): MachineWalk {
  const walk: MachineWalk = { machineId, states: new Map(), nodes: [], transitions: [], ids: new Map() };
  const visit = (config: Record<string, unknown>, path: string, configPath: string, parent: string | undefined, isInitial: boolean) => {
    const states = isObject(config.states) ? config.states : {};
    const names = Object.keys(states);
    const declared = config.type;
    const kind: StateKind =
      declared === 'final' || declared === 'parallel' || declared === 'history' ? declared : names.length ? 'compound' : 'atomic';
    const node: MachineState = {
      path,
      configPath,
      parent,
      config,
      kind,
      children: names.map((c) => joinPath(path, c)),
      ...(typeof config.initial === 'string' && { initial: joinPath(path, config.initial) }),
      events: isObject(config.on) ? Object.keys(config.on) : [],
      delays: isObject(config.after) ? Object.keys(config.after) : [],
      entry: asList(config.entry).map(refName),
      exit: asList(config.exit).map(refName),
      invokes: asList(config.invoke).map((inv, i) => ({
        configPath: Array.isArray(config.invoke) ? `${configPath}.invoke[${i}]` : `${configPath}.invoke`,
        config: inv,
      })),
      isInitial,
    };
    walk.states.set(path, node);
    walk.nodes.push(node);
    for (const name of names) {
      const child = states[name];
      visit(isObject(child) ? child : {}, joinPath(path, name), `${configPath}.states.${name}`, path, name === config.initial);
    }
  };
  visit(machine, '', 'machine', undefined, false);
  // From the states as kept: of two written with the same path, only the later one's transitions count.
  for (const node of walk.states.values()) {
    if (node.path !== '' && typeof node.config.id === 'string') walk.ids.set(node.config.id, node.path);
    walk.transitions.push(...transitionsOf(node));
  }
  return walk;
}

function transitionsOf({ path: source, config, configPath, invokes }: MachineState): MachineTransition[] {
  const out: MachineTransition[] = [];
  const add = (raw: unknown, at: string, trigger: TransitionTrigger, name: string | null) => {
    asList(raw).forEach((t, i) => {
      const p = Array.isArray(raw) ? `${at}[${i}]` : at;
      if (typeof t === 'string') out.push({ source, configPath: p, trigger, name, targets: [t], actions: [] });
      else if (isObject(t)) {
        out.push({
          source,
          configPath: p,
          trigger,
          name,
          targets: asList(t.target as string | string[] | undefined).filter((x): x is string => typeof x === 'string'),
          ...(t.guard !== undefined && { guard: refName(t.guard) }),
          actions: asList(t.actions).map(refName),
          config: t,
        });
      }
    });
  };
  if (isObject(config.on)) for (const [event, t] of Object.entries(config.on)) add(t, `${configPath}.on.${event}`, 'on', event);
  if (isObject(config.after)) for (const [delay, t] of Object.entries(config.after)) add(t, `${configPath}.after.${delay}`, 'after', delay);
  if (config.always !== undefined) add(config.always, `${configPath}.always`, 'always', null);
  if (config.onDone !== undefined) add(config.onDone, `${configPath}.onDone`, 'done', null);
  for (const inv of invokes) {
    if (!isObject(inv.config)) continue;
    const src = typeof inv.config.src === 'string' ? inv.config.src : null;
    if (inv.config.onDone !== undefined) add(inv.config.onDone, `${inv.configPath}.onDone`, 'invoke', src);
    if (inv.config.onError !== undefined) add(inv.config.onError, `${inv.configPath}.onError`, 'invoke', src);
  }
  return out;
}

/**
 * The state a target written on `source` names, the way XState resolves it: a sibling, `.child`
 * (below the source), or `#id` / `#id.child.path` (the machine's id is its process name). A plain
 * target on the machine itself names nothing (XState refuses it: write `.child`).
 */
export function resolveTarget(walk: MachineWalk, target: string, source: string): string | undefined {
  let path: string | undefined;
  if (target.startsWith('#')) {
    const [id, ...below] = target.slice(1).split('.');
    const base = id === walk.machineId ? '' : walk.ids.get(id!);
    path = base === undefined ? undefined : below.reduce(joinPath, base);
  } else if (target.startsWith('.')) path = joinPath(source, target.slice(1));
  else if (source !== '') path = joinPath(parentPath(source), target);
  return path !== undefined && walk.states.has(path) ? path : undefined;
}

/** The resolved targets of a transition; those that name no state are left out. */
export function resolvedTargets(walk: MachineWalk, t: MachineTransition): string[] {
  return t.targets.map((x) => resolveTarget(walk, x, t.source)).filter((x): x is string => x !== undefined);
}

/** The path of the state `path` is in ('' for a top-level state). */
export const parentPath = (path: string): string => (path.includes('.') ? path.slice(0, path.lastIndexOf('.')) : '');

/** The states entered when `path` is entered: it, its ancestors, and its default descendants. */
export function enteredStates(walk: MachineWalk, path: string): string[] {
  const out = new Set<string>();
  const parts = path ? path.split('.') : [];
  for (let i = 0; i <= parts.length; i++) out.add(parts.slice(0, i).join('.'));
  const descend = (p: string) => {
    const node = walk.states.get(p);
    if (!node) return;
    out.add(p);
    if (node.kind === 'parallel') node.children.forEach(descend);
    else if (node.kind === 'compound') {
      const child = node.initial ?? node.children[0];
      if (child !== undefined) descend(child);
    }
  };
  descend(path);
  return [...out];
}

/**
 * The state configs from the machine down to `path`, looked up key by key (own keys only), as
 * written; it stops before the first key that names no state. Unlike the walk's map, where a path
 * is one string, it tells apart a child named "a.b" from a child "b" of "a".
 */
export function configsAlong(machine: Record<string, unknown>, path: string): unknown[] {
  const out: unknown[] = [machine];
  let node: unknown = machine;
  for (const key of path.split('.')) {
    const states = node !== null && typeof node === 'object' ? (node as { states?: unknown }).states : undefined;
    node = states !== null && typeof states === 'object' ? ownValue(states as Record<string, unknown>, key) : undefined;
    if (!node) break;
    out.push(node);
  }
  return out;
}
