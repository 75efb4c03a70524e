/**
 * The managers' reports on the real stack: cases driven through the workflow for the complaint
 * figures of today, and cases seeded with chosen times (through the case store's append) for figures
 * that can be checked by hand: targets, medians and p90s, rates, the Pareto order and cumulative
 * shares, the missed-deadline heatmap. Also CSV, the CLI, role refusals and each report's plan.
 */
import { createPool } from '../../adapters/postgres/pool';
import { PostgresCustomerStore } from '../../adapters/postgres/customer-store';
import { PostgresReports, REPORT_NAMES, type ReportName } from '../../adapters/postgres/reports';
import { PROJECT_ROOT } from '../../config';
import { startTestApi, type TestApi } from '../helpers/api';
import { runCli } from '../helpers/cli';
import { complaintInput, createHarness, cs, handler, type Harness } from '../helpers/harness';
import { seedCases, type SeedCase, type SeedStep } from '../helpers/report-seed';

let h: Harness;
let api: TestApi;
const t: Record<string, string> = {};
const logLines: string[] = [];

const H = 3_600_000;
/** `base` plus `n` hours, as ISO. */
const at = (base: string, n: number) => new Date(Date.parse(base) + n * H).toISOString();
const rita = { userId: 'rita', role: 'sales_rep' };
const ray = { userId: 'ray', role: 'sales_rep' };

// ---- seeded history: March 2024 (Monday 4th to Monday 18th: 10 weekdays, 2 weeks, 1 month) ----
const MARCH = '2024-03-04T00:00:00.000Z';
const PERIOD = 'from=2024-03-04&to=2024-03-18';

function visit(caseId: string, customerId: string, owner: string, visitType: string, opened: string, doneAfterHours?: number): SeedCase {
  const steps: SeedStep[] = [{ event: 'xstate.init', to: 'planning', at: opened, actor: { userId: owner, role: 'sales_rep' } }];
  if (doneAfterHours !== undefined) {
    steps.push({ event: 'ARRIVED', to: 'onSite', at: at(opened, doneAfterHours - 1) });
    steps.push({ event: 'VISIT_DONE', to: 'recording', at: at(opened, doneAfterHours) });
  }
  return { caseId, processId: 'visit', customerId, context: { owner, visitType, customer: customerId }, steps };
}

/** A contract through approval (hours each level took) to archiving at `archived`. */
function contract(
  caseId: string,
  customerId: string,
  rep: string,
  amount: number,
  start: string,
  levels: Array<[string, number]>,
  archived: string,
  extra: Record<string, unknown> = {},
): SeedCase {
  const steps: SeedStep[] = [
    { event: 'xstate.init', to: 'draft', at: start },
    { event: 'SUBMIT', to: 'compliance', at: at(start, 1) },
    { event: 'done.invoke.complianceCheck', to: 'approval', at: at(start, 2) },
  ];
  let clock = at(start, 2);
  levels.forEach(([level, hours], i) => {
    clock = at(clock, hours);
    steps.push({
      event: 'APPROVE',
      to: i === levels.length - 1 ? 'signing' : 'approval',
      at: clock,
      actor: { userId: `${level}-1`, role: level },
    });
  });
  if (extra.earlyPlacementApprovedAt !== undefined) {
    steps.push({ event: 'EARLY_PLACEMENT_APPROVED', to: 'signing', at: extra.earlyPlacementApprovedAt as string });
  }
  steps.push({ event: 'SIGNED', to: 'hqSealing', at: at(archived, -2) });
  steps.push({ event: 'SEALED', to: 'archiving', at: at(archived, -1) });
  steps.push({ event: 'ARCHIVED', to: 'active', at: archived });
  return {
    caseId,
    processId: 'contract',
    customerId,
    context: { submittedBy: rep, amount, performanceRep: rep, performanceAmount: amount, countedInPerformance: true, ...extra },
    steps,
  };
}

