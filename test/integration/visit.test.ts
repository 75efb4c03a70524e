import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { loadCalendar } from '../../client/setup';
import { addBusinessDays } from '../../engine/calendar';
import type { CalendarData } from '../../engine/types';
import { startTimeSkippingEnv } from '../../infra/temporal-env';
import { createHarness, skipPast, waitFor, type Harness } from '../helpers/harness';

let env: TestWorkflowEnvironment;
/** On the time-skipping server, for deadlines. */
let h: Harness;
/** On the dev server: the time-skipping server writes a workflow task to history even for a rejected Update. */
let live: Harness;
let calendar: CalendarData;
beforeAll(async () => {
  env = await startTimeSkippingEnv();
  h = await createHarness('visit', { env });
  live = await createHarness('visit_refusals');
  calendar = await loadCalendar(h.config);
}, 600_000);
afterAll(async () => {
  await h?.close();
  await live?.close();
  await env?.teardown();
});

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const rep = { userId: 'ray', role: 'sales_rep' };
const manager = { userId: 'mia', role: 'sales_manager' };
const cs = { userId: 'amy', role: 'cs_agent' };

const visitInput = {
  customer: 'CUST-2001',
  visitType: 'new_customer',
  owner: 'ray',
  purpose: 'Introduce the spring advertising packages',
};

const plan = (objectives: string[]) => ({
  background: { industry: 'Home furnishing', company: 'Jiahe Furniture, 200 staff', keyPeople: 'Mr Wang, purchasing' },
  objectives,
  agenda: { time: '2030-01-01T02:00:00Z', place: 'Customer office', attendees: ['ray', 'Mr Wang'], form: 'meeting' },
  materials: ['Rate card'],
  roles: [{ person: 'ray', role: 'presents' }],
  anticipatedQuestions: ['Discount for a year?'],
});

const record = {
  discussion: 'Walked through the packages',
  keyFigures: [{ name: 'Budget', value: '300000 CNY' }],
  keyPointFeedback: 'Decision in March',
  businessCardCollected: true,
  nextSteps: 'Send a quote',
};

/** A whole hour `days` days from the server's current time. */
async function inDays(days: number): Promise<string> {
  const now = await env.currentTimeMs();
  return new Date(Math.ceil((now + days * DAY) / HOUR) * HOUR).toISOString();
}

/** A whole hour `days` days from now, on the dev server (real time). */
function liveInDays(days: number): string {
  return new Date(Math.ceil((Date.now() + days * DAY) / HOUR) * HOUR).toISOString();
}

async function deadlinesOf(caseId: string): Promise<Record<string, string>> {
  const status = await h.docket.status(caseId);
  return Object.fromEntries(status.deadlines.map((d) => [d.delay, d.dueAt]));
}

const iso = (t: number) => new Date(t).toISOString();
const reconfirmAt = (scheduledAt: string) => iso(addBusinessDays(calendar, Date.parse(scheduledAt), -5));
const callAt = (scheduledAt: string) => iso(Date.parse(scheduledAt) - HOUR);

async function scheduled(input: Record<string, unknown> = visitInput, on: Harness = h): Promise<string> {
  const { caseId, state } = await on.docket.startCase('visit', input, rep);
  expect(state).toBe('planning');
  expect((await on.docket.send(caseId, { type: 'SUBMIT_PLAN', data: plan(['needs', 'trust']), actor: rep })).state).toBe('scheduling');
  return caseId;
}

