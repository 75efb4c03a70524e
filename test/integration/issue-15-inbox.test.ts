import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { caseListSql, type CaseFilter, type InboxSelection } from '../../adapters/postgres/case-query';
import { versionFacts } from '../../api/case-pages';
import { PROJECT_ROOT } from '../../config';
import { startTestApi, type ApiResponse, type TestApi } from '../helpers/api';
import { runCli } from '../helpers/cli';
import { complaintV1 } from '../helpers/definition-fixtures';
import { complaintInput, createHarness, type Harness } from '../helpers/harness';

/**
 * The inbox views of cases whose definition declares no tasks (`humanTasks`): `assigned` and
 * `claimable` go by the definition (its `assigneeField`, the states where the role has an event).
 * The complaint process as version 1 shipped it is such a definition, so it is the newest complaint
 * version here (the shipped definitions otherwise); the views of tasks are tested in issue-15-people.
 */
function definitionsWithComplaintV1(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'docket-inbox-'));
  cpSync(path.join(PROJECT_ROOT, 'definitions'), dir, { recursive: true });
  rmSync(path.join(dir, 'shipped', 'complaint.v1.json'));
  const complaint = complaintV1();
  expect(complaint.humanTasks).toBeUndefined();
  writeFileSync(path.join(dir, 'complaint.json'), JSON.stringify(complaint));
  return dir;
}

let h: Harness;
let api: TestApi;
let definitionsDir: string | undefined;
const tokens: Record<string, string> = {};
/** Case ids by what was done to them in beforeAll. */
const cases = { amyReceived: [] as string[], annReceived: [] as string[], bobs: [] as string[], dans: [] as string[] };

type Page = { items?: Array<{ caseId: string; assignee: string | null; allowedEvents: string[] }>; cases?: Array<{ caseId: string }> };

async function start(token: string, customer: string): Promise<string> {
  const res = await api.call('POST', '/cases', { token, body: { process: 'complaint', input: { ...complaintInput, customer } } });
  expect(res.status).toBe(201);
  return res.body.caseId as string;
}

async function send(token: string, caseId: string, type: string, data?: Record<string, unknown>): Promise<void> {
  const res = await api.call('POST', `/cases/${caseId}/events`, { token, body: { type, ...(data && { data }) } });
  expect({ type, status: res.status }).toEqual({ type, status: 200 });
}

const ids = (body: Page) => (body.items ?? body.cases ?? []).map((i) => i.caseId);
const sorted = (list: string[]) => [...list].sort();

/** Every page of a list, reading `between` after each page but the last. */
async function allPages(token: string, path: string, between: (page: number) => Promise<void> = async () => undefined) {
  const seen: string[] = [];
  const totals: number[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 50; page++) {
    const sep = path.includes('?') ? '&' : '?';
    const res: ApiResponse = await api.call('GET', `${path}${cursor === null ? '' : `${sep}cursor=${encodeURIComponent(cursor)}`}`, {
      token,
    });
    expect(res.status).toBe(200);
    seen.push(...ids(res.body));
    totals.push(res.body.total);
    cursor = res.body.nextCursor;
    if (cursor === null) return { seen, totals, pages: page + 1 };
    await between(page);
  }
  throw new Error('more than 50 pages');
}

beforeAll(async () => {
  definitionsDir = definitionsWithComplaintV1();
  h = await createHarness('issue_15_inbox', { definitionsDir });
  api = await startTestApi(h);
  tokens.amy = await api.user('amy', ['cs_agent']);
  tokens.ann = await api.user('ann', ['cs_agent']);
  tokens.bob = await api.user('bob', ['handler']);
  tokens.dan = await api.user('dan', ['handler']);
  tokens.eve = await api.user('eve', ['auditor']);
  // amy starts five complaints (three of CUST-A), ann two; amy hands two to bob and one to dan.
  const amys = [];
  for (const customer of ['CUST-A', 'CUST-A', 'CUST-A', 'CUST-B', 'CUST-B']) amys.push(await start(tokens.amy, customer));
  for (const customer of ['CUST-C', 'CUST-C']) cases.annReceived.push(await start(tokens.ann, customer));
  for (const [i, assignee] of [
    [0, 'bob'],
    [3, 'bob'],
    [1, 'dan'],
  ] as const) {
    await send(tokens.amy, amys[i]!, 'ACCEPT', { department: 'after_sales', assignee });
    (assignee === 'bob' ? cases.bobs : cases.dans).push(amys[i]!);
  }
  cases.amyReceived.push(amys[2]!, amys[4]!);
});
afterAll(async () => {
  await api?.close();
  await h?.close();
  if (definitionsDir) rmSync(definitionsDir, { recursive: true, force: true });
});