/** A complaint whose stays last `stays` hours each: [state, hours] in order, closed at the end when the last is `closed`. */
function complaint(
  caseId: string,
  category: string,
  severity: string,
  department: string,
  start: string,
  stays: Array<[string, number, string?]>,
  context: Record<string, unknown> = {},
): SeedCase {
  const steps: SeedStep[] = [{ event: 'xstate.init', to: 'received', at: start }];
  let clock = start;
  let state = 'received';
  for (const [next, hours, escalatedEvent] of stays) {
    clock = at(clock, hours);
    if (escalatedEvent !== undefined) {
      // A deadline missed in `state`: a timer transition that stays, then the real event after it.
      steps.push({ event: escalatedEvent, to: state, at: at(clock, -0.5), escalates: true });
    }
    steps.push({ event: next === 'closed' ? 'CUSTOMER_SATISFIED' : `TO_${next.toUpperCase()}`, to: next, at: clock });
    state = next;
  }
  return {
    caseId,
    processId: 'complaint',
    customerId: `CUST-${caseId}`,
    context: { category, severity, department, reopenings: 0, ...context },
    steps,
    completed: state === 'closed',
  };
}

function lostDeal(caseId: string, rep: string, identified: string, causes: Array<[string, string]>): SeedCase {
  return {
    caseId,
    processId: 'lost_deal',
    customerId: `CUST-${caseId}`,
    context: { salesRep: rep, causes: causes.map(([dimension, weight]) => ({ dimension, weight, factor: 'f', detail: 'd' })) },
    steps: [
      { event: 'xstate.init', to: 'collectingInfo', at: at(identified, -48) },
      { event: 'CAUSES_IDENTIFIED', to: 'analysis.reporting', at: identified },
    ],
  };
}

function measure(caseId: string, department: string, opened: string, context: Record<string, unknown>, completed = false): SeedCase {
  const steps: SeedStep[] = [{ event: 'xstate.init', to: 'planning', at: opened }];
  steps.push({ event: 'SUBMIT_PLAN', to: 'inProgress', at: at(opened, 24) });
  if (completed) steps.push({ event: 'MEASURE_COMPLETED', to: 'completed', at: at(opened, 48) });
  return { caseId, processId: 'improvement_measure', customerId: `CUST-${caseId}`, context: { department, ...context }, steps, completed };
}

