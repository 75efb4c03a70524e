import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { TransitionRecord } from '../../engine/types';
import type { CaseStatusView } from '../../workflows/messages';
import type { Harness } from './harness';
import type { EventSample, StartSample } from './model-driver';
import type { ExpectedRow, ModelPath, ModelState, ProcessModel } from './model';

/** How long a deadline's log row may take to appear after time is skipped past it. */
const ROW_TIMEOUT_MS = 60_000;
/** How long one step may take in all, so a step that hangs fails with its name instead of the whole test timing out. */
const STEP_TIMEOUT_MS = 120_000;

/** Rejects with `what` when `work` takes longer than `ms`. */
async function within<T>(ms: number, what: string, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export interface RuntimeTarget {
  harness: Harness;
  /** The time-skipping environment the harness runs on. */
  env: TestWorkflowEnvironment;
  /** Called with a line per step taken (for a progress log). */
  log?: (line: string) => void;
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

/** Deadlines already due in the model: they fire at once. */
const dueNow = (s: ModelState): string[] => s.timers.filter((t) => Date.parse(t.dueAt) <= s.now).map((t) => t.id);

/** Deadlines the model expects the case to have armed. */
const expectedDeadlines = (s: ModelState): string[] => s.timers.map((t) => t.id).sort();

/**
 * Runs one generated path on the real workflow: starts a case, sends each human event as an
 * Update, skips time to each deadline the model lets fire, waits for automatic steps, and after
 * every step compares the case with the model: state, status, armed deadlines, the context fields
 * that tell model states apart, and the whole transition log (event, fromState, toState, actor, seq).
 */
export async function runPath(model: ProcessModel, path: ModelPath, { harness: h, env, log }: RuntimeTarget): Promise<PathRun> {
  const began = Date.now();
  const driver = model.driver;
  const rows: ExpectedRow[] = [];
  let caseId: string | undefined;
  /** Where events go: the case itself, or the parent that routes them to it. */
  let sendTo: string | undefined;
  const status = (): Promise<CaseStatusView> => h.docket.status(caseId!);

  for (const [i, { event, state: expected }] of path.steps.entries()) {
    const where = `${path.process} ${path.name} step ${i + 1}/${path.steps.length} (${event.kind} ${event.type} "${event.label}")${caseId ? ` on case ${caseId}` : ''}`;
    const stepBegan = Date.now();
    try {
      await within(STEP_TIMEOUT_MS, 'the step', async () => {
        switch (event.kind) {
          case 'start': {
            const ctx = model.sampleContext({ now: await env.currentTimeMs(), state: '', context: {} });
            const sample: StartSample = pick(driver.start(ctx), event.label, where);
            if (driver.launch) {
              const launched = await driver.launch({ harness: h, env, calendar: model.calendar, sample });
              caseId = launched.caseId;
              sendTo = launched.sendTo;
              await poll(
                () => h.history(caseId!),
                (r) => r.length > 0,
                'the start of the sub-process case',
              );
            } else {
              const started = await h.docket.startCase(path.process, sample.input, sample.actor);
              caseId = started.caseId;
              sendTo = caseId;
              expect(started.state).toBe(expected.state);
            }
            break;
          }
          case 'human': {
            const live = await status();
            const ctx = model.sampleContext({ now: await env.currentTimeMs(), state: live.state, context: live.context });
            const samplesOf = driver.events[event.type];
            if (!samplesOf) throw new Error(`the driver has no samples for ${event.type}`);
            const sample: EventSample = pick(samplesOf(ctx), event.label, where);
            const result = await h.docket.send(sendTo!, {
              type: event.type,
              data: sample.data,
              actor: sample.actor,
              requestId: `${path.name}-${i + 1}`,
            });
            expect({ caseId: result.caseId, state: result.state, status: result.status, seq: result.seq }).toEqual({
              caseId,
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
              const sub = driver.subprocesses?.[inv.id];
              if (!sub) throw new Error(`the driver has no subprocesses.${inv.id}`);
              await sub.complete({ harness: h, env, calendar: model.calendar, caseId: caseId!, status: await status() });
            }
            const log = await poll(
              () => h.history(caseId!),
              (r) => r.length > expected.seq,
              `the log row of ${event.type}`,
            );
            // The task's or sub-processes' output is the row's payload: it must say what the driver worked out.
            expect(log[expected.seq]!.payload).toMatchObject(event.output as Record<string, unknown>);
            break;
          }
        }

        if (expected.row) rows.push(expected.row);
        const log = await poll(
          () => h.history(caseId!),
          (r) => r.length >= rows.length,
          `${rows.length} log rows`,
        );
        // A state the case leaves by itself at once (an automatic task under way, a deadline already due)
        // may be gone by the time it is read: then the rows so far are checked, and the next step checks the rest.
        const transient = expected.running.some((r) => r.kind === 'task') || dueNow(expected).length > 0;
        expect((transient ? log.slice(0, rows.length) : log).map(rowView)).toEqual(rows.map(rowView));
        if (transient) return;
        const live = await status();
        expect({
          state: live.state,
          status: live.status,
          seq: live.seq,
          deadlines: live.deadlines.map((d) => d.id).sort(),
          key: model.stateKey(live.context),
        }).toEqual({
          state: expected.state,
          status: expected.caseStatus,
          seq: expected.seq,
          deadlines: expectedDeadlines(expected),
          key: model.stateKey(expected.snapshot!.context as Record<string, unknown>),
        });
      });
      log?.(`${where}: ${expected.state} (${Date.now() - stepBegan} ms)`);
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
