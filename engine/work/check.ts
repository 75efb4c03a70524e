/**
 * The work rules: who may perform a task operation now, and who may send a definition's event in a
 * state that waits on a person (its assignee, the approvers whose turn it is). Pure functions of the
 * context; the validator and the machine's own guards both ask them, so what one refuses the other never applies.
 */
import { refusal, type Refusal } from '../refusals';
import { ROLE_NAMES, SYSTEM_ROLE } from '../roles';
import type { Actor } from '../types';
import type { ApproverRef, TaskOperation } from '../work-types';
import {
  assigneeOf,
  candidatesOf,
  claimAllowed,
  hasMember,
  isCandidate,
  isUser,
  matchesMember,
  mayApprove,
  pendingMembers,
  readWork,
  taskSpec,
  transferAllowed,
  withdrawableFrom,
  type WorkEnv,
} from './model';
import type { AnyTaskData } from './schemas';

/** Where a case stands, as the work rules read it. */
export interface WorkSituation {
  context: Record<string, unknown>;
  /** The active leaf states. */
  active: string[];
  /** Whether the actor may send one of the events the case accepts now (for `task.cc`); undefined when not known (inside the machine). */
  actsNow?: boolean;
}

/** How refusals name people: user ids quoted, roles by name. */
export const describeRefs = (refs: ApproverRef[]): string =>
  refs.map((r) => ('user' in r ? `user "${r.user}"` : `role ${r.role}`)).join(', ') || 'no one';

const describeCandidates = (c: { roles: string[]; users: string[] }): string =>
  describeRefs([...c.roles.map((role) => ({ role })), ...c.users.map((user) => ({ user }))]);

const DEFAULT_REMIND_MINUTES = 60;

/** The open tasks among the active states. */
export const openTasks = (env: WorkEnv, active: string[]): string[] => active.filter((s) => taskSpec(env.definition, s) !== undefined);