const SEEDED: SeedCase[] = [
  // rita: six new-customer visits done in the period (L1 twice), one before it for L6, one on an existing customer;
  // leads: L1–L5 and L7 (V10 opened in the period), not L6 (visited in February)
  visit('V1', 'L1', 'rita', 'new_customer', at(MARCH, 9), 3),
  visit('V2', 'L1', 'rita', 'new_customer', at(MARCH, 33), 3),
  visit('V3', 'L2', 'rita', 'new_customer', at(MARCH, 57), 3),
  visit('V4', 'L3', 'rita', 'new_customer', at(MARCH, 81), 3),
  visit('V5', 'L4', 'rita', 'new_customer', at(MARCH, 105), 3),
  visit('V6', 'L5', 'rita', 'new_customer', at(MARCH, 177), 3),
  visit('V0', 'L6', 'rita', 'new_customer', '2024-02-01T09:00:00.000Z'),
  visit('V7', 'L6', 'rita', 'new_customer', at(MARCH, 200)),
  visit('V9', 'E1', 'rita', 'existing_customer', at(MARCH, 9), 3),
  // done exactly at the period's end: outside [from, to)
  visit('V10', 'L7', 'rita', 'new_customer', '2024-03-17T21:00:00.000Z', 3),
  visit('V8', 'R1', 'ray', 'new_customer', at(MARCH, 10), 2),
  // contracts: W1 won twice in the period (one new customer), W2 had a contract in 2023
  contract('C0', 'W2', 'rita', 10_000, '2023-05-01T00:00:00.000Z', [['sales_manager', 1]], '2023-05-10T00:00:00.000Z'),
  contract(
    'C1',
    'W1',
    'rita',
    120_000,
    at(MARCH, 0),
    [
      ['sales_manager', 2],
      ['gm', 5],
    ],
    at(MARCH, 100),
  ),
  contract('C2', 'W1', 'rita', 30_000, at(MARCH, 1), [['sales_manager', 4]], at(MARCH, 120)),
  contract(
    'C3',
    'W2',
    'rita',
    50_000,
    at(MARCH, 2),
    [
      ['sales_manager', 6],
      ['gm', 1],
    ],
    at(MARCH, 140),
    {
      earlyPlacementApprovedAt: at(MARCH, 30),
      overdue: true,
    },
  ),
  contract('C4', 'W3', 'ray', 80_000, at(MARCH, 3), [['sales_manager', 10]], at(MARCH, 150), { earlyPlacementApprovedAt: at(MARCH, 40) }),
  // complaints: stays in received 1, 2, 3, 10 h; in investigating 24, 48, 12 + 6 (K3 reopened), K4 still there
  complaint(
    'K1',
    'product_quality',
    'high',
    'after_sales',
    at(MARCH, 0),
    [
      ['investigating', 1],
      ['planning', 24, 'after:investigationEscalation'],
      ['closed', 5],
    ],
    { satisfactionScore: 5 },
  ),
  complaint(
    'K2',
    'product_quality',
    'high',
    'after_sales',
    at(MARCH, 10),
    [
      ['investigating', 2],
      ['planning', 48, 'after:investigationEscalation'],
      ['closed', 5],
    ],
    { satisfactionScore: 3 },
  ),
  complaint(
    'K3',
    'delivery',
    'low',
    'after_sales',
    at(MARCH, 20),
    [
      ['investigating', 3, 'after:acceptDue'],
      ['planning', 12],
      ['investigating', 4],
      ['planning', 6],
      ['closed', 2],
    ],
    { satisfactionScore: 4, reopenings: 1 },
  ),
  complaint('K4', 'billing', 'normal', 'finance', at(MARCH, 30), [['investigating', 10]]),
  // lost deals: Q1 price ×3, product ×2, competitor, service; Q2 service
  lostDeal('D1', 'rita', '2024-02-10T00:00:00.000Z', [
    ['price', 'primary'],
    ['product', 'secondary'],
  ]),
  lostDeal('D2', 'ray', '2024-03-10T00:00:00.000Z', [
    ['price', 'primary'],
    ['competitor', 'secondary'],
  ]),
  lostDeal('D3', 'rita', '2024-03-11T00:00:00.000Z', [
    ['price', 'secondary'],
    ['product', 'primary'],
    ['service', 'secondary'],
  ]),
  lostDeal('D4', 'rita', '2024-04-02T00:00:00.000Z', [['service', 'primary']]),
  // measures opened in the period: rd two open (one past due), sales one completed and one escalated
  measure('M1', 'rd', at(MARCH, 5), { dueDate: '2024-04-01T00:00:00.000Z' }),
  measure('M2', 'rd', at(MARCH, 6), { dueDate: '2999-01-01T00:00:00.000Z' }),
  measure('M3', 'sales', at(MARCH, 7), { dueDate: '2024-04-01T00:00:00.000Z' }, true),
  measure('M4', 'sales', at(MARCH, 8), { dueDate: '2999-01-01T00:00:00.000Z', dueEscalated: true }),
];
// V8's record was escalated: a missed deadline of a visit while recording
SEEDED.find((c) => c.caseId === 'V8')!.steps.push({ event: 'after:recordEscalation', to: 'recording', at: at(MARCH, 60), escalates: true });

