/**
 * Auditors' sampling on the real stack: completed complaints seeded with chosen reps and times (signed
 * with the worker's key, as the worker writes them), drawn by seed (the same seed the same cases, worked
 * out here by hand from SHA-256; another seed other cases), reviewed against the complaint's checklist
 * through a worker (annotations chained after the log and signed), the sampling report's figures, the rep
 * told in their notification centre, verify and export covering the annotations, tampering caught, and
 * refusals (a non-auditor, a review that does not answer the checklist) changing nothing.
 */
import { createHash } from 'node:crypto';
import { annotationHash, type ChainedAnnotation } from '../../audit/annotations';
import { verifyExport } from '../../audit/export';
import { openSigner } from '../../audit/keys';
import { readPublicKeys } from '../../audit/keys';
import { PROJECT_ROOT } from '../../config';
import { startTestApi, type TestApi } from '../helpers/api';
import { runCli } from '../helpers/cli';
import { createHarness, waitFor, type Harness } from '../helpers/harness';
import { seedCases, type SeedCase } from '../helpers/report-seed';

let h: Harness;
let api: TestApi;
const t: Record<string, string> = {};
/** The CLI's configuration: the API only (no database, no Temporal it could reach by itself). */
const cliConfig = () => ({ ...h.config, databaseUrl: undefined, temporalAddress: '127.0.0.1:1' });

const H = 3_600_000;
const at = (base: string, n: number) => new Date(Date.parse(base) + n * H).toISOString();

/** A complaint handled by `rep`, opened at `opened` and closed (customer satisfied) 30 hours later, or left open. */
function complaint(caseId: string, rep: string, opened: string, closed = true): SeedCase {
  return {
    caseId,
    processId: 'complaint',
    customerId: `CUST-${caseId}`,
    context: { assignee: rep, department: 'after_sales', category: 'product_quality', severity: 'high', reopenings: 0 },
    steps: [
      { event: 'xstate.init', to: 'received', at: opened, actor: { userId: 'amy', role: 'cs_agent' } },
      { event: 'ACCEPT', to: 'investigating', at: at(opened, 2), actor: { userId: 'amy', role: 'cs_agent' } },
      ...(closed ? [{ event: 'CUSTOMER_SATISFIED', to: 'closed', at: at(opened, 30), actor: { userId: 'amy', role: 'cs_agent' } }] : []),
    ],
    completed: closed,
  };
}

// March 2024: bob closed 10 complaints, ben 6, bill 3; one of bob's closed in February and one still open
// do not count; neither does a visit.
const REPS = { bob: 10, ben: 6, bill: 3 } as const;
const ids: Record<string, string[]> = {};
const seeded: SeedCase[] = [];
for (const [rep, n] of Object.entries(REPS)) {
  ids[rep] = [];
  for (let i = 0; i < n; i++) {
    const caseId = `complaint-${rep}-${String(i).padStart(2, '0')}`;
    ids[rep].push(caseId);
    seeded.push(complaint(caseId, rep, at('2024-03-02T00:00:00.000Z', i * 24)));
  }
}
seeded.push(complaint('complaint-bob-feb', 'bob', '2024-02-10T00:00:00.000Z'));
seeded.push(complaint('complaint-bob-open', 'bob', '2024-03-05T00:00:00.000Z', false));

/** What the draw must pick, worked out here: per rep, the cases with the smallest sha256(seed \0 caseId). */
function expected(seed: string, rep: string, n: number): string[] {
  const key = (id: string) => createHash('sha256').update(`${seed}\u0000${id}`).digest('hex');
  return [...ids[rep]!].sort((a, b) => (key(a) < key(b) ? -1 : 1)).slice(0, n);
}

const MARCH = { process: 'complaint', from: '2024-03-01', to: '2024-04-01' };
const ALL_PASS = {
  accepted_in_time: 'pass',
  contact_logged: 'pass',
  findings_documented: 'pass',
  compensation_justified: 'na',
  satisfaction_confirmed: 'pass',
} as const;

const counts = async () => {
  const { rows } = await h.pool.query<{ samples: number; annotations: number; outbox: number; security: number }>(
    `SELECT (SELECT count(*)::int FROM docket.audit_samples) AS samples,
            (SELECT count(*)::int FROM docket.case_annotations) AS annotations,
            (SELECT count(*)::int FROM docket.notification_outbox) AS outbox,
            (SELECT count(*)::int FROM docket.security_log WHERE code = 'Forbidden') AS security`,
  );
  return rows[0]!;
};

