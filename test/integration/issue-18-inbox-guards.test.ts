/**
 * Issue 18: the actionable inbox honours the guards on the case's data. A contract in approval
 * accepts A3_RECEIVED (schedule_admin) only once early placement has been requested: before, the
 * case is not in the scheduling admin's actionable inbox; once the request makes the guard pass, it
 * is. The roles are recorded with each transition (docket.cases.actionable_roles); a row written
 * before they were (NULL) is listed by its state, as before.
 */
import { createHarness, waitFor, type Harness } from '../helpers/harness';
import { startTestApi, type TestApi } from '../helpers/api';

let h: Harness;
let api: TestApi;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  h = await createHarness('issue_18_guards');
  api = await startTestApi(h);
  tokens.ray = await api.user('ray', ['sales_rep']);
  tokens.sun = await api.user('sun', ['schedule_admin']);
  tokens.ada = await api.user('ada', ['contract_admin']);
  tokens.mia = await api.user('mia', ['sales_manager']);
});
afterAll(async () => {
  await api?.close();
  await h?.close();
});

const contractInput = {
  customer: 'CUST-G1',
  contractType: 'framework',
  standard: true,
  amount: 300000,
  discountRate: 0.15,
  adSlots: [{ position: 'Home page banner', start: '2030-04-01', end: '2030-06-30' }],
  placementStart: '2030-04-01',
};

/** The case's row as the inbox reads it, once the workflow has stored its last transition. */
async function stored(caseId: string) {
  const view = await waitFor(
    () => h.docket.status(caseId),
    (s) => s.storedSeq === s.seq && s.state !== 'compliance',
    `case ${caseId} to be stored`,
  );
  const { rows } = await h.pool.query<{ state: string; last_seq: number; actionable_roles: string[] | null }>(
    'SELECT state, last_seq, actionable_roles FROM docket.cases WHERE case_id = $1',
    [caseId],
  );
  expect(rows[0]).toMatchObject({ state: view.state, last_seq: view.seq });
  return rows[0]!;
}

async function actionable(who: string): Promise<string[]> {
  const res = await api.call('GET', '/inbox?view=actionable&process=contract', { token: tokens[who] });
  expect(res.status).toBe(200);
  expect(res.body.total).toBe(res.body.items.length);
  return res.body.items.map((i: { caseId: string }) => i.caseId);
}

async function send(who: string, caseId: string, type: string, data: Record<string, unknown> = {}) {
  const res = await api.call('POST', `/cases/${caseId}/events`, { token: tokens[who], body: { type, data } });
  expect({ type, status: res.status, body: res.status === 200 ? undefined : res.body }).toEqual({ type, status: 200, body: undefined });
}

test('a case whose guard blocks the role’s event is not in its actionable inbox until the data makes the guard pass', async () => {
  const started = await api.call('POST', '/cases', { token: tokens.ray, body: { process: 'contract', input: contractInput } });
  expect(started.status).toBe(201);
  const caseId = started.body.caseId as string;
  await send('ray', caseId, 'SUBMIT');
  const inApproval = await stored(caseId);
  expect(inApproval.state).toBe('approval');
  expect(inApproval.actionable_roles).toEqual(expect.arrayContaining(['sales_manager', 'sales_rep']));
  expect(inApproval.actionable_roles).not.toContain('schedule_admin');

  // In approval, A3_RECEIVED is accepted by the state but its guard (early placement requested) does not hold.
  expect(await actionable('sun')).not.toContain(caseId);
  // Nor FORMS_RETURNED: the contract is not approved yet.
  expect(await actionable('ada')).not.toContain(caseId);
  expect(await actionable('ray')).toContain(caseId);
  expect(await actionable('mia')).toContain(caseId);
  // The refusal the inbox foresaw.
  const early = await api.call('POST', `/cases/${caseId}/events`, { token: tokens.sun, body: { type: 'A3_RECEIVED', data: {} } });
  expect(early.status).toBe(409);
  expect(early.body.error.code).toBe('ConditionNotMet');

  // The sales rep requests early placement: the guard now passes, and the case is the scheduling admin's to act on.
  await send('ray', caseId, 'REQUEST_EARLY_PLACEMENT', { a3SignedByCustomer: true });
  const requested = await stored(caseId);
  expect(requested.actionable_roles).toContain('schedule_admin');
  expect(requested.actionable_roles).not.toContain('sales_rep');
  expect(await actionable('sun')).toContain(caseId);
  // Requested once: nothing more for the rep in approval.
  expect(await actionable('ray')).not.toContain(caseId);

  await send('sun', caseId, 'A3_RECEIVED');
  await stored(caseId);
  expect(await actionable('sun')).not.toContain(caseId);
});

test('a row written before the roles were recorded (NULL) is listed by its state, as before; its next transition records them', async () => {
  const started = await api.call('POST', '/cases', {
    token: tokens.ray,
    body: { process: 'contract', input: { ...contractInput, customer: 'CUST-G2' } },
  });
  const caseId = started.body.caseId as string;
  await send('ray', caseId, 'SUBMIT');
  await stored(caseId);
  expect(await actionable('sun')).not.toContain(caseId);
  await h.pool.query('UPDATE docket.cases SET actionable_roles = NULL WHERE case_id = $1', [caseId]);
  // By the state alone: schedule_admin has an event in approval.
  expect(await actionable('sun')).toContain(caseId);
  await send('ray', caseId, 'REQUEST_EARLY_PLACEMENT', { a3SignedByCustomer: true });
  expect((await stored(caseId)).actionable_roles).toContain('schedule_admin');
  expect(await actionable('ray')).not.toContain(caseId);
});