test('a visit rescheduled twice: the old reminders are cancelled, the new ones fire', async () => {
  const caseId = await scheduled();
  const first = await inDays(30);
  await h.docket.send(caseId, { type: 'APPOINTMENT_CONFIRMED', data: { scheduledAt: first, contactPhone: '138-0000-0001' }, actor: rep });
  expect(await deadlinesOf(caseId)).toEqual({ reconfirmReminder: reconfirmAt(first), callReminder: callAt(first) });

  const second = await inDays(60);
  const moved = await h.docket.send(caseId, { type: 'RESCHEDULE', data: { scheduledAt: second, customerAgreed: true }, actor: rep });
  expect(moved.state).toBe('confirmed');
  expect(await deadlinesOf(caseId)).toEqual({ reconfirmReminder: reconfirmAt(second), callReminder: callAt(second) });

  // The first appointment's reminders would have fallen due by now: they were cancelled.
  await skipPast(env, first);
  await new Promise((r) => setTimeout(r, 500));
  expect(await h.outbox(caseId)).toEqual([]);
  expect((await h.history(caseId)).filter((r) => r.event.startsWith('after:'))).toEqual([]);

  const third = await inDays(25);
  await h.docket.send(caseId, { type: 'RESCHEDULE', data: { scheduledAt: third, customerAgreed: true }, actor: rep });
  expect(await deadlinesOf(caseId)).toEqual({ reconfirmReminder: reconfirmAt(third), callReminder: callAt(third) });
  const status = await h.docket.status(caseId);
  expect(status.context).toMatchObject({ scheduledAt: third, reschedules: 2 });
  expect((status.context.appointments as Array<{ scheduledAt: string; event: string }>).map((a) => [a.event, a.scheduledAt])).toEqual([
    ['APPOINTMENT_CONFIRMED', first],
    ['RESCHEDULE', second],
    ['RESCHEDULE', third],
  ]);

  // Running late keeps the appointment and its reminders, and asks the rep to call the customer.
  const eta = iso(Date.parse(third) + 30 * MINUTE);
  expect((await h.docket.send(caseId, { type: 'RUNNING_LATE', data: { eta }, actor: rep })).state).toBe('confirmed');
  expect(await deadlinesOf(caseId)).toEqual({ reconfirmReminder: reconfirmAt(third), callReminder: callAt(third) });
  const late = await waitFor(
    () => h.outbox(caseId),
    (rows) => rows.length === 1,
    'the running-late notification',
  );
  expect(late).toEqual([
    { id: expect.any(String), kind: 'info', template: 'runningLate', recipients: [{ role: 'sales_rep', userId: 'ray' }] },
  ]);

  // The reconfirmation reminder of the last appointment fires, 5 business days before it.
  await skipPast(env, reconfirmAt(third));
  const reminded = await waitFor(
    () => h.outbox(caseId),
    (rows) => rows.length === 2,
    'the reconfirmation reminder',
  );
  expect(reminded[1]).toMatchObject({
    kind: 'reminder',
    template: 'reconfirmAppointment',
    recipients: [{ role: 'sales_rep', userId: 'ray' }],
  });
  expect(await deadlinesOf(caseId)).toEqual({ callReminder: callAt(third) });

  // And the call reminder, an hour before.
  await skipPast(env, callAt(third));
  const called = await waitFor(
    () => h.outbox(caseId),
    (rows) => rows.length === 3,
    'the call reminder',
  );
  expect(called[2]).toMatchObject({ kind: 'reminder', template: 'callBeforeVisit', recipients: [{ role: 'sales_rep', userId: 'ray' }] });
  expect(await deadlinesOf(caseId)).toEqual({});

  const log = await h.history(caseId);
  expect(log.map((r) => [r.event, r.fromState, r.toState])).toEqual([
    ['xstate.init', null, 'planning'],
    ['SUBMIT_PLAN', 'planning', 'scheduling'],
    ['APPOINTMENT_CONFIRMED', 'scheduling', 'confirmed'],
    ['RESCHEDULE', 'confirmed', 'confirmed'],
    ['RESCHEDULE', 'confirmed', 'confirmed'],
    ['RUNNING_LATE', 'confirmed', 'confirmed'],
    ['after:reconfirmReminder', 'confirmed', 'confirmed'],
    ['after:callReminder', 'confirmed', 'confirmed'],
  ]);
  expect(log.filter((r) => r.event.startsWith('after:')).map((r) => r.actor)).toEqual([
    { userId: 'system', role: 'system' },
    { userId: 'system', role: 'system' },
  ]);
  // The reminders fired at their own times, not at the cancelled appointments' times.
  const fired = log.filter((r) => r.event.startsWith('after:'));
  expect(Date.parse(fired[0]!.at)).toBeGreaterThanOrEqual(Date.parse(reconfirmAt(third)));
  expect(Date.parse(fired[1]!.at)).toBeGreaterThanOrEqual(Date.parse(callAt(third)));

  // Cancelling ends the case and its deadlines.
  const cancelled = await h.docket.send(caseId, { type: 'CANCEL', data: { reason: 'Customer postponed the project' }, actor: rep });
  expect(cancelled).toMatchObject({ state: 'cancelled', status: 'completed' });
  expect((await h.docket.status(caseId)).context).toMatchObject({
    cancellationReason: 'Customer postponed the project',
    cancelledBy: 'ray',
  });
});