beforeAll(async () => {
  h = await createHarness('reports');
  api = await startTestApi(h, { logger: { level: 'info', stream: { write: (line: string) => void logLines.push(line) } } });
  t.rita = await api.user('rita', ['sales_rep']);
  t.ray = await api.user('ray', ['sales_rep']);
  t.sam = await api.user('sam', ['sales_manager']);
  t.max = await api.user('max', ['management']);
  t.mia = await api.user('mia', ['service_manager']);
  t.eve = await api.user('eve', ['auditor']);
  t.amy = await api.user('amy', ['cs_agent']);
  await seedCases(h, h.pool, SEEDED);
}, 600_000);
afterAll(async () => {
  await api?.close();
  await h?.close();
});

const get = (path: string, token = t.sam!) => api.call('GET', path, { token });

test('targets per rep against the visit definition, counted as README says', async () => {
  const res = await get(`/reports/targets?${PERIOD}`);
  expect(res.status).toBe(200);
  expect(res.body.columns).toEqual(['rep', 'metric', 'unit', 'actual', 'units', 'perUnit', 'target', 'targetMax', 'met']);
  const of = (rep: string) =>
    res.body.rows.filter((r: { rep: string }) => r.rep === rep).map((r: Record<string, unknown>) => Object.values(r).slice(1));
  expect(of('rita')).toEqual([
    ['newCustomerVisits', 'day', 6, 10, 0.6, 3, null, false],
    ['newLeads', 'week', 6, 2, 3, 3, 5, true],
    ['intentionCustomers', 'week', 0, 2, 0, 1, null, false],
    ['newCustomersWon', 'month', 1, 1, 1, 1, null, true],
  ]);
  expect(of('ray')).toEqual([
    ['newCustomerVisits', 'day', 1, 10, 0.1, 3, null, false],
    ['newLeads', 'week', 1, 2, 0.5, 3, 5, false],
    ['intentionCustomers', 'week', 0, 2, 0, 1, null, false],
    ['newCustomersWon', 'month', 1, 1, 1, 1, null, true],
  ]);
});

test('intention customers: grades raised to A today, per owner', async () => {
  const customers = new PostgresCustomerStore(h.pool);
  const fields = { contacts: [], industry: null, size: null, businessScope: null, needType: null };
  for (const [id, owner] of [
    ['IC1', 'rita'],
    ['IC2', 'rita'],
    ['IC3', 'ray'],
  ] as const) {
    await customers.create(id, { ...fields, name: `Company ${id}`, owner }, { userId: owner, role: 'sales_rep' });
  }
  await customers.changeGrades('IC1', { intention: 'B' }, 'first call', rita);
  await customers.changeGrades('IC1', { intention: 'A' }, 'budget confirmed', rita);
  await customers.changeGrades('IC2', { intention: 'A' }, 'asked for a quote', rita);
  await customers.changeGrades('IC3', { intention: 'C' }, 'not now', ray);
  const day = new Date().toISOString().slice(0, 10);
  const next = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  const res = await get(`/reports/targets?from=${day}&to=${next}&rep=rita`);
  expect(res.body.rows.find((r: { metric: string }) => r.metric === 'intentionCustomers')).toMatchObject({
    actual: 2,
    units: 1,
    perUnit: 2,
    target: 1,
    met: true,
  });
});

test('complaints by category and severity, narrowed to a department', async () => {
  const all = await get(`/reports/complaints?${PERIOD}`);
  expect(all.body.rows).toEqual([
    { category: 'product_quality', severity: 'high', complaints: 2 },
    { category: 'billing', severity: 'normal', complaints: 1 },
    { category: 'delivery', severity: 'low', complaints: 1 },
  ]);
  const byMonth = await get(`/reports/complaints?${PERIOD}&groupBy=month&department=finance`);
  expect(byMonth.body.rows).toEqual([{ period: '2024-03-01', category: 'billing', severity: 'normal', complaints: 1 }]);
});

