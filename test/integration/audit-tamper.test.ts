import { rowHash } from '../../audit/chain';
import { verifyExport } from '../../audit/export';
import { startTestApi, type TestApi } from '../helpers/api';
import { complaintInput, createHarness, cs, handler, type Harness } from '../helpers/harness';

let h: Harness;
let api: TestApi;
let auditor: string;

beforeAll(async () => {
  h = await createHarness('audit_tamper');
  api = await startTestApi(h);
  auditor = await api.user('eve', ['auditor']);
});
afterAll(async () => {
  await api?.close();
  await h?.close();
});

/** A case with rows 0…5. */
async function caseWithRows(): Promise<string> {
  const { caseId } = await h.docket.startCase('complaint', complaintInput, cs);
  await h.docket.send(caseId, { type: 'ACCEPT', data: { department: 'after_sales', assignee: 'bob' }, actor: cs });
  for (const summary of ['one', 'two', 'three']) {
    await h.docket.send(caseId, { type: 'LOG_CONTACT', data: { channel: 'phone', summary }, actor: handler });
  }
  await h.docket.send(caseId, { type: 'SUBMIT_FINDINGS', data: { findings: 'f', customerExpectation: 'e' }, actor: handler });
  expect(await h.history(caseId)).toHaveLength(6);
  return caseId;
}

/** Runs SQL as the database owner with the append-only triggers off: what an attacker with superuser access could do. */
async function tamper(sql: string, params: unknown[]): Promise<void> {
  const client = await h.pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('ALTER TABLE docket.transitions DISABLE TRIGGER USER');
    await client.query(sql, params);
    await client.query('ALTER TABLE docket.transitions ENABLE TRIGGER USER');
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  } finally {
    client.release();
  }
}

async function verify(caseId: string) {
  const res = await api.call('GET', `/cases/${caseId}/audit/verify`, { token: auditor });
  expect(res.status).toBe(200);
  return res.body as { ok: boolean; problem?: { seq: number; kind: string; message: string } };
}

test('an untouched case verifies, through the API and offline from its export', async () => {
  const caseId = await caseWithRows();
  expect(await verify(caseId)).toMatchObject({ ok: true, rows: 6 });
  const exp = await api.call('GET', `/cases/${caseId}/audit/export`, { token: auditor });
  expect(verifyExport(exp.body)).toMatchObject({ ok: true, cases: [{ ok: true, definitionMatches: true }] });
});

test('the application role cannot change or remove log rows; the trigger stops even the owner', async () => {
  const caseId = await caseWithRows();
  await expect(api.pool.query('UPDATE docket.transitions SET payload = $2 WHERE case_id = $1', [caseId, '{}'])).rejects.toMatchObject({
    code: '42501',
  });
  await expect(api.pool.query('DELETE FROM docket.transitions WHERE case_id = $1', [caseId])).rejects.toMatchObject({ code: '42501' });
  await expect(h.pool.query('DELETE FROM docket.transitions WHERE case_id = $1', [caseId])).rejects.toMatchObject({ code: 'DKT01' });
  await api.deps.securityLog.record({ code: 'Forbidden', message: 'a refusal' });
  await expect(h.pool.query('UPDATE docket.security_log SET message = $1', ['x'])).rejects.toMatchObject({ code: 'DKT01' });
});

test('a changed payload is caught at its seq', async () => {
  const caseId = await caseWithRows();
  await tamper(`UPDATE docket.transitions SET payload = '{"channel":"phone","summary":"edited"}' WHERE case_id = $1 AND seq = 3`, [caseId]);
  expect((await verify(caseId)).problem).toMatchObject({ seq: 3, kind: 'changed' });
});