const amyStarted = () => [...cases.amyReceived, ...cases.bobs, ...cases.dans];

test('each inbox view lists what it says, with its total', async () => {
  const view = async (who: string, v: string, extra = '') => {
    const res = await api.call('GET', `/inbox?view=${v}${extra}`, { token: tokens[who] });
    expect(res.status).toBe(200);
    expect(res.body.view).toBe(v);
    expect(res.body.total).toBe(res.body.items.length);
    expect(res.body.nextCursor).toBeNull();
    return res.body;
  };
  // Assigned to me: the assignee of the case's definition (complaint: the handler named at ACCEPT).
  const bobAssigned = await view('bob', 'assigned');
  expect(sorted(ids(bobAssigned))).toEqual(sorted(cases.bobs));
  expect(bobAssigned.items.every((i: { assignee: string; allowedEvents: string[] }) => i.assignee === 'bob')).toBe(true);
  expect(bobAssigned.items[0].allowedEvents).toEqual(['LOG_CONTACT', 'SUBMIT_FINDINGS']);
  // Claimable: the role may act and no one else is the assignee — dan's case is not bob's to take.
  expect(sorted(ids(await view('bob', 'claimable')))).toEqual(sorted(cases.bobs));
  expect(sorted(ids(await view('dan', 'claimable')))).toEqual(sorted(cases.dans));
  // A service agent may log a contact on every open complaint, but may claim only those nobody holds.
  expect(sorted(ids(await view('amy', 'actionable')))).toEqual(sorted([...amyStarted(), ...cases.annReceived]));
  expect(sorted(ids(await view('amy', 'claimable')))).toEqual(sorted([...cases.amyReceived, ...cases.annReceived]));
  // The default view is the actionable one (what the inbox listed before views), `mine` keeping to my own.
  const plain = await api.call('GET', '/inbox', { token: tokens.bob });
  expect(plain.body.view).toBe('actionable');
  expect(sorted(ids(plain.body))).toEqual(sorted([...cases.bobs, ...cases.dans]));
  expect(sorted(ids((await api.call('GET', '/inbox?mine=true', { token: tokens.dan })).body))).toEqual(cases.dans);
  // Started by me; done by me (an event sent, the start not counted).
  expect(sorted(ids(await view('amy', 'started')))).toEqual(sorted(amyStarted()));
  expect(sorted(ids(await view('ann', 'started')))).toEqual(sorted(cases.annReceived));
  expect(sorted(ids(await view('amy', 'done')))).toEqual(sorted([...cases.bobs, ...cases.dans]));
  expect((await view('ann', 'done')).items).toEqual([]);
  await send(tokens.bob!, cases.bobs[0]!, 'LOG_CONTACT', { channel: 'phone', summary: 'Called the customer' });
  expect(ids(await view('bob', 'done'))).toEqual([cases.bobs[0]]);
  // An auditor sends no events: nothing to act on, nothing to claim.
  const auditor = await api.call('GET', '/inbox?view=claimable', { token: tokens.eve });
  expect(auditor.status === 403 || auditor.body.total === 0).toBe(true);
});