test('cycle time per state: median and p90 from the transitions', async () => {
  const res = await get(`/reports/state-times?${PERIOD}`);
  const row = (state: string) => res.body.rows.find((r: { state: string }) => r.state === state);
  // received: 1, 2, 3, 10 h; investigating: 24, 48, 12, 6 h (percentile_cont: linear between ranks)
  expect(row('received')).toEqual({ state: 'received', stays: 4, medianHours: 2.5, p90Hours: 7.9 });
  expect(row('investigating')).toEqual({ state: 'investigating', stays: 4, medianHours: 18, p90Hours: 40.8 });
  // planning: 5, 5, 4, 2 h
  expect(row('planning')).toEqual({ state: 'planning', stays: 4, medianHours: 4.5, p90Hours: 5 });
});

test('reopen rate and satisfaction: seeded history, and complaints driven through the workflow today', async () => {
  const seeded = await get(`/reports/complaint-quality?${PERIOD}`);
  expect(seeded.body.rows).toEqual([{ closed: 3, reopened: 1, reopenRate: 0.3333, satisfaction: 4 }]);

  const drive = async (reopen: boolean, score: number) => {
    const { caseId } = await h.docket.startCase('complaint', complaintInput, cs);
    const steps: Array<[string, Record<string, unknown>, typeof cs]> = [
      ['ACCEPT', { department: 'after_sales', assignee: 'bob' }, cs],
      ['SUBMIT_FINDINGS', { findings: 'Door cracked', customerExpectation: 'Replacement' }, handler],
      ['PROPOSE_RESOLUTION', { proposal: 'Replace the door', compensationAmount: 300 }, handler],
      ['CUSTOMER_ACCEPTED', {}, cs],
      ['RESOLUTION_EXECUTED', { summary: 'Door replaced' }, handler],
    ];
    const run = async () => {
      for (const [type, data, actor] of steps) await h.docket.send(caseId, { type, data, actor });
    };
    await h.docket.send(caseId, { type: steps[0]![0], data: steps[0]![1], actor: cs });
    steps.shift();
    await run();
    if (reopen) {
      await h.docket.send(caseId, { type: 'CUSTOMER_UNSATISFIED', data: { reason: 'Still squeaks' }, actor: cs });
      await run();
    }
    await h.docket.send(caseId, { type: 'CUSTOMER_SATISFIED', data: { score }, actor: cs });
  };
  await drive(false, 5);
  await drive(true, 2);
  const from = new Date(Date.now() - H).toISOString();
  const to = new Date(Date.now() + H).toISOString();
  const today = await get(`/reports/complaint-quality?from=${from}&to=${to}`);
  expect(today.body.rows).toEqual([{ closed: 2, reopened: 1, reopenRate: 0.5, satisfaction: 3.5 }]);
}, 120_000);

test('lost-deal causes: a Pareto per quarter with cumulative shares', async () => {
  const res = await get('/reports/lost-deal-causes?from=2024-01-01&to=2024-07-01');
  expect(res.body.groupBy).toBe('quarter');
  expect(res.body.rows).toEqual([
    { period: '2024-Q1', dimension: 'price', causes: 3, primary: 2, sharePercent: 42.86, cumulativePercent: 42.86 },
    { period: '2024-Q1', dimension: 'product', causes: 2, primary: 1, sharePercent: 28.57, cumulativePercent: 71.43 },
    { period: '2024-Q1', dimension: 'competitor', causes: 1, primary: 0, sharePercent: 14.29, cumulativePercent: 85.71 },
    { period: '2024-Q1', dimension: 'service', causes: 1, primary: 0, sharePercent: 14.29, cumulativePercent: 100 },
    { period: '2024-Q2', dimension: 'service', causes: 1, primary: 1, sharePercent: 100, cumulativePercent: 100 },
  ]);
  const own = await get('/reports/lost-deal-causes?from=2024-01-01&to=2024-04-01', t.ray);
  expect(own.body.rep).toBe('ray');
  expect(own.body.rows.map((r: { dimension: string }) => r.dimension)).toEqual(['competitor', 'price']);
});

