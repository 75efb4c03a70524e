import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { rowHash, verifyChain, type ChainedTransition } from '../../audit/chain';
import { definitionHash } from '../../audit/definition-hash';
import { crossCheck } from '../../audit/deep';
import { buildExport, verifyExport } from '../../audit/export';
import { generateSigningKey, openSigner, readKeyring, readPublicKeys, type AuditSigner } from '../../audit/keys';
import { KeySet, signCheckpoint, signRow } from '../../audit/signature';

const DEF = definitionHash({ process: 'p', version: 1 });
const dir = () => mkdtempSync(path.join(tmpdir(), 'docket-audit-'));

function row(seq: number, over: Partial<ChainedTransition> = {}) {
  return {
    caseId: 'c1',
    seq,
    processId: 'p',
    definitionVersion: 1,
    definitionHash: DEF,
    event: seq === 0 ? 'xstate.init' : `E${seq}`,
    payload: { n: seq },
    actor: { userId: 'u', role: 'r' },
    requestId: null,
    fromState: seq === 0 ? null : `s${seq - 1}`,
    toState: `s${seq}`,
    status: 'open' as const,
    at: new Date(Date.UTC(2026, 0, 1, 0, seq)).toISOString(),
    ...over,
  };
}

/** Rows 0…n-1 chained; signed by `signers[seq]` when there is one (unsigned otherwise). */
function chain(n: number, signerOf: (seq: number) => AuditSigner | undefined): ChainedTransition[] {
  const rows: ChainedTransition[] = [];
  let prev = DEF;
  for (let seq = 0; seq < n; seq++) {
    const r = row(seq);
    const hash = rowHash(r, prev);
    const signer = signerOf(seq);
    rows.push({ ...r, prevHash: prev, hash, ...(signer ? signRow(signer, hash) : { keyId: null, signature: null }) });
    prev = hash;
  }
  return rows;
}

/** Appends a row with a correct plain hash and no signature: what database access alone can write. */
function appendForged(rows: ChainedTransition[], over: Partial<ChainedTransition> = {}): ChainedTransition[] {
  const last = rows.at(-1)!;
  const r = row(last.seq + 1, { event: 'WITHDRAW', actor: { userId: 'forged_user', role: 'customer' }, ...over });
  return [...rows, { ...r, prevHash: last.hash, hash: rowHash(r, last.hash!), keyId: null, signature: null }];
}

const a = generateSigningKey(path.join(dir(), 'a.pem'));
const b = generateSigningKey(path.join(dir(), 'b.pem'));
const keysAB = new KeySet([a.publicKey, b.publicKey]);

test('a signed chain verifies with the public key; without keys signatures are reported unchecked', () => {
  const rows = chain(4, () => a);
  expect(verifyChain('c1', rows, { lastSeq: 3, keys: new KeySet([a.publicKey]) })).toMatchObject({
    ok: true,
    signatures: 'verified',
    signedRows: 4,
    unsignedRows: 0,
    keyIds: [a.keyId],
  });
  expect(verifyChain('c1', rows, { lastSeq: 3 })).toMatchObject({ ok: true, signatures: 'unchecked' });
});

test('a row appended with a valid plain hash but no signature is caught as unsigned', () => {
  const forged = appendForged(chain(4, () => a));
  // The plain chain and the bumped count agree: only the signature tells.
  expect(verifyChain('c1', forged, { lastSeq: 4 }).ok).toBe(true);
  expect(verifyChain('c1', forged, { lastSeq: 4, keys: keysAB }).problem).toMatchObject({ seq: 4, kind: 'unsigned' });
});

test('a row signed with a key of the forger is caught as unknown-key; a copied signature as forged', () => {
  const mallory = generateSigningKey(path.join(dir(), 'm.pem'));
  const forged = appendForged(chain(3, () => a));
  const signedByMallory = forged.map((r) => (r.seq === 3 ? { ...r, ...signRow(mallory, r.hash!) } : r));
  expect(verifyChain('c1', signedByMallory, { keys: keysAB }).problem).toMatchObject({ seq: 3, kind: 'unknown-key' });
  const copied = forged.map((r) => (r.seq === 3 ? { ...r, keyId: a.keyId, signature: forged[2]!.signature } : r));
  expect(verifyChain('c1', copied, { keys: keysAB }).problem).toMatchObject({ seq: 3, kind: 'forged' });
});

