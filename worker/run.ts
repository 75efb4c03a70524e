import pino from 'pino';
import { loadConfig, redactUrl } from '../config';
import { calendarStartupWarning } from '../client/calendars';
import { createDocketWorker, installSdkLogging } from './worker';

/** Runs one Docket worker until SIGINT/SIGTERM. Start as many as you need, on as many machines. */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = pino({ level: config.logLevel });
  installSdkLogging(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const docket = await createDocketWorker(config);
  log.info(
    {
      taskQueue: config.taskQueue,
      namespace: config.namespace,
      temporal: config.temporalAddress,
      database: redactUrl(config.workerDatabaseUrl ?? config.databaseUrl ?? ''),
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
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
