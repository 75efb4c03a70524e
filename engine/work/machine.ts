/**
 * People's work compiled into the machine: each human task state gets the task operations the
 * definition allows as transitions (guarded by the work rules, with built-in actions that keep
 * `$work` and the assignee), its approval bookkeeping on its approve event, and a guard in front of
 * the events only its assignee or the approvers whose turn it is may send. So every operation goes
 * through XState's pure transition like any event, and is a row of the case's log.
 */
import { assign } from 'xstate';
import type { Definition } from '../definition-schema';
import { asList, isObject } from '../json-data';
import type { Actor } from '../types';
import type { ApprovalDecision, TaskOperation } from '../work-types';
import { eventRefusal, taskOperationRefusal } from './check';
import {
  addApprover,
  approvalFinished,
  approvalSteps,
  approverRefs,
  assigneeKey,
  claimAllowed,
  humanTasksOf,
  readWork,
  recordApproval,
  taskOperations,
  taskSpec,
  WORK_KEY,
  type WorkEnv,
  type WorkState,
} from './model';
import type { AnyTaskData } from './schemas';

type Args = { context: Record<string, unknown>; event: unknown };
type Params = { state?: string; op?: TaskOperation; to?: string; what?: string };

/** The name every built-in guard and action starts with (definition names cannot: they start with a letter). */
export const WORK_PREFIX = '$work.';

const eventOf = (event: unknown): { type: string; data: AnyTaskData; actor: Actor | undefined } => {
  const e = (isObject(event) ? event : {}) as { type?: string; data?: AnyTaskData; actor?: Actor };
  return { type: e.type ?? '', data: e.data ?? {}, actor: e.actor };
};

const withWork = (context: Record<string, unknown>, change: (w: WorkState) => WorkState) => ({ [WORK_KEY]: change(readWork(context)) });

const withTask = (
  context: Record<string, unknown>,
  state: string,
  change: (t: WorkState['tasks'][string]) => WorkState['tasks'][string] | undefined,
) =>
  withWork(context, (w) => {
    const tasks = { ...w.tasks };
    const next = change(tasks[state] ?? {});
    if (next === undefined) delete tasks[state];
    else tasks[state] = next;
    return { ...w, tasks };
  });

const decisionOf = (actor: Actor, at: number, comment: string | undefined): ApprovalDecision => ({
  userId: actor.userId,
  role: actor.role,
  ...(actor.onBehalfOf !== undefined && { onBehalfOf: actor.onBehalfOf }),
  at: new Date(at).toISOString(),
  ...(comment !== undefined && { comment }),
});

/** The built-in guards and actions the work transitions name. */
export function workImplementations(env: WorkEnv): { guards: Record<string, unknown>; actions: Record<string, unknown> } {
  const def = env.definition;
  const permitted = ({ context, event }: Args, { op, state, to }: Params) => {
    const e = eventOf(event);
    if (e.actor === undefined || op === undefined) return false;
    if (to !== undefined && e.data.to !== to) return false;
    return taskOperationRefusal(env, { context, active: state === undefined ? [] : [state] }, op, e.data, e.actor, env.clock.now) === null;
  };
  const approvalAfter = (context: Record<string, unknown>, event: unknown, state: string) => {
    const approval = readWork(context).tasks[state]?.approval;
    const e = eventOf(event);
    if (approval === undefined || e.actor === undefined) return undefined;
    return recordApproval(approval, decisionOf(e.actor, env.clock.now, e.data.comment));
  };
  const setAssignee = (to: (e: ReturnType<typeof eventOf>) => string | null) =>
    assign(({ event }: Args, { state }: Params) => {
      const key = assigneeKey(taskSpec(def, state!)!);
      return key === undefined ? {} : { [key]: to(eventOf(event)) };
    });
  return {
    guards: {
      [`${WORK_PREFIX}permitted`]: permitted,
      [`${WORK_PREFIX}refused`]: ({ context, event }: Args, { state }: Params) => {
        const e = eventOf(event);
        return e.actor !== undefined && eventRefusal(env, context, state!, e.type, e.actor) !== null;
      },
      [`${WORK_PREFIX}approvalPending`]: ({ context, event }: Args, { state }: Params) => {
        const after = approvalAfter(context, event, state!);
        return after !== undefined && !approvalFinished(after);
      },
    },
    actions: {
      [`${WORK_PREFIX}enter`]: assign(({ context }: Args, { state }: Params) =>
        withTask(context, state!, () => {
          const spec = taskSpec(def, state!)!;
          if (!spec.approval) return {};
          return { approval: { steps: approvalSteps(spec.approval.mode, approverRefs(env, spec, context)), current: 0 } };
        }),
      ),
      [`${WORK_PREFIX}leave`]: assign(({ context }: Args, { state }: Params) => withTask(context, state!, () => undefined)),
      [`${WORK_PREFIX}claim`]: setAssignee((e) => e.actor?.userId ?? null),
      [`${WORK_PREFIX}release`]: setAssignee(() => null),
      [`${WORK_PREFIX}transfer`]: setAssignee((e) => e.data.to ?? null),
      [`${WORK_PREFIX}approve`]: assign(({ context, event }: Args, { state }: Params) =>
        withTask(context, state!, (t) => ({ ...t, approval: approvalAfter(context, event, state!) ?? t.approval })),
      ),
      [`${WORK_PREFIX}addApprover`]: assign(({ context, event }: Args, { state }: Params) => {
        const { data } = eventOf(event);
        return withTask(context, state!, (t) => ({
          ...t,
          approval: t.approval && addApprover(t.approval, data.approver!, data.position!),
        }));
      }),
      [`${WORK_PREFIX}remind`]: assign(({ context }: Args, { state }: Params) =>
        withTask(context, state!, (t) => ({ ...t, remindedAt: new Date(env.clock.now).toISOString() })),
      ),
      [`${WORK_PREFIX}cc`]: assign(({ context, event }: Args) =>
        withWork(context, (w) => ({ ...w, cc: [...new Set([...w.cc, ...(eventOf(event).data.users ?? [])])] })),
      ),
      // Effects are returned by the pure transition and carried out by the workflow (see `workNotification`).
      [`${WORK_PREFIX}notify`]: function effect() {},
    },
  };
}

