import { z } from 'zod';
import { definitionSchema, type ActionSpec, type Definition, type GuardExpr, type ValueRef } from './definition-schema';
import { DEFINITION_LIMITS, measureJson } from './definition-limits';
import { eventlessCycles, type EventlessEdge } from './eventless-cycles';
import { guardPaths, parsePath } from './expressions';
import { payloadJsonSchema } from './compile';
import { jsonSchemaValidator } from './json-schema';
import { MICROSTEP_LIMIT } from './microstep-limit';
import { checkPattern, PATTERN_CHECK_MS, patternMessage, schemaPatterns } from './pattern-safety';
import { ROLE_NAMES } from './roles';
import { didYouMean } from './suggest';

export type LintCode =
  | 'schema'
  | 'unknown-target'
  | 'unknown-initial'
  | 'unknown-guard'
  | 'unknown-action'
  | 'unknown-delay'
  | 'numeric-delay'
  | 'undeclared-event'
  | 'unused-event'
  | 'no-role'
  | 'unknown-role'
  | 'unreachable-state'
  | 'no-way-out'
  | 'unknown-parameter'
  | 'parameter-default'
  | 'bad-path'
  | 'unknown-data-field'
  | 'missing-label'
  | 'unknown-label'
  | 'invalid-payload-schema'
  | 'customer-field'
  | 'guard-cycle'
  | 'unknown-invoke'
  | 'unknown-timer'
  | 'too-large'
  | 'reserved-name'
  | 'eventless-cycle'
  | 'invalid-pattern'
  | 'unsafe-pattern';

export interface LintProblem {
  code: LintCode;
  /** Where in the file, e.g. `machine.states.investigating.on.SUBMIT_FINDINGS`. */
  path: string;
  /** What is wrong and how to fix it. */
  message: string;
}

export interface LintResult {
  ok: boolean;
  problems: LintProblem[];
  definition?: Definition;
}

interface StateNodeInfo {
  path: string; // dotted, '' for the root
  configPath: string; // where it sits in the file
  config: Record<string, unknown>;
  type: 'atomic' | 'compound' | 'parallel' | 'final' | 'history';
  children: string[];
}

interface TransitionInfo {
  source: string;
  configPath: string;
  event: string | null; // null for always / done transitions
  trigger: 'on' | 'after' | 'always' | 'done' | 'invoke';
  targets: string[];
  guard?: string;
  actions: string[];
  /** The transition object as written (absent for a bare target string). */
  config?: Record<string, unknown>;
}

