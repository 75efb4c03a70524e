/**
 * Typed errors of the PostgreSQL adapters. Database failures are classified by
 * their SQLSTATE (`err.code`), never by message text, so callers can decide
 * whether to retry.
 */

/** SQLSTATE raised by the append-only trigger on `docket.transitions`. */
export const APPEND_ONLY_SQLSTATE = 'DKT01';

export class StoreError extends Error {
  /** Whether trying the same operation again may succeed. */
  readonly retryable: boolean;
  /** The SQLSTATE or Node error code that caused it, if any. */
  readonly code: string | undefined;

  constructor(message: string, opts: { retryable: boolean; code?: string; cause?: unknown }) {
    super(message, { cause: opts.cause });
    this.name = new.target.name;
    this.retryable = opts.retryable;
    this.code = opts.code;
  }
}

/**
 * A write that contradicts what is stored: a transition with an existing
 * (caseId, seq) but other content, or a unique violation (23505).
 */
export class ConflictError extends StoreError {
  readonly caseId: string | undefined;
  readonly seq: number | undefined;
  /** Names of the fields that differ, when known. */
  readonly fields: string[];

  constructor(message: string, opts: { caseId?: string; seq?: number; fields?: string[]; code?: string; cause?: unknown } = {}) {
    super(message, { retryable: false, code: opts.code, cause: opts.cause });
    this.caseId = opts.caseId;
    this.seq = opts.seq;
    this.fields = opts.fields ?? [];
  }
}

/** A failure that may pass: trying the same operation again may succeed. */
export abstract class TransientStoreError extends StoreError {
  constructor(message: string, opts: { code?: string; cause?: unknown } = {}) {
    super(message, { retryable: true, ...opts });
  }
}

/** A failure that trying again will not mend. */
export abstract class PermanentStoreError extends StoreError {
  constructor(message: string, opts: { code?: string; cause?: unknown } = {}) {
    super(message, { retryable: false, ...opts });
  }
}

/** Serialization failure (40001) or deadlock (40P01): retry the transaction. */
export class SerializationError extends TransientStoreError {}

/** The database could not be reached or went away (08xxx, 57P0x, 53300, ECONNREFUSED, …). */
export class ConnectionError extends TransientStoreError {}

/** A lock or statement timeout or a cancelled query (55P03, 57014): may succeed later. */
export class TimeoutError extends TransientStoreError {}

/** Data refused by a constraint or type (class 22, 23 other than 23505). */
export class InvalidDataError extends PermanentStoreError {}

/** An attempt to change or remove rows of the append-only transition log. */
export class AppendOnlyViolationError extends PermanentStoreError {}

/** A migration could not be applied, or an applied one was changed afterwards. */
export class MigrationError extends PermanentStoreError {}

/** Any other database error. */
export class DatabaseError extends PermanentStoreError {}

const NODE_CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * Turns an error thrown by `pg` into one of the typed errors above. Errors that
 * are already typed, and errors without a recognisable code, are returned as they
 * are (the latter wrapped in `DatabaseError` only when they carry a SQLSTATE).
 */
export function mapPgError(err: unknown, context?: string): unknown {
  if (err instanceof StoreError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return err;
  const detail = err instanceof Error ? err.message : String(err);
  const message = context !== undefined ? `${context}: ${detail}` : detail;
  const opts = { code, cause: err };

  if (NODE_CONNECTION_CODES.has(code)) return new ConnectionError(message, opts);
  if (!/^[0-9A-Z]{5}$/.test(code)) return err;

  if (code === APPEND_ONLY_SQLSTATE) return new AppendOnlyViolationError(message, opts);
  if (code === '23505') return new ConflictError(message, opts);
  if (code === '40001' || code === '40P01') return new SerializationError(message, opts);
  if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300') {
    return new ConnectionError(message, opts);
  }
  if (code === '55P03' || code === '57014' || code === '25P03') return new TimeoutError(message, opts);
  if (code.startsWith('22') || code.startsWith('23')) return new InvalidDataError(message, opts);
  return new DatabaseError(message, opts);
}