beforeAll(async () => {
  h = await createHarness('audit_sampling');
  api = await startTestApi(h);
  for (const [name, roles] of [
    ['eve', ['auditor']],
    ['amy', ['cs_agent']],
    ['bob', ['handler']],
    ['ben', ['handler']],
    ['bill', ['handler']],
    ['sam', ['service_manager']],
  ] as const) {
    t[name] = await api.user(name, [...roles]);
  }
  await seedCases(h, h.pool, seeded, openSigner(h.config.audit).signer);
});

afterAll(async () => {
  await api?.close();
  await h?.close();
});

const draw = (body: Record<string, unknown>, token = t.eve!) => api.call('POST', '/audit/samples', { token, body });

let first: { sampleId: string; cases: Array<{ caseId: string; rep: string; rank: number }> };

test('a draw picks, per rep, the cases with the smallest seeded keys; the same seed again the same cases, another seed others', async () => {
  const a = await draw({ ...MARCH, size: 3, seed: 'alpha' });
  expect(a.status).toBe(201);
  expect(a.body.sample).toMatchObject({ processId: 'complaint', size: 3, percent: null, seed: 'alpha', reps: [], drawnBy: 'eve' });
  // Completed in March: February's and the open one are not counted.
  expect(a.body.sample.population).toEqual({ bob: 10, ben: 6, bill: 3 });
  const picked = (body: typeof a.body, rep: string) =>
    body.cases.filter((c: { rep: string }) => c.rep === rep).map((c: { caseId: string }) => c.caseId);
  for (const rep of ['bob', 'ben', 'bill']) expect(picked(a.body, rep)).toEqual(expected('alpha', rep, 3));
  expect(a.body.cases).toHaveLength(9);
  first = { sampleId: a.body.sample.sampleId, cases: a.body.cases };

  const again = await draw({ ...MARCH, size: 3, seed: 'alpha' });
  expect(again.status).toBe(201);
  expect(again.body.sample.sampleId).not.toBe(a.body.sample.sampleId);
  expect(again.body.cases.map((c: { caseId: string }) => c.caseId)).toEqual(a.body.cases.map((c: { caseId: string }) => c.caseId));

  const other = await draw({ ...MARCH, size: 3, seed: 'beta' });
  expect(picked(other.body, 'bob')).toEqual(expected('beta', 'bob', 3));
  expect(picked(other.body, 'bob')).not.toEqual(picked(a.body, 'bob'));
  // bill has 3 cases: every seed draws all of them.
  expect([...picked(other.body, 'bill')].sort()).toEqual(ids.bill);

  // 20% of each named rep's cases, rounded up: bob 2 of 10, ben 2 of 6 (1.2); bill is not asked for.
  const pct = await draw({ ...MARCH, percent: 20, seed: 'alpha', reps: ['bob', 'ben'] });
  expect(pct.body.sample.population).toEqual({ bob: 10, ben: 6 });
  expect(picked(pct.body, 'bob')).toEqual(expected('alpha', 'bob', 2));
  expect(picked(pct.body, 'ben')).toEqual(expected('alpha', 'ben', 2));
  expect(picked(pct.body, 'bill')).toEqual([]);

  // Stored with its parameters: listed newest first, and read back the same.
  const list = await api.call('GET', '/audit/samples', { token: t.eve! });
  expect(list.body.samples.map((s: { seed: string; sampled: number }) => [s.seed, s.sampled])).toEqual([
    ['alpha', 4],
    ['beta', 9],
    ['alpha', 9],
    ['alpha', 9],
  ]);
  const read = await api.call('GET', `/audit/samples/${first.sampleId}`, { token: t.eve! });
  expect(read.body.cases.map((c: { caseId: string }) => c.caseId)).toEqual(a.body.cases.map((c: { caseId: string }) => c.caseId));
  expect(read.body.checklist.map((i: { id: string }) => i.id)).toEqual(Object.keys(ALL_PASS));
});

test('a draw is refused without size or percent, with both, or for a process without a checklist; nothing is stored', async () => {
  const before = await counts();
  expect((await draw({ ...MARCH, seed: 'x' })).status).toBe(400);
  expect((await draw({ ...MARCH, size: 2, percent: 10 })).status).toBe(400);
  const improvement = await draw({ ...MARCH, process: 'improvement_measure', size: 2 });
  expect([improvement.status, improvement.body.error.code]).toEqual([422, 'NoChecklist']);
  expect((await counts()).samples).toBe(before.samples);
});

