/**
 * A benchmark worker process: one or more Docket workers (the composition root of
 * worker/worker.ts, so the same activities, pool and options), each on its own task
 * queue with its own workflow bundle. Started by ./workers.ts; answers IPC requests
 * for its memory use and the SDK's metrics, and stops on request.
 */
import { createServer } from 'node:net';
import { NativeConnection, Runtime, DefaultLogger } from '@temporalio/worker';
import { loadConfig, type DocketConfig } from '../config';
import { collectGarbageEverywhere, WORKFLOW_THREADS } from './collect-garbage';
import { createDocketWorker, type DocketWorker } from '../worker/worker';

export interface WorkerSpec {
  taskQueue: string;
  bundlePath: string;
  /** The worker's identity, which Temporal records on each workflow and activity task it runs (the SDK's `pid@host` when absent). */
  identity?: string;
}

export interface WorkerTuning {
  maxCachedWorkflows: number;
  maxConcurrentWorkflowTasks: number;
  maxConcurrentActivities: number;
}

export interface WorkerProcessConfig {
  temporalAddress: string;
  namespace: string;
  databaseUrl: string;
  tuning: WorkerTuning;
  workers: WorkerSpec[];
  /** Serve the SDK's metrics (Prometheus, on a free local port) for `metrics` requests (./sdk-metrics.ts). */
  metrics?: boolean;
}

export type WorkerRequest = { type: 'memory'; id: number } | { type: 'metrics'; id: number } | { type: 'stop'; id: number };
export type WorkerReply =
  | { type: 'ready' }
  | { type: 'memory'; id: number; rss: number; heapUsed: number; external: number; cpuMs: number }
  | { type: 'metrics'; id: number; text: string }
  | { type: 'stopped'; id: number }
  | { type: 'error'; message: string };

function reply(message: WorkerReply): void {
  process.send?.(message);
}

/** A local port nothing listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function main(): Promise<void> {
  const cfg = JSON.parse(process.env.BENCH_WORKER_CONFIG ?? '') as WorkerProcessConfig;
  const metricsAddress = cfg.metrics ? `127.0.0.1:${await freePort()}` : undefined;
  Runtime.install({
    logger: new DefaultLogger('ERROR'),
    ...(metricsAddress && { telemetryOptions: { metrics: { prometheus: { bindAddress: metricsAddress } } } }),
  });
  const base = loadConfig({ ...process.env, DATABASE_URL: cfg.databaseUrl, TEMPORAL_ADDRESS: cfg.temporalAddress });
  const connection = await NativeConnection.connect({ address: cfg.temporalAddress });
  const workers: DocketWorker[] = [];
  for (const spec of cfg.workers) {
    const config: DocketConfig = { ...base, namespace: cfg.namespace, taskQueue: spec.taskQueue, worker: cfg.tuning };
    workers.push(
      await createDocketWorker(config, {
        connection,
        workflowBundle: { codePath: spec.bundlePath },
        ...(spec.identity !== undefined && { workerOptions: { identity: spec.identity } }),
      }),
    );
  }
  const running = Promise.all(workers.map((w) => w.worker.run()));
  reply({ type: 'ready' });

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      await Promise.all(workers.map((w) => w.close()));
      await running;
      await connection.close();
    })());
  process.on('message', (message: WorkerRequest) => {
    if (message.type === 'memory') {
      const cpu = process.cpuUsage();
      // BENCH_HEAP_SNAPSHOT_DIR: also a heap snapshot of each workflow thread, at each reading.
      collectGarbageEverywhere({
        threads: WORKFLOW_THREADS,
        snapshotDir: process.env.BENCH_HEAP_SNAPSHOT_DIR,
        label: `memory-${message.id}`,
      }).then(
        () => {
          const m = process.memoryUsage();
          reply({
            type: 'memory',
            id: message.id,
            rss: m.rss,
            heapUsed: m.heapUsed,
            external: m.external,
            cpuMs: (cpu.user + cpu.system) / 1000,
          });
        },
        (err: unknown) => reply({ type: 'error', message: String(err) }),
      );
    } else if (message.type === 'metrics') {
      const read = metricsAddress
        ? fetch(`http://${metricsAddress}/metrics`).then((res) => res.text())
        : Promise.reject(new Error('this worker process serves no metrics'));
      // An unread reading answers empty (its means are then NaN, which the report shows) rather than leave the request waiting.
      read.then(
        (text) => reply({ type: 'metrics', id: message.id, text }),
        (err: unknown) => {
          console.error(`the SDK's metrics could not be read: ${String(err)}`);
          reply({ type: 'metrics', id: message.id, text: '' });
        },
      );
    } else if (message.type === 'stop') {
      stop().then(
        () => {
          reply({ type: 'stopped', id: message.id });
          process.disconnect?.();
        },
        (err: unknown) => reply({ type: 'error', message: String(err) }),
      );
    }
  });
  process.on('disconnect', () => {
    void stop().finally(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  reply({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exitCode = 1;
  process.disconnect?.();
});
