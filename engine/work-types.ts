/**
 * People's work on a case, as data shared by the engine, the workflow, the read model, the API,
 * the CLI and the web UI: the operations staff perform on a task (claim, release, transfer,
 * reassign, add an approver, return, remind, cc, withdraw) and what a case waits on, person by
 * person (its tasks, their assignees and candidates, the approvers whose turn it is, who is cc'd).
 *
 * A definition declares its tasks and approval steps (`humanTasks`, keyed by state path); an
 * operation is an event of the reserved `task.` family sent through the same Update as any other
 * event, so it is checked in the validator, logged as a row with its actor and comment, audited
 * and replayed like the rest.
 */
import type { Labels } from './definition-schema';

/** The operations on tasks, in the order menus list them. */
export const TASK_OPERATIONS = [
  'task.claim',
  'task.release',
  'task.transfer',
  'task.reassign',
  'task.addApprover',
  'task.return',
  'task.remind',
  'task.cc',
  'task.withdraw',
] as const;
export type TaskOperation = (typeof TASK_OPERATIONS)[number];

/** The reserved context key of a case's work bookkeeping (initiator, cc, open tasks' approvals): shown as tasks, not as case data. */
export const WORK_KEY = '$work';

/** The prefix every task operation's event type starts with. */
export const TASK_EVENT_PREFIX = 'task.';

export const isTaskOperation = (type: string): type is TaskOperation => (TASK_OPERATIONS as readonly string[]).includes(type);

/** An approver: a named user, or anyone holding a role. */
export type ApproverRef = { user: string } | { role: string };

/** Where an added approver goes: a step of their own before or after the current one, or beside the current approvers (all of them then approve). */
export type AddApproverPosition = 'before' | 'after' | 'parallel';

/** The data of each operation's event. Comments are free text kept in the case's log. */
export interface TaskOperationData {
  'task.claim': { comment?: string };
  'task.release': { comment?: string };
  /** By the assignee: hands the task to another user (who must hold one of the task's candidate roles). */
  'task.transfer': { to: string; comment: string };
  /** By a manager of the process: gives the task to another user. */
  'task.reassign': { to: string; comment: string };
  'task.addApprover': { approver: ApproverRef; position: AddApproverPosition; comment?: string };
  /** Back to an earlier human step the definition allows (its state path). */
  'task.return': { to: string; comment: string };
  /** By the initiator or a manager; at most once per the definition's interval. */
  'task.remind': { comment?: string };
  /** Gives the users read access to the case and a notification. */
  'task.cc': { users: string[]; comment?: string };
  /** By the initiator, where the definition allows it. */
  'task.withdraw': { comment: string };
}

/** One decision in an approval step. */
export interface ApprovalDecision {
  userId: string;
  role: string;
  onBehalfOf?: string;
  at: string;
  comment?: string;
}

/** An approval step: its approvers, and whether all of them or any one must approve. */
export interface ApprovalStepView {
  members: ApproverRef[];
  mode: 'all' | 'any';
  approved: ApprovalDecision[];
}

/** A task open on the case now: one per active state that waits on people. */
export interface TaskView {
  /** The state path the task belongs to. */
  state: string;
  labels?: Labels;
  /** The user the task is assigned to, if any. */
  assignee: string | null;
  /** Who may claim it (or act on it, when no assignee is required). */
  candidates: { roles: string[]; users: string[] };
  /** Only the assignee (or their delegate) may send the state's events. */
  assigneeOnly: boolean;
  /** For an approval step: its steps and the index of the current one (earlier ones are done). */
  approval?: { mode: 'sequence' | 'all' | 'any'; steps: ApprovalStepView[]; current: number };
  /** The operations the definition allows on this task (who may perform each is checked per request). */
  operations: TaskOperation[];
}

/** What a case waits on, person by person; stored with every transition for inboxes. */
export interface WorkView {
  tasks: TaskView[];
  /** The user who started the case. */
  initiator: string | null;
  /** Users given read access by a cc. */
  cc: string[];
}