test('a changed row whose hash was recomputed is caught at its seq', async () => {
  const caseId = await caseWithRows();
  const rows = await api.deps.caseStore.listChainedTransitions(caseId);
  const edited = { ...rows[2]!, payload: { channel: 'phone', summary: 'forged' } };
  await tamper(`UPDATE docket.transitions SET payload = $2::jsonb, hash = $3 WHERE case_id = $1 AND seq = 2`, [
    caseId,
    JSON.stringify(edited.payload),
    rowHash(edited, edited.prevHash!),
  ]);
  expect((await verify(caseId)).problem).toMatchObject({ seq: 2, kind: 'changed' });
});

test('a deleted row is caught at its seq, in the middle and at the end', async () => {
  const middle = await caseWithRows();
  await tamper('DELETE FROM docket.transitions WHERE case_id = $1 AND seq = 2', [middle]);
  expect((await verify(middle)).problem).toMatchObject({ seq: 2, kind: 'removed' });
  const end = await caseWithRows();
  await tamper('DELETE FROM docket.transitions WHERE case_id = $1 AND seq = 5', [end]);
  expect((await verify(end)).problem).toMatchObject({ seq: 5, kind: 'removed' });
});

test('two swapped rows are caught', async () => {
  const caseId = await caseWithRows();
  await tamper('UPDATE docket.transitions SET seq = CASE seq WHEN 2 THEN 1002 ELSE 1003 END WHERE case_id = $1 AND seq IN (2, 3)', [
    caseId,
  ]);
  await tamper('UPDATE docket.transitions SET seq = CASE seq WHEN 1002 THEN 3 ELSE 2 END WHERE case_id = $1 AND seq >= 1000', [caseId]);
  expect((await verify(caseId)).problem).toMatchObject({ seq: 2, kind: 'reordered' });
});

test('an inserted row is caught at its seq, even with a well-formed hash', async () => {
  const caseId = await caseWithRows();
  const rows = await api.deps.caseStore.listChainedTransitions(caseId);
  const forged = { ...rows[2]!, seq: 2, payload: { channel: 'phone', summary: 'never happened' } };
  const hash = rowHash(forged, rows[1]!.hash!);
  await tamper('UPDATE docket.transitions SET seq = seq + 1000 WHERE case_id = $1 AND seq >= 2', [caseId]);
  await tamper('UPDATE docket.transitions SET seq = seq - 999 WHERE case_id = $1 AND seq >= 1000', [caseId]);
  await tamper(
    `INSERT INTO docket.transitions (case_id, seq, process_id, definition_version, definition_hash, event, payload, actor_user, actor_role,
       request_id, from_state, to_state, status, at, prev_hash, hash)
     SELECT case_id, 2, process_id, definition_version, definition_hash, event, $2::jsonb, actor_user, actor_role, request_id, from_state,
       to_state, status, at, $3, $4 FROM docket.transitions WHERE case_id = $1 AND seq = 3`,
    [caseId, JSON.stringify(forged.payload), rows[1]!.hash, hash],
  );
  expect((await verify(caseId)).problem).toMatchObject({ seq: 2, kind: 'inserted' });
});

test('verify --all names the broken cases; the server keeps no opinion of its own', async () => {
  const res = await api.call('GET', '/audit/verify', { token: auditor });
  expect(res.body.ok).toBe(false);
  expect(res.body.broken.length).toBeGreaterThanOrEqual(6);
  expect(res.body.checked).toBeGreaterThan(res.body.broken.length);
});

test('an export edited after the fact fails offline verification', async () => {
  const caseId = await caseWithRows();
  const exp = (await api.call('GET', `/cases/${caseId}/audit/export`, { token: auditor })).body;
  const edited = structuredClone(exp);
  edited.cases[0].transitions[4].payload.summary = 'edited';
  expect(verifyExport(edited).cases[0]).toMatchObject({ ok: false, problem: { seq: 4, kind: 'changed' } });
  const swapped = structuredClone(exp);
  const t = swapped.cases[0].transitions;
  [t[1], t[2]] = [t[2], t[1]];
  expect(verifyExport(swapped).cases[0]).toMatchObject({ ok: false, problem: { seq: 1, kind: 'reordered' } });
});
