import type { Command as CommandType } from 'commander' with { 'resolution-mode': 'import' };
import { calendarCheckCommand, calendarPublishCommand } from './calendar';
import { historyCommand, sendCommand, startCommand, statusCommand, type SendOptions, type StartOptions } from './cases';
import { CliContext, type CliIo, type MainOptions } from './context';
import type { CommandLine } from './direct';
import { customerCommand, type CustomerOptions } from './customer';
import {
  collect,
  createCustomerCommand,
  editCustomerCommand,
  findCustomersCommand,
  gradeCustomerCommand,
  importFromCasesCommand,
  listContactsCommand,
  logContactCommand,
  showCustomerCommand,
  type ContactOptions,
  type FindOptions,
  type GradeOptions,
  handoverCommand,
  type HandoverOptions,
  type RecordOptions,
} from './customer-records';
import { inboxCommand, searchCommand, type InboxOptions, type SearchOptions } from './inbox';
import { listDelegationsCommand, revokeDelegationCommand, setDelegationCommand } from './delegations';
import { dbMigrateCommand, dbSetupCommand, type DbOptions } from './db';
import { doctorCommand } from './doctor';
import { reportCommand, type ReportOptions } from './reports';
import { createLogger } from '../logging';
import {
  diagramCommand,
  diffCommand,
  discardDraftCommand,
  draftCommand,
  listDefinitionsCommand,
  publishCommand,
  setParamCommand,
  showDefinitionCommand,
  validateDefinitionCommand,
  versionsCommand,
  type ReadOptions,
} from './definitions';
import { listIncidentsCommand, retryIncidentsCommand, type IncidentListOptions } from './incidents';
import {
  listNotificationsCommand,
  listOutboxCommand,
  notificationPreferencesCommand,
  readNotificationsCommand,
  type NotificationListOptions,
  type OutboxListOptions,
} from './notifications';
import { migrateCommand, type MigrateOptions } from './migrate';
import { TASK_COMMAND_HELP, taskCommand, type TaskOptions } from './tasks';
import { TASK_OPERATION_NAMES, type TaskOperationName } from '../engine/task-operation-names';
import { EXIT_FAILED, EXIT_OK, EXIT_REFUSED, toFailure, type Failure } from './errors';
import { jsonText } from './format';
import { exportCommand, verifyCommand } from './audit';
import { markCommand, searchLibraryCommand, showEntryCommand, unmarkCommand } from './library';
import {
  annotateCommand,
  annotationsCommand,
  reviewCommand,
  sampleCommand,
  samplesCommand,
  samplingReportCommand,
  type ReviewOptions,
  type SampleOptions,
} from './sampling';
import {
  addUserCommand,
  disableUserCommand,
  enableUserCommand,
  listTokensCommand,
  listUsersCommand,
  revokeTokenCommand,
  tokenCommand,
  type AddUserOptions,
  type TokenOptions,
} from './users';

export type { CliIo, MainOptions, Writer } from './context';
export { EXIT_FAILED, EXIT_OK, EXIT_REFUSED } from './errors';

const AS_HELP = 'who acts: <user>:<role>, e.g. alice:cs_agent';

const EXAMPLES = `
Examples:
  $ docket start complaint --as alice:cs_agent --input @complaint.json
  $ docket send complaint-1a2b… ACCEPT --as alice:cs_agent --data '{"department":"Quality","assignee":"bob"}'
  $ docket status complaint-1a2b… --as bob:handler
  $ docket task transfer complaint-1a2b… --to carol --comment 'on leave' --as bob:handler
  $ docket history complaint-1a2b… --json
  $ docket customer CUST-1001
  $ docket customer contact CUST-1001 --channel phone --direction in --summary 'Asked about the delivery date' --as sales_rep
  $ docket inbox --view claimable --as handler
  $ docket definitions validate definitions/complaint.json
  $ docket definitions set-param complaint approvalLimit 8000 --as olga:process_owner
  $ docket definitions publish complaint --as olga:process_owner
  $ docket migrate complaint-1a2b… --to 2 --dry-run --as olga:process_owner

Exit codes: 0 done · 1 failed (e.g. servers unreachable) · 2 refused (bad input, or refused by Docket; nothing changed)
`;

/** Commander's own exits that are not errors. */
const HELP_CODES = new Set(['commander.helpDisplayed', 'commander.version']);

/** `--json` anywhere before a `--`: known before parsing, so that even parse errors come out as JSON. */
function wantsJson(argv: string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
}

