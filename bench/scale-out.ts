/**
 * Scale-out: Docket's case workflow with one worker process and with two worker processes polling
 * one task queue, on the same servers, in alternating rounds (1 2, 2 1, …) after a warm-up of each.
 * After every round the transition log is checked: each case stored each of its transitions exactly
 * once and reached its end state. Temporal records the identity of the worker that ran each
 * workflow task, so the cases' histories say how the work was spread over the processes. Last, a
 * handover: cases begun with two processes, one process stopped halfway, the other one finishing them.
 */
import os from 'node:os';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { decodeTimeoutType } from '@temporalio/common';
import type { Pool } from 'pg';
import {
  driveCases,
  humanSteps,
  pool,
  promisedResponseBy,
  send,
  startCase,
  TRANSITIONS_PER_CASE,
  withTimeout,
  type Variant,
} from './cases';
import type { BenchOptions } from './options';
import { ratio, round } from './stats';
import type { WorkerSpec } from './worker-process';
import type { WorkerProcess } from './workers';

export type Setup = 'oneWorker' | 'twoWorkers';
export const SETUPS: readonly Setup[] = ['oneWorker', 'twoWorkers'];
export type PerSetup<T> = Record<Setup, T>;
export const SETUP_LABEL: PerSetup<string> = { oneWorker: '1 worker', twoWorkers: '2 workers' };

/** The event type of a case's first transition (engine/types.ts). */
const START_EVENT = 'xstate.init';
/** Cases in the handover (fewer when the rounds are smaller), and the human steps each takes before one process stops. */
const HANDOVER_CASES = 20;
const STEPS_BEFORE_HANDOVER = 3;

/** What docket.transitions and docket.cases hold for a set of driven cases, against what the drive sent. */
export interface LossCheck {
  cases: number;
  /** Cases in their end state (closed, completed, `last_seq` at their last transition). */
  ended: number;
  transitionsExpected: number;
  transitionsStored: number;
  /** Cases with fewer rows than expected or a gap in `seq`. */
  withGaps: number;
  /** Cases with more rows than expected. */
  withExtraRows: number;
  /** Cases whose events, in `seq` order, are not the start and the steps sent, in the order sent. */
  withOtherEvents: number;
  ok: boolean;
}

/** One worker process of the scale-out, and what Temporal's histories say it ran. */
export interface ScaleOutProcess {
  setup: Setup;
  label: string;
  /** Its worker identity, as the histories record it. */
  identity: string;
  /** Over the measured rounds: its CPU time, and the workflow tasks it completed and activities it ran (local ones too). */
  cpuMs: number;
  workflowTasks: number;
  activities: number;
  /** Cases whose first workflow task it ran. */
  casesStarted: number;
}

export interface ScaleOutRound {
  round: number;
  setup: Setup;
  cases: number;
  seconds: number;
  casesPerS: number;
  transitionsPerS: number;
  /** CPU time of the setup's worker processes (together) per case. */
  workerCpuMsPerCase: number;
  /** The whole machine's CPU (every process on it), busy share of the round's wall time. */
  machineCpuBusyPct: number;
  check: LossCheck;
}

export interface Handover {
  cases: number;
  stepsBefore: number;
  /** The process stopped, and the one that carried on. */
  stopped: string;
  survivor: string;
  /** Cases whose last workflow task before the stop ran on the stopped process, and how many of them the survivor finished. */
  heldByStopped: number;
  continuedOnSurvivor: number;
  /** Wall time of the remaining steps of every case, after the stop. */
  secondsAfterStop: number;
  check: LossCheck;
}

