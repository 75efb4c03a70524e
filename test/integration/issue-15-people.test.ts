/**
 * Issue 15, people's work: migration 011 on a database that has cases, the read model of who a case
 * waits on (the inbox views assigned, claimable and cc, with paging), out-of-office delegation (API,
 * CLI, refusals), a delegate acting on someone's behalf (in the log and its audit hash), and
 * notifications reaching a delegate.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Pool } from 'pg';
import { DeliveryLoop, recordInOutbox } from '../../adapters/notify';
import { caseListSql, type InboxSelection } from '../../adapters/postgres/case-query';
import { PostgresCaseStore } from '../../adapters/postgres/case-store';
import { MIGRATIONS_DIR, migrate } from '../../adapters/postgres/migrate';
import { PostgresOutboxQueue } from '../../adapters/postgres/notification-store';
import { CHAIN_ALGORITHM, verifyChain } from '../../audit/chain';
import { PROJECT_ROOT } from '../../config';
import { canonicalJson } from '../../engine/canonical-json';
import type { CaseProjection, TransitionRecord } from '../../engine/types';
import type { WorkView } from '../../engine/work-types';
import { createDatabase } from '../../infra/postgres/admin';
import { startTestApi, type TestApi } from '../helpers/api';
import { runCli } from '../helpers/cli';
import { complaintInput, createHarness, requireEnv, roleDatabaseUrls, waitFor, type Harness } from '../helpers/harness';

let h: Harness;
let api: TestApi;
let workerPool: Pool;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  h = await createHarness('issue_15_people');
  api = await startTestApi(h);
  workerPool = new Pool({ connectionString: roleDatabaseUrls(h.config.databaseUrl!).worker, max: 4 });
  tokens.amy = await api.user('amy', ['cs_agent']);
  tokens.bob = await api.user('bob', ['handler']);
  tokens.dan = await api.user('dan', ['handler']);
  tokens.kim = await api.user('kim', ['handler']);
  tokens.sam = await api.user('sam', ['sales_rep']);
  tokens.gone = await api.user('gone', ['handler']);
  expect((await api.call('POST', '/users/gone/disable', { token: api.adminToken })).status).toBe(200);
}, 240_000);

afterAll(async () => {
  await workerPool?.end();
  await api?.close();
  await h?.close();
});

const hour = 3_600_000;
const inHours = (n: number) => new Date(Date.now() + n * hour).toISOString();

/** The rows of the security log and of the delegations table: what a refused request must leave as it was. */
async function snapshot(): Promise<string> {
  const d = await h.pool.query('SELECT * FROM docket.delegations ORDER BY id');
  const s = await h.pool.query(`SELECT count(*)::int AS n FROM docket.security_log WHERE code LIKE 'Delegation%'`);
  return JSON.stringify([d.rows, s.rows]);
}

/** A transition record and its projection for a case of the read-model tests (as the worker's store activity gets them). */
function recordOf(caseId: string, seq: number, work: WorkView | undefined, extra: Partial<TransitionRecord> = {}) {
  const at = new Date(Date.UTC(2024, 0, 1, 0, 0, seq) + Number(caseId.replace(/\D/g, '') || 0) * 1000).toISOString();
  const record: TransitionRecord = {
    caseId,
    seq,
    processId: 'complaint',
    definitionVersion: 1,
    definitionHash: 'people-test-hash',
    event: seq === 0 ? 'xstate.init' : 'NOTE',
    payload: {},
    actor: { userId: 'amy', role: 'cs_agent' },
    requestId: null,
    fromState: seq === 0 ? null : 'waiting',
    toState: 'waiting',
    status: 'open',
    at,
    ...(work && { work }),
    ...extra,
  };
  const projection: CaseProjection = {
    caseId,
    processId: 'complaint',
    definitionVersion: 1,
    definitionHash: 'people-test-hash',
    customerId: 'CUST-P',
    state: 'waiting',
    status: 'open',
    context: {},
    deadlines: [],
    lastSeq: seq,
    openedAt: new Date(Date.UTC(2024, 0, 1) + Number(caseId.replace(/\D/g, '') || 0) * 1000).toISOString(),
    updatedAt: at,
    closedAt: null,
  };
  return [record, projection] as const;
}

