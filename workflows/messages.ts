import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Actor, CalendarData, CaseStatus, Deadline } from '../engine/types';
import type { TimerSpec } from '../engine/step';
import type { MigrationBlocker } from '../engine/migration-plan';
import type { WorkView } from '../engine/work-types';

/**
 * Set by a worker on a start input, action or signal that no Docket client or worker signed
 * (security/vouch-codec.ts): someone reached Temporal directly, and the case refuses it.
 */
export const UNVOUCHED = '$unvouched';

/** Whether a message arrived without the signature of a Docket client or worker. */
export function unvouched(message: unknown): boolean {
  return message !== null && typeof message === 'object' && (message as Record<string, unknown>)[UNVOUCHED] === true;
}

/** Everything a case needs, pinned at its start: the definition version and the calendar. */
export interface CaseWorkflowInput {
  caseId: string;
  /** The definition as published (JSON); the case runs on it to its end. */
  definition: unknown;
  definitionVersion: number;
  definitionHash: string;
  calendar: CalendarData;
  input: Record<string, unknown>;
  startedBy: Actor;
  requestId: string | null;
  /** The published versions of the processes this one runs as sub-processes (and theirs), pinned at the start like the definition. */
  subprocessDefinitions?: Record<string, PinnedDefinition>;
  /** Set when this case runs as a sub-process of another case: the parent is told when it finishes. */
  parent?: ParentLink;
  /** Continue-as-new once the run's history has this many events (default 2000). */
  continueAsNewAfter?: number;
  /** Set by continue-as-new: where the previous run stopped. */
  carried?: CarriedState;
}

/** A new case's workflow input: the published version and calendar pinned, the start input and who started it. */
export function newCaseInput(
  caseId: string,
  published: { raw: unknown; version: number; hash: string },
  calendar: CalendarData,
  input: Record<string, unknown>,
  startedBy: Actor,
  requestId: string | null,
  more: Pick<CaseWorkflowInput, 'subprocessDefinitions' | 'continueAsNewAfter'> = {},
): CaseWorkflowInput {
  return {
    caseId,
    definition: published.raw,
    definitionVersion: published.version,
    definitionHash: published.hash,
    calendar,
    input,
    startedBy,
    requestId,
    ...more,
  };
}

/** A published definition version, as a case pins it. */
export interface PinnedDefinition {
  definition: unknown;
  definitionVersion: number;
  definitionHash: string;
}

/** Where a sub-process case belongs: its parent case, the invoke that started it and its key there. */
export interface ParentLink {
  caseId: string;
  invokeId: string;
  key: string;
}

/** A sub-process case started by this case. */
export interface ChildCase {
  invokeId: string;
  /** The invocation it belongs to (a state entered again starts a new one). */
  generation: number;
  key: string;
  caseId: string;
  processId: string;
  status: CaseStatus;
  /** True once its workflow has started (only started ones are listed in the status). */
  started?: boolean;
  /** Its final state and context, once it is finished. */
  state?: string;
  context?: Record<string, unknown>;
}

/** What a sub-process case tells its parent when it finishes. */
export interface SubprocessDone {
  invokeId: string;
  key: string;
  caseId: string;
  state: string;
  context: Record<string, unknown>;
}

export interface CarriedState {
  snapshot: unknown;
  seq: number;
  timers: TimerSpec[];
  requests: Array<[string, RememberedRequest]>;
  openedAt: string;
  updatedAt: string;
  runs: number;
  /** How many incidents earlier runs opened (incident ids count on from there). */
  incidentCount?: number;
  /** Sub-process cases, the invocations under way (id → generation) and how many times each invoke ran. */
  children?: ChildCase[];
  activeInvokes?: Array<[string, number]>;
  invokeCounts?: Array<[string, number]>;
}

export interface RememberedRequest {
  fingerprint: string;
  result: SendResult;
}

export interface SendEventRequest {
  /** The case the request was made for (a signed request is good for that case only). */
  caseId?: string;
  type: string;
  data?: Record<string, unknown>;
  actor: Actor;
  /** A client-chosen id: sending the same request id again applies the event once. */
  requestId?: string;
}

export interface SendResult {
  caseId: string;
  seq: number;
  state: string;
  status: CaseStatus;
}

