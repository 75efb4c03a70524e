import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { loadCalendar } from '../../client/setup';
import { addBusinessDays } from '../../engine/calendar';
import type { CalendarData } from '../../engine/types';
import { startTimeSkippingEnv } from '../../infra/temporal-env';
import { startTestApi } from '../helpers/api';
import { createHarness, type Harness } from '../helpers/harness';
import { seedCases } from '../helpers/report-seed';

let env: TestWorkflowEnvironment;
/** On the dev server: the scenario and the refusals (the time-skipping server writes a workflow task even for a rejected Update). */
let live: Harness;
/** On the time-skipping server, for the reminders of the measures. */
let h: Harness;
let calendar: CalendarData;
beforeAll(async () => {
  live = await createHarness('lost_deal');
  env = await startTimeSkippingEnv();
  h = await createHarness('lost_deal_deadlines', { env });
  calendar = await loadCalendar(h.config);
}, 600_000);
afterAll(async () => {
  await h?.close();
  await live?.close();
  await env?.teardown();
});

const MINUTE = 60_000;
const DAY = 24 * 3_600_000;
const iso = (t: number) => new Date(t).toISOString();

const rep = { userId: 'ray', role: 'sales_rep' };
const salesHead = { userId: 'sam', role: 'sales_manager' };
const analyst = { userId: 'ana', role: 'analyst' };
const board = { userId: 'mona', role: 'management' };
const owners: Record<string, { userId: string; role: string }> = {
  sales: { userId: 'sue', role: 'dept_owner' },
  finance: { userId: 'fei', role: 'dept_owner' },
  marketing: { userId: 'mark', role: 'dept_owner' },
  rd: { userId: 'rod', role: 'dept_owner' },
};

const info = {
  customerBasics: {
    name: 'Jiahe Furniture',
    contactPerson: 'Mr Wang',
    position: 'Purchasing director',
    phone: '138-0000-0002',
    email: 'wang@jiahe.example',
    industry: 'Home furnishing',
    size: '200 staff',
    scope: 'Furniture retail in East China',
  },
  salesProcess: {
    firstContact: { at: '2026-03-02T10:00:00+08:00', method: 'exhibition', channel: 'Shanghai furniture fair' },
    needs: 'Outdoor advertising along the metro lines',
    proposal: 'Twelve metro light boxes for eight weeks',
    quote: { amount: 480000, currency: 'CNY' },
    milestones: [{ at: '2026-06-15T10:00:00+08:00', description: 'Proposal presented' }],
    decisionMakers: [{ name: 'Mr Wang', position: 'Purchasing director', influence: 'Proposes' }],
    decisionProcess: 'Purchasing proposes, the owner decides',
    competitor: { name: 'Metro Media', product: 'Digital screens', price: 390000, relationship: 'Worked with them last year' },
  },
  lossReasons: { stated: ['Price too high'], inferred: ['The competitor offered digital screens'] },
  customerFeedback: 'Liked the locations, could not justify the price',
  sources: ['interview', 'internal', 'records'],
};

const cause = (dimension: string, weight: 'primary' | 'secondary') => ({
  dimension,
  factor: `${dimension} factor`,
  detail: `What went wrong on ${dimension}`,
  weight,
});

const report = {
  customerOverview: 'Mid-sized furniture retailer, first contact at a fair',
  processOverview: 'Four months from the fair to the decision',
  causeAnalysis: 'Price above the competitor; the competitor offered digital screens',
  recommendations: 'Flexible pricing for mid-sized retailers; a digital offer',
  conclusion: 'Lost on price and product fit',
};

const lostDealInput = (customer: string, lostAt: string) => ({
  customer,
  opportunity: 'Spring outdoor campaign',
  salesRep: 'ray',
  lostAt,
  amount: 480000,
  important: true,
});

async function waitFor<T>(read: () => Promise<T>, done: (v: T) => boolean, what: string, tries = 200): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await read().catch(() => undefined);
    if (v !== undefined && done(v)) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Management names the owner of each department that gets a measure (dept_owner users). */
const ownersNamed = { salesOwner: 'sue', financeOwner: 'fei', marketingOwner: 'mark', rdOwner: 'rod' };

