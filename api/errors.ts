import { DocketError } from '../client/docket-client';
import { AppendOnlyViolationError, ConflictError, InvalidDataError, StoreError } from '../adapters/postgres/errors';
import { DiagramTooLargeError } from '../diagram/limits';
import { JobPoolBusyError, JobTooComplexError } from './jobs/errors';
import { ownValue } from '../engine/own';

/** An error the API answers with: an HTTP status, a stable code and a message that says what to fix. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues?: unknown,
    /** Seconds, sent as `Retry-After` (with 503). */
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

/** HTTP status of each DocketError code (refusals of the engine and the client). */
export const STATUS_OF_CODE: Record<string, number> = {
  UnknownProcess: 404,
  CaseNotFound: 404,
  UnknownEvent: 400,
  Forbidden: 403,
  ValidationError: 422,
  NotAllowedInState: 409,
  ConditionNotMet: 409,
  CaseClosed: 409,
  RequestIdReused: 409,
  Unauthenticated: 401,
  CaseHasIncident: 409,
  NoIncident: 409,
  // Accepted, but an effect failed for good: the case shows an incident until an operator retries it.
  IncidentOpened: 503,
  // The definition would step forever on this event (a loop of eventless transitions).
  StepLimitExceeded: 422,
  // Definition lifecycle.
  UnknownVersion: 404,
  UnknownParameter: 404,
  NoDraft: 404,
  InvalidDefinition: 422,
  DefinitionImmutable: 409,
  UnknownState: 409,
  MigrationBlocked: 409,
};

/** Codes that are written to the security log when an event or a start is refused with them. */
export const SECURITY_CODES = new Set(['Forbidden', 'NotAllowedInState', 'CaseClosed', 'ConditionNotMet', 'RequestIdReused']);

export interface ErrorBody {
  error: { code: string; message: string; issues?: unknown; requestId?: string };
}

/** Maps anything thrown by a handler to the status and body the API answers with. Unknown errors say nothing internal. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof DocketError) {
    const status = ownValue(STATUS_OF_CODE, err.code);
    if (status !== undefined) return new ApiError(status, err.code, err.message, err.issues);
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
