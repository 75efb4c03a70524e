import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, type CliRun } from '../helpers/cli';
import { PROJECT_ROOT } from '../../config';
import { startTestApi, type TestApi } from '../helpers/api';
import { createHarness, type Harness } from '../helpers/harness';

/**
 * A visit, a contract and a lost deal driven from start to end with nothing but the CLI
 * (`docket start|send|status|history|customer`), as the README shows, on the real servers:
 * once connected to Temporal and PostgreSQL (`--as user:role` names the actor), once over
 * the HTTP API with each user's token (`--as` picks the role).
 */
let h: Harness;
let api: TestApi;
beforeAll(async () => {
  h = await createHarness('cli_processes');
  api = await startTestApi(h);
}, 120_000);
afterAll(async () => {
  await api?.close();
  await h?.close();
});

/** The users of the scenarios and their roles (over the API, each acts with a token of their own). */
const USERS: Record<string, string[]> = {
  ray: ['sales_rep'],
  mia: ['sales_manager'],
  amy: ['cs_agent'],
  gao: ['gm'],
  hua: ['hq'],
  ada: ['contract_admin'],
  sam: ['sales_manager'],
  ana: ['analyst'],
  mona: ['management'],
  sue: ['dept_owner'],
  fei: ['dept_owner'],
  mark: ['dept_owner'],
  rod: ['dept_owner'],
  eve: ['auditor'],
};
let mode: 'direct' | 'api' = 'direct';
const tokens: Record<string, string> = {};

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface StatusJson {
  caseId: string;
  processId: string;
  state: string;
  status: string;
  seq: number;
  context: Record<string, unknown>;
  deadlines: Array<{ delay: string; dueAt: string }>;
  children: Array<{ key: string; caseId: string; processId: string; status: string }>;
  work: {
    tasks: Array<{
      state: string;
      assignee: string | null;
      approval?: { mode: string; current: number; steps: Array<{ members: unknown[]; mode: string; approved: Array<{ userId: string }> }> };
    }>;
  };
}

interface HistoryRow {
  seq: number;
  caseId: string;
  at: string;
  event: string;
  fromState: string | null;
  toState: string;
  actor: { userId: string; role: string };
}

/**
 * Runs `docket …` in-process against the real servers: directly, or over the API with the
 * token of the user `--as` names (commands without `--as` read as the auditor eve).
 */
function docket(...argv: string[]): Promise<CliRun> {
  if (mode === 'direct') return runCli(['--direct', ...argv], { config: h.config, cwd: PROJECT_ROOT });
  const as = argv.indexOf('--as');
  const user = as >= 0 ? argv[as + 1]!.split(':')[0]! : 'eve';
  if (!tokens[user]) throw new Error(`no token for ${user}`);
  // No database and no Temporal in the configuration: everything goes through the API.
  const config = { ...h.config, databaseUrl: undefined, temporalAddress: '127.0.0.1:1' };
  return runCli(['--api', api.url, '--token', tokens[user], ...argv], { config, cwd: PROJECT_ROOT });
}

/** Runs a command that must succeed and returns what it printed as JSON (the command's own `--json`). */
async function ok<T>(...argv: string[]): Promise<T> {
  const run = await docket(...argv, '--json');
  expect({ argv, code: run.code, err: run.err }).toEqual({ argv, code: 0, err: '' });
  return JSON.parse(run.out) as T;
}

const start = (process: string, example: string, as: string) =>
  ok<{ caseId: string; state: string }>('start', process, '--input', `@${path.join('examples', example)}`, '--as', as);

/** `docket send`, checking the state the case is in afterwards. */
async function send(caseId: string, event: string, data: unknown, as: string, expected: string): Promise<void> {
  const argv = ['send', caseId, event, ...(data === undefined ? [] : ['--data', JSON.stringify(data)]), '--as', as];
  const sent = await ok<{ state: string; status: string }>(...argv);
  expect({ event, state: sent.state }).toEqual({ event, state: expected });
}

const status = (caseId: string) => ok<StatusJson>('status', caseId);
const history = (caseId: string) => ok<HistoryRow[]>('history', caseId);
const rows = (log: HistoryRow[]) => log.map((r) => [r.event, r.fromState, r.toState]);

