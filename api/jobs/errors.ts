/** A job ran longer than the pool's time limit (or out of its memory) and was stopped. */
export class JobTooComplexError extends Error {
  override readonly name = 'JobTooComplexError';
}

/** Every thread of the pool is busy and its queue is full: try again shortly. */
export class JobPoolBusyError extends Error {
  override readonly name = 'JobPoolBusyError';
  constructor(
    message: string,
    /** Seconds after which a retry is likely to find room. */
    readonly retryAfter: number,
  ) {
    super(message);
  }
}
