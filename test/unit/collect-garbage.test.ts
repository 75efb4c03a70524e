import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { collectGarbageEverywhere } from '../../bench/collect-garbage';

/**
 * The bench's memory readings collect garbage in the worker threads (where the Temporal SDK runs
 * workflows) as well as in the main thread, and can write a heap snapshot of each.
 */
describe('collectGarbageEverywhere', () => {
  let worker: Worker;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'docket-heap-'));
    // A thread that keeps one marked object and leaves a lot of garbage behind it.
    worker = new Worker(
      `const { parentPort } = require('node:worker_threads');
       globalThis.kept = { marker: 'docket-kept-marker' };
       let junk; for (let i = 0; i < 50; i++) junk = Array.from({ length: 20000 }, (_, j) => ({ j }));
       parentPort.postMessage('ready');
       setInterval(() => undefined, 1000);`,
      { eval: true },
    );
    await new Promise((resolve) => worker.once('message', resolve));
  });

  afterAll(async () => {
    await worker.terminate();
    rmSync(dir, { recursive: true, force: true });
  });

  it('collects the threads named by their script and writes a heap snapshot of each', async () => {
    // An evaluated script's thread has an empty URL.
    expect(await collectGarbageEverywhere({ threads: /^$/, snapshotDir: dir, label: 'test' })).toBe(1);
    const files = readdirSync(dir);
    expect(files).toEqual([`${process.pid}-0-test.heapsnapshot`]);
    const snapshot = JSON.parse(readFileSync(path.join(dir, files[0]!), 'utf8')) as { snapshot: { node_count: number }; strings: string[] };
    expect(snapshot.snapshot.node_count).toBeGreaterThan(1000);
    // The thread's own heap (what is reachable there), not the main thread's.
    expect(snapshot.strings).toContain('docket-kept-marker');
    expect(snapshot.snapshot.node_count).toBeLessThan(200_000);
  });

  it('leaves threads it is not asked about', async () => {
    expect(await collectGarbageEverywhere({ threads: /no-such-script/ })).toBe(0);
  });
});