/** Polls `docket status --json` until `done` holds (automatic steps move the case a moment after the command that set them off). */
async function statusUntil(caseId: string, done: (s: StatusJson) => boolean, what: string): Promise<StatusJson> {
  for (let i = 0; i < 150; i++) {
    const s = await status(caseId);
    if (done(s)) return s;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Polls `docket history --json` until `done` holds: a case's log is written a moment after the case moves by itself. */
async function historyUntil(caseId: string, done: (log: HistoryRow[]) => boolean, what: string): Promise<HistoryRow[]> {
  for (let i = 0; i < 150; i++) {
    const run = await docket('history', caseId, '--json');
    if (run.code === 0) {
      const log = JSON.parse(run.out) as HistoryRow[];
      if (done(log)) return log;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A refused command: exit code 2, the reason in words on stderr, nothing on stdout, and the case's log unchanged. */
async function refused(caseIds: string[], argv: string[], words: RegExp): Promise<void> {
  const before = await Promise.all(caseIds.map(history));
  const run = await docket(...argv);
  expect({ code: run.code, out: run.out }).toEqual({ code: 2, out: '' });
  expect(run.err).toMatch(/^docket: /);
  expect(run.err).toMatch(words);
  expect(await Promise.all(caseIds.map(history))).toEqual(before);
}

const example = (name: string) => JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'examples', name), 'utf8')) as Record<string, unknown>;

/** A whole hour `days` days from now. */
const inDays = (days: number) => new Date(Math.ceil((Date.now() + days * DAY) / HOUR) * HOUR).toISOString();

let ids: { visit?: string; contract?: string; lostDeal?: string } = {};
/** Every visit and contract started so far (both modes share one database). */
const started: { visits: string[]; contracts: string[] } = { visits: [], contracts: [] };

describe.each([
  ['connected to Temporal and PostgreSQL', 'direct' as const],
  ['over the HTTP API, each user with their token', 'api' as const],
])('%s', (_title, which) => {
  beforeAll(async () => {
    mode = which;
    ids = {};
    if (which === 'api') for (const [user, roles] of Object.entries(USERS)) tokens[user] = await api.user(user, roles);
  });
  scenarios();
});

function scenarios(): void {
  test('a visit from its plan to the follow-up, with the CLI', async () => {
    const { caseId, state } = await start('visit', 'visit.json', 'ray:sales_rep');
    ids.visit = caseId;
    started.visits.push(caseId);
    expect(state).toBe('planning');

    // The example's customer is important: the plan goes to a sales manager first.
    // The payloads are the README's ("Other processes"), with times in the future.
    const scheduledAt = inDays(30);
    const plan = {
      background: { industry: 'Home furnishing', company: 'Jiahe Furniture' },
      objectives: ['needs', 'trust'],
      agenda: { time: scheduledAt, place: 'Customer office', attendees: ['ray', 'Mr Wang'], form: 'meeting' },
    };
    await send(caseId, 'SUBMIT_PLAN', plan, 'ray:sales_rep', 'planReview');

    // A sales rep may not approve their own plan.
    await refused([caseId], ['send', caseId, 'APPROVE_PLAN', '--as', 'ray:sales_rep'], /APPROVE_PLAN.*sales_manager.*\[Forbidden\]/);
    expect((await status(caseId)).state).toBe('planReview');

    await send(caseId, 'APPROVE_PLAN', undefined, 'mia:sales_manager', 'scheduling');
    await send(caseId, 'APPOINTMENT_CONFIRMED', { scheduledAt, contactPhone: '138-0000-0001' }, 'ray:sales_rep', 'confirmed');
    // The reminders count back from the appointment.
    const confirmed = await status(caseId);
    expect(confirmed.deadlines.map((d) => d.delay).sort()).toEqual(['callReminder', 'reconfirmReminder']);
    expect(confirmed.deadlines.find((d) => d.delay === 'callReminder')?.dueAt).toBe(new Date(Date.parse(scheduledAt) - HOUR).toISOString());
    // Every appointment is reconfirmed with the customer, to the hour, and the reconfirmation recorded.
    await send(caseId, 'RECONFIRMED', { note: 'Mr Wang confirmed 10:00' }, 'ray:sales_rep', 'confirmed');
    expect((await status(caseId)).context).toMatchObject({ reconfirmedBy: 'ray', reconfirmedFor: scheduledAt });

    await send(caseId, 'ARRIVED', { at: new Date(Date.parse(scheduledAt) - 5 * 60_000).toISOString() }, 'ray:sales_rep', 'onSite');
    await send(caseId, 'VISIT_DONE', undefined, 'ray:sales_rep', 'recording');
    const record = {
      discussion: 'Walked through the packages',
      keyPointFeedback: 'Decision in March',
      businessCardCollected: true,
      nextSteps: 'Send a quote',
    };
    await send(caseId, 'SUBMIT_RECORD', record, 'ray:sales_rep', 'followUp');
    await send(caseId, 'FOLLOW_UP_DONE', { outcome: 'Quote received' }, 'amy:cs_agent', 'completed');

    const final = await status(caseId);
    expect(final).toMatchObject({
      processId: 'visit',
      state: 'completed',
      status: 'completed',
      deadlines: [],
      context: {
        customer: example('visit.json').customer,
        important: true,
        scheduledAt,
        reconfirmations: [{ scheduledAt, note: 'Mr Wang confirmed 10:00', by: 'ray' }],
        planApprovedBy: 'mia',
        followUpBy: 'amy',
      },
    });
    expect(rows(await history(caseId))).toEqual([
      ['xstate.init', null, 'planning'],
      ['SUBMIT_PLAN', 'planning', 'planReview'],
      ['APPROVE_PLAN', 'planReview', 'scheduling'],
      ['APPOINTMENT_CONFIRMED', 'scheduling', 'confirmed'],
      ['RECONFIRMED', 'confirmed', 'confirmed'],
      ['ARRIVED', 'confirmed', 'onSite'],
      ['VISIT_DONE', 'onSite', 'recording'],
      ['SUBMIT_RECORD', 'recording', 'followUp'],
      ['FOLLOW_UP_DONE', 'followUp', 'completed'],
    ]);
  }, 120_000);

  test('a contract from its draft through the compliance check and the approval chain to closed, with the CLI', async () => {
    const { caseId, state } = await start('contract', 'contract.json', 'ray:sales_rep');
    ids.contract = caseId;
    started.contracts.push(caseId);
    expect(state).toBe('draft');

    await send(caseId, 'SUBMIT', undefined, 'ray:sales_rep', 'compliance');
    // The compliance check runs by itself and routes the case on.
    const approval = await statusUntil(caseId, (s) => s.state !== 'compliance', 'the compliance check');
    await historyUntil(caseId, (log) => log.at(-1)?.event === 'done:complianceCheck', 'the compliance check in the log');
    // The approval task: one step per level of the chain, in sequence, the sales manager's first.
    const steps = [
      { members: [{ role: 'sales_manager' }], mode: 'all', approved: [] },
      { members: [{ role: 'gm' }], mode: 'all', approved: [] },
    ];
    expect(approval).toMatchObject({
      state: 'approval',
      context: {
        compliancePassed: true,
        violations: [],
        approvalChain: ['sales_manager', 'gm'],
      },
      work: { tasks: [{ state: 'approval', approval: { mode: 'sequence', current: 0, steps } }] },
    });

    // The gm may approve only after the sales manager.
    await refused(
      [caseId],
      ['send', caseId, 'APPROVE', '--as', 'gao:gm'],
      /APPROVE in "approval" is for the approvers whose turn it is.*\[NotYourTurn\]/,
    );
    expect((await status(caseId)).work.tasks[0]?.approval).toEqual({ mode: 'sequence', current: 0, steps });

    await send(caseId, 'APPROVE', undefined, 'mia:sales_manager', 'approval');
    await send(caseId, 'APPROVE', undefined, 'gao:gm', 'signing');
    const signed = {
      bothPartiesSigned: true,
      crossPageSeal: true,
      signedAt: '2027-03-20',
      signatories: [
        { party: 'customer', name: 'Wang Wei' },
        { party: 'company', name: 'Li Na' },
      ],
    };
    await send(caseId, 'SIGNED', signed, 'ray:sales_rep', 'hqSealing');
    await send(caseId, 'SEALED', undefined, 'hua:hq', 'archiving');
    await send(caseId, 'ARCHIVED', { scanRef: 'scan://contracts/1001.pdf' }, 'ada:contract_admin', 'active');
    await send(caseId, 'COMPLETE', undefined, 'ada:contract_admin', 'closed');

    expect(await status(caseId)).toMatchObject({ processId: 'contract', state: 'closed', status: 'completed', deadlines: [] });
    const log = await history(caseId);
    expect(rows(log)).toEqual([
      ['xstate.init', null, 'draft'],
      ['SUBMIT', 'draft', 'compliance'],
      ['done:complianceCheck', 'compliance', 'approval'],
      ['APPROVE', 'approval', 'approval'],
      ['APPROVE', 'approval', 'signing'],
      ['SIGNED', 'signing', 'hqSealing'],
      ['SEALED', 'hqSealing', 'archiving'],
      ['ARCHIVED', 'archiving', 'active'],
      ['COMPLETE', 'active', 'closed'],
    ]);
    expect(log.map((r) => r.actor.userId)).toEqual(['ray', 'ray', 'system', 'mia', 'gao', 'ray', 'hua', 'ada', 'ada']);
  }, 120_000);

  test('a lost deal with a joint price measure of sales and finance and a competitor measure of marketing, sent to the lost deal by measure, with the CLI', async () => {
    const { caseId, state } = await start('lost_deal', 'lost_deal.json', 'ray:sales_rep');
    ids.lostDeal = caseId;
    expect(state).toBe('collectingInfo');
    const childId = (measure: string) => `${caseId}.measures.${measure}`;

    // The example deal was lost weeks ago: its information is overdue at once (a reminder and an escalation, no change of state).
    await historyUntil(caseId, (log) => log.some((r) => r.event === 'after:infoDue'), 'the information to fall due');
    expect(rows(await history(caseId))).toEqual([
      ['xstate.init', null, 'collectingInfo'],
      ['after:infoDue', 'collectingInfo', 'collectingInfo'],
    ]);

    // The payloads are the README's ("Other processes"), with a due date in the future.
    const info = {
      customerBasics: { name: 'Jiahe Furniture', contactPerson: 'Mr Wang', industry: 'Home furnishing' },
      salesProcess: { firstContact: { at: '2026-06-02T10:00:00+08:00', method: 'exhibition' }, needs: 'Metro advertising' },
      lossReasons: { stated: ['Price too high'], inferred: [] },
      customerFeedback: 'Could not justify the price',
      sources: ['interview'],
    };
    await send(caseId, 'SUBMIT_INFO', info, 'ray:sales_rep', 'supplementing');
    await send(caseId, 'SUBMIT_SUPPLEMENT', { notes: 'Second interview, with the owner' }, 'ray:sales_rep', 'analysis.formingGroup');
    const group = { lead: 'sam', members: [{ userId: 'ana', role: 'marketing' }] };
    await send(caseId, 'FORM_GROUP', group, 'sam:sales_manager', 'analysis.consolidating');
    await send(caseId, 'INFO_CONSOLIDATED', { summary: 'Notes and CRM records merged' }, 'ana:analyst', 'analysis.findingCauses');
    const causes = [
      { dimension: 'price', factor: 'Price', detail: '23% above the competitor', weight: 'primary' },
      { dimension: 'competitor', factor: 'Digital screens', detail: 'The competitor offered screens', weight: 'primary' },
    ];
    await send(caseId, 'CAUSES_IDENTIFIED', { causes }, 'ana:analyst', 'analysis.reporting');
    const report = {
      customerOverview: 'Furniture retailer',
      processOverview: 'Four months',
      causeAnalysis: 'Price and product fit',
      recommendations: 'Flexible pricing; a digital offer',
      conclusion: 'Lost on price',
    };
    await send(caseId, 'SUBMIT_REPORT', report, 'ana:analyst', 'managementReview');
    // Management names the owner of each department that gets a measure: without them the report is not accepted.
    await refused(
      [caseId],
      ['send', caseId, 'ACCEPT_REPORT', '--as', 'mona:management'],
      /name the owner \(dept_owner\) of every department that gets a measure.*\(condition ownersNamed\).*\[ConditionNotMet\]/,
    );
    const ownersNamed = { salesOwner: 'sue', financeOwner: 'fei', marketingOwner: 'mark' };
    if (mode === 'api') {
      // Over the API each owner named must be a user holding dept_owner.
      await refused(
        [caseId],
        ['send', caseId, 'ACCEPT_REPORT', '--data', JSON.stringify({ ...ownersNamed, financeOwner: 'ray' }), '--as', 'mona:management'],
        /financeOwner: user "ray" does not hold the role dept_owner.*\[UnknownUser\]/,
      );
    }
    await send(caseId, 'ACCEPT_REPORT', ownersNamed, 'mona:management', 'improvement');

    // One measure per cause marked for action, each a case of its own, started by the lost deal: price is one joint
    // measure of sales (its owner) and finance (its co-owner).
    const measures = ['price', 'competitor'];
    const improving = await statusUntil(caseId, (s) => s.children.length === measures.length, 'the measure cases to start');
    expect(improving.state).toBe('improvement');
    expect(improving.children.map((c) => [c.key, c.caseId, c.processId, c.status])).toEqual(
      measures.map((m) => [m, childId(m), 'improvement_measure', 'open']),
    );
    for (const m of measures) await historyUntil(childId(m), (log) => log.length > 0, `the ${m} measure to start`);
    expect((await status(childId('price'))).context).toMatchObject({
      measure: 'price',
      departments: ['sales', 'finance'],
      owner: 'sue',
      coOwner: 'fei',
    });

    // The measures' events go to the lost deal; `measure` names the measure, `department` one of its departments.
    const plan = (measure: string, department: string, owner: string) => ({
      measure,
      department,
      steps: [`${measure}: put the change in place`],
      owner,
      dueDate: inDays(60),
      expectedEffect: 'Win back retailers',
    });
    await send(caseId, 'SUBMIT_PLAN', plan('price', 'sales', 'sue'), 'sue:dept_owner', 'inProgress');
    await send(caseId, 'SUBMIT_PLAN', plan('competitor', 'marketing', 'mark'), 'mark:dept_owner', 'inProgress');

    // No measure of R&D here: refused, and neither the lost deal nor a measure changes.
    await refused(
      [caseId, ...measures.map(childId)],
      ['send', caseId, 'SUBMIT_PLAN', '--data', JSON.stringify(plan('product', 'rd', 'rod')), '--as', 'rod:dept_owner'],
      /no open improvement_measure sub-process.*product.*open: price, competitor.*\[NotAllowedInState\]/,
    );
    // The joint measure is its owner's: the co-owner does not act on it unless it is handed to them.
    await refused(
      [caseId, ...measures.map(childId)],
      [
        'send',
        caseId,
        'REPORT_PROGRESS',
        '--data',
        JSON.stringify({ measure: 'price', department: 'finance', percent: 50, notes: 'Rules drafted' }),
        '--as',
        'fei:dept_owner',
      ],
      /only the task's assignee, user "sue".*\[NotAssignee\]/,
    );

    const progress = { measure: 'price', department: 'finance', percent: 50, notes: 'Rules drafted' };
    await send(caseId, 'REPORT_PROGRESS', progress, 'sue:dept_owner', 'inProgress');
    const priceDone = { measure: 'price', department: 'sales', result: 'Discount bands approved by finance' };
    await send(caseId, 'MEASURE_COMPLETED', priceDone, 'sue:dept_owner', 'completed');
    await statusUntil(caseId, (s) => s.children.filter((c) => c.status === 'completed').length === 1, 'the price measure to report back');
    expect((await status(caseId)).state).toBe('improvement');
    await send(
      caseId,
      'MEASURE_COMPLETED',
      { measure: 'competitor', department: 'marketing', result: 'A digital screen package' },
      'mark:dept_owner',
      'completed',
    );

    // Once the last measure is complete the lost deal moves on by itself.
    await statusUntil(caseId, (s) => s.state === 'evaluating', 'the lost deal to move to evaluating');
    await historyUntil(caseId, (log) => log.at(-1)?.event === 'done:measures', 'the move to evaluating in the log');
    const evaluation = {
      before: { sales: 1200000, satisfaction: 72, marketShare: 8.5 },
      after: { sales: 1450000, satisfaction: 81, marketShare: 10.2 },
      conclusion: 'Two retailers won back',
    };
    await send(caseId, 'SUBMIT_EVALUATION', evaluation, 'mona:management', 'sharing');
    await send(
      caseId,
      'LESSONS_SHARED',
      { format: 'case_study', audience: 'cross_department', date: '2026-12-01' },
      'sam:sales_manager',
      'closed',
    );

    expect(await status(caseId)).toMatchObject({ processId: 'lost_deal', state: 'closed', status: 'completed', deadlines: [] });
    const log = await history(caseId);
    expect(rows(log)).toEqual([
      ['xstate.init', null, 'collectingInfo'],
      ['after:infoDue', 'collectingInfo', 'collectingInfo'],
      ['SUBMIT_INFO', 'collectingInfo', 'supplementing'],
      ['SUBMIT_SUPPLEMENT', 'supplementing', 'analysis.formingGroup'],
      ['FORM_GROUP', 'analysis.formingGroup', 'analysis.consolidating'],
      ['INFO_CONSOLIDATED', 'analysis.consolidating', 'analysis.findingCauses'],
      ['CAUSES_IDENTIFIED', 'analysis.findingCauses', 'analysis.reporting'],
      ['SUBMIT_REPORT', 'analysis.reporting', 'managementReview'],
      ['ACCEPT_REPORT', 'managementReview', 'improvement'],
      ['done:measures', 'improvement', 'evaluating'],
      ['SUBMIT_EVALUATION', 'evaluating', 'sharing'],
      ['LESSONS_SHARED', 'sharing', 'closed'],
    ]);
    expect(log.find((r) => r.event === 'done:measures')?.actor).toEqual({ userId: 'system', role: 'system' });
    // Each measure keeps its own log, with the measure's owner as the actor.
    expect((await history(childId('price'))).map((r) => [r.event, r.toState, r.actor.userId])).toEqual([
      ['xstate.init', 'planning', 'system'],
      ['SUBMIT_PLAN', 'inProgress', 'sue'],
      ['REPORT_PROGRESS', 'inProgress', 'sue'],
      ['MEASURE_COMPLETED', 'completed', 'sue'],
    ]);
  }, 180_000);

  test("docket customer lists a customer's cases across processes, newest first", async () => {
    expect(ids.visit && ids.contract && ids.lostDeal).toBeTruthy();
    // The visit and the contract examples name the same customer; the lost deal another.
    expect(example('contract.json').customer).toBe(example('visit.json').customer);
    const customer = example('visit.json').customer as string;
    const timeline = await ok<{
      customerId: string;
      cases: Array<{ caseId: string; processId: string; state: string }>;
      entries: HistoryRow[];
    }>('customer', customer);
    expect(timeline.customerId).toBe(customer);
    expect(timeline.cases.map((c) => [c.caseId, c.processId, c.state]).sort()).toEqual(
      [...started.visits.map((id) => [id, 'visit', 'completed']), ...started.contracts.map((id) => [id, 'contract', 'closed'])].sort(),
    );
    // Every transition of them (9 of a visit, 9 of a contract), newest first: this contract's last one.
    expect(timeline.entries).toHaveLength(9 * started.visits.length + 9 * started.contracts.length);
    expect(timeline.entries[0]).toMatchObject({ caseId: ids.contract, event: 'COMPLETE' });
    expect(timeline.entries.map((e) => e.at)).toEqual(
      timeline.entries
        .map((e) => e.at)
        .sort()
        .reverse(),
    );

    const other = await ok<{ cases: Array<{ caseId: string }> }>('customer', example('lost_deal.json').customer as string);
    expect(other.cases.map((c) => c.caseId)).toContain(ids.lostDeal);
    expect(other.cases.map((c) => c.caseId)).not.toContain(ids.visit);
  });
}