const task = (over: Partial<WorkView['tasks'][number]>): WorkView['tasks'][number] => ({
  state: 'waiting',
  assignee: null,
  candidates: { roles: [], users: [] },
  assigneeOnly: false,
  operations: [],
  ...over,
});

/** Runs SQL with the append-only triggers off: what an attacker with the owner's access could do. */
async function tamper(pool: Pool, sql: string, params: unknown[]): Promise<void> {
  const client = await pool.connect();
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

/** The hash of a row as Docket computed it before migration 011 (no on-behalf-of in the chain's content). */
function hashBefore011(r: TransitionRecord, prev: string): string {
  const row = {
    caseId: r.caseId,
    seq: r.seq,
    processId: r.processId,
    definitionVersion: r.definitionVersion,
    definitionHash: r.definitionHash,
    event: r.event,
    payload: r.payload,
    actor: { userId: r.actor.userId, role: r.actor.role },
    requestId: r.requestId,
    fromState: r.fromState,
    toState: r.toState,
    status: r.status,
    at: r.at,
  };
  return createHash('sha256')
    .update(canonicalJson({ algorithm: CHAIN_ALGORITHM, prev, row }))
    .digest('hex');
}

test('migration 011 on a database with cases: old rows keep working and verify as before; on-behalf-of is in the hash when present', async () => {
  const url = await createDatabase(requireEnv('DOCKET_TEST_DATABASE_URL'), 't_issue_15_people_mig', { fresh: true });
  const pool = new Pool({ connectionString: url, max: 2 });
  try {
    const before = mkdtempSync(path.join(tmpdir(), 'docket-mig-'));
    for (const f of readdirSync(MIGRATIONS_DIR).filter((n) => n.endsWith('.sql') && Number(n.slice(0, 3)) <= 10)) {
      copyFileSync(path.join(MIGRATIONS_DIR, f), path.join(before, f));
    }
    expect((await migrate(pool, { dir: before })).at(-1)).toBe('010_inbox_indexes');
    // Two rows and a case as Docket wrote them before 011.
    const [r0] = recordOf('old-1', 0, undefined);
    const [r1] = recordOf('old-1', 1, undefined, { actor: { userId: 'bob', role: 'handler' }, payload: { note: 'n' } });
    let prev = r0.definitionHash;
    for (const r of [r0, r1]) {
      const hash = hashBefore011(r, prev);
      await pool.query(
        `INSERT INTO docket.transitions (case_id, seq, process_id, definition_version, definition_hash, event, payload, actor_user, actor_role,
                                         request_id, from_state, to_state, status, at, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
        [
          r.caseId,
          r.seq,
          r.processId,
          r.definitionVersion,
          r.definitionHash,
          r.event,
          r.payload,
          r.actor.userId,
          r.actor.role,
          r.requestId,
          r.fromState,
          r.toState,
          r.status,
          r.at,
          prev,
          hash,
        ],
      );
      prev = hash;
    }
    await pool.query(
      `INSERT INTO docket.cases (case_id, process_id, definition_version, definition_hash, customer_id, state, status, context, deadlines,
                                 last_seq, opened_at, updated_at, closed_at)
       VALUES ('old-1', 'complaint', 1, 'people-test-hash', 'CUST-P', 'waiting', 'open', '{"assignee":"bob"}', '[]', 1, $1, $1, null)`,
      [r0.at],
    );

    expect(await migrate(pool)).toContain('011_people');
    const store = new PostgresCaseStore(pool);
    const { rows } = await pool.query('SELECT assignees, candidate_roles, candidate_users, cc_users, initiator FROM docket.cases');
    expect(rows).toEqual([{ assignees: [], candidate_roles: [], candidate_users: [], cc_users: [], initiator: null }]);
    const old = await store.listChainedTransitions('old-1');
    expect(old.map((t) => t.actor)).toEqual([r0.actor, r1.actor]);
    const verified = verifyChain('old-1', old, { lastSeq: 1 });
    expect(verified).toMatchObject({ ok: true, rows: 2, headHash: prev });

    // A delegate's row after it: chained on the old ones, its on-behalf-of covered by the hash.
    const work: WorkView = { tasks: [task({ assignee: 'bob' })], initiator: 'amy', cc: ['sam'] };
    const [r2, p2] = recordOf('old-1', 2, work, { actor: { userId: 'dan', role: 'handler', onBehalfOf: 'bob' } });
    await store.appendTransition(r2, p2);
    await store.appendTransition(r2, p2); // a retry is a no-op
    const chained = await store.listChainedTransitions('old-1');
    expect(chained[2]!.actor).toEqual({ userId: 'dan', role: 'handler', onBehalfOf: 'bob' });
    expect(verifyChain('old-1', chained, { lastSeq: 2 })).toMatchObject({ ok: true, rows: 3 });
    expect(chained[2]!.hash).not.toBe(hashBefore011(r2, chained[1]!.hash!)); // the hash covers on-behalf-of
    const row = await pool.query('SELECT assignees, cc_users, initiator FROM docket.cases');
    expect(row.rows).toEqual([{ assignees: ['bob'], cc_users: ['sam'], initiator: 'amy' }]);

    // The same transition appended with another on-behalf-of is a conflict, not a silent no-op.
    await expect(store.appendTransition({ ...r2, actor: { userId: 'dan', role: 'handler', onBehalfOf: 'kim' } }, p2)).rejects.toThrow(
      /actor/,
    );
    // Tampering with the column (or removing it) is reported.
    for (const forged of ['kim', null]) {
      await tamper(pool, `UPDATE docket.transitions SET actor_on_behalf_of = $1 WHERE case_id = 'old-1' AND seq = 2`, [forged]);
      const result = verifyChain('old-1', await store.listChainedTransitions('old-1'), { lastSeq: 2 });
      expect({ forged, ok: result.ok, problem: result.problem?.seq, kind: result.problem?.kind }).toEqual({
        forged,
        ok: false,
        problem: 2,
        kind: 'changed',
      });
    }
  } finally {
    await pool.end();
  }
});

test('delegation over the API and the CLI: set, list, revoke; refusals change nothing', async () => {
  const set = await api.call('POST', '/me/delegations', { token: tokens.kim, body: { delegate: 'dan', endsAt: inHours(48) } });
  expect(set.status).toBe(201);
  expect(set.body).toMatchObject({ userId: 'kim', delegateId: 'dan', status: 'active', revokedAt: null });

  const unchanged = await snapshot();
  const refusals: Array<[string, Record<string, unknown>, number, RegExp]> = [
    ['unknown delegate', { delegate: 'nobody', endsAt: inHours(100) }, 422, /no user "nobody"/],
    ['disabled delegate', { delegate: 'gone', endsAt: inHours(100) }, 422, /disabled/],
    ['self', { delegate: 'kim', endsAt: inHours(100) }, 400, /own delegate/],
    ['ends before it starts', { delegate: 'bob', startsAt: inHours(80), endsAt: inHours(70) }, 400, /end after it starts/],
    ['over already', { delegate: 'bob', startsAt: inHours(-10), endsAt: inHours(-1) }, 400, /over already/],
    ['overlapping', { delegate: 'bob', startsAt: inHours(24), endsAt: inHours(72) }, 409, /overlaps this period/],
    ['not a time', { delegate: 'bob', endsAt: 'tomorrow' }, 400, /endsAt/],
  ];
  for (const [what, body, status, message] of refusals) {
    const res = await api.call('POST', '/me/delegations', { token: tokens.kim, body });
    expect({ what, status: res.status }).toEqual({ what, status });
    expect(res.body.error.message).toMatch(message);
  }
  // Another user's delegation is not there for them.
  const theirs = await api.call('DELETE', `/me/delegations/${set.body.id}`, { token: tokens.dan });
  expect(theirs.status).toBe(404);
  expect(await snapshot()).toBe(unchanged);

  // A later period is fine.
  const later = await api.call('POST', '/me/delegations', {
    token: tokens.kim,
    body: { delegate: 'bob', startsAt: inHours(48), endsAt: inHours(72) },
  });
  expect(later.status).toBe(201);
  expect(later.body.status).toBe('scheduled');

  const cli = (...argv: string[]) =>
    runCli(['--api', api.url, '--token', tokens.kim!, 'delegate', ...argv], { config: h.config, cwd: PROJECT_ROOT });
  const listed = await cli('list');
  expect(listed.code).toBe(0);
  expect(listed.out).toContain(set.body.id);
  expect(listed.out).toContain('scheduled');
  const revoked = await cli('revoke', later.body.id);
  expect({ code: revoked.code, out: revoked.out }).toMatchObject({ code: 0, out: expect.stringContaining('(revoked)') });
  const again = await cli('set', 'bob', '--from', inHours(48), '--until', inHours(60), '--json');
  expect(again.code).toBe(0);
  const overlap = await cli('set', 'bob', '--until', inHours(30));
  expect(overlap.code).not.toBe(0);
  expect(overlap.err + overlap.out).toContain('overlaps');
  const cliUnknown = await cli('set', 'nobody', '--until', inHours(300));
  expect(cliUnknown.code).not.toBe(0);
  expect(cliUnknown.err + cliUnknown.out).toContain('no user "nobody"');

  const { body } = await api.call('GET', '/me/delegations', { token: tokens.kim });
  expect(body.delegations.map((d: any) => [d.delegateId, d.status])).toEqual([
    ['bob', 'scheduled'],
    ['bob', 'revoked'],
    ['dan', 'active'],
  ]);
  const log = await h.pool.query(
    `SELECT code, user_id, target_user FROM docket.security_log WHERE code LIKE 'Delegation%' AND user_id = 'kim' ORDER BY id`,
  );
  expect(log.rows.map((r) => [r.code, r.target_user])).toEqual([
    ['DelegationSet', 'dan'],
    ['DelegationSet', 'bob'],
    ['DelegationRevoked', 'bob'],
    ['DelegationSet', 'bob'],
  ]);
  // Revoking the one in force ends it: kim's tasks no longer go to dan.
  expect((await api.call('DELETE', `/me/delegations/${set.body.id}`, { token: tokens.kim })).body.status).toBe('revoked');
});

test('a delegate acts on the delegator’s task on their behalf, shown in the log and covered by the audit', async () => {
  const started = await api.call('POST', '/cases', { token: tokens.amy, body: { process: 'complaint', input: complaintInput } });
  expect(started.status).toBe(201);
  const caseId = started.body.caseId as string;
  const accept = await api.call('POST', `/cases/${caseId}/events`, {
    token: tokens.amy,
    body: { type: 'ACCEPT', data: { department: 'after_sales', assignee: 'bob' } },
  });
  expect(accept.status).toBe(200);
  await waitFor(
    () => h.docket.store.getCase(caseId),
    (c) => (c?.lastSeq ?? -1) >= 1,
    'the accepted case stored',
  );
  // What the store keeps for a definition with tasks (complaint v2): the case waits on bob.
  const { rows } = await h.pool.query(`SELECT assignees FROM docket.cases WHERE case_id = $1`, [caseId]);
  expect(rows[0].assignees).toEqual(['bob']);
  expect((await api.call('POST', '/me/delegations', { token: tokens.bob, body: { delegate: 'dan', endsAt: inHours(5) } })).status).toBe(
    201,
  );

  const sent = await api.call('POST', `/cases/${caseId}/events`, {
    token: tokens.dan,
    body: { type: 'SUBMIT_FINDINGS', data: { findings: 'f', customerExpectation: 'e' } },
  });
  expect(sent.status).toBe(200);
  const history = await api.call('GET', `/cases/${caseId}/history`, { token: tokens.amy });
  const last = history.body.transitions.at(-1);
  expect(last).toMatchObject({ event: 'SUBMIT_FINDINGS', actor: { userId: 'dan', role: 'handler', onBehalfOf: 'bob' } });
  const verify = await api.call('GET', `/cases/${caseId}/audit/verify`, { token: tokens.amy });
  expect(verify.status).toBe(200);
  expect(verify.body.ok).toBe(true);
  await tamper(h.pool, `UPDATE docket.transitions SET actor_on_behalf_of = NULL WHERE case_id = $1 AND seq = $2`, [caseId, last.seq]);
  const tampered = await api.call('GET', `/cases/${caseId}/audit/verify`, { token: tokens.amy });
  expect(tampered.body).toMatchObject({ ok: false, problem: { seq: last.seq } });

  // Someone the case does not wait on (kim, who has no delegation from bob) acts as themselves: not on
  // bob's behalf, so bob's own step is refused to kim (only the assignee or their delegate sends it) and
  // changes nothing, while an event open to every handler is logged as kim's own.
  const before = await h.history(caseId);
  const kims = await api.call('POST', `/cases/${caseId}/events`, {
    token: tokens.kim,
    body: { type: 'PROPOSE_RESOLUTION', data: { proposal: 'refund', compensationAmount: 10 } },
  });
  expect(kims.status).toBe(403);
  expect(kims.body.error).toMatchObject({ code: 'NotAssignee', message: expect.stringContaining('user "bob"') });
  expect(await h.history(caseId)).toEqual(before);
  const logged = await api.call('POST', `/cases/${caseId}/events`, {
    token: tokens.kim,
    body: { type: 'LOG_CONTACT', data: { channel: 'phone', summary: 'Called the customer back' } },
  });
  expect(logged.status).toBe(200);
  const after = await h.history(caseId);
  expect(after).toHaveLength(before.length + 1);
  expect(after.at(-1)).toMatchObject({ event: 'LOG_CONTACT' });
  expect(after.at(-1)!.actor).toEqual({ userId: 'kim', role: 'handler' });
  // The delegate goes on with bob's next step, again on his behalf.
  const proposed = await api.call('POST', `/cases/${caseId}/events`, {
    token: tokens.dan,
    body: { type: 'PROPOSE_RESOLUTION', data: { proposal: 'refund', compensationAmount: 10 } },
  });
  expect(proposed.status).toBe(200);
  expect((await h.history(caseId)).at(-1)!.actor).toEqual({ userId: 'dan', role: 'handler', onBehalfOf: 'bob' });
});

test('notifications raised for a user during their delegation also go to the delegate, marked as for them', async () => {
  const queue = new PostgresOutboxQueue(workerPool);
  const base = {
    processId: 'complaint',
    kind: 'escalation' as const,
    template: 'taskReminder',
    subject: { en: 'Reminder', 'zh-CN': '催办' },
  };
  const during = {
    ...base,
    id: 'n-deleg-1',
    caseId: 'case-n-deleg',
    to: [{ userId: 'bob' }],
    data: {},
    createdAt: new Date().toISOString(),
  };
  const before = { ...during, id: 'n-deleg-0', createdAt: new Date(Date.now() - 10 * hour).toISOString() };
  const toRole = { ...during, id: 'n-deleg-2', to: [{ role: 'sales_rep' }] };
  for (const n of [during, before, toRole]) await recordInOutbox(workerPool, n);
  await h.pool.query(
    `UPDATE docket.notification_outbox SET next_attempt_at = now() + interval '1 day' WHERE status = 'pending' AND NOT (id = ANY($1))`,
    [[during.id, before.id, toRole.id]],
  );
  await new DeliveryLoop(queue, []).deliverDue();
  const mine = async (who: string) =>
    (await api.call('GET', '/notifications', { token: tokens[who] })).body.items.map((i: any) => [i.id, i.forUserId]).sort();
  const bobs = await mine('bob');
  const dans = await mine('dan');
  expect(bobs.filter(([, f]: [string, unknown]) => f === null)).toHaveLength(2); // both of bob's, as his own
  const outboxIds = await h.pool.query(
    `SELECT n.id, o.id AS outbox FROM docket.notifications n JOIN docket.notification_outbox o ON o.id = n.outbox_id WHERE n.user_id = 'dan'`,
  );
  expect(outboxIds.rows.map((r) => r.outbox)).toEqual([during.id]); // not the one raised before the delegation, nor the role's
  expect(dans).toEqual([[String(outboxIds.rows[0].id), 'bob']]);
});

describe('inbox views from who a case waits on', () => {
  const store = () => new PostgresCaseStore(h.pool);
  beforeAll(async () => {
    const works: Array<[string, WorkView]> = [
      ['p1', { tasks: [task({ assignee: 'kim' })], initiator: 'amy', cc: [] }],
      ['p2', { tasks: [task({ assignee: 'kim' })], initiator: 'amy', cc: ['sam'] }],
      ['p3', { tasks: [task({ assignee: 'kim' })], initiator: 'amy', cc: [] }],
      ['p4', { tasks: [task({ candidates: { roles: ['handler'], users: [] } })], initiator: 'amy', cc: ['sam'] }],
      ['p5', { tasks: [task({ candidates: { roles: [], users: ['kim'] } })], initiator: 'amy', cc: [] }],
      [
        'p6',
        {
          tasks: [
            task({
              approval: {
                mode: 'sequence',
                current: 1,
                steps: [
                  { members: [{ user: 'dan' }], mode: 'all', approved: [{ userId: 'dan', role: 'handler', at: '2024-01-01T00:00:00Z' }] },
                  { members: [{ user: 'kim' }, { role: 'legal' }], mode: 'all', approved: [] },
                ],
              },
            }),
          ],
          initiator: 'amy',
          cc: [],
        },
      ],
    ];
    for (const [caseId, work] of works) {
      const [r0, p0] = recordOf(caseId, 0, undefined);
      await store().appendTransition(r0, p0);
      const [r1, p1] = recordOf(caseId, 1, work);
      await store().appendTransition(r1, p1);
    }
    // p3 moves on: nothing waits on kim there any more.
    const [r2, p2] = recordOf('p3', 2, { tasks: [], initiator: 'amy', cc: [] });
    await store().appendTransition(r2, p2);
  });

  const inbox = async (who: string, view: string, extra = '') => {
    const res = await api.call('GET', `/inbox?view=${view}&process=complaint&customer=CUST-P${extra}`, { token: tokens[who] });
    expect(res.status).toBe(200);
    return res.body as { items: Array<{ caseId: string }>; total: number; nextCursor: string | null };
  };
  const ids = (b: { items: Array<{ caseId: string }> }) => b.items.map((i) => i.caseId).sort();

  test('assigned, claimable and cc list what the case rows say, a page at a time with totals', async () => {
    expect(ids(await inbox('kim', 'assigned'))).toEqual(['p1', 'p2', 'p6']);
    expect(ids(await inbox('dan', 'assigned'))).toEqual([]); // dan approved his step already
    expect(ids(await inbox('kim', 'claimable'))).toEqual(['p4', 'p5']);
    expect(ids(await inbox('bob', 'claimable'))).toEqual(['p4']);
    expect(ids(await inbox('sam', 'cc'))).toEqual(['p2', 'p4']);
    expect(ids(await inbox('kim', 'cc'))).toEqual([]);

    const first = await inbox('kim', 'assigned', '&limit=2');
    expect({ n: first.items.length, total: first.total }).toEqual({ n: 2, total: 3 });
    const second = await inbox('kim', 'assigned', `&limit=2&cursor=${encodeURIComponent(first.nextCursor!)}`);
    expect({ n: second.items.length, total: second.total, next: second.nextCursor }).toEqual({ n: 1, total: 3, next: null });
    expect([...ids(first), ...ids(second)].sort()).toEqual(['p1', 'p2', 'p6']);

    const cli = await runCli(['--api', api.url, '--token', tokens.sam!, 'inbox', '--view', 'cc', '--customer', 'CUST-P'], {
      config: h.config,
      cwd: PROJECT_ROOT,
    });
    expect(cli.code).toBe(0);
    expect(cli.out).toContain('p2');
    expect(cli.out).toContain('p4');
  });

  test('a delegate’s assigned view holds the delegator’s cases while the delegation is in force', async () => {
    expect(ids(await inbox('bob', 'assigned'))).toEqual([]);
    const d = await api.call('POST', '/me/delegations', { token: tokens.kim, body: { delegate: 'bob', endsAt: inHours(20) } });
    expect(d.status).toBe(201);
    expect(ids(await inbox('bob', 'assigned'))).toEqual(['p1', 'p2', 'p6']);
    await api.call('DELETE', `/me/delegations/${d.body.id}`, { token: tokens.kim });
    expect(ids(await inbox('bob', 'assigned'))).toEqual([]);
  });

  test('a cc’d user may read the case, not act on it', async () => {
    const started = await api.call('POST', '/cases', { token: tokens.amy, body: { process: 'complaint', input: complaintInput } });
    const caseId = started.body.caseId as string;
    await waitFor(
      () => h.docket.store.getCase(caseId),
      (c) => c !== null,
      'the case stored',
    );
    expect((await api.call('GET', `/cases/${caseId}`, { token: tokens.sam })).status).toBe(403);
    await h.pool.query(`UPDATE docket.cases SET cc_users = '{sam}' WHERE case_id = $1`, [caseId]);
    expect((await api.call('GET', `/cases/${caseId}`, { token: tokens.sam })).status).toBe(200);
    expect((await api.call('GET', `/cases/${caseId}/history`, { token: tokens.sam })).status).toBe(200);
    const act = await api.call('POST', `/cases/${caseId}/events`, {
      token: tokens.sam,
      body: { type: 'ACCEPT', data: { department: 'after_sales', assignee: 'bob' } },
    });
    expect(act.status).toBe(403);
    expect((await h.docket.store.getCase(caseId))?.lastSeq).toBe(0);
  });

  test('EXPLAIN: assigned and claimable read the open work of the user and role (migration 025), cc the GIN index of the case row', async () => {
    await h.pool.query(
      `INSERT INTO docket.cases (case_id, process_id, definition_version, definition_hash, customer_id, state, status, context, deadlines,
                                 last_seq, opened_at, updated_at, closed_at, assignees, candidate_roles, candidate_users, cc_users, initiator)
       SELECT 'gin-' || g, 'complaint', 1, 'people-test-hash', 'SEED-' || (g % 500), 'waiting', 'open', '{}', '[]', 1,
              now() - g * interval '1 minute', now(), null,
              CASE WHEN g % 3 = 0 THEN ARRAY['u' || (g % 400)] ELSE '{}' END,
              CASE WHEN g % 3 = 1 THEN ARRAY['r' || (g % 300)] ELSE '{}' END,
              CASE WHEN g % 3 = 2 THEN ARRAY['u' || (g % 400)] ELSE '{}' END,
              ARRAY['c' || (g % 400)], 'amy'
         FROM generate_series(1, 6000) g`,
    );
    await h.pool.query('ANALYZE docket.cases');
    const expected: Array<[InboxSelection['view'], string[]]> = [
      ['assigned', ['open_work_pkey']],
      ['claimable', ['open_work_pkey']],
      ['cc', ['cases_cc_users_idx']],
    ];
    for (const [view, indexes] of expected) {
      const sql = caseListSql({ processIds: ['complaint'] }, { view, userId: 'u7', role: 'r7', versions: [] }, { limit: 50 });
      for (const statement of [sql.page, sql.count]) {
        const res = await h.pool.query(`EXPLAIN (FORMAT JSON) ${statement.text}`, statement.params);
        const plan = JSON.stringify(res.rows[0]['QUERY PLAN']);
        for (const index of indexes)
          expect({ view, index, used: plan.includes(`"Index Name":"${index}"`) }).toEqual({ view, index, used: true });
      }
    }
  });
});
