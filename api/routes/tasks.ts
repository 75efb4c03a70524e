/**
 * Operations on a case's tasks: `POST /cases/{caseId}/tasks/{operation}`, one route per operation
 * (claim, release, transfer, reassign, add-approver, return, remind, cc, withdraw), each with its
 * body. The users a body names are checked here (UnknownUser); the operation is then sent as the
 * event `task.<operation>`, which the case's workflow checks and logs like any other event.
 */
import { checkNamedUsers, caseWork } from '../../client/task-operations';
import { TASK_OPERATION_NAMES } from '../../engine/task-operation-names';
import type { TaskOperation, TaskOperationData } from '../../engine/work-types';
import { actorOnCase } from '../acting';
import type { ApiDeps } from '../deps';
import { route, type AnyRoute } from '../route';
import { caseParams, sendOut, taskOperationBodies } from '../schemas';
import { acting, idempotencyKey, seenStatus } from './cases';

const SUMMARIES: Record<TaskOperation, string> = {
  'task.claim': 'Claim a task of a case',
  'task.release': 'Release a task back to its candidates',
  'task.transfer': 'Transfer my task to another user',
  'task.reassign': 'Reassign a task (a manager of the process)',
  'task.addApprover': 'Add an approver to an approval step',
  'task.return': 'Return a case to an earlier step',
  'task.remind': 'Remind whoever a task waits on',
  'task.cc': 'Copy users in on a case',
  'task.withdraw': 'Withdraw a case I started',
};

function taskRoute(deps: ApiDeps, name: string, operation: TaskOperation): AnyRoute {
  return route({
    method: 'POST',
    url: `/cases/:caseId/tasks/${name}`,
    summary: SUMMARIES[operation],
    tag: 'tasks',
    access: 'any',
    idempotent: true,
    params: caseParams,
    body: taskOperationBodies[operation],
    responses: {
      200: { description: `the operation (event ${operation}) was applied, or, for a repeated Idempotency-Key, had been`, schema: sendOut },
      422: { description: 'UnknownUser: a user the body names does not exist, is disabled, or is none of the task’s candidates' },
    },
    async handler(ctx) {
      const { caseId } = ctx.params;
      const requestId = idempotencyKey(ctx);
      const data: TaskOperationData[typeof operation] = ctx.body ?? {};
      const view = await seenStatus(deps, ctx, caseId, operation);
      // A delegate acts on the task on behalf of the user who delegated to them.
      const actor = await actorOnCase(deps, ctx.caller.principal, ctx.caller.role, caseId);
      return acting(deps, ctx, { caseId, event: operation, status: 200 }, async () => {
        await checkNamedUsers(deps.users, caseWork(view), operation, data);
        return deps.docket.send(caseId, {
          type: operation,
          actor,
          data,
          ...(requestId !== undefined && { requestId }),
        });
      });
    },
  });
}

export function taskRoutes(deps: ApiDeps): AnyRoute[] {
  return Object.entries(TASK_OPERATION_NAMES).map(([name, operation]) => taskRoute(deps, name, operation));
}
