/**
 * Issue #12, item 4: an audit trail a database insider cannot forge. Rows are
 * signed by the worker with a key the database never sees; `audit verify` checks
 * the signatures against the pinned public keyring, and `--deep` against Temporal.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { rowHash } from '../../audit/chain';
import { verifyExport } from '../../audit/export';
import { generateSigningKey, loadSigningKey, readPublicKeys } from '../../audit/keys';
import { signRow } from '../../audit/signature';
import { Pool } from 'pg';
import { PostgresCaseStore } from '../../adapters/postgres';
import { PROJECT_ROOT } from '../../config';
import { startTestApi, type TestApi } from '../helpers/api';
import { runCli, type CliRun } from '../helpers/cli';
import { complaintInput, createHarness, cs, handler, type Harness } from '../helpers/harness';

let h: Harness;
let api: TestApi;
let auditor: string;
let agent: string;
const keyDir = mkdtempSync(path.join(tmpdir(), 'docket-audit-keys-'));
const keyA = path.join(keyDir, 'signing-key-a.pem');
const keyB = path.join(keyDir, 'signing-key-b.pem');
const keyring = path.join(keyDir, 'public-keys.json');

beforeAll(async () => {
  h = await createHarness('issue12_audit', { noWorker: true });
  h.config.audit = { signingKeyFile: keyA, generateSigningKey: true, publicKeysFile: keyring };
  await h.startWorker();
  api = await startTestApi(h);
  auditor = await api.user('eve', ['auditor']);
  agent = await api.user('amy', ['cs_agent']);
});
afterAll(async () => {
  await api?.close();
  await h?.close();
});

/** `docket …` in-process, against the API (no database or Temporal of its own). */
function docket(token: string, ...argv: string[]): Promise<CliRun> {
  const config = { ...h.config, databaseUrl: undefined, temporalAddress: '127.0.0.1:1' };
  return runCli(['--api', api.url, '--token', token, ...argv], { config, cwd: PROJECT_ROOT });
}

/** A complaint with rows 0…3. */
async function caseWithRows(): Promise<string> {
  const { caseId } = await h.docket.startCase('complaint', complaintInput, cs);
  await h.docket.send(caseId, { type: 'ACCEPT', data: { department: 'after_sales', assignee: 'bob' }, actor: cs });
  for (const summary of ['one', 'two']) {
    await h.docket.send(caseId, { type: 'LOG_CONTACT', data: { channel: 'phone', summary }, actor: handler });
  }
  expect(await h.history(caseId)).toHaveLength(4);
  return caseId;
}

async function verify(caseId: string, query = '') {
  const res = await api.call('GET', `/cases/${caseId}/audit/verify${query}`, { token: auditor });
  expect(res.status).toBe(200);
  return res.body as {
    ok: boolean;
    keysFrom: string;
    signedRows: number;
    unsignedRows: number;
    keyIds: string[];
    problem?: { seq: number; kind: string; message: string };
    deep?: { ok: boolean; applied: number; problems: Array<{ seq: number; kind: string; message: string }> };
  };
}

