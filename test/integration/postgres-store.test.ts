import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Pool } from 'pg';
import { OutboxNotifier } from '../../adapters/notify';
import {
  AppendOnlyViolationError,
  ConflictError,
  ConnectionError,
  InvalidDataError,
  MIGRATIONS_DIR,
  MigrationError,
  PostgresCaseStore,
  SerializationError,
  loadMigrations,
  mapPgError,
  migrate,
} from '../../adapters/postgres';
import type { CaseProjection, Notification, TransitionRecord } from '../../engine/types';
import { createDatabase, dropDatabase, startPostgres, type RunningPostgres } from '../../infra/postgres';
import { defaultSecretsFile, readSecrets } from '../../infra/postgres/secrets';

const DATA_DIR = path.join(__dirname, '..', '..', '.cache', 'pg-test');
const PORT = Number(process.env.DOCKET_TEST_PG_PORT ?? 5434);
// Suffixed with the pid: concurrent test runs on one server must not share a database.
const DB = `docket_test_postgres_store_${process.pid}`;
const DB_CONCURRENT = `docket_test_postgres_store_migrate_${process.pid}`;
const DB_CUSTOM = `docket_test_postgres_store_custom_${process.pid}`;

/**
 * The run's shared server (started by the integration global setup) when there is
 * one, otherwise an embedded server of this file's own (or DATABASE_URL).
 */
async function testServer(): Promise<RunningPostgres> {
  const shared = process.env.DOCKET_TEST_DATABASE_URL;
  if (shared !== undefined && shared !== '') return { url: shared, embedded: false, stop: async () => undefined };
  return startPostgres({ dataDir: DATA_DIR, port: PORT });
}

let server: RunningPostgres;
let url: string;
let pool: Pool;
let store: PostgresCaseStore;

beforeAll(async () => {
  server = await testServer();
  url = await createDatabase(server.url, DB, { fresh: true });
  pool = new Pool({ connectionString: url, max: 5 });
  store = new PostgresCaseStore(pool);
});

afterAll(async () => {
  await pool?.end();
  if (server !== undefined) {
    for (const db of [DB, DB_CONCURRENT, DB_CUSTOM]) await dropDatabase(server.url, db);
    await server.stop();
  }
});

function transition(caseId: string, seq: number, overrides: Partial<TransitionRecord> = {}): TransitionRecord {
  return {
    caseId,
    seq,
    processId: 'complaint',
    definitionVersion: 3,
    definitionHash: 'sha256:abc123',
    event: seq === 0 ? 'xstate.init' : 'ACCEPT',
    payload: seq === 0 ? {} : { note: '客户投诉 — accepted', amount: 12.5, tags: ['a', 'b'], nested: { ok: true, none: null } },
    actor: { userId: 'alice', role: 'agent' },
    requestId: seq === 0 ? null : `req-${caseId}-${seq}`,
    fromState: seq === 0 ? null : 'intake',
    toState: seq === 0 ? 'intake' : `step${seq}`,
    status: 'open',
    at: new Date(Date.UTC(2024, 2, 1, 8, 0, seq, 123)).toISOString(),
    ...overrides,
  };
}

function projection(caseId: string, seq: number, overrides: Partial<CaseProjection> = {}): CaseProjection {
  return {
    caseId,
    processId: 'complaint',
    definitionVersion: 3,
    definitionHash: 'sha256:abc123',
    customerId: 'cust-1',
    state: seq === 0 ? 'intake' : `step${seq}`,
    status: 'open',
    context: { customer: { id: 'cust-1', name: '张三' }, severity: 2, items: [1, 2, 3] },
    deadlines: [{ id: 'xstate.after.investigationDue', delay: 'investigationDue', state: 'intake', dueAt: '2024-03-05T09:30:00.000Z' }],
    lastSeq: seq,
    openedAt: '2024-03-01T08:00:00.123Z',
    updatedAt: new Date(Date.UTC(2024, 2, 1, 8, 0, seq, 123)).toISOString(),
    closedAt: null,
    ...overrides,
  };
}

async function countTransitions(caseId: string): Promise<number> {
  const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM docket.transitions WHERE case_id = $1', [caseId]);
  return rows[0]?.n ?? -1;
}