export interface ScaleOutResult {
  rounds: ScaleOutRound[];
  casesPerS: PerSetup<number>;
  transitionsPerS: PerSetup<number>;
  workerCpuMsPerCase: PerSetup<number>;
  machineCpuBusyPct: PerSetup<number>;
  /** Throughput with 2 worker processes over throughput with 1. */
  ratio: number;
  /** Workflow tasks completed in the measured rounds and per case (from the histories), and those that failed. */
  workflowTasks: PerSetup<number>;
  workflowTasksPerCase: PerSetup<number>;
  workflowTaskFailures: PerSetup<number>;
  /**
   * Workflow tasks that timed out: waiting on a worker's sticky queue (schedule to start; Temporal then
   * offers them on the task queue, to any worker), or while running (start to close).
   */
  workflowTaskTimeouts: PerSetup<{ scheduleToStart: number; startToClose: number }>;
  /** Cases (2 workers) whose workflow tasks ran on both processes. */
  casesOnBothProcesses: number;
  processes: ScaleOutProcess[];
  handover: Handover;
  /** Every round's check and the handover's passed. */
  nothingLost: boolean;
}

export interface ScaleOutContext {
  opts: BenchOptions;
  client: Client;
  db: Pool;
  /** Docket's variant; its task queue is replaced by one per setup. */
  docket: Variant;
  bundlePath: string;
  tag: string;
  /** Starts a worker process with these workers (stopped by the caller at the latest). */
  spawn: (workers: WorkerSpec[]) => Promise<WorkerProcess>;
  log: (line: string) => void;
}

interface Started {
  spec: ScaleOutProcess;
  child: WorkerProcess;
}

