/**
 * `docket task <operation> <caseId>`: claim, release, transfer, reassign, add-approver, return,
 * remind, cc and withdraw, over the API (`POST /cases/{caseId}/tasks/{operation}`), or with
 * `--direct` straight to the case after the same check of the users named.
 */
import { createPool } from '../adapters/postgres/pool';
import { PostgresUserStore } from '../adapters/postgres/user-store';
import { taskOperationBodies } from '../api/schemas';
import { caseWork, checkNamedUsers } from '../client/task-operations';
import { describeIssues, toIssues } from '../engine/refusals';
import { TASK_OPERATION_NAMES, type TaskOperationName } from '../engine/task-operation-names';
import type { TaskOperationData } from '../engine/work-types';
import type { SendResult } from '../workflows/messages';
import { caseLabels, printApplied } from './cases';
import { commaList } from './args';
import type { CliContext } from './context';
import { EXIT_OK, invalidArgument } from './errors';
import { EMPTY_BOOK } from './labels';

export interface TaskOptions {
  as: string;
  comment?: string;
  to?: string;
  position?: string;
  /** The approver (add-approver) or the users to cc (cc; repeat or separate by commas). */
  user?: string[];
  /** The approver's role (add-approver). */
  role?: string;
  requestId?: string;
}

/** The option each field of an operation's data comes from, for messages. */
const OPTION_OF: Record<string, string> = {
  comment: '--comment',
  to: '--to',
  position: '--position',
  approver: '--user or --role',
  users: '--user',
};

/** The operation's data from the options, checked as the API checks its body. */
function taskData(name: TaskOperationName, opts: TaskOptions): Record<string, unknown> {
  const operation = TASK_OPERATION_NAMES[name];
  const users = commaList(opts.user);
  const data: Record<string, unknown> = {
    ...(opts.comment !== undefined && { comment: opts.comment }),
    ...(opts.to !== undefined && { to: opts.to }),
    ...(opts.position !== undefined && { position: opts.position }),
  };
  if (operation === 'task.addApprover') {
    if ((users.length === 1) === (opts.role !== undefined) || users.length > 1) {
      throw invalidArgument('add-approver: name the approver with one --user <userId> or one --role <role>');
    }
    data.approver = opts.role !== undefined ? { role: opts.role } : { user: users[0] };
  } else if (operation === 'task.cc') {
    data.users = users;
  } else if (users.length > 0 || opts.role !== undefined) {
    throw invalidArgument(
      `${name} takes no --user or --role${operation === 'task.transfer' || operation === 'task.reassign' ? ': name the user with --to' : ''}`,
    );
  }
  const checked = taskOperationBodies[operation].safeParse(data);
  if (!checked.success) {
    const issues = toIssues(checked.error.issues).map((i) => {
      const field = i.path.split('.')[0] ?? '';
      return { path: OPTION_OF[field] ?? i.path, message: i.message };
    });
    throw invalidArgument(`${name}: ${describeIssues(issues)}`);
  }
  return data;
}

/** `docket task <operation> <caseId> --as <user:role> [--comment …] [--to …] [--position …] [--user …|--role …]`. */
export async function taskCommand(ctx: CliContext, name: TaskOperationName, caseId: string, opts: TaskOptions): Promise<number> {
  const operation = TASK_OPERATION_NAMES[name];
  const actor = ctx.actor(opts.as);
  const data = taskData(name, opts);
  let result: SendResult;
  if (ctx.mode() === 'api') {
    const api = ctx.api();
    result = (
      await api.request<SendResult>('POST', `/cases/${encodeURIComponent(caseId)}/tasks/${name}`, {
        body: data,
        role: actor.role,
        ...(opts.requestId !== undefined && { idempotencyKey: opts.requestId }),
      })
    ).body;
  } else {
    const pool = createPool({ connectionString: await ctx.directDatabase(), max: 1 });
    try {
      result = await ctx.withDocket(async (docket) => {
        const work = caseWork(await docket.status(caseId, actor.role));
        await checkNamedUsers(new PostgresUserStore(pool), work, operation, data as TaskOperationData[typeof operation]);
        return docket.send(caseId, { type: operation, actor, data, ...(opts.requestId !== undefined && { requestId: opts.requestId }) });
      });
    } finally {
      await pool.end().catch(() => undefined);
    }
  }
  const book = ctx.json ? undefined : await ctx.withCases((docket) => caseLabels(docket, caseId));
  printApplied(ctx, caseId, operation, result, book ?? EMPTY_BOOK, opts.requestId);
  return EXIT_OK;
}

/** What each `docket task` subcommand does, for its help. */
export const TASK_COMMAND_HELP: Record<TaskOperationName, string> = {
  claim: 'take a task no one is assigned to (you must be one of its candidates)',
  release: 'give your task back to its candidates',
  transfer: 'hand your task to another user who holds one of its roles (--to, --comment)',
  reassign: 'a manager of the process gives a task to another user (--to, --comment)',
  'add-approver': 'add an approver to the current approval step (--user or --role, --position before|after|parallel)',
  return: 'send the case back to an earlier step the definition allows (--to <state>, --comment)',
  remind: 'remind whoever the task waits on (the initiator or a manager; rate-limited)',
  cc: 'copy users in: they may read the case and are notified (--user, repeatable)',
  withdraw: 'withdraw a case you started, where the definition allows it (--comment)',
};
