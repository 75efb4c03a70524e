import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { freePort } from '../../infra/net';
import { startPostgres } from '../../infra/postgres';
import { startDevServer } from '../../infra/temporal-env';
import { ensureSearchAttributes } from '../../infra/search-attributes';
import { bundleWorkflows } from '../../worker/bundle-options';
import { PROJECT_ROOT } from '../../config';

/** Starts one PostgreSQL and one Temporal dev server for the run and builds the workflow bundle once. */
export default async function globalSetup(): Promise<void> {
  const cache = path.join(PROJECT_ROOT, '.cache');
  mkdirSync(cache, { recursive: true });
  const [pg, temporal, bundle] = await Promise.all([
    startPostgres({ dataDir: path.join(cache, 'test-postgres'), port: await freePort() }),
    startDevServer({ log: { format: 'pretty', level: 'error' } }),
    bundleWorkflows({ logger: quietLogger }),
  ]);
  // The tests' server has Docket's search attributes, also when it is one at TEMPORAL_ADDRESS.
  const connection = await Connection.connect({ address: temporal.address });
  await ensureSearchAttributes(connection, temporal.namespace).finally(() => connection.close());
  const bundlePath = path.join(cache, 'test-workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);
  process.env.DOCKET_TEST_DATABASE_URL = pg.url;
  // The login roles of the embedded cluster (docket_api, docket_worker); harness databases get their grants by migration 005.
  if (pg.roles) {
    process.env.DOCKET_TEST_API_DATABASE_URL = pg.roles.api;
    process.env.DOCKET_TEST_WORKER_DATABASE_URL = pg.roles.worker;
  }
  process.env.DOCKET_TEST_TEMPORAL_ADDRESS = temporal.address;
  process.env.DOCKET_TEST_BUNDLE = bundlePath;
  (globalThis as Record<string, unknown>).__docketServers = { pg, temporal };
}

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: (m: string) => console.error(m), log: noop };
