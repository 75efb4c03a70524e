import { DocketError } from '../client/docket-client';
import { AppendOnlyViolationError, ConflictError, InvalidDataError, StoreError } from '../adapters/postgres/errors';
import { DiagramTooLargeError } from '../diagram/limits';
import { JobPoolBusyError, JobTooComplexError } from './jobs/errors';
import { DOCKET_CODES, httpStatusOf, type DocketCode, type RefusalCode } from '../engine/refusals';

/** The codes the API answers with beside the engine's (engine/refusals.ts). */
const API_CODES = [
  'InvalidRequest',
  'InvalidJson',
  'InvalidUtf8',
  'TooDeep',
  'PayloadTooLarge',
  'UnsupportedMediaType',
  'NotFound',
  'MethodNotAllowed',
  'RoleRequired',
  'TooManyRequests',
  'UserNotFound',
  'UserExists',
  'TokenNotFound',
  'CannotDisableSelf',
  'PrivilegedUserHasToken',
  'Conflict',
  'InvalidData',
  'AppendOnly',
  'TooComplex',
  'Busy',
  'Unavailable',
  'Internal',
] as const;

/** Every `error.code` the API answers with (listed as an enum in the OpenAPI document). */
export type ErrorCode = DocketCode | (typeof API_CODES)[number];

export const ERROR_CODES: readonly ErrorCode[] = [...(Object.keys(DOCKET_CODES) as DocketCode[]), ...API_CODES];

/** An error the API answers with: an HTTP status, a stable code and a message that says what to fix. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly issues?: unknown,
    /** Seconds, sent as `Retry-After` (with 503). */
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

/** Codes that are written to the security log when an event or a start is refused with them. */
export const SECURITY_CODES: ReadonlySet<string> = new Set<RefusalCode>([
  'Forbidden',
  'NotAllowedInState',
  'CaseClosed',
  'ConditionNotMet',
  'RequestIdReused',
]);

export interface ErrorBody {
  error: { code: ErrorCode; message: string; issues?: unknown; requestId?: string };
}

/** Maps anything thrown by a handler to the status and body the API answers with. Unknown errors say nothing internal. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof DocketError) {
    const status = httpStatusOf(err.code);
    // A code with a status is one of the engine's.
    if (status !== undefined) return new ApiError(status, err.code as DocketCode, err.message, err.issues);
  }
  if (err instanceof ConflictError) return new ApiError(409, 'Conflict', err.message);
  if (err instanceof InvalidDataError) return new ApiError(400, 'InvalidData', err.message);
  if (err instanceof AppendOnlyViolationError) return new ApiError(409, 'AppendOnly', err.message);
  if (err instanceof StoreError && err.retryable) return new ApiError(503, 'Unavailable', 'the database is unavailable; try again shortly');
  if (err instanceof JobTooComplexError || err instanceof DiagramTooLargeError) {
    return new ApiError(
      422,
      'TooComplex',
      `${err.message}: make the definition smaller (fewer states and transitions), or split it into subprocesses`,
    );
  }
  if (err instanceof JobPoolBusyError) {
    return new ApiError(503, 'Busy', `${err.message}; try again in ${err.retryAfter} s`, undefined, err.retryAfter);
  }
  // The error handler logs every 500 with its request id, which the answer carries too.
  return new ApiError(500, 'Internal', 'an internal error occurred; it has been logged');
}
