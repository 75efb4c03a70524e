import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { addBusinessDays } from '../../engine/calendar/business-days';
import { addBusinessHours } from '../../engine/calendar/business-hours';
import type { Actor, CalendarData } from '../../engine/types';
import type { CaseStatusView } from '../../workflows/messages';
import type { Harness } from './harness';

/**
 * What a driver's sample functions see: the time the event is sent at, the case's context
 * and state, and the definition's parameter values. The model calls them with model time;
 * the runtime test calls them again, with workflow time and the live case's context, and
 * picks the sample with the same label, so dates in payloads keep their meaning.
 */
export interface SampleContext {
  /** Epoch ms the event is sent at. */
  now: number;
  state: string;
  context: Record<string, unknown>;
  params: Record<string, unknown>;
  calendar: CalendarData;
}

/** One way to start a case. */
export interface StartSample {
  label: string;
  input: Record<string, unknown>;
  actor: Actor;
}

/** One payload of an event, sent by `actor`. Several per event when guards branch on the data. */
export interface EventSample {
  label: string;
  data: Record<string, unknown>;
  actor: Actor;
}

/** Everything the runtime test has at hand while it drives one case. */
export interface RunContext {
  harness: Harness;
  env: TestWorkflowEnvironment;
  calendar: CalendarData;
  caseId: string;
  status: CaseStatusView;
}

/** An invoked set of sub-process cases: the output the parent's done event carries, and how to finish the children. */
export interface SubprocessDriver {
  /** The `output` of `xstate.done.actor.<id>` once every child is complete, for the parent's context. */
  output(ctx: SampleContext): unknown;
  /** Drives every child case to completion (events go through DocketClient.send on the parent case). */
  complete(run: RunContext): Promise<void>;
}

/** What a launch needs: the harness and the start sample the path begins with. */
export interface LaunchContext {
  harness: Harness;
  env: TestWorkflowEnvironment;
  calendar: CalendarData;
  sample: StartSample;
}

/** A case started by a parent case: its id, and the case its events are sent to (the parent routes them). */
export interface Launched {
  caseId: string;
  sendTo: string;
}

/**
 * The sample data one process needs for model-based tests: how to start a case and, per
 * declared event, payloads that pass its schema, sent in a role the definition allows.
 * Drivers live in test/definitions/drivers/<process>.ts and export `driver`.
 */
export interface ModelDriver {
  start(ctx: SampleContext): StartSample[];
  events: Record<string, (ctx: SampleContext) => EventSample[]>;
  /**
   * The output an automatic task (by its name in the definition's `tasks`) produces for a
   * context: what the real activity computes, so the model routes as the runtime does.
   */
  tasks?: Record<string, (ctx: SampleContext) => unknown>;
  /** Sub-processes, by their name in the definition's `subprocesses`. */
  subprocesses?: Record<string, SubprocessDriver>;
  /**
   * For a process that runs only as a sub-process (no role may start it): starts a parent case and
   * drives it until the sub-process case for `sample` runs. Its start sample's actor is the system.
   */
  launch?(ctx: LaunchContext): Promise<Launched>;
  /**
   * The part of the context that makes two model states different (besides the state and
   * the armed deadlines). Defaults to the context fields the definition's guards and tasks read;
   * override it when one of those grows without bound.
   */
  stateKey?(context: Record<string, unknown>): unknown;
}

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** ISO text of an instant. */
export const iso = (t: number): string => new Date(t).toISOString();

/** `n` business days after (or, negative, before) `from`, in the case's calendar. */
export const businessDaysFrom = (ctx: SampleContext, n: number, from = ctx.now): string => iso(addBusinessDays(ctx.calendar, from, n));

/** `n` business hours after `from`, in the case's calendar. */
export const businessHoursFrom = (ctx: SampleContext, n: number, from = ctx.now): string => iso(addBusinessHours(ctx.calendar, from, n));

/** Polls `read` until `done` holds (every 100 ms, up to `timeoutMs`). */
export async function waitUntil<T>(read: () => Promise<T>, done: (v: T) => boolean, what: string, timeoutMs = 60_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A parameter's value as a number; a driver fails loudly when a definition renames it. */
export function numberParam(ctx: SampleContext, name: string): number {
  const value = ctx.params[name];
  if (typeof value !== 'number')
    throw new Error(`the definition has no number parameter "${name}" (parameters: ${Object.keys(ctx.params).join(', ')})`);
  return value;
}
