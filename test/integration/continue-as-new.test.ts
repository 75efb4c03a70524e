import { complaintInput, createHarness, cs, handler, type Harness } from '../helpers/harness';

let h: Harness;
beforeAll(async () => {
  // A tiny threshold so that a short case continues as new several times.
  h = await createHarness('can', { continueAsNewAfter: 40 });
});
afterAll(async () => {
  await h?.close();
});

test('a long case continues as new with its snapshot, deadlines and request ids', async () => {
  const { caseId } = await h.docket.startCase('complaint', complaintInput, cs);
  const handle = h.client.workflow.getHandle(caseId);
  const firstRun = (await handle.describe()).runId;
  await h.docket.send(caseId, { type: 'ACCEPT', data: { department: 'svc', assignee: 'bob' }, actor: cs });
  const deadlinesBefore = (await h.docket.status(caseId)).deadlines;
  expect(deadlinesBefore).toHaveLength(2);

  const first = await h.docket.send(caseId, {
    type: 'LOG_CONTACT',
    data: { channel: 'phone', summary: 'contact 0' },
    actor: handler,
    requestId: 'contact-0',
  });
  for (let i = 1; i < 12; i++) {
    await h.docket.send(caseId, { type: 'LOG_CONTACT', data: { channel: 'phone', summary: `contact ${i}` }, actor: handler });
  }
  // Wait until the run has rolled over.
  let runId = firstRun;
  for (let i = 0; i < 50 && runId === firstRun; i++) {
    await new Promise((r) => setTimeout(r, 100));
    runId = (await h.client.workflow.getHandle(caseId).describe()).runId;
  }
  expect(runId).not.toBe(firstRun);

  const status = await h.docket.status(caseId);
  expect(status).toMatchObject({ state: 'investigating', status: 'open', seq: 13 });
  expect(status.context.contacts).toHaveLength(12);
  expect(status.deadlines).toEqual(deadlinesBefore); // same timers, same due times
  // A retried request from before the roll-over still counts once.
  const again = await h.docket.send(caseId, {
    type: 'LOG_CONTACT',
    data: { channel: 'phone', summary: 'contact 0' },
    actor: handler,
    requestId: 'contact-0',
  });
  expect(again).toEqual(first);

  for (const [type, data, actor] of [
    ['SUBMIT_FINDINGS', { findings: 'f', customerExpectation: 'e' }, handler],
    ['PROPOSE_RESOLUTION', { proposal: 'p', compensationAmount: 1 }, handler],
    ['CUSTOMER_ACCEPTED', {}, cs],
    ['RESOLUTION_EXECUTED', { summary: 's' }, handler],
    ['CUSTOMER_SATISFIED', { score: 3 }, cs],
  ] as const) {
    await h.docket.send(caseId, { type, data, actor });
  }
  const log = await h.history(caseId);
  expect(log.map((r) => r.seq)).toEqual(Array.from({ length: 19 }, (_, i) => i));
  expect(log.at(-1)).toMatchObject({ toState: 'closed', status: 'completed' });
  expect(await h.client.workflow.getHandle(caseId).result()).toMatchObject({ state: 'closed', status: 'completed', seq: 18 });
}, 120_000);
