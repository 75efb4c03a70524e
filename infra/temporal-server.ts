/**
 * The real Temporal server (the one a production cluster runs), on PostgreSQL: built once with Go from the
 * Go module proxy into the cache dir (`temporal-server` and `temporal-sql-tool` of go.temporal.io/server),
 * its two databases created and brought to the current schema with temporal-sql-tool (the module's
 * postgresql v12 schemas, embedded in the tool), a configuration in the manner of the module's
 * `config/development-postgres12.yaml` written with ports that are free now, then started, waited for,
 * given its namespace, and stopped.
 *
 * Where the dev server (infra/temporal-env.ts) keeps everything in one process and SQLite, this is what an
 * operator runs: persistence and visibility in PostgreSQL, the four services (frontend, history,
 * matching, worker) with their own ports.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { Client as PgClient } from 'pg';
import { goInstallCached } from './go-build';
import { freePort } from './net';
import { createDatabase } from './postgres';
import { progress } from './provisioning';
import { ensureSearchAttributes } from './search-attributes';
import { docketCacheDir } from './temporal-cli';
import { sleep } from './wait';
import { childEnvironment } from '../config';

export const TEMPORAL_SERVER_VERSION = 'v1.29.1';
export const TEMPORAL_SERVER_MODULE = 'go.temporal.io/server';
/** The history shards of a new cluster: fixed for its life (production clusters choose more, e.g. 512). */
const HISTORY_SHARDS = 4;

export interface TemporalServerBinaries {
  server: string;
  sqlTool: string;
  /** Whether this call built them, and how long that took. */
  built: boolean;
  buildMs: number;
}

/** Where the binaries of this version are kept: `<cache>/temporal-server-<version>/`. */
export function temporalServerDir(): string {
  return path.join(docketCacheDir(), `temporal-server-${TEMPORAL_SERVER_VERSION}`);
}

/** The server and its SQL tool, built with Go into the cache dir unless already there (minutes, once per machine). */
export async function buildTemporalServer(): Promise<TemporalServerBinaries> {
  const dir = temporalServerDir();
  const server = path.join(dir, 'temporal-server');
  const sqlTool = path.join(dir, 'temporal-sql-tool');
  const { built, ms } = await goInstallCached({
    what: `the Temporal server ${TEMPORAL_SERVER_VERSION}`,
    packages: [
      `${TEMPORAL_SERVER_MODULE}/cmd/server@${TEMPORAL_SERVER_VERSION}`,
      `${TEMPORAL_SERVER_MODULE}/cmd/tools/sql@${TEMPORAL_SERVER_VERSION}`,
    ],
    binaries: { server, sql: sqlTool },
    lock: `temporal-server-${TEMPORAL_SERVER_VERSION}.lock`,
    flags: ['-ldflags=-s -w'],
    withoutGo: [
      `Cannot build the Temporal server: Go is not installed, so ${TEMPORAL_SERVER_MODULE}@${TEMPORAL_SERVER_VERSION} cannot be built.`,
      'Install Go (or set GOROOT), with the Go module proxy reachable.',
    ],
  });
  return { server, sqlTool, built, buildMs: ms };
}

export interface StartTemporalServerOptions {
  /** A PostgreSQL login that may create databases (its host, port, user and password are what the server uses). */
  databaseUrl: string;
  /** The names of the two databases: `<prefix>` and `<prefix>_visibility`. @default "temporal" */
  databasePrefix?: string;
  /** Drop both databases first (a new, empty cluster). @default false */
  fresh?: boolean;
  /** Registered when missing. @default "default" */
  namespace?: string;
  /** Where the configuration and the server's log go. */
  runDir: string;
  /** The server's log level (into `<runDir>/server.log`). @default "warn" */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** How long to wait for the server to answer. @default 120 s */
  readyTimeoutMs?: number;
}

export interface RunningTemporalServer {
  /** host:port of the frontend (gRPC). */
  address: string;
  namespace: string;
  /** The server's log file. */
  logFile: string;
  pid: number;
  /** Stops the server (SIGTERM, then SIGKILL after 15 s). */
  stop(): Promise<void>;
}

