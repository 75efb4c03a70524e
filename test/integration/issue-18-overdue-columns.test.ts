/**
 * What makes a case overdue is kept on its row (migration 020): the earliest running deadline
 * (`next_due_at`) and whether an escalation was raised since the case entered its state
 * (`escalated`). The store writes both with every projection, the search's `overdue` filter reads
 * them, and the migration fills them for the rows written before it.
 */
import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Pool } from 'pg';
import { MIGRATIONS_DIR, migrate, PostgresCaseStore } from '../../adapters/postgres';
import { PostgresCaseQueries } from '../../adapters/postgres/case-query';
import type { CaseProjection, Deadline, TransitionRecord } from '../../engine/types';
import { createDatabase } from '../../infra/postgres';
import { freshDatabase, requireEnv } from '../helpers/harness';

jest.setTimeout(120_000);

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

function deadline(dueAt: string): Deadline {
  return { id: `d-${dueAt}`, delay: 'acceptDue', state: 'received', dueAt };
}

function record(caseId: string, seq: number, fromState: string | null, toState: string, at: string): TransitionRecord {
  return {
    caseId,
    seq,
    processId: 'complaint',
    definitionVersion: 1,
    definitionHash: 'h1',
    event: seq === 0 ? 'xstate.init' : 'after:acceptDue',
    payload: {},
    actor: { userId: 'system', role: 'system' },
    requestId: null,
    fromState,
    toState,
    status: 'open',
    at,
  };
}

function projection(caseId: string, seq: number, state: string, at: string, extra: Partial<CaseProjection> = {}): CaseProjection {
  return {
    caseId,
    processId: 'complaint',
    definitionVersion: 1,
    definitionHash: 'h1',
    customerId: 'CUST-1',
    state,
    status: 'open',
    context: {},
    deadlines: [],
    lastSeq: seq,
    openedAt: iso(Date.parse(at) - seq * HOUR),
    updatedAt: at,
    closedAt: null,
    ...extra,
  };
}

describe('the store keeps next_due_at and escalated, and the search reads them', () => {
  let pool: Pool;
  let store: PostgresCaseStore;
  let queries: PostgresCaseQueries;
  beforeAll(async () => {
    pool = new Pool({ connectionString: await freshDatabase('issue_18_overdue_store'), max: 2 });
    store = new PostgresCaseStore(pool);
    queries = new PostgresCaseQueries(pool);
  });
  afterAll(async () => {
    await pool?.end();
  });

  const row = async (caseId: string) =>
    (
      await pool.query<{ next_due_at: Date | null; escalated: boolean }>(
        'SELECT next_due_at, escalated FROM docket.cases WHERE case_id = $1',
        [caseId],
      )
    ).rows[0];
  const overdueIds = async (overdue: boolean) =>
    (await queries.page({ overdue }, undefined, { limit: 50 })).cases.map((c) => c.caseId).sort();

  test('a passed deadline, an escalation, and leaving the state', async () => {
    const now = Date.now();
    const at = iso(now - 2 * HOUR);
    // Its earliest deadline passed an hour ago (the later one has not).
    await store.appendTransition(
      record('late', 0, null, 'received', at),
      projection('late', 0, 'received', at, { deadlines: [deadline(iso(now + 5 * HOUR)), deadline(iso(now - HOUR))], escalated: false }),
    );
    // Deadlines still to come.
    await store.appendTransition(
      record('early', 0, null, 'received', at),
      projection('early', 0, 'received', at, { deadlines: [deadline(iso(now + HOUR))], escalated: false }),
    );
    // Escalated, no deadline running.
    await store.appendTransition(record('esc', 0, null, 'received', at), projection('esc', 0, 'received', at, { escalated: false }));
    await store.appendTransition(record('esc', 1, 'received', 'received', at), projection('esc', 1, 'received', at, { escalated: true }));

    expect(await row('late')).toEqual({ next_due_at: new Date(now - HOUR), escalated: false });
    expect(await row('early')).toEqual({ next_due_at: new Date(now + HOUR), escalated: false });
    expect(await row('esc')).toEqual({ next_due_at: null, escalated: true });
    expect(await overdueIds(true)).toEqual(['esc', 'late']);
    expect(await overdueIds(false)).toEqual(['early']);
    const summaries = (await queries.page({}, undefined, { limit: 50 })).cases;
    expect(Object.fromEntries(summaries.map((c) => [c.caseId, [c.overdue, c.nextDueAt]]))).toEqual({
      late: [true, iso(now - HOUR)],
      early: [false, iso(now + HOUR)],
      esc: [true, null],
    });

    // Leaving the state clears the escalation.
    await store.appendTransition(
      record('esc', 2, 'received', 'investigating', at),
      projection('esc', 2, 'investigating', at, { escalated: false }),
    );
    expect(await row('esc')).toEqual({ next_due_at: null, escalated: false });
    expect(await overdueIds(true)).toEqual(['late']);
    // A projection from before the flag was recorded counts as not escalated.
    await store.appendTransition(record('old', 0, null, 'received', at), projection('old', 0, 'received', at));
    expect(await row('old')).toEqual({ next_due_at: null, escalated: false });
  });
});

