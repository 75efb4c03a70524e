/**
 * What a case waits on, person by person (`workView`), the checks of a task operation sent as an
 * event (`checkTaskOperation`), the operations an actor may perform now, and the notifications a
 * remind or a cc raises.
 */
import { getNextTransitions, type AnyMachineSnapshot } from 'xstate';
import type { CompiledDefinition } from '../compile';
import { describeIssues, refusal, toIssues, type Refusal } from '../refusals';
import { stateToString, type NotificationDraft } from '../step';
import type { Actor } from '../types';
import { TASK_OPERATIONS, type TaskOperation, type TaskView, type WorkView } from '../work-types';
import { eventRefusal, openTasks, taskOperationRefusal, type WorkSituation } from './check';
import { assigneeOf, candidatesOf, declaresWork, pendingMembers, readWork, taskOperations, taskSpec } from './model';
import { taskOperationSchemas, type AnyTaskData } from './schemas';

/** The active leaf states of a snapshot, from its dotted state string (`a.b,c.d`). */
const activeStates = (state: string): string[] => state.split(',');

/**
 * What a case waits on now: its open tasks, its initiator and who is cc'd. Empty for a definition without people's work.
 * `now` is workflow time; without it, the time of the step or check that just ran.
 */
export function workView(compiled: CompiledDefinition, snapshot: AnyMachineSnapshot, now?: number): WorkView {
  if (now !== undefined) compiled.clock.now = now;
  const state = stateToString(snapshot.value);
  const context = snapshot.context as Record<string, unknown>;
  const work = readWork(context);
  if (!declaresWork(compiled.definition)) return { tasks: [], initiator: null, cc: [] };
  const tasks: TaskView[] =
    snapshot.status !== 'active'
      ? []
      : openTasks(compiled, activeStates(state)).map((s) => {
          const spec = taskSpec(compiled.definition, s)!;
          const approval = work.tasks[s]?.approval;
          return {
            state: s,
            ...(spec.labels && { labels: spec.labels }),
            assignee: assigneeOf(spec, context),
            candidates: candidatesOf(compiled, spec, context),
            assigneeOnly: spec.assigneeOnly,
            ...(spec.approval && approval && { approval: { mode: spec.approval.mode, steps: approval.steps, current: approval.current } }),
            operations: taskOperations(compiled.definition, s, spec),
          };
        });
  return { tasks, initiator: work.initiator, cc: work.cc };
}

/**
 * Checks a task operation sent as an event: the actor, the data (its zod schema), that the case is
 * open, and the work rules. `actsNow` says whether the actor may send one of the events the case accepts now.
 */
export function checkTaskOperation(
  compiled: CompiledDefinition,
  snapshot: AnyMachineSnapshot,
  state: string,
  event: { type: TaskOperation; data?: unknown; actor: Actor },
  actsNow: boolean,
  now: number,
): Refusal | null {
  const parsed = taskOperationSchemas[event.type].safeParse(event.data ?? {});
  if (!parsed.success) {
    const issues = toIssues(parsed.error.issues, 'data');
    return refusal('ValidationError', `the data of ${event.type} is invalid: ${describeIssues(issues)}`, issues);
  }
  if (snapshot.status !== 'active') return refusal('CaseClosed', `the case is finished (state "${state}") and accepts no more events`);
  const at: WorkSituation = { context: snapshot.context as Record<string, unknown>, active: activeStates(state), actsNow };
  compiled.clock.now = now;
  return taskOperationRefusal(compiled, at, event.type, parsed.data, event.actor, now);
}

/** Why the actor may not send a definition's event to the open tasks that handle it (turn, assignee), or null. */
export function workEventRefusal(
  compiled: CompiledDefinition,
  snapshot: AnyMachineSnapshot,
  state: string,
  type: string,
  actor: Actor,
): Refusal | null {
  if (!declaresWork(compiled.definition)) return null;
  const sources = getNextTransitions(snapshot)
    .filter((t) => t.eventType === type)
    .map((t) => t.source.path.join('.'));
  for (const s of openTasks(compiled, activeStates(state))) {
    if (!sources.some((src) => src === '' || s === src || s.startsWith(`${src}.`))) continue;
    const r = eventRefusal(compiled, snapshot.context as Record<string, unknown>, s, type, actor);
    if (r) return r;
  }
  return null;
}

