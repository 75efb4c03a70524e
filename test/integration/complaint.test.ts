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
  expect(log[1]!.definitionVersion).toBe(2);
  expect(log[1]!.definitionHash).toMatch(/^[0-9a-f]{64}$/);
  const projection = await h.docket.store.getCase(caseId);
  expect(projection).toMatchObject({ state: 'closed', status: 'completed', customerId: 'CUST-1001', lastSeq: 7 });
  expect(projection!.closedAt).not.toBeNull();
});

test('compensation above approvalLimit goes through a service manager', async () => {
  const caseId = await accepted();
  await h.docket.send(caseId, { type: 'SUBMIT_FINDINGS', data: { findings: 'f', customerExpectation: 'refund' }, actor: handler });
  const proposed = await h.docket.send(caseId, {
    type: 'PROPOSE_RESOLUTION',
    data: { proposal: 'Refund', compensationAmount: 8000 },
    actor: handler,
  });
  expect(proposed.state).toBe('awaitingApproval');
  const rejected = await h.docket.send(caseId, { type: 'REJECT', data: { reason: 'Too much' }, actor: manager });
  expect(rejected.state).toBe('planning');
  await h.docket.send(caseId, {
    type: 'PROPOSE_RESOLUTION',
    data: { proposal: 'Partial refund', compensationAmount: 6000 },
    actor: handler,
  });
  const approved = await h.docket.send(caseId, { type: 'APPROVE', data: {}, actor: manager });
  expect(approved.state).toBe('communicating');
  const status = await h.docket.status(caseId);
  expect(status.context).toMatchObject({ proposals: 2, approvedBy: 'carol', compensationAmount: 6000 });
});

async function toCommunicating(caseId: string) {
  await h.docket.send(caseId, { type: 'SUBMIT_FINDINGS', data: { findings: 'f', customerExpectation: 'e' }, actor: handler });
  return h.docket.send(caseId, { type: 'PROPOSE_RESOLUTION', data: { proposal: 'p', compensationAmount: 100 }, actor: handler });
}

test('the customer rejects a proposal twice; the case counts its proposals', async () => {
  const caseId = await accepted();
  expect((await toCommunicating(caseId)).state).toBe('communicating');
  expect((await h.docket.send(caseId, { type: 'CUSTOMER_REJECTED', data: { reason: 'Not enough' }, actor: cs })).state).toBe('planning');
  await h.docket.send(caseId, { type: 'PROPOSE_RESOLUTION', data: { proposal: 'p2', compensationAmount: 200 }, actor: handler });
  expect((await h.docket.send(caseId, { type: 'CUSTOMER_REJECTED', data: { reason: 'Still not' }, actor: handler })).state).toBe(
    'planning',
  );
  await h.docket.send(caseId, { type: 'PROPOSE_RESOLUTION', data: { proposal: 'p3', compensationAmount: 300 }, actor: handler });
  expect((await h.docket.send(caseId, { type: 'CUSTOMER_ACCEPTED', data: {}, actor: cs })).state).toBe('executing');
  const { context } = await h.docket.status(caseId);
  expect(context).toMatchObject({ proposals: 3, customerRejections: 2, customerRejectionReason: 'Still not', compensationAmount: 300 });
});

test('an unsatisfied customer reopens the case, which then closes', async () => {
  const caseId = await accepted();
  await toCommunicating(caseId);
  await h.docket.send(caseId, { type: 'CUSTOMER_ACCEPTED', data: {}, actor: cs });
  await h.docket.send(caseId, { type: 'RESOLUTION_EXECUTED', data: { summary: 'done' }, actor: handler });
  const reopened = await h.docket.send(caseId, { type: 'CUSTOMER_UNSATISFIED', data: { reason: 'Still cracked' }, actor: cs });
  expect(reopened.state).toBe('investigating');
  await toCommunicating(caseId);
  await h.docket.send(caseId, { type: 'CUSTOMER_ACCEPTED', data: {}, actor: cs });
  await h.docket.send(caseId, { type: 'RESOLUTION_EXECUTED', data: { summary: 'replaced again' }, actor: handler });
  const closed = await h.docket.send(caseId, { type: 'CUSTOMER_SATISFIED', data: { score: 4 }, actor: cs });
  expect(closed).toMatchObject({ state: 'closed', status: 'completed' });
  const status = await h.docket.status(caseId);
  expect(status.context).toMatchObject({ reopenings: 1, proposals: 2, lastUnsatisfiedReason: 'Still cracked', satisfactionScore: 4 });
  const log = await h.history(caseId);
  expect(log.filter((r) => r.event === 'CUSTOMER_UNSATISFIED').map((r) => [r.fromState, r.toState])).toEqual([
    ['followingUp', 'investigating'],
  ]);
});

test('WITHDRAW at the customer’s own request ends the case from an open state, the request in the log; nothing is accepted afterwards', async () => {
  const caseId = await accepted();
  await h.docket.send(caseId, { type: 'SUBMIT_FINDINGS', data: { findings: 'f', customerExpectation: 'e' }, actor: handler });
  // The agent's own reason is not enough: the customer's request is required, with when and how they asked.
  await expect(
    h.docket.send(caseId, { type: 'WITHDRAW', data: { reason: 'Customer resolved it themselves' }, actor: cs }),
  ).rejects.toMatchObject({ code: 'ValidationError' });
  const request = {
    reason: 'Customer resolved it themselves',
    requestedByCustomer: true,
    requestedAt: new Date(Date.now() - 60_000).toISOString(),
    requestChannel: 'phone',
  };
  const withdrawn = await h.docket.send(caseId, { type: 'WITHDRAW', data: request, actor: cs });
  expect(withdrawn).toMatchObject({ state: 'withdrawn', status: 'completed' });
  const log = await h.history(caseId);
  expect(log.at(-1)).toMatchObject({
    event: 'WITHDRAW',
    fromState: 'planning',
    toState: 'withdrawn',
    status: 'completed',
    payload: request,
  });
  await expect(h.docket.send(caseId, { type: 'LOG_CONTACT', data: { channel: 'phone', summary: 'x' }, actor: cs })).rejects.toMatchObject({
    code: 'CaseClosed',
  });
  expect(await h.history(caseId)).toHaveLength(log.length);
});

