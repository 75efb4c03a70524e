import type { GuardExpr, NumberRef, ParamByRef, ValueRef } from './definition-schema';

/** What a path in a definition can read: `data.*`, `context.*`, `param.*`, `actor.*`, `item.*`, `now`. */
export interface Scope {
  data: Record<string, unknown>;
  context: Record<string, unknown>;
  param: Record<string, unknown>;
  actor: { userId: string; role: string } | undefined;
  /** Workflow time, epoch ms. */
  now: number;
  item?: unknown;
  /** The definition's named guards, for `{ pick: [{ when }] }` values. */
  guards?: Record<string, GuardExpr>;
  /** When a named delay would fall due now (epoch ms), for `{ dueAt }` values. */
  dueAt?: (delay: string, scope: Scope) => number | undefined;
}

export const PATH_ROOTS = ['data', 'context', 'param', 'actor', 'item', 'now'] as const;

/** Splits `context.a.b` into its root and the keys below it; returns null for a string that is no path. */
type ParsedPath = { root: (typeof PATH_ROOTS)[number]; keys: string[] } | null;

/** Paths already split: a definition reads the same few paths on every step. */
const parsedPaths = new Map<string, ParsedPath>();

export function parsePath(path: string): ParsedPath {
  let parsed = parsedPaths.get(path);
  if (parsed === undefined) {
    parsed = splitPath(path);
    if (parsedPaths.size < 10_000) parsedPaths.set(path, parsed);
  }
  return parsed;
}

function splitPath(path: string): ParsedPath {
  const [root, ...keys] = path.split('.');
  if (!root || !(PATH_ROOTS as readonly string[]).includes(root)) return null;
  if (root === 'now' && keys.length > 0) return null;
  // `item` alone is the item itself (a list of strings); other roots need a key.
  if (root !== 'now' && root !== 'item' && keys.length === 0) return null;
  return { root: root as (typeof PATH_ROOTS)[number], keys };
}