/** The task operations the actor may perform now (with whatever data the operation needs; a remind too soon still counts). */
export function allowedTaskOperations(
  compiled: CompiledDefinition,
  snapshot: AnyMachineSnapshot,
  state: string,
  actor: Actor,
  actsNow: boolean,
): TaskOperation[] {
  if (!declaresWork(compiled.definition) || snapshot.status !== 'active') return [];
  const context = snapshot.context as Record<string, unknown>;
  const at: WorkSituation = { context, active: activeStates(state), actsNow };
  const open = openTasks(compiled, at.active);
  const offered = new Set(open.flatMap((s) => taskOperations(compiled.definition, s, taskSpec(compiled.definition, s)!)));
  offered.add('task.cc');
  if (compiled.definition.withdrawal) offered.add('task.withdraw');
  return TASK_OPERATIONS.filter((op) => {
    if (!offered.has(op)) return false;
    // Data that passes the data checks, so only who the actor is decides.
    const spec = open[0] === undefined ? undefined : taskSpec(compiled.definition, open[0]);
    const data: AnyTaskData = {
      to: op === 'task.return' ? spec?.returnTo[0] : '\u0000',
      approver: { role: '\u0000' },
      position: spec?.approval?.addApprover[0] ?? 'after',
    };
    const r = taskOperationRefusal(compiled, at, op, data, actor, compiled.clock.now);
    return r === null || r.code === 'TooSoon' || r.code === 'ValidationError';
  });
}

/** The notification a remind or a cc raises (a built-in `$work.notify` action), from the context as the action saw it. */
export function workNotification(
  compiled: CompiledDefinition,
  params: { what?: string; state?: string },
  context: Record<string, unknown>,
  event: unknown,
  caseState: string,
): NotificationDraft | undefined {
  const e = (event ?? {}) as { data?: AnyTaskData; actor?: Actor };
  const comment = e.data?.comment;
  const by = e.actor?.userId;
  const base = { ...(comment !== undefined && { comment }), ...(by !== undefined && { by }) };
  if (params.what === 'cc') {
    const users = e.data?.users ?? [];
    return {
      kind: 'info',
      template: 'taskCc',
      subject: {
        en: `You were copied on a ${compiled.definition.labels.en} case`,
        'zh-CN': `抄送给您：${compiled.definition.labels['zh-CN']}`,
      },
      to: users.map((userId) => ({ userId })),
      data: { state: caseState, ...base },
    };
  }
  if (params.what === 'turn' && params.state !== undefined) return turnNotification(compiled, params.state, context, base);
  if (params.what !== 'remind' || params.state === undefined) return undefined;
  const spec = taskSpec(compiled.definition, params.state)!;
  const assignee = assigneeOf(spec, context);
  const approval = readWork(context).tasks[params.state]?.approval;
  const step = approval?.steps[approval.current];
  const candidates = candidatesOf(compiled, spec, context);
  const to =
    assignee !== null
      ? [{ userId: assignee }]
      : step !== undefined
        ? pendingMembers(step).map((m) => ('user' in m ? { userId: m.user } : { role: m.role }))
        : [...candidates.roles.map((role) => ({ role })), ...candidates.users.map((userId) => ({ userId }))];
  const label = spec.labels ?? compiled.definition.stateLabels[params.state] ?? { en: params.state, 'zh-CN': params.state };
  return {
    kind: 'reminder',
    template: 'taskReminder',
    subject: { en: `Reminder: "${label.en}" is waiting on you`, 'zh-CN': `催办：「${label['zh-CN']}」等待您处理` },
    to,
    data: { state: params.state, ...base },
  };
}

/**
 * After an approval that did not finish the step's approval: when the turn has moved on to a step
 * nobody has approved yet, its members are told it is their turn; within an all-of step still
 * waiting on others, nobody is (they were told when the step began).
 */
function turnNotification(
  compiled: CompiledDefinition,
  state: string,
  context: Record<string, unknown>,
  base: Record<string, unknown>,
): NotificationDraft | undefined {
  const approval = readWork(context).tasks[state]?.approval;
  const step = approval?.steps[approval.current];
  if (step === undefined || step.approved.length > 0) return undefined;
  const spec = taskSpec(compiled.definition, state)!;
  const label = spec.labels ?? compiled.definition.stateLabels[state] ?? { en: state, 'zh-CN': state };
  return {
    kind: 'info',
    template: 'taskTurn',
    subject: { en: `Your turn: "${label.en}"`, 'zh-CN': `轮到您审批：「${label['zh-CN']}」` },
    to: pendingMembers(step).map((m) => ('user' in m ? { userId: m.user } : { role: m.role })),
    data: { state, step: approval!.current + 1, steps: approval!.steps.length, ...base },
  };
}
