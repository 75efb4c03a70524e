/**
 * A Docket worker that kills its own process (SIGKILL) right after it stores the row of seq
 * `DOCKET_DIE_AFTER_SEQ` of any case: the row is committed, and the workflow task that stored it
 * (within the task, in a local activity) never completes. For durability tests only.
 */
import { loadConfig } from '../../config';
import { createLogger } from '../../logging';
import { createDocketWorker, installWorkerRuntime } from '../../worker/worker';
import { withAppend } from './refusing-store';

const dieAfter = Number(process.env.DOCKET_DIE_AFTER_SEQ);

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger({ name: 'docket-worker', level: config.logLevel, format: config.logFormat });
  installWorkerRuntime({ logLevel: config.logLevel, log });
  const docket = await createDocketWorker(config, {
    log,
    wrapStore: (store) =>
      withAppend(store, async (record, projection, options) => {
        const appended = await store.appendTransition(record, projection, options);
        if (record.seq === dieAfter) process.kill(process.pid, 'SIGKILL');
        return appended;
      }),
  });
  await docket.worker.run();
}

void main();
