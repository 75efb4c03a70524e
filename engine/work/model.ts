/**
 * People's work as data in a case's context: the `$work` bookkeeping (initiator, cc'd users, each
 * open task's reminder time and approval steps), who a task's candidates, assignee and current
 * approvers are, and the arithmetic of approval steps. Pure functions of the context.
 */
import { eventScope, type CompiledDefinition } from '../compile';
import { humanTaskWithDefaults } from '../definition-defaults';
import type { Definition, HumanTaskSpec } from '../definition-schema';
import { readPath, resolveValue } from '../expressions';
import { isObject } from '../json-data';
import { ownValue } from '../own';
import type { Actor } from '../types';
import { WORK_KEY, type ApprovalDecision, type ApprovalStepView, type ApproverRef, type TaskOperation } from '../work-types';

/** What the work rules read of a compiled definition (the machine's guards read it before the machine exists). */
export type WorkEnv = Pick<CompiledDefinition, 'definition' | 'calendar' | 'params' | 'clock'>;

/** The reserved context key of the bookkeeping. */
export { WORK_KEY };

/** One open task's bookkeeping. */
export interface WorkTaskState {
  /** When the task was last reminded (ISO). */
  remindedAt?: string;
  approval?: { steps: ApprovalStepView[]; current: number };
}

/** The `$work` value in a case's context. */
export interface WorkState {
  initiator: string | null;
  cc: string[];
  tasks: Record<string, WorkTaskState>;
}

/** Whether a definition declares people's work (only then does its context carry `$work`). */
export function declaresWork(definition: Definition): boolean {
  return definition.humanTasks !== undefined || definition.withdrawal !== undefined;
}

/** The `$work` of a context (empty when it has none). */
export function readWork(context: Record<string, unknown>): WorkState {
  const w = context[WORK_KEY];
  if (!isObject(w)) return { initiator: null, cc: [], tasks: {} };
  return {
    initiator: typeof w.initiator === 'string' ? w.initiator : null,
    cc: Array.isArray(w.cc) ? w.cc.filter((u): u is string => typeof u === 'string') : [],
    tasks: isObject(w.tasks) ? (w.tasks as Record<string, WorkTaskState>) : {},
  };
}

/** The initial `$work` of a case started by `initiator`. */
export function initialWork(initiator: string | null): WorkState {
  return { initiator, cc: [], tasks: {} };
}

const normalized = new WeakMap<Definition, Record<string, HumanTaskSpec>>();

/**
 * The human tasks of a definition with their defaults filled in. A pinned definition reaches the
 * workflow as it was stored, not as zod parsed it, so the defaults are applied here (once per definition).
 */
export function humanTasksOf(definition: Definition): Record<string, HumanTaskSpec> {
  let tasks = normalized.get(definition);
  if (tasks === undefined) {
    tasks = {};
    for (const [state, spec] of Object.entries(definition.humanTasks ?? {})) tasks[state] = humanTaskWithDefaults(spec);
    normalized.set(definition, tasks);
  }
  return tasks;
}

/** The human task declared for a state path, if any. */
export function taskSpec(definition: Definition, state: string): HumanTaskSpec | undefined {
  return ownValue(humanTasksOf(definition), state);
}

/** The context key a task's assignee is written to (`context.handler` → `handler`). */
export function assigneeKey(spec: HumanTaskSpec): string | undefined {
  return spec.assignee?.slice('context.'.length);
}

export function assigneeOf(spec: HumanTaskSpec, context: Record<string, unknown>): string | null {
  const key = assigneeKey(spec);
  const value = key === undefined ? undefined : context[key];
  return typeof value === 'string' && value !== '' ? value : null;
}

/** Whether candidates may claim and release the task, and whether the assignee may transfer it. */
export const claimAllowed = (spec: HumanTaskSpec): boolean => spec.assignee !== undefined && (spec.claim ?? true);
export const transferAllowed = (spec: HumanTaskSpec): boolean => spec.assignee !== undefined && (spec.transfer ?? true);

/** Whether the actor is the user `id` (themselves or as their delegate). */
export const isUser = (actor: Actor, id: string | null | undefined): boolean =>
  id !== null && id !== undefined && (actor.userId === id || actor.onBehalfOf === id);

const strings = (v: unknown): string[] =>
  (Array.isArray(v) ? v : [v]).flatMap((x) =>
    typeof x === 'string' && x !== '' ? [x] : isObject(x) && typeof x.user === 'string' ? [x.user] : [],
  );

/** The task's candidates, read from the case now. */
export function candidatesOf(
  compiled: WorkEnv,
  spec: HumanTaskSpec,
  context: Record<string, unknown>,
): { roles: string[]; users: string[] } {
  const scope = eventScope(compiled.definition, compiled.calendar, context, undefined, compiled.params, compiled.clock.now);
  const roles = new Set<string>();
  const users = new Set<string>();
  for (const c of spec.candidates) {
    if ('role' in c) roles.add(c.role);
    else if ('roleFrom' in c) strings(readPath(scope, c.roleFrom)).forEach((r) => roles.add(r));
    else if ('user' in c) strings(readPath(scope, c.user)).forEach((u) => users.add(u));
    else strings(readPath(scope, c.usersFrom)).forEach((u) => users.add(u));
  }
  return { roles: [...roles], users: [...users] };
}

export function isCandidate(compiled: WorkEnv, spec: HumanTaskSpec, context: Record<string, unknown>, actor: Actor): boolean {
  const { roles, users } = candidatesOf(compiled, spec, context);
  return roles.includes(actor.role) || users.some((u) => isUser(actor, u));
}