function report(io: CliIo, json: boolean, failure: Failure): number {
  if (json) {
    io.stdout.write(
      jsonText({
        error: { code: failure.code, message: failure.message, ...(failure.issues !== undefined && { issues: failure.issues }) },
      }),
    );
  } else {
    io.stderr.write(`docket: ${failure.message}${failure.code === 'Failed' ? '' : ` [${failure.code}]`}\n`);
  }
  return failure.exitCode;
}

/** The command being run, by its path and positional arguments (for the security log of --direct). */
function commandLine(action: CommandType): CommandLine {
  const names: string[] = [];
  for (let c: CommandType | null = action; c?.parent; c = c.parent) names.unshift(c.name());
  const as = action.opts<{ as?: unknown }>().as;
  const path = names.join(' ');
  const caseId = [
    'send',
    'status',
    ...Object.keys(TASK_OPERATION_NAMES).map((n) => `task ${n}`),
    'history',
    'migrate',
    'incidents retry',
    'audit verify',
    'audit export',
  ].includes(path)
    ? action.args[0]
    : undefined;
  return { path, args: action.args, ...(typeof as === 'string' && { as }), ...(caseId !== undefined && { caseId }) };
}

function buildProgram(Command: typeof CommandType, ctx: CliContext, setExit: (code: number) => void): CommandType {
  const { io } = ctx;
  const program = new Command('docket')
    .description('Start and drive Docket cases, and inspect process definitions.')
    .option('--json', 'print JSON instead of text (errors as {"error":{"code","message"}} on stdout)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => void io.stdout.write(s),
      writeErr: (s) => void io.stderr.write(s),
      // Parse errors are reported by main (as text or JSON), not by the parser.
      outputError: () => undefined,
    })
    .option('--api <url>', "Docket's HTTP API (default DOCKET_API_URL, or the API `npm start` runs)")
    .option('--token <token>', 'API token (default DOCKET_TOKEN); over the API, --as only selects the role')
    .option(
      '--direct',
      'operators only: go straight to PostgreSQL and Temporal instead of the API (--as is not checked; recorded in the security log)',
    )
    .option('--lang <en|zh-CN>', 'language of linter and diff messages (default DOCKET_LANG, or zh-CN when LANG starts with zh)')
    .configureHelp({ showGlobalOptions: true })
    .addHelpText('after', EXAMPLES)
    .hook('preAction', (_program, action) => {
      ctx.useApiOptions(program.opts<{ api?: string; token?: string; direct?: boolean }>());
      ctx.useLang(program.opts<{ lang?: string }>().lang);
      ctx.useCommand(commandLine(action));
    });

  const run = async (command: Promise<number>) => setExit(await command);

  program
    .command('start')
    .description('start a case of a process on its latest definition; prints the case id and state')
    .argument('<process>', 'process id, e.g. complaint')
    .requiredOption('--input <json|@file>', 'the start input: inline JSON or @file.json')
    .requiredOption('--as <user:role>', AS_HELP)
    .option('--request-id <id>', 'idempotency key: starting again with it returns the same case')
    .action((processId: string, opts: StartOptions) => run(startCommand(ctx, processId, opts)));

  program
    .command('send')
    .description('send an event to a case; prints the new state')
    .argument('<caseId>', 'the case id printed by `docket start`')
    .argument('<EVENT>', 'event name, e.g. ACCEPT')
    .option('--data <json|@file>', 'the event data: inline JSON or @file.json')
    .requiredOption('--as <user:role>', AS_HELP)
    .option('--request-id <id>', 'idempotency key: sending again with it applies the event once')
    .action((caseId: string, event: string, opts: SendOptions) => run(sendCommand(ctx, caseId, event, opts)));

  const task = program
    .command('task')
    .description("operations on a case's task: claim, transfer, add an approver, remind, … (转交, 加签, 退回, 催办, 抄送, 撤回)");
  for (const name of Object.keys(TASK_OPERATION_NAMES) as TaskOperationName[]) {
    task
      .command(name)
      .description(TASK_COMMAND_HELP[name])
      .argument('<caseId>', 'the case id')
      .requiredOption('--as <user:role>', AS_HELP)
      .option('--comment <text>', "a note kept in the case's log (transfer, reassign, return and withdraw need one)")
      .option('--to <user|state>', 'transfer, reassign: the user; return: the earlier state')
      .option('--position <before|after|parallel>', 'add-approver: where the approver goes')
      .option('--user <userId>', 'add-approver: the approver; cc: a user to copy in (repeat, or a,b)', (v: string, all: string[] = []) => [
        ...all,
        v,
      ])
      .option('--role <role>', 'add-approver: anyone holding this role approves')
      .option('--request-id <id>', 'idempotency key: sending again with it applies the operation once')
      .action((caseId: string, opts: TaskOptions) => run(taskCommand(ctx, name, caseId, opts)));
  }

  program
    .command('status')
    .description('show a case: state, context, deadlines and the events that may be sent now')
    .argument('<caseId>', 'the case id')
    .option('--as <user:role>', `${AS_HELP}; lists the events this role may send`)
    .action((caseId: string, opts: { as?: string }) => run(statusCommand(ctx, caseId, opts)));

  program
    .command('history')
    .description('show the transition log of a case, oldest first')
    .argument('<caseId>', 'the case id')
    .action((caseId: string) => run(historyCommand(ctx, caseId)));

  const customer = program
    .command('customer')
    .description('customer records, grades, contacts and timelines (docket customer <id>: the timeline)');
  customer
    .command('timeline', { isDefault: true })
    .description("a customer's timeline: every case of every process, and every transition of them and every contact, newest first")
    .argument('<customerId>', 'the customer id the cases name, e.g. CUST-1001')
    .option('--limit <n>', 'entries per page (default 200, at most 1000)')
    .option('--cursor <cursor>', 'the next page: the cursor the previous page printed')
    .action((customerId: string, opts: CustomerOptions) => run(customerCommand(ctx, customerId, opts)));
  const recordOptions = (command: CommandType) =>
    command
      .option('--as <role>', 'the role to act in, when your token holds several')
      .option('--name <name>', 'the customer’s (company’s) name')
      .option('--industry <industry>', 'industry')
      .option('--size <size>', 'size, e.g. 50-200 staff')
      .option('--scope <text>', 'business scope')
      .option('--need <type>', 'need type')
      .option('--owner <userId>', 'the owning sales rep (default for a sales rep: yourself)')
      .option(
        '--contact <person>',
        "a contact person, repeatable: 'name=Wang Wei;position=Buyer;phone=138 0000 0001;email=…;wechat=…'",
        collect,
      );
  recordOptions(customer.command('create').description('create a customer record; prints its id'))
    .option('--id <customerId>', 'the customer id (default: a new CUST-… id)')
    .action((opts: RecordOptions) => run(createCustomerCommand(ctx, opts)));
  recordOptions(customer.command('edit').description('set fields of a customer record (contact persons: the whole list)'))
    .argument('<customerId>')
    .action((customerId: string, opts: RecordOptions) => run(editCustomerCommand(ctx, customerId, opts)));
  customer
    .command('show')
    .description('a customer record: the latest contacts first, then the record and its grade history')
    .argument('<customerId>')
    .option('--as <role>', 'the role to read as')
    .action((customerId: string, opts: { as?: string }) => run(showCustomerCommand(ctx, customerId, opts)));
  customer
    .command('find')
    .description('find customer records, newest first, a page at a time')
    .option('--as <role>', 'the role to read as')
    .option('--name <part>', 'part of the name')
    .option('--search <part>', 'part of the name or of the id')
    .option('--industry <industry>', 'industry')
    .option('--value <grade>', 'value grade: high, medium or low')
    .option('--intention <grade>', 'intention grade: A, B or C')
    .option('--owner <userId>', 'owning sales rep')
    .option('--limit <n>', 'records per page (default 50, at most 200)')
    .option('--cursor <cursor>', 'the next page: the cursor the previous page printed')
    .action((opts: FindOptions) => run(findCustomersCommand(ctx, opts)));
  customer
    .command('grade')
    .description('change the value and/or intention grade, with the reason (kept in the grade history)')
    .argument('<customerId>')
    .option('--as <role>', 'the role to act in')
    .option('--value <grade>', 'high, medium or low; none removes it')
    .option('--intention <grade>', 'A, B or C (starts or re-plans the follow-up plan); none removes it (ends the plan)')
    .option('--reason <text>', 'why (required)')
    .action((customerId: string, opts: GradeOptions) => run(gradeCustomerCommand(ctx, customerId, opts)));
  customer
    .command('contact')
    .description('log a call, e-mail, message or visit, in or out; then lists the latest contacts')
    .argument('<customerId>')
    .option('--as <role>', 'the role to act in')
    .option('--channel <channel>', 'phone, email, message or visit')
    .option('--direction <direction>', 'in or out')
    .option('--summary <text>', 'what was said or agreed')
    .option('--at <time>', 'when (ISO 8601 with offset; default now)')
    .option('--case <caseId>', 'the case of this customer it was about')
    .action((customerId: string, opts: ContactOptions) => run(logContactCommand(ctx, customerId, opts)));
  customer
    .command('contacts')
    .description("a customer's contact log, newest first: read it before you call")
    .argument('<customerId>')
    .option('--as <role>', 'the role to read as')
    .option('--limit <n>', 'how many (default 20, at most 200)')
    .option('--cursor <cursor>', 'the next page: the cursor the previous page printed')
    .action((customerId: string, opts: { as?: string; limit?: string; cursor?: string }) =>
      run(listContactsCommand(ctx, customerId, opts)),
    );
  customer
    .command('handover')
    .description("hand a leaving rep's customers (all, or those named) to another rep, with their open tasks and follow-up plans")
    .option('--as <role>', 'the role to act in (sales_manager or admin)')
    .option('--from <userId>', 'the leaving rep (required)')
    .option('--to <userId>', 'the rep who takes the customers over, holding sales_rep (required)')
    .option('--customer <customerId>', 'a customer to hand over, repeatable (default: all of --from’s)', collect)
    .option('--reason <text>', 'why (kept with the handover)')
    .option('--request-id <id>', 'the same request id again answers with the handover it made')
    .action((opts: HandoverOptions) => run(handoverCommand(ctx, opts)));
  customer
    .command('import-from-cases')
    .description('upgrading: a minimal record (named by its id) for every customer id open cases name')
    .option('--as <role>', 'the role to act in (admin)')
    .action((opts: { as?: string }) => run(importFromCasesCommand(ctx, opts)));

  const listOptions = (command: CommandType) =>
    command
      .option('--as <role>', 'the role to list as, when your token holds several')
      .option('--process <process>', 'only cases of this process')
      .option('--state <state>', 'only cases in this state (its path, e.g. investigating)')
      .option('--customer <customerId>', "only this customer's cases")
      .option('--overdue', 'only overdue cases')
      .option('--no-overdue', 'only cases that are not overdue')
      .option('--limit <n>', 'cases per page (default 100 for the inbox, 50 for a search; at most 500)')
      .option('--cursor <cursor>', 'the next page: the cursor the previous page printed');
  listOptions(
    program
      .command('inbox')
      .description('my cases, a page at a time with the total (over the API)')
      .option('--view <view>', 'actionable (default) · assigned · claimable · started · done · cc'),
  ).action((opts: InboxOptions) => run(inboxCommand(ctx, opts)));
  listOptions(
    program
      .command('search')
      .description('search the cases you may see, newest activity first, a page at a time with the total (over the API)')
      .option('--status <status>', 'open or completed')
      .option('--actor <userId>', 'only cases this user acted on'),
  ).action((opts: SearchOptions) => run(searchCommand(ctx, opts)));

  const READ_AS = 'the role to read in (process_owner or auditor), when your token holds several';
  const definitions = program
    .command('definitions')
    .description('list, show, validate, draft, publish and draw process definitions (validating a file needs no servers)');
  definitions
    .command('list')
    .description('list the published definitions')
    .option('--as <role>', READ_AS)
    .action((opts: ReadOptions) => run(listDefinitionsCommand(ctx, opts)));
  definitions
    .command('show')
    .description('summarise a definition (states, events, parameters, delays); --json prints the definition')
    .argument('<process>', 'process id, e.g. complaint')
    .option('--as <role>', READ_AS)
    .action((processId: string, opts: ReadOptions) => run(showDefinitionCommand(ctx, processId, opts)));
  definitions
    .command('validate')
    .description('lint a definition file (no servers needed), or the stored draft of a process; exit 0 when clean, 2 when it has problems')
    .argument('<file|process>', 'the definition JSON file, or a process id for its draft')
    .option('--as <role>', READ_AS)
    .action((file: string, opts: ReadOptions) => run(validateDefinitionCommand(ctx, file, opts)));

  const OWNER_AS = 'who acts: <user>:process_owner';
  definitions
    .command('draft')
    .description(
      'save a definition as the draft of the next version of a process (replacing an earlier draft); prints the linter verdict and the changes',
    )
    .argument('<process>', 'process id, e.g. complaint')
    .argument('<@file>', 'the definition JSON file, as @file.json')
    .requiredOption('--as <user:role>', OWNER_AS)
    .option('--version <n>', 'the version you mean to write; a published version is refused')
    .action((processId: string, file: string, opts: { as: string; version?: string }) => run(draftCommand(ctx, processId, file, opts)));
  definitions
    .command('set-param')
    .description('change one parameter (e.g. approvalLimit) in the draft, started from the latest version when there is none')
    .argument('<process>', 'process id')
    .argument('<name>', 'parameter name')
    .argument('<value>', 'its new value')
    .requiredOption('--as <user:role>', OWNER_AS)
    .action((processId: string, name: string, value: string, opts: { as: string }) =>
      run(setParamCommand(ctx, processId, name, value, opts)),
    );
  definitions
    .command('publish')
    .description('publish the draft when it passes the linter, after showing the open cases it concerns; new cases start on it')
    .argument('<process>', 'process id')
    .requiredOption('--as <user:role>', OWNER_AS)
    .option('--dry-run', 'show the changes and the open cases concerned, publish nothing')
    .action((processId: string, opts: { as: string; dryRun?: boolean }) => run(publishCommand(ctx, processId, opts)));
  definitions
    .command('discard')
    .description('throw the draft of a process away')
    .argument('<process>', 'process id')
    .requiredOption('--as <user:role>', OWNER_AS)
    .action((processId: string, opts: { as: string }) => run(discardDraftCommand(ctx, processId, opts)));
  definitions
    .command('versions')
    .description('list the versions of a process: status, hash, who published when, open cases on each')
    .argument('<process>', 'process id')
    .option('--as <role>', READ_AS)
    .action((processId: string, opts: ReadOptions) => run(versionsCommand(ctx, processId, opts)));
  definitions
    .command('diff')
    .description('what changed between two versions: states, events, roles, deadlines, parameters')
    .argument('<process>', 'process id')
    .argument('<from>', 'a version number, draft or latest')
    .argument('<to>', 'a version number, draft or latest')
    .option('--as <role>', READ_AS)
    .action((processId: string, from: string, to: string, opts: ReadOptions) => run(diffCommand(ctx, processId, from, to, opts)));
  definitions
    .command('diagram')
    .description('draw a version: states, events with their roles, deadlines, final states')
    .argument('<process>', 'process id')
    .option('--version <n>', 'a version number, draft or latest (default latest)')
    .option('--format <svg|mermaid>', 'svg or mermaid (default mermaid)')
    .option('--out <file>', 'write to a file instead of the terminal')
    .option('--as <role>', READ_AS)
    .action((processId: string, opts: ReadOptions & { version?: string; format?: string; out?: string }) =>
      run(diagramCommand(ctx, processId, opts)),
    );

  program
    .command('migrate')
    .description('move open cases to another published version, on purpose; --dry-run shows target state, deadlines and blockers')
    .argument('[caseId]', 'the case to migrate (or use --process and --from-version for all open cases of a version)')
    .requiredOption('--to <version>', 'the published version to move to')
    .option('--map <old=new...>', 'map a state the new version removes or renames to one of its states (repeatable)')
    .option('--dry-run', 'plan only: change nothing')
    .option('--process <process>', 'with --from-version: every open case of that version')
    .option('--from-version <version>', 'with --process: the version whose open cases move')
    .requiredOption('--as <user:role>', OWNER_AS)
    .action((caseId: string | undefined, opts: MigrateOptions) => run(migrateCommand(ctx, caseId, opts)));

  const incidents = program
    .command('incidents')
    .description('effects of cases that failed for good (a row the database refused, …): list them, retry once fixed (admin)');
  incidents
    .command('list')
    .description('open incidents, oldest first')
    .option('--process <process>', 'only cases of this process')
    .option('--limit <n>', 'incidents per page (default 100, at most 1000)')
    .option('--cursor <cursor>', 'the next page: the cursor the previous page printed')
    .action((opts: IncidentListOptions) => run(listIncidentsCommand(ctx, opts)));
  incidents
    .command('retry')
    .description("run a case's failed effects again, once their cause is fixed; the case then goes on")
    .argument('<caseId>')
    .requiredOption('--as <user:role>', `${AS_HELP}; an admin`)
    .option('--incident <id>', 'only this incident of the case')
    .action((caseId: string, opts: { as: string; incident?: string }) => run(retryIncidentsCommand(ctx, caseId, opts)));

  const notifications = program.command('notifications').description('your in-app notifications and channels (over the API)');
  notifications
    .command('list')
    .description('your notifications, newest first, with the unread count')
    .option('--unread', 'only the unread')
    .option('--limit <n>', 'at most this many (default 50)')
    .option('--cursor <cursor>', 'the next page (printed by the previous one)')
    .action((opts: NotificationListOptions) => run(listNotificationsCommand(ctx, opts)));
  notifications
    .command('read')
    .description('mark a notification read, or all of them with --all')
    .argument('[id]', 'the notification id (see `docket notifications list`)')
    .option('--all', 'every unread notification')
    .action((id: string | undefined, opts: { all?: boolean }) => run(readNotificationsCommand(ctx, id, opts)));
  notifications
    .command('preferences')
    .description('print your channels; --mail on|off sets mail (in-app is always on)')
    .option('--mail <on|off>', 'mail notifications on or off')
    .action((opts: { mail?: string }) => run(notificationPreferencesCommand(ctx, opts)));
  const delegate = program
    .command('delegate')
    .description('your out-of-office delegate: acts on your tasks, receives your notifications (over the API)');
  delegate
    .command('set')
    .description('name a delegate for a period (one period at a time: periods may not overlap)')
    .argument('<user>', 'the delegate: an enabled user, not yourself')
    .requiredOption('--until <instant>', 'when the delegation ends (ISO 8601 with an offset, e.g. 2025-03-01T09:00:00+08:00)')
    .option('--from <instant>', 'when it starts (default: now)')
    .action((user: string, opts: { from?: string; until: string }) => run(setDelegationCommand(ctx, user, opts)));
  delegate
    .command('list')
    .description('your delegations, the latest period first')
    .action(() => run(listDelegationsCommand(ctx)));
  delegate
    .command('revoke')
    .description('end a delegation now (or cancel one not started)')
    .argument('<id>', 'the delegation id (see `docket delegate list`)')
    .action((id: string) => run(revokeDelegationCommand(ctx, id)));
  program
    .command('outbox')
    .description('the notification outbox and each row’s delivery (admin, over the API)')
    .command('list')
    .description('outbox rows, newest first: status, attempts, channels delivered, next attempt, last error')
    .option('--status <status>', 'pending, sent or failed')
    .option('--process <process>', 'only this process')
    .option('--case <caseId>', 'only this case')
    .option('--limit <n>', 'at most this many (default 50)')
    .option('--cursor <cursor>', 'the next page (printed by the previous one)')
    .action((opts: OutboxListOptions) => run(listOutboxCommand(ctx, opts)));

  const calendar = program.command('calendar').description('the business calendar: its coverage, and new versions (admin)');
  calendar
    .command('check')
    .description('print the active calendar and its coverage; exits 1 when it ends within --within days (default 60)')
    .option('--within <days>', 'warn when the calendar ends within this many days')
    .action((opts: { within?: string }) => run(calendarCheckCommand(ctx, opts)));
  calendar
    .command('publish')
    .description("publish a new version (e.g. next year's holidays and make-up days) over the API; open cases adopt it (admin)")
    .argument('<file>', 'the calendar file (JSON, with coversFrom and coversUntil)')
    .action((file: string) => run(calendarPublishCommand(ctx, file)));

  const users = program.command('users').description('manage users, their roles and API tokens (admin, over the API)');
  const aboutUser = (name: string, description: string) => users.command(name).description(description).argument('<userId>', 'the user id');
  users
    .command('add')
    .description('add a user with one or more roles')
    .argument('<userId>', 'the user id, e.g. amy')
    .requiredOption('--name <name>', 'display name')
    .requiredOption('--roles <roles>', 'comma-separated roles, e.g. handler,cs_agent')
    .option('--email <email>', 'mail address')
    .action((userId: string, opts: AddUserOptions) => run(addUserCommand(ctx, userId, opts)));
  users
    .command('list')
    .description('list users')
    .action(() => run(listUsersCommand(ctx)));
  aboutUser('token', 'issue a new API token for a user (printed once)')
    .option('--expires-in <days>', 'the token expires after this many days, e.g. 30d (default: never)')
    .action((userId: string, opts: TokenOptions) => run(tokenCommand(ctx, userId, opts)));
  aboutUser('tokens', "list a user's tokens: id, status, issued at and by whom, expiry, last use (never the secret)").action(
    (userId: string) => run(listTokensCommand(ctx, userId)),
  );
  aboutUser('revoke-token', "revoke one of a user's tokens: it is refused from now on, their other tokens still work")
    .argument('<tokenId>', 'the token id (see `docket users tokens <userId>`)')
    .action((userId: string, tokenId: string) => run(revokeTokenCommand(ctx, userId, tokenId)));
  aboutUser('disable', 'disable a user: all their tokens are refused').action((userId: string) => run(disableUserCommand(ctx, userId)));
  aboutUser('enable', 'enable a disabled user: their live tokens work again').action((userId: string) =>
    run(enableUserCommand(ctx, userId)),
  );

  const audit = program.command('audit').description('export and verify the hash-chained audit trail');
  audit
    .command('verify')
    .description('recompute hash chains and signatures and name the first broken seq; exit 2 when one is broken')
    .argument('[caseId]', 'the case to verify')
    .option('--all', 'every case')
    .option('--file <export.json>', 'an audit export, verified offline')
    .option(
      '--public-key <file>',
      "the writer's public keys (keyring JSON or PEM) to verify signatures with, instead of trusting any in the file",
    )
    .option('--deep', "also cross-check the case's rows against its Temporal history (auditors)")
    .action((caseId: string | undefined, opts: { all?: boolean; file?: string; publicKey?: string; deep?: boolean }) =>
      run(verifyCommand(ctx, caseId, opts)),
    );
  audit
    .command('export')
    .description("export a case's audit trail (JSON verifiable offline, or CSV)")
    .argument('<caseId>', 'the case')
    .option('--format <json|csv>', 'json (default) or csv')
    .option('--out <file>', 'write to a file')
    .action((caseId: string, opts: { format?: string; out?: string }) => run(exportCommand(ctx, caseId, opts)));
  audit
    .command('sample')
    .description('draw a reproducible random sample of completed cases per rep (auditors): the same seed draws the same cases')
    .option('--process <process>', 'the process, e.g. complaint')
    .option('--from <date>', 'the period in which the cases were completed: from (a date or ISO time, UTC)')
    .option('--to <date>', '… to (exclusive)')
    .option('--rep <userId>', 'a rep to sample (repeat, or a,b); default every rep', collect)
    .option('--size <n>', 'cases per rep')
    .option('--percent <p>', "percent of each rep's cases, rounded up")
    .option('--seed <seed>', 'the seed (default: a new one, printed and recorded with the draw)')
    .action((opts: SampleOptions) => run(sampleCommand(ctx, opts)));
  audit
    .command('samples')
    .description('list the samples drawn, or show one with its cases, their reviews and the checklist')
    .argument('[sampleId]', 'the sample')
    .action((sampleId: string | undefined) => run(samplesCommand(ctx, sampleId)));
  audit
    .command('review')
    .description("review a sampled case against its process's checklist: every item passes, fails (with a finding) or is n/a")
    .argument('<sampleId>', 'the sample')
    .argument('<caseId>', 'the case')
    .option('--pass <items>', 'items that pass (repeat, or a,b)', collect)
    .option('--fail <items>', 'items that fail (repeat, or a,b)', collect)
    .option('--na <items>', 'items that do not apply (repeat, or a,b)', collect)
    .option('--finding <item=text>', 'what was found for a failed item (repeat)', collect)
    .option('--comment <text>', 'a comment on the whole review')
    .option('--request-id <id>', 'makes a retried review count once')
    .action((sampleId: string, caseId: string, opts: ReviewOptions) => run(reviewCommand(ctx, sampleId, caseId, opts)));
  audit
    .command('annotate')
    .description("add an auditor's note to a case: append-only, part of its audit trail; the case's rep is told")
    .argument('<caseId>', 'the case')
    .option('--text <text>', 'the note')
    .option('--request-id <id>', 'makes a retried note count once')
    .action((caseId: string, opts: { text?: string; requestId?: string }) => run(annotateCommand(ctx, caseId, opts)));
  audit
    .command('annotations')
    .description("a case's annotations (auditors' notes and reviews), oldest first")
    .argument('<caseId>', 'the case')
    .option('--as <role>', 'the role to read in, when your token holds several')
    .action((caseId: string, opts: { as?: string }) => run(annotationsCommand(ctx, caseId, opts)));
  audit
    .command('sampling-report')
    .description('per rep: population, sampled, reviewed, passed, failed, findings, and findings per checklist item')
    .argument('<sampleId>', 'the sample')
    .option('--csv', 'as CSV')
    .action((sampleId: string, opts: { csv?: boolean }) => run(samplingReportCommand(ctx, sampleId, opts)));

  const library = program.command('library').description('the case library (形成案例): typical cases with tags and a summary');
  const libraryAs = ['--as <role>', 'the role to act in, when your token holds several'] as const;
  library
    .command('mark')
    .description('mark a completed complaint or lost deal as a typical case (process owners, managers, auditors)')
    .argument('<caseId>', 'the case')
    .option('--title <text>', 'a short title')
    .option('--summary <text>', 'what makes it typical: what happened, what was learnt')
    .option('--tag <tag>', 'a tag (repeat, or a,b)', collect)
    .option(...libraryAs)
    .action((caseId: string, opts: { title?: string; summary?: string; tag?: string[]; as?: string }) =>
      run(markCommand(ctx, caseId, opts)),
    );
  library
    .command('search')
    .description('find typical cases by words, tags and process, newest first')
    .option('--text <words>', 'words in the title, summary or tags')
    .option('--tag <tag>', 'a tag the entry carries (repeat, or a,b: all of them)', collect)
    .option('--process <process>', 'complaint or lost_deal')
    .option('--all', 'also entries taken out of the library')
    .option('--limit <n>', 'at most this many (default 100)')
    .option(...libraryAs)
    .action((opts: { text?: string; tag?: string[]; process?: string; all?: boolean; limit?: string; as?: string }) =>
      run(searchLibraryCommand(ctx, opts)),
    );
  library
    .command('show')
    .description('one entry: its case, title, tags, summary, who marked it')
    .argument('<entryId>', 'the entry, e.g. lib-3f9c2a1b0d4e')
    .option(...libraryAs)
    .action((entryId: string, opts: { as?: string }) => run(showEntryCommand(ctx, entryId, opts)));
  library
    .command('unmark')
    .description('take an entry out of the library (it is kept, with who, when and why)')
    .argument('<entryId>', 'the entry')
    .option('--reason <text>', 'why')
    .option(...libraryAs)
    .action((entryId: string, opts: { reason?: string; as?: string }) => run(unmarkCommand(ctx, entryId, opts)));

  const db = program.command('db').description("Docket's PostgreSQL roles and schema on a server of your own (DATABASE_URL)");
  const dbUrl = ['--database-url <url>', "an admin's URL of the database (default DATABASE_URL)"] as const;
  db.command('setup')
    .description('create the roles docket_owner, docket_api, docket_worker, migrate, print their URLs once')
    .option(...dbUrl)
    .action((opts: DbOptions) => run(dbSetupCommand(ctx, opts)));
  db.command('migrate')
    .description("apply pending migrations as the schema's owner")
    .option(...dbUrl)
    .action((opts: DbOptions) => run(dbMigrateCommand(ctx, opts)));

  program
    .command('doctor')
    .description('what is configured, what answers (PostgreSQL, Temporal, the API), calendar coverage, what production still needs')
    .action(() => run(doctorCommand(ctx)));

  program
    .command('report')
    .description(
      'a report for a period (over the API): targets, complaints, complaint-quality, state-times, lost-deal-causes, measures, contracts, contract-approvals, sla',
    )
    .argument('<name>', 'the report, e.g. targets')
    .option('--as <role>', 'the role to read as')
    .option('--from <date>', 'the first day (2025-01-01) or instant of the period (default: 90 days ago)')
    .option('--to <date>', 'the end of the period, exclusive (default: now)')
    .option('--group-by <period>', 'week, month or quarter, for the reports that group')
    .option('--rep <userId>', 'one sales rep (targets, lost-deal-causes, contracts, contract-approvals)')
    .option('--department <name>', 'one department (complaints, complaint-quality, state-times, measures)')
    .option('--process <processId>', 'the process of state-times (default complaint)')
    .option('--csv', 'CSV with a header row instead of a table')
    .action((name: string, opts: ReportOptions) => run(reportCommand(ctx, name, opts)));

  return program;
}