/** Why the actor may not perform the operation now, or null when they may. `data` has passed its schema. */
export function taskOperationRefusal(
  env: WorkEnv,
  at: WorkSituation,
  op: TaskOperation,
  data: AnyTaskData,
  actor: Actor,
  now: number,
): Refusal | null {
  const def = env.definition;
  const work = readWork(at.context);
  const managers = def.taskManagers ?? [];
  const isManager = managers.includes(actor.role);
  const isInitiator = isUser(actor, work.initiator);
  const open = openTasks(env, at.active);
  if (op === 'task.cc') {
    if (at.actsNow === undefined || at.actsNow || isInitiator || isManager) return null;
    const involved = open.some((s) => {
      const spec = taskSpec(def, s)!;
      const step = work.tasks[s]?.approval?.steps[work.tasks[s].approval.current];
      return (
        isUser(actor, assigneeOf(spec, at.context)) ||
        isCandidate(env, spec, at.context, actor) ||
        (step?.members ?? []).some((m) => matchesMember(m, actor))
      );
    });
    return involved
      ? null
      : refusal(
          'OperationNotAllowed',
          `only the initiator, a task manager (${managers.join(', ') || 'none'}) or someone who may act on the case now may cc it`,
        );
  }
  if (op === 'task.withdraw') {
    if (!def.withdrawal)
      return refusal('OperationNotAllowed', `a ${def.process} case cannot be withdrawn: the definition does not allow it`);
    if (!isInitiator)
      return refusal('OperationNotAllowed', `only the case's initiator (user "${work.initiator ?? 'unknown'}") may withdraw it`);
    if (!at.active.some((s) => withdrawableFrom(def, s)))
      return refusal(
        'OperationNotAllowed',
        `the case can be withdrawn only from ${def.withdrawal.from.map((s) => `"${s}"`).join(', ')}; it is in "${at.active.join(',')}"`,
      );
    return null;
  }
  if (data.state !== undefined && !open.includes(data.state))
    return refusal('OperationNotAllowed', `there is no open task in state "${data.state}"; open tasks: ${open.join(', ') || 'none'}`);
  const state = data.state ?? open[0];
  if (state === undefined)
    return refusal('OperationNotAllowed', `${op} needs an open task, and the case waits on no one in "${at.active.join(',')}"`);
  const spec = taskSpec(def, state)!;
  const assignee = assigneeOf(spec, at.context);
  const approval = work.tasks[state]?.approval;
  const step = approval?.steps[approval.current];
  const notHere = (what: string) => refusal('OperationNotAllowed', `the task "${state}" ${what}: the definition does not allow it`);
  const onlyAssignee = () =>
    refusal(
      'OperationNotAllowed',
      `only the task's assignee${assignee ? ` (user "${assignee}")` : ''} may ${op.slice(5)} the task "${state}"${assignee ? '' : ', and no one has claimed it'}`,
    );
  switch (op) {
    case 'task.claim': {
      if (!claimAllowed(spec)) return notHere('cannot be claimed');
      if (assignee !== null)
        return refusal(
          'OperationNotAllowed',
          `the task "${state}" is already assigned to user "${assignee}": they may transfer it, or a task manager (${managers.join(', ') || 'none'}) may reassign it`,
        );
      if (!isCandidate(env, spec, at.context, actor))
        return refusal(
          'OperationNotAllowed',
          `only the task's candidates may claim "${state}": ${describeCandidates(candidatesOf(env, spec, at.context))}`,
        );
      return null;
    }
    case 'task.release':
      if (!claimAllowed(spec)) return notHere('cannot be released');
      return isUser(actor, assignee) ? null : onlyAssignee();
    case 'task.transfer':
      if (!transferAllowed(spec)) return notHere('cannot be transferred');
      if (!isUser(actor, assignee)) return onlyAssignee();
      return data.to === assignee ? refusal('OperationNotAllowed', `the task "${state}" is already assigned to user "${data.to}"`) : null;
    case 'task.reassign':
      if (spec.assignee === undefined || managers.length === 0) return notHere('cannot be reassigned');
      // Docket itself reassigns on a decision made and audited elsewhere (a handover of a leaving rep's customers).
      if (!isManager && actor.role !== SYSTEM_ROLE)
        return refusal('OperationNotAllowed', `only a task manager (${managers.join(', ')}) may reassign the task "${state}"`);
      return data.to === assignee ? refusal('OperationNotAllowed', `the task "${state}" is already assigned to user "${data.to}"`) : null;
    case 'task.addApprover': {
      const positions = spec.approval?.addApprover ?? [];
      if (!positions.includes(data.position!))
        return notHere(positions.length ? `takes added approvers only ${positions.join(', ')}` : 'takes no added approvers');
      if (!mayApprove(step, actor))
        return refusal(
          'OperationNotAllowed',
          `only a current approver of "${state}" may add an approver; it is the turn of ${describeRefs(step ? pendingMembers(step) : [])}`,
        );
      const added = data.approver!;
      if ('role' in added && !ROLE_NAMES.includes(added.role))
        return refusal('ValidationError', `unknown role "${added.role}"; the roles are ${ROLE_NAMES.join(', ')}`);
      if (data.position === 'parallel' && hasMember(step, added))
        return refusal('OperationNotAllowed', `${describeRefs([added])} already approves in the current step of "${state}"`);
      return null;
    }
    case 'task.return': {
      if (!spec.returnTo.includes(data.to!))
        return spec.returnTo.length
          ? refusal('OperationNotAllowed', `the task "${state}" may return only to ${spec.returnTo.map((s) => `"${s}"`).join(', ')}`)
          : notHere('cannot be returned');
      const may = spec.approval
        ? (step?.members ?? []).some((m) => matchesMember(m, actor))
        : spec.assignee !== undefined
          ? isUser(actor, assignee)
          : isCandidate(env, spec, at.context, actor);
      if (may) return null;
      if (spec.approval)
        return refusal('OperationNotAllowed', `only a current approver (${describeRefs(step?.members ?? [])}) may return "${state}"`);
      if (spec.assignee !== undefined) return onlyAssignee();
      return refusal(
        'OperationNotAllowed',
        `only the task's candidates may return "${state}": ${describeCandidates(candidatesOf(env, spec, at.context))}`,
      );
    }
    case 'task.remind': {
      if (!isInitiator && !isManager)
        return refusal(
          'OperationNotAllowed',
          `only the case's initiator (user "${work.initiator ?? 'unknown'}") or a task manager (${managers.join(', ') || 'none'}) may remind`,
        );
      const last = work.tasks[state]?.remindedAt;
      const interval = (def.remindIntervalMinutes ?? DEFAULT_REMIND_MINUTES) * 60_000;
      if (last !== undefined && Date.parse(last) + interval > now)
        return refusal(
          'TooSoon',
          `the task "${state}" was reminded at ${last}; remind again from ${new Date(Date.parse(last) + interval).toISOString()} (once per ${interval / 60_000} minutes)`,
        );
      return null;
    }
    default:
      return refusal('OperationNotAllowed', `${op} is not an operation of a task`);
  }
}

/**
 * Why the actor may not send a definition's event in the task `state` (one the state handles), or
 * null: approvals go by turn, and an assignee-only task takes its events from its assignee alone.
 */
export function eventRefusal(env: WorkEnv, context: Record<string, unknown>, state: string, type: string, actor: Actor): Refusal | null {
  const spec = taskSpec(env.definition, state);
  if (spec === undefined) return null;
  if (spec.approval && (type === spec.approval.approve || type === spec.approval.reject)) {
    const approval = readWork(context).tasks[state]?.approval;
    const step = approval?.steps[approval.current];
    const turn = step ? pendingMembers(step) : [];
    if (type === spec.approval.approve ? mayApprove(step, actor) : turn.some((m) => matchesMember(m, actor))) return null;
    return refusal(
      'NotYourTurn',
      `${type} in "${state}" is for the approvers whose turn it is: ${describeRefs(turn)}${step?.approved.some((d) => d.userId === actor.userId) ? ` (user "${actor.userId}" has approved this step already)` : ''}`,
    );
  }
  if (!spec.assigneeOnly || spec.openEvents.includes(type)) return null;
  const assignee = assigneeOf(spec, context);
  if (assignee === null) {
    const c = candidatesOf(env, spec, context);
    return refusal(
      'NotAssignee',
      `${type} in "${state}" is for the task's assignee, and no one has claimed it: claim it first (task.claim) as one of ${describeCandidates(c)}`,
    );
  }
  return isUser(actor, assignee)
    ? null
    : refusal('NotAssignee', `only the task's assignee, user "${assignee}" (or their delegate), may send ${type} in "${state}"`);
}