test('reviews against the checklist make the sampling report; the latest review of a case counts', async () => {
  const bobs = first.cases.filter((c) => c.rep === 'bob').map((c) => c.caseId);
  const bens = first.cases.filter((c) => c.rep === 'ben').map((c) => c.caseId);
  const review = (caseId: string, body: Record<string, unknown>) =>
    api.call('POST', `/audit/samples/${first.sampleId}/cases/${caseId}/review`, { token: t.eve!, body });

  const passed = await review(bobs[0]!, { results: ALL_PASS });
  expect(passed.status).toBe(201);
  expect(passed.body.annotation).toMatchObject({ caseId: bobs[0], seq: 0, kind: 'review', sampleId: first.sampleId, rep: 'bob' });
  expect(passed.body.annotation.body.passed).toBe(true);
  expect(passed.body.annotation.signature).toEqual(expect.any(String));
  await review(bobs[1]!, { results: { ...ALL_PASS, contact_logged: 'fail' }, findings: { contact_logged: 'No call logged in 5 days' } });
  await review(bobs[2]!, {
    results: { ...ALL_PASS, contact_logged: 'fail', findings_documented: 'fail' },
    findings: { contact_logged: 'No call logged', findings_documented: 'Findings empty' },
    comment: 'Talk to the team',
  });
  await review(bens[0]!, { results: ALL_PASS });
  // Looked at again: bob's first case fails after all; this review supersedes the first.
  const again = await review(bobs[0]!, {
    results: { ...ALL_PASS, satisfaction_confirmed: 'fail' },
    findings: { satisfaction_confirmed: 'Score taken from a colleague' },
  });
  expect(again.body.annotation.seq).toBe(1);

  const report = await api.call('GET', `/audit/samples/${first.sampleId}/report`, { token: t.eve! });
  expect(report.status).toBe(200);
  const row = (rep: string) => report.body.rows.find((r: { rep: string }) => r.rep === rep);
  expect(row('bob')).toEqual({
    rep: 'bob',
    population: 10,
    sampled: 3,
    reviewed: 3,
    passed: 0,
    failed: 3,
    findings: 4,
    'item:accepted_in_time': 0,
    'item:contact_logged': 2,
    'item:findings_documented': 1,
    'item:compensation_justified': 0,
    'item:satisfaction_confirmed': 1,
  });
  expect(row('ben')).toMatchObject({ population: 6, sampled: 3, reviewed: 1, passed: 1, failed: 0, findings: 0 });
  expect(row('bill')).toMatchObject({ population: 3, sampled: 3, reviewed: 0, passed: 0, failed: 0 });
  expect(row('(total)')).toMatchObject({
    population: 19,
    sampled: 9,
    reviewed: 4,
    passed: 1,
    failed: 3,
    findings: 4,
    'item:contact_logged': 2,
  });
  expect(report.body.items.map((i: { id: string; failed: number }) => [i.id, i.failed])).toEqual([
    ['accepted_in_time', 0],
    ['contact_logged', 2],
    ['findings_documented', 1],
    ['compensation_justified', 0],
    ['satisfaction_confirmed', 1],
  ]);
  const csv = await api.call('GET', `/audit/samples/${first.sampleId}/report?format=csv`, { token: t.eve! });
  expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
  expect(csv.text.split('\r\n')[0]).toBe(
    'rep,population,sampled,reviewed,passed,failed,findings,item:accepted_in_time,item:contact_logged,item:findings_documented,item:compensation_justified,item:satisfaction_confirmed',
  );
  expect(csv.text).toContain('bob,10,3,3,0,3,4,0,2,1,0,1');

  // The sample's cases show their latest review.
  const read = await api.call('GET', `/audit/samples/${first.sampleId}/cases/${bobs[0]}`, { token: t.eve! });
  expect(read.body.case).toMatchObject({ caseId: bobs[0], rep: 'bob', processId: 'complaint', state: 'closed' });
  expect(read.body.case.review).toMatchObject({ seq: 1, passed: false, failed: ['satisfaction_confirmed'] });
  expect(read.body.reviews).toHaveLength(2);
});