describe('migrations', () => {
  test('apply once, then are a no-op', async () => {
    const files = await loadMigrations();
    expect(files.map((m) => m.version)).toContain('001_init');
    const first = await migrate(pool);
    expect(first).toEqual(files.map((m) => m.version));
    expect(await migrate(pool)).toEqual([]);
    const { rows } = await pool.query<{ version: string }>('SELECT version FROM docket.schema_migrations ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual(files.map((m) => m.version));
  });

  test('two runners at once apply each migration exactly once', async () => {
    const concurrentUrl = await createDatabase(server.url, DB_CONCURRENT, { fresh: true });
    const pools = [new Pool({ connectionString: concurrentUrl }), new Pool({ connectionString: concurrentUrl })];
    try {
      const [a, b] = await Promise.all(pools.map((p) => migrate(p)));
      const versions = (await loadMigrations()).map((m) => m.version);
      // One runner applied everything, the other waited on the lock and found nothing to do.
      expect([...(a ?? []), ...(b ?? [])].sort()).toEqual(versions);
      expect([a?.length, b?.length].sort()).toEqual([0, versions.length]);
      const { rows } = await pools[0]!.query<{ n: number }>('SELECT count(*)::int AS n FROM docket.schema_migrations');
      expect(rows[0]?.n).toBe(versions.length);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  test('a failing migration is rolled back and a changed one is refused', async () => {
    const customUrl = await createDatabase(server.url, DB_CUSTOM, { fresh: true });
    const dir = await mkdtemp(path.join(tmpdir(), 'docket-migrations-'));
    const customPool = new Pool({ connectionString: customUrl });
    try {
      await writeFile(path.join(dir, '001_init.sql'), await readFile(path.join(MIGRATIONS_DIR, '001_init.sql'), 'utf8'));
      await writeFile(path.join(dir, '002_extra.sql'), 'CREATE TABLE docket.extra (id int);');
      await writeFile(path.join(dir, '010_broken.sql'), 'CREATE TABLE docket.half (id int); SELECT no_such_function();');
      await expect(migrate(customPool, { dir })).rejects.toBeInstanceOf(MigrationError);
      const applied = await customPool.query<{ version: string }>('SELECT version FROM docket.schema_migrations ORDER BY version');
      expect(applied.rows.map((r) => r.version)).toEqual(['001_init', '002_extra']);
      const half = await customPool.query("SELECT to_regclass('docket.half') AS t");
      expect(half.rows[0].t).toBeNull();

      await rm(path.join(dir, '010_broken.sql'));
      expect(await migrate(customPool, { dir })).toEqual([]);
      await writeFile(path.join(dir, '002_extra.sql'), 'CREATE TABLE docket.extra (id bigint);');
      await expect(migrate(customPool, { dir })).rejects.toThrow(/002_extra was changed after it was applied/);
    } finally {
      await customPool.end();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('PostgresCaseStore', () => {
  beforeAll(async () => {
    await migrate(pool);
  });

  test('appends and reads back exactly (ISO timestamps, jsonb)', async () => {
    const r0 = transition('case-rt', 0);
    const r1 = transition('case-rt', 1);
    await store.appendTransition(r0, projection('case-rt', 0));
    const p1 = projection('case-rt', 1, {
      status: 'completed',
      closedAt: '2024-03-02T10:11:12.345Z',
      deadlines: [],
      context: { deep: { list: [{ a: 1 }, { b: 'ü' }] }, flag: false, nothing: null },
    });
    await store.appendTransition(r1, p1);

    expect(await store.listTransitions('case-rt')).toEqual([r0, r1]);
    expect(await store.getCase('case-rt')).toEqual(p1);
    expect(await store.getCase('no-such-case')).toBeNull();
  });

  test('timestamps with an offset come back as the same instant in toISOString form', async () => {
    const r = transition('case-tz', 0, { at: '2024-03-01T16:00:00.5+08:00' });
    await store.appendTransition(r, projection('case-tz', 0, { openedAt: '2024-03-01T16:00:00+08:00' }));
    const [stored] = await store.listTransitions('case-tz');
    expect(stored?.at).toBe('2024-03-01T08:00:00.500Z');
    expect((await store.getCase('case-tz'))?.openedAt).toBe('2024-03-01T08:00:00.000Z');
    // Re-appending the same instant written differently is still the same transition.
    await expect(store.appendTransition({ ...r, at: '2024-03-01T08:00:00.500Z' }, projection('case-tz', 0))).resolves.toEqual({
      at: '2024-03-01T08:00:00.500Z',
    });
  });

  test('the same append twice is a no-op', async () => {
    const r = transition('case-dup', 0);
    await store.appendTransition(r, projection('case-dup', 0));
    await store.appendTransition(r, projection('case-dup', 0));
    // Key order in jsonb does not make it a different transition.
    const r1 = transition('case-dup', 1, { payload: { b: 2, a: { y: 1, x: 0 } } });
    await store.appendTransition(r1, projection('case-dup', 1));
    await store.appendTransition({ ...r1, payload: { a: { x: 0, y: 1 }, b: 2 } }, projection('case-dup', 1));
    expect(await countTransitions('case-dup')).toBe(2);
    expect(await store.listTransitions('case-dup')).toEqual([r, r1]);
  });

  test('a different transition with an existing seq throws ConflictError and changes nothing', async () => {
    const r = transition('case-conflict', 1);
    const p = projection('case-conflict', 1);
    await store.appendTransition(r, p);

    const other = { ...r, event: 'REJECT', toState: 'rejected' };
    const err = await store.appendTransition(other, projection('case-conflict', 5, { state: 'rejected' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as ConflictError).fields).toEqual(['event', 'toState']);
    expect((err as ConflictError).retryable).toBe(false);

    await expect(store.appendTransition({ ...r, payload: { note: 'changed' } }, p)).rejects.toBeInstanceOf(ConflictError);
    await expect(store.appendTransition({ ...r, at: '2030-01-01T00:00:00.000Z' }, p)).rejects.toBeInstanceOf(ConflictError);
    await expect(store.appendTransition({ ...r, actor: { userId: 'bob', role: 'agent' } }, p)).rejects.toBeInstanceOf(ConflictError);

    expect(await store.listTransitions('case-conflict')).toEqual([r]);
    expect(await store.getCase('case-conflict')).toEqual(p);
  });

  test('restamped: the same transition at a later time (a retried workflow task) keeps the stored row and takes the projection', async () => {
    const r = transition('case-restamped', 1);
    await store.appendTransition(r, projection('case-restamped', 1));
    const later = { ...r, at: new Date(Date.parse(r.at) + 12_000).toISOString() };
    const laterProjection = projection('case-restamped', 1, { updatedAt: later.at, deadlines: [] });
    // Without the option a later time is another transition: refused.
    await expect(store.appendTransition(later, laterProjection)).rejects.toBeInstanceOf(ConflictError);
    await store.appendTransition(later, laterProjection, { restamped: true });
    expect(await store.listTransitions('case-restamped')).toEqual([r]);
    expect(await store.getCase('case-restamped')).toEqual(laterProjection);
    // Anything else that differs is still a conflict, and changes nothing.
    const other = { ...later, event: 'REJECT' };
    const err = await store
      .appendTransition(other, projection('case-restamped', 1, { state: 'x' }), { restamped: true })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as ConflictError).fields).toEqual(['event', 'at']);
    expect(await store.getCase('case-restamped')).toEqual(laterProjection);
    // An older projection never replaces a newer one.
    await store.appendTransition(transition('case-restamped', 2), projection('case-restamped', 2));
    await store.appendTransition(later, laterProjection, { restamped: true });
    expect((await store.getCase('case-restamped'))!.lastSeq).toBe(2);
  });

  test('the projection never goes backwards', async () => {
    const id = 'case-order';
    await store.appendTransition(transition(id, 0), projection(id, 0));
    await store.appendTransition(transition(id, 1), projection(id, 1));
    await store.appendTransition(transition(id, 2), projection(id, 2));
    // A retried append of seq 1 after seq 2 is stored.
    await store.appendTransition(transition(id, 1), projection(id, 1));
    expect((await store.getCase(id))?.lastSeq).toBe(2);
    expect((await store.getCase(id))?.state).toBe('step2');

    // A late first write of an older seq (seq 4 got there before seq 3).
    await store.appendTransition(transition(id, 4), projection(id, 4));
    await store.appendTransition(transition(id, 3), projection(id, 3));
    expect(await store.getCase(id)).toEqual(projection(id, 4));
    expect((await store.listTransitions(id)).map((t) => t.seq)).toEqual([0, 1, 2, 3, 4]);
  });

  test('a projection for another case is refused', async () => {
    await expect(store.appendTransition(transition('case-x', 0), projection('case-y', 0))).rejects.toBeInstanceOf(InvalidDataError);
    expect(await countTransitions('case-x')).toBe(0);
  });

  test('the transition log refuses UPDATE, DELETE and TRUNCATE', async () => {
    const id = 'case-append-only';
    const r = transition(id, 0);
    await store.appendTransition(r, projection(id, 0));

    const attempts = [
      ["UPDATE docket.transitions SET event = 'X' WHERE case_id = $1", [id]],
      ['DELETE FROM docket.transitions WHERE case_id = $1', [id]],
      ['TRUNCATE docket.transitions', []],
    ] as const;
    for (const [sql, params] of attempts) {
      const err = await pool.query(sql, [...params]).catch((e: unknown) => e);
      expect((err as { code?: string }).code).toBe('DKT01');
      expect((err as Error).message).toMatch(/append-only/);
      expect(mapPgError(err)).toBeInstanceOf(AppendOnlyViolationError);
    }
    expect(await store.listTransitions(id)).toEqual([r]);
  });

  test('listCases filters and orders newest updated first', async () => {
    const base = { processId: 'lc-proc', customerId: 'lc-c1', state: 'open.review', status: 'open' as const };
    const cases: CaseProjection[] = [
      projection('lc-1', 0, { ...base, updatedAt: '2024-05-01T00:00:00.000Z' }),
      projection('lc-2', 0, { ...base, customerId: 'lc-c2', updatedAt: '2024-05-03T00:00:00.000Z' }),
      projection('lc-3', 0, {
        ...base,
        state: 'done',
        status: 'completed',
        closedAt: '2024-05-02T00:00:00.000Z',
        updatedAt: '2024-05-02T00:00:00.000Z',
      }),
      projection('lc-4', 0, { ...base, processId: 'lc-other', updatedAt: '2024-05-04T00:00:00.000Z' }),
    ];
    for (const p of cases) await store.appendTransition(transition(p.caseId, 0, { processId: p.processId }), p);

    const ids = (list: CaseProjection[]): string[] => list.map((c) => c.caseId);
    expect(ids(await store.listCases({ processId: 'lc-proc' }))).toEqual(['lc-2', 'lc-3', 'lc-1']);
    expect(ids(await store.listCases({ processId: 'lc-proc', status: 'open' }))).toEqual(['lc-2', 'lc-1']);
    expect(ids(await store.listCases({ processId: 'lc-proc', status: 'completed' }))).toEqual(['lc-3']);
    expect(ids(await store.listCases({ state: 'done', processId: 'lc-proc' }))).toEqual(['lc-3']);
    expect(ids(await store.listCases({ customerId: 'lc-c2' }))).toEqual(['lc-2']);
    expect(ids(await store.listCases({ customerId: 'lc-c1', state: 'open.review' }))).toEqual(['lc-4', 'lc-1']);
    expect(ids(await store.listCases({ processId: 'lc-proc', limit: 2 }))).toEqual(['lc-2', 'lc-3']);
    const all = await store.listCases();
    expect(ids(all)).toEqual(expect.arrayContaining(['lc-1', 'lc-2', 'lc-3', 'lc-4']));
    const times = all.map((c) => c.updatedAt);
    expect([...times].sort().reverse()).toEqual(times);
    expect((await store.listCases({ processId: 'lc-proc', status: 'completed' }))[0]).toEqual(cases[2]);
    await expect(store.listCases({ limit: -1 })).rejects.toBeInstanceOf(InvalidDataError);
  });

  test('database errors are typed by SQLSTATE', async () => {
    const dup = await pool.query("INSERT INTO docket.cases SELECT * FROM docket.cases WHERE case_id = 'case-rt'").catch((e: unknown) => e);
    expect(mapPgError(dup)).toBeInstanceOf(ConflictError);
    expect(mapPgError(Object.assign(new Error('x'), { code: '40001' }))).toBeInstanceOf(SerializationError);
    expect(mapPgError(Object.assign(new Error('x'), { code: '40P01' }))).toBeInstanceOf(SerializationError);
    expect(mapPgError(Object.assign(new Error('x'), { code: '08006' }))).toBeInstanceOf(ConnectionError);
    const plain = new Error('not from the database');
    expect(mapPgError(plain)).toBe(plain);

    // Nothing listens on port 1: the store reports a retryable ConnectionError.
    const deadPool = new Pool({ host: '127.0.0.1', port: 1, user: 'x', password: 'x', database: 'x', connectionTimeoutMillis: 2000 });
    try {
      const err = await new PostgresCaseStore(deadPool).getCase('c').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectionError);
      expect((err as ConnectionError).retryable).toBe(true);
    } finally {
      await deadPool.end();
    }
  });
});

describe('OutboxNotifier', () => {
  beforeAll(async () => {
    await migrate(pool);
  });

  test('records a notification once', async () => {
    const notification: Notification = {
      id: 'case-n:3:0',
      caseId: 'case-n',
      processId: 'complaint',
      kind: 'reminder',
      to: [{ role: 'supervisor' }, { userId: 'alice' }],
      template: 'investigationOverdue',
      subject: { en: 'Investigation overdue', 'zh-CN': '调查已逾期' },
      data: { state: 'investigating', days: 3 },
      createdAt: '2024-03-05T09:30:00.000Z',
    };
    const notifier = new OutboxNotifier(pool);
    await notifier.send(notification);
    await notifier.send(notification);
    await notifier.send({ ...notification, subject: { en: 'changed', 'zh-CN': '改' } });

    const { rows } = await pool.query('SELECT * FROM docket.notification_outbox WHERE id = $1', [notification.id]);
    expect(rows).toHaveLength(1);
    const row = rows[0];
    expect(row).toMatchObject({
      case_id: 'case-n',
      process_id: 'complaint',
      kind: 'reminder',
      recipients: notification.to,
      template: 'investigationOverdue',
      subject: notification.subject,
      data: notification.data,
      status: 'pending',
      attempts: 0,
      last_error: null,
      sent_at: null,
    });
    expect((row.created_at as Date).toISOString()).toBe(notification.createdAt);
  });
});

describe('startPostgres (embedded)', () => {
  // A cluster of this run's own (its pid, a free port): these tests stop it and tamper with it.
  const dataDir = path.join(__dirname, '..', '..', '.cache', `pg-test-infra-${process.pid}`);
  let port = 0;
  let savedUrl: string | undefined;

  beforeAll(async () => {
    savedUrl = process.env.DATABASE_URL;
    delete process.env.DATABASE_URL;
    port = await freePort();
  });
  afterAll(async () => {
    if (savedUrl !== undefined) process.env.DATABASE_URL = savedUrl;
    for (const p of [dataDir, `${dataDir}.users`, `${dataDir}.lock`, defaultSecretsFile(dataDir)])
      await rm(p, { recursive: true, force: true });
  });

  async function freePort(): Promise<number> {
    const { createServer } = await import('node:net');
    return new Promise((resolve, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const { port: p } = srv.address() as { port: number };
        srv.close(() => resolve(p));
      });
    });
  }

  async function canConnect(connectionString: string): Promise<boolean> {
    const p = new Pool({ connectionString, connectionTimeoutMillis: 3000 });
    // A server stopping under an idle connection is not this check's concern (pg emits it on the pool).
    p.on('error', () => undefined);
    try {
      await p.query('SELECT 1');
      return true;
    } catch {
      return false;
    } finally {
      await p.end();
    }
  }

  test('uses DATABASE_URL as it is when set', async () => {
    process.env.DATABASE_URL = 'postgres://u:p@db.invalid:5432/x';
    try {
      const started = await startPostgres({ dataDir, port });
      expect(started).toMatchObject({ url: 'postgres://u:p@db.invalid:5432/x', embedded: false });
      await started.stop();
    } finally {
      delete process.env.DATABASE_URL;
    }
  });

  test('shares one server between callers and stops it with the last one', async () => {
    const first = await startPostgres({ dataDir, port, database: 'infra_a' });
    expect(first.embedded).toBe(true);
    // The superuser's password is generated for the cluster and kept in its secrets file.
    const password = encodeURIComponent(readSecrets(defaultSecretsFile(dataDir))!.superuser.password);
    expect(password).not.toBe('password');
    expect(first.url).toBe(`postgres://postgres:${password}@127.0.0.1:${port}/infra_a`);
    // A second caller (another port asked for) reuses the running server.
    const second = await startPostgres({ dataDir, port: port + 1, database: 'infra_b' });
    expect(second.url).toBe(`postgres://postgres:${password}@127.0.0.1:${port}/infra_b`);
    expect(await canConnect(second.url)).toBe(true);

    await first.stop();
    expect(await canConnect(second.url)).toBe(true);
    await second.stop();
    await second.stop(); // idempotent
    expect(await canConnect(second.url)).toBe(false);
  });

  test('recovers from a stale postmaster.pid', async () => {
    const { execFileSync } = await import('node:child_process');
    // The pid of a process that has ended.
    const deadPid = Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }));
    await writeFile(
      path.join(dataDir, 'postmaster.pid'),
      `${deadPid}\n${dataDir}\n1700000000\n${port}\n\n127.0.0.1\n  1234 5678\nready   \n`,
    );
    const started = await startPostgres({ dataDir, port, database: 'infra_a' });
    try {
      expect(await canConnect(started.url)).toBe(true);
    } finally {
      await started.stop();
    }
  });

  test('refuses a non-empty directory that is not a data directory', async () => {
    const bogus = await mkdtemp(path.join(__dirname, '..', '..', '.cache', 'not-pg-'));
    try {
      await writeFile(path.join(bogus, 'something.txt'), 'x');
      await expect(startPostgres({ dataDir: bogus, port })).rejects.toThrow(/not a PostgreSQL data directory/);
    } finally {
      await rm(bogus, { recursive: true, force: true });
    }
  });
});
