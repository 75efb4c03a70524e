/**
 * Issue 18: every list that can grow pages by keyset cursor — the search, a customer's cases and
 * timeline, a case's history, the audit export of a search, the security log, the incidents — so
 * that paging through returns every row exactly once, in order, and nothing stops silently at a
 * first page; a damaged or forged cursor is a 400 that changes nothing. Totals are counted up to a
 * cap. The statements use indexes (EXPLAIN), the actionable inbox with its recorded roles too.
 */
import { caseListSql, type InboxSelection } from '../../adapters/postgres/case-query';
import { chainedPageSql } from '../../adapters/postgres/case-store';
import { timelineSql } from '../../adapters/postgres/customer-store';
import { versionFacts } from '../../api/case-pages';
import { PROJECT_ROOT } from '../../config';
import { startTestApi, type ApiResponse, type TestApi } from '../helpers/api';
import { runCli } from '../helpers/cli';
import { complaintInput, createHarness, type Harness } from '../helpers/harness';

let h: Harness;
let api: TestApi;
const tokens: Record<string, string> = {};
let hash = '';

/** Seeded: many cases of one customer (opened three at a time: ties broken by case id). */
const MANY = 'CUST-MANY';
const MANY_CASES = 1100;
/** Seeded: one case with a long log. */
const LONG = 'seed-long';
const LONG_ROWS = 1205;
/** Seeded: a customer whose timeline has transitions and contacts at the same instants. */
const TL = 'CUST-TL18';

