/**
 * Docket's refusal vocabulary, one list for the engine, the workflow, the client, the API and the
 * CLI: every error code with the HTTP status the API answers it with, and whether it is a refusal
 * (the request was understood and turned down; nothing changed, and the CLI exits 2).
 */
import { ownValue } from './own';

interface CodeSpec {
  status: number;
  refusal: boolean;
}

export const DOCKET_CODES = {
  UnknownProcess: { status: 404, refusal: true },
  UnknownEvent: { status: 400, refusal: true },
  Forbidden: { status: 403, refusal: true },
  ValidationError: { status: 422, refusal: true },
  NotAllowedInState: { status: 409, refusal: true },
  ConditionNotMet: { status: 409, refusal: true },
  CaseClosed: { status: 409, refusal: true },
  // The definition would step forever on this event (a loop of eventless transitions).
  StepLimitExceeded: { status: 422, refusal: true },
  CaseNotFound: { status: 404, refusal: true },
  // A case names a customer with no record while records are required (DOCKET_REQUIRE_CUSTOMER_RECORD).
  UnknownCustomer: { status: 422, refusal: true },
  RequestIdReused: { status: 409, refusal: true },
  // Incidents: a case with an open incident takes no actions; a retry needs an open incident.
  CaseHasIncident: { status: 409, refusal: true },
  NoIncident: { status: 409, refusal: true },
  // A start, action or signal that no Docket client signed (sent to Temporal directly).
  Unauthenticated: { status: 401, refusal: true },
  // Definition lifecycle and migration.
  UnknownVersion: { status: 404, refusal: true },
  UnknownParameter: { status: 404, refusal: true },
  NoDraft: { status: 404, refusal: true },
  InvalidDefinition: { status: 422, refusal: true },
  DefinitionImmutable: { status: 409, refusal: true },
  UnknownState: { status: 409, refusal: true },
  MigrationBlocked: { status: 409, refusal: true },
  // Business calendars: a case already counts on this version (or a newer one); a calendar file that is not valid.
  CalendarCurrent: { status: 409, refusal: true },
  InvalidCalendar: { status: 422, refusal: true },
  // People's work: only the assignee may send this; not this approver's turn; the definition or the actor's part does not allow the
  // operation; a remind sooner than the definition's interval; a named user that does not exist or lacks the role.
  NotAssignee: { status: 403, refusal: true },
  NotYourTurn: { status: 403, refusal: true },
  OperationNotAllowed: { status: 409, refusal: true },
  TooSoon: { status: 429, refusal: true },
  UnknownUser: { status: 422, refusal: true },
  // Auditors' sampling: no such draw; the case is not in the draw; the process has no checklist; a review that does not
  // answer the checklist. The case library: no such entry; a case the library does not take; a payload names an entry that is not in it.
  SampleNotFound: { status: 404, refusal: true },
  NotInSample: { status: 404, refusal: true },
  NoChecklist: { status: 422, refusal: true },
  EntryNotFound: { status: 404, refusal: true },
  NotForLibrary: { status: 422, refusal: true },
  AlreadyInLibrary: { status: 409, refusal: true },
  UnknownLibraryEntry: { status: 422, refusal: true },
  // Accepted, but an effect failed for good: the case shows an incident until an operator retries it.
  IncidentOpened: { status: 503, refusal: false },
} as const satisfies Record<string, CodeSpec>;

export type DocketCode = keyof typeof DOCKET_CODES;

/** The codes of refusals: the request was turned down and nothing changed. */
export type RefusalCode = { [C in DocketCode]: (typeof DOCKET_CODES)[C]['refusal'] extends true ? C : never }[DocketCode];

export const REFUSAL_CODES = Object.entries(DOCKET_CODES)
  .filter(([, spec]) => spec.refusal)
  .map(([code]) => code as RefusalCode);

/** True when `code` names a refusal (nothing changed). */
export function isRefusalCode(code: string): code is RefusalCode {
  return ownValue(DOCKET_CODES, code)?.refusal === true;
}

/** The HTTP status the API answers a Docket code with; undefined for a code not in the vocabulary. */
export function httpStatusOf(code: string): number | undefined {
  return ownValue(DOCKET_CODES, code)?.status;
}

/** One problem with a value: where (a dotted path, '' for the value itself) and what is wrong. */
export interface Issue {
  path: string;
  message: string;
}

/** A refusal as data: its code, a message that says what to fix, and the problems found, when there are several. */
export interface Refusal {
  code: RefusalCode;
  message: string;
  issues?: unknown[];
}

/** Builds a refusal; `issues` is left out when there are none. */
export function refusal(code: RefusalCode, message: string, issues?: unknown[]): Refusal {
  return issues === undefined ? { code, message } : { code, message, issues };
}

/** Issues whose paths are lists of keys (zod's, the JSON Schema validator's) with dotted paths, below `root` when given. */
export function toIssues(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>, root?: string): Issue[] {
  return issues.map((i) => ({ path: (root === undefined ? i.path : [root, ...i.path]).map(String).join('.'), message: i.message }));
}

/** The issues as one line of a message: `data.amount: expected number; data.note: is required`, the message alone where the path is ''. */
export function describeIssues(issues: readonly Issue[]): string {
  return issues.map((i) => (i.path === '' ? i.message : `${i.path}: ${i.message}`)).join('; ');
}
