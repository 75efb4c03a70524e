import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { TransitionRecord } from '../../engine/types';
import type { CaseStatusView } from '../../workflows/messages';
import type { Harness } from './harness';
import type { EventSample, RunContext, StartSample } from './model-driver';
import type { ExpectedRow, ModelPath, ModelState, ProcessModel } from './model';

/** How long a deadline's log row may take to appear after time is skipped past it. */
const ROW_TIMEOUT_MS = 60_000;

export interface RuntimeTarget {
  harness: Harness;
  /** The time-skipping environment the harness runs on. */
  env: TestWorkflowEnvironment;
}

export interface PathRun {
  path: ModelPath;
  caseId?: string;
  ms: number;
}

const pick = <T extends { label: string }>(samples: T[], label: string, what: string): T => {
  const sample = samples.find((s) => s.label === label);
  if (!sample)
    throw new Error(`${what}: the driver no longer gives a sample "${label}" (it gives ${samples.map((s) => `"${s.label}"`).join(', ')})`);
  return sample;
};

const rowView = (r: ExpectedRow | TransitionRecord) => ({
  seq: r.seq,
  event: r.event,
  fromState: r.fromState,
  toState: r.toState,
  actor: { userId: r.actor.userId, role: r.actor.role },
  status: r.status,
});

async function poll<T>(read: () => Promise<T>, done: (v: T) => boolean, what: string, timeoutMs = ROW_TIMEOUT_MS): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Deadlines already due in the model: they fire at once, so the case may or may not still list them. */
const dueNow = (s: ModelState): string[] => s.timers.filter((t) => Date.parse(t.dueAt) <= s.now).map((t) => t.id);

/** Deadlines the model expects the case to have armed and not yet fired. */
const expectedDeadlines = (s: ModelState): string[] =>
  s.timers
    .filter((t) => Date.parse(t.dueAt) > s.now)
    .map((t) => t.id)
    .sort();

/**
 * Runs one generated path on the real workflow: starts a case, sends each human event as an
 * Update, skips time to each deadline the model lets fire, waits for automatic steps, and after
 * every step compares the case with the model: state, status, armed deadlines, the context fields
 * that tell model states apart, and the whole transition log (event, fromState, toState, actor, seq).
 */
export async function runPath(model: ProcessModel, path: ModelPath, { harness: h, env }: RuntimeTarget): Promise<PathRun> {
  const began = Date.now();
  const driver = model.driver;
  const rows: ExpectedRow[] = [];
  let caseId: string | undefined;
  const status = (): Promise<CaseStatusView> => h.docket.status(caseId!);

  for (const [i, { event, state: expected }] of path.steps.entries()) {
    const where = `${path.process} ${path.name} step ${i + 1}/${path.steps.length} (${event.kind} ${event.type} "${event.label}")${caseId ? ` on case ${caseId}` : ''}`;
    try {
      switch (event.kind) {
        case 'start': {
          const ctx = model.sampleContext({ now: await env.currentTimeMs(), state: '', context: {} });
          const sample: StartSample = pick(driver.start(ctx), event.label, where);
          const started = await h.docket.startCase(path.process, sample.input, sample.actor);
          caseId = started.caseId;
          expect(started.state).toBe(expected.state);
          break;
        }
        case 'human': {
          const live = await status();
          const ctx = model.sampleContext({ now: await env.currentTimeMs(), state: live.state, context: live.context });
          const samplesOf = driver.events[event.type];
          if (!samplesOf) throw new Error(`the driver has no samples for ${event.type}`);
          const sample: EventSample = pick(samplesOf(ctx), event.label, where);
          const result = await h.docket.send(caseId!, {
            type: event.type,
            data: sample.data,
            actor: sample.actor,
            requestId: `${path.name}-${i + 1}`,
          });
          expect({ state: result.state, status: result.status, seq: result.seq }).toEqual({
            state: expected.state,
            status: expected.caseStatus,
            seq: expected.seq,
          });
          break;
        }
        case 'timer': {
          const timer = event.timer!;
          const live = await status();
          const armed = live.deadlines.find((d) => d.id === timer.id);
          if (!armed)
            throw new Error(
              `deadline ${timer.id} is not armed; armed: ${live.deadlines.map((d) => `${d.id} at ${d.dueAt}`).join(', ') || 'none'}`,
            );
          const first = Math.min(...live.deadlines.map((d) => Date.parse(d.dueAt)));
          if (Date.parse(armed.dueAt) > first)
            throw new Error(
              `the model fires ${timer.id} next, but the case has an earlier deadline: ${live.deadlines.map((d) => `${d.id} at ${d.dueAt}`).join(', ')}`,
            );
          const ms = Date.parse(armed.dueAt) - (await env.currentTimeMs()) + 1000;
          if (ms > 0) await env.sleep(ms);
          if (expected.row)
            await poll(
              () => h.history(caseId!),
              (r) => r.length > expected.seq,
              `the log row of ${timer.id}`,
            );
          else await poll(status, (s) => !s.deadlines.some((d) => d.id === timer.id), `${timer.id} to fire (it changes nothing)`);
          break;
        }
        case 'done': {
          const inv = event.invoke!;
          if (inv.kind === 'subprocess') {
            const sub = driver.subprocesses?.[inv.src];
            if (!sub) throw new Error(`the driver has no subprocesses.${inv.src}`);
            const run: RunContext = { harness: h, env, caseId: caseId!, status: await status() };
            await sub.complete(run);
          }
          await poll(
            () => h.history(caseId!),
            (r) => r.length > expected.seq,
            `the log row of ${event.type}`,
          );
          break;
        }
      }

      if (expected.row) rows.push(expected.row);
      const log = await poll(
        () => h.history(caseId!),
        (r) => r.length >= rows.length,
        `${rows.length} log rows`,
      );
      expect(log.map(rowView)).toEqual(rows.map(rowView));
      const live = await status();
      expect({
        state: live.state,
        status: live.status,
        seq: live.seq,
        deadlines: live.deadlines
          .map((d) => d.id)
          .filter((id) => !dueNow(expected).includes(id))
          .sort(),
        key: model.stateKey(live.context),
      }).toEqual({
        state: expected.state,
        status: expected.caseStatus,
        seq: expected.seq,
        deadlines: expectedDeadlines(expected),
        key: model.stateKey(expected.snapshot!.context as Record<string, unknown>),
      });
    } catch (err) {
      const e = err as Error;
      e.message = `${where}:\n${e.message}`;
      throw e;
    }
  }
  return { path, ...(caseId !== undefined && { caseId }), ms: Date.now() - began };
}

/** Runs `work` over `items`, at most `limit` at a time, and settles every one (a failure does not stop the others). */
export async function settleAll<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<Array<PromiseSettledResult<R>>> {
  const results: Array<PromiseSettledResult<R>> = [];
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      try {
        results[index] = { status: 'fulfilled', value: await work(items[index]!) };
      } catch (reason) {
        results[index] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

/** Throws one error listing every failure, or returns the values. */
export function allOrFailures<R>(results: Array<PromiseSettledResult<R>>): R[] {
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failures.length) throw new Error(failures.map((f) => (f.reason as Error).message).join('\n\n'));
  return results.map((r) => (r as PromiseFulfilledResult<R>).value);
}
