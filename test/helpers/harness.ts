import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { CalendarSource } from '../../client/calendars';
import { PostgresCalendarStore } from '../../adapters/postgres/calendar-store';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, DefaultLogger } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Pool } from 'pg';
import { migrate, PostgresCaseStore, PostgresIncidentStore } from '../../adapters/postgres';
import { PostgresDefinitionStore } from '../../adapters/postgres/definition-store';
import { PostgresCustomerStore } from '../../adapters/postgres/customer-store';
import { DocketClient } from '../../client/docket-client';
import { CaseMigrations } from '../../client/case-migration';
import { DefinitionLifecycle } from '../../client/lifecycle';
import { loadCalendar } from '../../client/setup';
import type { TransitionRecord } from '../../engine/types';
import { createDatabase, withDatabase } from '../../infra/postgres';
import { resolveActorKeys, VouchCodec } from '../../security';
import { loadConfig, PROJECT_ROOT, type DocketConfig } from '../../config';
import { createDocketWorker, type CreateWorkerOptions, type DocketWorker } from '../../worker/worker';

let runtimeInstalled = false;
/** Keeps the SDK's worker logs to warnings, so test output stays readable. */
export function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // Already installed by another file in this process.
  }
}

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run integration tests through jest (global setup starts the servers)`);
  return value;
}

/** A fresh database of its own for a test file, migrated. */
export async function freshDatabase(name: string): Promise<string> {
  const dbName = `t_${name.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}`.slice(0, 60);
  const url = await createDatabase(requireEnv('DOCKET_TEST_DATABASE_URL'), dbName, { fresh: true });
  const pool = new Pool({ connectionString: url, max: 1 });
  try {
    await migrate(pool);
  } finally {
    await pool.end();
  }
  return url;
}

/**
 * The URLs of the API's and the worker's login roles (docket_api, docket_worker) on the database of
 * `databaseUrl`; that URL itself when the test server has no such roles (an external DATABASE_URL).
 */
export function roleDatabaseUrls(databaseUrl: string): { api: string; worker: string } {
  const database = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  const api = process.env.DOCKET_TEST_API_DATABASE_URL;
  const worker = process.env.DOCKET_TEST_WORKER_DATABASE_URL;
  return {
    api: api ? withDatabase(api, database) : databaseUrl,
    worker: worker ? withDatabase(worker, database) : databaseUrl,
  };
}

export interface Harness {
  docket: DocketClient;
  /** Process owners' definition lifecycle, on this harness's database. */
  lifecycle: DefinitionLifecycle;
  /** Process owners' migration of running cases, on this harness's database. */
  migrations: CaseMigrations;
  /** The business calendar's versions, on this harness's database (new cases pin the newest). */
  calendars: CalendarSource;
  definitions: PostgresDefinitionStore;
  config: DocketConfig;
  /** The database as its superuser: for what neither the API nor the worker may do (tampering, clean-up). */
  pool: Pool;
  /** The database as the API's role (docket_api), under the harness's client and the test API. */
  apiPool: Pool;
  client: Client;
  taskQueue: string;
  worker: DocketWorker;
  /** Stops the worker (cases wait, their timers keep running on the server); `startWorker` starts a new one. */
  stopWorker(): Promise<void>;
  startWorker(): Promise<void>;
  /** Notifications of a case in the outbox, in the order they were raised. */
  outbox(caseId: string): Promise<Array<{ id: string; kind: string; template: string; recipients: unknown }>>;
  history(caseId: string): Promise<TransitionRecord[]>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Run on this (time-skipping) environment instead of the shared dev server. */
  env?: TestWorkflowEnvironment;
  continueAsNewAfter?: number;
  /** Don't start a worker in this process (the test runs its own, e.g. in a child process). */
  noWorker?: boolean;
  /** Import the definitions of this folder instead of `definitions/` (e.g. with test fixtures added). */
  definitionsDir?: string;
  /** Wraps the worker's case store (e.g. one that refuses rows). */
  wrapStore?: CreateWorkerOptions['wrapStore'];
  /** The calendar file imported as version 1 (DOCKET_CALENDAR) instead of `calendars/cn.json`. */
  calendarFile?: string;
  /**
   * Whether cases start only for customers with a record (DOCKET_REQUIRE_CUSTOMER_RECORD). Default
   * false: most tests name customers freely; the customer tests turn it on and create their records.
   */
  requireCustomerRecord?: boolean;
}

/**
 * A Docket stack for one test file: its own database and task queue, a worker
 * running the prebuilt bundle, and a client.
 */
export async function createHarness(name: string, options: HarnessOptions = {}): Promise<Harness> {
  quietRuntime();
  const databaseUrl = await freshDatabase(name);
  const roles = roleDatabaseUrls(databaseUrl);
  const taskQueue = `test-${name}-${randomUUID().slice(0, 8)}`;
  const address = options.env ? options.env.address : requireEnv('DOCKET_TEST_TEMPORAL_ADDRESS');
  const config: DocketConfig = {
    ...loadConfig({ DOCKET_DATA_DIR: path.join(PROJECT_ROOT, '.cache', 'test-data') }),
    databaseUrl,
    apiDatabaseUrl: roles.api,
    workerDatabaseUrl: roles.worker,
    temporalAddress: address,
    namespace: 'default',
    taskQueue,
    ...(options.continueAsNewAfter !== undefined && { continueAsNewAfter: options.continueAsNewAfter }),
    ...(options.definitionsDir !== undefined && { definitionsDir: options.definitionsDir }),
    ...(options.calendarFile !== undefined && { calendarFile: options.calendarFile }),
    requireCustomerRecord: options.requireCustomerRecord ?? false,
  };
  const pool = new Pool({ connectionString: databaseUrl, max: 4 });
  const apiPool = new Pool({ connectionString: roles.api, max: 4 });
  const connection = options.env ? undefined : await Connection.connect({ address });
  // The client signs what it sends, as Docket's clients do (the workers refuse what nobody signed).
  const client = new Client({
    connection: options.env ? options.env.connection : connection!,
    namespace: config.namespace,
    dataConverter: { payloadCodecs: [new VouchCodec(resolveActorKeys(config))] },
  });
  const definitions = new PostgresDefinitionStore(apiPool, { importDir: config.definitionsDir });
  const calendar = await loadCalendar(config);
  const calendars = new CalendarSource(new PostgresCalendarStore(apiPool), config);
  const docket = new DocketClient({
    temporal: client,
    store: new PostgresCaseStore(apiPool),
    incidents: new PostgresIncidentStore(apiPool),
    definitions,
    calendar,
    calendars,
    taskQueue,
    continueAsNewAfter: config.continueAsNewAfter,
    customers: new PostgresCustomerStore(apiPool),
    requireCustomerRecord: config.requireCustomerRecord,
  });
  let worker: DocketWorker | undefined;
  let running: Promise<void> | undefined;
  let nativeConnection: NativeConnection | undefined;
  const startWorker = async () => {
    nativeConnection ??= options.env ? options.env.nativeConnection : await NativeConnection.connect({ address });
    worker = await createDocketWorker(config, {
      connection: nativeConnection,
      workflowBundle: { codePath: requireEnv('DOCKET_TEST_BUNDLE') },
      ...(options.wrapStore && { wrapStore: options.wrapStore }),
    });
    running = worker.worker.run();
  };
  const stopWorker = async () => {
    if (!worker) return;
    await worker.close();
    await running;
    worker = undefined;
    running = undefined;
  };
  if (!options.noWorker) await startWorker();
  const lifecycle = new DefinitionLifecycle({ store: definitions, cases: docket.store });
  return {
    docket,
    lifecycle,
    migrations: new CaseMigrations({ lifecycle, store: definitions, docket, cases: docket.store, calendar }),
    calendars,
    definitions,
    config,
    pool,
    apiPool,
    client,
    taskQueue,
    get worker() {
      return worker!;
    },
    stopWorker,
    startWorker,
    async outbox(caseId) {
      const { rows } = await pool.query(
        'SELECT id, kind, template, recipients FROM docket.notification_outbox WHERE case_id = $1 ORDER BY created_at, id',
        [caseId],
      );
      return rows;
    },
    history: (caseId) => docket.store.listTransitions(caseId),
    async close() {
      await stopWorker();
      if (nativeConnection && !options.env) await nativeConnection.close();
      await pool.end();
      await apiPool.end();
      if (connection) await connection.close();
    },
  };
}

export const cs = { userId: 'amy', role: 'cs_agent' };
export const handler = { userId: 'bob', role: 'handler' };
export const manager = { userId: 'carol', role: 'service_manager' };

export const complaintInput = {
  customer: 'CUST-1001',
  contact: 'Ms Li, 138-0000-0000',
  channel: 'phone',
  content: 'The delivered cabinet has a cracked door.',
  category: 'product_quality',
  severity: 'high',
};

/** The complaint's human steps from `received` to `closed`, with who sends each. */
export const COMPLAINT_STEPS: ReadonlyArray<readonly [string, Record<string, unknown>, typeof cs]> = [
  ['ACCEPT', { department: 'after_sales', assignee: 'bob' }, cs],
  ['LOG_CONTACT', { channel: 'phone', summary: 'Called' }, handler],
  ['SUBMIT_FINDINGS', { findings: 'f', customerExpectation: 'e' }, handler],
  ['PROPOSE_RESOLUTION', { proposal: 'p', compensationAmount: 100 }, handler],
  ['CUSTOMER_ACCEPTED', {}, cs],
  ['RESOLUTION_EXECUTED', { summary: 's' }, handler],
  ['CUSTOMER_SATISFIED', { score: 5 }, cs],
];

/**
 * `npm run worker` in a process of its own (so it can be killed for real) on the harness's
 * database, Temporal, task queue and data directory (which holds the key its client signs with).
 */
export function spawnWorkerProcess(
  h: Harness,
  env: Record<string, string>,
  stdio: StdioOptions = ['ignore', 'inherit', 'inherit'],
  script = path.join(PROJECT_ROOT, 'worker', 'run.ts'),
): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      DATABASE_URL: h.config.databaseUrl,
      TEMPORAL_ADDRESS: h.config.temporalAddress,
      DOCKET_TASK_QUEUE: h.taskQueue,
      DOCKET_WORKFLOW_BUNDLE: requireEnv('DOCKET_TEST_BUNDLE'),
      DOCKET_DATA_DIR: h.config.dataDir,
      ...env,
    },
    stdio,
  });
}

/** Reads until `done` holds (a case moves by itself a moment after what set it off), or fails naming `what`. */
export async function waitFor<T>(read: () => Promise<T>, done: (v: T) => boolean, what: string, tries = 300): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await read();
    if (done(v)) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * Waits until a case's Temporal history has stopped growing (two reads 200 ms apart agree): a
 * case may take another workflow task a moment after its row is stored, so a before/after
 * comparison of its history waits for that first.
 */
export async function quietHistory(h: Pick<Harness, 'client'>, caseId: string): Promise<void> {
  const length = async () => ((await h.client.workflow.getHandle(caseId).fetchHistory()).events ?? []).length;
  let last = -1;
  await waitFor(
    async () => {
      const now = await length();
      const same = now === last;
      last = now;
      await new Promise((r) => setTimeout(r, 200));
      return same;
    },
    (same) => same,
    'a quiet history',
  );
}

/** Skips a time-skipping server's time to a minute past `iso`. */
export async function skipPast(env: { currentTimeMs(): Promise<number>; sleep(ms: number): Promise<void> }, iso: string): Promise<void> {
  const ms = Date.parse(iso) - (await env.currentTimeMs()) + 60_000;
  if (ms > 0) await env.sleep(ms);
}