beforeAll(async () => {
  h = await createHarness('issue_18_paging');
  api = await startTestApi(h);
  tokens.eve = await api.user('eve', ['auditor']);
  tokens.amy = await api.user('amy', ['cs_agent']);
  tokens.bob = await api.user('bob', ['handler']);
  // One real case, for a definition version the seeded rows can name.
  const started = await api.call('POST', '/cases', { token: tokens.amy, body: { process: 'complaint', input: complaintInput } });
  expect(started.status).toBe(201);
  hash = (await h.pool.query<{ definition_hash: string }>('SELECT definition_hash FROM docket.cases LIMIT 1')).rows[0]!.definition_hash;
  const seedCases = (ids: string, customer: string, openedAt: string, n: number, roles: string) =>
    h.pool.query(
      `INSERT INTO docket.cases (case_id, process_id, definition_version, definition_hash, customer_id, state, status, context, deadlines,
                                 last_seq, opened_at, updated_at, closed_at, actionable_roles)
       SELECT ${ids}, 'complaint', 1, $1, ${customer}, 'investigating', 'open', '{}', '[]', 2, ${openedAt}, now(), null, ${roles}
         FROM generate_series(1, $2::int) g`,
      [hash, n],
    );
  await seedCases(
    `'many-' || lpad(g::text, 5, '0')`,
    `'${MANY}'`,
    `'2025-01-01T00:00:00Z'::timestamptz + (g / 3) * interval '1 minute'`,
    MANY_CASES,
    `ARRAY['handler']`,
  );
  // Others: waiting on other roles, of 500 customers; a few written before the roles were recorded.
  await seedCases(
    `'seed-' || g`,
    `'SEED-' || (g % 500)`,
    `now() - g * interval '1 minute'`,
    4000,
    `CASE WHEN g % 100 = 0 THEN NULL WHEN g % 97 = 0 THEN ARRAY['service_manager'] ELSE ARRAY['cs_agent'] END`,
  );
  await seedCases(`'${LONG}'`, `'SEED-LONG'`, `now()`, 1, 'NULL');
  await seedCases(`'tl-' || g`, `'${TL}'`, `'2025-02-01T00:00:00Z'::timestamptz + g * interval '1 second'`, 5, `ARRAY['handler']`);
  const seedTransitions = (caseIds: string, n: number, at: string) =>
    h.pool.query(
      `INSERT INTO docket.transitions (case_id, seq, process_id, definition_version, definition_hash, event, payload, actor_user, actor_role,
                                       request_id, from_state, to_state, status, at)
       SELECT c, s, 'complaint', 1, $1, 'LOG_CONTACT', '{}', 'bob', 'handler', null, 'investigating', 'investigating', 'open', ${at}
         FROM unnest(${caseIds}) c, generate_series(0, $2::int - 1) s`,
      [hash, n],
    );
  // A long log whose rows share instants; three transitions of each seeded case; the timeline's at shared instants.
  await seedTransitions(`ARRAY['${LONG}']`, LONG_ROWS, `'2025-03-01T00:00:00Z'::timestamptz + (s / 4) * interval '1 second'`);
  await seedTransitions(`ARRAY(SELECT 'seed-' || g FROM generate_series(1, 4000) g)`, 3, `now() - s * interval '1 hour'`);
  await seedTransitions(
    `ARRAY['tl-1', 'tl-2', 'tl-3', 'tl-4', 'tl-5']`,
    4,
    `'2025-02-02T00:00:00Z'::timestamptz + (s / 2) * interval '1 minute'`,
  );
  await h.pool.query(`INSERT INTO docket.customers (customer_id, name, created_by, updated_by) VALUES ($1, 'Timeline 18', 'amy', 'amy')`, [
    TL,
  ]);
  await h.pool.query(
    `INSERT INTO docket.customer_contacts (customer_id, channel, direction, summary, at, by_user, by_role)
     SELECT $1, 'phone', 'out', 'Call ' || g, '2025-02-02T00:00:00Z'::timestamptz + (g % 2) * interval '1 minute', 'amy', 'cs_agent'
       FROM generate_series(1, 6) g`,
    [TL],
  );
  // The seeded customers' records and contacts, so that the timeline's statement meets a table of some size.
  await h.pool.query(
    `INSERT INTO docket.customers (customer_id, name, created_by, updated_by) SELECT 'SEED-' || g, 'Seed ' || g, 'amy', 'amy'
       FROM generate_series(0, 499) g`,
  );
  await h.pool.query(
    `INSERT INTO docket.customer_contacts (customer_id, channel, direction, summary, at, by_user, by_role)
     SELECT 'SEED-' || (g % 500), 'email', 'out', 'Mail ' || g, now() - g * interval '1 hour', 'amy', 'cs_agent'
       FROM generate_series(1, 5000) g`,
  );
  await h.pool.query(
    `INSERT INTO docket.security_log (code, message, user_id, at) SELECT 'PagingTest', 'row ' || g, 'pat', '2025-01-01T00:00:00Z'
       FROM generate_series(1, 250) g`,
  );
  await h.pool.query(
    `INSERT INTO docket.incidents (id, case_id, process_id, effect, seq, description, error_type, error_message, attempts, opened_at)
     SELECT 'seed-' || g || ':persist', 'seed-' || g, 'complaint', 'persistTransition', 1, 'store transition 1', 'StoreError', 'refused', 1,
            '2025-01-01T00:00:00Z'::timestamptz + (g / 5) * interval '1 millisecond'
       FROM generate_series(1, 150) g`,
  );
  await h.pool.query('ANALYZE docket.cases; ANALYZE docket.transitions; ANALYZE docket.customer_contacts');
}, 300_000);
afterAll(async () => {
  await api?.close();
  await h?.close();
});

const withCursor = (path: string, cursor: string | null) =>
  cursor === null ? path : `${path}${path.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(cursor)}`;

/** Every page of a list: the rows `pick` takes from each, and each page's answer. */
async function allPages<T>(token: string, path: string, pick: (body: any) => T[], from: string | null = null) {
  const rows: T[] = [];
  const pages: ApiResponse[] = [];
  let cursor: string | null = from;
  for (let n = 0; n < 100; n++) {
    const res: ApiResponse = await api.call('GET', withCursor(path, cursor), { token });
    expect({ path, status: res.status, error: res.body.error }).toEqual({ path, status: 200, error: undefined });
    rows.push(...pick(res.body));
    pages.push(res);
    cursor = res.body.nextCursor;
    if (cursor === null) return { rows, pages };
  }
  throw new Error('more than 100 pages');
}