describe('migration 020 fills the columns of the rows written before it', () => {
  let pool: Pool;
  let older: string;
  beforeAll(async () => {
    const url = await createDatabase(requireEnv('DOCKET_TEST_DATABASE_URL'), 't_issue_18_overdue_backfill', { fresh: true });
    pool = new Pool({ connectionString: url, max: 1 });
    older = await mkdtemp(path.join(tmpdir(), 'docket-migrations-'));
    for (const name of await readdir(MIGRATIONS_DIR))
      if (name.endsWith('.sql') && Number(name.slice(0, 3)) < 20) await copyFile(path.join(MIGRATIONS_DIR, name), path.join(older, name));
  });
  afterAll(async () => {
    await pool?.end();
    if (older) await rm(older, { recursive: true, force: true });
  });

  test('next_due_at from the deadlines; escalated for an escalation since the last change of state', async () => {
    await migrate(pool, { dir: older });
    const now = Date.now();
    const t = (hours: number) => iso(now + hours * HOUR);
    const cases: Array<[string, string, Deadline[]]> = [
      ['due', 'open', [deadline(t(3)), deadline(t(-1))]],
      ['escalated', 'open', []],
      ['moved-on', 'open', []],
      ['closed', 'completed', []],
    ];
    for (const [id, status, deadlines] of cases)
      await pool.query(
        `INSERT INTO docket.cases (case_id, process_id, definition_version, definition_hash, customer_id, state, status, deadlines, last_seq, opened_at, updated_at)
         VALUES ($1, 'complaint', 1, 'h1', 'CUST-1', 'received', $2, $3::jsonb, 1, $4, $4)`,
        [id, status, JSON.stringify(deadlines), t(-10)],
      );
    const transition = (id: string, seq: number, from: string | null, to: string, at: string) =>
      pool.query(
        `INSERT INTO docket.transitions (case_id, seq, process_id, definition_version, definition_hash, event, actor_user, actor_role, from_state, to_state, status, at)
         VALUES ($1, $2, 'complaint', 1, 'h1', 'E', 'system', 'system', $3, $4, 'open', $5)`,
        [id, seq, from, to, at],
      );
    const escalation = (id: string, at: string) =>
      pool.query(
        `INSERT INTO docket.notification_outbox (id, case_id, process_id, kind, recipients, template, subject, created_at)
         VALUES ($1, $2, 'complaint', 'escalation', '[]', 'overdue', '{}', $3)`,
        [`${id}:${at}`, id, at],
      );
    for (const id of ['escalated', 'moved-on', 'closed']) await transition(id, 0, null, 'received', t(-10));
    await escalation('escalated', t(-5)); // raised in the state the case is in
    await escalation('moved-on', t(-5)); // raised before the case moved on
    await transition('moved-on', 1, 'received', 'investigating', t(-4));
    await escalation('closed', t(-5)); // a closed case is never overdue

    expect(await migrate(pool)).toEqual(expect.arrayContaining(['020_case_overdue_and_pages']));
    const { rows } = await pool.query<{ case_id: string; next_due_at: Date | null; escalated: boolean }>(
      'SELECT case_id, next_due_at, escalated FROM docket.cases ORDER BY case_id',
    );
    expect(rows).toEqual([
      { case_id: 'closed', next_due_at: null, escalated: false },
      { case_id: 'due', next_due_at: new Date(t(-1)), escalated: false },
      { case_id: 'escalated', next_due_at: null, escalated: true },
      { case_id: 'moved-on', next_due_at: null, escalated: false },
    ]);
  });
});
