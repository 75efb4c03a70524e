import type { CustomerTimeline } from '../../cli/customer';
import type { TransitionRecord } from '../../engine/types';
import { PROJECT_ROOT } from '../../config';
import { startTestApi, type TestApi } from '../helpers/api';
import { runCli, type CliRun } from '../helpers/cli';
import { complaintInput, createHarness, cs, handler, type Harness } from '../helpers/harness';

let h: Harness;
let api: TestApi;
beforeAll(async () => {
  h = await createHarness('customer_timeline');
  api = await startTestApi(h);
});
afterAll(async () => {
  await api?.close();
  await h?.close();
});

const rep = { userId: 'ray', role: 'sales_rep' };
const CUSTOMER = 'CUST-3001';

/** The transitions of a timeline (it has no contacts here). */
const transitions = (t: CustomerTimeline): TransitionRecord[] => t.entries.flatMap((e) => (e.kind === 'transition' ? [e] : []));

/** `docket …` in-process, straight on the database (an operator's `--direct`). */
function docket(...argv: string[]): Promise<CliRun> {
  return runCli(['--direct', ...argv], { config: h.config, cwd: PROJECT_ROOT });
}

/** `docket …` in-process over the HTTP API, as the holder of `token`. */
function overApi(token: string, ...argv: string[]): Promise<CliRun> {
  const config = { ...h.config, databaseUrl: undefined, temporalAddress: '127.0.0.1:1' };
  return runCli(['--api', api.url, '--token', token, ...argv], { config, cwd: PROJECT_ROOT });
}

const visitInput = { customer: CUSTOMER, visitType: 'existing_customer', owner: 'ray', purpose: 'Talk through the complaint in person' };
const plan = {
  background: { industry: 'Retail', company: 'Huamei Stores' },
  objectives: ['trust'],
  agenda: { time: '2030-01-01T02:00:00Z', place: 'Head office', attendees: ['ray'], form: 'meeting' },
};

let complaintId: string;
let visitId: string;
let otherId: string;

beforeAll(async () => {
  // A complaint and a visit of the same customer, worked on in turns; a case of another customer besides.
  complaintId = (await h.docket.startCase('complaint', { ...complaintInput, customer: CUSTOMER }, cs)).caseId;
  visitId = (await h.docket.startCase('visit', visitInput, rep)).caseId;
  otherId = (await h.docket.startCase('complaint', { ...complaintInput, customer: 'CUST-9999' }, cs)).caseId;
  await h.docket.send(complaintId, { type: 'ACCEPT', data: { department: 'after_sales', assignee: 'bob' }, actor: cs });
  await h.docket.send(visitId, { type: 'SUBMIT_PLAN', data: plan, actor: rep });
  await h.docket.send(complaintId, {
    type: 'SUBMIT_FINDINGS',
    data: { findings: 'Cracked door', customerExpectation: 'Replacement' },
    actor: handler,
  });
  await h.docket.send(otherId, { type: 'ACCEPT', data: { department: 'after_sales', assignee: 'bob' }, actor: cs });
  const scheduledAt = new Date(Date.now() + 20 * 24 * 3_600_000).toISOString();
  await h.docket.send(visitId, { type: 'APPOINTMENT_CONFIRMED', data: { scheduledAt, contactPhone: '138-0000-0009' }, actor: rep });
});

test('a complaint and a visit of the same customer appear in one timeline, newest first', async () => {
  const run = await docket('customer', CUSTOMER, '--json');
  expect({ code: run.code, err: run.err }).toEqual({ code: 0, err: '' });
  const timeline = JSON.parse(run.out) as CustomerTimeline;
  expect(timeline.customerId).toBe(CUSTOMER);
  expect(timeline.customer).toBeNull();
  expect(timeline.entries.every((e) => e.kind === 'transition')).toBe(true);
  expect(timeline.cases.map((c) => [c.caseId, c.processId, c.state]).sort()).toEqual(
    [
      [complaintId, 'complaint', 'planning'],
      [visitId, 'visit', 'confirmed'],
    ].sort(),
  );

  // Every transition of both cases, and nothing of the other customer's.
  const expected = [...(await h.history(complaintId)), ...(await h.history(visitId))];
  expect(timeline.entries).toHaveLength(expected.length);
  expect(
    transitions(timeline)
      .map((e) => `${e.caseId}#${e.seq}`)
      .sort(),
  ).toEqual(expected.map((e) => `${e.caseId}#${e.seq}`).sort());
  expect(timeline.entries.some((e) => 'caseId' in e && e.caseId === otherId)).toBe(false);

  // Newest first: the last thing done (the visit's appointment) leads, the complaint's opening closes the list.
  const times = timeline.entries.map((e) => Date.parse(e.at));
  expect(times).toEqual([...times].sort((a, b) => b - a));
  expect(transitions(timeline).map((e) => [e.processId, e.event])).toEqual([
    ['visit', 'APPOINTMENT_CONFIRMED'],
    ['complaint', 'SUBMIT_FINDINGS'],
    ['visit', 'SUBMIT_PLAN'],
    ['complaint', 'ACCEPT'],
    ['visit', 'xstate.init'],
    ['complaint', 'xstate.init'],
  ]);
  expect(timeline.entries[0]).toMatchObject({ actor: rep, fromState: 'scheduling', toState: 'confirmed', definitionVersion: 2 });
});