/** A cursor of `path`'s first page, damaged (its last character changed) and forged (another key, the old checksum). */
async function badCursorsOf(token: string, path: string): Promise<string[]> {
  const first = await api.call('GET', path, { token });
  const cursor = first.body.nextCursor as string;
  expect(typeof cursor).toBe('string');
  const [payload, check] = cursor.split('.') as [string, string];
  const body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  const forged = `${Buffer.from(JSON.stringify({ ...body, id: '0' })).toString('base64url')}.${check}`;
  return [`${cursor.slice(0, -1)}${cursor.endsWith('A') ? 'B' : 'A'}`, forged, 'not-a-cursor', `${payload}.${check}.x`];
}

/** A cursor that is not this list's is refused with a 400 naming the cursor, and the list reads as before. */
async function refusesBadCursors(token: string, path: string, bad: string[]) {
  const before = await api.call('GET', path, { token });
  for (const cursor of bad) {
    const res = await api.call('GET', withCursor(path, cursor), { token });
    expect({ path, cursor, status: res.status, code: res.body.error?.code }).toEqual({ path, cursor, status: 400, code: 'InvalidRequest' });
    expect(res.body.error.message).toMatch(/^invalid query: cursor|^cursor: /);
  }
  const after = await api.call('GET', path, { token });
  expect(after.body).toEqual(before.body);
}

describe('the search and a customer’s cases', () => {
  test('every case once, newest first (ties by case id); the total stops at 1000 and says so', async () => {
    const expected = (
      await h.pool.query<{ case_id: string }>(
        'SELECT case_id FROM docket.cases WHERE customer_id = $1 ORDER BY opened_at DESC, case_id DESC',
        [MANY],
      )
    ).rows.map((r) => r.case_id);
    expect(expected).toHaveLength(MANY_CASES);
    const search = await allPages(tokens.eve!, `/cases?customer=${MANY}&limit=500`, (b) => b.cases.map((c: any) => c.caseId));
    expect(search.rows).toEqual(expected);
    expect(search.pages.map((p) => [p.body.total, p.body.totalCapped])).toEqual([
      [1000, true],
      [1000, true],
      [1000, true],
    ]);
    // A first page that holds every match counts it exactly.
    const few = await api.call('GET', `/cases?customer=${TL}`, { token: tokens.eve });
    expect(few.body).toMatchObject({ total: 5, totalCapped: false, nextCursor: null });
    const config = { ...h.config, databaseUrl: undefined, temporalAddress: '127.0.0.1:1' };
    const cli = await runCli(['--api', api.url, '--token', tokens.eve!, 'search', '--customer', MANY, '--limit', '5'], {
      config,
      cwd: PROJECT_ROOT,
    });
    expect(cli.out).toContain('5 of 1000+ cases');

    const cases = await allPages(tokens.amy!, `/customers/${MANY}/cases?limit=300`, (b) => b.cases.map((c: any) => c.caseId));
    expect(cases.rows).toEqual(expected);
    // The timeline lists the newest hundred; its casesNextCursor goes on with the customer's cases.
    const timeline = await api.call('GET', `/customers/${MANY}/timeline?limit=1`, { token: tokens.amy });
    expect(timeline.body.cases.map((c: any) => c.caseId)).toEqual(expected.slice(0, 100));
    expect(timeline.body).toMatchObject({ casesTotal: 1000 });
    const rest = await allPages(
      tokens.amy!,
      `/customers/${MANY}/cases?limit=500`,
      (b) => b.cases.map((c: any) => c.caseId),
      timeline.body.casesNextCursor,
    );
    expect(rest.rows).toEqual(expected.slice(100));
  });

  test('bad cursors are refused', async () => {
    await refusesBadCursors(
      tokens.eve!,
      `/cases?customer=${MANY}&limit=500`,
      await badCursorsOf(tokens.eve!, `/cases?customer=${MANY}&limit=500`),
    );
    const path = `/customers/${MANY}/cases?limit=500`;
    const bad = await badCursorsOf(tokens.amy!, path);
    // A cursor of the search is not one of the customer's cases, nor one of another customer.
    const search = await api.call('GET', `/cases?customer=${MANY}&limit=500`, { token: tokens.eve });
    await refusesBadCursors(tokens.amy!, path, [...bad, search.body.nextCursor]);
    await refusesBadCursors(tokens.amy!, `/customers/SEED-7/cases`, [(await api.call('GET', path, { token: tokens.amy })).body.nextCursor]);
  });
});

