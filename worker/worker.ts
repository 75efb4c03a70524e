import { createPool } from '../adapters/postgres';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { type Pool } from 'pg';
import { createActivities } from '../activities';
import type { CaseStore } from '../ports';
import { OutboxNotifier } from '../adapters/notify';
import { startDelivery, type DeliveryHandle } from './delivery';
import type { Logger } from '../logging';
import { openSigner } from '../audit/keys';
import { migrate, PostgresCaseStore, PostgresIncidentStore } from '../adapters/postgres';
import { PostgresAnnotationStore } from '../adapters/postgres/annotation-store';
import { resolveActorKeys, VouchCodec } from '../security';
import { WORKFLOWS_PATH, workflowBundlerOptions } from './bundle-options';
import { temporalTls, type DocketConfig } from '../config';
import { requireSearchAttributes } from '../infra/search-attributes';

export { WORKFLOWS_PATH } from './bundle-options';
export { installWorkerRuntime } from './runtime';

export interface DocketWorker {
  worker: Worker;
  pool: Pool;
  /** The outbox delivery loop this worker process runs (absent with `noDelivery`). */
  delivery?: DeliveryHandle;
  /** Stops polling, lets running tasks finish, closes connections. */
  close(): Promise<void>;
}

export interface CreateWorkerOptions {
  /** A connection to reuse (tests); otherwise one is opened to `config.temporalAddress`. */
  connection?: NativeConnection;
  /** A prebuilt workflow bundle (built with `bundleWorkflows` of ./bundle-options.ts); otherwise built from `workflows/`. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Overrides any WorkerOptions (tests: a task queue of their own). */
  workerOptions?: Partial<WorkerOptions>;
  /** Wraps the case store (tests: a store that refuses rows, to see incidents). */
  wrapStore?: (store: CaseStore) => CaseStore;
  /** Where the outbox delivery loop reports (ids and counts only). */
  log?: Logger;
  /** Don't run the outbox delivery loop in this worker (tests that drive delivery themselves). */
  noDelivery?: boolean;
}

/** The composition root: wires PostgreSQL, the notifier and the activities into a Temporal worker. */
export async function createDocketWorker(config: DocketConfig, options: CreateWorkerOptions = {}): Promise<DocketWorker> {
  // The worker's own role (docket_worker); it only checks that the schema is up to date (the owner migrates).
  const databaseUrl = config.workerDatabaseUrl ?? config.databaseUrl;
  if (!databaseUrl) throw new Error('no database: set DOCKET_WORKER_DATABASE_URL (or DATABASE_URL), or run `npm start` which starts one');
  // Keyed audit: every row this worker appends is signed with a key the database never sees.
  const { signer, keyringCreated } = openSigner(config.audit);
  const pool = createPool({ connectionString: databaseUrl, max: 10 });
  await migrate(pool);
  const postgresStore = new PostgresCaseStore(pool, signer);
  await postgresStore.registerAuditKey(signer.publicKey);
  if (keyringCreated) await postgresStore.adoptUnsigned(signer);
  const store = options.wrapStore ? options.wrapStore(postgresStore) : postgresStore;
  // The notify activity records notifications; the delivery loop below sends them (README "Notifications").
  const notifier = new OutboxNotifier(pool);
  const ownConnection = !options.connection;
  const connection =
    options.connection ??
    (await NativeConnection.connect({ address: config.temporalAddress ?? 'localhost:7233', tls: temporalTls(config) }));
  // The cases this worker runs keep Docket's search attributes current: the namespace must have them.
  await requireSearchAttributes(connection, config.namespace).catch(async (err: unknown) => {
    await pool.end();
    if (ownConnection) await connection.close();
    throw err;
  });
  const worker = await Worker.create({
    connection,
    namespace: config.namespace,
    taskQueue: config.taskQueue,
    ...(options.workflowBundle
      ? { workflowBundle: options.workflowBundle }
      : config.workflowBundle
        ? { workflowBundle: { codePath: config.workflowBundle } }
        : { workflowsPath: WORKFLOWS_PATH, bundlerOptions: workflowBundlerOptions }),
    // Payloads are signed and checked: a start, action or signal no Docket client signed is refused by the case.
    dataConverter: { payloadCodecs: [new VouchCodec(resolveActorKeys(config))] },
    activities: createActivities({
      store,
      notifier,
      incidents: new PostgresIncidentStore(pool),
      annotations: new PostgresAnnotationStore(pool, signer),
    }),
    maxCachedWorkflows: config.worker.maxCachedWorkflows,
    maxConcurrentWorkflowTaskExecutions: config.worker.maxConcurrentWorkflowTasks,
    maxConcurrentActivityTaskExecutions: config.worker.maxConcurrentActivities,
    ...options.workerOptions,
  });
  const delivery = options.noDelivery === true ? undefined : startDelivery(config, pool, options.log);
  return {
    worker,
    pool,
    ...(delivery && { delivery }),
    async close() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await delivery?.stop();
      await pool.end();
      if (ownConnection) await connection.close();
    },
  };
}
