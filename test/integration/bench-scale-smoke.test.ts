/**
 * The data-at-scale part of the benchmark at a small scale on the test PostgreSQL: the seeding
 * loads the counts asked for, in states of the definitions, with chains that verify; every query is
 * timed through the API and answers. No timing is asserted; `npm run bench -- --seed-scale` measures.
 */
import { Pool } from 'pg';
import { REPORT_NAMES } from '../../adapters/postgres/reports';
import { INBOX_VIEWS } from '../../adapters/postgres/case-query';
import { PostgresCaseStore } from '../../adapters/postgres/case-store';
import { verifyChain } from '../../audit/chain';
import { KeySet } from '../../audit/signature';
import { walkMachine } from '../../engine/machine-walker';
import { definitionSchema } from '../../engine/definition-schema';
import { loadCalendar } from '../../client/setup';
import { loadConfig } from '../../config';
import { countsAt, formatScale, runScale, seedScale, type ScaleResult } from '../../bench/scale';
import { requireEnv } from '../helpers/harness';

jest.setTimeout(180_000);

const SCALE = 0.002;
const SAMPLES = 3;
const DATABASE = 't_bench_scale_smoke';
let result: ScaleResult;
let pool: Pool;

beforeAll(async () => {
  const config = loadConfig();
  result = await runScale(
    { scale: SCALE, reseed: true, samples: SAMPLES, database: DATABASE, signEvery: 20 },
    { serverUrl: requireEnv('DOCKET_TEST_DATABASE_URL'), definitionsDir: config.definitionsDir, calendar: await loadCalendar(config) },
    () => undefined,
  );
  const url = new URL(requireEnv('DOCKET_TEST_DATABASE_URL'));
  url.pathname = `/${DATABASE}`;
  pool = new Pool({ connectionString: url.toString(), max: 2 });
});

afterAll(async () => {
  await pool?.end();
});

const positive = (x: number) => expect(Number.isFinite(x) && x > 0).toBe(true);

test('the seeding loads the counts asked for, customers with their histories, users in every role', async () => {
  const asked = countsAt(SCALE);
  const c = result.seed.counts;
  expect({ open: c.openCases, closed: c.closedCases, transitions: c.transitions, customers: c.customers }).toEqual({
    open: asked.openCases,
    closed: asked.closedCases,
    transitions: asked.transitions,
    customers: asked.customers,
  });
  expect(c.gradeChanges).toBeGreaterThan(0);
  expect(c.contacts).toBeGreaterThan(0);
  expect(c.escalations).toBeGreaterThan(0);
  expect(c.signedCases).toBeGreaterThan(0);
  const { rows } = await pool.query<{ roles: string[] }>('SELECT DISTINCT roles FROM docket.users');
  expect(rows.length).toBeGreaterThanOrEqual(10);
  // Every case names a customer on record, and last_seq is its last transition's seq.
  const orphans = await pool.query(
    `SELECT count(*)::int AS n FROM docket.cases c
      WHERE NOT EXISTS (SELECT 1 FROM docket.customers k WHERE k.customer_id = c.customer_id)
         OR c.last_seq <> (SELECT max(seq) FROM docket.transitions t WHERE t.case_id = c.case_id)
         OR (SELECT count(*) FROM docket.transitions t WHERE t.case_id = c.case_id) <> c.last_seq + 1`,
  );
  expect(orphans.rows[0].n).toBe(0);
});

