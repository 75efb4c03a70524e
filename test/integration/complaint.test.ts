import { complaintInput, createHarness, cs, handler, manager, type Harness } from '../helpers/harness';

let h: Harness;
beforeAll(async () => {
  h = await createHarness('complaint');
});
afterAll(async () => {
  await h?.close();
});

async function accepted(): Promise<string> {
  const { caseId } = await h.docket.startCase('complaint', complaintInput, cs);
  await h.docket.send(caseId, { type: 'ACCEPT', data: { department: 'after_sales', assignee: 'bob' }, actor: cs });
  return caseId;
}

test('happy path: received → closed, one log row per event', async () => {
  const started = await h.docket.startCase('complaint', complaintInput, cs);
  expect(started.state).toBe('received');
  const { caseId } = started;
  const steps: Array<[string, Record<string, unknown>, typeof cs, string]> = [
    ['ACCEPT', { department: 'after_sales', assignee: 'bob' }, cs, 'investigating'],
    ['LOG_CONTACT', { channel: 'phone', summary: 'Called the customer' }, handler, 'investigating'],
    ['SUBMIT_FINDINGS', { findings: 'Door cracked in transit', customerExpectation: 'Replacement' }, handler, 'planning'],
    ['PROPOSE_RESOLUTION', { proposal: 'Replace the door', compensationAmount: 300 }, handler, 'communicating'],
    ['CUSTOMER_ACCEPTED', {}, cs, 'executing'],
    ['RESOLUTION_EXECUTED', { summary: 'Door replaced' }, handler, 'followingUp'],
    ['CUSTOMER_SATISFIED', { score: 5, comment: 'Quick' }, cs, 'closed'],
  ];
  for (const [type, data, actor, expected] of steps) {
    const result = await h.docket.send(caseId, { type, data, actor });
    expect(result.state).toBe(expected);
  }
  const status = await h.docket.status(caseId);
  expect(status.status).toBe('completed');
  expect(status.context.proposals).toBe(1);
  expect(status.deadlines).toEqual([]);
  const log = await h.history(caseId);
  expect(log.map((r) => [r.seq, r.event, r.fromState, r.toState])).toEqual([
    [0, 'xstate.init', null, 'received'],
    [1, 'ACCEPT', 'received', 'investigating'],
    [2, 'LOG_CONTACT', 'investigating', 'investigating'],
    [3, 'SUBMIT_FINDINGS', 'investigating', 'planning'],
    [4, 'PROPOSE_RESOLUTION', 'planning', 'communicating'],
    [5, 'CUSTOMER_ACCEPTED', 'communicating', 'executing'],
    [6, 'RESOLUTION_EXECUTED', 'executing', 'followingUp'],
    [7, 'CUSTOMER_SATISFIED', 'followingUp', 'closed'],
  ]);
  expect(log[1]!.actor).toEqual(cs);
  expect(log[1]!.definitionVersion).toBe(1);
  expect(log[1]!.definitionHash).toMatch(/^[0-9a-f]{64}$/);
  const projection = await h.docket.store.getCase(caseId);
  expect(projection).toMatchObject({ state: 'closed', status: 'completed', customerId: 'CUST-1001', lastSeq: 7 });
  expect(projection!.closedAt).not.toBeNull();
});

test('compensation above approvalLimit goes through a service manager', async () => {
  const caseId = await accepted();
  await h.docket.send(caseId, { type: 'SUBMIT_FINDINGS', data: { findings: 'f', customerExpectation: 'refund' }, actor: handler });
  const proposed = await h.docket.send(caseId, { type: 'PROPOSE_RESOLUTION', data: { proposal: 'Refund', compensationAmount: 8000 }, actor: handler });
  expect(proposed.state).toBe('awaitingApproval');
  const rejected = await h.docket.send(caseId, { type: 'REJECT', data: { reason: 'Too much' }, actor: manager });
  expect(rejected.state).toBe('planning');
  await h.docket.send(caseId, { type: 'PROPOSE_RESOLUTION', data: { proposal: 'Partial refund', compensationAmount: 6000 }, actor: handler });
  const approved = await h.docket.send(caseId, { type: 'APPROVE', data: {}, actor: manager });
  expect(approved.state).toBe('communicating');
  const status = await h.docket.status(caseId);
  expect(status.context).toMatchObject({ proposals: 2, approvedBy: 'carol', compensationAmount: 6000 });
});