export function readPath(scope: Scope, path: string): unknown {
  const parsed = parsePath(path);
  if (!parsed) throw new Error(`"${path}" is not a path: start it with one of ${PATH_ROOTS.join(', ')}`);
  if (parsed.root === 'now') return new Date(scope.now).toISOString();
  let value: unknown = scope[parsed.root];
  for (const key of parsed.keys) {
    if (value === null || typeof value !== 'object') return undefined;
    if (!Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

export function resolveValue(scope: Scope, ref: ValueRef): unknown {
  if (typeof ref === 'string') return readPath(scope, ref);
  if (ref === null || typeof ref !== 'object') return ref;
  if ('value' in ref) return ref.value;
  if ('length' in ref) {
    const list = readPath(scope, ref.length);
    return Array.isArray(list) ? list.length : 0;
  }
  if ('paramBy' in ref) {
    const name = paramChosen(scope, ref);
    return name !== undefined && Object.hasOwn(scope.param, name) ? scope.param[name] : undefined;
  }
  if ('pick' in ref) {
    const picked: unknown[] = [];
    for (const entry of ref.pick) {
      if (entry.when !== undefined && !evaluateGuard(entry.when, scope, scope.guards ?? {})) continue;
      const value = resolveValue(scope, entry.value);
      if (value !== undefined && !picked.some((p) => deepEqual(p, value))) picked.push(value);
    }
    return picked;
  }
  const due = scope.dueAt?.(ref.dueAt, scope);
  return due === undefined ? undefined : new Date(due).toISOString();
}

/** The parameter a `{ paramBy, params }` chooses for the value its path holds now, if it names one. */
export function paramChosen(scope: Scope, ref: ParamByRef): string | undefined {
  const key = readPath(scope, ref.paramBy);
  if (typeof key !== 'string' && typeof key !== 'number' && typeof key !== 'boolean') return undefined;
  return Object.hasOwn(ref.params, String(key)) ? ref.params[String(key)] : undefined;
}

/** Replaces `{path}` in a text by the value the path reads (`{context.discountRate}`). */
export function renderTemplate(text: string, scope: Scope): string {
  return text.replace(/\{([A-Za-z_][A-Za-z0-9_.]*)\}/g, (whole, path: string) => {
    if (!parsePath(path)) return whole;
    const value = readPath(scope, path);
    if (value === undefined || value === null) return '—';
    return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
  });
}

/** Every path and delay a value reads, for the linter. */
export function valueRefPaths(ref: ValueRef): { paths: string[]; guards: GuardExpr[]; delays: string[] } {
  const out = { paths: [] as string[], guards: [] as GuardExpr[], delays: [] as string[] };
  const walk = (r: ValueRef) => {
    if (typeof r === 'string') out.paths.push(r);
    else if (r === null || typeof r !== 'object' || 'value' in r) return;
    else if ('length' in r) out.paths.push(r.length);
    else if ('paramBy' in r) out.paths.push(r.paramBy, ...Object.values(r.params).map((name) => `param.${name}`));
    else if ('pick' in r)
      r.pick.forEach((e) => {
        if (e.when !== undefined) out.guards.push(e.when);
        walk(e.value);
      });
    else out.delays.push(r.dueAt);
  };
  walk(ref);
  return out;
}

/**
 * The number a delay counts with: 0 when none is written, a literal, or a parameter's value. A parameter
 * chosen by a value of the case (`{ paramBy }`) is read in `scope`; undefined when the value chooses none
 * (or there is no scope): such a deadline is not armed.
 */
export function resolveNumber(params: Record<string, unknown>, ref: NumberRef | undefined, scope?: Scope): number | undefined {
  if (ref === undefined) return 0;
  if (typeof ref === 'number') return ref;
  let name: string;
  if ('paramBy' in ref) {
    const chosen = scope === undefined ? undefined : paramChosen(scope, ref);
    if (chosen === undefined) return undefined;
    name = chosen;
  } else name = ref.param;
  const value = Object.hasOwn(params, name) ? params[name] : undefined;
  if (typeof value !== 'number') throw new Error(`parameter "${name}" is not a number`);
  return value;
}

/** Reads a time: an ISO string or epoch ms; anything else is undefined. */
export function toInstant(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') {
    const t = Date.parse(value);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

function compare(a: unknown, b: unknown): number | undefined {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return undefined;
}

/** Evaluates a guard expression. Comparisons of missing or mismatched values are false. */
export function evaluateGuard(expr: GuardExpr, scope: Scope, named: Record<string, GuardExpr>, depth = 0): boolean {
  if (depth > 32) throw new Error('guards refer to each other in a cycle');
  const v = (ref: ValueRef) => resolveValue(scope, ref);
  if ('gt' in expr) return (compare(v(expr.gt[0]), v(expr.gt[1])) ?? NaN) > 0;
  if ('gte' in expr) return (compare(v(expr.gte[0]), v(expr.gte[1])) ?? NaN) >= 0;
  if ('lt' in expr) return (compare(v(expr.lt[0]), v(expr.lt[1])) ?? NaN) < 0;
  if ('lte' in expr) return (compare(v(expr.lte[0]), v(expr.lte[1])) ?? NaN) <= 0;
  if ('eq' in expr) return deepEqual(v(expr.eq[0]), v(expr.eq[1]));
  if ('neq' in expr) return !deepEqual(v(expr.neq[0]), v(expr.neq[1]));
  if ('before' in expr || 'after' in expr) {
    const [l, r] = 'before' in expr ? expr.before : expr.after;
    const a = toInstant(v(l));
    const b = toInstant(v(r));
    if (a === undefined || b === undefined) return false;
    return 'before' in expr ? a < b : a > b;
  }
  if ('truthy' in expr) {
    const value = v(expr.truthy);
    return Array.isArray(value) ? value.length > 0 : Boolean(value);
  }
  if ('includes' in expr) {
    const list = v(expr.includes[0]);
    const item = v(expr.includes[1]);
    return Array.isArray(list) && list.some((x) => deepEqual(x, item));
  }
  if ('some' in expr || 'every' in expr) {
    const { path, where } = 'some' in expr ? expr.some : expr.every;
    const list = readPath(scope, path);
    if (!Array.isArray(list)) return false;
    const test = (item: unknown) => evaluateGuard(where, { ...scope, item }, named, depth + 1);
    return 'some' in expr ? list.some(test) : list.every(test);
  }
  if ('and' in expr) return expr.and.every((g) => evaluateGuard(g, scope, named, depth + 1));
  if ('or' in expr) return expr.or.some((g) => evaluateGuard(g, scope, named, depth + 1));
  if ('not' in expr) return !evaluateGuard(expr.not, scope, named, depth + 1);
  const ref = named[expr.guard];
  if (!ref) throw new Error(`unknown guard "${expr.guard}"`);
  return evaluateGuard(ref, scope, named, depth + 1);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Every path a guard reads, for the linter. */
export function guardPaths(expr: GuardExpr): { paths: string[]; guards: string[] } {
  const paths: string[] = [];
  const guards: string[] = [];
  const addRef = (ref: ValueRef) => {
    const found = valueRefPaths(ref);
    paths.push(...found.paths);
    found.guards.forEach(walk);
  };
  function walk(e: GuardExpr) {
    for (const [op, arg] of Object.entries(e) as Array<[string, unknown]>) {
      if (op === 'guard') guards.push(arg as string);
      else if (op === 'and' || op === 'or') (arg as GuardExpr[]).forEach(walk);
      else if (op === 'not') walk(arg as GuardExpr);
      else if (op === 'some' || op === 'every') {
        const q = arg as { path: string; where: GuardExpr };
        paths.push(q.path);
        walk(q.where);
      } else if (op === 'truthy') addRef(arg as ValueRef);
      else (arg as ValueRef[]).forEach(addRef);
    }
  }
  walk(expr);
  return { paths, guards };
}