test('cases run on published definition versions, in states of their machine, with people in the work columns', async () => {
  const versions = await pool.query<{ process_id: string; version: number; hash: string; definition: unknown }>(
    `SELECT process_id, version, hash, definition FROM docket.definition_versions WHERE status = 'published'`,
  );
  const { rows } = await pool.query<{ process_id: string; definition_version: number; definition_hash: string; state: string }>(
    'SELECT DISTINCT process_id, definition_version, definition_hash, state FROM docket.cases',
  );
  const pinned = new Set(rows.map((r) => `${r.process_id} v${r.definition_version}`));
  expect(pinned.size).toBeGreaterThanOrEqual(8);
  for (const r of rows) {
    const v = versions.rows.find((x) => x.process_id === r.process_id && x.version === r.definition_version);
    expect(v?.hash).toBe(r.definition_hash);
    const definition = definitionSchema.parse(v!.definition);
    const paths = walkMachine(definition.machine, definition.process).nodes.map((n) => n.path);
    for (const state of r.state.split(',')) expect(paths).toContain(state);
  }
  const work = await pool.query<{ assigned: number; claimable: number; cc: number; initiated: number }>(
    `SELECT count(*) FILTER (WHERE assignees <> '{}')::int AS assigned, count(*) FILTER (WHERE candidate_roles <> '{}')::int AS claimable,
            count(*) FILTER (WHERE cc_users <> '{}')::int AS cc, count(*) FILTER (WHERE initiator IS NOT NULL)::int AS initiated
       FROM docket.cases WHERE status = 'open'`,
  );
  const w = work.rows[0]!;
  for (const n of [w.assigned, w.claimable, w.initiated]) expect(n).toBeGreaterThan(0);
  const unknown = await pool.query(
    `SELECT count(*)::int AS n FROM docket.transitions t
      WHERE t.actor_user <> 'system' AND NOT EXISTS (SELECT 1 FROM docket.users u WHERE u.user_id = t.actor_user AND t.actor_role = ANY(u.roles))`,
  );
  expect(unknown.rows[0].n).toBe(0);
});

test('hash chains verify for every sampled case; the signed ones verify against the registered key', async () => {
  const store = new PostgresCaseStore(pool);
  const keys = new KeySet(await store.listAuditKeys());
  const samples = await pool.query<{ kind: string; id: string }>(
    `(SELECT kind, id FROM bench_scale.samples WHERE kind = 'signed' ORDER BY id LIMIT 30)
     UNION ALL (SELECT kind, id FROM bench_scale.samples WHERE kind = 'probe' ORDER BY id LIMIT 30)`,
  );
  expect(samples.rows.some((s) => s.kind === 'signed')).toBe(true);
  for (const { kind, id } of samples.rows) {
    const projection = await store.getCase(id);
    const rows = await store.listChainedTransitions(id);
    const plain = verifyChain(id, rows, { lastSeq: projection!.lastSeq, definitionHash: projection!.definitionHash });
    expect(plain.problem).toBeUndefined();
    if (kind === 'signed') expect(verifyChain(id, rows, { lastSeq: projection!.lastSeq, keys, checkpoints: [] }).ok).toBe(true);
  }
});

test('every query was timed on every sample and answered', () => {
  const names = result.queries.map((q) => q.name);
  for (const view of INBOX_VIEWS) expect(names).toContain(`inbox: ${view}`);
  for (const report of REPORT_NAMES) {
    expect(names).toContain(`report ${report}, a month`);
    expect(names).toContain(`report ${report}, a year`);
  }
  for (const name of [
    'search: process + state',
    'search: customer',
    'search: status + opened in a month',
    'search: overdue',
    "customer's timeline",
    "case's history",
    'audit verification of a case',
  ])
    expect(names).toContain(name);
  for (const q of result.queries) {
    expect(q.ms.count).toBeGreaterThanOrEqual(SAMPLES);
    positive(q.ms.p50);
    expect(q.ms.p50).toBeLessThanOrEqual(q.ms.p95);
    expect(q.ms.p95).toBeLessThanOrEqual(q.ms.max);
    expect(q.met).toBe(q.ms.p95 <= result.goalP95Ms);
  }
  // Lists that a realistic data set fills.
  const rows = (name: string) => result.queries.find((q) => q.name === name)!.rows;
  for (const name of ["case's history", "customer's timeline", 'inbox: actionable', 'inbox: started', 'search: customer'])
    expect(rows(name)).toBeGreaterThan(0);
  const report = formatScale(result);
  for (const name of names) expect(report).toContain(name);
});

test('a second run finds the data set seeded and reuses it', async () => {
  const config = loadConfig();
  const again = await seedScale({
    serverUrl: requireEnv('DOCKET_TEST_DATABASE_URL'),
    database: DATABASE,
    scale: SCALE,
    definitionsDir: config.definitionsDir,
    calendar: await loadCalendar(config),
  });
  expect(again.reused).toBe(true);
  expect(again.counts).toEqual(result.seed.counts);
});