test('measures open and overdue by department', async () => {
  const res = await get(`/reports/measures?${PERIOD}`);
  expect(res.body.rows).toEqual([
    { department: 'rd', measures: 2, open: 2, overdue: 1, completed: 0 },
    { department: 'sales', measures: 2, open: 1, overdue: 1, completed: 1 },
  ]);
});

test('contracts per rep, approval time per level, early placements overdue', async () => {
  const contracts = await get(`/reports/contracts?${PERIOD}`);
  expect(contracts.body.rows).toEqual([
    { rep: 'rita', contracts: 3, amount: 200000, earlyPlacements: 1, earlyPlacementsOverdue: 1 },
    { rep: 'ray', contracts: 1, amount: 80000, earlyPlacements: 1, earlyPlacementsOverdue: 0 },
  ]);
  const approvals = await get(`/reports/contract-approvals?${PERIOD}`);
  // sales_manager: 2, 4, 6, 10 h; gm: 5, 1 h
  expect(approvals.body.rows).toEqual([
    { level: 'sales_manager', approvals: 4, medianHours: 5, p90Hours: 8.8 },
    { level: 'gm', approvals: 2, medianHours: 3, p90Hours: 4.6 },
  ]);
});

test('deadlines missed per process and state (the SLA heatmap)', async () => {
  const res = await get(`/reports/sla?${PERIOD}`);
  expect(res.body.rows).toEqual([
    { process: 'complaint', state: 'investigating', missed: 2 },
    { process: 'complaint', state: 'received', missed: 1 },
    { process: 'visit', state: 'recording', missed: 1 },
  ]);
});

test('CSV: a header row and RFC 4180 lines, by Accept or ?format=csv; the CLI prints the same', async () => {
  const res = await api.call('GET', `/reports/contracts?${PERIOD}`, { token: t.sam, headers: { accept: 'text/csv' } });
  expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
  expect(res.text).toBe('rep,contracts,amount,earlyPlacements,earlyPlacementsOverdue\r\nrita,3,200000,1,1\r\nray,1,80000,1,0\r\n');
  const byQuery = await get(`/reports/contracts?${PERIOD}&format=csv`);
  expect(byQuery.text).toBe(res.text);
  const config = { ...h.config, databaseUrl: undefined, temporalAddress: '127.0.0.1:1' };
  const cli = await runCli(
    ['--api', api.url, '--token', t.sam!, 'report', 'contracts', '--from', '2024-03-04', '--to', '2024-03-18', '--csv'],
    {
      config,
      cwd: PROJECT_ROOT,
    },
  );
  expect(cli.out).toBe(res.text);
  const table = await runCli(['--api', api.url, '--token', t.sam!, 'report', 'sla', '--from', '2024-03-04', '--to', '2024-03-18'], {
    config,
    cwd: PROJECT_ROOT,
  });
  expect(table.out).toMatch(/complaint\s+investigating\s+2/);
});

test('roles: managers, management and auditors read every report; a rep only their own figures; others are refused and logged', async () => {
  for (const token of [t.sam, t.max, t.mia, t.eve]) {
    for (const name of REPORT_NAMES) expect((await get(`/reports/${name}?${PERIOD}`, token)).status).toBe(200);
  }
  const own = await get(`/reports/targets?${PERIOD}`, t.rita);
  expect(new Set(own.body.rows.map((r: { rep: string }) => r.rep))).toEqual(new Set(['rita']));
  const before = Number((await h.pool.query("SELECT count(*) AS n FROM docket.security_log WHERE code = 'Forbidden'")).rows[0].n);
  const linesBefore = logLines.length;
  expect((await get(`/reports/targets?${PERIOD}&rep=ray`, t.rita)).status).toBe(403);
  expect((await get(`/reports/complaints?${PERIOD}`, t.rita)).status).toBe(403);
  expect((await get(`/reports/sla?${PERIOD}`, t.amy)).status).toBe(403);
  const after = await h.pool.query("SELECT user_id FROM docket.security_log WHERE code = 'Forbidden' ORDER BY id");
  expect(after.rows.slice(before).map((r) => r.user_id)).toEqual(['rita', 'rita', 'amy']);
  // the API's own log has the request lines only, not the refusals' figures or messages
  expect(logLines.slice(linesBefore).join('\n')).not.toMatch(/own figures|may not read/);
});