/** A lost deal brought to `improvement`, its report revised once; resolves with the case id once every measure case is running. */
async function toImprovement(on: Harness, lostAt: string, causes: unknown[], expectedKeys: string[]): Promise<string> {
  const { caseId, state } = await on.docket.startCase('lost_deal', lostDealInput(on === live ? 'CUST-3001' : 'CUST-3002', lostAt), rep);
  expect(state).toBe('collectingInfo');
  const steps: Array<[string, Record<string, unknown>, { userId: string; role: string }, string]> = [
    ['SUBMIT_INFO', info, rep, 'supplementing'],
    [
      'SUBMIT_SUPPLEMENT',
      { notes: 'Second interview, with the owner', lossReasons: { stated: ['Price'], inferred: [] } },
      rep,
      'analysis.formingGroup',
    ],
    [
      'FORM_GROUP',
      {
        lead: 'sam',
        members: [
          { userId: 'ana', role: 'marketing' },
          { userId: 'pete', role: 'product' },
          { userId: 'sue', role: 'sales' },
        ],
      },
      salesHead,
      'analysis.consolidating',
    ],
    ['INFO_CONSOLIDATED', { summary: 'Interview notes and CRM records merged' }, analyst, 'analysis.findingCauses'],
    ['CAUSES_IDENTIFIED', { causes }, analyst, 'analysis.reporting'],
    ['SUBMIT_REPORT', report, analyst, 'managementReview'],
    ['REQUEST_REVISION', { feedback: 'Quantify the price gap' }, board, 'analysis.reporting'],
    ['SUBMIT_REPORT', { ...report, causeAnalysis: 'Our price was 23% above the competitor' }, analyst, 'managementReview'],
  ];
  for (const [type, data, actor, expected] of steps) {
    expect((await on.docket.send(caseId, { type, data, actor })).state).toBe(expected);
  }
  if (on === live) {
    // Accepting the report without naming the owners of the departments that get a measure is refused, and changes nothing.
    const before = await on.docket.status(caseId);
    const rows = (await on.history(caseId)).length;
    await expect(on.docket.send(caseId, { type: 'ACCEPT_REPORT', data: { rdOwner: 'rod' }, actor: board })).rejects.toMatchObject({
      code: 'ConditionNotMet',
      message: expect.stringContaining('name the owner (dept_owner) of every department that gets a measure'),
    });
    const after = await on.docket.status(caseId);
    expect([after.state, after.seq, after.context, after.children]).toEqual([before.state, before.seq, before.context, before.children]);
    expect((await on.history(caseId)).length).toBe(rows);
  }
  expect((await on.docket.send(caseId, { type: 'ACCEPT_REPORT', data: ownersNamed, actor: board })).state).toBe('improvement');
  // The measure cases are started one after the other, right after the case enters improvement.
  const status = await waitFor(
    () => on.docket.status(caseId),
    (s) => s.children.length >= expectedKeys.length,
    'the measure cases to start',
  );
  expect(status.state).toBe('improvement');
  expect(status.children.map((c) => [c.key, c.caseId, c.processId, c.status])).toEqual(
    expectedKeys.map((key) => [key, `${caseId}.measures.${key}`, 'improvement_measure', 'open']),
  );
  // Each measure is a case of its own, started by its parent.
  for (const key of expectedKeys) {
    await waitFor(
      () => on.docket.status(`${caseId}.measures.${key}`),
      (s) => s.storedSeq >= 0,
      `the ${key} measure to start`,
    );
  }
  return caseId;
}

/** Each measure is owned by its leading department's owner: price by sales (finance its co-owner), competitor by marketing. */
const measureOwner: Record<string, { userId: string; role: string }> = {
  price: owners.sales!,
  competitor: owners.marketing!,
  product: owners.rd!,
};
const leadingDepartment: Record<string, string> = { price: 'sales', competitor: 'marketing', product: 'rd' };

const planFor = (measure: string, dueDate: string, department = leadingDepartment[measure]!) => ({
  measure,
  department,
  steps: [`${measure}: review what the analysis found`, `${measure}: put the change in place`],
  owner: owners[department]!.userId,
  dueDate,
  expectedEffect: 'Win back mid-sized retailers',
});

