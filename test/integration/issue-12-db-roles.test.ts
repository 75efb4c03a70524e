/**
 * Issue 12, least privilege in PostgreSQL: the API logs in as docket_api and the worker as
 * docket_worker; neither can become the owner or the superuser, change the logs, disable their
 * triggers or create anything; `docket db setup` makes the same roles on a database of one's own.
 */
import { statSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Pool } from 'pg';
import { main } from '../../cli/main';
import { dropDatabase, startPostgres, withDatabase } from '../../infra/postgres';
import { defaultSecretsFile, readSecrets } from '../../infra/postgres/secrets';
import { loadMigrations, migrate } from '../../adapters/postgres';
import { loadConfig, PROJECT_ROOT, runtimeDatabaseFields, runtimeFile, writeRuntimeInfo } from '../../config';
import { startTestApi, type TestApi } from '../helpers/api';
import { complaintInput, createHarness, requireEnv, waitFor, type Harness } from '../helpers/harness';

const TEST_CLUSTER = path.join(PROJECT_ROOT, '.cache', 'test-postgres');

let h: Harness;
let api: TestApi;
let caseId: string;

beforeAll(async () => {
  h = await createHarness('issue_12_db_roles');
  api = await startTestApi(h);
  const amy = await api.user('amy', ['cs_agent']);
  // ACCEPT names its handler, a user who must exist and hold the role.
  await api.user('bob', ['handler']);
  const started = await api.call('POST', '/cases', { token: amy, body: { process: 'complaint', input: complaintInput } });
  expect(started.status).toBe(201);
  caseId = started.body.caseId;
  const sent = await api.call('POST', `/cases/${caseId}/events`, {
    token: amy,
    body: { type: 'ACCEPT', data: { department: 'after_sales', assignee: 'bob' } },
  });
  expect(sent.status).toBe(200);
});
afterAll(async () => {
  await api?.close();
  await h?.close();
});

/** Runs `sql` on a connection of its own as `url`'s role; resolves to the SQLSTATE it failed with, or 'ok'. */
async function attempt(url: string, sql: string): Promise<string> {
  const client = new Client({ connectionString: url });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query(sql);
    return 'ok';
  } catch (err) {
    return String((err as { code?: unknown }).code);
  } finally {
    await client.end();
  }
}

async function counts(): Promise<{ transitions: number; securityLog: number; hashes: string }> {
  const { rows } = await h.pool.query<{ transitions: number; security_log: number; hashes: string }>(
    `SELECT (SELECT count(*)::int FROM docket.transitions) AS transitions,
            (SELECT count(*)::int FROM docket.security_log) AS security_log,
            (SELECT string_agg(coalesce(hash, '-') || event || actor_user, ',' ORDER BY case_id, seq) FROM docket.transitions) AS hashes`,
  );
  return { transitions: rows[0]!.transitions, securityLog: rows[0]!.security_log, hashes: rows[0]!.hashes };
}

test('the API and the worker log in as their own roles, neither a superuser, and a case runs end to end', async () => {
  const done = await waitFor(
    () => h.pool.query<{ state: string; last_seq: number }>('SELECT state, last_seq FROM docket.cases WHERE case_id = $1', [caseId]),
    (r) => r.rows[0]?.last_seq === 1,
    'the worker to store the ACCEPT',
  );
  expect(done.rows[0]!.state).toBe('investigating');
  const history = await h.pool.query('SELECT seq, event, actor_user FROM docket.transitions WHERE case_id = $1 ORDER BY seq', [caseId]);
  expect(history.rows).toEqual([
    { seq: 0, event: 'xstate.init', actor_user: 'amy' },
    { seq: 1, event: 'ACCEPT', actor_user: 'amy' },
  ]);

  const who = async (pool: Pool) =>
    (
      await pool.query<{ login: string; superuser: boolean }>(
        `SELECT session_user AS login, rolsuper AS superuser FROM pg_roles WHERE rolname = session_user`,
      )
    ).rows[0];
  expect(await who(api.pool)).toEqual({ login: 'docket_api', superuser: false });
  expect(await who(h.apiPool)).toEqual({ login: 'docket_api', superuser: false });
  expect(await who(h.worker.pool)).toEqual({ login: 'docket_worker', superuser: false });
});