describe('a case’s history', () => {
  test('every row once, by seq, a page at a time; the CLI reads every page', async () => {
    const { rows, pages } = await allPages(tokens.eve!, `/cases/${LONG}/history?limit=500`, (b) => b.transitions.map((t: any) => t.seq));
    expect(rows).toEqual(Array.from({ length: LONG_ROWS }, (_, i) => i));
    expect(pages.map((p) => p.body.transitions.length)).toEqual([500, 500, 205]);
    // The default page holds 500: most cases fit in one.
    const plain = await api.call('GET', `/cases/${LONG}/history`, { token: tokens.eve });
    expect(plain.body.transitions).toHaveLength(500);
    expect(plain.body.nextCursor).not.toBeNull();

    const config = { ...h.config, databaseUrl: undefined, temporalAddress: '127.0.0.1:1' };
    const cli = await runCli(['--api', api.url, '--token', tokens.eve!, 'history', LONG, '--json'], { config, cwd: PROJECT_ROOT });
    expect({ code: cli.code, err: cli.err }).toEqual({ code: 0, err: '' });
    expect((JSON.parse(cli.out) as Array<{ seq: number }>).map((t) => t.seq)).toEqual(rows);
  });

  test('bad cursors, and a cursor of another case, are refused', async () => {
    const path = `/cases/${LONG}/history?limit=100`;
    const other = await api.call('GET', `/cases/seed-1/history?limit=1`, { token: tokens.eve });
    expect(other.body.nextCursor).not.toBeNull();
    await refusesBadCursors(tokens.eve!, path, [...(await badCursorsOf(tokens.eve!, path)), other.body.nextCursor]);
    const noCase = await api.call('GET', withCursor(path, other.body.nextCursor), { token: tokens.eve });
    expect(noCase.body.error.message).toContain('made for another list');
  });
});