test('price and competitor as primary causes: a joint price measure of sales and finance and a competitor measure of marketing in parallel, a revised report, evaluation, lessons shared', async () => {
  const on = live;
  const causes = [cause('price', 'primary'), cause('competitor', 'primary'), cause('service', 'secondary')];
  // Only primary causes get a measure (measuresFor defaults to primary): none for the secondary service cause.
  const caseId = await toImprovement(on, new Date(Date.now() - DAY).toISOString(), causes, ['price', 'competitor']);
  const childId = (key: string) => `${caseId}.measures.${key}`;

  const expectedMeasures: Record<string, Record<string, unknown>> = {
    price: { measure: 'price', department: 'sales', departments: ['sales', 'finance'], owner: 'sue', coOwner: 'fei' },
    competitor: { measure: 'competitor', department: 'marketing', departments: ['marketing'], owner: 'mark' },
  };
  for (const key of ['price', 'competitor']) {
    const child = await on.docket.status(childId(key));
    expect(child).toMatchObject({
      processId: 'improvement_measure',
      definitionVersion: 2,
      state: 'planning',
      status: 'open',
      parent: { caseId, invokeId: 'measures', key },
      context: {
        ...expectedMeasures[key],
        customer: 'CUST-3001',
        opportunity: 'Spring outdoor campaign',
        salesRep: 'ray',
        causes,
        recommendations: report.recommendations,
      },
    });
    expect((await on.docket.store.getCase(childId(key)))?.customerId).toBe('CUST-3001');
  }
  expect((await on.docket.status(childId('competitor'))).context.coOwner).toBeUndefined();

  // Staff send the measures' events to the lost deal; the measure names the measure case, the department one of its departments.
  const due = new Date(Date.now() + 60 * DAY).toISOString();
  for (const key of ['price', 'competitor']) {
    const sent = await on.docket.send(caseId, { type: 'SUBMIT_PLAN', data: planFor(key, due), actor: measureOwner[key]! });
    expect(sent).toMatchObject({ caseId: childId(key), state: 'inProgress', status: 'open' });
  }
  // The joint measure's owner reports finance's part of it.
  await on.docket.send(caseId, {
    type: 'REPORT_PROGRESS',
    data: { measure: 'price', department: 'finance', percent: 50, notes: 'New discount rules drafted' },
    actor: measureOwner.price!,
  });

  // Refusals change nothing: a measure no cause called for, no measure named at all, a role that may not send it,
  // a department that is not the measure's, someone other than the measure's owner.
  const logs = async () => Promise.all([caseId, ...['price', 'competitor'].map(childId)].map(async (id) => (await on.history(id)).length));
  const before = await logs();
  const parentBefore = await on.docket.status(caseId);
  const childrenBefore = await Promise.all(['price', 'competitor'].map((key) => on.docket.status(childId(key))));
  await expect(on.docket.send(caseId, { type: 'SUBMIT_PLAN', data: planFor('product', due), actor: owners.rd! })).rejects.toMatchObject({
    code: 'NotAllowedInState',
    message: expect.stringMatching(/has no open improvement_measure sub-process .*product.*; open: price, competitor$/),
  });
  const { measure: _measure, ...withoutMeasure } = planFor('price', due);
  await expect(on.docket.send(caseId, { type: 'SUBMIT_PLAN', data: withoutMeasure, actor: owners.sales! })).rejects.toMatchObject({
    code: 'ValidationError',
    message: expect.stringContaining('name it with "measure" (open: price, competitor)'),
  });
  await expect(
    on.docket.send(caseId, {
      type: 'REPORT_PROGRESS',
      data: { measure: 'price', department: 'sales', percent: 10, notes: 'x' },
      actor: rep,
    }),
  ).rejects.toMatchObject({ code: 'Forbidden' });
  // Sent straight to a measure, an event naming a department that is not one of its departments is refused by the measure itself.
  await expect(
    on.docket.send(childId('price'), {
      type: 'REPORT_PROGRESS',
      data: { measure: 'price', department: 'marketing', percent: 10, notes: 'x' },
      actor: owners.sales!,
    }),
  ).rejects.toMatchObject({
    code: 'ConditionNotMet',
    message: expect.stringContaining('the event names another measure than this one, or a department that is not one of its departments'),
  });
  // The measure is its owner's: the co-owner (finance) is reminded but does not act on it unless it is handed to them.
  await expect(
    on.docket.send(caseId, {
      type: 'REPORT_PROGRESS',
      data: { measure: 'price', department: 'finance', percent: 60, notes: 'x' },
      actor: owners.finance!,
    }),
  ).rejects.toMatchObject({ code: 'NotAssignee', message: expect.stringContaining('user "sue"') });
  expect(await logs()).toEqual(before);
  const parentAfter = await on.docket.status(caseId);
  expect([parentAfter.state, parentAfter.seq, parentAfter.context]).toEqual([parentBefore.state, parentBefore.seq, parentBefore.context]);
  const childrenAfter = await Promise.all(['price', 'competitor'].map((key) => on.docket.status(childId(key))));
  expect(childrenAfter.map((c) => [c.state, c.seq, c.context])).toEqual(childrenBefore.map((c) => [c.state, c.seq, c.context]));

  // One of the two measures completes: the lost deal stays in improvement.
  await on.docket.send(caseId, {
    type: 'MEASURE_COMPLETED',
    data: { measure: 'price', department: 'sales', result: 'Discount bands for retailers, approved by finance' },
    actor: measureOwner.price!,
  });
  const oneDone = await waitFor(
    () => on.docket.status(caseId),
    (s) => s.children.filter((c) => c.status === 'completed').length === 1,
    'the price measure to report back',
  );
  await new Promise((r) => setTimeout(r, 500));
  const stillOpen = await on.docket.status(caseId);
  expect(stillOpen.state).toBe('improvement');
  expect(stillOpen.children.map((c) => [c.key, c.status])).toEqual([
    ['price', 'completed'],
    ['competitor', 'open'],
  ]);
  expect(oneDone.state).toBe('improvement');
  await expect(
    on.docket.send(caseId, {
      type: 'REPORT_PROGRESS',
      data: { measure: 'price', department: 'sales', percent: 100, notes: 'late' },
      actor: measureOwner.price!,
    }),
  ).rejects.toMatchObject({ code: 'CaseClosed', message: expect.stringContaining(`(case "${childId('price')}")`) });
  // The lost deal's own events wait for the measures.
  await expect(
    on.docket.send(caseId, {
      type: 'SUBMIT_EVALUATION',
      data: {
        before: { sales: 1, satisfaction: 1, marketShare: 1 },
        after: { sales: 1, satisfaction: 1, marketShare: 1 },
        conclusion: 'x',
      },
      actor: board,
    }),
  ).rejects.toMatchObject({ code: 'NotAllowedInState' });

  // The last one: the lost deal moves on to the evaluation.
  await on.docket.send(caseId, {
    type: 'MEASURE_COMPLETED',
    data: { measure: 'competitor', department: 'marketing', result: 'A digital screen package' },
    actor: measureOwner.competitor!,
  });
  const evaluating = await waitFor(
    () => on.docket.status(caseId),
    (s) => s.state === 'evaluating',
    'the lost deal to move to evaluating',
  );
  const measures = evaluating.context.measures as Array<{ key: string; caseId: string; state: string; context: Record<string, unknown> }>;
  expect(measures.map((m) => [m.key, m.caseId, m.state, m.context.result])).toEqual([
    ['price', childId('price'), 'completed', 'Discount bands for retailers, approved by finance'],
    ['competitor', childId('competitor'), 'completed', 'A digital screen package'],
  ]);

  const evaluation = {
    before: { sales: 1200000, satisfaction: 72, marketShare: 8.5 },
    after: { sales: 1450000, satisfaction: 81, marketShare: 10.2 },
    conclusion: 'Two retailers won back',
  };
  expect((await on.docket.send(caseId, { type: 'SUBMIT_EVALUATION', data: evaluation, actor: board })).state).toBe('sharing');
  // The lessons name a typical case of the library (形成案例), through the API, which checks that each
  // entry named is in the library: one that is not is refused and changes nothing.
  const api = await startTestApi(on);
  try {
    const sam = await api.user(salesHead.userId, [salesHead.role]);
    const olga = await api.user('olga', ['process_owner']);
    await seedCases(on, on.pool, [
      {
        caseId: 'complaint-typical',
        processId: 'complaint',
        customerId: 'CUST-3001',
        context: {},
        steps: [
          { event: 'xstate.init', to: 'received', at: '2026-05-01T08:00:00.000Z' },
          { event: 'TO_CLOSED', to: 'closed', at: '2026-05-02T08:00:00.000Z' },
        ],
        completed: true,
      },
    ]);
    const marked = await api.call('POST', '/library', {
      token: olga,
      body: { caseId: 'complaint-typical', title: 'A price gap lost', summary: 'How a price gap lost a retailer', tags: ['price'] },
    });
    expect(marked.status).toBe(201);
    const entryId = marked.body.entry.entryId as string;
    const lessons = (libraryEntries: string[]) =>
      api.call('POST', `/cases/${caseId}/events`, {
        token: sam,
        body: { type: 'LESSONS_SHARED', data: { format: 'case_study', audience: 'cross_department', date: '2026-12-01', libraryEntries } },
      });
    const before = (await on.history(caseId)).length;
    const unknown = await lessons([entryId, 'lib-nothere00000']);
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.code).toBe('UnknownLibraryEntry');
    expect((await on.history(caseId)).length).toBe(before);
    expect((await on.docket.status(caseId)).state).toBe('sharing');
    const closed = await lessons([entryId]);
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ state: 'closed', status: 'completed' });
    expect((await on.history(caseId)).at(-1)!.payload).toMatchObject({ libraryEntries: [entryId] });
  } finally {
    await api.close();
  }

  const final = await on.docket.status(caseId);
  expect(final.context).toMatchObject({
    revisions: 1,
    reportSubmissions: 2,
    revisionRequests: [{ feedback: 'Quantify the price gap', by: 'mona' }],
    causes,
    evaluationBefore: evaluation.before,
    evaluationAfter: evaluation.after,
    lessonsFormat: 'case_study',
    lessonsAudience: 'cross_department',
    lessonsSharedBy: 'sam',
  });
  const log = await on.history(caseId);
  expect(log.map((r) => [r.event, r.fromState, r.toState])).toEqual([
    ['xstate.init', null, 'collectingInfo'],
    // lostAt was a day ago: the information is not late yet.
    ['SUBMIT_INFO', 'collectingInfo', 'supplementing'],
    ['SUBMIT_SUPPLEMENT', 'supplementing', 'analysis.formingGroup'],
    ['FORM_GROUP', 'analysis.formingGroup', 'analysis.consolidating'],
    ['INFO_CONSOLIDATED', 'analysis.consolidating', 'analysis.findingCauses'],
    ['CAUSES_IDENTIFIED', 'analysis.findingCauses', 'analysis.reporting'],
    ['SUBMIT_REPORT', 'analysis.reporting', 'managementReview'],
    ['REQUEST_REVISION', 'managementReview', 'analysis.reporting'],
    ['SUBMIT_REPORT', 'analysis.reporting', 'managementReview'],
    ['ACCEPT_REPORT', 'managementReview', 'improvement'],
    ['done:measures', 'improvement', 'evaluating'],
    ['SUBMIT_EVALUATION', 'evaluating', 'sharing'],
    ['LESSONS_SHARED', 'sharing', 'closed'],
  ]);
  expect(log.find((r) => r.event === 'done:measures')?.actor).toEqual({ userId: 'system', role: 'system' });

  // Each measure has its own transition log, with the staff who acted.
  const childLog = async (key: string) => (await on.history(childId(key))).map((r) => [r.event, r.fromState, r.toState, r.actor.userId]);
  expect(await childLog('price')).toEqual([
    ['xstate.init', null, 'planning', 'system'],
    ['SUBMIT_PLAN', 'planning', 'inProgress', 'sue'],
    ['REPORT_PROGRESS', 'inProgress', 'inProgress', 'sue'],
    ['MEASURE_COMPLETED', 'inProgress', 'completed', 'sue'],
  ]);
  expect(await childLog('competitor')).toEqual([
    ['xstate.init', null, 'planning', 'system'],
    ['SUBMIT_PLAN', 'planning', 'inProgress', 'mark'],
    ['MEASURE_COMPLETED', 'inProgress', 'completed', 'mark'],
  ]);
  expect((await on.history(childId('price'))).map((r) => r.processId)).toEqual(Array(4).fill('improvement_measure'));
  expect((await on.docket.store.getCase(childId('competitor')))?.status).toBe('completed');
  expect((await on.docket.store.getCase(caseId))?.status).toBe('completed');
}, 180_000);