/** Builds (when needed), prepares the databases, configures and starts the server, and waits until its namespace answers. */
export async function startTemporalServer(options: StartTemporalServerOptions): Promise<RunningTemporalServer> {
  const binaries = await buildTemporalServer();
  const prefix = options.databasePrefix ?? 'temporal';
  const namespace = options.namespace ?? 'default';
  const db = postgresEndpoint(options.databaseUrl);
  const stores = { default: prefix, visibility: `${prefix}_visibility` };
  for (const [store, database] of Object.entries(stores)) {
    await createDatabase(options.databaseUrl, database, { fresh: options.fresh === true });
    await prepareSchema(binaries.sqlTool, db, database, store === 'visibility' ? 'visibility' : 'temporal', options.databaseUrl);
  }

  mkdirSync(options.runDir, { recursive: true });
  const ports = await allocatePorts();
  const configDir = path.join(options.runDir, 'config');
  mkdirSync(configDir, { recursive: true });
  const dynamicConfigFile = path.join(configDir, 'dynamicconfig.yaml');
  writeFileSync(dynamicConfigFile, DYNAMIC_CONFIG);
  // JSON is YAML: the server reads this as it reads config/development-postgres12.yaml.
  writeFileSync(
    path.join(configDir, 'docket.yaml'),
    JSON.stringify(serverConfig({ db, stores, ports, dynamicConfigFile, logLevel: options.logLevel ?? 'warn' }), null, 2),
  );

  const logFile = path.join(options.runDir, 'server.log');
  const out = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(binaries.server, ['--root', options.runDir, '--config', 'config', '--env', 'docket', '--allow-no-auth', 'start'], {
      stdio: ['ignore', out, out],
      env: childEnvironment(),
    });
  } finally {
    closeSync(out);
  }
  let exited: string | undefined;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = `exited with ${signal ?? code}`;
      resolve();
    });
  });
  const stop = async () => {
    if (exited === undefined) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exit;
      clearTimeout(killer);
    }
  };
  const address = `127.0.0.1:${ports.frontend}`;
  try {
    await untilReady(address, namespace, options.readyTimeoutMs ?? 120_000, () => exited);
  } catch (err) {
    await stop();
    throw new Error(`the Temporal server did not start: ${(err as Error).message}\n--- last lines of ${logFile}:\n${tail(logFile, 30)}`);
  }
  progress(
    `Temporal server ${TEMPORAL_SERVER_VERSION} on PostgreSQL (${stores.default}, ${stores.visibility}) at ${address}, namespace ${namespace}`,
  );
  return { address, namespace, logFile, pid: child.pid!, stop };
}

interface PostgresEndpoint {
  host: string;
  port: number;
  user: string;
  password: string;
}

function postgresEndpoint(url: string): PostgresEndpoint {
  const u = new URL(url);
  return {
    host: u.hostname || '127.0.0.1',
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
  };
}

/** A new database gets the base schema (setup-schema -v 0.0); every database is then brought to the newest version (update-schema). */
async function prepareSchema(
  sqlTool: string,
  db: PostgresEndpoint,
  database: string,
  schema: 'temporal' | 'visibility',
  adminUrl: string,
): Promise<void> {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  const client = new PgClient({ connectionString: url.toString() });
  await client.connect();
  let versioned: boolean;
  try {
    const { rows } = await client.query<{ t: string | null }>("SELECT to_regclass('public.schema_version')::text AS t");
    versioned = rows[0]?.t != null;
  } finally {
    await client.end();
  }
  const connection = ['--plugin', 'postgres12', '--ep', db.host, '--port', String(db.port), '--user', db.user, '--db', database];
  // The password goes by the environment (SQL_PASSWORD), not on a command line other users can read.
  const env = childEnvironment({ SQL_PASSWORD: db.password });
  const schemaName = `postgresql/v12/${schema}`;
  if (!versioned)
    await runTool(sqlTool, [...connection, 'setup-schema', '-v', '0.0'], env, `setting up the Temporal schema of ${database}`);
  await runTool(sqlTool, [...connection, 'update-schema', '--schema-name', schemaName], env, `updating the Temporal schema of ${database}`);
  progress(`Temporal schema ${schemaName} up to date in database ${database}`);
}

/** Runs the SQL tool, whose every statement is a log line: shown only when it fails. */
function runTool(file: string, args: string[], env: NodeJS.ProcessEnv, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (!err) return resolve();
      const output = `${stdout}${stderr}`.trimEnd().split('\n').slice(-20).join('\n');
      reject(new Error(`${what} failed: ${err.message}\n${output}`));
    });
  });
}