describe('a customer’s timeline', () => {
  test('every transition and contact once, newest first, whatever the page size; the CLI pages with --cursor', async () => {
    const key = (e: any) => (e.kind === 'contact' ? `c${e.id}` : `${e.caseId}#${e.seq}`);
    const whole = await api.call('GET', `/customers/${TL}/timeline?limit=1000`, { token: tokens.amy });
    expect(whole.body.entries).toHaveLength(5 * 4 + 6);
    expect(whole.body.nextCursor).toBeNull();
    const all = whole.body.entries.map(key);
    for (const size of [1, 3, 7]) {
      const { rows } = await allPages(tokens.amy!, `/customers/${TL}/timeline?limit=${size}`, (b) => b.entries.map(key));
      expect({ size, rows }).toEqual({ size, rows: all });
    }
    // Newest first; at one instant, transitions by case then seq (newest first), contacts by id.
    const times = whole.body.entries.map((e: any) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => b - a));

    const config = { ...h.config, databaseUrl: undefined, temporalAddress: '127.0.0.1:1' };
    const docket = (...argv: string[]) => runCli(['--api', api.url, '--token', tokens.amy!, ...argv], { config, cwd: PROJECT_ROOT });
    const seen: string[] = [];
    let args = ['customer', TL, '--limit', '10'];
    for (let n = 0; n < 5; n++) {
      const text = await docket(...args);
      expect({ code: text.code, err: text.err }).toEqual({ code: 0, err: '' });
      expect(text.out).toContain('Cases (newest first)');
      const json = JSON.parse((await docket(...args, '--json')).out);
      expect(json.cases).toHaveLength(5);
      seen.push(...json.entries.map(key));
      const next = /next page: (docket customer .*) --cursor (\S+)/.exec(text.out);
      if (next === null) break;
      expect(next[1]).toBe(`docket customer ${TL} --limit 10`);
      args = ['customer', TL, '--limit', '10', '--cursor', next[2]!];
    }
    expect(seen).toEqual(all);
  });

  test('bad cursors are refused, over the API and by the CLI', async () => {
    const path = `/customers/${TL}/timeline?limit=3`;
    await refusesBadCursors(tokens.amy!, path, await badCursorsOf(tokens.amy!, path));
    const config = { ...h.config, databaseUrl: undefined, temporalAddress: '127.0.0.1:1' };
    const cli = await runCli(['--api', api.url, '--token', tokens.amy!, 'customer', TL, '--cursor', 'not-a-cursor'], {
      config,
      cwd: PROJECT_ROOT,
    });
    expect(cli.code).toBe(2);
    expect(cli.err).toContain('cursor');
  });
});

describe('the audit export of a search', () => {
  test('a page at a time by the Docket-Next-Cursor header: every case once', async () => {
    const exported: string[] = [];
    let cursor: string | null = null;
    for (let n = 0; n < 10; n++) {
      const res: ApiResponse = await api.call('GET', withCursor(`/audit/export?customer=${TL}&limit=2`, cursor), { token: tokens.eve });
      expect(res.status).toBe(200);
      expect(res.headers.get('docket-total')).toBe('5');
      exported.push(...res.body.cases.map((c: any) => c.caseId));
      cursor = res.headers.get('docket-next-cursor');
      if (cursor === null) break;
    }
    expect(exported).toEqual(['tl-5', 'tl-4', 'tl-3', 'tl-2', 'tl-1']);
    const first = await api.call('GET', `/audit/export?customer=${TL}&limit=2`, { token: tokens.eve });
    const next = first.headers.get('docket-next-cursor')!;
    const both = await api.call('GET', `/audit/export?customer=${TL}&limit=2&offset=2&cursor=${encodeURIComponent(next)}`, {
      token: tokens.eve,
    });
    expect(both.status).toBe(400);
    const foreign = await api.call('GET', `/audit/export?customer=${MANY}&limit=2&cursor=${encodeURIComponent(next)}`, {
      token: tokens.eve,
    });
    expect({ status: foreign.status, message: foreign.body.error.message }).toEqual({
      status: 400,
      message: expect.stringContaining('made for another list'),
    });
    // Older clients' offset still pages.
    const skipped = await api.call('GET', `/audit/export?customer=${TL}&limit=2&offset=2`, { token: tokens.eve });
    expect(skipped.body.cases.map((c: any) => c.caseId)).toEqual(['tl-3', 'tl-2']);
  });
});

