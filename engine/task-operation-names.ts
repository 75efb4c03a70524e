/**
 * The task operations as people see them: the name each goes by in a URL and on the command line
 * (`POST /cases/{caseId}/tasks/add-approver`, `docket task add-approver`), and their labels in both
 * languages, shared by the API, the CLI and the web UI.
 */
import type { Labels } from './definition-schema';
import type { TaskOperation } from './work-types';

/** Each operation by its name in a URL or on the command line, in the order menus list them. */
export const TASK_OPERATION_NAMES = {
  claim: 'task.claim',
  release: 'task.release',
  transfer: 'task.transfer',
  reassign: 'task.reassign',
  'add-approver': 'task.addApprover',
  return: 'task.return',
  remind: 'task.remind',
  cc: 'task.cc',
  withdraw: 'task.withdraw',
} as const satisfies Record<string, TaskOperation>;

export type TaskOperationName = keyof typeof TASK_OPERATION_NAMES;

export const isTaskOperationName = (name: string): name is TaskOperationName => Object.hasOwn(TASK_OPERATION_NAMES, name);

/** The name of an operation in a URL or on the command line. */
export function taskOperationName(operation: TaskOperation): TaskOperationName {
  return (Object.keys(TASK_OPERATION_NAMES) as TaskOperationName[]).find((n) => TASK_OPERATION_NAMES[n] === operation)!;
}

/** What each operation is called, in the words of Chinese approval apps (转交, 加签, 退回, 催办, 抄送, 撤回). */
export const TASK_OPERATION_LABELS: Record<TaskOperation, Labels> = {
  'task.claim': { en: 'Claim', 'zh-CN': '认领' },
  'task.release': { en: 'Release', 'zh-CN': '释放' },
  'task.transfer': { en: 'Transfer', 'zh-CN': '转交' },
  'task.reassign': { en: 'Reassign', 'zh-CN': '改派' },
  'task.addApprover': { en: 'Add approver', 'zh-CN': '加签' },
  'task.return': { en: 'Return', 'zh-CN': '退回' },
  'task.remind': { en: 'Remind', 'zh-CN': '催办' },
  'task.cc': { en: 'Cc', 'zh-CN': '抄送' },
  'task.withdraw': { en: 'Withdraw', 'zh-CN': '撤回' },
};
