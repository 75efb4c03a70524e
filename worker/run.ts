import { loadConfig, redactUrl } from '../config';
import { calendarStartupWarning } from '../client/calendars';
import { createLogger } from '../logging';
import { createDocketWorker, installWorkerRuntime } from './worker';

/** Runs one Docket worker until SIGINT/SIGTERM. Start as many as you need, on as many machines. */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger({ name: 'docket-worker', level: config.logLevel, format: config.logFormat });
  const metricsAddress = config.metrics.workerAddress;
  installWorkerRuntime({ logLevel: config.logLevel, log, ...(metricsAddress !== undefined && { metricsAddress }) });
  const docket = await createDocketWorker(config, { log });
  log.info(
    {
      taskQueue: config.taskQueue,
      namespace: config.namespace,
      temporal: config.temporalAddress,
      database: redactUrl(config.workerDatabaseUrl ?? config.databaseUrl ?? ''),
      ...(metricsAddress !== undefined && { metrics: `http://${metricsAddress}/metrics` }),
    },
    'worker started',
  );
  const calendarWarning = await calendarStartupWarning(docket.pool, config);
  if (calendarWarning) log.warn({ calendarFile: config.calendarFile }, calendarWarning);
  const stop = () => {
    log.info('worker stopping');
    docket.worker.shutdown();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await docket.worker.run();
  await docket.close();
  log.info('worker stopped');
}

main().catch((err: unknown) => {
  createLogger({ name: 'docket-worker', fd: 2 }).fatal({ err }, 'worker failed');
  process.exitCode = 1;
});