test('bad input: a clear 400 and nothing run', async () => {
  const cases = [
    ['/reports/targets?groupBy=week', /does not take groupBy/],
    ['/reports/complaints?rep=rita', /does not take rep/],
    ['/reports/complaints?from=2024-03-10&to=2024-03-01', /from .* must be before to/],
    ['/reports/complaints?groupBy=day', /groupBy/],
    ['/reports/complaints?from=yesterday', /from must be a date/],
  ] as const;
  for (const [path, message] of cases) {
    const res = await get(path);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(message);
  }
  expect((await get('/reports/nothing')).status).toBe(400);
});

test('each report’s query reads its period from an index (EXPLAIN)', async () => {
  const pool = createPool({ connectionString: h.config.databaseUrl!, max: 1 });
  try {
    // The tables are small here: forbid sequential scans so the plan shows what the indexes allow.
    await pool.query('SET enable_seqscan = off');
    const reports = new PostgresReports(pool);
    const expected: Record<ReportName, string[]> = {
      targets: [
        // the new-customer visits counted per day and month, and those of the part-days at the ends (migrations 023, 021)
        'report_visit_counts_key',
        'report_events_event_at_idx',
        // each customer's first new-customer visit and first contract won, by time (migration 023)
        'report_first_leads_opened_idx',
        'report_first_wins_at_idx',
        // the intention customers: their grade changes to A with their owners, by time (migration 030)
        'report_intention_a_at_idx',
      ],
      // the complaints opened and closed counted per day and month (migration 026), and those of the
      // part-days at the ends from the complaints kept as the cases change (migration 022)
      complaints: ['report_complaint_counts_key', 'report_cases_opened_idx'],
      'complaint-quality': ['report_closed_counts_key', 'report_cases_closed_idx'],
      // the stays, approvals and counted events kept as the log grows (migration 021), by process and time
      // the lengths counted per month and bin (migration 024), the cut months' rows by process and
      // time, and the rows of the bins that hold the percentiles by state, bin and time
      'state-times': ['report_duration_counts_pkey', 'report_stays_process_left_idx', 'report_stays_bin_idx'],
      // the causes counted per day (migration 023), and those of the part-days at the ends (on these
      // small tables, possibly from the partial index of lost deals' causes by rep)
      'lost-deal-causes': ['report_cause_days_key', 'report_events_(event_at|lost_deal_rep)_idx'],
      // the measures kept as the cases change (migration 022)
      measures: ['report_cases_opened_idx'],
      // the contracts' events counted per day and month (migration 026), and those of the part-days at the ends
      contracts: ['report_contract_counts_key', 'report_events_event_at_idx'],
      'contract-approvals': ['report_duration_counts_pkey', 'report_approvals_at_idx', 'report_approvals_bin_idx'],
      // the escalations counted per day, the cut days' by time, and the repeats (migration 024)
      sla: ['report_escalation_days_pkey', 'report_escalations_created_idx', 'report_escalation_repeats_created_idx'],
    };
    for (const name of REPORT_NAMES) {
      const plan = JSON.stringify(
        await reports.explain(name, { from: new Date('2024-03-04'), to: new Date('2024-03-18'), groupBy: 'month' }),
      );
      for (const index of expected[name]) {
        expect(`${name} ${index}: ${new RegExp(`"Index Name":"${index}"`).test(plan)}`).toBe(`${name} ${index}: true`);
      }
      expect(`${name}: ${/"Node Type":"Seq Scan"/.test(plan)}`).toBe(`${name}: false`);
    }
  } finally {
    await pool.end();
  }
});