describe('the security log and the incidents', () => {
  test('the security log: every row once, newest first', async () => {
    const { rows } = await allPages<number>(api.adminToken, '/security-log?code=PagingTest&limit=100', (b) =>
      b.entries.map((e: any) => Number(e.id)),
    );
    expect(rows).toHaveLength(250);
    expect(rows).toEqual([...rows].sort((a, b) => b - a));
    const path = '/security-log?code=PagingTest&limit=100';
    const other = await api.call('GET', '/security-log?limit=1', { token: api.adminToken });
    await refusesBadCursors(api.adminToken, path, [...(await badCursorsOf(api.adminToken, path)), other.body.nextCursor]);
  });

  test('the incidents: every open one once, oldest first; the CLI prints the next page’s command', async () => {
    const { rows } = await allPages(api.adminToken, '/incidents?limit=40', (b) => b.incidents.map((i: any) => i.id));
    const expected = (
      await h.pool.query<{ id: string }>('SELECT id FROM docket.incidents WHERE resolved_at IS NULL ORDER BY opened_at, id')
    ).rows.map((r) => r.id);
    expect(rows).toEqual(expected);
    expect(rows).toHaveLength(150);
    await refusesBadCursors(api.adminToken, '/incidents?limit=40', await badCursorsOf(api.adminToken, '/incidents?limit=40'));

    const config = { ...h.config, databaseUrl: undefined, temporalAddress: '127.0.0.1:1' };
    const docket = (...argv: string[]) => runCli(['--api', api.url, '--token', api.adminToken, ...argv], { config, cwd: PROJECT_ROOT });
    const first = await docket('incidents', 'list', '--limit', '100');
    expect(first.code).toBe(0);
    const next = /next page: (docket incidents list --limit 100) --cursor (\S+)/.exec(first.out);
    expect(next).not.toBeNull();
    const second = await docket('incidents', 'list', '--limit', '100', '--cursor', next![2]!, '--json');
    expect(JSON.parse(second.out)).toMatchObject({ nextCursor: null });
    expect(JSON.parse(second.out).incidents).toHaveLength(50);
    expect((await docket('incidents', 'list', '--cursor', 'not-a-cursor')).code).toBe(2);
  });
});

