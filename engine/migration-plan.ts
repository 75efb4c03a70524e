import type { AnyMachineSnapshot, StateValue } from 'xstate';
import { delayDueAt, parameterValues, type CompiledDefinition } from './compile';
import type { Definition, GuardExpr } from './definition-schema';
import { ancestry, outlineDefinition, type DefinitionOutline } from './definition-outline';
import { configsAlong } from './machine-walker';
import { guardPaths } from './expressions';
import { stateToString, type StepResult, type TimerSpec } from './step';
import type { CalendarData, CaseStatus, Deadline } from './types';
import { isObject } from './json-data';
import { ownValue } from './own';

/** What the planner needs to know about a running case. */
export interface MigrationCase {
  caseId: string;
  state: string;
  status: CaseStatus;
  context: Record<string, unknown>;
  definitionVersion: number;
  deadlines: Deadline[];
  /** When the case entered its current state (ISO); deadlines of a state it stays in count from then. */
  stateEnteredAt?: string;
}

export type MigrationBlockerCode =
  | 'CaseClosed'
  | 'SameVersion'
  | 'OtherProcess'
  | 'UnmappedState'
  | 'UnknownState'
  | 'NotALeafState'
  | 'FinalState'
  | 'MissingContext'
  | 'SubProcess';

export interface MigrationBlocker {
  code: MigrationBlockerCode;
  /** The state (of the case or of the mapping) it concerns. */
  state?: string;
  message: string;
}

export interface PlannedDeadline extends Deadline {
  /** True when the deadline has already passed: it fires right after the migration. */
  overdue: boolean;
}

export interface MigrationPlan {
  caseId: string;
  fromVersion: number;
  toVersion: number;
  fromState: string;
  /** The state the case will be in (comma-separated leaves for parallel regions). */
  toState: string;
  /** Each active leaf of the case and the state it maps to. */
  mapping: Record<string, string>;
  /** The deadlines now running, which the migration cancels. */
  cancelled: Deadline[];
  /** The deadlines of the target state, recomputed with the new version and the case's calendar. */
  deadlines: PlannedDeadline[];
  blockers: MigrationBlocker[];
  ok: boolean;
}

export interface MigrationPlanInput {
  from: Definition;
  to: Definition;
  /** The version number `to` is published as. */
  toVersion: number;
  case: MigrationCase;
  /** Explicit state mappings, old path → new path; a state not named here keeps its path when the new version has it. */
  mapping?: Record<string, string>;
  calendar: CalendarData;
  /** Workflow (or wall) time of the migration, epoch ms. */
  now: number;
}

/** XState's id of a state node: its own `id`, or the machine id (the process) and its path. */
function stateNodeId(def: Definition, path: string): string {
  const along = configsAlong(def.machine, path);
  const config = along.length === path.split('.').length + 1 ? along[along.length - 1] : undefined;
  const own = isObject(config) ? config.id : undefined;
  return typeof own === 'string' ? own : `${def.process}.${path}`;
}

/** `['analysis.reporting', 'x']` → `{ analysis: 'reporting', x: {} }`-like state value. */
export function stateValueOf(leaves: string[]): StateValue {
  if (leaves.length === 1 && !leaves[0]!.includes('.')) return leaves[0]!;
  // Without a prototype, a state named like an inherited member (`constructor`, `__proto__`) is an ordinary key.
  const root: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const leaf of leaves) {
    const parts = leaf.split('.');
    let node = root;
    parts.forEach((part, i) => {
      if (i === parts.length - 1) {
        if (!Object.hasOwn(node, part)) node[part] = Object.create(null);
      } else {
        if (!Object.hasOwn(node, part) || !isObject(node[part])) node[part] = Object.create(null);
        node = node[part] as Record<string, unknown>;
      }
    });
  }
  const collapse = (node: Record<string, unknown>): StateValue => {
    // fromEntries defines own keys: a state named `__proto__` stays a key instead of setting a prototype.
    return Object.fromEntries(
      Object.entries(node).map(([k, v]) => {
        const child = v as Record<string, unknown>;
        const keys = Object.keys(child);
        const value: StateValue =
          keys.length === 1 && Object.keys(child[keys[0]!] as object).length === 0 ? keys[0]! : keys.length === 0 ? {} : collapse(child);
        return [k, value];
      }),
    );
  };
  return collapse(root);
}