test('an appointment made less than 5 business days ahead is reconfirmed at once, then gets the call reminder', async () => {
  const caseId = await scheduled();
  const soon = await inDays(2);
  expect(Date.parse(reconfirmAt(soon))).toBeLessThan(await env.currentTimeMs());
  await h.docket.send(caseId, { type: 'APPOINTMENT_CONFIRMED', data: { scheduledAt: soon, contactPhone: '138-0000-0005' }, actor: rep });
  // Version 2 reconfirms every appointment: the reconfirmation's time has passed already, so its reminder comes at once.
  const reminded = await waitFor(
    () => h.outbox(caseId),
    (r) => r.length > 0,
    'the reconfirmation reminder',
  );
  expect(reminded.map((r) => [r.kind, r.template, r.recipients])).toEqual([
    ['reminder', 'reconfirmAppointment', [{ role: 'sales_rep', userId: 'ray' }]],
  ]);
  expect(Date.parse(soon) - (await env.currentTimeMs())).toBeGreaterThan(DAY);
  expect(await deadlinesOf(caseId)).toEqual({ callReminder: callAt(soon) });
  const reconfirmed = await h.docket.send(caseId, { type: 'RECONFIRMED', data: { note: 'Mr Wang confirmed 10:00' }, actor: rep });
  expect(reconfirmed.state).toBe('confirmed');
  expect((await h.docket.status(caseId)).context).toMatchObject({
    reconfirmedBy: 'ray',
    reconfirmedFor: soon,
    reconfirmations: [{ scheduledAt: soon, note: 'Mr Wang confirmed 10:00', by: 'ray' }],
  });
  expect(await deadlinesOf(caseId)).toEqual({ callReminder: callAt(soon) });

  await skipPast(env, soon);
  const rows = await waitFor(
    () => h.outbox(caseId),
    (r) => r.length > 1,
    'the call reminder',
  );
  await new Promise((r) => setTimeout(r, 300));
  expect((await h.outbox(caseId)).map((r) => r.template)).toEqual(['reconfirmAppointment', 'callBeforeVisit']);
  expect(rows).toHaveLength(2);
  expect((await h.history(caseId)).filter((r) => r.event.startsWith('after:')).map((r) => r.event)).toEqual([
    'after:reconfirmReminder',
    'after:callReminder',
  ]);
  expect(await deadlinesOf(caseId)).toEqual({});
});