describe.each([
  ['docket_api', () => h.config.apiDatabaseUrl!],
  ['docket_worker', () => h.config.workerDatabaseUrl!],
])('as %s', (role, url) => {
  test('it cannot become the superuser, the owner or another role', async () => {
    expect(await attempt(url(), 'SELECT 1')).toBe('ok');
    for (const target of ['postgres', 'docket_owner', role === 'docket_api' ? 'docket_worker' : 'docket_api']) {
      expect([target, await attempt(url(), `SET ROLE ${target}`)]).toEqual([target, '42501']);
      expect([target, await attempt(url(), `SET SESSION AUTHORIZATION ${target}`)]).toEqual([target, '42501']);
      expect([target, await attempt(url(), `GRANT ${target} TO ${role}`)]).toEqual([target, '42501']);
    }
    // Triggers off for the session: superusers only.
    expect(await attempt(url(), 'SET session_replication_role = replica')).toBe('42501');
    const { rows } = await h.pool.query<{ rolsuper: boolean; rolcreaterole: boolean; rolcreatedb: boolean; rolbypassrls: boolean }>(
      'SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls FROM pg_roles WHERE rolname = $1',
      [role],
    );
    expect(rows[0]).toEqual({ rolsuper: false, rolcreaterole: false, rolcreatedb: false, rolbypassrls: false });
  });

  test('it cannot change, remove or truncate a row of the logs, nor switch off their triggers', async () => {
    const before = await counts();
    expect(before.transitions).toBeGreaterThanOrEqual(2);
    for (const sql of [
      "UPDATE docket.transitions SET actor_user = 'forged_user'",
      'DELETE FROM docket.transitions',
      'TRUNCATE docket.transitions',
      'ALTER TABLE docket.transitions DISABLE TRIGGER ALL',
      'ALTER TABLE docket.transitions DISABLE TRIGGER transitions_no_update_delete',
      'DROP TRIGGER transitions_no_update_delete ON docket.transitions',
      "UPDATE docket.security_log SET message = 'nothing happened'",
      'DELETE FROM docket.security_log',
      'TRUNCATE docket.security_log',
      'ALTER TABLE docket.security_log DISABLE TRIGGER ALL',
      'DROP TABLE docket.transitions',
    ]) {
      expect([sql, await attempt(url(), sql)]).toEqual([sql, '42501']);
    }
    expect(await counts()).toEqual(before);
  });

  test('it cannot create objects', async () => {
    for (const sql of [
      'CREATE TABLE docket.shadow (x int)',
      'CREATE TABLE public.shadow (x int)',
      'CREATE TABLE shadow (x int)',
      'CREATE FUNCTION docket.f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$',
      'CREATE SCHEMA shadow',
      'CREATE ROLE shadow',
      'CREATE DATABASE shadow',
    ]) {
      expect([sql, await attempt(url(), sql)]).toEqual([sql, '42501']);
    }
    const made = await h.pool.query(
      "SELECT 1 FROM pg_class WHERE relname = 'shadow' UNION ALL SELECT 1 FROM pg_namespace WHERE nspname = 'shadow'",
    );
    expect(made.rowCount).toBe(0);
  });
});

test('each role has only the rights of its work: the API writes no case row, the worker no user', async () => {
  const apiUrl = h.config.apiDatabaseUrl!;
  const workerUrl = h.config.workerDatabaseUrl!;
  // The worker keeps the logs and projections; the API reads them.
  expect(await attempt(apiUrl, 'SELECT count(*) FROM docket.transitions')).toBe('ok');
  expect(
    await attempt(
      apiUrl,
      "INSERT INTO docket.transitions (case_id, seq, process_id, definition_version, definition_hash, event, actor_user, actor_role, to_state, status, at) VALUES ('forged', 0, 'complaint', 1, 'h', 'x', 'forged_user', 'cs_agent', 's', 'open', now())",
    ),
  ).toBe('42501');
  expect(await attempt(apiUrl, "UPDATE docket.cases SET state = 'closed'")).toBe('42501');
  expect(await attempt(apiUrl, 'DELETE FROM docket.notification_outbox')).toBe('42501');
  expect(await attempt(apiUrl, 'DELETE FROM docket.users')).toBe('42501');
  // The worker touches neither users, tokens, the security log nor definitions.
  expect(await attempt(workerUrl, 'SELECT * FROM docket.api_tokens')).toBe('42501');
  expect(await attempt(workerUrl, 'SELECT * FROM docket.users')).toBe('42501');
  expect(await attempt(workerUrl, "INSERT INTO docket.security_log (code, message) VALUES ('x', 'y')")).toBe('42501');
  expect(await attempt(workerUrl, 'DELETE FROM docket.definition_versions')).toBe('42501');
  expect(await attempt(workerUrl, 'DELETE FROM docket.cases')).toBe('42501');
  const cases = await h.pool.query('SELECT count(*)::int AS n FROM docket.cases');
  expect(cases.rows[0].n).toBeGreaterThanOrEqual(1);
});

