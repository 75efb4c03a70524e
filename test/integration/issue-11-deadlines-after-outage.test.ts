/**
 * Deadlines are exact under outages: a deadline that passed while no worker ran fires
 * before the event that arrives with it, its row and notification first, in due order.
 * Runs on the real dev server in real time: the worker is stopped, the deadline passes,
 * the next event is sent, and only then does a worker start again.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DocketError } from '../../client/docket-client';
import { complaintV1 } from '../helpers/definition-fixtures';
import { complaintInput, createHarness, cs, handler, waitFor, type Harness } from '../helpers/harness';
import { recordIfAsked } from '../helpers/history-files';

let h: Harness;
/** A complaint process whose acceptance deadline (3 seconds) closes the case: a deadline that moves it. */
let expiring: Harness;
beforeAll(async () => {
  h = await createHarness('issue11_outage');
  const d = complaintV1();
  d.process = 'complaint';
  d.delays.acceptDue = { duration: { seconds: 3 }, labels: d.delays.acceptDue.labels };
  d.machine.states.received.after.acceptDue = { target: 'withdrawn', actions: 'escalateAcceptance' };
  const dir = mkdtempSync(path.join(tmpdir(), 'docket-expiring-'));
  writeFileSync(path.join(dir, 'complaint.json'), JSON.stringify(d));
  expiring = await createHarness('issue11_outage_expiring', { definitionsDir: dir });
}, 600_000);
afterAll(async () => {
  await h?.close();
  await expiring?.close();
});

const CASES = 4;

test('a promise that passed during a worker outage is escalated before the next event is applied', async () => {
  const promisedResponseBy = new Date(Date.now() + 4_000).toISOString();
  const caseIds: string[] = [];
  for (let i = 0; i < CASES; i++) {
    const { caseId } = await h.docket.startCase('complaint', complaintInput, cs);
    await h.docket.send(caseId, { type: 'ACCEPT', data: { department: 'svc', assignee: 'bob', promisedResponseBy }, actor: cs });
    caseIds.push(caseId);
  }
  const due = (await h.docket.status(caseIds[0]!)).deadlines.find((d) => d.delay === 'promiseDue');
  expect(due?.dueAt).toBe(promisedResponseBy);

  await h.stopWorker();
  await new Promise((r) => setTimeout(r, Date.parse(promisedResponseBy) - Date.now() + 1_000));
  // The next event of each case arrives while no worker runs: it waits on the server beside the fired timer.
  const sent = caseIds.map((caseId) =>
    h.docket.send(caseId, { type: 'SUBMIT_FINDINGS', data: { findings: 'f', customerExpectation: 'e' }, actor: handler }),
  );
  await new Promise((r) => setTimeout(r, 1_000));
  await h.startWorker();
  const results = await Promise.all(sent);

  for (const [i, caseId] of caseIds.entries()) {
    expect(results[i]).toMatchObject({ state: 'planning' });
    const log = await h.history(caseId);
    const events = log.map((r) => r.event);
    const deadline = events.indexOf('after:promiseDue');
    expect({ caseId, deadline }).toEqual({ caseId, deadline: expect.any(Number) });
    expect(deadline).toBeGreaterThan(events.indexOf('ACCEPT'));
    expect(deadline).toBeLessThan(events.indexOf('SUBMIT_FINDINGS'));
    // The deadline's row was written in the state it was due in.
    expect(log[deadline]).toMatchObject({ fromState: 'investigating', toState: 'investigating', actor: { userId: 'system' } });
    const outbox = await waitFor(
      () => h.outbox(caseId),
      (rows) => rows.some((r) => r.template === 'promiseBroken'),
      `the broken promise's escalation of ${caseId}`,
    );
    expect(outbox.find((r) => r.template === 'promiseBroken')).toMatchObject({ kind: 'escalation' });
    // Sequence numbers stay gapless and single.
    expect(log.map((r) => r.seq)).toEqual(log.map((_, n) => n));
  }
  await recordIfAsked(h.client, caseIds[0]!, 'robust-deadline-during-outage');
}, 60_000);

test('an event that arrives with a deadline that has closed the case is refused, and the deadline is stored', async () => {
  const { caseId } = await expiring.docket.startCase('complaint', complaintInput, cs);
  const [deadline] = (await expiring.docket.status(caseId)).deadlines;
  await expiring.stopWorker();
  await new Promise((r) => setTimeout(r, Date.parse(deadline!.dueAt) - Date.now() + 1_000));
  const sent = expiring.docket.send(caseId, { type: 'ACCEPT', data: { department: 'svc', assignee: 'bob' }, actor: cs }).then(
    () => undefined,
    (err: unknown) => err,
  );
  await new Promise((r) => setTimeout(r, 1_000));
  await expiring.startWorker();
  const err = await sent;
  expect(err).toBeInstanceOf(DocketError);
  expect((err as DocketError).code).toBe('CaseClosed');
  const log = await waitFor(
    () => expiring.history(caseId),
    (rows) => rows.length >= 2,
    'the deadline row',
  );
  expect(log.map((r) => [r.seq, r.event, r.fromState, r.toState])).toEqual([
    [0, 'xstate.init', null, 'received'],
    [1, 'after:acceptDue', 'received', 'withdrawn'],
  ]);
  // Refused by the validator, against the state the deadline put the case in: the refusal never reached the history.
  const events = (await expiring.client.workflow.getHandle(caseId).fetchHistory()).events ?? [];
  expect(events.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toEqual([]);
}, 60_000);

test('deadlines that are due together fire in due order: the reminder before the escalation', async () => {
  const { caseId } = await h.docket.startCase('complaint', complaintInput, cs);
  // A promise that has already passed: its reminder (4 business hours before) and its escalation are both due at once.
  const promisedResponseBy = new Date(Date.now() - 3_600_000).toISOString();
  await h.docket.send(caseId, { type: 'ACCEPT', data: { department: 'svc', assignee: 'bob', promisedResponseBy }, actor: cs });
  const log = await waitFor(
    () => h.history(caseId),
    (rows) => rows.some((r) => r.event === 'after:promiseDue') && rows.some((r) => r.event === 'after:promiseReminder'),
    'both promise deadlines',
  );
  const events = log.map((r) => r.event);
  expect(events.indexOf('after:promiseReminder')).toBeLessThan(events.indexOf('after:promiseDue'));
  const outbox = await waitFor(
    () => h.outbox(caseId),
    (rows) => rows.some((r) => r.template === 'promiseBroken'),
    'the escalation',
  );
  expect(outbox.map((r) => r.template).filter((t) => t.startsWith('promise'))).toEqual(['promiseDueSoon', 'promiseBroken']);
  await recordIfAsked(h.client, caseId, 'robust-deadlines-in-due-order');
}, 60_000);