test('the cases each user started and sent an event to (docket.user_cases) are what the log says', async () => {
  const read = async () =>
    (
      await h.pool.query(
        `SELECT user_id, kind, opened_at, case_id, process_id FROM docket.user_cases ORDER BY user_id, kind, opened_at, case_id`,
      )
    ).rows;
  const kept = await read();
  const { rows: fromLog } = await h.pool.query(
    `SELECT DISTINCT t.actor_user AS user_id, CASE WHEN t.seq = 0 THEN 's' ELSE 'd' END AS kind, c.opened_at, c.case_id, c.process_id
       FROM docket.transitions t JOIN docket.cases c ON c.case_id = t.case_id
      ORDER BY 1, 2, 3, 4`,
  );
  expect(kept.length).toBeGreaterThan(10);
  expect(kept).toEqual(fromLog);
  await h.pool.query('SELECT docket.rebuild_user_cases()');
  expect(await read()).toEqual(kept);
  // A case's rows go with it (in a transaction rolled back: the other tests read these cases).
  const client = await h.pool.connect();
  try {
    await client.query('BEGIN');
    const { rows: gone } = await client.query<{ case_id: string }>(
      `DELETE FROM docket.cases WHERE case_id = (SELECT case_id FROM docket.user_cases WHERE user_id = 'amy' LIMIT 1) RETURNING case_id`,
    );
    expect(gone).toHaveLength(1);
    expect((await client.query('SELECT 1 FROM docket.user_cases WHERE case_id = $1', [gone[0]!.case_id])).rowCount).toBe(0);
  } finally {
    await client.query('ROLLBACK');
    client.release();
  }
  expect(await read()).toEqual(kept);
});

test('filters: process, state, customer and overdue, in views and in the search', async () => {
  const total = async (who: string, path: string) => {
    const res = await api.call('GET', path, { token: tokens[who] });
    expect(res.status).toBe(200);
    return { total: res.body.total as number, ids: sorted(ids(res.body)) };
  };
  expect(await total('amy', '/inbox?view=started&customer=CUST-A')).toEqual({
    total: 3,
    ids: sorted(amyStarted().filter((id) => [cases.bobs[0], cases.dans[0], cases.amyReceived[0]].includes(id))),
  });
  expect(await total('amy', '/inbox?view=claimable&state=received&customer=CUST-C')).toEqual({
    total: 2,
    ids: sorted(cases.annReceived),
  });
  expect((await total('amy', '/inbox?view=actionable&process=contract')).total).toBe(0);
  expect((await total('amy', '/inbox?view=actionable&process=complaint')).total).toBe(7);
  expect((await total('amy', '/inbox?view=actionable&overdue=true')).total).toBe(0);
  expect((await total('amy', '/inbox?view=actionable&overdue=false')).total).toBe(7);
  expect(await total('eve', '/cases?customer=CUST-B&state=investigating')).toEqual({ total: 1, ids: [cases.bobs[1]!] });
  expect((await total('eve', '/cases?status=open&process=complaint')).total).toBe(7);
  // Bad input is refused, naming the parameter.
  const bad = await api.call('GET', '/inbox?view=everything', { token: tokens.amy });
  expect(bad.status).toBe(400);
  expect(bad.body.error.message).toContain('view');
});

test('cursor paging: every case once, in order, while cases are added and move on between pages', async () => {
  const before = amyStarted();
  const { seen, totals, pages } = await allPages(tokens.amy!, '/inbox?view=started&limit=2', async (page) => {
    // A new case (newer than every listed one) and an older one that moves on: neither is listed twice or skipped.
    if (page === 0) await start(tokens.amy!, 'CUST-D');
    if (page === 1) await send(tokens.amy!, cases.dans[0]!, 'LOG_CONTACT', { channel: 'phone', summary: 'Left a message' });
  });
  expect(pages).toBe(3);
  expect(new Set(seen).size).toBe(seen.length);
  expect(sorted(seen)).toEqual(sorted(before));
  // Totals are counted when each page is read: the new case counts from the second page on.
  expect(totals).toEqual([5, 6, 6]);
  // Newest first: the page order is the opening order.
  const search = await allPages(tokens.eve!, '/cases?process=complaint&limit=3');
  expect(search.seen).toHaveLength(8);
  expect(search.totals.every((t) => t === 8)).toBe(true);
  const opened = await h.pool.query<{ case_id: string }>(
    `SELECT case_id FROM docket.cases WHERE process_id = 'complaint' ORDER BY opened_at DESC, case_id DESC`,
  );
  expect(search.seen).toEqual(opened.rows.map((r) => r.case_id));
});