/** Context fields a definition may write or starts with. */
function knownContext(def: Definition): Set<string> {
  const known = new Set<string>(Object.keys(def.machine.context ?? {}));
  const props = isObject(def.input.properties) ? Object.keys(def.input.properties) : [];
  props.forEach((p) => known.add(p));
  for (const action of Object.values(def.actions)) {
    if (action.type === 'assign') Object.keys(action.set).forEach((k) => known.add(k));
    else if (action.type === 'increment' || action.type === 'append') known.add(action.path.split('.')[0]!);
  }
  return known;
}

function contextReads(def: Definition, guard: string, seen = new Set<string>()): string[] {
  if (seen.has(guard)) return [];
  seen.add(guard);
  const expr: GuardExpr | undefined = ownValue(def.guards, guard);
  if (!expr) return [];
  const { paths, guards } = guardPaths(expr);
  return [
    ...paths.filter((p) => p.startsWith('context.')).map((p) => p.split('.')[1]!),
    ...guards.flatMap((g) => contextReads(def, g, seen)),
  ];
}

function leafSuggestions(outline: DefinitionOutline, path: string): string {
  const leaves = [...outline.states.values()].filter((s) => s.path.startsWith(`${path}.`) && s.type === 'atomic').map((s) => s.path);
  return leaves.length ? `: map to one of ${leaves.join(', ')}` : '';
}

/**
 * Plans moving a running case to another version of its definition: the state
 * it lands in, the deadlines recomputed on the case's calendar, and what blocks
 * the move. Pure: the dry run and the workflow's check use the same function.
 */