/** Measurement 7: see the file's comment. */
export async function measureScaleOut(ctx: ScaleOutContext): Promise<ScaleOutResult> {
  const { opts, client, db, docket, bundlePath, tag, spawn, log } = ctx;
  const variant: PerSetup<Variant> = {
    oneWorker: { ...docket, taskQueue: `bench-scale-1w-${tag}` },
    twoWorkers: { ...docket, taskQueue: `bench-scale-2w-${tag}` },
  };
  const plan: Array<[Setup, string]> = [
    ['oneWorker', 'the single process'],
    ['twoWorkers', 'process 1 of 2'],
    ['twoWorkers', 'process 2 of 2'],
  ];
  log(`Scale-out: starting 3 Docket worker processes, 1 on one task queue and 2 on another…`);
  const started: Started[] = await Promise.all(
    plan.map(async ([setup, label], i) => {
      const identity = `bench-scale-${tag}-${i}`;
      const child = await spawn([{ taskQueue: variant[setup].taskQueue, bundlePath, identity }]);
      return { spec: { setup, label, identity, cpuMs: 0, workflowTasks: 0, activities: 0, casesStarted: 0 }, child };
    }),
  );
  const of = (setup: Setup) => started.filter((s) => s.spec.setup === setup);
  const cpuMs = async (setup: Setup) => Promise.all(of(setup).map(async (s) => (await s.child.memory()).cpuMs));

  log(`  warm-up: ${opts.warmupCases} cases each…`);
  for (const setup of SETUPS)
    await driveCases(client, variant[setup], opts.warmupCases, opts.concurrency, `bench-scale-${setup}-${tag}-warmup`);

  const rounds: ScaleOutRound[] = [];
  const tasks: PerSetup<TaskTally> = { oneWorker: emptyTally(), twoWorkers: emptyTally() };
  const perRound = Math.ceil(opts.cases / opts.rounds);
  log(`  ${opts.rounds} round(s) of ${perRound} cases per setup, ${opts.concurrency} concurrent clients, alternating…`);
  for (let r = 1; r <= opts.rounds; r++) {
    const order = r % 2 === 1 ? SETUPS : [...SETUPS].reverse();
    for (const setup of order) {
      const cpu0 = await cpuMs(setup);
      const machine0 = machineCpu();
      const run = await driveCases(client, variant[setup], perRound, opts.concurrency, `bench-scale-${setup}-${tag}-r${r}`);
      const machine1 = machineCpu();
      const cpu1 = await cpuMs(setup);
      const check = await checkTransitions(db, run.caseIds);
      await tallyWorkflowTasks(client, run.caseIds, tasks[setup], opts.concurrency);
      of(setup).forEach((s, i) => (s.spec.cpuMs = round(s.spec.cpuMs + cpu1[i]! - cpu0[i]!, 1)));
      const cps = run.caseIds.length / run.seconds;
      const workerCpu = cpu1.reduce((a, x, i) => a + x - cpu0[i]!, 0);
      rounds.push({
        round: r,
        setup,
        cases: run.caseIds.length,
        seconds: round(run.seconds),
        casesPerS: round(cps),
        transitionsPerS: round(cps * TRANSITIONS_PER_CASE),
        workerCpuMsPerCase: round(workerCpu / run.caseIds.length, 1),
        machineCpuBusyPct: round(100 * (1 - (machine1.idle - machine0.idle) / (machine1.total - machine0.total)), 1),
        check,
      });
      log(`  round ${r} ${SETUP_LABEL[setup].padEnd(9)} ${round(cps, 1)} cases/s; ${describeCheck(check)}`);
    }
  }
  for (const s of started) {
    const t = tasks[s.spec.setup].byIdentity.get(s.spec.identity);
    s.spec.workflowTasks = t?.workflowTasks ?? 0;
    s.spec.activities = t?.activities ?? 0;
    s.spec.casesStarted = t?.casesStarted ?? 0;
  }

  const handover = await handOver(ctx, variant.twoWorkers, of('twoWorkers'), Math.min(HANDOVER_CASES, perRound));
  await Promise.all(started.map((s) => s.child.stop()));

  const sum = (setup: Setup, f: (x: ScaleOutRound) => number) => rounds.filter((x) => x.setup === setup).reduce((a, x) => a + f(x), 0);
  const perSetup = <T>(f: (setup: Setup) => T): PerSetup<T> => ({ oneWorker: f('oneWorker'), twoWorkers: f('twoWorkers') });
  const casesPerS = perSetup((s) => round(sum(s, (x) => x.cases) / sum(s, (x) => x.seconds)));
  const cases = perSetup((s) => sum(s, (x) => x.cases));
  return {
    rounds,
    casesPerS,
    transitionsPerS: perSetup((s) => round(casesPerS[s] * TRANSITIONS_PER_CASE)),
    workerCpuMsPerCase: perSetup((s) => round(of(s).reduce((a, p) => a + p.spec.cpuMs, 0) / cases[s], 1)),
    machineCpuBusyPct: perSetup((s) => round(sum(s, (x) => x.machineCpuBusyPct * x.seconds) / sum(s, (x) => x.seconds), 1)),
    ratio: round(ratio(casesPerS.twoWorkers, casesPerS.oneWorker), 3),
    workflowTasks: perSetup((s) => tasks[s].workflowTasks),
    workflowTasksPerCase: perSetup((s) => round(tasks[s].workflowTasks / cases[s], 2)),
    workflowTaskFailures: perSetup((s) => tasks[s].failures),
    workflowTaskTimeouts: perSetup((s) => ({
      scheduleToStart: tasks[s].scheduleToStartTimeouts,
      startToClose: tasks[s].startToCloseTimeouts,
    })),
    casesOnBothProcesses: tasks.twoWorkers.casesOnSeveral,
    processes: started.map((s) => s.spec),
    handover,
    nothingLost: rounds.every((x) => x.check.ok) && handover.check.ok,
  };
}

/**
 * Begins `n` cases on the two processes' task queue and sends each its first steps, stops the
 * process that holds more of them (the one that ran their last workflow task), then sends the
 * remaining steps: the other process picks those cases up from their histories.
 */