export interface CaseStatusView {
  caseId: string;
  processId: string;
  definitionVersion: number;
  definitionHash: string;
  state: string;
  status: CaseStatus;
  context: Record<string, unknown>;
  deadlines: Deadline[];
  /** Events the asking role may send now (all accepted events when no role is given). */
  allowedEvents: string[];
  seq: number;
  /** The last seq whose log row is stored (rows are stored in order; it trails `seq` by at most a moment). */
  storedSeq: number;
  /** Sub-process cases this case started (their own events go to them, or to this case with the invoke's routing field). */
  children: Array<Omit<ChildCase, 'context' | 'generation' | 'started'>>;
  /** The case this one runs under, when it is a sub-process. */
  parent?: ParentLink;
  /** Effects that failed for good and wait for an operator's retry; while one is open the case accepts no events. */
  incidents: Incident[];
  openedAt: string;
  updatedAt: string;
  /** What the case waits on, person by person (its tasks, assignees, approvers, cc); empty lists for a definition without tasks. */
  work?: WorkView;
}

/** The kinds of effect a case runs; each is one activity type (`transition` is the engine's own step of a timer or task result). */
export type EffectKind = 'persistTransition' | 'notify' | 'runTask' | 'startChild' | 'transition';

/**
 * An effect of a case that failed for good (a non-retryable failure): the case holds
 * that effect, and everything queued behind it, until an operator retries it.
 */
export interface Incident {
  /** `<caseId>:incident:<n>`, stable across retries of the same effect. */
  id: string;
  caseId: string;
  processId: string;
  effect: EffectKind;
  /** The transition (log seq) the effect belongs to, when it belongs to one. */
  seq: number | null;
  /** What the effect was doing, in words (e.g. `store transition 3 (ACCEPT)`). */
  description: string;
  error: { type: string; message: string };
  /** How many times the effect has failed for good so far (1 when the incident opens). */
  attempts: number;
  openedAt: string;
  /** Set once a retry succeeded. */
  resolvedAt?: string;
  resolvedBy?: string;
}

export interface RetryIncidentsRequest {
  /** The case the request was made for. */
  caseId?: string;
  actor: Actor;
  /** One incident to retry; all open incidents of the case when omitted. */
  incidentId?: string;
}

export interface RetryIncidentsResult {
  caseId: string;
  /** Incidents whose effect succeeded on this retry. */
  resolved: string[];
  /** Incidents whose effect failed again (with the new error). */
  open: Incident[];
}

export const sendEventUpdate = defineUpdate<SendResult, [SendEventRequest]>('sendEvent');
/**
 * The case's status; given a role, the events it may send now, and given the user too (and whom a
 * delegate acts for), only those that user may send (an assignee's, an approver's turn).
 */
export const statusQuery = defineQuery<CaseStatusView, [string?, StatusAsker?]>('status');

/** Who asks for a status, beyond their role. */
export interface StatusAsker {
  userId: string;
  onBehalfOf?: string;
}
export const definitionQuery = defineQuery<unknown>('definition');
export const subprocessDoneSignal = defineSignal<[SubprocessDone]>('subprocessDone');
/** An operator retries a case's incidents once their cause is fixed. */
export const retryIncidentsUpdate = defineUpdate<RetryIncidentsResult, [RetryIncidentsRequest]>('retryIncidents');

/** Moves a running case to another published version of its definition (a process owner's decision). */
export interface MigrateCaseRequest {
  /** The case the request was made for. */
  caseId?: string;
  definition: unknown;
  definitionVersion: number;
  definitionHash: string;
  /** Old state path → new state path, for states the new version removes or renames. */
  mapping?: Record<string, string>;
  /** When the case entered its current state (from its transition log): deadlines of a state it stays in count from then. */
  stateEnteredAt?: string;
  actor: Actor;
}

export interface MigrateResult {
  caseId: string;
  seq: number;
  fromVersion: number;
  toVersion: number;
  fromState: string;
  state: string;
  status: CaseStatus;
  deadlines: Deadline[];
}

/** The details of a refused migration: every blocker found. */
export type MigrationRefusalDetails = MigrationBlocker[];

export const migrateCaseUpdate = defineUpdate<MigrateResult, [MigrateCaseRequest]>('migrateCase');

/** A newer published version of the case's calendar: the case recomputes its running deadlines on it. */
export interface AdoptCalendarRequest {
  /** The case the request was made for. */
  caseId?: string;
  /** The published version, with its `version` set. */
  calendar: CalendarData;
  actor: Actor;
}

/** A running deadline that a calendar adoption moved. */
export interface MovedDeadline {
  id: string;
  delay: string;
  state: string;
  from: string;
  to: string;
}

export interface AdoptCalendarResult {
  caseId: string;
  seq: number;
  calendarId: string;
  fromVersion: number;
  toVersion: number;
  /** False when the case counted on this version (or a newer one) already: nothing changed. */
  adopted: boolean;
  moved: MovedDeadline[];
}

/** Tells an open case about a newer version of its calendar (sent for every open case when one is published). */
export const adoptCalendarUpdate = defineUpdate<AdoptCalendarResult, [AdoptCalendarRequest]>('adoptCalendar');
