/**
 * Driving complaint cases on Temporal, the same way for both implementations: start
 * the workflow, send the 7 human steps as `sendEvent` Updates (each returns once the
 * transition is stored), wait for the result.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { PublishedDefinition } from '../ports';
import type { Actor, CalendarData } from '../engine/types';
import { newCaseInput, sendEventUpdate, statusQuery, type SendEventRequest } from '../workflows/messages';
import type { HandwrittenInput } from './handwritten/complaint-workflow';

export type VariantName = 'docket' | 'handwritten';
export const VARIANTS: readonly VariantName[] = ['docket', 'handwritten'];

export interface Variant {
  name: VariantName;
  taskQueue: string;
  workflowType: string;
  args(caseId: string, input: Record<string, unknown>): unknown[];
}

const cs: Actor = { userId: 'amy', role: 'cs_agent' };
const handler: Actor = { userId: 'bob', role: 'handler' };

export function docketVariant(
  taskQueue: string,
  published: PublishedDefinition,
  calendar: CalendarData,
  continueAsNewAfter: number,
): Variant {
  return {
    name: 'docket',
    taskQueue,
    workflowType: 'caseWorkflow',
    // What DocketClient.startCase passes to a new case.
    args: (caseId, input) => [newCaseInput(caseId, published, calendar, input, cs, null, { continueAsNewAfter })],
  };
}

export function handwrittenVariant(taskQueue: string): Variant {
  return {
    name: 'handwritten',
    taskQueue,
    workflowType: 'handwrittenComplaintWorkflow',
    args: (caseId, input) => [{ caseId, input, startedBy: cs } satisfies HandwrittenInput],
  };
}

export function complaintInput(i: number): Record<string, unknown> {
  return {
    customer: `CUST-${1000 + i}`,
    contact: 'Ms Li, 138-0000-0000',
    channel: 'phone',
    content: 'The delivered cabinet has a cracked door.',
    category: 'product_quality',
    severity: 'high',
  };
}

export interface HumanStep {
  request: SendEventRequest;
  /** The state the case is in afterwards. */
  state: string;
}

export const ACCEPT = (promisedResponseBy: string): HumanStep => ({
  request: { type: 'ACCEPT', data: { department: 'after_sales', assignee: 'bob', promisedResponseBy }, actor: cs },
  state: 'investigating',
});
export const LOG_CONTACT: HumanStep = {
  request: { type: 'LOG_CONTACT', data: { channel: 'phone', summary: 'Called the customer' }, actor: handler },
  state: 'investigating',
};

/** The 7 human steps of a complaint from its acceptance to the customer's satisfaction. */
export function humanSteps(promisedResponseBy: string): HumanStep[] {
  return [
    ACCEPT(promisedResponseBy),
    LOG_CONTACT,
    {
      request: {
        type: 'SUBMIT_FINDINGS',
        data: { findings: 'Door cracked in transit', customerExpectation: 'Replacement' },
        actor: handler,
      },
      state: 'planning',
    },
    {
      request: { type: 'PROPOSE_RESOLUTION', data: { proposal: 'Replace the door', compensationAmount: 300 }, actor: handler },
      state: 'communicating',
    },
    { request: { type: 'CUSTOMER_ACCEPTED', data: {}, actor: cs }, state: 'executing' },
    { request: { type: 'RESOLUTION_EXECUTED', data: { summary: 'Door replaced' }, actor: handler }, state: 'followingUp' },
    { request: { type: 'CUSTOMER_SATISFIED', data: { score: 5, comment: 'Quick' }, actor: cs }, state: 'closed' },
  ];
}

/** Transition rows a driven case stores: its start and one per human step. */
export const TRANSITIONS_PER_CASE = 8;

/** A response promised a month from now: its deadlines are armed but never fall due during the benchmark. */
export function promisedResponseBy(): string {
  return new Date(Date.now() + 30 * 86_400_000).toISOString();
}

export async function startCase(client: Client, variant: Variant, caseId: string, i: number): Promise<WorkflowHandle> {
  return client.workflow.start(variant.workflowType, {
    workflowId: caseId,
    taskQueue: variant.taskQueue,
    args: variant.args(caseId, complaintInput(i)),
  });
}