test('a review that does not answer the checklist, or of a case not in the sample, is refused and changes nothing', async () => {
  const before = await counts();
  const caseId = first.cases[0]!.caseId;
  const url = `/audit/samples/${first.sampleId}/cases/${caseId}/review`;
  const missing = await api.call('POST', url, { token: t.eve!, body: { results: { accepted_in_time: 'pass' } } });
  expect([missing.status, missing.body.error.code]).toEqual([422, 'ValidationError']);
  expect(missing.body.error.issues.map((i: { path: string }) => i.path)).toContain('results.contact_logged');
  const noFinding = await api.call('POST', url, { token: t.eve!, body: { results: { ...ALL_PASS, contact_logged: 'fail' } } });
  expect(noFinding.body.error.issues).toEqual([{ path: 'findings.contact_logged', message: 'required: what was found' }]);
  const unknown = await api.call('POST', url, { token: t.eve!, body: { results: { ...ALL_PASS, made_up: 'pass' } } });
  expect(unknown.status).toBe(422);
  const outside = await api.call('POST', `/audit/samples/${first.sampleId}/cases/complaint-bob-feb/review`, {
    token: t.eve!,
    body: { results: ALL_PASS },
  });
  expect([outside.status, outside.body.error.code]).toEqual([404, 'NotInSample']);
  const none = await api.call('GET', '/audit/samples/sample-nothere', { token: t.eve! });
  expect([none.status, none.body.error.code]).toEqual([404, 'SampleNotFound']);
  expect(await counts()).toEqual(before);
});

test('only auditors sample, review, annotate and read the report: others get 403, logged, and nothing changes', async () => {
  const before = await counts();
  const caseId = first.cases[0]!.caseId;
  const tries = [
    () => draw({ ...MARCH, size: 2, seed: 'x' }, t.sam),
    () => api.call('GET', '/audit/samples', { token: t.amy! }),
    () => api.call('GET', `/audit/samples/${first.sampleId}/report`, { token: t.sam! }),
    () => api.call('POST', `/audit/samples/${first.sampleId}/cases/${caseId}/review`, { token: t.bob!, body: { results: ALL_PASS } }),
    () => api.call('POST', `/cases/${caseId}/annotations`, { token: t.sam!, body: { text: 'hm' } }),
  ];
  for (const call of tries) {
    const res = await call();
    expect([res.status, res.body.error.code]).toEqual([403, 'Forbidden']);
  }
  const after = await counts();
  expect(after).toEqual({ ...before, security: before.security + tries.length });
});

test("an auditor's note is an annotation the rep is told about; the rep reads the case's annotations", async () => {
  const caseId = ids.bill![0]!;
  const note = await api.call('POST', `/cases/${caseId}/annotations`, {
    token: t.eve!,
    body: { text: 'Compensation paid before approval' },
    headers: { 'idempotency-key': 'note-1' },
  });
  expect(note.status).toBe(201);
  expect(note.body.annotation).toMatchObject({
    caseId,
    seq: 0,
    kind: 'note',
    sampleId: null,
    rep: 'bill',
    body: { text: 'Compensation paid before approval' },
  });
  // The same request again appends nothing.
  const retried = await api.call('POST', `/cases/${caseId}/annotations`, {
    token: t.eve!,
    body: { text: 'Compensation paid before approval' },
    headers: { 'idempotency-key': 'note-1' },
  });
  expect(retried.body.annotation.hash).toBe(note.body.annotation.hash);
  const { rows } = await h.pool.query('SELECT annotations FROM docket.cases WHERE case_id = $1', [caseId]);
  expect(rows[0].annotations).toBe(1);

  const inbox = await waitFor(
    () => api.call('GET', '/notifications', { token: t.bill! }),
    (r) => r.body.items?.some((n: { caseId: string }) => n.caseId === caseId),
    'the note in bill’s notification centre',
  );
  expect(inbox.body.items.find((n: { caseId: string }) => n.caseId === caseId)).toMatchObject({
    kind: 'info',
    template: 'auditNote',
    subject: { en: `An auditor annotated case ${caseId}`, 'zh-CN': `审计对案件 ${caseId} 添加了批注` },
  });
  const read = await api.call('GET', `/cases/${caseId}/annotations`, { token: t.bill! });
  expect(read.body.annotations.map((a: { kind: string }) => a.kind)).toEqual(['note']);
  // bob's failed review reached bob.
  const bobs = await waitFor(
    () => api.call('GET', '/notifications', { token: t.bob! }),
    (r) => r.body.items?.some((n: { template: string }) => n.template === 'auditReview'),
    'the review in bob’s notification centre',
  );
  expect(bobs.body.items.map((n: { subject: { en: string } }) => n.subject.en)).toContain(
    `Audit review of case ${first.cases.find((c) => c.rep === 'bob')!.caseId}: findings on 1 item`,
  );
});

