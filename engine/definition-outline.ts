import type { Definition, DelaySpec, Labels, NumberRef } from './definition-schema';
import { resolveTarget, walkMachine, type MachineWalk, type StateKind } from './machine-walker';
import { ownValue } from './own';

/** One state of a definition's machine, with what leaves it. */
export interface OutlineState {
  /** Dotted path, e.g. `analysis.reporting`; '' for the machine itself. */
  path: string;
  type: StateKind;
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

/** Reads the states and transitions of a definition (valid or not: unknown targets are dropped). */
export function outlineDefinition(definition: Pick<Definition, 'process' | 'machine' | 'stateLabels'>): DefinitionOutline {
  const walk = walkMachine(definition.machine, definition.process);
  const states = new Map<string, OutlineState>();
  for (const node of walk.states.values()) {
    const labels = node.path ? ownValue(definition.stateLabels, node.path) : undefined;
    states.set(node.path, {
      path: node.path,
      type: node.kind,
      ...(labels && { labels }),
      ...(node.initial !== undefined && { initial: node.initial }),
      children: node.children,
      transitions: [],
      invokes: node.config.invoke !== undefined,
    });
  }
  const transitions: OutlineTransition[] = [];
  for (const t of walk.transitions) {
    // An invoke that does not name what it runs has no place in the outline.
    if (t.trigger === 'invoke' && t.name === null) continue;
    const timer = t.trigger === 'on' && t.name !== null && t.name.startsWith('timer.');
    const transition: OutlineTransition = {
      source: t.source,
      trigger: timer ? 'timer' : t.trigger,
      name: timer ? t.name!.slice('timer.'.length) : t.name,
      targets: t.targets.map((x) => outlineTarget(walk, x, t.source)).filter((x): x is string => x !== undefined),
      ...(typeof t.guard === 'string' && { guard: t.guard }),
      actions: t.actions.filter((a): a is string => a !== null),
    };
    states.get(t.source)!.transitions.push(transition);
    transitions.push(transition);
  }
  return { states, transitions };
}

/** A target as XState resolves it, except that a plain name on the machine itself is read as its child (the linter asks for ".child"). */
function outlineTarget(walk: MachineWalk, target: string, source: string): string | undefined {
  const plainOnRoot = source === '' && !target.startsWith('#') && !target.startsWith('.');
  return resolveTarget(walk, plainOnRoot ? `.${target}` : target, source);
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
  const named = (name: string) => {
    const param = ownValue(def.parameters, name);
    return param ? `${name} (${String(param.default)})` : name;
  };
  if ('paramBy' in n)
    return `[${Object.entries(n.params)
      .map(([value, name]) => `${n.paramBy} ${value}: ${named(name)}`)
      .join('; ')}]`;
  return named(n.param);
}

/** `acceptDays (1) business days after the state is entered`, `at context.promisedResponseBy` (or the same in Chinese). */
export function describeDelay(delay: DelaySpec, def: Pick<Definition, 'parameters'>, lang: 'en' | 'zh-CN' = 'en'): string {
  const zh = lang === 'zh-CN';
  const units: Record<string, string> = zh ? { months: '个月', days: '天', hours: '小时', minutes: '分钟', seconds: '秒' } : {};
  const parts: string[] = [];
  if (delay.businessDays !== undefined) parts.push(`${numberText(delay.businessDays, def)}${zh ? ' 个工作日' : ' business days'}`);
  if (delay.businessHours !== undefined) parts.push(`${numberText(delay.businessHours, def)}${zh ? ' 个工作小时' : ' business hours'}`);
  for (const [unit, n] of Object.entries(delay.duration ?? {}))
    if (n !== undefined) parts.push(`${numberText(n, def)} ${units[unit] ?? unit}`);
  const from = delay.from ?? (zh ? '进入该状态' : 'the state is entered');
  if (zh) return parts.length === 0 ? `于 ${from}` : `${from}${delay.before ? '之前' : '之后'} ${parts.join(' + ')}`;
  if (parts.length === 0) return `at ${from}`;
  return `${parts.join(' + ')} ${delay.before ? 'before' : 'after'} ${from}`;
}