test('the customer is absent and a note is left: a new appointment, the visit, its record and the follow-up', async () => {
  const caseId = await scheduled();
  const first = await inDays(10);
  await h.docket.send(caseId, { type: 'APPOINTMENT_CONFIRMED', data: { scheduledAt: first, contactPhone: '138-0000-0002' }, actor: rep });
  await skipPast(env, first);
  await waitFor(
    () => h.outbox(caseId),
    (rows) => rows.length === 2,
    'the reminders of the first appointment',
  );
  await h.docket.send(caseId, { type: 'ARRIVED', data: { at: await inDays(0) }, actor: rep });
  expect((await h.docket.send(caseId, { type: 'CUSTOMER_ABSENT', data: {}, actor: rep })).state).toBe('customerAbsent');

  // Knock, wait, and after 3 minutes the rep is told to call.
  const { absentCall } = await deadlinesOf(caseId);
  expect(Date.parse(absentCall!) - (await env.currentTimeMs())).toBeLessThanOrEqual(3 * MINUTE);
  await skipPast(env, absentCall!);
  const afterCall = await waitFor(
    () => h.outbox(caseId),
    (rows) => rows.length === 3,
    'the call reminder at the door',
  );
  expect(afterCall[2]).toMatchObject({
    kind: 'reminder',
    template: 'callAbsentCustomer',
    recipients: [{ role: 'sales_rep', userId: 'ray' }],
  });

  const noted = await h.docket.send(caseId, { type: 'NOTE_LEFT', data: { note: 'Left a note with the reception' }, actor: rep });
  expect(noted.state).toBe('scheduling');
  expect(await deadlinesOf(caseId)).toEqual({});

  const second = await inDays(12);
  await h.docket.send(caseId, { type: 'APPOINTMENT_CONFIRMED', data: { scheduledAt: second, contactPhone: '138-0000-0002' }, actor: rep });
  expect(await deadlinesOf(caseId)).toEqual({ reconfirmReminder: reconfirmAt(second), callReminder: callAt(second) });
  await h.docket.send(caseId, { type: 'ARRIVED', data: { at: second }, actor: rep });
  expect(await deadlinesOf(caseId)).toEqual({});
  const done = await h.docket.send(caseId, { type: 'VISIT_DONE', data: {}, actor: rep });
  expect(done.state).toBe('recording');

  // Record within 1 business day (reminder), then escalation to the sales manager.
  const visitDoneAt = (await h.docket.status(caseId)).context.visitDoneAt as string;
  const recordDeadlines = await deadlinesOf(caseId);
  expect(recordDeadlines).toEqual({
    recordReminder: iso(addBusinessDays(calendar, Date.parse(visitDoneAt), 1)),
    recordEscalation: iso(addBusinessDays(calendar, Date.parse(visitDoneAt), 2)),
  });
  const before = (await h.outbox(caseId)).length;
  await skipPast(env, recordDeadlines.recordEscalation!);
  const escalated = await waitFor(
    () => h.outbox(caseId),
    (rows) => rows.length === before + 2,
    'the record reminder and escalation',
  );
  expect(escalated.slice(before).map((r) => [r.kind, r.template, r.recipients])).toEqual([
    ['reminder', 'visitRecordDue', [{ role: 'sales_rep', userId: 'ray' }]],
    ['escalation', 'visitRecordOverdue', [{ role: 'sales_manager' }]],
  ]);
  expect((await h.docket.status(caseId)).state).toBe('recording');

  await h.docket.send(caseId, { type: 'SUBMIT_RECORD', data: record, actor: rep });
  const recordedAt = (await h.docket.status(caseId)).context.recordedAt as string;
  const { followUpReminder } = await deadlinesOf(caseId);
  expect(followUpReminder).toBe(iso(addBusinessDays(calendar, Date.parse(recordedAt), 3)));
  await skipPast(env, followUpReminder!);
  const followUp = await waitFor(
    () => h.outbox(caseId),
    (rows) => rows.length === before + 3,
    'the follow-up reminder',
  );
  expect(followUp.at(-1)).toMatchObject({
    kind: 'reminder',
    template: 'visitFollowUpDue',
    recipients: [{ role: 'sales_rep', userId: 'ray' }, { role: 'cs_agent' }],
  });
  const completed = await h.docket.send(caseId, { type: 'FOLLOW_UP_DONE', data: { outcome: 'Quote requested' }, actor: cs });
  expect(completed).toMatchObject({ state: 'completed', status: 'completed' });

  const status = await h.docket.status(caseId);
  expect(status.context).toMatchObject({
    absences: 1,
    notesLeft: [{ note: 'Left a note with the reception', scheduledAt: first, by: 'ray' }],
    scheduledAt: second,
    discussion: record.discussion,
    keyFigures: record.keyFigures,
    followUpOutcome: 'Quote requested',
    followUpBy: 'amy',
  });
  const log = await h.history(caseId);
  expect(log.map((r) => [r.event, r.fromState, r.toState])).toEqual([
    ['xstate.init', null, 'planning'],
    ['SUBMIT_PLAN', 'planning', 'scheduling'],
    ['APPOINTMENT_CONFIRMED', 'scheduling', 'confirmed'],
    ['after:reconfirmReminder', 'confirmed', 'confirmed'],
    ['after:callReminder', 'confirmed', 'confirmed'],
    ['ARRIVED', 'confirmed', 'onSite'],
    ['CUSTOMER_ABSENT', 'onSite', 'customerAbsent'],
    ['after:absentCall', 'customerAbsent', 'customerAbsent'],
    ['NOTE_LEFT', 'customerAbsent', 'scheduling'],
    ['APPOINTMENT_CONFIRMED', 'scheduling', 'confirmed'],
    ['ARRIVED', 'confirmed', 'onSite'],
    ['VISIT_DONE', 'onSite', 'recording'],
    ['after:recordReminder', 'recording', 'recording'],
    ['after:recordEscalation', 'recording', 'recording'],
    ['SUBMIT_RECORD', 'recording', 'followUp'],
    ['after:followUpReminder', 'followUp', 'followUp'],
    ['FOLLOW_UP_DONE', 'followUp', 'completed'],
  ]);
  expect(log.at(-1)).toMatchObject({ status: 'completed', actor: cs });
});

