/**
 * The roles that can act on a case now (`actionableRoles`): a role can act when one of its declared
 * events is accepted in the current state and the guards in the way may pass on the case's data. The
 * inbox's `actionable` view reads this from the case row instead of guessing from the state alone.
 *
 * Guards are evaluated as the engine evaluates them (`evaluateGuard` of ./expressions.ts, on the
 * case's context and the definition's parameters), in three values: what reads only the context,
 * the parameters and the acting role is decided now; what reads the event's payload (`data.*`), who
 * acts (`actor.userId`, …), the time (`now`, `{ dueAt }`) or people's work (`$work.*` guards: the
 * assignee, whose turn it is) cannot be, and counts as possibly passing. So a role is left out only
 * when none of its events can be taken, whoever sends it with whatever payload.
 */
import type { AnyMachineSnapshot, AnyStateNode, StateValue } from 'xstate';
import type { CompiledDefinition } from './compile';
import type { GuardExpr, ValueRef } from './definition-schema';
import { evaluateGuard, guardPaths, parsePath, readPath, valueRefPaths, type Scope } from './expressions';
import { WORK_PREFIX } from './work/machine';

/** A guard's value: true, false, or undefined when it cannot be known before the event is sent. */
type Maybe = boolean | undefined;

const and = (values: Maybe[]): Maybe => (values.includes(false) ? false : values.includes(undefined) ? undefined : true);
const or = (values: Maybe[]): Maybe => (values.includes(true) ? true : values.includes(undefined) ? undefined : false);

/** A path the role's inbox can read now: the context, the parameters, an item of a list, the acting role. */
function decidedPath(path: string): boolean {
  const parsed = parsePath(path);
  if (parsed === null) return false;
  if (parsed.root === 'actor') return parsed.keys.length === 1 && parsed.keys[0] === 'role';
  return parsed.root === 'context' || parsed.root === 'param' || parsed.root === 'item';
}

/** Whether a guard reads only decided paths (through the named guards it refers to). */
function decidedGuard(expr: GuardExpr, named: Record<string, GuardExpr>, seen = new Set<string>()): boolean {
  const { paths, guards } = guardPaths(expr);
  if (!paths.every(decidedPath)) return false;
  return guards.every((name) => {
    if (seen.has(name)) return true;
    seen.add(name);
    const ref = Object.hasOwn(named, name) ? named[name] : undefined;
    return ref !== undefined && decidedGuard(ref, named, seen);
  });
}

/** Whether a value reads only decided paths (no payload, actor, time or due date). */
function decidedValue(ref: ValueRef, named: Record<string, GuardExpr>): boolean {
  const { paths, guards, delays } = valueRefPaths(ref);
  return delays.length === 0 && paths.every(decidedPath) && guards.every((g) => decidedGuard(g, named));
}

/** The values a comparison reads. */
function operands(expr: GuardExpr): ValueRef[] {
  if ('truthy' in expr) return [expr.truthy];
  for (const op of ['gt', 'gte', 'lt', 'lte', 'eq', 'neq', 'before', 'after', 'includes'] as const) {
    if (op in expr) return (expr as Partial<Record<typeof op, ValueRef[]>>)[op] ?? [];
  }
  return [];
}

/** A guard expression in three values; comparisons of decided values are the engine's own. */
function guardValue(expr: GuardExpr, scope: Scope, named: Record<string, GuardExpr>, depth = 0): Maybe {
  if (depth > 32) return undefined; // a cycle: the engine refuses it when it evaluates the guard
  if ('and' in expr) return and(expr.and.map((g) => guardValue(g, scope, named, depth + 1)));
  if ('or' in expr) return or(expr.or.map((g) => guardValue(g, scope, named, depth + 1)));
  if ('not' in expr) {
    const v = guardValue(expr.not, scope, named, depth + 1);
    return v === undefined ? undefined : !v;
  }
  if ('guard' in expr) {
    const ref = Object.hasOwn(named, expr.guard) ? named[expr.guard] : undefined;
    return ref === undefined ? undefined : guardValue(ref, scope, named, depth + 1);
  }
  if ('some' in expr || 'every' in expr) {
    const { path, where } = 'some' in expr ? expr.some : expr.every;
    if (!decidedPath(path)) return undefined;
    const list = readPath(scope, path);
    if (!Array.isArray(list)) return false;
    const each = list.map((item) => guardValue(where, { ...scope, item }, named, depth + 1));
    return 'some' in expr ? or(each) : and(each);
  }
  if (!operands(expr).every((ref) => decidedValue(ref, named))) return undefined;
  return evaluateGuard(expr, scope, named, depth);
}

