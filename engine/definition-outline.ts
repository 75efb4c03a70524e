import type { Definition, DelaySpec, Labels, NumberRef } from './definition-schema';

/** One state of a definition's machine, with what leaves it. */
export interface OutlineState {
  /** Dotted path, e.g. `analysis.reporting`; '' for the machine itself. */
  path: string;
  type: 'atomic' | 'compound' | 'parallel' | 'final' | 'history';
  labels?: Labels;
  /** The child entered by default (compound states). */
  initial?: string;
  children: string[];
  transitions: OutlineTransition[];
  /** Whether the state starts a sub-process (`invoke`). */
  invokes: boolean;
}

export interface OutlineTransition {
  source: string;
  trigger: 'on' | 'after' | 'always' | 'done' | 'invoke' | 'timer';
  /** The event (`on`), the delay name (`after`, `timer`: a case-level timer's `timer.<delay>` event) or the invoke's id (`invoke`: its onDone/onError). */
  name: string | null;
  /** Resolved target paths; empty for a transition that stays (actions only). */
  targets: string[];
  guard?: string;
  actions: string[];
}

/** The states and transitions of a definition, read from its machine config. */
export interface DefinitionOutline {
  states: Map<string, OutlineState>;
  transitions: OutlineTransition[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const join = (path: string, key: string) => (path ? `${path}.${key}` : key);
const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const refName = (ref: unknown): string | undefined =>
  typeof ref === 'string' ? ref : isObject(ref) && typeof ref.type === 'string' ? ref.type : undefined;

/** Reads the states and transitions of a definition (valid or not: unknown targets are dropped). */
export function outlineDefinition(definition: Pick<Definition, 'process' | 'machine' | 'stateLabels'>): DefinitionOutline {
  const states = new Map<string, OutlineState>();
  const configs = new Map<string, Record<string, unknown>>();
  const collect = (config: Record<string, unknown>, path: string) => {
    const children = isObject(config.states) ? config.states : {};
    const declared = config.type;
    const type: OutlineState['type'] =
      declared === 'final' || declared === 'parallel' || declared === 'history'
        ? declared
        : Object.keys(children).length
          ? 'compound'
          : 'atomic';
    const labels = path && definition.stateLabels && Object.hasOwn(definition.stateLabels, path) ? definition.stateLabels[path] : undefined;
    states.set(path, {
      path,
      type,
      ...(labels && { labels }),
      ...(typeof config.initial === 'string' && { initial: join(path, config.initial) }),
      children: Object.keys(children).map((c) => join(path, c)),
      transitions: [],
      invokes: config.invoke !== undefined,
    });
    configs.set(path, config);
    for (const [key, child] of Object.entries(children)) collect(isObject(child) ? child : {}, join(path, key));
  };
  collect(definition.machine, '');

  const transitions: OutlineTransition[] = [];
  for (const [path, config] of configs) {
    const state = states.get(path)!;
    const add = (raw: unknown, trigger: OutlineTransition['trigger'], name: string | null) => {
      for (const t of asList(raw)) {
        const spec = typeof t === 'string' ? { target: t } : isObject(t) ? t : undefined;
        if (!spec) continue;
        const targets = asList(spec.target as string | string[] | undefined)
          .filter((x): x is string => typeof x === 'string')
          .map((x) => resolveTarget(x, path, states, configs, definition.process))
          .filter((x): x is string => x !== undefined);
        const guard = spec.guard === undefined ? undefined : refName(spec.guard);
        const transition: OutlineTransition = {
          source: path,
          trigger,
          name,
          targets,
          ...(guard !== undefined && { guard }),
          actions: asList(spec.actions)
            .map(refName)
            .filter((a): a is string => a !== undefined),
        };
        state.transitions.push(transition);
        transitions.push(transition);
      }
    };
    if (isObject(config.on))
      for (const [event, t] of Object.entries(config.on))
        if (event.startsWith('timer.')) add(t, 'timer', event.slice('timer.'.length));
        else add(t, 'on', event);
    if (isObject(config.after)) for (const [delay, t] of Object.entries(config.after)) add(t, 'after', delay);
    if (config.always !== undefined) add(config.always, 'always', null);
    if (config.onDone !== undefined) add(config.onDone, 'done', null);
    for (const inv of asList(config.invoke)) {
      if (!isObject(inv) || typeof inv.src !== 'string') continue;
      if (inv.onDone !== undefined) add(inv.onDone, 'invoke', inv.src);
      if (inv.onError !== undefined) add(inv.onError, 'invoke', inv.src);
    }
  }
  return { states, transitions };
}

function resolveTarget(
  target: string,
  source: string,
  states: Map<string, OutlineState>,
  configs: Map<string, Record<string, unknown>>,
  machineId: string,
): string | undefined {
  if (target.startsWith('#')) {
    const [id, ...below] = target.slice(1).split('.');
    let base: string | undefined;
    if (id === machineId) base = '';
    else for (const [p, c] of configs) if (p !== '' && c.id === id) base = p;
    if (base === undefined) return undefined;
    const p = below.reduce(join, base);
    return states.has(p) ? p : undefined;
  }
  if (target.startsWith('.')) {
    const p = join(source, target.slice(1));
    return states.has(p) ? p : undefined;
  }
  if (source === '') return states.has(target) ? target : undefined;
  const parent = source.includes('.') ? source.slice(0, source.lastIndexOf('.')) : '';
  const p = join(parent, target);
  return states.has(p) ? p : undefined;
}

/** The leaf state a transition into `path` ends in when entered by default (compound states descend to their initial child). */
export function defaultLeaf(outline: DefinitionOutline, path: string): string {
  let p = path;
  for (let i = 0; i < 50; i++) {
    const s = outline.states.get(p);
    if (!s || s.type !== 'compound') return p;
    p = s.initial ?? s.children[0] ?? p;
  }
  return p;
}

/** `path` and its ancestors, innermost first, without the machine root. */
export function ancestry(path: string): string[] {
  const parts = path.split('.');
  const out: string[] = [];
  for (let i = parts.length; i > 0; i--) out.push(parts.slice(0, i).join('.'));
  return out;
}

function numberText(n: NumberRef | undefined, def: Pick<Definition, 'parameters'>): string {
  if (n === undefined) return '0';
  if (typeof n === 'number') return String(n);
  const param = Object.hasOwn(def.parameters, n.param) ? def.parameters[n.param] : undefined;
  return param ? `${n.param} (${String(param.default)})` : n.param;
}

/** `acceptDays (1) business days after the state is entered`, `at context.promisedResponseBy`. */
export function describeDelay(delay: DelaySpec, def: Pick<Definition, 'parameters'>): string {
  const parts: string[] = [];
  if (delay.businessDays !== undefined) parts.push(`${numberText(delay.businessDays, def)} business days`);
  if (delay.businessHours !== undefined) parts.push(`${numberText(delay.businessHours, def)} business hours`);
  for (const [unit, n] of Object.entries(delay.duration ?? {})) if (n !== undefined) parts.push(`${numberText(n, def)} ${unit}`);
  const from = delay.from ?? 'the state is entered';
  if (parts.length === 0) return `at ${from}`;
  return `${parts.join(' + ')} ${delay.before ? 'before' : 'after'} ${from}`;
}