describe('refused events change nothing', () => {
  let caseId: string;
  let serviceCaseId: string;
  beforeAll(async () => {
    caseId = await scheduled(visitInput, live);
    serviceCaseId = await scheduled({ ...visitInput, visitType: 'service_installation', purpose: 'Install the display stand' }, live);
    await live.docket.send(serviceCaseId, {
      type: 'APPOINTMENT_CONFIRMED',
      data: { scheduledAt: liveInDays(20), contactPhone: '138-0000-0003' },
      actor: rep,
    });
    await live.docket.send(serviceCaseId, { type: 'ARRIVED', data: { at: liveInDays(0) }, actor: rep });
    await live.docket.send(serviceCaseId, { type: 'VISIT_DONE', data: {}, actor: rep });
  });

  async function snapshotOf(id: string) {
    const events = (await live.client.workflow.getHandle(id).fetchHistory()).events ?? [];
    return {
      events: events.length,
      log: await live.history(id),
      status: await live.docket.status(id),
      projection: await live.docket.store.getCase(id),
      outbox: await live.outbox(id),
    };
  }

  const future = '2099-06-01T02:00:00.000Z';
  test.each([
    [
      'wrong role',
      { type: 'APPOINTMENT_CONFIRMED', data: { scheduledAt: future, contactPhone: '138' }, actor: cs },
      'Forbidden',
      /role "cs_agent" may not send APPOINTMENT_CONFIRMED; it is for sales_rep/,
    ],
    [
      'a time that is no time',
      { type: 'APPOINTMENT_CONFIRMED', data: { scheduledAt: 'next Tuesday', contactPhone: '138-0000-0001' }, actor: rep },
      'ValidationError',
      /scheduledAt: is not a valid date-time/,
    ],
    ['a missing field', { type: 'APPOINTMENT_CONFIRMED', data: { scheduledAt: future }, actor: rep }, 'ValidationError', /contactPhone/],
    [
      'an appointment in the past',
      { type: 'APPOINTMENT_CONFIRMED', data: { scheduledAt: '2001-01-01T02:00:00Z', contactPhone: '138-0000-0001' }, actor: rep },
      'ConditionNotMet',
      /the appointment must be in the future \(condition scheduledInFuture\)/,
    ],
    [
      'wrong state',
      { type: 'VISIT_DONE', data: {}, actor: rep },
      'NotAllowedInState',
      /VISIT_DONE is not allowed in state "scheduling"; allowed now: (APPOINTMENT_CONFIRMED, CANCEL|CANCEL, APPOINTMENT_CONFIRMED)$/,
    ],
    [
      'a reschedule before there is an appointment',
      { type: 'RESCHEDULE', data: { scheduledAt: future, customerAgreed: true }, actor: rep },
      'NotAllowedInState',
      /RESCHEDULE is not allowed in state "scheduling"/,
    ],
  ])('%s', async (_name, request, code, message) => {
    const before = await snapshotOf(caseId);
    const error = await live.docket.send(caseId, request).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code, refusal: true });
    expect((error as Error).message).toMatch(message);
    expect(await snapshotOf(caseId)).toEqual(before);
  });

  test('a reschedule the customer did not agree to', async () => {
    const confirmedId = await scheduled(visitInput, live);
    const at = liveInDays(20);
    await live.docket.send(confirmedId, {
      type: 'APPOINTMENT_CONFIRMED',
      data: { scheduledAt: at, contactPhone: '138-0000-0004' },
      actor: rep,
    });
    const before = await snapshotOf(confirmedId);
    await expect(
      live.docket.send(confirmedId, { type: 'RESCHEDULE', data: { scheduledAt: liveInDays(21), customerAgreed: false }, actor: rep }),
    ).rejects.toMatchObject({ code: 'ValidationError', message: expect.stringMatching(/customerAgreed/) });
    expect(await snapshotOf(confirmedId)).toEqual(before);
    expect(before.status.deadlines.map((d) => d.delay).sort()).toEqual(['callReminder', 'reconfirmReminder']);
  });

  test('a service visit record without the signed satisfaction form', async () => {
    const before = await snapshotOf(serviceCaseId);
    expect(before.status.state).toBe('recording');
    await expect(live.docket.send(serviceCaseId, { type: 'SUBMIT_RECORD', data: record, actor: rep })).rejects.toMatchObject({
      code: 'ConditionNotMet',
      message: expect.stringMatching(/signed satisfaction form \(condition recordComplete\)/),
    });
    await expect(
      live.docket.send(serviceCaseId, {
        type: 'SUBMIT_RECORD',
        data: { ...record, satisfactionForm: { signed: true, salesService: 6, workmanship: 5, installation: 5 } },
        actor: rep,
      }),
    ).rejects.toMatchObject({ code: 'ValidationError', message: expect.stringMatching(/salesService/) });
    expect(await snapshotOf(serviceCaseId)).toEqual(before);

    const form = { signed: true, salesService: 5, workmanship: 4, installation: 5 };
    const sent = await live.docket.send(serviceCaseId, {
      type: 'SUBMIT_RECORD',
      data: { ...record, satisfactionForm: form, balanceCollected: 1200 },
      actor: rep,
    });
    expect(sent.state).toBe('followUp');
    expect((await live.docket.status(serviceCaseId)).context).toMatchObject({ satisfactionForm: form, balanceCollected: 1200 });
  });

  test('starting with a wrong role or bad input starts nothing', async () => {
    const before = await live.docket.store.listCases({ processId: 'visit' });
    await expect(live.docket.startCase('visit', visitInput, cs)).rejects.toMatchObject({ code: 'Forbidden' });
    await expect(live.docket.startCase('visit', { ...visitInput, visitType: 'courtesy_call' }, rep)).rejects.toMatchObject({
      code: 'ValidationError',
      message: expect.stringMatching(/visitType/),
    });
    await expect(live.docket.startCase('visit', { ...visitInput, important: 'yes' }, rep)).rejects.toMatchObject({
      code: 'ValidationError',
    });
    expect(await live.docket.store.listCases({ processId: 'visit' })).toHaveLength(before.length);
  });
});