test('a cursor is opaque and bound to its list: damaged, forged or foreign cursors are refused', async () => {
  const first = await api.call('GET', '/inbox?view=started&limit=1', { token: tokens.amy });
  const cursor = first.body.nextCursor as string;
  expect(typeof cursor).toBe('string');
  const refused = async (path: string, token = tokens.amy) => {
    const res = await api.call('GET', path, { token });
    expect({ path, status: res.status }).toEqual({ path, status: 400 });
    expect(res.body.error.message).toContain('cursor');
  };
  await refused(`/inbox?view=done&limit=1&cursor=${encodeURIComponent(cursor)}`); // another view
  await refused(`/inbox?view=started&limit=1&customer=CUST-A&cursor=${encodeURIComponent(cursor)}`); // another filter
  await refused(`/inbox?view=started&limit=1&cursor=${encodeURIComponent(cursor)}`, tokens.ann); // another user
  const [payload, check] = cursor.split('.');
  const body = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8'));
  const forged = `${Buffer.from(JSON.stringify({ ...body, id: 'zzz' })).toString('base64url')}.${check}`;
  await refused(`/inbox?view=started&limit=1&cursor=${encodeURIComponent(forged)}`);
  await refused('/inbox?view=started&cursor=not-a-cursor');
  const both = await api.call('GET', `/cases?offset=1&cursor=${encodeURIComponent(cursor)}`, { token: tokens.eve });
  expect(both.status).toBe(400);
  // The same cursor on the same list goes on.
  const next = await api.call('GET', `/inbox?view=started&limit=1&cursor=${encodeURIComponent(cursor)}`, { token: tokens.amy });
  expect(next.status).toBe(200);
  expect(next.body.items).toHaveLength(1);
  expect(next.body.items[0].caseId).not.toBe(first.body.items[0].caseId);
});

test('docket inbox and docket search page with --cursor and print the total', async () => {
  const config = { ...h.config, databaseUrl: undefined, temporalAddress: '127.0.0.1:1' };
  const docket = (...argv: string[]) => runCli(['--api', api.url, '--token', tokens.amy!, ...argv], { config, cwd: PROJECT_ROOT });
  // amy may claim five complaints: two of hers, two of ann's and the one she started while paging.
  const first = await docket('inbox', '--view', 'claimable', '--limit', '3', '--json');
  expect(first.code).toBe(0);
  const page1 = JSON.parse(first.out);
  expect(page1).toMatchObject({ role: 'cs_agent', view: 'claimable', total: 5 });
  const second = await docket('inbox', '--view', 'claimable', '--limit', '3', '--cursor', page1.nextCursor, '--json');
  const page2 = JSON.parse(second.out);
  expect(page2.nextCursor).toBeNull();
  const listed = [...ids(page1), ...ids(page2)];
  expect(new Set(listed).size).toBe(5);
  for (const id of [...cases.amyReceived, ...cases.annReceived]) expect(listed).toContain(id);

  const text = await docket('inbox', '--view', 'claimable', '--limit', '3');
  expect(text.code).toBe(0);
  expect(text.out).toContain('Inbox of cs_agent: claimable');
  expect(text.out).toContain('3 of 5 cases');
  const next = /next page: (docket inbox .*) --cursor (\S+)/.exec(text.out);
  expect(next?.[1]).toBe('docket inbox --view claimable --limit 3');
  const rest = await docket('inbox', '--view', 'claimable', '--limit', '3', '--cursor', next![2]!);
  expect(rest.out).toContain('2 of 5 cases');
  expect(rest.out).not.toContain('next page');

  const search = await docket('search', '--customer', 'CUST-C', '--status', 'open');
  expect(search.code).toBe(0);
  expect(search.out).toContain('2 of 2 cases');
  for (const id of cases.annReceived) expect(search.out).toContain(id);
  const wrong = await docket('inbox', '--view', 'nope', '--json');
  expect({ code: wrong.code, out: wrong.out, err: wrong.err }).toMatchObject({ code: 2 });
  expect(JSON.parse(wrong.out).error.message).toContain('view');
});