describe('refusals change nothing', () => {
  let caseId: string;
  beforeAll(async () => {
    caseId = await accepted();
  });

  async function snapshotOfCase() {
    const events = (await h.client.workflow.getHandle(caseId).fetchHistory()).events ?? [];
    return {
      events: events.length,
      log: await h.history(caseId),
      status: await h.docket.status(caseId),
      projection: await h.docket.store.getCase(caseId),
    };
  }

  test.each([
    [
      'wrong role',
      { type: 'SUBMIT_FINDINGS', data: { findings: 'f', customerExpectation: 'e' }, actor: cs },
      'Forbidden',
      /role "cs_agent" may not send SUBMIT_FINDINGS; it is for handler/,
    ],
    [
      'bad payload',
      { type: 'SUBMIT_FINDINGS', data: { findings: 42 }, actor: handler },
      'ValidationError',
      /^(?=.*findings: expected string, received number)(?=.*customerExpectation: is required)/,
    ],
    [
      'unknown field',
      { type: 'LOG_CONTACT', data: { channel: 'phone', summary: 's', secret: 1 }, actor: handler },
      'ValidationError',
      /secret/,
    ],
    [
      'not allowed in this state',
      { type: 'APPROVE', data: {}, actor: manager },
      'NotAllowedInState',
      /APPROVE is not allowed in state "investigating"; allowed now: .*SUBMIT_FINDINGS/,
    ],
    [
      'undeclared event',
      { type: 'ESCALATE', data: {}, actor: manager },
      'UnknownEvent',
      /"ESCALATE" is not an event of process "complaint"/,
    ],
  ])('%s', async (_name, request, code, message) => {
    const before = await snapshotOfCase();
    const error = await h.docket.send(caseId, request).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code, refusal: true });
    expect((error as Error).message).toMatch(message);
    const after = await snapshotOfCase();
    expect(after.events).toBe(before.events);
    expect(after.log).toEqual(before.log);
    expect(after.status).toEqual(before.status);
    expect(after.projection).toEqual(before.projection);
  });

  test('unknown case', async () => {
    await expect(h.docket.send('complaint-does-not-exist', { type: 'ACCEPT', data: {}, actor: cs })).rejects.toMatchObject({
      code: 'CaseNotFound',
    });
    await expect(h.docket.status('complaint-does-not-exist')).rejects.toMatchObject({ code: 'CaseNotFound' });
  });

  test('starting with a wrong role or bad input starts nothing', async () => {
    const before = await h.docket.store.listCases({ processId: 'complaint' });
    await expect(h.docket.startCase('complaint', complaintInput, handler)).rejects.toMatchObject({ code: 'Forbidden' });
    await expect(h.docket.startCase('complaint', { ...complaintInput, severity: 'urgent' }, cs)).rejects.toMatchObject({
      code: 'ValidationError',
    });
    await expect(h.docket.startCase('nope', complaintInput, cs)).rejects.toMatchObject({ code: 'UnknownProcess' });
    expect(await h.docket.store.listCases({ processId: 'complaint' })).toHaveLength(before.length);
  });
});

test('the same request id sent twice applies once and answers the same', async () => {
  const caseId = await accepted();
  const request = { type: 'LOG_CONTACT', data: { channel: 'phone', summary: 'Called back' }, actor: handler, requestId: 'req-42' };
  const first = await h.docket.send(caseId, request);
  const second = await h.docket.send(caseId, request);
  expect(second).toEqual(first);
  // Concurrent retries too.
  const again = await Promise.all([h.docket.send(caseId, request), h.docket.send(caseId, request)]);
  expect(again.map((r) => r.seq)).toEqual([first.seq, first.seq]);
  const log = await h.history(caseId);
  expect(log.filter((r) => r.requestId === 'req-42')).toHaveLength(1);
  expect((await h.docket.status(caseId)).context.contacts).toHaveLength(1);
  // The same id for a different event is refused, and changes nothing.
  await expect(h.docket.send(caseId, { ...request, data: { channel: 'email', summary: 'other' } })).rejects.toMatchObject({
    code: 'RequestIdReused',
  });
  expect(await h.history(caseId)).toEqual(log);
});

test('starting twice with the same request id gives one case', async () => {
  const a = await h.docket.startCase('complaint', complaintInput, cs, { requestId: 'start-7' });
  const b = await h.docket.startCase('complaint', complaintInput, cs, { requestId: 'start-7' });
  expect(b.caseId).toBe(a.caseId);
  expect(a.caseId).not.toContain('CUST-1001');
});

test('once startCase answers, the start is in the transition log and the case is searchable', async () => {
  const { caseId } = await h.docket.startCase('complaint', complaintInput, cs);
  expect(await h.history(caseId)).toEqual([expect.objectContaining({ seq: 0, event: 'xstate.init', toState: 'received' })]);
  expect(await h.docket.store.getCase(caseId)).toMatchObject({ state: 'received', lastSeq: 0 });
  expect((await h.docket.status(caseId)).storedSeq).toBe(0);
});