interface ServerPorts {
  frontend: number;
  frontendHttp: number;
  frontendMembership: number;
  history: number;
  historyMembership: number;
  matching: number;
  matchingMembership: number;
  worker: number;
  workerMembership: number;
}

/** The server keeps its membership ports in a smallint column: they must stay below 32768. */
const PORT_RANGE = { min: 20_000, max: 32_767 };

async function allocatePorts(): Promise<ServerPorts> {
  const names: Array<keyof ServerPorts> = [
    'frontend',
    'frontendHttp',
    'frontendMembership',
    'history',
    'historyMembership',
    'matching',
    'matchingMembership',
    'worker',
    'workerMembership',
  ];
  const ports = {} as ServerPorts;
  const taken = new Set<number>();
  for (const name of names) {
    let port = await freePort(PORT_RANGE);
    while (taken.has(port)) port = await freePort(PORT_RANGE);
    taken.add(port);
    ports[name] = port;
  }
  return ports;
}

function serverConfig(c: {
  db: PostgresEndpoint;
  stores: { default: string; visibility: string };
  ports: ServerPorts;
  dynamicConfigFile: string;
  logLevel: string;
}): unknown {
  const store = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `${c.db.host}:${c.db.port}`,
      connectProtocol: 'tcp',
      user: c.db.user,
      password: c.db.password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const service = (grpcPort: number, membershipPort: number, extra: Record<string, unknown> = {}) => ({
    rpc: { grpcPort, membershipPort, bindOnLocalHost: true, ...extra },
  });
  return {
    log: { stdout: true, level: c.logLevel },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: HISTORY_SHARDS,
      datastores: { 'postgres-default': store(c.stores.default, 20), 'postgres-visibility': store(c.stores.visibility, 4) },
    },
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' } },
    services: {
      frontend: service(c.ports.frontend, c.ports.frontendMembership, { httpPort: c.ports.frontendHttp }),
      history: service(c.ports.history, c.ports.historyMembership),
      matching: service(c.ports.matching, c.ports.matchingMembership),
      worker: service(c.ports.worker, c.ports.workerMembership),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: `127.0.0.1:${c.ports.frontend}` },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    dynamicConfigClient: { filepath: c.dynamicConfigFile, pollInterval: '10s' },
  };
}

/** As the module's config/dynamicconfig/development-sql.yaml, plus search attributes read fresh (they are registered at start). */
const DYNAMIC_CONFIG = `limit.maxIDLength:
  - value: 255
    constraints: {}
system.forceSearchAttributesCacheRefreshOnRead:
  - value: true
    constraints: {}
`;

/** Waits for the frontend, registers the namespace when missing (and Docket's search attributes), and waits until it is usable. */
async function untilReady(address: string, namespace: string, timeoutMs: number, exited: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  let connection: Connection | undefined;
  try {
    while (!connection) {
      if (exited()) throw new Error(`the server ${exited()}`);
      if (Date.now() > deadline) throw new Error(`no answer at ${address} within ${timeoutMs} ms: ${String(last)}`);
      try {
        const c = await Connection.connect({ address, connectTimeout: 2000 });
        await c.workflowService.getSystemInfo({});
        connection = c;
      } catch (err) {
        last = err;
        await sleep(500);
      }
    }
    await registerNamespace(connection, namespace);

    // The frontend learns of a new namespace from its registry, which refreshes every few seconds.
    for (;;) {
      if (exited()) throw new Error(`the server ${exited()}`);
      try {
        await connection.workflowService.listWorkflowExecutions({ namespace, pageSize: 1 });
        break;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`namespace ${namespace} not usable within ${timeoutMs} ms: ${String(err)}`);
        await sleep(500);
      }
    }
    // Docket's custom search attributes, once the namespace is known to the frontend.
    await ensureSearchAttributes(connection, namespace);
  } finally {
    await connection?.close();
  }
}

async function registerNamespace(connection: Connection, namespace: string): Promise<void> {
  try {
    await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('3 days') });
  } catch (err) {
    // 6 = ALREADY_EXISTS: a database kept from an earlier run.
    if ((err as { code?: number }).code !== 6) throw err;
  }
}

function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8')
      .trimEnd()
      .split('\n')
      .slice(-lines)
      .map((line) => (line.length > 600 ? `${line.slice(0, 600)}…` : line))
      .join('\n');
  } catch {
    return '(no log)';
  }
}