test('verify covers the annotations, export carries them (JSON and CSV), and an export verifies offline', async () => {
  const caseId = first.cases.find((c) => c.rep === 'bob')!.caseId;
  const v = await api.call('GET', `/cases/${caseId}/audit/verify`, { token: t.eve! });
  expect(v.body).toMatchObject({ ok: true, rows: 3, signatures: 'verified', annotations: { ok: true, rows: 2, signedRows: 2 } });
  const exp = await api.call('GET', `/cases/${caseId}/audit/export`, { token: t.eve! });
  expect(exp.body.cases[0].annotations).toHaveLength(2);
  expect(exp.body.cases[0].annotationCount).toBe(2);
  const keys = readPublicKeys(h.config.audit.publicKeysFile);
  expect(verifyExport(exp.body, keys)).toMatchObject({ ok: true, keysFrom: 'pinned' });
  // An annotation changed in the file is caught offline.
  const edited = structuredClone(exp.body);
  edited.cases[0].annotations[1].body.passed = true;
  const offline = verifyExport(edited, keys);
  expect(offline.ok).toBe(false);
  expect(offline.cases[0]!.problem).toMatchObject({ trail: 'annotations', seq: 1, kind: 'changed' });
  const csv = await api.call('GET', `/cases/${caseId}/audit/export?format=csv`, { token: t.eve! });
  const lines = csv.text.trim().split('\r\n');
  expect(lines[0]).toMatch(/,record$/);
  expect(lines.filter((l) => l.endsWith(',annotation'))).toHaveLength(2);
  expect(lines.filter((l) => l.includes(',annotation:review,eve,auditor,'))).toHaveLength(2);
  const all = await api.call('GET', '/audit/verify', { token: t.eve! });
  expect(all.body).toMatchObject({ ok: true, broken: [] });
});

test('annotations are append-only for every role; a superuser who changes one is caught by verify', async () => {
  const caseId = first.cases.find((c) => c.rep === 'bob')!.caseId;
  // Neither the API's role nor the superuser may change or remove a row while the triggers stand.
  await expect(h.apiPool.query('UPDATE docket.case_annotations SET body = $2 WHERE case_id = $1', [caseId, '{}'])).rejects.toThrow(
    /permission denied/,
  );
  await expect(
    h.apiPool.query(
      `INSERT INTO docket.case_annotations (case_id, seq, kind, body, author_user, author_role, case_seq, case_hash, at, prev_hash, hash)
       VALUES ($1, 9, 'note', '{}', 'eve', 'auditor', 0, 'x', now(), 'x', 'x')`,
      [caseId],
    ),
  ).rejects.toThrow(/permission denied/);
  await expect(h.pool.query('UPDATE docket.case_annotations SET body = $2 WHERE case_id = $1', [caseId, '{}'])).rejects.toMatchObject({
    code: 'DKT01',
  });
  await expect(h.pool.query('DELETE FROM docket.case_annotations WHERE case_id = $1', [caseId])).rejects.toMatchObject({ code: 'DKT01' });
  await expect(h.pool.query('TRUNCATE docket.case_annotations')).rejects.toMatchObject({ code: 'DKT01' });
  await expect(h.pool.query('DELETE FROM docket.audit_samples')).rejects.toMatchObject({ code: 'DKT01' });

  const tamper = async (sql: string, params: unknown[]) => {
    await h.pool.query('ALTER TABLE docket.case_annotations DISABLE TRIGGER USER');
    try {
      await h.pool.query(sql, params);
    } finally {
      await h.pool.query('ALTER TABLE docket.case_annotations ENABLE TRIGGER USER');
    }
  };
  const verify = async () => (await api.call('GET', `/cases/${caseId}/audit/verify`, { token: t.eve! })).body;

  // The finding rewritten to a pass: the content no longer matches its hash.
  const { rows } = await h.pool.query('SELECT body FROM docket.case_annotations WHERE case_id = $1 AND seq = 1', [caseId]);
  const original = rows[0].body;
  await tamper('UPDATE docket.case_annotations SET body = $2 WHERE case_id = $1 AND seq = 1', [caseId, { ...original, passed: true }]);
  let v = await verify();
  expect(v.ok).toBe(false);
  expect(v.problem).toMatchObject({ trail: 'annotations', seq: 1, kind: 'changed' });
  const cli = await runCli(['--api', api.url, '--token', t.eve!, 'audit', 'verify', caseId], { config: cliConfig(), cwd: PROJECT_ROOT });
  expect([cli.code, cli.err]).toEqual([2, '']);
  expect(cli.out).toContain(`${caseId}: BROKEN at annotation 1 (changed)`);

  // … with its hash recomputed too: the worker's signature no longer matches.
  const stored = (await api.call('GET', `/cases/${caseId}/annotations`, { token: t.eve! })).body.annotations[1] as ChainedAnnotation;
  await tamper('UPDATE docket.case_annotations SET hash = $2 WHERE case_id = $1 AND seq = 1', [
    caseId,
    annotationHash(stored, stored.prevHash),
  ]);
  v = await verify();
  expect(v.problem).toMatchObject({ trail: 'annotations', seq: 1, kind: 'forged' });

  // Removed: the case counts two.
  await tamper('DELETE FROM docket.case_annotations WHERE case_id = $1 AND seq = 1', [caseId]);
  v = await verify();
  expect(v.problem).toMatchObject({ trail: 'annotations', seq: 1, kind: 'removed' });
  const all = await api.call('GET', '/audit/verify', { token: t.eve! });
  expect(all.body.broken.map((b: { caseId: string }) => b.caseId)).toEqual([caseId]);
});