describe('EXPLAIN: the pages use indexes', () => {
  const plan = async (sql: { text: string; params: unknown[] }) =>
    (await h.pool.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${sql.text}`, sql.params)).rows[0]!['QUERY PLAN'];
  /** Every node of a plan, sub-plans and init-plans included. */
  const planNodes = (value: unknown): Array<Record<string, unknown>> => {
    if (Array.isArray(value)) return value.flatMap(planNodes);
    if (value === null || typeof value !== 'object') return [];
    const node = value as Record<string, unknown>;
    return [...('Node Type' in node ? [node] : []), ...Object.values(node).flatMap(planNodes)];
  };
  /** The scans of each of `tables` in the plan: none sequential, and at least one through an index. */
  async function usesIndexes(what: string, sql: { text: string; params: unknown[] }, tables: string[]) {
    const nodes = planNodes(await plan(sql));
    for (const table of tables) {
      const scans = nodes.filter((n) => n['Relation Name'] === table).map((n) => String(n['Node Type']));
      expect({ what, table, seqScan: scans.includes('Seq Scan') }).toEqual({ what, table, seqScan: false });
      expect({ what, table, usesIndex: scans.some((t) => /Index|Bitmap Heap/.test(t)) }).toEqual({ what, table, usesIndex: true });
    }
    return nodes;
  }

  test('the actionable inbox by its recorded roles (and the rows written before), its page and its count', async () => {
    const processIds = ['complaint', 'contract', 'lost_deal', 'improvement_measure', 'visit'];
    for (const [role, user] of [
      ['service_manager', 'sam'],
      ['cs_agent', 'amy'],
    ] as const) {
      const versions = await versionFacts(api.deps, processIds, role);
      const inbox: InboxSelection = { view: 'actionable', userId: user, role, versions };
      const sql = caseListSql({ processIds }, inbox, { limit: 50 });
      const nodes = await usesIndexes(`${role} actionable page`, sql.page, ['cases']);
      if (role === 'service_manager') {
        // A role few cases wait on: its range of the open work (migration 025) finds them.
        await usesIndexes(`${role} actionable count`, sql.count, ['cases', 'open_work']);
        const counted = planNodes(await plan(sql.count)).map((n) => n['Index Name']);
        expect(counted).toContain('open_work_pkey');
      }
      expect(nodes.length).toBeGreaterThan(0);
    }
    // The answers agree with the rows: a service manager may act on the seeded cases that record the role.
    const sam = await api.user('sam', ['service_manager']);
    const listed = await api.call('GET', '/inbox?view=actionable&process=complaint&limit=500', { token: sam });
    const recorded = await h.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM docket.cases WHERE status = 'open' AND actionable_roles && ARRAY['service_manager']`,
    );
    expect(recorded.rows[0]!.n).toBeGreaterThan(40);
    expect(listed.body.total).toBe(recorded.rows[0]!.n);
  });

  test('an actionable inbox of more than 1000 cases: every case once, newest first, a page at a time along the role’s open work', async () => {
    const { rows, pages } = await allPages(tokens.bob!, '/inbox?view=actionable&process=complaint&limit=200', (b) =>
      b.items.map((c: any) => c.caseId as string),
    );
    expect(pages[0]!.body).toMatchObject({ total: 1000, totalCapped: true });
    const expected = await h.pool.query<{ case_id: string }>(
      `SELECT case_id FROM docket.cases WHERE status = 'open' AND case_id = ANY($1) ORDER BY opened_at DESC, case_id DESC`,
      [rows],
    );
    expect(rows).toEqual(expected.rows.map((r) => r.case_id));
    const recorded = await h.pool.query<{ case_id: string }>(
      `SELECT case_id FROM docket.cases WHERE status = 'open' AND process_id = 'complaint' AND actionable_roles && ARRAY['handler']`,
    );
    expect(recorded.rows.length).toBeGreaterThan(1000);
    expect(new Set(rows)).toEqual(new Set([...rows, ...recorded.rows.map((r) => r.case_id)]));
    // A page of so many is read along the role's open work in page order and stops when full: no more rows of
    // docket.open_work are read than the page holds (and one to tell that more follow), and no case is read
    // beyond those, whatever the planner thinks of the matches.
    const versions = await versionFacts(api.deps, ['complaint'], 'handler');
    for (const after of [undefined, { openedAt: '2999-01-01T00:00:00.000000Z', caseId: 'z' }]) {
      const sql = caseListSql(
        { processIds: ['complaint'] },
        { view: 'actionable', userId: 'bob', role: 'handler', versions },
        { limit: 200, ...(after && { after }) },
      );
      const { rows: explained } = await h.pool.query<{ 'QUERY PLAN': any }>(
        `EXPLAIN (ANALYZE, FORMAT JSON) ${sql.page.text}`,
        sql.page.params,
      );
      const nodes = planNodes(explained[0]!['QUERY PLAN']);
      const work = nodes.filter((n) => n['Relation Name'] === 'open_work');
      expect(work.map((n) => n['Index Name'])).toEqual(['open_work_pkey']);
      expect(work[0]!['Actual Rows']).toBe(201);
      const read = nodes.filter((n) => n['Relation Name'] === 'cases').map((n) => Number(n['Actual Rows']) * Number(n['Actual Loops']));
      expect(Math.max(...read)).toBeLessThanOrEqual(201);
    }
  });

  test('a customer’s cases, a timeline page and a history page', async () => {
    await usesIndexes('customer cases', caseListSql({ customerId: 'SEED-7' }, undefined, { limit: 100 }).page, ['cases']);
    await usesIndexes('timeline', timelineSql('SEED-7', 50), ['cases', 'transitions', 'customer_contacts']);
    await usesIndexes('timeline, next page', timelineSql('SEED-7', 50, { at: '2025-01-01T00:00:00.000000Z', key: 't/seed-7/0000000001' }), [
      'cases',
      'transitions',
      'customer_contacts',
    ]);
    await usesIndexes('history', { text: chainedPageSql(false, true), params: [LONG, 501] }, ['transitions']);
    await usesIndexes('history, next page', { text: chainedPageSql(true, true), params: [LONG, 500, 501] }, ['transitions']);
  });
});
