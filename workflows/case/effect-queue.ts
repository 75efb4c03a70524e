/**
 * The ordered queue of a case's effects: rows are stored strictly in sequence order and
 * notifications follow their row; a run ends (or continues as new) only once it is empty.
 */
export interface EffectQueue {
  /** The last effect queued: the next one starts when it has finished. */
  chain: Promise<void>;
  /** Effects queued and not finished. */
  pending: number;
  /** Automatic steps (task activities) under way. */
  pendingTasks: number;
}

export function createEffectQueue(): EffectQueue {
  return { chain: Promise.resolve(), pending: 0, pendingTasks: 0 };
}
