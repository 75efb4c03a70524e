import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startTimeSkippingEnv } from '../../infra/temporal-env';
import { complaintInput, createHarness, cs, handler, skipPast, waitFor, type Harness } from '../helpers/harness';

let env: TestWorkflowEnvironment;
let h: Harness;
beforeAll(async () => {
  env = await startTimeSkippingEnv();
  h = await createHarness('deadlines', { env });
}, 600_000);
afterAll(async () => {
  await h?.close();
  await env?.teardown();
});

const HOUR = 3_600_000;

test('a complaint not accepted within 1 business day escalates to the service manager and stays received', async () => {
  const { caseId } = await h.docket.startCase('complaint', complaintInput, cs);
  const [deadline] = (await h.docket.status(caseId)).deadlines;
  expect(deadline).toMatchObject({ delay: 'acceptDue', state: 'received' });
  expect(await h.outbox(caseId)).toEqual([]);

  await skipPast(env, deadline!.dueAt);
  const outbox = await waitFor(
    () => h.outbox(caseId),
    (rows) => rows.length > 0,
    'the escalation',
  );
  expect(outbox).toEqual([
    { id: `${caseId}:1:0`, kind: 'escalation', template: 'acceptanceOverdue', recipients: [{ role: 'service_manager' }] },
  ]);
  const status = await h.docket.status(caseId);
  expect(status.state).toBe('received'); // a deadline never silently moves the case
  expect(status.deadlines).toEqual([]);
  const log = await h.history(caseId);
  expect(log.at(-1)).toMatchObject({
    seq: 1,
    event: 'after:acceptDue',
    actor: { userId: 'system', role: 'system' },
    fromState: 'received',
    toState: 'received',
  });
  // The case goes on normally afterwards.
  expect((await h.docket.send(caseId, { type: 'ACCEPT', data: { department: 'svc', assignee: 'bob' }, actor: cs })).state).toBe(
    'investigating',
  );
});

test('a kept promisedResponseBy reminds the handler once and never escalates; investigation deadlines re-arm and are cancelled on leaving', async () => {
  const { caseId } = await h.docket.startCase('complaint', complaintInput, cs);
  const now = await env.currentTimeMs();
  const promisedResponseBy = new Date(now + 10 * 24 * HOUR).toISOString();
  await h.docket.send(caseId, { type: 'ACCEPT', data: { department: 'svc', assignee: 'bob', promisedResponseBy }, actor: cs });
  const deadlines = (await h.docket.status(caseId)).deadlines;
  expect(deadlines.map((d) => d.delay).sort()).toEqual([
    'investigationEscalation',
    'investigationReminder',
    'promiseDue',
    'promiseReminder',
  ]);
  const reminderAt = deadlines.find((d) => d.delay === 'promiseReminder')!.dueAt;
  expect(Date.parse(reminderAt)).toBeLessThan(Date.parse(promisedResponseBy));

  // Skip past the investigation reminder and escalation and the promise reminder.
  await skipPast(env, reminderAt);
  const rows = await waitFor(
    () => h.outbox(caseId),
    (r) => r.length >= 3,
    'reminders',
  );
  expect(rows.map((r) => r.template).sort()).toEqual(['investigationDue', 'investigationOverdue', 'promiseDueSoon']);
  expect(rows.find((r) => r.template === 'promiseDueSoon')).toMatchObject({
    kind: 'reminder',
    recipients: [{ role: 'handler', userId: 'bob' }],
  });

  // The handler keeps the promise: findings and a proposal reach the customer before it is due.
  await h.docket.send(caseId, { type: 'SUBMIT_FINDINGS', data: { findings: 'f', customerExpectation: 'e' }, actor: handler });
  await h.docket.send(caseId, { type: 'PROPOSE_RESOLUTION', data: { proposal: 'p', compensationAmount: 10 }, actor: handler });
  expect((await h.docket.status(caseId)).deadlines).toEqual([]);
  await skipPast(env, promisedResponseBy);
  await new Promise((r) => setTimeout(r, 500));
  expect((await h.outbox(caseId)).map((r) => r.template)).not.toContain('promiseBroken');
  const log = await h.history(caseId);
  const fired = deadlines.filter((d) => d.delay !== 'promiseDue').sort((a, b) => a.dueAt.localeCompare(b.dueAt));
  expect(log.filter((r) => r.event.startsWith('after:')).map((r) => r.event)).toEqual(fired.map((d) => `after:${d.delay}`));
});

test('a broken promise escalates to the handler and the service manager, once', async () => {
  const { caseId } = await h.docket.startCase('complaint', complaintInput, cs);
  const now = await env.currentTimeMs();
  const promisedResponseBy = new Date(now + 2 * HOUR).toISOString();
  await h.docket.send(caseId, { type: 'ACCEPT', data: { department: 'svc', assignee: 'bob', promisedResponseBy }, actor: cs });
  await skipPast(env, promisedResponseBy);
  const rows = await waitFor(
    () => h.outbox(caseId),
    (r) => r.some((x) => x.template === 'promiseBroken'),
    'the escalation',
  );
  expect(rows.find((r) => r.template === 'promiseBroken')).toMatchObject({
    kind: 'escalation',
    recipients: [{ role: 'handler', userId: 'bob' }, { role: 'service_manager' }],
  });
  // Moving on re-enters states that watch the promise; it is not escalated again.
  await h.docket.send(caseId, { type: 'SUBMIT_FINDINGS', data: { findings: 'f', customerExpectation: 'e' }, actor: handler });
  await env.sleep(HOUR);
  await new Promise((r) => setTimeout(r, 300));
  expect((await h.outbox(caseId)).filter((r) => r.template === 'promiseBroken')).toHaveLength(1);
  expect((await h.docket.status(caseId)).context.promiseBreached).toBe(true);
});

test('following up: the cs_agent is reminded after 2 business days', async () => {
  const { caseId } = await h.docket.startCase('complaint', complaintInput, cs);
  await h.docket.send(caseId, { type: 'ACCEPT', data: { department: 'svc', assignee: 'bob' }, actor: cs });
  await h.docket.send(caseId, { type: 'SUBMIT_FINDINGS', data: { findings: 'f', customerExpectation: 'e' }, actor: handler });
  await h.docket.send(caseId, { type: 'PROPOSE_RESOLUTION', data: { proposal: 'p', compensationAmount: 10 }, actor: handler });
  await h.docket.send(caseId, { type: 'CUSTOMER_ACCEPTED', data: {}, actor: cs });
  await h.docket.send(caseId, { type: 'RESOLUTION_EXECUTED', data: { summary: 's' }, actor: handler });
  const [followUp] = (await h.docket.status(caseId)).deadlines;
  expect(followUp).toMatchObject({ delay: 'followUpReminder', state: 'followingUp' });
  await skipPast(env, followUp!.dueAt);
  const rows = await waitFor(
    () => h.outbox(caseId),
    (r) => r.some((x) => x.template === 'followUpDue'),
    'the follow-up reminder',
  );
  expect(rows.find((r) => r.template === 'followUpDue')).toMatchObject({ kind: 'reminder', recipients: [{ role: 'cs_agent' }] });
  expect((await h.docket.status(caseId)).state).toBe('followingUp');
});
