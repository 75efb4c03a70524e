/**
 * Deadlines are exact under outages: a deadline that passed while no worker ran fires
 * before the event that arrives with it, its row and notification first, in due order.
 * Runs on the real dev server in real time: the worker is stopped, the deadline passes,
 * the next event is sent, and only then does a worker start again.
 */
import { complaintInput, createHarness, cs, handler, waitFor, type Harness } from '../helpers/harness';

let h: Harness;
beforeAll(async () => {
  h = await createHarness('issue11_outage');
}, 600_000);
afterAll(async () => {
  await h?.close();
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
}, 60_000);