/**
 * Runs the `docket` command line with `argv` (the arguments after the program
 * name) and resolves to the exit code. Output goes only through `io`; the
 * process is never exited, and connections are closed before resolving.
 */
export async function main(
  argv: string[],
  io: CliIo = { stdout: process.stdout, stderr: process.stderr },
  options: MainOptions = {},
): Promise<number> {
  const json = wantsJson(argv);
  const ctx = new CliContext(io, json, options);
  let exitCode = EXIT_OK;
  try {
    const { Command, CommanderError } = await import('commander');
    const program = buildProgram(Command, ctx, (code) => (exitCode = code));
    try {
      await program.parseAsync(argv, { from: 'user' });
    } catch (err) {
      if (!(err instanceof CommanderError)) throw err;
      if (HELP_CODES.has(err.code)) return EXIT_OK;
      if (err.code === 'commander.help') {
        // No command given: the help went to stderr.
        return json
          ? report(io, json, { exitCode: EXIT_REFUSED, code: 'InvalidArgument', message: 'no command given: see docket --help' })
          : EXIT_REFUSED;
      }
      const message = err.message.replace(/^error: /, '').replace(/\.$/, '');
      return report(io, json, {
        exitCode: EXIT_REFUSED,
        code: 'InvalidArgument',
        message: json ? message : `${message} (see docket <command> --help)`,
      });
    }
    return exitCode;
  } catch (err) {
    return report(io, json, toFailure(err, ctx.configIfLoaded));
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      // A crash, not an answer: one JSON line for the operator's log (answers and refusals are printed by main).
      createLogger({ name: 'docket-cli', fd: 2 }).fatal({ err }, 'docket crashed');
      process.exitCode = EXIT_FAILED;
    },
  );
}