test('the embedded cluster keeps generated passwords in a 0600 file; the runtime file names none', async () => {
  const secretsFile = defaultSecretsFile(TEST_CLUSTER);
  expect(statSync(secretsFile).mode & 0o777).toBe(0o600);
  expect(statSync(path.dirname(secretsFile)).mode & 0o777).toBe(0o700);
  const secrets = readSecrets(secretsFile)!;
  const superuserUrl = new URL(requireEnv('DOCKET_TEST_DATABASE_URL'));
  expect(decodeURIComponent(superuserUrl.password)).toBe(secrets.superuser.password);
  for (const password of [secrets.superuser.password, secrets.roles.owner, secrets.roles.api, secrets.roles.worker]) {
    expect(password).not.toBe('password');
    expect(password.length).toBeGreaterThanOrEqual(40);
  }
  expect(new Set(Object.values(secrets.roles)).size).toBe(3);
  expect(await attempt(withDatabase(superuserUrl.toString(), 'postgres').replace(/:[^:@/]*@/, ':password@'), 'SELECT 1')).toBe('28P01');

  // What `npm start` writes: the database's address and where its passwords are, readable by its owner only.
  const dataDir = await mkdtemp(path.join(tmpdir(), 'docket-runtime-'));
  try {
    const database = withDatabase(superuserUrl.toString(), new URL(h.config.databaseUrl!).pathname.slice(1));
    writeRuntimeInfo(dataDir, {
      ...runtimeDatabaseFields({ url: database, embedded: true, secretsFile }),
      temporalAddress: h.config.temporalAddress!,
      namespace: 'default',
      taskQueue: h.taskQueue,
      pid: process.pid,
    });
    const file = runtimeFile(dataDir);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = await readFile(file, 'utf8');
    for (const password of [secrets.superuser.password, secrets.roles.owner, secrets.roles.api, secrets.roles.worker]) {
      expect(text).not.toContain(password);
    }
    expect(text).not.toMatch(/postgres:\/\/[^/]*@/);
    // The processes that read it get their own role's URL.
    const config = loadConfig({ DOCKET_DATA_DIR: dataDir });
    expect(new URL(config.apiDatabaseUrl!).username).toBe('docket_api');
    expect(new URL(config.workerDatabaseUrl!).username).toBe('docket_worker');
    expect(new URL(config.databaseUrl!).username).toBe('docket_api');
    expect(await attempt(config.workerDatabaseUrl!, 'SELECT count(*) FROM docket.cases')).toBe('ok');
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('a worker on a schema with a pending migration refuses to start and says who migrates', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'docket-migrations-'));
  try {
    for (const m of await loadMigrations()) await writeFile(path.join(dir, `${m.version}.sql`), m.sql);
    await writeFile(path.join(dir, '999_next.sql'), 'CREATE TABLE docket.next_release (x int);');
    const worker = new Pool({ connectionString: h.config.workerDatabaseUrl!, max: 1 });
    try {
      await expect(migrate(worker, { dir })).rejects.toThrow(/docket db migrate/);
      // Up to date: the worker's check passes without creating anything.
      await expect(migrate(worker)).resolves.toEqual([]);
    } finally {
      await worker.end();
    }
    const made = await h.pool.query(
      "SELECT to_regclass('docket.next_release') AS t, (SELECT count(*)::int FROM docket.schema_migrations WHERE version = '999_next') AS n",
    );
    expect(made.rows[0]).toEqual({ t: null, n: 0 });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

describe('docket db setup', () => {
  const admin = requireEnv('DOCKET_TEST_DATABASE_URL');
  const secrets = () => readSecrets(defaultSecretsFile(TEST_CLUSTER))!;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'docket-db-setup-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
    await dropDatabase(admin, 't_issue12_setup_new');
    await dropDatabase(admin, 't_issue12_setup_old');
  });

  async function setup(url: string, env: Record<string, string> = {}) {
    let stdout = '';
    let stderr = '';
    const code = await main(
      ['--json', 'db', 'setup', '--database-url', url],
      { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } },
      { env: { DOCKET_DATA_DIR: dataDir, ...env } },
    );
    return { code, stdout, stderr, out: stdout ? JSON.parse(stdout) : undefined };
  }

  async function owners(url: string): Promise<string[]> {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ owner: string }>(
        `SELECT DISTINCT pg_get_userbyid(c.relowner) AS owner FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'docket'
         UNION SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'docket'`,
      );
      return rows.map((r) => r.owner).sort();
    } finally {
      await client.end();
    }
  }

  test('on a database that does not exist yet: creates it, the roles and the schema, owned by docket_owner', async () => {
    const url = withDatabase(admin, 't_issue12_setup_new');
    await dropDatabase(admin, 't_issue12_setup_new');
    const s = secrets();
    // The cluster's current passwords, so that the other tests' connections stay valid.
    const run = await setup(url, {
      DOCKET_DB_OWNER_PASSWORD: s.roles.owner,
      DOCKET_DB_API_PASSWORD: s.roles.api,
      DOCKET_DB_WORKER_PASSWORD: s.roles.worker,
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.out.generated).toEqual([]);
    expect(run.out.migrated).toContain('005_login_roles');
    expect(new URL(run.out.urls.api).username).toBe('docket_api');
    expect(new URL(run.out.urls.worker).username).toBe('docket_worker');
    expect(await owners(url)).toEqual(['docket_owner']);

    // The API's URL: users and security log yes, the log no, the owner no.
    expect(
      await attempt(run.out.urls.api, "INSERT INTO docket.users (user_id, display_name, roles) VALUES ('amy', 'Amy', '{cs_agent}')"),
    ).toBe('ok');
    expect(await attempt(run.out.urls.api, "INSERT INTO docket.security_log (code, message) VALUES ('Forbidden', 'x')")).toBe('ok');
    expect(await attempt(run.out.urls.api, 'SET ROLE docket_owner')).toBe('42501');
    // The worker's URL: appends to the log, never changes it.
    const append =
      "INSERT INTO docket.transitions (case_id, seq, process_id, definition_version, definition_hash, event, actor_user, actor_role, to_state, status, at) VALUES ('c-1', 0, 'complaint', 1, 'h', 'xstate.init', 'amy', 'cs_agent', 'received', 'open', now())";
    expect(await attempt(run.out.urls.worker, append)).toBe('ok');
    expect(await attempt(run.out.urls.worker, "UPDATE docket.transitions SET actor_user = 'forged_user'")).toBe('42501');
    expect(await attempt(run.out.urls.worker, 'ALTER TABLE docket.transitions DISABLE TRIGGER ALL')).toBe('42501');
    // The owner migrates; it is no superuser.
    expect(await attempt(run.out.urls.owner, 'SET ROLE postgres')).toBe('42501');
    expect(await attempt(run.out.urls.owner, 'CREATE ROLE shadow')).toBe('42501');
  });

  test('on a database migrated by a superuser before: hands it to docket_owner, with new passwords shown once', async () => {
    const url = withDatabase(admin, 't_issue12_setup_old');
    await dropDatabase(admin, 't_issue12_setup_old');
    await setup(url, {
      DOCKET_DB_OWNER_PASSWORD: secrets().roles.owner,
      DOCKET_DB_API_PASSWORD: secrets().roles.api,
      DOCKET_DB_WORKER_PASSWORD: secrets().roles.worker,
    });
    // Back to what an older release left: every object the superuser's.
    const su = new Client({ connectionString: url });
    await su.connect();
    try {
      await su.query(`DO $$ DECLARE r record; BEGIN
        ALTER SCHEMA docket OWNER TO postgres;
        FOR r IN SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'docket' AND relkind = 'r'
        LOOP EXECUTE format('ALTER TABLE docket.%I OWNER TO postgres', r.relname); END LOOP; END $$`);
    } finally {
      await su.end();
    }
    expect(await owners(url)).toEqual(['postgres']);

    const before = secrets();
    try {
      const run = await setup(url);
      expect(run.code).toBe(0);
      expect(run.out.generated).toEqual(['owner', 'api', 'worker']);
      expect(run.out.migrated).toEqual([]);
      expect(await owners(url)).toEqual(['docket_owner']);
      const apiPassword = decodeURIComponent(new URL(run.out.urls.api).password);
      expect(apiPassword).not.toBe(before.roles.api);
      expect(await attempt(run.out.urls.api, 'SELECT count(*) FROM docket.users')).toBe('ok');
      expect(await attempt(run.out.urls.worker, 'SELECT count(*) FROM docket.cases')).toBe('ok');
      expect(await attempt(run.out.urls.api, 'DELETE FROM docket.transitions')).toBe('42501');
      // The old password no longer opens the API's role.
      expect(await attempt(withDatabase(h.config.apiDatabaseUrl!, 't_issue12_setup_old'), 'SELECT 1')).toBe('28P01');
    } finally {
      // Put the cluster's passwords back for the tests that run after this one.
      const su2 = new Client({ connectionString: admin });
      await su2.connect();
      for (const [role, password] of Object.entries({
        docket_owner: before.roles.owner,
        docket_api: before.roles.api,
        docket_worker: before.roles.worker,
      })) {
        await su2.query(`ALTER ROLE ${role} PASSWORD '${password}'`);
      }
      await su2.end();
    }
  });

  test('without an admin URL it says how to name one and changes nothing', async () => {
    let stdout = '';
    const code = await main(
      ['--json', 'db', 'setup'],
      { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: () => true } },
      { env: { DOCKET_DATA_DIR: dataDir } },
    );
    expect(code).toBe(2);
    expect(JSON.parse(stdout).error).toMatchObject({ code: 'NotConfigured', message: expect.stringContaining('--database-url') });
  });
});

