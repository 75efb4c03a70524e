/**
 * A case's durable timers: `after` delays of its states and case-level timers. At its due time
 * a timer feeds its event into the machine; timers due together, or due when an event arrives
 * (after an outage), fire first and in due order.
 */
import { CancellationScope, isCancellation, patched, sleep } from '@temporalio/workflow';
import type { AnyMachineSnapshot } from 'xstate';
import { beyondCoverage } from '../../engine/calendar/coverage';
import { delayBase, delayDueFrom, TIMER_PREFIX } from '../../engine/compile';
import { ownValue } from '../../engine/own';
import { step, type StepResult, type TimerSpec } from '../../engine/step';
import type { CaseContext } from './context';
import type { Incidents } from './incidents';

/** At most this many due timers fire at once (a bound, should a definition re-arm timers that are due at once). */
const MAX_DUE_TIMERS = 100;

const byDueTime = (a: TimerSpec, b: TimerSpec) => Date.parse(a.dueAt) - Date.parse(b.dueAt);

export type Timers = ReturnType<typeof createTimers>;

/** `feed` takes a timer's event into the machine (see transitions.ts). */
export function createTimers(
  c: CaseContext,
  incidents: Incidents,
  feed: (event: { type: string }, label: string, payload: Record<string, unknown>) => void,
) {
  const timers = new Map<string, { spec: TimerSpec; scope: CancellationScope }>();

  const cancel = (id: string) => {
    const timer = timers.get(id);
    if (!timer) return;
    timers.delete(id);
    timer.scope.cancel();
  };

  const fire = (spec: TimerSpec) => {
    if (c.status !== 'open') return;
    const kind = spec.event.type.startsWith(TIMER_PREFIX) ? 'timer' : 'after';
    feed(spec.event, `${kind}:${spec.delay}`, {});
  };

  /** Timers due at `now`, earliest first (timers due at the same time in the order they were armed). */
  const due = (now: number): TimerSpec[] =>
    [...timers.values()]
      .map((t) => t.spec)
      .filter((spec) => Date.parse(spec.dueAt) <= now)
      .sort(byDueTime);

  /**
   * Fires every timer that is due, in due order, as if each had run on time: before an event is
   * applied (after an outage the event and the timer arrive together, and the deadline comes
   * first), and when several timers come due at once. A timer's own sleep that fires later finds
   * nothing to do.
   */
  const fireDue = (beforeEvent = true) => {
    // Before an event, a case with an open incident fires nothing: it refuses the event anyway.
    for (let i = 0; i < MAX_DUE_TIMERS && c.status === 'open' && !(beforeEvent && incidents.open.size > 0); i++) {
      const [next] = due(Date.now());
      if (!next) return;
      timers.delete(next.id);
      fire(next);
    }
  };

  const arm = (spec: TimerSpec) => {
    cancel(spec.id);
    const scope = new CancellationScope();
    timers.set(spec.id, { spec, scope });
    scope
      .run(() => sleep(Math.max(1, Date.parse(spec.dueAt) - Date.now()), { summary: `${spec.delay} (${spec.state}) due ${spec.dueAt}` }))
      .then(
        () => {
          // A timer fired early (see fireDue) is gone from the map already.
          if (timers.get(spec.id)?.scope !== scope) return;
          // Several timers due at once (after an outage, or armed already past due): the earliest fires first.
          if (due(Date.now()).length > 1 && patched('due-timers-fire-in-due-order')) {
            fireDue(false);
            return;
          }
          timers.delete(spec.id);
          fire(spec);
        },
        (err: unknown) => {
          if (!isCancellation(err)) throw err;
          // Until its stack is read, the cancellation keeps the frames of the code that cancelled the
          // timer, and through them that activation's payloads (an Update's whole input), for as long
          // as the run keeps the scope: reading it once lets them go.
          void (err as Error).stack;
        },
      );
  };

  return {
    arm,
    cancel,
    cancelAll: () => [...timers.keys()].forEach(cancel),
    due,

    /** Before an event or a migration: the deadlines that passed meanwhile come first. */
    fireDueBeforeEvent() {
      if (due(Date.now()).length > 0 && patched('due-timers-fire-before-events')) fireDue();
    },

    /** The snapshot the case will be in once its due timers have fired: what an event is checked against. */
    snapshotAfterDue(): AnyMachineSnapshot {
      const now = Date.now();
      if (due(now).length === 0) return c.snapshot;
      let snap = c.snapshot;
      const pending = new Map([...timers.values()].map(({ spec }) => [spec.id, spec]));
      for (let i = 0; i < MAX_DUE_TIMERS; i++) {
        const [next] = [...pending.values()].filter((spec) => Date.parse(spec.dueAt) <= now).sort(byDueTime);
        if (!next || snap.status !== 'active') break;
        pending.delete(next.id);
        let result: StepResult;
        try {
          result = step(c.compiled, snap, next.event, now);
        } catch {
          break; // firing it for real opens an incident, and the case then refuses events
        }
        snap = result.snapshot;
        result.cancelTimers.forEach((id) => pending.delete(id));
        for (const spec of result.startTimers) {
          pending.delete(spec.id);
          pending.set(spec.id, spec);
        }
      }
      return snap;
    },

    /**
     * The running deadlines, as the status and the projection show them; one counted in business
     * days or hours past the end of the case's calendar says so (`beyondCalendar`).
     */
    /** The earliest running deadline (ISO), if any. */
    nextDueAt: (): string | undefined => {
      let next: TimerSpec | undefined;
      for (const { spec } of timers.values()) if (next === undefined || byDueTime(spec, next) < 0) next = spec;
      return next?.dueAt;
    },

    deadlines: () =>
      [...timers.values()].map(({ spec: { event: _event, ...deadline } }) => {
        const spec = ownValue(c.pinned.parsed.delays, deadline.delay);
        const counted = spec !== undefined && (spec.businessDays !== undefined || spec.businessHours !== undefined);
        const flag = counted ? beyondCoverage(c.calendar, Date.parse(deadline.dueAt)) : undefined;
        return flag === undefined ? deadline : { ...deadline, beyondCalendar: flag };
      }),

    /**
     * The due time of a running timer recounted on the case's current calendar, from the instant it
     * counted from (its `countedFrom`, or its `from` date in the context); undefined when neither is known.
     */
    recount(spec: TimerSpec): number | undefined {
      const delay = ownValue(c.pinned.parsed.delays, spec.delay);
      if (delay === undefined) return undefined;
      const context = c.snapshot.context as Record<string, unknown>;
      const scope = { data: {}, context, param: c.compiled.params, actor: undefined, now: 0 };
      const fromContext = delay.from?.startsWith('context.') ? delayBase(delay, scope) : undefined;
      const base = spec.countedFrom !== undefined ? Date.parse(spec.countedFrom) : fromContext;
      return delayDueFrom(delay, base, c.compiled.params, c.calendar, scope);
    },
    /** The timers to carry across continue-as-new. */
    specs: () => [...timers.values()].map((t) => t.spec),
  };
}