test('CAUSES_IDENTIFIED without a primary cause is refused in words and changes nothing', async () => {
  const on = live;
  const { caseId } = await on.docket.startCase(
    'lost_deal',
    { ...lostDealInput('CUST-3001', new Date().toISOString()), important: false },
    rep,
  );
  // The nested schemas are checked in the case itself: a malformed e-mail address is refused, and nothing changes.
  const badEmail = { ...info, customerBasics: { ...info.customerBasics, email: 'wang at jiahe' } };
  await expect(on.docket.send(caseId, { type: 'SUBMIT_INFO', data: badEmail, actor: rep })).rejects.toMatchObject({
    code: 'ValidationError',
    message: expect.stringContaining('customerBasics.email'),
  });
  const { sources: _sources, ...noSources } = info;
  await expect(on.docket.send(caseId, { type: 'SUBMIT_INFO', data: noSources, actor: rep })).rejects.toMatchObject({
    code: 'ValidationError',
    message: expect.stringContaining('sources'),
  });
  expect((await on.history(caseId)).map((r) => r.event)).toEqual(['xstate.init']);
  await on.docket.send(caseId, { type: 'SUBMIT_INFO', data: info, actor: rep });
  await on.docket.send(caseId, {
    type: 'FORM_GROUP',
    data: { lead: 'sam', members: [{ userId: 'ana', role: 'service' }] },
    actor: salesHead,
  });
  await on.docket.send(caseId, { type: 'INFO_CONSOLIDATED', data: {}, actor: analyst });
  const before = await on.docket.status(caseId);
  const rows = (await on.history(caseId)).length;
  await expect(
    on.docket.send(caseId, {
      type: 'CAUSES_IDENTIFIED',
      data: { causes: [cause('price', 'secondary'), cause('service', 'secondary')] },
      actor: analyst,
    }),
  ).rejects.toMatchObject({
    code: 'ConditionNotMet',
    message:
      'CAUSES_IDENTIFIED cannot be applied in state "analysis.findingCauses": at least one cause must have weight primary (condition hasPrimaryCause)',
  });
  const after = await on.docket.status(caseId);
  expect([after.state, after.seq, after.context, after.deadlines]).toEqual([before.state, before.seq, before.context, before.deadlines]);
  expect((await on.history(caseId)).length).toBe(rows);
  // The same analyst with one primary cause goes on.
  const ok = await on.docket.send(caseId, {
    type: 'CAUSES_IDENTIFIED',
    data: { causes: [cause('price', 'secondary'), cause('service', 'primary')] },
    actor: analyst,
  });
  expect(ok.state).toBe('analysis.reporting');
}, 60_000);