async function handOver(ctx: ScaleOutContext, variant: Variant, pair: Started[], n: number): Promise<Handover> {
  const { client, db, opts, tag, log } = ctx;
  const steps = humanSteps(promisedResponseBy());
  const handles: WorkflowHandle[] = [];
  await pool(n, opts.concurrency, async (i) => {
    const handle = await startCase(client, variant, `bench-scale-handover-${tag}-${i}`, i);
    handles[i] = handle;
    for (const step of steps.slice(0, STEPS_BEFORE_HANDOVER)) await send(handle, step);
  });
  const caseIds = handles.map((h) => h.workflowId);
  const holders = await Promise.all(handles.map(async (h) => workflowTaskIdentities(await h.fetchHistory()).at(-1)));
  const held = (s: Started) => holders.filter((id) => id === s.spec.identity).length;
  const [stopped, survivor] = held(pair[1]!) >= held(pair[0]!) ? [pair[1]!, pair[0]!] : [pair[0]!, pair[1]!];
  log(
    `Handover: ${n} cases begun on 2 worker processes (${STEPS_BEFORE_HANDOVER} steps each); ` +
      `stopping ${stopped.spec.label}, which holds ${held(stopped)}, and finishing them all on ${survivor.spec.label}…`,
  );
  await stopped.child.stop();
  const t0 = performance.now();
  await pool(n, opts.concurrency, async (i) => {
    for (const step of steps.slice(STEPS_BEFORE_HANDOVER)) await send(handles[i]!, step);
    const result = (await withTimeout(handles[i]!.result(), `the result of ${caseIds[i]}`)) as { state?: string };
    if (result.state !== 'closed') throw new Error(`${caseIds[i]} ended in state "${result.state}", expected "closed"`);
  });
  const secondsAfterStop = (performance.now() - t0) / 1000;
  const after = await Promise.all(handles.map(async (h) => workflowTaskIdentities(await h.fetchHistory())));
  const continued = after.filter((ids, i) => holders[i] === stopped.spec.identity && ids.at(-1) === survivor.spec.identity).length;
  const check = await checkTransitions(db, caseIds);
  log(`  ${continued} of ${held(stopped)} continued on ${survivor.spec.label}; ${describeCheck(check)}`);
  return {
    cases: n,
    stepsBefore: STEPS_BEFORE_HANDOVER,
    stopped: stopped.spec.label,
    survivor: survivor.spec.label,
    heldByStopped: held(stopped),
    continuedOnSurvivor: continued,
    secondsAfterStop: round(secondsAfterStop, 1),
    check,
  };
}

/** Compares docket.transitions and docket.cases with what driving `caseIds` to their end should have stored. */
export async function checkTransitions(db: Pool, caseIds: readonly string[]): Promise<LossCheck> {
  const steps = humanSteps(promisedResponseBy());
  const expectedEvents = [START_EVENT, ...steps.map((s) => s.request.type)];
  const endState = steps.at(-1)!.state;
  const { rows } = await db.query<{ case_id: string; seq: number; event: string }>(
    'SELECT case_id, seq, event FROM docket.transitions WHERE case_id = ANY($1) ORDER BY case_id, seq',
    [caseIds],
  );
  const { rows: cases } = await db.query<{ case_id: string; state: string; status: string; last_seq: number }>(
    'SELECT case_id, state, status, last_seq FROM docket.cases WHERE case_id = ANY($1)',
    [caseIds],
  );
  const byCase = new Map<string, Array<{ seq: number; event: string }>>(caseIds.map((id) => [id, []]));
  for (const row of rows) byCase.get(row.case_id)!.push(row);
  let withGaps = 0;
  let withExtraRows = 0;
  let withOtherEvents = 0;
  for (const log of byCase.values()) {
    if (log.length < TRANSITIONS_PER_CASE || log.some((row, i) => row.seq !== i)) withGaps++;
    if (log.length > TRANSITIONS_PER_CASE) withExtraRows++;
    if (log.map((row) => row.event).join(' ') !== expectedEvents.join(' ')) withOtherEvents++;
  }
  const ended = cases.filter((c) => c.state === endState && c.status === 'completed' && c.last_seq === TRANSITIONS_PER_CASE - 1).length;
  const check = {
    cases: caseIds.length,
    ended,
    transitionsExpected: caseIds.length * TRANSITIONS_PER_CASE,
    transitionsStored: rows.length,
    withGaps,
    withExtraRows,
    withOtherEvents,
  };
  return {
    ...check,
    ok:
      check.ended === check.cases &&
      check.transitionsStored === check.transitionsExpected &&
      withGaps + withExtraRows + withOtherEvents === 0,
  };
}