test('a cluster made with the old fixed password gets a generated one, once, and keeps its data', async () => {
  const dataDir = path.join(PROJECT_ROOT, '.cache', `pg-issue12-legacy-${process.pid}`);
  const secretsFile = defaultSecretsFile(dataDir);
  const port = 20000 + (process.pid % 20000);
  const saved = process.env.DATABASE_URL;
  delete process.env.DATABASE_URL;
  try {
    // An older release: initialised with "password", no secrets file.
    const old = await startPostgres({ dataDir, port, password: 'password', database: 'legacy' });
    const pool = new Pool({ connectionString: old.url, max: 1 });
    await migrate(pool);
    await pool.query("INSERT INTO docket.users (user_id, display_name, roles) VALUES ('amy', 'Amy', '{cs_agent}')");
    await pool.end();
    await old.stop();
    await rm(secretsFile, { force: true });

    const again = await startPostgres({ dataDir, port, database: 'legacy' });
    try {
      const kept = readSecrets(secretsFile)!;
      expect(kept.superuser.password).not.toBe('password');
      expect(decodeURIComponent(new URL(again.url).password)).toBe(kept.superuser.password);
      expect(await attempt(again.url.replace(/:[^:@/]*@/, ':password@'), 'SELECT 1')).toBe('28P01');
      expect(statSync(secretsFile).mode & 0o777).toBe(0o600);
      // Its data is there, now owned by docket_owner and readable as the API's role.
      expect(await attempt(again.roles!.api, 'SELECT user_id FROM docket.users')).toBe('ok');
      const owner = new Pool({ connectionString: again.roles!.owner, max: 1 });
      // The server's stop below ends any connection still idle in the pool: not this test's subject.
      owner.on('error', () => undefined);
      expect((await owner.query('SELECT user_id FROM docket.users')).rows).toEqual([{ user_id: 'amy' }]);
      expect(await migrate(owner)).toEqual([]);
      await owner.end();
    } finally {
      await again.stop();
    }
    // The next start uses the recorded password and changes nothing.
    const third = await startPostgres({ dataDir, port, database: 'legacy' });
    expect(third.url).toBe(again.url);
    await third.stop();
  } finally {
    if (saved !== undefined) process.env.DATABASE_URL = saved;
    for (const p of [dataDir, `${dataDir}.users`, `${dataDir}.lock`, secretsFile]) await rm(p, { recursive: true, force: true });
  }
}, 180_000);
