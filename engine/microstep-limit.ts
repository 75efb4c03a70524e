import type { InspectionEvent, StateValue } from 'xstate';

/**
 * The microsteps one event (or the start of a case) may take: its own transition, then each
 * eventless one (`always`, a parent's `onDone`) that follows. The shipped definitions take at
 * most a handful; XState itself would loop forever on a cycle of eventless transitions.
 */
export const MICROSTEP_LIMIT = 100;

/** An event (or a start) that did not come to rest within `MICROSTEP_LIMIT` microsteps: nothing was applied. */
export class MicrostepLimitError extends Error {
  override readonly name = 'MicrostepLimitError';
  constructor(
    /** The event's type (`xstate.init` for a start). */
    readonly event: string,
    /** The last states passed through, oldest first. */
    readonly states: string[],
    readonly limit: number = MICROSTEP_LIMIT,
  ) {
    super(
      `${event === 'xstate.init' ? 'the start of the case' : event} did not come to rest within ${limit} steps (it kept passing through ${states.join(' → ')}) — the definition loops through eventless ("always"/"onDone") transitions; publish a version that passes the linter, which refuses such loops`,
    );
  }
}

const RECENT = 6;

/**
 * Counts the microsteps of one transition from XState's `@xstate.microstep` inspection events
 * and throws `MicrostepLimitError` from the one past the limit, which stops XState's loop. Call
 * `reset()` before every transition; transitions are synchronous, so one counter per machine
 * serves every call and gives the same result on every replay.
 */
export class MicrostepCounter {
  private count = 0;
  private event = '';
  private readonly recent: StateValue[] = [];

  constructor(private readonly describe: (value: StateValue) => string) {}

  reset(event: string): void {
    this.count = 0;
    this.event = event;
    this.recent.length = 0;
  }

  readonly inspect = (inspection: InspectionEvent): void => {
    if (inspection.type !== '@xstate.microstep') return;
    this.count++;
    const value = (inspection.snapshot as { value?: StateValue }).value;
    if (value !== undefined) {
      if (this.recent.length === RECENT) this.recent.shift();
      this.recent.push(value);
    }
    if (this.count > MICROSTEP_LIMIT) throw new MicrostepLimitError(this.event, this.recent.map(this.describe));
  };
}