/** What XState reads from a state node and from a transition; anything else it silently ignores. */
const STATE_KEYS = [
  'id',
  'type',
  'initial',
  'states',
  'on',
  'after',
  'always',
  'entry',
  'exit',
  'onDone',
  'tags',
  'meta',
  'description',
  'history',
  'target',
  'output',
  'invoke',
];
const INVOKE_KEYS = ['id', 'src', 'onDone', 'onError'];
const ROOT_KEYS = [...STATE_KEYS, 'context', 'version'];
const TRANSITION_KEYS = ['target', 'guard', 'actions', 'reenter', 'description', 'meta'];
const STATE_TYPES = ['atomic', 'compound', 'parallel', 'final', 'history'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const join = (path: string, key: string) => (path ? `${path}.${key}` : key);
/** `record[key]` when the record itself has it: a name from the file never reads `Object.prototype` (`constructor`, `toString`, …). */
const own = <T>(record: Record<string, T>, key: string): T | undefined => (Object.hasOwn(record, key) ? record[key] : undefined);

function collectStates(config: Record<string, unknown>, path: string, configPath: string, out: Map<string, StateNodeInfo>) {
  const states = isObject(config.states) ? config.states : {};
  const children = Object.keys(states);
  const declared = config.type as string | undefined;
  const type: StateNodeInfo['type'] =
    declared === 'final' || declared === 'parallel' || declared === 'history' ? declared : children.length ? 'compound' : 'atomic';
  out.set(path, { path, configPath, config, type, children: children.map((c) => join(path, c)) });
  for (const child of children) {
    const childConfig = states[child];
    collectStates(isObject(childConfig) ? childConfig : {}, join(path, child), `${configPath}.states.${child}`, out);
  }
}

function refName(ref: unknown): string | undefined {
  if (typeof ref === 'string') return ref;
  if (isObject(ref) && typeof ref.type === 'string') return ref.type;
  return undefined;
}

function asList<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function collectTransitions(node: StateNodeInfo): TransitionInfo[] {
  const out: TransitionInfo[] = [];
  const add = (raw: unknown, configPath: string, trigger: TransitionInfo['trigger'], event: string | null) => {
    asList(raw).forEach((t, i) => {
      const p = Array.isArray(raw) ? `${configPath}[${i}]` : configPath;
      if (typeof t === 'string') out.push({ source: node.path, configPath: p, event, trigger, targets: [t], actions: [] });
      else if (isObject(t)) {
        out.push({
          source: node.path,
          configPath: p,
          event,
          trigger,
          targets: asList(t.target as string | string[] | undefined).filter((x): x is string => typeof x === 'string'),
          guard: t.guard === undefined ? undefined : (refName(t.guard) ?? '<invalid>'),
          actions: asList(t.actions).map((a) => refName(a) ?? '<invalid>'),
          config: t,
        });
      }
    });
  };
  const { config, configPath } = node;
  if (isObject(config.on)) for (const [event, t] of Object.entries(config.on)) add(t, `${configPath}.on.${event}`, 'on', event);
  if (isObject(config.after)) for (const [delay, t] of Object.entries(config.after)) add(t, `${configPath}.after.${delay}`, 'after', delay);
  if (config.always !== undefined) add(config.always, `${configPath}.always`, 'always', null);
  if (config.onDone !== undefined) add(config.onDone, `${configPath}.onDone`, 'done', null);
  asList(config.invoke).forEach((inv, i) => {
    if (!isObject(inv)) return;
    const at = Array.isArray(config.invoke) ? `${configPath}.invoke[${i}]` : `${configPath}.invoke`;
    if (inv.onDone !== undefined) add(inv.onDone, `${at}.onDone`, 'invoke', null);
    if (inv.onError !== undefined) add(inv.onError, `${at}.onError`, 'invoke', null);
  });
  return out;
}

/** Resolves an XState target from a source node the way XState does: sibling, `.child`, or `#id`. */
function resolveTarget(target: string, source: string, states: Map<string, StateNodeInfo>, machineId: string): string | undefined {
  if (target.startsWith('#')) {
    // `#id` or `#id.child.path`: the node with that id (the machine's is its process name), then a path below it.
    const [id, ...below] = target.slice(1).split('.');
    let base: string | undefined;
    if (id === machineId) base = '';
    else for (const node of states.values()) if (node.path !== '' && node.config.id === id) base = node.path;
    if (base === undefined) return undefined;
    const p = below.reduce(join, base);
    return states.has(p) ? p : undefined;
  }
  if (target.startsWith('.')) {
    const p = join(source, target.slice(1));
    return states.has(p) ? p : undefined;
  }
  // A plain target names a sibling; the root has none (XState refuses it: write ".child").
  if (source === '') return undefined;
  const parent = source.includes('.') ? source.slice(0, source.lastIndexOf('.')) : '';
  const p = join(parent, target);
  return states.has(p) ? p : undefined;
}

/** The states entered when `path` is entered: it, its ancestors, and its default descendants. */
function entered(path: string, states: Map<string, StateNodeInfo>): string[] {
  const out = new Set<string>();
  const parts = path ? path.split('.') : [];
  for (let i = 0; i <= parts.length; i++) out.add(parts.slice(0, i).join('.'));
  const descend = (p: string) => {
    const node = states.get(p);
    if (!node) return;
    out.add(p);
    if (node.type === 'parallel') node.children.forEach(descend);
    else if (node.type === 'compound') {
      const initial = node.config.initial;
      const child = typeof initial === 'string' ? join(p, initial) : node.children[0];
      if (child !== undefined) descend(child);
    }
  };
  descend(path);
  return [...out];
}

function valueRefs(action: ActionSpec): Array<{ ref: ValueRef; at: string }> {
  switch (action.type) {
    case 'assign':
      return Object.entries(action.set).map(([k, ref]) => ({ ref, at: `set.${k}` }));
    case 'append':
      return Object.entries(action.value).map(([k, ref]) => ({ ref, at: `value.${k}` }));
    case 'notify':
      return [
        ...Object.entries(action.data ?? {}).map(([k, ref]) => ({ ref, at: `data.${k}` })),
        ...action.to.flatMap((r, i) => (r.user ? [{ ref: r.user, at: `to[${i}].user` }] : [])),
        ...action.to.flatMap((r, i) => (r.roleFrom !== undefined ? [{ ref: r.roleFrom, at: `to[${i}].roleFrom` }] : [])),
      ];
    case 'increment':
    case 'shift':
    case 'startTimer':
    case 'cancelTimer':
      return [];
  }
}

const GUARD_OPERATORS = 'gt, gte, lt, lte, eq, neq, before, after, truthy, includes, some, every, and, or, not, guard';

function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}

let formatSchema: Record<string, unknown> | undefined;

/** The field names the definition format allows in the object at `path` (from its JSON Schema). */
function knownFields(path: readonly PropertyKey[]): string[] {
  formatSchema ??= definitionJsonSchema() as Record<string, unknown>;
  const root = formatSchema;
  const expand = (node: unknown, seen = 0): Array<Record<string, unknown>> => {
    if (!isObject(node) || seen > 20) return [];
    if (typeof node.$ref === 'string') {
      if (node.$ref === '#') return expand(root, seen + 1);
      const name = node.$ref.replace(/^#\/\$defs\//, '');
      const defs = isObject(root.$defs) ? root.$defs : {};
      return expand(own(defs, name), seen + 1);
    }
    const branches = [...asList(node.anyOf as unknown[]), ...asList(node.oneOf as unknown[]), ...asList(node.allOf as unknown[])];
    return [node, ...branches.flatMap((b) => expand(b, seen + 1))];
  };
  let nodes = expand(root);
  for (const key of path) {
    nodes = nodes.flatMap((n) => {
      const props = isObject(n.properties) ? n.properties : {};
      if (typeof key === 'string' && Object.hasOwn(props, key)) return expand(props[key]);
      if (typeof key === 'number') return expand(n.items);
      return isObject(n.additionalProperties) ? expand(n.additionalProperties) : [];
    });
  }
  return [...new Set(nodes.flatMap((n) => (isObject(n.properties) ? Object.keys(n.properties) : [])))];
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let v = raw;
  for (const key of path) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, key)) return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/** A zod issue as lint problems, each saying what to change. */