test('the CLI draws, lists, reviews, annotates and reports', async () => {
  const cli = (...args: string[]) => runCli(['--api', api.url, '--token', t.eve!, ...args], { config: cliConfig(), cwd: PROJECT_ROOT });
  const drawn = await cli(
    'audit',
    'sample',
    '--process',
    'complaint',
    '--from',
    '2024-03-01',
    '--to',
    '2024-04-01',
    '--rep',
    'ben',
    '--size',
    '2',
    '--seed',
    'alpha',
    '--json',
  );
  expect([drawn.code, drawn.err]).toEqual([0, '']);
  const body = JSON.parse(drawn.out);
  expect(body.cases.map((c: { caseId: string }) => c.caseId)).toEqual(expected('alpha', 'ben', 2));
  const sampleId: string = body.sample.sampleId;
  const text = await cli('audit', 'samples', sampleId);
  expect(text.out).toContain('seed        alpha');
  expect(text.out).toContain('satisfaction_confirmed  The customer’s satisfaction confirmed / 已确认客户满意');
  const caseId = body.cases[0].caseId as string;
  const reviewed = await cli(
    'audit',
    'review',
    sampleId,
    caseId,
    '--pass',
    'accepted_in_time,findings_documented,satisfaction_confirmed',
    '--na',
    'compensation_justified',
    '--fail',
    'contact_logged',
    '--finding',
    'contact_logged=Only e-mails, no call',
  );
  expect(reviewed.code).toBe(0);
  expect(reviewed.out).toContain(`Reviewed ${caseId} in ${sampleId}: failed (contact_logged)`);
  const refused = await cli('audit', 'review', sampleId, caseId, '--pass', 'accepted_in_time');
  expect(refused.code).toBe(2);
  expect(refused.err).toContain('ValidationError');
  const noted = await cli('audit', 'annotate', caseId, '--text', 'Ask ben about the calls');
  expect(noted.out).toMatch(new RegExp(`^Annotated ${caseId}: annotation \\d+, hash [0-9a-f]{12}; ben is told`));
  const listed = await cli('audit', 'annotations', caseId);
  expect(listed.out).toContain('contact_logged: Only e-mails, no call');
  expect(listed.out).toContain('note: Ask ben about the calls');
  const report = await cli('audit', 'sampling-report', sampleId);
  expect(report.out).toMatch(/ben\s+6\s+2\s+1\s+0\s+1\s+1/);
  const csv = await cli('audit', 'sampling-report', sampleId, '--csv');
  expect(csv.out.split('\r\n')[2]).toMatch(/^\(total\),6,2,1,0,1,1,/);
  const asRep = await runCli(
    [
      '--api',
      api.url,
      '--token',
      t.ben!,
      'audit',
      'sample',
      '--process',
      'complaint',
      '--from',
      '2024-03-01',
      '--to',
      '2024-04-01',
      '--size',
      '1',
    ],
    {
      config: h.config,
      cwd: PROJECT_ROOT,
    },
  );
  expect(asRep.code).toBe(2);
  expect(asRep.err).toContain('Forbidden');
});