describe('plan review', () => {
  test('an important customer: the manager sends the plan back once, then approves it', async () => {
    const { caseId } = await h.docket.startCase('visit', { ...visitInput, important: true }, rep);
    expect((await h.docket.send(caseId, { type: 'SUBMIT_PLAN', data: plan(['needs']), actor: rep })).state).toBe('planReview');
    await expect(h.docket.send(caseId, { type: 'APPROVE_PLAN', data: {}, actor: rep })).rejects.toMatchObject({ code: 'Forbidden' });
    const revised = await h.docket.send(caseId, { type: 'REVISE_PLAN', data: { feedback: 'Bring the case studies' }, actor: manager });
    expect(revised.state).toBe('planning');
    const again = { ...plan(['needs']), materials: ['Rate card', 'Case studies'] };
    expect((await h.docket.send(caseId, { type: 'SUBMIT_PLAN', data: again, actor: rep })).state).toBe('planReview');
    expect((await h.docket.send(caseId, { type: 'APPROVE_PLAN', data: {}, actor: manager })).state).toBe('scheduling');

    const status = await h.docket.status(caseId, 'sales_rep', { userId: 'ray' });
    expect(status.context).toMatchObject({
      important: true,
      planSubmissions: 2,
      materials: ['Rate card', 'Case studies'],
      planFeedback: [{ feedback: 'Bring the case studies', by: 'mia' }],
      planApprovedBy: 'mia',
    });
    // The appointment is ray's task now (he owns the visit): his events, and the task operations he may perform on it.
    expect(status.allowedEvents.sort()).toEqual([
      'APPOINTMENT_CONFIRMED',
      'CANCEL',
      'task.cc',
      'task.release',
      'task.remind',
      'task.transfer',
    ]);
    expect(status.work).toMatchObject({ tasks: [{ state: 'scheduling', assignee: 'ray' }] });
    expect((await h.history(caseId)).map((r) => [r.event, r.actor.role, r.fromState, r.toState])).toEqual([
      ['xstate.init', 'sales_rep', null, 'planning'],
      ['SUBMIT_PLAN', 'sales_rep', 'planning', 'planReview'],
      ['REVISE_PLAN', 'sales_manager', 'planReview', 'planning'],
      ['SUBMIT_PLAN', 'sales_rep', 'planning', 'planReview'],
      ['APPROVE_PLAN', 'sales_manager', 'planReview', 'scheduling'],
    ]);
  });

  test('objectives that include cooperation are reviewed even for an ordinary customer; others are not', async () => {
    const { caseId } = await h.docket.startCase('visit', visitInput, rep);
    expect((await h.docket.status(caseId)).context.important).toBe(false);
    expect((await h.docket.send(caseId, { type: 'SUBMIT_PLAN', data: plan(['trust', 'cooperation']), actor: rep })).state).toBe(
      'planReview',
    );
    const cancelled = await h.docket.send(caseId, { type: 'CANCEL', data: { reason: 'Customer merged' }, actor: manager });
    expect(cancelled).toMatchObject({ state: 'cancelled', status: 'completed' });

    const { caseId: plain } = await h.docket.startCase('visit', { ...visitInput, important: false }, rep);
    expect((await h.docket.send(plain, { type: 'SUBMIT_PLAN', data: plan(['information', 'support']), actor: rep })).state).toBe(
      'scheduling',
    );
  });
});
