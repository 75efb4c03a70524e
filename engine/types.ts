/**
 * Shared contracts between the pure engine, the workflow, the activities and the
 * clients. Everything here is plain data (JSON-serialisable) so it can cross the
 * Temporal boundary unchanged.
 */
import type { WorkView } from './work-types';

/** Who sent an event: a user acting in one role. `system` is the engine itself (timers). */
export interface Actor {
  userId: string;
  role: string;
  /** Set when the user acts as an out-of-office delegate: the user whose task it is (the API vouches for it). */
  onBehalfOf?: string;
}

export const SYSTEM_ACTOR: Actor = { userId: 'system', role: 'system' };

/**
 * A business calendar: which local days are working days and which hours of them
 * count as business hours. Pinned into each case at its start so that a later
 * change of the calendar never moves a running case's deadlines.
 */
export interface CalendarData {
  /** A name for the calendar, e.g. `cn`. */
  id: string;
  /** IANA time zone the local dates and hours are read in, e.g. `Asia/Shanghai`. */
  timeZone: string;
  /** ISO weekdays that are normally worked (1 = Monday … 7 = Sunday). */
  workingWeekdays: number[];
  /** Local business hours of a working day, `HH:MM` 24-hour clock. */
  workingHours: { start: string; end: string };
  /** Local dates (`YYYY-MM-DD`) that are public holidays (never worked). */
  holidays: string[];
  /** Local dates (`YYYY-MM-DD`) worked although they fall on a weekend (make-up days, 调休). */
  workingDays: string[];
  /** The first and last local dates whose holidays and make-up days the calendar lists; beyond them only weekdays count. */
  coversFrom?: string;
  coversUntil?: string;
  /** The published version (`docket.calendar_versions`); absent in calendars pinned before calendars had versions. */
  version?: number;
}

/** A deadline armed in a case: a durable timer that raises `event` at `dueAt`. */
export interface Deadline {
  /** XState's id for the delayed event, stable across continue-as-new. */
  id: string;
  /** The delay's name in the definition (e.g. `investigationDue`). */
  delay: string;
  /** The state that armed it. */
  state: string;
  /** ISO timestamp. */
  dueAt: string;
  /** The instant the delay counts from (ISO): a new calendar version recomputes the due time from it. */
  countedFrom?: string;
  /** Set when the due time lies beyond the calendar's coverage, e.g. `counted on weekends only: the calendar ends 2026-12-31`. */
  beyondCalendar?: string;
}

export type NotificationKind = 'reminder' | 'escalation' | 'info';

/** A message for people: emitted by a definition's `notify` action, delivered by a Notifier. */
export interface Notification {
  /** Idempotency key: `${caseId}:${seq}:${index}`. Delivering the same id twice sends once. */
  id: string;
  caseId: string;
  processId: string;
  kind: NotificationKind;
  /** Recipients: a role (everyone holding it for this case's process) and/or a user id. */
  to: Array<{ role?: string; userId?: string }>;
  /** Template name from the definition, e.g. `investigationOverdue`. */
  template: string;
  /** Subject lines in each language. */
  subject: { en: string; 'zh-CN': string };
  /** The case state the notification was raised in and any data the template names. */
  data: Record<string, unknown>;
  /** ISO timestamp (workflow time) when it was raised. */
  createdAt: string;
}

export type CaseStatus = 'open' | 'completed';

/** One row of a case's append-only transition log. */
export interface TransitionRecord {
  caseId: string;
  /** 0 for the start of the case, then 1, 2, … one per applied event. */
  seq: number;
  processId: string;
  definitionVersion: number;
  definitionHash: string;
  /** The event type (`ACCEPT`, …), `xstate.init` for the start, `after:<delay>` for a deadline. */
  event: string;
  payload: Record<string, unknown>;
  actor: Actor;
  requestId: string | null;
  /** Dotted state value before (null at the start) and after the event. */
  fromState: string | null;
  toState: string;
  status: CaseStatus;
  /** ISO timestamp (workflow time). */
  at: string;
  /** What the case waits on after this transition, person by person (definitions with tasks); kept on the case row for inboxes. */
  work?: WorkView;
}

/** The read model of a case, kept up to date after every transition. */
export interface CaseProjection {
  caseId: string;
  processId: string;
  definitionVersion: number;
  definitionHash: string;
  customerId: string;
  state: string;
  status: CaseStatus;
  context: Record<string, unknown>;
  deadlines: Deadline[];
  /** The seq of the last transition applied; a projection never goes backwards. */
  lastSeq: number;
  openedAt: string;
  updatedAt: string;
  closedAt: string | null;
  /** What the case waits on now, person by person (absent in projections stored before cases had tasks). */
  work?: WorkView;
  /**
   * The roles that may act on the case now, guards decided on its data (./actionable-roles.ts); absent
   * in projections made before it was recorded (the inbox then goes by the state alone).
   */
  actionableRoles?: string[];
  /**
   * An escalation was raised since the case entered its current state (the case is overdue); absent
   * in projections made before it was recorded (taken as false).
   */
  escalated?: boolean;
}
