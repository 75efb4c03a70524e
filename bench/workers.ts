/** Starts benchmark worker processes (./worker-process.ts) and talks to them. */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { WorkerProcessConfig, WorkerReply, WorkerRequest } from './worker-process';

export interface WorkerMemory {
  rss: number;
  heapUsed: number;
  external: number;
  /** CPU time the process has used so far (all threads), in milliseconds. */
  cpuMs: number;
}

export interface WorkerProcess {
  pid: number;
  /** Memory of the process after a full garbage collection, and its CPU time so far. */
  memory(): Promise<WorkerMemory>;
  /** The SDK's metrics in Prometheus text (a process started with `metrics: true`). */
  metrics(): Promise<string>;
  /** Shuts the workers down and waits for the process to exit. */
  stop(): Promise<void>;
}

const ENTRY = path.join(__dirname, 'worker-process.ts');

export async function startWorkerProcess(config: WorkerProcessConfig, timeoutMs = 120_000): Promise<WorkerProcess> {
  const child: ChildProcess = fork(ENTRY, [], {
    // BENCH_WORKER_NODE_OPTIONS: extra Node options for the worker, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it.
    execArgv: ['--import', 'tsx', ...(process.env.BENCH_WORKER_NODE_OPTIONS?.split(' ').filter(Boolean) ?? [])],
    env: { ...process.env, BENCH_WORKER_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let nextId = 1;
  const waiting = new Map<number, (reply: WorkerReply) => void>();
  let failure: string | undefined;
  child.on('message', (reply: WorkerReply) => {
    if (reply.type === 'error') failure = reply.message;
    if ('id' in reply) waiting.get(reply.id)?.(reply);
  });

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the benchmark worker did not start within ${timeoutMs} ms`)), timeoutMs);
    child.on('message', (reply: WorkerReply) => {
      if (reply.type === 'ready') {
        clearTimeout(timer);
        resolve();
      } else if (reply.type === 'error') {
        clearTimeout(timer);
        reject(new Error(`the benchmark worker failed: ${reply.message}`));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the benchmark worker exited with code ${code}${failure ? `: ${failure}` : ''}`));
    });
  });

  const request = <T extends WorkerReply>(type: WorkerRequest['type']): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (child.exitCode !== null || !child.connected) return reject(new Error('the benchmark worker is not running'));
      const id = nextId++;
      waiting.set(id, (reply) => {
        waiting.delete(id);
        resolve(reply as T);
      });
      child.send({ type, id } satisfies WorkerRequest);
    });

  let stopping: Promise<void> | undefined;
  return {
    pid: child.pid!,
    async memory() {
      const m = await request<Extract<WorkerReply, { type: 'memory' }>>('memory');
      return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, cpuMs: m.cpuMs };
    },
    async metrics() {
      return (await request<Extract<WorkerReply, { type: 'metrics' }>>('metrics')).text;
    },
    stop() {
      stopping ??= (async () => {
        if (child.exitCode === null && child.connected) {
          const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
          await Promise.race([request('stop').catch(() => undefined), exited]);
          await exited;
          clearTimeout(kill);
        }
      })();
      return stopping;
    },
  };
}