const ref = (name: string, params: Params) => ({ type: `${WORK_PREFIX}${name}`, params });

/** The transitions of an event as a list of objects (a bare target string becomes `{ target }`). */
const transitionList = (written: unknown): unknown[] =>
  asList(written as unknown[] | undefined).map((t) => (typeof t === 'string' ? { target: t } : t));

/** The state config at a dotted path of a machine config, if any. */
function stateAt(root: Record<string, unknown>, path: string): Record<string, unknown> | undefined {
  let node: Record<string, unknown> | undefined = root;
  for (const key of path.split('.')) {
    const states: unknown = node?.states;
    node = isObject(states) && isObject(states[key]) ? states[key] : undefined;
  }
  return node;
}

/** The machine config of a definition that declares people's work, with its work compiled in (a copy; the definition is unchanged). */
export function workMachineConfig(def: Definition, config: Record<string, unknown>): Record<string, unknown> {
  // JSON in, JSON out (the workflow sandbox has no structuredClone).
  const root = JSON.parse(JSON.stringify(config)) as Record<string, unknown>;
  const target = (path: string) => `#${def.process}.${path}`;
  const onOf = (node: Record<string, unknown>) => (isObject(node.on) ? node.on : (node.on = {}));
  for (const [state, spec] of Object.entries(humanTasksOf(def))) {
    const node = stateAt(root, state);
    if (node === undefined) continue;
    node.entry = [ref('enter', { state }), ...asList(node.entry as unknown[] | undefined)];
    node.exit = [...asList(node.exit as unknown[] | undefined), ref('leave', { state })];
    const on = onOf(node);
    for (const event of Object.keys(on)) {
      if (event.startsWith('task.') || event.startsWith('xstate.')) continue;
      const approvals =
        spec.approval && event === spec.approval.approve
          ? [
              {
                guard: ref('approvalPending', { state }),
                actions: [ref('approve', { state }), ...(spec.approval.notifyEachTurn ? [ref('notify', { what: 'turn', state })] : [])],
              },
            ]
          : [];
      on[event] = [{ guard: ref('refused', { state }) }, ...approvals, ...transitionList(on[event])];
    }
    const op = (name: TaskOperation, actions: unknown[], extra: Record<string, unknown> = {}) => ({
      guard: ref('permitted', { op: name, state }),
      actions,
      ...extra,
    });
    const ops = taskOperations(def, state, spec);
    if (claimAllowed(spec)) {
      on['task.claim'] = op('task.claim', [ref('claim', { state })]);
      on['task.release'] = op('task.release', [ref('release', { state })]);
    }
    if (ops.includes('task.transfer')) on['task.transfer'] = op('task.transfer', [ref('transfer', { state })]);
    if (ops.includes('task.reassign')) on['task.reassign'] = op('task.reassign', [ref('transfer', { state })]);
    if (ops.includes('task.addApprover')) on['task.addApprover'] = op('task.addApprover', [ref('addApprover', { state })]);
    if (ops.includes('task.return'))
      on['task.return'] = spec.returnTo.map((to) => ({ guard: ref('permitted', { op: 'task.return', state, to }), target: target(to) }));
    on['task.remind'] = op('task.remind', [ref('remind', { state }), ref('notify', { what: 'remind', state })]);
  }
  if (def.withdrawal) {
    for (const from of def.withdrawal.from) {
      const node = stateAt(root, from);
      if (node !== undefined)
        onOf(node)['task.withdraw'] = {
          guard: ref('permitted', { op: 'task.withdraw', state: from }),
          target: target(def.withdrawal.target),
        };
    }
  }
  onOf(root)['task.cc'] = { guard: ref('permitted', { op: 'task.cc' }), actions: [ref('cc', {}), ref('notify', { what: 'cc' })] };
  return root;
}