export function describeCheck(c: LossCheck): string {
  const faults = [
    c.withGaps && `${c.withGaps} with gaps`,
    c.withExtraRows && `${c.withExtraRows} with extra rows`,
    c.withOtherEvents && `${c.withOtherEvents} with other events`,
  ].filter(Boolean);
  return (
    `${c.ended}/${c.cases} cases ended, ${c.transitionsStored}/${c.transitionsExpected} transitions stored, ` +
    (faults.length ? faults.join(', ') : 'no gaps or duplicates')
  );
}

type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;

interface TaskTally {
  workflowTasks: number;
  scheduleToStartTimeouts: number;
  startToCloseTimeouts: number;
  failures: number;
  /** Cases whose workflow tasks ran on more than one worker. */
  casesOnSeveral: number;
  byIdentity: Map<string, { workflowTasks: number; activities: number; casesStarted: number }>;
}

function emptyTally(): TaskTally {
  return { workflowTasks: 0, scheduleToStartTimeouts: 0, startToCloseTimeouts: 0, failures: 0, casesOnSeveral: 0, byIdentity: new Map() };
}

/** The identity of the worker that completed each workflow task of a history, in order. */
function workflowTaskIdentities(history: History): string[] {
  return (history.events ?? []).flatMap((e) => {
    const a = e.workflowTaskCompletedEventAttributes;
    return a ? [a.identity ?? ''] : [];
  });
}

/** Adds the workflow tasks and activities of each case's history to `tally`, by the worker that ran them. */
async function tallyWorkflowTasks(client: Client, caseIds: readonly string[], tally: TaskTally, concurrency: number): Promise<void> {
  const at = (identity: string) => {
    let entry = tally.byIdentity.get(identity);
    if (!entry) tally.byIdentity.set(identity, (entry = { workflowTasks: 0, activities: 0, casesStarted: 0 }));
    return entry;
  };
  await pool(caseIds.length, Math.min(concurrency, 10), async (i) => {
    const history = await client.workflow.getHandle(caseIds[i]!).fetchHistory();
    const identities = workflowTaskIdentities(history);
    for (const id of identities) at(id).workflowTasks++;
    if (identities[0] !== undefined) at(identities[0]).casesStarted++;
    if (new Set(identities).size > 1) tally.casesOnSeveral++;
    tally.workflowTasks += identities.length;
    // A local activity (a human step's row) ran on the worker that completed the workflow task recording its marker.
    const taskIdentity = new Map<string, string>();
    for (const e of history.events ?? []) {
      if (e.workflowTaskCompletedEventAttributes)
        taskIdentity.set(String(e.eventId), e.workflowTaskCompletedEventAttributes.identity ?? '');
      if (e.activityTaskStartedEventAttributes) at(e.activityTaskStartedEventAttributes.identity ?? '').activities++;
      const marker = e.markerRecordedEventAttributes;
      if (marker?.markerName === 'core_local_activity')
        at(taskIdentity.get(String(marker.workflowTaskCompletedEventId)) ?? '').activities++;
      const timedOut = e.workflowTaskTimedOutEventAttributes;
      if (timedOut && decodeTimeoutType(timedOut.timeoutType) === 'SCHEDULE_TO_START') tally.scheduleToStartTimeouts++;
      else if (timedOut) tally.startToCloseTimeouts++;
      if (e.workflowTaskFailedEventAttributes) tally.failures++;
    }
  });
}

/** The machine's CPU time so far, idle and in all, over every core (milliseconds). */
function machineCpu(): { idle: number; total: number } {
  let idle = 0;
  let total = 0;
  for (const { times: t } of os.cpus()) {
    idle += t.idle;
    total += t.user + t.nice + t.sys + t.idle + t.irq;
  }
  return { idle, total };
}