function schemaProblems(issue: z.core.$ZodIssue, raw: unknown): LintProblem[] {
  const path = issue.path.reduce<string>((p, k) => (typeof k === 'number' ? `${p}[${k}]` : join(p, String(k))), '');
  const at = path || '(file)';
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownFields(issue.path);
      return issue.keys.map((key) => ({
        code: 'schema' as const,
        path: join(path, key),
        message: `unknown field "${key}"${known.length ? didYouMean(key, known) : ''} — remove it or check its spelling`,
      }));
    }
    case 'invalid_type': {
      const value = valueAt(raw, issue.path);
      const key = issue.path.length ? String(issue.path[issue.path.length - 1]) : 'the file';
      const message =
        value === undefined
          ? `"${key}" is missing — add it (expected ${issue.expected})`
          : `expected ${issue.expected}, got ${describeJson(value)} — change it to ${issue.expected === 'array' ? 'a list' : issue.expected === 'record' || issue.expected === 'object' ? 'an object' : `a ${issue.expected}`}`;
      return [{ code: 'schema', path: at, message }];
    }
    case 'invalid_union':
      if (issue.path[0] === 'guards') {
        return [{ code: 'schema', path: at, message: `not a guard expression — write an object with exactly one of ${GUARD_OPERATORS}` }];
      }
      if (issue.path[0] === 'actions' && ['set', 'value', 'data'].includes(String(issue.path[2]))) {
        return [
          {
            code: 'schema',
            path: at,
            message: `not a value — write a path (data.…, context.…, param.…, actor.…, now), a number, true/false, null or { "value": … }`,
          },
        ];
      }
      if (issue.message !== 'Invalid input') return [{ code: 'schema', path: at, message: issue.message }];
      return [
        {
          code: 'schema',
          path: at,
          message: 'not a valid value here — check it against the definition format (definitions/definition.schema.json)',
        },
      ];
    default:
      return [{ code: 'schema', path: at, message: issue.message }];
  }
}

const formatBytes = (n: number) => `${n.toLocaleString('en')} bytes`;

/** Problems with the file as JSON, before it is read as a definition: its size, its nesting, `__proto__` keys. */
function fileProblems(raw: unknown): { problems: LintProblem[]; fatal: boolean } {
  const measure = measureJson(raw);
  const { bytes, depth } = DEFINITION_LIMITS;
  if (measure.depth > depth)
    return {
      fatal: true,
      problems: [
        {
          code: 'too-large',
          path: '(file)',
          message: `the file is nested more than ${depth} levels deep — a definition may nest at most ${depth} levels (objects and lists); flatten the deepest part`,
        },
      ],
    };
  if (measure.bytes === undefined)
    return { fatal: true, problems: [{ code: 'schema', path: '(file)', message: 'not JSON — write the definition as a JSON object' }] };
  if (measure.bytes > bytes)
    return {
      fatal: true,
      problems: [
        {
          code: 'too-large',
          path: '(file)',
          message: `the file has ${formatBytes(measure.bytes)}; a definition may have at most ${formatBytes(bytes)} — remove what no state uses, or split the process into sub-processes`,
        },
      ],
    };
  return {
    fatal: false,
    problems: measure.protoKeys.map((path) => ({
      code: 'reserved-name' as const,
      path,
      message: `"__proto__" cannot be a name here: JavaScript objects do not keep it as data — rename it`,
    })),
  };
}

