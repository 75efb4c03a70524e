/** The API's job pool: CPU-heavy work on worker threads, a time limit per job, a bounded queue. */
import { DIAGRAM_LIMITS } from '../../diagram';
import { JobPool, JobPoolBusyError, JobTooComplexError } from '../../api/jobs';
import { complaintV1 } from '../helpers/definition-fixtures';
import { largeDefinition } from '../helpers/large-definition';

/** The longest gap between ticks of a 10 ms interval while `work` runs: how long the event loop was held up. */
async function longestStall<T>(work: Promise<T>): Promise<{ result: PromiseSettledResult<T>; stallMs: number }> {
  let last = performance.now();
  let stallMs = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    stallMs = Math.max(stallMs, now - last);
    last = now;
  }, 10);
  const [result] = await Promise.allSettled([work]);
  clearInterval(tick);
  return { result: result, stallMs };
}

describe('the job pool', () => {
  let pool: JobPool | undefined;
  afterEach(async () => {
    await pool?.close();
    pool = undefined;
  });

  test('draws a 300-state diagram on a thread while the event loop keeps ticking', async () => {
    pool = new JobPool({ threads: 1, timeLimitMs: 60_000 });
    const { result, stallMs } = await longestStall(pool.diagram(largeDefinition(300), 'svg', 'lint'));
    expect(result.status).toBe('fulfilled');
    const out = (result as PromiseFulfilledResult<Awaited<ReturnType<JobPool['diagram']>>>).value;
    expect(out.ok).toBe(true);
    const svg = out.ok ? out.text : '';
    expect((svg.match(/<g class="state" data-state="step\d+">/g) ?? []).length).toBe(300);
    expect(stallMs).toBeLessThan(200);
  });

  test('a job over the time limit is stopped with JobTooComplexError, the loop stays free, and the pool goes on', async () => {
    pool = new JobPool({ threads: 1, timeLimitMs: 2_000 });
    const started = performance.now();
    const { result, stallMs } = await longestStall(pool.diagram(largeDefinition(300, 1), 'svg', 'lint'));
    expect(result.status).toBe('rejected');
    const reason = (result as PromiseRejectedResult).reason as Error;
    expect(reason).toBeInstanceOf(JobTooComplexError);
    expect(reason.message).toBe('this took longer than 2 s and was stopped');
    expect(performance.now() - started).toBeLessThan(4_000);
    expect(stallMs).toBeLessThan(200);
    // The stopped thread is replaced: the next job runs.
    await expect(pool.lint(complaintV1())).resolves.toMatchObject({ ok: true, problems: [] });
    expect(pool.load).toEqual({ running: 0, waiting: 0 });
  });

  test('a full queue refuses at once with JobPoolBusyError and a retry delay', async () => {
    pool = new JobPool({ threads: 1, queue: 1, timeLimitMs: 60_000 });
    const first = pool.diagram(largeDefinition(300), 'svg', 'lint');
    const second = pool.lint(complaintV1());
    const third = pool.lint(complaintV1());
    await expect(third).rejects.toBeInstanceOf(JobPoolBusyError);
    await expect(third).rejects.toMatchObject({ retryAfter: expect.any(Number) });
    expect(pool.load).toEqual({ running: 1, waiting: 1 });
    await expect(first).resolves.toMatchObject({ ok: true });
    await expect(second).resolves.toMatchObject({ ok: true });
    expect(pool.load).toEqual({ running: 0, waiting: 0 });
  });

  test('a definition beyond the diagram limits is not drawn', async () => {
    pool = new JobPool({ threads: 1, timeLimitMs: 60_000 });
    const out = await pool.diagram(largeDefinition(DIAGRAM_LIMITS.states + 1), 'mermaid', 'schema');
    expect(out).toEqual({ ok: false, tooLarge: expect.stringContaining(`at most ${DIAGRAM_LIMITS.states} states`) });
  });
});