/** The approvers a definition's `approvers` list names, read from the case now. */
export function approverRefs(compiled: WorkEnv, spec: HumanTaskSpec, context: Record<string, unknown>): ApproverRef[] {
  if (!spec.approval) return [];
  const scope = eventScope(compiled.definition, compiled.calendar, context, undefined, compiled.params, compiled.clock.now);
  const value = resolveValue(scope, spec.approval.approvers);
  const refs: ApproverRef[] = [];
  for (const item of Array.isArray(value) ? value : value === undefined || value === null ? [] : [value]) {
    if (typeof item === 'string' && item !== '') refs.push({ role: item });
    else if (isObject(item) && typeof item.user === 'string') refs.push({ user: item.user });
    else if (isObject(item) && typeof item.role === 'string') refs.push({ role: item.role });
  }
  return refs;
}

/** The steps of an approval as it is entered: one per approver in sequence, else one step of all of them. */
export function approvalSteps(mode: 'sequence' | 'all' | 'any', refs: ApproverRef[]): ApprovalStepView[] {
  if (mode === 'sequence') return refs.map((r) => ({ members: [r], mode: 'all', approved: [] }));
  return [{ members: refs, mode, approved: [] }];
}

const sameRef = (a: ApproverRef, b: ApproverRef): boolean =>
  'user' in a ? 'user' in b && a.user === b.user : 'role' in b && a.role === b.role;

/** Whether a member of a step is matched by an actor: a user by id (or delegate), a role by the actor's role. */
export const matchesMember = (member: ApproverRef, actor: Actor): boolean =>
  'user' in member ? isUser(actor, member.user) : actor.role === member.role;

/** Whether a decision settles a member's part (a user's own decision, or anyone's in the role). */
const covers = (d: ApprovalDecision, member: ApproverRef): boolean =>
  'user' in member ? d.userId === member.user || d.onBehalfOf === member.user : d.role === member.role;

export const stepComplete = (s: ApprovalStepView): boolean =>
  s.mode === 'any' ? s.approved.length > 0 : s.members.every((m) => s.approved.some((d) => covers(d, m)));

/** The members of a step still to approve. */
export const pendingMembers = (s: ApprovalStepView): ApproverRef[] =>
  stepComplete(s) ? [] : s.members.filter((m) => !s.approved.some((d) => covers(d, m)));

/** Whether the actor may approve in the step now: a member still to decide, who has not approved in it already. */
export function mayApprove(s: ApprovalStepView | undefined, actor: Actor): boolean {
  if (s === undefined) return false;
  if (s.approved.some((d) => d.userId === actor.userId && d.onBehalfOf === actor.onBehalfOf)) return false;
  return pendingMembers(s).some((m) => matchesMember(m, actor));
}

/** The approval after the actor's approval: the decision recorded, and the next step current once this one is complete. */
export function recordApproval(
  approval: NonNullable<WorkTaskState['approval']>,
  decision: ApprovalDecision,
): NonNullable<WorkTaskState['approval']> {
  const steps = approval.steps.map((s, i) => (i === approval.current ? { ...s, approved: [...s.approved, decision] } : s));
  const done = steps[approval.current] !== undefined && stepComplete(steps[approval.current]!);
  return { steps, current: done ? approval.current + 1 : approval.current };
}

/** Whether every step of an approval is complete. */
export const approvalFinished = (approval: NonNullable<WorkTaskState['approval']>): boolean => approval.current >= approval.steps.length;

/** The approval with an approver added before, after or beside the current step. */
export function addApprover(
  approval: NonNullable<WorkTaskState['approval']>,
  approver: ApproverRef,
  position: 'before' | 'after' | 'parallel',
): NonNullable<WorkTaskState['approval']> {
  const { steps, current } = approval;
  const own: ApprovalStepView = { members: [approver], mode: 'all', approved: [] };
  if (position === 'before') return { steps: [...steps.slice(0, current), own, ...steps.slice(current)], current };
  if (position === 'after') return { steps: [...steps.slice(0, current + 1), own, ...steps.slice(current + 1)], current };
  return {
    steps: steps.map((s, i) => (i === current ? { ...s, members: [...s.members, approver], mode: 'all' } : s)),
    current,
  };
}

export const hasMember = (s: ApprovalStepView | undefined, r: ApproverRef): boolean => s?.members.some((m) => sameRef(m, r)) ?? false;

/** The operations a definition allows on a task (who may perform each is checked per request). */
export function taskOperations(definition: Definition, state: string, spec: HumanTaskSpec): TaskOperation[] {
  const ops: TaskOperation[] = [];
  if (claimAllowed(spec)) ops.push('task.claim', 'task.release');
  if (transferAllowed(spec)) ops.push('task.transfer');
  if (spec.assignee !== undefined && (definition.taskManagers ?? []).length > 0) ops.push('task.reassign');
  if (spec.approval && spec.approval.addApprover.length > 0) ops.push('task.addApprover');
  if (spec.returnTo.length > 0) ops.push('task.return');
  ops.push('task.remind', 'task.cc');
  if (withdrawableFrom(definition, state)) ops.push('task.withdraw');
  return ops;
}

/** Whether the initiator may withdraw a case in `state` (it is, or lies within, one of `withdrawal.from`). */
export function withdrawableFrom(definition: Definition, state: string): boolean {
  return (definition.withdrawal?.from ?? []).some((f) => state === f || state.startsWith(`${f}.`));
}