/** A transition's guard for `role`: a definition's named guard in three values; anything else (`$work.*`) is undecided. */
function transitionGuard(guard: unknown, compiled: CompiledDefinition, scope: Scope): Maybe {
  if (guard === undefined || guard === null) return true;
  const name = typeof guard === 'string' ? guard : (guard as { type?: unknown }).type;
  if (typeof name !== 'string' || name.startsWith(WORK_PREFIX)) return undefined;
  const named = compiled.definition.guards;
  return Object.hasOwn(named, name) ? guardValue({ guard: name }, scope, named) : undefined;
}

/** What one node may do with an event: take a transition that does something, or pass it to its parent. */
interface Outcome {
  acts: boolean;
  passes: boolean;
}

type Transition = { guard?: unknown; target?: unknown; actions: readonly unknown[] };

/** XState's choice in one node: the first candidate whose guard passes (a transition with no target and no actions forbids the event). */
function nodeOutcome(node: AnyStateNode, event: string, compiled: CompiledDefinition, scope: Scope): Outcome {
  const candidates = (node.transitions.get(event) ?? []) as Transition[];
  let acts = false;
  for (const t of candidates) {
    const passes = transitionGuard(t.guard, compiled, scope);
    if (passes === false) continue;
    const does = t.target !== undefined || t.actions.length > 0;
    if (does) acts = true;
    if (passes === true) return { acts, passes: false };
  }
  return { acts, passes: true };
}

/** As XState's transition selection from a node down its active value: the deepest node first, then its ancestors. */
function subtreeOutcome(node: AnyStateNode, value: StateValue, event: string, compiled: CompiledDefinition, scope: Scope): Outcome {
  let inner: Outcome;
  if (typeof value === 'string') {
    const child = node.states[value];
    inner = child ? nodeOutcome(child, event, compiled, scope) : { acts: false, passes: true };
  } else {
    const regions = Object.entries(value)
      .filter(([key, sub]) => sub !== undefined && node.states[key] !== undefined)
      .map(([key, sub]) => subtreeOutcome(node.states[key]!, sub as StateValue, event, compiled, scope));
    inner = { acts: regions.some((r) => r.acts), passes: regions.every((r) => r.passes) };
  }
  if (!inner.passes) return inner;
  const own = nodeOutcome(node, event, compiled, scope);
  return { acts: inner.acts || own.acts, passes: own.passes };
}

/**
 * The roles that may act on the case now, sorted: those of the declared events its current state
 * accepts whose guards may pass (decided on the case's data where they read only that; see above).
 * Pure and deterministic; empty for a finished case.
 */
export function actionableRoles(compiled: CompiledDefinition, snapshot: AnyMachineSnapshot): string[] {
  if (snapshot.status !== 'active') return [];
  const { definition } = compiled;
  const context = snapshot.context as Record<string, unknown>;
  const roles = new Set<string>();
  for (const [event, spec] of Object.entries(definition.events)) {
    for (const role of spec.roles) {
      if (roles.has(role)) continue;
      const scope: Scope = {
        data: {},
        context,
        param: compiled.params,
        actor: { userId: '', role },
        now: compiled.clock.now,
        guards: definition.guards,
      };
      if (subtreeOutcome(compiled.machine.root, snapshot.value, event, compiled, scope).acts) roles.add(role);
    }
  }
  return [...roles].sort();
}
