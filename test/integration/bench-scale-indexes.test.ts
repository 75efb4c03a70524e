/**
 * The indexes the measured queries need, checked with EXPLAIN on a modest seeded data set (33,000
 * cases, 300,000 transitions: enough for the planner to prefer an index where one fits): every
 * statement each measured request sends is explained, and the selective ones read no large table
 * whole. The seeded schema (its indexes rebuilt after the load) is the migrated one.
 */
import { Pool } from 'pg';
import { loadCalendar } from '../../client/setup';
import { loadConfig } from '../../config';
import { buildQueries, explainAll, seedScale, seqScans, startScaleApi, type Query, type ScaleApi, type SeedInfo } from '../../bench/scale';

import { freshDatabase, requireEnv } from '../helpers/harness';

jest.setTimeout(240_000);

/**
 * Scans that are known and reported rather than fixed here: the statement, the table, and why. A
 * scan not listed fails the test; a listed one that no longer happens fails it too (drop it then).
 */
const KNOWN_SCANS: Array<{ statement: RegExp; table: string; why: string }> = [];

let seeded: SeedInfo;
let pool: Pool;
let api: ScaleApi;
let queries: Query[];

beforeAll(async () => {
  const config = loadConfig();
  const calendar = await loadCalendar(config);
  seeded = await seedScale({
    serverUrl: requireEnv('DOCKET_TEST_DATABASE_URL'),
    database: 't_bench_scale_indexes',
    scale: 0.03,
    definitionsDir: config.definitionsDir,
    calendar,
  });
  pool = new Pool({ connectionString: seeded.databaseUrl, max: 2 });
  api = await startScaleApi(seeded.databaseUrl, calendar);
  queries = await buildQueries(pool, new Date(seeded.seededAt), 2);
});

afterAll(async () => {
  await api?.close();
  await pool?.end();
});

test('the seeded data set is large enough for the planner to choose indexes', () => {
  expect(seeded.counts.transitions).toBeGreaterThanOrEqual(300_000);
  expect(seeded.counts.openCases + seeded.counts.closedCases).toBeGreaterThanOrEqual(33_000);
});

test('no selective query reads cases, transitions, the outbox or the customer tables whole', async () => {
  const found: Record<string, string[]> = {};
  const known = new Set<string>();
  for (const q of queries.filter((x) => x.selective)) {
    for (const sample of q.samples) {
      const statements = await api.record(async () => {
        const res = await api.get(sample.url, sample.userId, sample.role);
        expect(res.status).toBe(200);
      });
      expect(statements.length).toBeGreaterThan(0);
      for (const { statement, plan } of await explainAll(pool, statements)) {
        for (const table of seqScans(plan)) {
          const text = statement.text.trim();
          const listed = KNOWN_SCANS.find((k) => k.table === table && k.statement.test(text));
          if (listed) {
            known.add(listed.why);
            continue;
          }
          const scans = (found[q.name] ??= []);
          const line = `${table}: ${statement.text.replace(/\s+/g, ' ').trim().slice(0, 120)}`;
          if (!scans.includes(line)) scans.push(line);
        }
      }
    }
  }
  expect(found).toEqual({});
  expect([...known].sort()).toEqual(KNOWN_SCANS.map((k) => k.why).sort());
});

test('the indexes and constraints after the load are those of a migrated database', async () => {
  const reference = new Pool({ connectionString: await freshDatabase('bench_scale_reference'), max: 1 });
  const shape = async (p: Pool) => ({
    indexes: (
      await p.query<{ def: string }>(`SELECT indexdef AS def FROM pg_indexes WHERE schemaname = 'docket' ORDER BY tablename, indexname`)
    ).rows.map((r) => r.def),
    constraints: (
      await p.query<{ c: string }>(
        `SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) AS c
           FROM pg_constraint WHERE connamespace = 'docket'::regnamespace ORDER BY 1`,
      )
    ).rows.map((r) => r.c),
    options: (
      await p.query<{ o: string }>(
        `SELECT relname || ' ' || coalesce(array_to_string(reloptions, ','), '') AS o FROM pg_class
          WHERE relnamespace = 'docket'::regnamespace AND relkind = 'r' ORDER BY relname`,
      )
    ).rows.map((r) => r.o),
  });
  try {
    expect(await shape(pool)).toEqual(await shape(reference));
  } finally {
    await reference.end();
  }
});

test('a search by process and state reads its page in order from one index range, without sorting (migration 028)', async () => {
  const search = queries.find((q) => q.name === 'search: process + state')!;
  expect(search.samples.length).toBeGreaterThan(0);
  /** The plan of the page's statement of a search. */
  const pagePlan = async (url: string, userId: string, role: string) => {
    const statements = await api.record(async () => expect((await api.get(url, userId, role)).status).toBe(200));
    const pages = (await explainAll(pool, statements)).filter(({ statement }) => /ORDER BY c\.opened_at DESC/.test(statement.text));
    expect(pages).toHaveLength(1);
    return JSON.stringify(pages[0]!.plan);
  };
  for (const sample of search.samples)
    expect(await pagePlan(sample.url, sample.userId, sample.role)).toMatch(/"Index Name":"cases_process_state_idx"/);
  // A state with few cases may be sorted after a bitmap read (the cheaper plan for a few dozen rows);
  // the state with the most cases, where sorting them all would cost, is read in page order.
  const biggest = (
    await pool.query<{ process_id: string; state: string; n: string }>(
      'SELECT process_id, state, count(*) AS n FROM docket.cases GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT 1',
    )
  ).rows[0]!;
  expect(Number(biggest.n)).toBeGreaterThan(1000);
  const { userId, role } = search.samples[0]!;
  const plan = await pagePlan(`/cases?process=${biggest.process_id}&state=${encodeURIComponent(biggest.state)}`, userId, role);
  expect(plan).toMatch(/"Index Name":"cases_process_state_idx"/);
  expect(plan).not.toMatch(/"Node Type":"(Sort|Incremental Sort)"/);
});