/** No single request of the benchmark takes this long unless something is broken (a failing workflow task is retried forever). */
const STUCK_MS = 60_000;

export async function withTimeout<T>(promise: Promise<T>, what: string, ms = STUCK_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} took more than ${ms / 1000} s: is the workflow failing? (see the worker's log)`)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Sends one step and checks the state it leads to; returns the round trip in milliseconds. */
export async function send(handle: WorkflowHandle, step: HumanStep): Promise<number> {
  const t0 = performance.now();
  const result = await withTimeout(
    handle.executeUpdate(sendEventUpdate, { args: [{ ...step.request, caseId: handle.workflowId }] }),
    `${step.request.type} to ${handle.workflowId}`,
  );
  const ms = performance.now() - t0;
  if (result.state !== step.state)
    throw new Error(`${handle.workflowId}: ${step.request.type} led to "${result.state}", expected "${step.state}"`);
  return ms;
}

export interface DriveResult {
  caseIds: string[];
  seconds: number;
  /** Round trip of every Update, in milliseconds. */
  latenciesMs: number[];
}

/** Runs `fn` over 0..n-1 with at most `concurrency` at a time. */
export async function pool(n: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(concurrency, n)) }, async () => {
    while (next < n) {
      const i = next++;
      await fn(i);
    }
  });
  await Promise.all(lanes);
}

/** Sends one human step to a case and returns its round trip in milliseconds (`send`: a Temporal Update). */
export type StepSender = (handle: WorkflowHandle, step: HumanStep) => Promise<number>;

/**
 * Drives `n` complete cases with `concurrency` concurrent clients, each case start to result;
 * `sendStep` sends each human step (the Update by default; the HTTP API for Docket's steps through it).
 */
export async function driveCases(
  client: Client,
  variant: Variant,
  n: number,
  concurrency: number,
  idPrefix: string,
  sendStep: StepSender = send,
): Promise<DriveResult> {
  const caseIds: string[] = [];
  const latenciesMs: number[] = [];
  const steps = humanSteps(promisedResponseBy());
  const t0 = performance.now();
  await pool(n, concurrency, async (i) => {
    const caseId = `${idPrefix}-${i}`;
    caseIds.push(caseId);
    const handle = await startCase(client, variant, caseId, i);
    for (const step of steps) latenciesMs.push(await sendStep(handle, step));
    const result = (await withTimeout(handle.result(), `the result of ${caseId}`)) as { state?: string };
    if (result.state !== 'closed') throw new Error(`${caseId} ended in state "${result.state}", expected "closed"`);
  });
  return { caseIds, seconds: (performance.now() - t0) / 1000, latenciesMs };
}

/** Opens `n` cases and accepts each (so each waits in `investigating` with its deadlines armed). */
export async function openCases(client: Client, variant: Variant, n: number, concurrency: number, idPrefix: string): Promise<string[]> {
  const caseIds: string[] = [];
  const accept = ACCEPT(promisedResponseBy());
  await pool(n, concurrency, async (i) => {
    const caseId = `${idPrefix}-${i}`;
    caseIds.push(caseId);
    await send(await startCase(client, variant, caseId, i), accept);
  });
  return caseIds;
}

/**
 * Opens `n` cases, then times `queries` status Queries on each with `concurrency` concurrent
 * clients: the round trip of a Query answered from a cached workflow.
 */
export async function queryRoundTrips(
  client: Client,
  variant: Variant,
  n: number,
  queries: number,
  concurrency: number,
  idPrefix: string,
): Promise<number[]> {
  const handles = await Promise.all(Array.from({ length: n }, (_, i) => startCase(client, variant, `${idPrefix}-${i}`, i)));
  const latenciesMs: number[] = [];
  await pool(n, concurrency, async (i) => {
    for (let q = 0; q < queries; q++) {
      const t0 = performance.now();
      await withTimeout(handles[i]!.query(statusQuery), `the status of ${handles[i]!.workflowId}`);
      latenciesMs.push(performance.now() - t0);
    }
  });
  await Promise.all(handles.map((h) => h.terminate('benchmark done').catch(() => undefined)));
  return latenciesMs;
}