test('a rewritten row with every later hash recomputed is caught at that row, signatures kept or removed', () => {
  const rows = chain(5, () => a);
  const rewritten: ChainedTransition[] = [];
  let prev = DEF;
  for (const r of rows) {
    const content = r.seq === 2 ? { ...r, payload: { n: 'rewritten' } } : r;
    const hash = rowHash(content, prev);
    rewritten.push({ ...content, prevHash: prev, hash });
    prev = hash;
  }
  expect(verifyChain('c1', rewritten, { lastSeq: 4 }).ok).toBe(true);
  expect(verifyChain('c1', rewritten, { lastSeq: 4, keys: keysAB }).problem).toMatchObject({ seq: 2, kind: 'forged' });
  const stripped = rewritten.map((r) => (r.seq >= 2 ? { ...r, keyId: null, signature: null } : r));
  expect(verifyChain('c1', stripped, { keys: keysAB }).problem).toMatchObject({ seq: 2, kind: 'unsigned' });
  const allStripped = rewritten.map((r) => ({ ...r, keyId: null, signature: null }));
  expect(verifyChain('c1', allStripped, { keys: keysAB }).problem).toMatchObject({ seq: 0, kind: 'unsigned' });
});

test('rows before keyed audit verify as unsigned when a signed checkpoint vouches for them, and only those', () => {
  const rows = chain(5, (seq) => (seq >= 3 ? a : undefined));
  const checkpoint = signCheckpoint(a, 'c1', 2, rows[2]!.hash!);
  expect(verifyChain('c1', rows, { lastSeq: 4, keys: keysAB, checkpoints: [checkpoint] })).toMatchObject({
    ok: true,
    signedRows: 2,
    unsignedRows: 3,
  });
  expect(verifyChain('c1', rows, { keys: keysAB }).problem).toMatchObject({ seq: 0, kind: 'unsigned' });
  // A checkpoint made without the key, or over a rewritten head, proves nothing.
  const forgedCheckpoint = { ...checkpoint, seq: 3 };
  expect(verifyChain('c1', rows, { keys: keysAB, checkpoints: [forgedCheckpoint] }).problem).toMatchObject({ seq: 3, kind: 'forged' });
  const legacy = chain(3, () => undefined);
  const overOther = signCheckpoint(a, 'c1', 2, 'f'.repeat(64));
  expect(verifyChain('c1', legacy, { keys: keysAB, checkpoints: [overOther] }).problem).toMatchObject({ seq: 2, kind: 'changed' });
  // A legacy case with a row appended later without the key.
  const adopted = signCheckpoint(a, 'c1', 2, legacy[2]!.hash!);
  expect(verifyChain('c1', appendForged(legacy), { keys: keysAB, checkpoints: [adopted] }).problem).toMatchObject({
    seq: 3,
    kind: 'unsigned',
  });
});

test('after a rotation rows signed by the old and the new key verify together; a key not given is unknown', () => {
  const rows = chain(6, (seq) => (seq < 3 ? a : b));
  expect(verifyChain('c1', rows, { lastSeq: 5, keys: keysAB })).toMatchObject({ ok: true, keyIds: [a.keyId, b.keyId] });
  expect(verifyChain('c1', rows, { keys: new KeySet([b.publicKey]) }).problem).toMatchObject({ seq: 0, kind: 'unknown-key' });
});

test('the signing key is generated once, mode 0600; the keyring keeps every public key and no secret', () => {
  const d = dir();
  const files = {
    signingKeyFile: path.join(d, 'audit', 'signing-key.pem'),
    generateSigningKey: true,
    publicKeysFile: path.join(d, 'audit', 'keys.json'),
  };
  const first = openSigner(files);
  expect(first.keyringCreated).toBe(true);
  expect(statSync(files.signingKeyFile).mode & 0o777).toBe(0o600);
  const again = openSigner(files);
  expect(again).toMatchObject({ keyringCreated: false, signer: { keyId: first.signer.keyId } });
  // Rotation: a new key file; the keyring gains its public key and keeps the old one.
  const rotated = openSigner({ ...files, signingKeyFile: path.join(d, 'b.pem'), generateSigningKey: true });
  expect(rotated.keyringCreated).toBe(false);
  const keyring = readKeyring(files.publicKeysFile)!;
  expect(keyring.keys.map((k) => k.keyId)).toEqual([first.signer.keyId, rotated.signer.keyId]);
  expect(readFileSync(files.publicKeysFile, 'utf8')).not.toMatch(/PRIVATE/);
  // An explicitly named key file is never generated.
  expect(() => openSigner({ ...files, signingKeyFile: path.join(d, 'missing.pem'), generateSigningKey: false })).toThrow(
    /cannot read the audit signing key .*missing\.pem.*DOCKET_AUDIT_SIGNING_KEY_FILE/,
  );
  // Ids written in a keyring file are recomputed, never trusted.
  const edited = JSON.parse(readFileSync(files.publicKeysFile, 'utf8'));
  edited.keys[0].keyId = rotated.signer.keyId;
  writeFileSync(files.publicKeysFile, JSON.stringify(edited));
  expect(readPublicKeys(files.publicKeysFile).map((k) => k.keyId)).toEqual([first.signer.keyId, rotated.signer.keyId]);
});