test('the human output is a table with labels in both languages', async () => {
  const run = await docket('customer', CUSTOMER);
  expect(run.code).toBe(0);
  const lines = run.out.split('\n');
  expect(lines[0]).toBe(`Customer ${CUSTOMER} (no record): 2 cases, 6 transitions, 0 contacts`);
  expect(run.out).toMatch(/TIME \(Asia\/Shanghai\) +PROCESS +CASE +EVENT +ACTOR \(ROLE\) +FROM → TO/);
  const row = (caseId: string, event: string) => lines.find((l) => l.includes(caseId) && l.includes(` ${event} `)) ?? '';
  expect(row(visitId, 'APPOINTMENT_CONFIRMED')).toMatch(
    /visit +visit-\S+ +APPOINTMENT_CONFIRMED \(Appointment confirmed \/ 预约已确认\) +ray \(sales_rep\) +scheduling → confirmed/,
  );
  expect(row(complaintId, 'SUBMIT_FINDINGS')).toMatch(
    /complaint +complaint-\S+ +SUBMIT_FINDINGS \(Submit findings \/ 提交调查结果\) +bob \(handler\) +investigating → planning/,
  );
  expect(row(complaintId, 'xstate.init')).toMatch(/xstate\.init \(case opened\) +amy \(cs_agent\) +\(start\) → received/);
  // The cases table describes each state with its labels.
  expect(run.out).toMatch(
    new RegExp(`${visitId} +visit v2 · Client site visit / 客户拜访 +confirmed \\(Appointment confirmed / 已预约\\) +open`),
  );
  expect(run.out).toMatch(
    new RegExp(`${complaintId} +complaint v2 · Complaint handling / 客户投诉处理 +planning \\(Planning a resolution / 解决方案制定\\)`),
  );
  // Newest first in the text too.
  const visitLine = lines.findIndex((l) => l.includes(visitId) && l.includes('APPOINTMENT_CONFIRMED'));
  const complaintLine = lines.findIndex((l) => l.includes(complaintId) && l.includes('xstate.init'));
  expect(visitLine).toBeGreaterThan(0);
  expect(complaintLine).toBeGreaterThan(visitLine);
  expect(run.out).not.toContain(otherId);

  const limited = await docket('customer', CUSTOMER, '--limit', '2', '--json');
  expect(transitions(JSON.parse(limited.out) as CustomerTimeline).map((e) => e.event)).toEqual([
    'APPOINTMENT_CONFIRMED',
    'SUBMIT_FINDINGS',
  ]);
});

test('an unknown customer gives an empty timeline and says so; it is not an error', async () => {
  const json = await docket('customer', 'CUST-NOBODY', '--json');
  expect(json.code).toBe(0);
  expect(JSON.parse(json.out)).toEqual({ customerId: 'CUST-NOBODY', customer: null, cases: [], entries: [], nextCursor: null });
  const text = await docket('customer', 'CUST-NOBODY');
  expect(text.code).toBe(0);
  expect(text.err).toBe('');
  expect(text.out).toBe('No cases or contacts for customer "CUST-NOBODY" (no record).\n');
});

test('over the API every role that deals with customers sees every case; payloads of processes it may not open are left out', async () => {
  const auditor = await api.user('eve', ['auditor']);
  const all = await overApi(auditor, 'customer', CUSTOMER, '--json');
  expect({ code: all.code, err: all.err }).toEqual({ code: 0, err: '' });
  const direct = JSON.parse((await docket('customer', CUSTOMER, '--json')).out) as CustomerTimeline;
  const viaApi = JSON.parse(all.out) as CustomerTimeline;
  expect(transitions(viaApi).map((e) => [e.caseId, e.seq, e.event])).toEqual(transitions(direct).map((e) => [e.caseId, e.seq, e.event]));
  expect(viaApi.cases.map((c) => c.caseId).sort()).toEqual(direct.cases.map((c) => c.caseId).sort());

  // A sales rep's role appears in the visit process only, yet the rep sees the complaint too, without its details.
  const salesRep = await api.user('ray', ['sales_rep']);
  const mine = JSON.parse((await overApi(salesRep, 'customer', CUSTOMER, '--json')).out) as CustomerTimeline;
  expect(transitions(mine).map((e) => [e.caseId, e.seq, e.event])).toEqual(transitions(direct).map((e) => [e.caseId, e.seq, e.event]));
  expect(mine.cases.map((c) => c.caseId).sort()).toEqual([complaintId, visitId].sort());
  const accept = (t: CustomerTimeline) => transitions(t).find((e) => e.caseId === complaintId && e.event === 'ACCEPT');
  expect(accept(direct)?.payload).toMatchObject({ department: 'after_sales', assignee: 'bob' });
  expect(accept(mine)?.payload).toEqual({});
  expect(transitions(mine).find((e) => e.event === 'SUBMIT_PLAN')?.payload).toEqual(
    transitions(direct).find((e) => e.event === 'SUBMIT_PLAN')?.payload,
  );

  const text = await overApi(auditor, 'customer', CUSTOMER);
  expect(text.code).toBe(0);
  expect(text.out).toContain('APPOINTMENT_CONFIRMED (Appointment confirmed / 预约已确认)');
  expect(text.out).toContain('SUBMIT_FINDINGS (Submit findings / 提交调查结果)');
});
