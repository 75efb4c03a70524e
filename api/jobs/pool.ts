/**
 * CPU-heavy work of the API (linting, diffs, diagrams) on worker threads, so that
 * no request holds up the event loop. Each job runs at most `timeLimitMs` (counted
 * from when it gets a thread) and is then stopped; at most `threads` run at once and
 * `queue` wait; beyond that a job is refused at once. Nothing is shared between
 * processes: every API process has its own pool.
 */
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { Piscina } from 'piscina';
import type { Definition } from '../../engine/definition-schema';
import type { DefinitionDiff } from '../../engine/definition-diff';
import type { LintResult } from '../../engine/lint';
import { JobPoolBusyError, JobTooComplexError } from './errors';
import { runJob, type DiagramFormat, type DiagramResult, type Job, type JobResults } from './tasks';

/** The CPU-heavy work the API hands off. */
export interface JobRunner {
  lint(raw: unknown): Promise<LintResult>;
  diagram(raw: unknown, format: DiagramFormat, check: 'lint' | 'schema'): Promise<DiagramResult>;
  diff(from: Definition, to: Definition): Promise<DefinitionDiff>;
  close(): Promise<void>;
}

export interface JobPoolOptions {
  /** Threads running jobs (default: the cores but one, 1 to 4). */
  threads?: number;
  /** Jobs that may wait for a thread (default 4 per thread). */
  queue?: number;
  /** Longest a job may run, and longest it may wait for a thread, in ms (default 20 000). */
  timeLimitMs?: number;
  /** Heap of each thread, in MB (default 512): a job that needs more is stopped like a slow one. */
  maxHeapMb?: number;
}

export const JOB_DEFAULTS = {
  threads: Math.max(1, Math.min(4, availableParallelism() - 1)),
  queuePerThread: 4,
  timeLimitMs: 20_000,
  maxHeapMb: 512,
} as const;

interface Waiter {
  resolve(): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

const WORKER = path.join(__dirname, 'worker.js');

/** Runs jobs on this thread: for tools and tests that have no event loop to keep free. */
export const inlineJobs: JobRunner = {
  async lint(raw) {
    return runJob({ kind: 'lint', raw }) as LintResult;
  },
  async diagram(raw, format, check) {
    return runJob({ kind: 'diagram', raw, format, check }) as DiagramResult;
  },
  async diff(from, to) {
    return runJob({ kind: 'diff', from, to }) as DefinitionDiff;
  },
  async close() {},
};

export class JobPool implements JobRunner {
  readonly threads: number;
  readonly queue: number;
  readonly timeLimitMs: number;
  private readonly piscina: Piscina<Job, JobResults[Job['kind']]>;
  private running = 0;
  private readonly waiting: Waiter[] = [];
  private closed = false;

  constructor(options: JobPoolOptions = {}) {
    this.threads = options.threads ?? JOB_DEFAULTS.threads;
    this.queue = options.queue ?? this.threads * JOB_DEFAULTS.queuePerThread;
    this.timeLimitMs = options.timeLimitMs ?? JOB_DEFAULTS.timeLimitMs;
    this.piscina = new Piscina({
      filename: WORKER,
      minThreads: this.threads,
      maxThreads: this.threads,
      // Threads live as long as the pool: a new one takes a moment to load the engine.
      idleTimeout: Infinity,
      resourceLimits: { maxOldGenerationSizeMb: options.maxHeapMb ?? JOB_DEFAULTS.maxHeapMb },
    });
    // A thread that fails to start (or dies) rejects the job it ran; nothing else to do here.
    this.piscina.on('error', () => undefined);
  }

  async lint(raw: unknown): Promise<LintResult> {
    return (await this.run({ kind: 'lint', raw })) as LintResult;
  }

  async diagram(raw: unknown, format: DiagramFormat, check: 'lint' | 'schema'): Promise<DiagramResult> {
    return (await this.run({ kind: 'diagram', raw, format, check })) as DiagramResult;
  }

  async diff(from: Definition, to: Definition): Promise<DefinitionDiff> {
    return (await this.run({ kind: 'diff', from, to })) as DefinitionDiff;
  }

  /** Jobs running and waiting now. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  /** Stops the threads; waiting jobs are refused, running ones stopped. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.waiting.splice(0)) {
      clearTimeout(w.timer);
      w.reject(new JobPoolBusyError('the server is shutting down', 1));
    }
    await this.piscina.destroy();
  }

  private async run(job: Job): Promise<unknown> {
    await this.acquire();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeLimitMs);
    try {
      return await this.piscina.run(job, { signal: controller.signal });
    } catch (err) {
      if (controller.signal.aborted) {
        throw new JobTooComplexError(`this took longer than ${this.timeLimitMs / 1000} s and was stopped`);
      }
      if ((err as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY') {
        throw new JobTooComplexError('this needed more memory than the server allows and was stopped');
      }
      throw err;
    } finally {
      clearTimeout(timer);
      this.release();
    }
  }

  /** Waits for a free thread; refuses at once when the queue is full, or after waiting as long as a job may run. */
  private acquire(): Promise<void> {
    const retryAfter = Math.max(1, Math.ceil(this.timeLimitMs / 4000));
    if (this.closed) return Promise.reject(new JobPoolBusyError('the server is shutting down', retryAfter));
    if (this.running < this.threads) {
      this.running++;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.queue) {
      return Promise.reject(new JobPoolBusyError(`the server is busy with ${this.running + this.waiting.length} other jobs`, retryAfter));
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          const at = this.waiting.indexOf(waiter);
          if (at >= 0) this.waiting.splice(at, 1);
          reject(new JobPoolBusyError(`the server stayed busy for ${this.timeLimitMs / 1000} s`, retryAfter));
        }, this.timeLimitMs),
      };
      this.waiting.push(waiter);
    });
  }

  /** Hands the thread to the next waiting job, if any. */
  private release(): void {
    const next = this.waiting.shift();
    if (next) {
      clearTimeout(next.timer);
      next.resolve();
    } else {
      this.running--;
    }
  }
}
