/**
 * The Temporal SDK runtime of a Docket process (one per process): its log lines go through the
 * process's JSON logger, and with a metrics address it serves the SDK's Prometheus metrics
 * (workflow and activity task latencies, poll results, sticky cache, slots…) at
 * `http://<address>/metrics`. Give each worker on one machine an address of its own.
 */
import { DefaultLogger, Runtime, type LogLevel as SdkLogLevel } from '@temporalio/worker';
import type { Logger } from '../logging';
import type { DocketConfig } from '../config';

export interface WorkerRuntimeOptions {
  /** The process's log level: the SDK logs at `warn` when it is `info` (its INFO lines report the whole workflow bundle). */
  logLevel: DocketConfig['logLevel'];
  /** The logger the SDK's lines go to. */
  log: Logger;
  /** host:port for the SDK's Prometheus endpoint (DOCKET_WORKER_METRICS_ADDRESS); none when unset. */
  metricsAddress?: string;
}

const SDK_LEVELS: Record<DocketConfig['logLevel'], SdkLogLevel> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'WARN',
  warn: 'WARN',
  error: 'ERROR',
};

/** A Temporal SDK logger that writes through `log` (pino), keeping the SDK's metadata as fields. */
export function sdkLogger(log: Logger, level: SdkLogLevel): DefaultLogger {
  const child = log.child({ component: 'temporal-sdk' });
  return new DefaultLogger(level, ({ level: entryLevel, message, meta }) => {
    const fields = meta ?? {};
    switch (entryLevel) {
      case 'TRACE':
        return child.trace(fields, message);
      case 'DEBUG':
        return child.debug(fields, message);
      case 'INFO':
        return child.info(fields, message);
      case 'WARN':
        return child.warn(fields, message);
      default:
        return child.error(fields, message);
    }
  });
}

/**
 * Installs the runtime; false when this process had installed one already (it can be installed
 * once per process), true otherwise. Signals are left to the entry points, which stop the worker,
 * then the servers, in order.
 */
export function installWorkerRuntime(options: WorkerRuntimeOptions): boolean {
  try {
    Runtime.install({
      logger: sdkLogger(options.log, SDK_LEVELS[options.logLevel]),
      shutdownSignals: [],
      ...(options.metricsAddress !== undefined && {
        telemetryOptions: {
          metrics: {
            prometheus: { bindAddress: options.metricsAddress, countersTotalSuffix: true, unitSuffix: true, useSecondsForDurations: true },
          },
        },
      }),
    });
    return true;
  } catch (err) {
    if (/already (been )?installed|instantiated/i.test((err as Error).message)) return false;
    throw err;
  }
}