test('a measure cannot be started on its own', async () => {
  await expect(
    live.docket.startCase(
      'improvement_measure',
      { measure: 'price', department: 'sales', departments: ['sales', 'finance'], owner: 'sue', customer: 'CUST-3001' },
      owners.sales!,
    ),
  ).rejects.toMatchObject({ code: 'Forbidden', message: expect.stringContaining('runs only as a sub-process') });
});

describe('the measures remind on their own clocks', () => {
  /** Skips server time to just past `at`. */
  async function skipPast(at: string) {
    const ms = Date.parse(at) - (await env.currentTimeMs()) + MINUTE;
    if (ms > 0) await env.sleep(ms);
  }
  const deadlinesOf = async (caseId: string) =>
    Object.fromEntries((await h.docket.status(caseId)).deadlines.map((d) => [d.delay, d.dueAt])) as Record<string, string>;
  const templates = async (caseId: string) => (await h.outbox(caseId)).map((r) => [r.kind, r.template, r.recipients]);

  test('progress reminders every 10 business days until the measure completes; the plan due date reminds and escalates', async () => {
    const now = await env.currentTimeMs();
    const caseId = await toImprovement(h, iso(now), [cause('price', 'primary'), cause('competitor', 'primary')], ['price', 'competitor']);
    // Marketing's competitor measure, and the joint price measure of sales (its owner) and finance (its co-owner).
    const competitor = `${caseId}.measures.competitor`;
    const price = `${caseId}.measures.price`;

    // The price measure is planned to be done in a week, the competitor measure in four months.
    const priceDue = iso(Math.ceil(((await env.currentTimeMs()) + 7 * DAY) / 3_600_000) * 3_600_000);
    const competitorDue = iso((await env.currentTimeMs()) + 120 * DAY);
    await h.docket.send(caseId, { type: 'SUBMIT_PLAN', data: planFor('price', priceDue), actor: measureOwner.price! });
    await h.docket.send(caseId, { type: 'SUBMIT_PLAN', data: planFor('competitor', competitorDue), actor: measureOwner.competitor! });
    const planned = Date.parse((await h.docket.status(competitor)).context.planSubmittedAt as string);
    const competitorDeadlines = await deadlinesOf(competitor);
    expect(competitorDeadlines).toEqual({ measureDue: competitorDue, progressReminder: iso(addBusinessDays(calendar, planned, 10)) });
    expect((await deadlinesOf(price)).measureDue).toBe(priceDue);

    // The price measure's due date passes: its owner and co-owner are reminded and management escalated to; the case stays in progress.
    await skipPast(priceDue);
    const overdue = await waitFor(
      () => templates(price),
      (rows) => rows.length === 2,
      'the due-date reminder and escalation',
    );
    expect(overdue).toEqual([
      [
        'reminder',
        'measureDue',
        [
          { role: 'dept_owner', userId: 'sue' },
          { role: 'dept_owner', userId: 'fei' },
        ],
      ],
      ['escalation', 'measureOverdue', [{ role: 'management' }]],
    ]);
    expect((await h.docket.status(price)).state).toBe('inProgress');
    expect(await templates(competitor)).toEqual([]);

    // The first progress reminder, to both open measures.
    const first = competitorDeadlines.progressReminder!;
    await skipPast(first);
    await waitFor(
      () => templates(competitor),
      (rows) => rows.length === 1,
      'the first progress reminder',
    );
    await waitFor(
      () => templates(price),
      (rows) => rows.length === 3,
      "the price measure's progress reminder",
    );
    // The competitor measure has no co-owner: its owner alone is reminded, not every department owner.
    expect(await templates(competitor)).toEqual([['reminder', 'measureProgressDue', [{ role: 'dept_owner', userId: 'mark' }]]]);
    // It re-armed itself for 10 business days later, and the price measure's passed due date did not escalate again.
    const second = (await deadlinesOf(competitor)).progressReminder!;
    expect(Math.abs(Date.parse(second) - addBusinessDays(calendar, Date.parse(first), 10))).toBeLessThan(MINUTE);
    expect((await templates(price)).map((r) => r[1])).toEqual(['measureDue', 'measureOverdue', 'measureProgressDue']);

    // The price measure completes; the competitor measure is reminded a second time, the price measure no more.
    await h.docket.send(caseId, {
      type: 'MEASURE_COMPLETED',
      data: { measure: 'price', department: 'sales', result: 'Bands approved' },
      actor: measureOwner.price!,
    });
    expect(await deadlinesOf(price)).toEqual({});
    await skipPast(second);
    await waitFor(
      () => templates(competitor),
      (rows) => rows.length === 2,
      'the second progress reminder',
    );
    expect((await templates(price)).length).toBe(3);

    // The competitor measure completes: no more reminders, and the lost deal moves on.
    const third = (await deadlinesOf(competitor)).progressReminder!;
    await h.docket.send(caseId, {
      type: 'MEASURE_COMPLETED',
      data: { measure: 'competitor', department: 'marketing', result: 'A digital screen package' },
      actor: measureOwner.competitor!,
    });
    expect(await deadlinesOf(competitor)).toEqual({});
    await waitFor(
      () => h.docket.status(caseId),
      (s) => s.state === 'evaluating',
      'the lost deal to move to evaluating',
    );
    await skipPast(third);
    await new Promise((r) => setTimeout(r, 500));
    expect((await templates(competitor)).map((r) => r[1])).toEqual(['measureProgressDue', 'measureProgressDue']);

    const competitorLog = (await h.history(competitor)).map((r) => r.event);
    expect(competitorLog).toEqual(['xstate.init', 'SUBMIT_PLAN', 'after:progressReminder', 'after:progressReminder', 'MEASURE_COMPLETED']);
    expect((await h.history(price)).map((r) => r.event)).toEqual([
      'xstate.init',
      'SUBMIT_PLAN',
      'after:measureDue',
      'after:progressReminder',
      'MEASURE_COMPLETED',
    ]);
    expect((await h.docket.status(competitor)).context).toMatchObject({ progressReminders: 2, dueEscalated: false });
  }, 300_000);
});
