/**
 * A full garbage collection in the main thread of this process and in its worker threads (the
 * Temporal SDK runs workflows in worker threads, whose heaps the main thread's `gc()` leaves as
 * they are). Through the inspector's NodeWorker domain, so it needs no flag and no code in the threads.
 * Resolves to the number of worker threads collected.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';

interface WorkerReply {
  id?: number;
  method?: string;
  params?: { chunk?: string };
  error?: { message: string };
}

export interface CollectOptions {
  /** The worker threads to collect, by the URL of their script (default: all of them). */
  threads?: RegExp;
  /**
   * Also writes a heap snapshot of each of those threads there after its collection
   * (`<pid>-<n>-<label>.heapsnapshot`, for Chromium's DevTools), to see what an open case keeps.
   */
  snapshotDir?: string;
  label?: string;
}

/**
 * The sessions under way. Nothing else holds a session while it waits for a thread's answer, and
 * the snapshot's chunks make garbage enough for the main thread to collect it mid-way.
 */
const open = new Set<Session>();

/** The Temporal SDK's workflow threads. */
export const WORKFLOW_THREADS = /@temporalio\/worker\//;

export async function collectGarbageEverywhere({ threads, snapshotDir, label = 'memory' }: CollectOptions = {}): Promise<number> {
  const session = new Session();
  session.connect();
  open.add(session);
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) => session.post(method, params, (err, result) => (err ? reject(err) : resolve(result))));
  const workers: string[] = [];
  const waiting = new Map<number, (reply: WorkerReply) => void>();
  session.on('NodeWorker.attachedToWorker', (m: { params: { sessionId: string; workerInfo: { url: string } } }) => {
    // Threads that wait blocked (the module loader's hooks, esbuild's) would never answer: name the ones to collect.
    if (!threads || threads.test(m.params.workerInfo.url)) workers.push(m.params.sessionId);
  });
  let chunks: ((chunk: string) => void) | undefined;
  session.on('NodeWorker.receivedMessageFromWorker', (m: { params: { message: string } }) => {
    const reply = JSON.parse(m.params.message) as WorkerReply;
    if (reply.id !== undefined) waiting.get(reply.id)?.(reply);
    else if (reply.method === 'HeapProfiler.addHeapSnapshotChunk' && reply.params?.chunk !== undefined) chunks?.(reply.params.chunk);
  });
  let nextId = 1;
  // Each command carries its params, if only {}: takeHeapSnapshot without them never answers.
  const send = async (sessionId: string, method: string, params: object = {}) => {
    const id = nextId++;
    const replied = new Promise<WorkerReply>((resolve) => waiting.set(id, resolve));
    await post('NodeWorker.sendMessageToWorker', { sessionId, message: JSON.stringify({ id, method, params }) });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${method} in a worker thread did not answer within 120 s`)), 120_000);
    });
    const reply = await Promise.race([replied, timedOut]).finally(() => clearTimeout(timer));
    waiting.delete(id);
    if (reply.error) throw new Error(`${method} in a worker thread failed: ${reply.error.message}`);
  };
  try {
    // Attaching reports the threads already running, each in an event of its own before the reply.
    await post('NodeWorker.enable', { waitForDebuggerOnStart: false });
    await new Promise((resolve) => setImmediate(resolve));
    for (const [n, sessionId] of workers.entries()) {
      await send(sessionId, 'HeapProfiler.collectGarbage');
      if (snapshotDir === undefined) continue;
      const parts: string[] = [];
      chunks = (chunk) => parts.push(chunk);
      try {
        await send(sessionId, 'HeapProfiler.takeHeapSnapshot', { reportProgress: false });
      } finally {
        chunks = undefined;
      }
      writeFileSync(path.join(snapshotDir, `${process.pid}-${n}-${label}.heapsnapshot`), parts.join(''));
    }
    await post('HeapProfiler.collectGarbage');
    await post('NodeWorker.disable');
    return workers.length;
  } finally {
    session.disconnect();
    open.delete(session);
  }
}