test('EXPLAIN: the inbox views and the search use indexes, not a scan of docket.cases', async () => {
  // A few thousand open cases of other customers, waiting on other handlers, beside the test's cases.
  const { rows } = await h.pool.query<{ definition_hash: string }>(`SELECT definition_hash FROM docket.cases LIMIT 1`);
  await h.pool.query(
    `INSERT INTO docket.cases (case_id, process_id, definition_version, definition_hash, customer_id, state, status, context, deadlines,
                               last_seq, opened_at, updated_at, closed_at)
     SELECT 'seed-' || g, 'complaint', 1, $1, 'SEED-' || (g % 500), 'received', 'open',
            jsonb_build_object('assignee', 'h' || (g % 50)), '[]', 1, now() - g * interval '1 minute', now(), null
       FROM generate_series(1, 4000) g`,
    [rows[0]!.definition_hash],
  );
  // …and thousands of cases other users started (as docket.user_cases would hold them).
  await h.pool.query(
    `INSERT INTO docket.user_cases (user_id, kind, opened_at, case_id, process_id)
     SELECT 'h' || (g % 50), 's', now() - g * interval '1 minute', 'seed-' || g, 'complaint' FROM generate_series(1, 4000) g`,
  );
  await h.pool.query('ANALYZE docket.cases; ANALYZE docket.transitions; ANALYZE docket.user_cases');
  const plan = async (sql: { text: string; params: unknown[] }) => {
    const res = await h.pool.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${sql.text}`, sql.params);
    return res.rows[0]!['QUERY PLAN'];
  };
  /** Every node of a plan, sub-plans and init-plans included. */
  const planNodes = (value: unknown): Array<Record<string, unknown>> => {
    if (Array.isArray(value)) return value.flatMap(planNodes);
    if (value === null || typeof value !== 'object') return [];
    const node = value as Record<string, unknown>;
    return [...('Node Type' in node ? [node] : []), ...Object.values(node).flatMap(planNodes)];
  };
  const processIds = ['complaint', 'contract', 'lost_deal', 'improvement_measure', 'visit'];
  const selections: Array<[string, CaseFilter, InboxSelection | undefined]> = [];
  for (const [role, user] of [
    ['cs_agent', 'amy'],
    ['handler', 'bob'],
  ] as const) {
    const versions = await versionFacts(api.deps, processIds, role);
    expect(versions.length).toBeGreaterThan(0);
    for (const view of ['actionable', 'assigned', 'claimable', 'started', 'done', 'cc'] as const) {
      selections.push([`${role} ${view}`, { processIds }, { view, userId: user, role, versions }]);
    }
  }
  selections.push(['search by customer', { processIds, customerId: 'CUST-A' }, undefined]);
  selections.push(['search by process and state', { processIds, processId: 'complaint', state: 'investigating' }, undefined]);
  for (const [what, filter, inbox] of selections) {
    const sql = caseListSql(filter, inbox, { limit: 50 });
    // Every seeded case is one a service agent may act on: counting them (and sifting out those another holds) is
    // rightly a scan; their pages are not.
    const broad = what === 'cs_agent actionable' || what === 'cs_agent claimable';
    const statements = broad
      ? [['page', sql.page] as const]
      : ([
          ['page', sql.page],
          ['count', sql.count],
        ] as const);
    for (const [kind, statement] of statements) {
      const nodes = planNodes(await plan(statement));
      const casesScans = nodes.filter((n) => n['Relation Name'] === 'cases').map((n) => n['Node Type']);
      expect({ what, kind, seqScan: casesScans.includes('Seq Scan') }).toEqual({ what, kind, seqScan: false });
      // started and done read the user's range of docket.user_cases (migration 027); a count by process alone reads only that.
      const userView = inbox?.view === 'started' || inbox?.view === 'done';
      const scans = userView ? nodes.filter((n) => n['Relation Name'] === 'user_cases').map((n) => n['Node Type']) : casesScans;
      expect({
        what,
        kind,
        usesIndex:
          (scans.length > 0 && scans.every((t) => /Index|Bitmap Heap/.test(String(t)))) ||
          (!userView && casesScans.some((t) => /Index|Bitmap Heap/.test(String(t)))),
      }).toEqual({
        what,
        kind,
        usesIndex: true,
      });
    }
  }
  // The seeded rows are still found through the same statements (an index scan finds them all).
  const seeded = await api.call('GET', '/cases?customer=SEED-7&limit=500', { token: tokens.eve });
  expect(seeded.body.total).toBe(8);
});
