/**
 * Task operations as clients name them (`POST /cases/{caseId}/tasks/{operation}`, `docket task
 * <operation>`), and the check made before one is sent: the users it names exist, are enabled and,
 * for a transfer or a reassignment, hold one of the task's candidate roles. The engine checks the
 * rest (who may perform the operation, and where) when the event arrives.
 */
import { DocketError } from './docket-client';
import type { TaskOperation, TaskOperationData, WorkView } from '../engine/work-types';
import type { CaseStatusView } from '../workflows/messages';

export { isTaskOperationName, TASK_OPERATION_NAMES, type TaskOperationName } from '../engine/task-operation-names';

/** What a case waits on, person by person, when its status carries it (cases of definitions with tasks). */
export function caseWork(view: CaseStatusView): WorkView | undefined {
  return view.work;
}

/** Who a check looks users up in: the user store, or anything that reads users the same way. */
export interface UserDirectory {
  getUser(userId: string): Promise<{ userId: string; roles: string[]; status: 'active' | 'disabled' } | null>;
}

/** The users an operation's data names, each once, in the order named. */
export function namedUsers<O extends TaskOperation>(operation: O, data: TaskOperationData[O]): string[] {
  const d = data as Partial<{ to: string; approver: { user?: string }; users: string[] }>;
  if (operation === 'task.transfer' || operation === 'task.reassign') return d.to === undefined ? [] : [d.to];
  if (operation === 'task.addApprover') return d.approver?.user === undefined ? [] : [d.approver.user];
  if (operation === 'task.cc') return [...new Set(d.users ?? [])];
  return [];
}

/**
 * Refuses with `UnknownUser` an operation that names a user who does not exist or is disabled, or
 * hands a task (transfer, reassign) to one who is none of its candidates. Without a work view (a
 * definition without tasks) only existence is checked: the engine refuses the operation itself.
 */
export async function checkNamedUsers<O extends TaskOperation>(
  users: UserDirectory,
  work: WorkView | undefined,
  operation: O,
  data: TaskOperationData[O],
): Promise<void> {
  for (const userId of namedUsers(operation, data)) {
    const user = await users.getUser(userId);
    if (!user || user.status !== 'active') {
      throw new DocketError('UnknownUser', `there is no enabled user "${userId}": name a user who exists and is not disabled`);
    }
    if (operation !== 'task.transfer' && operation !== 'task.reassign') continue;
    const tasks = (work?.tasks ?? []).filter((t) => t.operations.includes(operation));
    if (tasks.length === 0) continue;
    const fits = tasks.some((t) => t.candidates.users.includes(userId) || user.roles.some((r) => t.candidates.roles.includes(r)));
    if (!fits) {
      const roles = [...new Set(tasks.flatMap((t) => t.candidates.roles))];
      throw new DocketError(
        'UnknownUser',
        `user "${userId}" is not a candidate of the task${roles.length > 0 ? `: hand it to a user with the role ${roles.join(' or ')}` : ''}`,
      );
    }
  }
}