/** Runs SQL as the superuser with the append-only triggers off. */
async function asSuperuser(sql: string, params: unknown[]): Promise<void> {
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

test('rows are signed as they are written and verify against the pinned keyring', async () => {
  const caseId = await caseWithRows();
  const rows = await api.deps.caseStore.listChainedTransitions(caseId);
  expect(rows.every((r) => r.signature && r.keyId)).toBe(true);
  expect(await verify(caseId)).toMatchObject({ ok: true, keysFrom: 'pinned', signedRows: 4, unsignedRows: 0 });
  const deep = await verify(caseId, '?deep=true');
  expect(deep).toMatchObject({ ok: true, deep: { ok: true, applied: 4, problems: [] } });
  // The keyring and the database hold public keys only.
  expect(readFileSync(keyring, 'utf8')).not.toMatch(/PRIVATE/);
  const { rows: keys } = await h.pool.query('SELECT public_key FROM docket.audit_keys');
  expect(keys.map((k) => k.public_key as string).join('')).not.toMatch(/PRIVATE/);
});

test('with the database credentials of a worker, a WITHDRAW by forged_user appended with a correct hash and a bumped last_seq is reported', async () => {
  const caseId = await caseWithRows();
  const rows = await api.deps.caseStore.listChainedTransitions(caseId);
  const last = rows.at(-1)!;
  const forged = {
    ...last,
    seq: last.seq + 1,
    event: 'WITHDRAW',
    payload: { reason: 'customer changed their mind' },
    actor: { userId: 'forged_user', role: 'cs_agent' },
    requestId: null,
    fromState: last.toState,
    toState: 'withdrawn',
    status: 'completed' as const,
    at: new Date().toISOString(),
  };
  const hash = rowHash(forged, last.hash!);
  // The API's role may not append to the log at all; the worker's may: an insider with its credentials forges.
  await expect(api.pool.query('INSERT INTO docket.transitions (case_id) VALUES ($1)', [caseId])).rejects.toMatchObject({ code: '42501' });
  const insider = new Pool({ connectionString: h.config.workerDatabaseUrl!, max: 1 });
  const role = await insider.query<{ current_user: string }>('SELECT current_user');
  expect(role.rows[0]!.current_user).toBe('docket_worker');
  await insider.query(
    `INSERT INTO docket.transitions (case_id, seq, process_id, definition_version, definition_hash, event, payload, actor_user, actor_role,
       request_id, from_state, to_state, status, at, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, NULL, $10, $11, $12, $13, $14, $15)`,
    [
      caseId,
      forged.seq,
      forged.processId,
      forged.definitionVersion,
      forged.definitionHash,
      forged.event,
      JSON.stringify(forged.payload),
      forged.actor.userId,
      forged.actor.role,
      forged.fromState,
      forged.toState,
      forged.status,
      forged.at,
      last.hash,
      hash,
    ],
  );
  await insider.query('UPDATE docket.cases SET last_seq = $2, state = $3, status = $4 WHERE case_id = $1', [
    caseId,
    forged.seq,
    'withdrawn',
    'completed',
  ]);
  await insider.end();
  // Nor can the API's role bring a key of its own, or a signature it made with one.
  const mallory = generateSigningKey(path.join(keyDir, 'mallory.pem'));
  await expect(
    api.pool.query(`INSERT INTO docket.audit_keys (key_id, algorithm, public_key) VALUES ($1, 'ed25519', $2)`, [
      mallory.keyId,
      mallory.publicKey.publicKey,
    ]),
  ).rejects.toMatchObject({ code: '42501' });

  const v = await verify(caseId);
  expect(v).toMatchObject({ ok: false, problem: { seq: 4, kind: 'unsigned' } });
  expect(v.problem!.message).toMatch(/row 4 has no signature.*forged/);

  const cli = await docket(auditor, 'audit', 'verify', caseId);
  expect(cli.code).toBe(2);
  expect(cli.out).toMatch(new RegExp(`${caseId}: BROKEN at seq 4 \\(unsigned\\)`));

  // --deep: Temporal never applied row 4.
  const deep = await docket(auditor, 'audit', 'verify', caseId, '--deep');
  expect(deep.code).toBe(2);
  expect(deep.out).toMatch(
    /deep: seq 4 \(inserted\): row 4 \(WITHDRAW by forged_user \(cs_agent\)\) is in the log, but the case's Temporal history never applied it/,
  );
  const deepApi = await verify(caseId, '?deep=true');
  expect(deepApi.deep).toMatchObject({ ok: false, applied: 4, problems: [{ seq: 4, kind: 'inserted' }] });
  // The deep check reads Temporal's history: auditors only.
  const refused = await api.call('GET', `/cases/${caseId}/audit/verify?deep=true`, { token: agent });
  expect(refused.status).toBe(403);
});

test('as superuser, a row rewritten with every later hash recomputed is reported, even re-signed with a key added to the database', async () => {
  const caseId = await caseWithRows();
  const rows = await api.deps.caseStore.listChainedTransitions(caseId);
  // Rewrite row 1's actor and recompute every hash after it.
  let prev = rows[0]!.hash!;
  const rewritten = rows.map((r) => {
    if (r.seq === 0) return r;
    const content = r.seq === 1 ? { ...r, actor: { userId: 'forged_user', role: 'cs_agent' } } : r;
    const hash = rowHash(content, prev);
    const out = { ...content, prevHash: prev, hash };
    prev = hash;
    return out;
  });
  const write = async (rs: typeof rewritten) => {
    for (const r of rs.slice(1)) {
      await asSuperuser(
        'UPDATE docket.transitions SET actor_user = $3, prev_hash = $4, hash = $5, key_id = $6, signature = $7 WHERE case_id = $1 AND seq = $2',
        [caseId, r.seq, r.actor.userId, r.prevHash, r.hash, r.keyId ?? null, r.signature ?? null],
      );
    }
  };
  await write(rewritten);
  expect(await verify(caseId)).toMatchObject({ ok: false, problem: { seq: 1, kind: 'forged' } });

  // The superuser also brings a key of their own, records it in the database and re-signs every row.
  const mallory = generateSigningKey(path.join(keyDir, 'mallory-2.pem'));
  await h.pool.query(`INSERT INTO docket.audit_keys (key_id, algorithm, public_key) VALUES ($1, 'ed25519', $2)`, [
    mallory.keyId,
    mallory.publicKey.publicKey,
  ]);
  await write(rewritten.map((r) => ({ ...r, ...signRow(mallory, r.hash!) })));
  const v = await verify(caseId);
  expect(v).toMatchObject({ ok: false, keysFrom: 'pinned', problem: { seq: 1, kind: 'unknown-key' } });
  expect(v.problem!.message).toContain(mallory.keyId);

  // Or strips the signatures so the rows pass for rows written before keyed audit.
  await write(rewritten.map((r) => ({ ...r, keyId: null, signature: null })));
  expect(await verify(caseId)).toMatchObject({ ok: false, problem: { seq: 1, kind: 'unsigned' } });

  // Deep: Temporal applied row 1 by amy, not by forged_user.
  const deep = await verify(caseId, '?deep=true');
  expect(deep.deep!.problems[0]).toMatchObject({ seq: 1, kind: 'changed', message: expect.stringMatching(/forged_user.*amy.*actor/) });
});

test('rows written before keyed audit verify as unsigned, vouched for by the checkpoint signed when it began', async () => {
  const caseId = await caseWithRows();
  // Rows as an older release wrote them: chained, unsigned.
  await asSuperuser('UPDATE docket.transitions SET key_id = NULL, signature = NULL WHERE case_id = $1', [caseId]);
  expect(await verify(caseId)).toMatchObject({ ok: false, problem: { seq: 0, kind: 'unsigned' } });
  // What the worker does when it makes the keyring (keyed audit begins): a checkpoint over each unsigned head.
  expect(await new PostgresCaseStore(h.pool).adoptUnsigned(loadSigningKey(keyA))).toBeGreaterThanOrEqual(1);
  expect(await verify(caseId)).toMatchObject({ ok: true, signedRows: 0, unsignedRows: 4 });
  const cli = await docket(auditor, 'audit', 'verify', caseId);
  expect(cli.out).toMatch(/intact \(4 rows, 0 signed.*, 4 unsigned \(before keyed audit/);
  // New rows are signed; an unsigned row appended after them is not vouched for.
  await h.docket.send(caseId, { type: 'LOG_CONTACT', data: { channel: 'phone', summary: 'after' }, actor: handler });
  expect(await verify(caseId)).toMatchObject({ ok: true, signedRows: 1, unsignedRows: 4 });
  // The checkpoints cannot be removed by the owner either (trigger), and not written by the API's role.
  await expect(h.pool.query('DELETE FROM docket.audit_checkpoints WHERE case_id = $1', [caseId])).rejects.toMatchObject({ code: 'DKT01' });
  await expect(api.pool.query('DELETE FROM docket.audit_checkpoints WHERE case_id = $1', [caseId])).rejects.toMatchObject({
    code: '42501',
  });
});

test('key rotation: rows signed with key A and then key B all verify; an export verifies offline with the public keys only', async () => {
  const caseId = await caseWithRows();
  const keyIdA = (await api.deps.caseStore.listChainedTransitions(caseId))[0]!.keyId;
  // Rotate: the worker restarts with a new key file; the keyring gains B's public key and keeps A's.
  await h.stopWorker();
  h.config.audit = { ...h.config.audit, signingKeyFile: keyB };
  await h.startWorker();
  await h.docket.send(caseId, { type: 'LOG_CONTACT', data: { channel: 'phone', summary: 'after rotation' }, actor: handler });
  const rows = await api.deps.caseStore.listChainedTransitions(caseId);
  const keyIdB = rows.at(-1)!.keyId;
  expect(keyIdB).not.toBe(keyIdA);
  expect(readPublicKeys(keyring).map((k) => k.keyId)).toEqual([keyIdA, keyIdB]);
  expect(await verify(caseId)).toMatchObject({ ok: true, signedRows: 5, keyIds: [keyIdA, keyIdB] });

  const exp = await api.call('GET', `/cases/${caseId}/audit/export`, { token: auditor });
  expect(exp.body.keys.map((k: { keyId: string }) => k.keyId)).toEqual([keyIdA, keyIdB]);
  expect(verifyExport(exp.body, readPublicKeys(keyring))).toMatchObject({ ok: true, keysFrom: 'pinned' });
  // Only the old key pinned: the rows B signed are reported.
  const onlyA = readPublicKeys(keyring).filter((k) => k.keyId === keyIdA);
  expect(verifyExport(exp.body, onlyA).cases[0]).toMatchObject({ ok: false, problem: { seq: 4, kind: 'unknown-key' } });

  // Offline, with the CLI: the export and the public keyring, no servers.
  const dir = mkdtempSync(path.join(tmpdir(), 'docket-export-'));
  const file = path.join(dir, 'export.json');
  writeFileSync(file, JSON.stringify(exp.body));
  const offline = await runCli(['audit', 'verify', '--file', file, '--public-key', keyring], { config: h.config, cwd: dir });
  expect(offline).toMatchObject({ code: 0 });
  expect(offline.out).toMatch(new RegExp(`${caseId}: intact \\(5 rows, 5 signed by ${keyIdA}, ${keyIdB}`));
  // Without a pinned key the file's own keys are used, and the output says so.
  const unpinned = await runCli(['audit', 'verify', '--file', file], { config: h.config, cwd: dir });
  expect(unpinned.out).toMatch(/pin the writer's keys with --public-key/);

  // An edited export fails offline, even re-chained, and even carrying a forger's public key.
  const edited = structuredClone(exp.body);
  const t = edited.cases[0].transitions;
  t[2].actor.userId = 'forged_user';
  for (let i = 2; i < t.length; i++) {
    t[i].prevHash = t[i - 1].hash;
    t[i].hash = rowHash(t[i], t[i].prevHash);
  }
  const mallory = generateSigningKey(path.join(keyDir, 'mallory-3.pem'));
  for (const r of t) Object.assign(r, signRow(mallory, r.hash));
  edited.keys = [mallory.publicKey];
  writeFileSync(file, JSON.stringify(edited));
  const tampered = await runCli(['audit', 'verify', '--file', file, '--public-key', keyring], { config: h.config, cwd: dir });
  expect(tampered.code).toBe(2);
  expect(tampered.out).toMatch(/BROKEN at seq 0 \(unknown-key\)/);
  // A case id with --public-key: the server's export is verified here, with the pinned keys.
  const pinnedOnline = await docket(auditor, 'audit', 'verify', caseId, '--public-key', keyring);
  expect(pinnedOnline).toMatchObject({ code: 0 });
});
