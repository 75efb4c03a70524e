import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startPostgres } from '../../infra/postgres';
import { startDevServer } from '../../infra/temporal-env';
import { WORKFLOWS_PATH } from '../../worker/worker';
import { PROJECT_ROOT } from '../../worker/config';

/** Starts one PostgreSQL and one Temporal dev server for the run and builds the workflow bundle once. */
export default async function globalSetup(): Promise<void> {
  const cache = path.join(PROJECT_ROOT, '.cache');
  mkdirSync(cache, { recursive: true });
  const [pg, temporal, bundle] = await Promise.all([
    startPostgres({ dataDir: path.join(cache, 'test-postgres'), port: 5439 }),
    startDevServer({ log: { format: 'pretty', level: 'error' } }),
    bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger }),
  ]);
  const bundlePath = path.join(cache, 'test-workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);
  process.env.DOCKET_TEST_DATABASE_URL = pg.url;
  process.env.DOCKET_TEST_TEMPORAL_ADDRESS = temporal.address;
  process.env.DOCKET_TEST_BUNDLE = bundlePath;
  (globalThis as Record<string, unknown>).__docketServers = { pg, temporal };
}

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: (m: string) => console.error(m), log: noop };