/** Checks a definition file: its size, its shape (zod), then what XState does not check. Never throws. */
export function lintDefinition(raw: unknown): LintResult {
  const file = fileProblems(raw);
  if (file.fatal) return { ok: false, problems: file.problems };
  const parsed = definitionSchema.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, problems: [...file.problems, ...parsed.error.issues.flatMap((issue) => schemaProblems(issue, raw))] };
  }
  const def = parsed.data;
  const problems: LintProblem[] = [...file.problems];
  const report = (code: LintCode, path: string, message: string) => problems.push({ code, path, message });

  const states = new Map<string, StateNodeInfo>();
  collectStates(def.machine, '', 'machine', states);
  const transitions = [...states.values()].flatMap(collectTransitions);

  // Size: the checks below and the engine walk every state and transition.
  const counts = [
    ['states', states.size - 1, DEFINITION_LIMITS.states, 'machine.states', 'split the process into sub-processes'],
    [
      'events',
      Object.keys(def.events).length,
      DEFINITION_LIMITS.events,
      'events',
      'remove the events no state accepts, or split the process',
    ],
    ['transitions', transitions.length, DEFINITION_LIMITS.transitions, 'machine', 'split the process into sub-processes'],
  ] as const;
  for (const [what, n, limit, at, fix] of counts)
    if (n > limit) report('too-large', at, `${n} ${what}; a definition may have at most ${limit} ${what} — ${fix}`);
  if (problems.some((p) => p.code === 'too-large')) return { ok: false, problems };

  // Fields XState would silently ignore (a typo such as "taget" or "afer" loses a transition).
  for (const node of states.values()) {
    const known = node.path === '' ? ROOT_KEYS : STATE_KEYS;
    for (const key of Object.keys(node.config)) {
      if (!known.includes(key))
        report(
          'schema',
          join(node.configPath, key),
          `unknown field "${key}" of ${node.path === '' ? 'the machine' : 'a state'}${didYouMean(key, known)} — remove it or check its spelling`,
        );
    }
    const type = node.config.type;
    if (type !== undefined && (typeof type !== 'string' || !STATE_TYPES.includes(type))) {
      report(
        'schema',
        `${node.configPath}.type`,
        `unknown state type ${JSON.stringify(type)}${typeof type === 'string' ? didYouMean(type, STATE_TYPES) : ''} — use one of ${STATE_TYPES.join(', ')} or leave it out`,
      );
    }
  }
  for (const t of transitions) {
    for (const key of Object.keys(t.config ?? {})) {
      if (!TRANSITION_KEYS.includes(key))
        report(
          'schema',
          `${t.configPath}.${key}`,
          `unknown field "${key}" of a transition${didYouMean(key, TRANSITION_KEYS)} — remove it or check its spelling`,
        );
    }
  }

  // Initial states of compound nodes.
  for (const node of states.values()) {
    if (node.type !== 'compound') continue;
    const initial = node.config.initial;
    const names = node.children.map((c) => c.slice(c.lastIndexOf('.') + 1));
    if (typeof initial !== 'string' || !names.includes(initial)) {
      report(
        'unknown-initial',
        `${node.configPath}.initial`,
        `initial state "${String(initial)}" is not a child of ${node.path || 'the machine'}${typeof initial === 'string' ? didYouMean(initial, names) : ` — set it to one of ${names.join(', ')}`}`,
      );
    }
  }

  // Parameters and paths.
  const paramNames = Object.keys(def.parameters);
  for (const [name, spec] of Object.entries(def.parameters)) {
    const ok =
      (spec.type === 'number' && typeof spec.default === 'number') ||
      (spec.type === 'integer' && Number.isInteger(spec.default)) ||
      (spec.type === 'string' && typeof spec.default === 'string') ||
      (spec.type === 'boolean' && typeof spec.default === 'boolean');
    if (!ok)
      report(
        'parameter-default',
        `parameters.${name}.default`,
        `default ${JSON.stringify(spec.default)} is not of type ${spec.type} — change the default or the type`,
      );
    if (
      typeof spec.default === 'number' &&
      ((spec.minimum !== undefined && spec.default < spec.minimum) || (spec.maximum !== undefined && spec.default > spec.maximum))
    ) {
      report(
        'parameter-default',
        `parameters.${name}.default`,
        `default ${spec.default} is outside [${spec.minimum ?? '-∞'}, ${spec.maximum ?? '∞'}] — change the default or the bounds`,
      );
    }
  }
  const checkPath = (path: string, at: string, allowItem = false) => {
    const p = parsePath(path);
    if (!p || (p.root === 'item' && !allowItem)) {
      report(
        'bad-path',
        at,
        `"${path}" is not a path: start it with data., context., param., actor. or write now${allowItem ? ' (or item. inside some/every)' : ''}; write a literal string as { "value": "${path}" }`,
      );
      return;
    }
    if (p.root === 'param' && !paramNames.includes(p.keys[0]!)) {
      report(
        'unknown-parameter',
        at,
        `unknown parameter "${p.keys[0]}"${didYouMean(p.keys[0]!, paramNames)} — declare it under "parameters"`,
      );
    }
    if (p.root === 'actor' && !['userId', 'role'].includes(p.keys[0]!))
      report('bad-path', at, `"${path}": an actor has only userId and role`);
  };
  const delayNames = Object.keys(def.delays);
  const guardNames = Object.keys(def.guards);
  const checkRef = (ref: ValueRef, at: string, allowItem = false): void => {
    if (typeof ref === 'string') return checkPath(ref, at, allowItem);
    if (ref === null || typeof ref !== 'object' || 'value' in ref) return;
    if ('length' in ref) return checkPath(ref.length, `${at}.length`, allowItem);
    if ('pick' in ref) {
      ref.pick.forEach((entry, i) => {
        if (entry.when !== undefined) walkGuard(entry.when, `${at}.pick[${i}].when`, allowItem);
        checkRef(entry.value, `${at}.pick[${i}].value`, allowItem);
      });
      return;
    }
    if (!delayNames.includes(ref.dueAt))
      report(
        'unknown-delay',
        `${at}.dueAt`,
        `unknown delay "${ref.dueAt}"${didYouMean(ref.dueAt, delayNames)} — declare it under "delays"`,
      );
  };

  // Guards.
  function walkGuard(expr: GuardExpr, at: string, inItem: boolean): void {
    for (const [op, arg] of Object.entries(expr) as Array<[string, unknown]>) {
      if (op === 'guard') {
        if (!guardNames.includes(arg as string))
          report(
            'unknown-guard',
            `${at}.guard`,
            `unknown guard "${String(arg)}"${didYouMean(arg as string, guardNames)} — declare it under "guards"`,
          );
      } else if (op === 'and' || op === 'or') (arg as GuardExpr[]).forEach((g, i) => walkGuard(g, `${at}.${op}[${i}]`, inItem));
      else if (op === 'not') walkGuard(arg as GuardExpr, `${at}.not`, inItem);
      else if (op === 'some' || op === 'every') {
        const q = arg as { path: string; where: GuardExpr };
        checkPath(q.path, `${at}.${op}.path`, inItem);
        walkGuard(q.where, `${at}.${op}.where`, true);
      } else if (op === 'truthy') checkRef(arg as ValueRef, `${at}.truthy`, inItem);
      else (arg as ValueRef[]).forEach((r, i) => checkRef(r, `${at}.${op}[${i}]`, inItem));
    }
  }
  for (const [name, expr] of Object.entries(def.guards)) walkGuard(expr, `guards.${name}`, false);
  for (const name of Object.keys(def.guardLabels)) {
    if (!guardNames.includes(name))
      report('unknown-label', `guardLabels.${name}`, `labels for "${name}", which is no guard${didYouMean(name, guardNames)}`);
  }
  for (const name of guardNames) {
    const seen = new Set<string>();
    const visit = (n: string): boolean => {
      if (seen.has(n)) return n === name;
      seen.add(n);
      const g = own(def.guards, n);
      return g ? guardPaths(g).guards.some((child) => child === name || visit(child)) : false;
    };
    if (visit(name)) report('guard-cycle', `guards.${name}`, `guard "${name}" refers back to itself — break the cycle`);
  }

  // Actions.
  for (const [name, action] of Object.entries(def.actions)) {
    for (const { ref, at } of valueRefs(action)) checkRef(ref, `actions.${name}.${at}`);
    if (action.type === 'startTimer' || action.type === 'cancelTimer') {
      if (!delayNames.includes(action.delay))
        report(
          'unknown-delay',
          `actions.${name}.delay`,
          `unknown delay "${action.delay}"${didYouMean(action.delay, delayNames)} — declare it under "delays"`,
        );
    }
    if (action.type === 'notify') {
      action.to.forEach((r, i) => {
        if (r.role && !ROLE_NAMES.includes(r.role))
          report('unknown-role', `actions.${name}.to[${i}].role`, `unknown role "${r.role}"${didYouMean(r.role, ROLE_NAMES)}`);
      });
    }
  }

  // Automatic tasks and sub-processes.
  for (const [name, task] of Object.entries(def.tasks)) {
    task.rules.forEach((rule, i) => walkGuard(rule.holds, `tasks.${name}.rules[${i}].holds`, false));
    const ids = task.rules.map((r) => r.id);
    ids.forEach((id, i) => {
      if (ids.indexOf(id) !== i)
        report('schema', `tasks.${name}.rules[${i}].id`, `rule id "${id}" is used twice — give each rule its own id`);
    });
  }
  for (const [name, sub] of Object.entries(def.subprocesses)) {
    if (Object.hasOwn(def.tasks, name))
      report('unknown-invoke', `subprocesses.${name}`, `"${name}" is both a task and a sub-process — rename one of them`);
    checkRef(sub.forEach, `subprocesses.${name}.forEach`);
    checkRef(sub.key, `subprocesses.${name}.key`, true);
    for (const [field, ref] of Object.entries(sub.input)) checkRef(ref, `subprocesses.${name}.input.${field}`, true);
    if (sub.process === def.process)
      report('unknown-invoke', `subprocesses.${name}.process`, `a process cannot run itself as a sub-process — name another process`);
  }
  const invokable = [...Object.keys(def.tasks), ...Object.keys(def.subprocesses)];

  // Delays.
  for (const [name, delay] of Object.entries(def.delays)) {
    if (delay.from !== undefined && delay.from !== 'now') checkPath(delay.from, `delays.${name}.from`);
    const numberRefs: Array<[string, unknown]> = [
      ['businessDays', delay.businessDays],
      ['businessHours', delay.businessHours],
      ...Object.entries(delay.duration ?? {}).map(([k, v]) => [`duration.${k}`, v] as [string, unknown]),
    ];
    for (const [key, ref] of numberRefs) {
      if (!isObject(ref) || typeof ref.param !== 'string') continue;
      const spec = own(def.parameters, ref.param);
      if (!spec)
        report(
          'unknown-parameter',
          `delays.${name}.${key}.param`,
          `unknown parameter "${ref.param}"${didYouMean(ref.param, paramNames)} — declare it under "parameters"`,
        );
      else if (spec.type !== 'number' && spec.type !== 'integer')
        report('unknown-parameter', `delays.${name}.${key}.param`, `parameter "${ref.param}" is a ${spec.type}; a delay needs a number`);
    }
  }

  // Payload patterns: a regular expression that backtracks catastrophically lets one payload hold up a worker.
  const patternBudget = { ms: PATTERN_CHECK_MS.total };
  const patternsSeen = new Set<string>();
  /** Reports the refused patterns of a payload schema; false when there was one. */
  const checkPatterns = (schema: unknown, at: string): boolean => {
    let ok = true;
    for (const { at: where, pattern } of schemaPatterns(schema, at)) {
      patternsSeen.add(pattern);
      if (patternsSeen.size > DEFINITION_LIMITS.patterns) {
        if (patternsSeen.size === DEFINITION_LIMITS.patterns + 1)
          report(
            'too-large',
            where,
            `more than ${DEFINITION_LIMITS.patterns} different patterns; a definition may have at most ${DEFINITION_LIMITS.patterns} — list allowed values under "enum" instead, or reuse a pattern`,
          );
        ok = false;
        continue;
      }
      const verdict = checkPattern(pattern, patternBudget);
      if (verdict === undefined) continue;
      ok = false;
      const code = verdict.kind === 'invalid' ? 'invalid-pattern' : verdict.kind === 'too-long' ? 'too-large' : 'unsafe-pattern';
      report(code, where, patternMessage(pattern, verdict));
    }
    return ok;
  };

  // Events: roles and payload schemas.
  const eventNames = Object.keys(def.events);
  for (const [name, event] of Object.entries(def.events)) {
    if (event.roles.length === 0) report('no-role', `events.${name}.roles`, `no role may send ${name} — list the roles allowed to send it`);
    event.roles.forEach((role, i) => {
      if (!ROLE_NAMES.includes(role))
        report('unknown-role', `events.${name}.roles[${i}]`, `unknown role "${role}"${didYouMean(role, ROLE_NAMES)}`);
    });
    if (event.payload !== undefined) {
      if (event.payload.type !== undefined && event.payload.type !== 'object') {
        report(
          'invalid-payload-schema',
          `events.${name}.payload.type`,
          `an event's payload is an object — set "type": "object" and list its fields under "properties"`,
        );
      } else if (checkPatterns(event.payload, `events.${name}.payload`)) {
        try {
          z.fromJSONSchema(payloadJsonSchema(event.payload, true));
          jsonSchemaValidator(payloadJsonSchema(event.payload, true));
        } catch (e) {
          report('invalid-payload-schema', `events.${name}.payload`, `not a usable JSON Schema: ${(e as Error).message}`);
        }
      }
    }
  }
  def.startedBy.forEach((role, i) => {
    if (!ROLE_NAMES.includes(role)) report('unknown-role', `startedBy[${i}]`, `unknown role "${role}"${didYouMean(role, ROLE_NAMES)}`);
  });
  if (checkPatterns(def.input, 'input')) {
    try {
      z.fromJSONSchema(payloadJsonSchema(def.input, false));
      jsonSchemaValidator(payloadJsonSchema(def.input, false));
    } catch (e) {
      report('invalid-payload-schema', 'input', `not a usable JSON Schema: ${(e as Error).message}`);
    }
  }
  const inputRequired = Array.isArray(def.input.required) ? (def.input.required as unknown[]) : [];
  if (!inputRequired.includes(def.customerField)) {
    report(
      'customer-field',
      'customerField',
      `the input must require "${def.customerField}" (every case names its customer) — add it to input.required and input.properties`,
    );
  }

  // Invocations: one named task or sub-process each, with id equal to src (its done event is named after it).
  for (const node of states.values()) {
    const raw = node.config.invoke;
    if (raw === undefined) continue;
    asList(raw).forEach((inv, i) => {
      const at = Array.isArray(raw) ? `${node.configPath}.invoke[${i}]` : `${node.configPath}.invoke`;
      if (!isObject(inv) || typeof inv.src !== 'string') {
        report('unknown-invoke', at, `write an invoke as { "id": name, "src": name, "onDone": … } naming a task or sub-process`);
        return;
      }
      for (const key of Object.keys(inv))
        if (!INVOKE_KEYS.includes(key))
          report(
            'schema',
            `${at}.${key}`,
            `unknown field "${key}" of an invoke${didYouMean(key, INVOKE_KEYS)} — use ${INVOKE_KEYS.join(', ')}`,
          );
      if (!invokable.includes(inv.src))
        report(
          'unknown-invoke',
          `${at}.src`,
          `unknown task or sub-process "${inv.src}"${didYouMean(inv.src, invokable)} — declare it under "tasks" or "subprocesses"`,
        );
      if (inv.id !== inv.src) report('unknown-invoke', `${at}.id`, `set "id": "${inv.src}" (an invoke's id is the name of what it runs)`);
      if (inv.onDone === undefined) report('no-way-out', at, `an invoke needs "onDone": where the case goes when "${inv.src}" is done`);
    });
  }
  const startedTimers = new Set(Object.values(def.actions).flatMap((a) => (a.type === 'startTimer' ? [a.delay] : [])));

  // Transitions: targets, guards, actions, delays, events, data fields.
  const actionNames = Object.keys(def.actions);
  const usedEvents = new Set<string>();
  /** The data fields an event may carry, or undefined when its payload admits any field. */
  const eventFields = (event: string): string[] | undefined => {
    const payload = own(def.events, event)?.payload;
    if (payload?.additionalProperties !== undefined && payload.additionalProperties !== false) return undefined;
    const props = payload?.properties;
    return isObject(props) ? [...Object.keys(props), 'comment', 'attachments'] : ['comment', 'attachments'];
  };
  const dataPathsOf = (t: TransitionInfo): Array<{ path: string; at: string }> => {
    const out: Array<{ path: string; at: string }> = [];
    const fromGuard = (name: string, at: string, seen: Set<string>) => {
      const g = own(def.guards, name);
      if (!g || seen.has(name)) return;
      seen.add(name);
      const { paths, guards } = guardPaths(g);
      paths.filter((p) => p.startsWith('data.')).forEach((path) => out.push({ path, at }));
      guards.forEach((child) => fromGuard(child, at, seen));
    };
    if (t.guard) fromGuard(t.guard, `guards.${t.guard}`, new Set());
    for (const a of t.actions) {
      const spec = own(def.actions, a);
      if (spec)
        for (const { ref } of valueRefs(spec))
          if (typeof ref === 'string' && ref.startsWith('data.')) out.push({ path: ref, at: `actions.${a}` });
    }
    return out;
  };
  for (const t of transitions) {
    if (t.trigger === 'on' && t.event !== null && t.event.startsWith('timer.')) {
      const delay = t.event.slice('timer.'.length);
      if (!startedTimers.has(delay))
        report(
          'unknown-timer',
          t.configPath,
          `"${t.event}" is raised only by a startTimer action for delay "${delay}", and no action starts it — add { "type": "startTimer", "delay": "${delay}" }`,
        );
    } else if (t.trigger === 'on' && t.event !== null) {
      usedEvents.add(t.event);
      if (!eventNames.includes(t.event)) {
        report(
          'undeclared-event',
          t.configPath,
          `event "${t.event}" is not declared${didYouMean(t.event, eventNames)} — declare it under "events" with its roles and payload`,
        );
      }
    }
    if (t.trigger === 'after' && t.event !== null) {
      if (/^\d+$/.test(t.event))
        report(
          'numeric-delay',
          t.configPath,
          `"${t.event}" is a raw number of milliseconds — name a delay under "delays" (business days, business hours or a duration)`,
        );
      else if (!delayNames.includes(t.event))
        report('unknown-delay', t.configPath, `unknown delay "${t.event}"${didYouMean(t.event, delayNames)} — declare it under "delays"`);
    }
    for (const target of t.targets) {
      if (resolveTarget(target, t.source, states, def.process) !== undefined) continue;
      if (t.source === '' && !/^[.#]/.test(target) && resolveTarget(`.${target}`, '', states, def.process) !== undefined) {
        report(
          'unknown-target',
          t.configPath,
          `target "${target}" of a transition on the machine itself must name a child — write ".${target}"`,
        );
        continue;
      }
      const siblings = [...states.keys()].filter((p) => p !== '').map((p) => p.slice(p.lastIndexOf('.') + 1));
      report(
        'unknown-target',
        t.configPath,
        `unknown target "${target}"${didYouMean(target.replace(/^[.#]/, '').split('.').pop() ?? target, siblings)}`,
      );
    }
    if (t.guard !== undefined && !guardNames.includes(t.guard)) {
      report(
        'unknown-guard',
        `${t.configPath}.guard`,
        `unknown guard "${t.guard}"${didYouMean(t.guard, guardNames)} — declare it under "guards"`,
      );
    }
    for (const a of t.actions) {
      if (!actionNames.includes(a))
        report(
          'unknown-action',
          `${t.configPath}.actions`,
          `unknown action "${a}"${didYouMean(a, actionNames)} — declare it under "actions"`,
        );
    }
    // A done transition of an invoke reads the task's or sub-processes' output as data.
    for (const { path, at } of t.trigger === 'invoke' ? [] : dataPathsOf(t)) {
      const field = path.split('.')[1]!;
      const fields = t.trigger === 'on' && t.event !== null ? eventFields(t.event) : [];
      if (t.trigger !== 'on' || t.event === null) {
        report(
          'unknown-data-field',
          t.configPath,
          `${at} reads "${path}", but ${t.trigger === 'after' ? 'an' : 'a'} ${t.trigger} transition carries no event data — read it from context instead`,
        );
      } else if (own(def.events, t.event) && fields !== undefined && !fields.includes(field)) {
        report(
          'unknown-data-field',
          t.configPath,
          `${at} reads "${path}", but ${t.event}'s payload has no field "${field}"${didYouMean(field, fields)} — add it to events.${t.event}.payload.properties`,
        );
      }
    }
  }
  for (const node of states.values()) {
    for (const key of ['entry', 'exit'] as const) {
      for (const a of asList(node.config[key]).map((x) => refName(x) ?? '<invalid>')) {
        if (!actionNames.includes(a))
          report(
            'unknown-action',
            `${node.configPath}.${key}`,
            `unknown action "${a}"${didYouMean(a, actionNames)} — declare it under "actions"`,
          );
        const spec = own(def.actions, a);
        if (spec)
          for (const { ref } of valueRefs(spec))
            if (typeof ref === 'string' && ref.startsWith('data.'))
              report(
                'unknown-data-field',
                `${node.configPath}.${key}`,
                `actions.${a} reads "${ref}" on ${key}, where no event data is known — read it from context instead`,
              );
      }
    }
  }
  for (const name of eventNames) {
    if (!usedEvents.has(name))
      report('unused-event', `events.${name}`, `event ${name} is declared but no state accepts it — add a transition for it or remove it`);
  }

  // Reachability and ways out, once every target resolves (an unresolved one would only add follow-on reports).
  const graphComplete = !problems.some((p) => p.code === 'unknown-target' || p.code === 'unknown-initial');
  const reached = new Set<string>(entered('', states));
  const queue = [...reached];
  // Remembered per state: the walks below ask for the same states again and again.
  const targetsOf = new Map<string, string[]>();
  const targetsFrom = (path: string): string[] => {
    let targets = targetsOf.get(path);
    if (targets === undefined) {
      targets = transitions
        .filter((t) => t.source === path)
        .flatMap((t) => t.targets.map((x) => resolveTarget(x, t.source, states, def.process)).filter((x): x is string => x !== undefined));
      targetsOf.set(path, targets);
    }
    return targets;
  };
  while (queue.length) {
    const p = queue.shift()!;
    for (const target of targetsFrom(p)) {
      for (const e of entered(target, states)) {
        if (!reached.has(e)) {
          reached.add(e);
          queue.push(e);
        }
      }
    }
  }
  for (const node of states.values()) {
    if (!graphComplete || node.path === '' || reached.has(node.path)) continue;
    report(
      'unreachable-state',
      node.configPath,
      `state "${node.path}" cannot be reached from the initial state — add a transition to it or remove it`,
    );
  }
  const ancestorsOf = (p: string) => {
    const parts = p.split('.');
    return parts
      .map((_, i) => parts.slice(0, parts.length - 1 - i).join('.'))
      .concat(p)
      .filter((x, i, a) => a.indexOf(x) === i);
  };
  const isDone = (p: string) => {
    const node = states.get(p);
    return node?.type === 'final' && !p.includes('.');
  };
  const successorsOf = new Map<string, string[]>();
  const leafSuccessors = (leaf: string): string[] => {
    const known = successorsOf.get(leaf);
    if (known) return known;
    const out: string[] = [];
    successorsOf.set(leaf, out);
    for (const a of [leaf, ...ancestorsOf(leaf)]) {
      for (const target of targetsFrom(a)) out.push(...entered(target, states).filter((e) => states.get(e)?.children.length === 0));
    }
    const node = states.get(leaf);
    if (node?.type === 'final' && leaf.includes('.')) {
      const parent = leaf.slice(0, leaf.lastIndexOf('.'));
      for (const t of transitions.filter((x) => x.source === parent && x.trigger === 'done')) {
        for (const target of t.targets) {
          const r = resolveTarget(target, parent, states, def.process);
          if (r !== undefined) out.push(...entered(r, states).filter((e) => states.get(e)?.children.length === 0));
        }
      }
    }
    return out;
  };
  // The leaves from which a final state can be reached: walked back from the final states once.
  const isExit = (s: string) =>
    isDone(s) || (states.get(s)?.type === 'final' && s.includes('.') && states.get(s.slice(0, s.lastIndexOf('.')))?.type === 'parallel');
  const escaping = new Set<string>();
  const comesFrom = new Map<string, string[]>();
  const back: string[] = [];
  for (const node of graphComplete ? states.values() : []) {
    if (node.children.length > 0) continue;
    for (const s of leafSuccessors(node.path)) {
      if (isExit(s)) {
        if (!escaping.has(node.path)) back.push(node.path);
        escaping.add(node.path);
      } else if (comesFrom.has(s)) comesFrom.get(s)!.push(node.path);
      else comesFrom.set(s, [node.path]);
    }
  }
  for (let p = back.pop(); p !== undefined; p = back.pop())
    for (const from of comesFrom.get(p) ?? [])
      if (!escaping.has(from)) {
        escaping.add(from);
        back.push(from);
      }
  for (const node of states.values()) {
    if (!graphComplete || node.children.length > 0 || node.type === 'final' || !reached.has(node.path)) continue;
    if (!escaping.has(node.path))
      report(
        'no-way-out',
        node.configPath,
        `state "${node.path}" is not final but no path leads from it to a final state — add a transition out of it or mark it "type": "final"`,
      );
  }

  // Eventless loops: `always` and `onDone` transitions that can follow each other forever without an event.
  if (graphComplete) {
    const edges: EventlessEdge[] = [];
    const resolved = (t: TransitionInfo) =>
      t.targets.map((x) => resolveTarget(x, t.source, states, def.process)).filter((x): x is string => x !== undefined);
    const finalChildren = (p: string) => (states.get(p)?.children ?? []).filter((c) => states.get(c)?.type === 'final');
    for (const t of transitions) {
      if (t.trigger === 'always') {
        // Without a target it stays, and is checked again at once: a loop of its own.
        const targets = resolved(t);
        edges.push({ from: t.source, to: targets.length ? targets.flatMap((x) => entered(x, states)) : [t.source], at: t.configPath });
      } else if (t.trigger === 'done' && t.targets.length > 0) {
        // It fires when a final child is entered (of a parallel state: a final child of each region).
        const node = states.get(t.source);
        const finals = node?.type === 'parallel' ? node.children.flatMap(finalChildren) : finalChildren(t.source);
        const to = resolved(t).flatMap((x) => entered(x, states));
        for (const from of finals) edges.push({ from, to, at: t.configPath });
      }
    }
    for (const cycle of eventlessCycles([...states.keys()], edges)) {
      const loop = cycle.states.map((p) => (p === '' ? '(the machine)' : p)).join(' → ');
      report(
        'eventless-cycle',
        cycle.edges[0]!.at,
        `eventless transitions can loop without an event: ${loop} (through ${cycle.edges.map((e) => e.at).join(', ')}); a case there would never come to rest (the engine stops an event after ${MICROSTEP_LIMIT} steps) — make one of them wait for an event ("on") or a delay ("after"), or lead out of the loop. A guard does not make such a loop safe: every loop made only of "always" and "onDone" transitions is refused`,
      );
    }
  }

  // Labels.
  for (const node of states.values()) {
    if (node.path !== '' && !own(def.stateLabels, node.path)) {
      report(
        'missing-label',
        `stateLabels.${node.path}`,
        `state "${node.path}" has no labels — add { "en": …, "zh-CN": … } under stateLabels."${node.path}"`,
      );
    }
  }
  for (const key of Object.keys(def.stateLabels)) {
    if (!states.has(key) || key === '')
      report(
        'unknown-label',
        `stateLabels.${key}`,
        `labels for "${key}", which is no state${didYouMean(key, [...states.keys()].filter(Boolean))}`,
      );
  }

  return { ok: problems.length === 0, problems, definition: def };
}

/** Lints and throws one error listing every problem; returns the parsed definition. */
export function assertValidDefinition(raw: unknown, source = 'definition'): Definition {
  const result = lintDefinition(raw);
  if (!result.ok || !result.definition) {
    throw new Error(`${source} has ${result.problems.length} problem(s):\n${formatProblems(result.problems)}`);
  }
  return result.definition;
}

export function formatProblems(problems: LintProblem[]): string {
  return problems.map((p) => `  ${p.path}: ${p.message} [${p.code}]`).join('\n');
}

/** The JSON Schema of the definition file format, for editors. */
export function definitionJsonSchema(): unknown {
  return z.toJSONSchema(definitionSchema, { io: 'input', unrepresentable: 'any' });
}