test('an export verifies offline with pinned keys; its own keys swapped for a forger’s do not pass a pinned check', () => {
  const rows = chain(3, () => a);
  const c = {
    caseId: 'c1',
    processId: 'p',
    definitionVersion: 1,
    definitionHash: DEF,
    customerId: 'C',
    state: 's2',
    status: 'open',
    lastSeq: 2,
  };
  const exp = JSON.parse(
    JSON.stringify(buildExport([{ ...c, transitions: rows }], { userId: 'eve', role: 'auditor' }, [a.publicKey, b.publicKey])),
  );
  expect(exp.keys.map((k: { keyId: string }) => k.keyId)).toEqual([a.keyId]);
  expect(verifyExport(exp, [a.publicKey])).toMatchObject({ ok: true, keysFrom: 'pinned' });
  expect(verifyExport(exp)).toMatchObject({ ok: true, keysFrom: 'export' });
  // A forger re-signs an edited file with their own key and ships their public key inside it.
  const mallory = generateSigningKey(path.join(dir(), 'm.pem'));
  const forged = appendForged(rows).map((r) => (r.seq === 3 ? { ...r, ...signRow(mallory, r.hash!) } : r));
  const forgedExp = { ...exp, keys: [mallory.publicKey], cases: [{ ...exp.cases[0], lastSeq: 3, transitions: forged }] };
  expect(verifyExport(forgedExp, [a.publicKey]).cases[0]).toMatchObject({ ok: false, problem: { seq: 3, kind: 'unknown-key' } });
});

test('the deep check names rows Temporal never applied and applied rows that are missing', () => {
  const rows = chain(3, () => a);
  const payload = (record: unknown) => ({
    metadata: { encoding: Buffer.from('json/plain').toString('base64') },
    data: Buffer.from(JSON.stringify({ record, projection: {} })).toString('base64'),
  });
  const events = rows.flatMap((r, i) => [
    {
      eventId: String(10 * i + 1),
      activityTaskScheduledEventAttributes: { activityType: { name: 'persistTransition' }, input: { payloads: [payload(r)] } },
    },
    { eventId: String(10 * i + 2), activityTaskCompletedEventAttributes: { scheduledEventId: String(10 * i + 1) } },
  ]);
  const runs = [{ runId: 'r1', history: { events } }];
  expect(crossCheck(rows, runs)).toMatchObject({ ok: true, applied: 3, problems: [] });
  expect(crossCheck(appendForged(rows), runs).problems).toMatchObject([{ seq: 3, kind: 'inserted' }]);
  expect(crossCheck(rows.slice(0, 2), runs).problems).toMatchObject([{ seq: 2, kind: 'removed' }]);
  const changed = rows.map((r) => (r.seq === 1 ? { ...r, actor: { userId: 'forged_user', role: 'r' } } : r));
  expect(crossCheck(changed, runs).problems).toMatchObject([{ seq: 1, kind: 'changed', message: expect.stringMatching(/actor/) }]);
  // Scheduled but not completed yet: pending, not a problem.
  const inFlight = [{ runId: 'r1', history: { events: events.slice(0, -1) } }];
  expect(crossCheck(rows, inFlight)).toMatchObject({ ok: true, pending: [2] });
});

test('a key made in a new folder makes only that folder private: the folders above it stay open to other users', () => {
  const base = dir();
  const file = path.join(base, 'data', 'audit', 'signing.pem');
  generateSigningKey(file);
  expect(statSync(path.join(base, 'data', 'audit')).mode & 0o777).toBe(0o700);
  expect(statSync(path.join(base, 'data')).mode & 0o001).toBe(0o001); // others may enter data/ (the embedded server's user)
  expect(statSync(file).mode & 0o777).toBe(0o600);
});