export function planMigration(input: MigrationPlanInput): MigrationPlan {
  const { from, to, case: c, calendar, now } = input;
  const explicit = input.mapping ?? {};
  const blockers: MigrationBlocker[] = [];
  const oldOutline = outlineDefinition(from);
  const newOutline = outlineDefinition(to);

  if (c.status !== 'open')
    blockers.push({ code: 'CaseClosed', message: `case ${c.caseId} is finished (state "${c.state}"); only open cases are migrated` });
  if (to.process !== from.process) {
    blockers.push({
      code: 'OtherProcess',
      message: `version ${input.toVersion} is a definition of "${to.process}", not of "${from.process}"`,
    });
  }
  if (input.toVersion === c.definitionVersion) {
    blockers.push({ code: 'SameVersion', message: `case ${c.caseId} already runs on version ${input.toVersion}` });
  }
  for (const [oldState, newState] of Object.entries(explicit)) {
    if (!newOutline.states.has(newState) || newState === '') {
      const known = [...newOutline.states.values()].filter((s) => s.type === 'atomic').map((s) => s.path);
      blockers.push({
        code: 'UnknownState',
        state: newState,
        message: `--map ${oldState}=${newState}: version ${input.toVersion} has no state "${newState}"; its states are ${known.join(', ')}`,
      });
    }
  }

  const leaves = c.state ? c.state.split(',') : [];
  const mapping: Record<string, string> = {};
  const targets: string[] = [];
  for (const leaf of leaves) {
    for (const p of ancestry(leaf)) {
      if (oldOutline.states.get(p)?.invokes) {
        blockers.push({
          code: 'SubProcess',
          state: p,
          message: `a sub-process started in state "${p}" is in flight; wait until it finishes`,
        });
      }
    }
    const target = explicit[leaf] ?? leaf;
    const node = newOutline.states.get(target);
    if (!node) {
      if (explicit[leaf] === undefined) {
        blockers.push({
          code: 'UnmappedState',
          state: leaf,
          message: `the case is in "${leaf}", which version ${input.toVersion} removes: map it with --map ${leaf}=<state>`,
        });
      }
      continue;
    }
    if (node.type === 'final') {
      blockers.push({
        code: 'FinalState',
        state: target,
        message: `"${target}" is a final state: finish the case with an event instead of migrating it there`,
      });
      continue;
    }
    const invoking = ancestry(target).find((p) => newOutline.states.get(p)?.invokes);
    if (invoking !== undefined) {
      blockers.push({
        code: 'SubProcess',
        state: invoking,
        message: `"${invoking}" starts an automatic step or sub-processes when it is entered, which a migration does not do: map the case to a state before it`,
      });
      continue;
    }
    if (node.type !== 'atomic') {
      blockers.push({
        code: 'NotALeafState',
        state: target,
        message: `"${target}" is a ${node.type} state${leafSuggestions(newOutline, target)}`,
      });
      continue;
    }
    mapping[leaf] = target;
    targets.push(target);
  }

  // Context the new version's conditions read on the way out of the target state, that cases of the old version never have.
  const oldKnown = knownContext(from);
  const seenMissing = new Set<string>();
  for (const target of targets) {
    const sources = new Set(['', ...ancestry(target)]);
    for (const t of newOutline.transitions) {
      if (!sources.has(t.source) || t.guard === undefined) continue;
      for (const field of contextReads(to, t.guard)) {
        if (Object.hasOwn(c.context, field) || oldKnown.has(field) || seenMissing.has(field)) continue;
        seenMissing.add(field);
        blockers.push({
          code: 'MissingContext',
          state: target,
          message: `version ${input.toVersion} decides ${t.name ?? 'a transition'} in "${target}" on context.${field} (condition ${t.guard}), which this case does not have`,
        });
      }
    }
  }

  // Deadlines of the target states (and their parents), counted from when the case entered a state it stays in, else from now.
  const deadlines: PlannedDeadline[] = [];
  const params = parameterValues(to);
  const entered = c.stateEnteredAt ? Date.parse(c.stateEnteredAt) : NaN;
  const armed = new Set<string>();
  for (const target of targets) {
    const stays = Object.entries(mapping).some(([o, n]) => o === target && n === target);
    const base = stays && Number.isFinite(entered) ? entered : now;
    for (const path of ancestry(target)) {
      for (const t of newOutline.states.get(path)?.transitions ?? []) {
        if (t.trigger !== 'after' || t.name === null) continue;
        const id = `xstate.after.${t.name}.${stateNodeId(to, path)}`;
        const spec = ownValue(to.delays, t.name);
        if (!spec || armed.has(id)) continue;
        armed.add(id);
        const due = delayDueAt(spec, { data: {}, context: c.context, param: params, actor: undefined, now: base }, params, calendar);
        if (due === undefined) continue;
        deadlines.push({ id, delay: t.name, state: path, dueAt: new Date(due).toISOString(), overdue: due <= now });
      }
    }
  }

  return {
    caseId: c.caseId,
    fromVersion: c.definitionVersion,
    toVersion: input.toVersion,
    fromState: c.state,
    toState: targets.join(','),
    mapping,
    cancelled: c.deadlines,
    deadlines,
    blockers,
    ok: blockers.length === 0,
  };
}

/** The timers the workflow arms for a plan's deadlines. */
export function plannedTimers(plan: MigrationPlan): TimerSpec[] {
  return plan.deadlines.map(({ overdue: _overdue, ...d }) => ({ ...d, event: { type: d.id } }));
}

/** The step a migration makes: the case's context in the target state of the new machine, with the new deadlines. */
export function migrationStep(compiled: CompiledDefinition, context: Record<string, unknown>, plan: MigrationPlan): StepResult {
  const snapshot = compiled.machine.resolveState({ value: stateValueOf(plan.toState.split(',')), context }) as AnyMachineSnapshot;
  return {
    snapshot,
    state: stateToString(snapshot.value),
    status: 'open',
    notifications: [],
    startTimers: plannedTimers(plan),
    cancelTimers: [],
    invocations: [],
    stopped: [],
    changed: true,
  };
}
