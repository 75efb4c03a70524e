/**
 * The benchmark: Docket's generic case workflow side by side with a hand-written
 * Temporal workflow for the complaint process, on the same servers in the same run.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { Pool } from 'pg';
import { migrate } from '../adapters/postgres';
import { FileDefinitionSource } from '../client/definitions';
import { loadCalendar } from '../client/setup';
import type { CalendarData } from '../engine/types';
import { resolveActorKeys, VouchCodec } from '../security';
import { loadConfig, PROJECT_ROOT } from '../config';
import { bundleWorkflows, WORKFLOWS_PATH } from '../worker/bundle-options';
import {
  ACCEPT,
  docketVariant,
  driveCases,
  handwrittenVariant,
  humanSteps,
  LOG_CONTACT,
  openCases,
  pool,
  promisedResponseBy,
  queryRoundTrips,
  send,
  startCase,
  TRANSITIONS_PER_CASE,
  VARIANTS,
  type Variant,
  type VariantName,
} from './cases';
import { startBenchApi, type BenchApi } from './api-steps';
import { driveBareUpdates } from './floor';
import { measureInterpreter, type InterpreterResult } from './interpreter';
import type { BenchOptions } from './options';
import { measureScaleOut, type ScaleOutResult } from './scale-out';
import { stepBreakdown, type StepBreakdown } from './sdk-metrics';
import { mean, median, percentiles, ratio, round, type Percentiles } from './stats';
import type { WorkerSpec, WorkerTuning } from './worker-process';
import { startWorkerProcess, type WorkerProcess } from './workers';

export interface BenchServers {
  temporalAddress: string;
  namespace: string;
  /** A database of the benchmark's own (migrated here). */
  databaseUrl: string;
  /** A prebuilt bundle of workflows/ (otherwise built here). */
  docketBundle?: string;
  /** Where the servers came from, for the report. */
  description: string;
  /** False when the Temporal server outlives the run: the cases left open are then terminated. */
  ownTemporal: boolean;
}

type PerVariant<T> = Record<VariantName, T>;

export interface ThroughputRound {
  round: number;
  variant: VariantName;
  cases: number;
  seconds: number;
  casesPerS: number;
  transitionsPerS: number;
  /** CPU time of the worker process per case (all its threads). */
  workerCpuMsPerCase: number;
}

export interface TuningPoint {
  label: string;
  tuning: WorkerTuning;
  casesPerS: PerVariant<number>;
  p99Ms: PerVariant<number>;
}

/**
 * The floor of a human step: a bare Update (a handler that only counts, no activity) on the same
 * server and worker process, beside Docket's step through the client and through the HTTP API and
 * the hand-written workflow's step, all in the same latency rounds.
 */
export interface FloorResult {
  /** The bare Update's round trip (7 Updates per workflow, like the 7 human steps of a case). */
  bareUpdateMs: Percentiles;
  /** Docket's human step through `POST /cases/{caseId}/events`. */
  docketApiMs: Percentiles;
  /** Step p50 over the bare Update's p50: Docket through the client, through the HTTP API; the hand-written workflow. */
  ratioClientP50: number;
  ratioApiP50: number;
  ratioHandwrittenP50: number;
  /** Where the steps' time went in the worker over the same rounds, from the SDK's metrics (means). */
  breakdown: StepBreakdown;
}

export interface Goal {
  name: string;
  target: string;
  value: number;
  met: boolean;
}

export interface BenchResult {
  startedAt: string;
  seconds: number;
  options: BenchOptions;
  machine: { cpus: number; cpuModel: string; memoryGb: number; platform: string; node: string; servers: string };
  worker: WorkerTuning;
  interpreter: InterpreterResult[];
  throughput: {
    rounds: ThroughputRound[];
    casesPerS: PerVariant<number>;
    transitionsPerS: PerVariant<number>;
    ratio: number;
    workerCpuMsPerCase: PerVariant<number>;
  };
  latency: {
    ms: PerVariant<Percentiles>;
    ratioP50: number;
    ratioP99: number;
    underLoadMs: PerVariant<Percentiles>;
    underLoadRatioP99: number;
    /** A status Query's round trip on an open case (the API ran one before each step until it trusted the validator alone). */
    statusQueryMs: PerVariant<Percentiles>;
  };
  floor: FloorResult;
  history: { events: PerVariant<number>; bytes: PerVariant<number>; sampled: PerVariant<number>; ratioEvents: number; ratioBytes: number };
  replay: { historyEvents: PerVariant<number>; ms: PerVariant<number>; ratio: number };
  memory: { openCases: number; rssMb: PerVariant<number>; idleRssMb: PerVariant<number>; perCaseKb: PerVariant<number>; ratio: number };
  /** Docket with 1 and with 2 worker processes on one task queue (absent with --no-scale-out). */
  scaleOut?: ScaleOutResult;
  tuning?: TuningPoint[];
  checks: {
    transitionsStored: PerVariant<number>;
    transitionsExpected: PerVariant<number>;
    /** The cases driven through the HTTP API (Docket's workflow). */
    apiTransitions: { stored: number; expected: number };
  };
  goals: Goal[];
}

export type Log = (line: string) => void;

const quiet = () => undefined;
const bundleLogger = { trace: quiet, debug: quiet, info: quiet, warn: quiet, error: (m: string) => console.error(m), log: quiet };
const MB = 1024 * 1024;

/** The workflow bundles' files: both implementations' and the bare-Update workflow's. */
type Bundles = PerVariant<string> & { floor: string };

/** Builds the workflow bundles the worker processes load (into a folder of this run's own). */
async function bundles(opts: BenchOptions, servers: BenchServers, dir: string): Promise<Bundles> {
  mkdirSync(dir, { recursive: true });
  const write = (name: string, code: string) => {
    const file = path.join(dir, `${name}-bundle.js`);
    writeFileSync(file, code);
    return file;
  };
  const [docket, handwritten, floor] = await Promise.all([
    // Docket's bundle as the worker builds it (worker/bundle-options.ts), or with no options for --no-preload.
    servers.docketBundle ??
      (opts.preload
        ? bundleWorkflows({ logger: bundleLogger })
        : bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: bundleLogger })
      ).then((b) => write('docket', b.code)),
    // The hand-written workflow as a Temporal user builds it: no bundler options.
    bundleWorkflowCode({ workflowsPath: require.resolve('./handwritten/complaint-workflow'), logger: bundleLogger }).then((b) =>
      write('handwritten', b.code),
    ),
    bundleWorkflowCode({ workflowsPath: require.resolve('./floor/bare-update-workflow'), logger: bundleLogger }).then((b) =>
      write('floor', b.code),
    ),
  ]);
  return { docket, handwritten, floor };
}

function installQuietRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // Installed already (the test harness does it).
  }
}

/**
 * Runs every measurement. `interpreter`, when given, is measurement 1 taken earlier (`npm run bench` takes it
 * before it starts the servers, whose start-up would otherwise share the CPU with the timing).
 */
/** Measurement 1: the pure step function over every definition. */
export function timeInterpreter(
  definitionsDir: string,
  calendar: CalendarData,
  opts: BenchOptions,
  log: Log = console.log,
): InterpreterResult[] {
  log(`Interpreter: timing the step function over every definition in ${path.relative(PROJECT_ROOT, definitionsDir) || '.'}…`);
  const interpreter = measureInterpreter(definitionsDir, calendar, opts.interpreterEvents);
  for (const r of interpreter) log(`  ${r.process}: ${r.stepUs.p50} µs per step (median of ${r.events})`);
  return interpreter;
}

export async function runBenchmark(
  opts: BenchOptions,
  servers: BenchServers,
  log: Log = console.log,
  interpreterResults?: InterpreterResult[],
): Promise<BenchResult> {
  const startedAt = new Date();
  const t0 = performance.now();
  const config = loadConfig({ ...process.env, DATABASE_URL: servers.databaseUrl, TEMPORAL_ADDRESS: servers.temporalAddress });
  const calendar = await loadCalendar(config);
  const tag = randomUUID().slice(0, 8);

  // 1. The pure step function, before anything else runs on the machine.
  const interpreter = interpreterResults ?? timeInterpreter(config.definitionsDir, calendar, opts, log);

  installQuietRuntime();
  log('Building the workflow bundles…');
  const bundleDir = path.join(PROJECT_ROOT, '.cache', 'bench', `${process.pid}-${tag}`);
  const bundle = await bundles(opts, servers, bundleDir);
  const db = new Pool({ connectionString: servers.databaseUrl, max: 2 });
  let connection: Connection | undefined;
  let api: BenchApi | undefined;
  const children: WorkerProcess[] = [];
  try {
    await migrate(db);
    // The real API in this process, for Docket's steps through HTTP (its cases run on Docket's task queue).
    log('Starting the HTTP API in this process…');
    api = await startBenchApi({
      ...config,
      namespace: servers.namespace,
      databaseUrl: servers.databaseUrl,
      apiDatabaseUrl: servers.databaseUrl,
      taskQueue: `bench-docket-${tag}`,
    });
    connection = await Connection.connect({ address: servers.temporalAddress });
    const client = new Client({
      connection,
      namespace: servers.namespace,
      dataConverter: { payloadCodecs: [new VouchCodec(resolveActorKeys(config))] },
    });
    return await measure(opts, servers, log, { config, calendar, tag, bundle, db, client, api, children, interpreter, startedAt, t0 });
  } finally {
    await api?.close();
    await Promise.all(children.map((c) => c.stop()));
    await connection?.close();
    await db.end();
    rmSync(bundleDir, { recursive: true, force: true });
  }
}

interface RunContext {
  config: ReturnType<typeof loadConfig>;
  calendar: Awaited<ReturnType<typeof loadCalendar>>;
  tag: string;
  bundle: Bundles;
  db: Pool;
  client: Client;
  api: BenchApi;
  /** Worker processes started so far (stopped by the caller). */
  children: WorkerProcess[];
  interpreter: InterpreterResult[];
  startedAt: Date;
  t0: number;
}

async function measure(opts: BenchOptions, servers: BenchServers, log: Log, ctx: RunContext): Promise<BenchResult> {
  const { config, calendar, tag, bundle, db, client, api, children, interpreter, startedAt, t0 } = ctx;
  const published = await new FileDefinitionSource(config.definitionsDir).latest('complaint');
  if (!published) throw new Error('the benchmark needs the complaint definition');
  const variants: PerVariant<Variant> = {
    docket: docketVariant(`bench-docket-${tag}`, published, calendar, config.continueAsNewAfter),
    handwritten: handwrittenVariant(`bench-handwritten-${tag}`),
  };
  const workerSpec = (names: readonly VariantName[], v: PerVariant<Variant> = variants) =>
    names.map((name) => ({ taskQueue: v[name].taskQueue, bundlePath: bundle[name] }));
  const tuning: WorkerTuning = config.worker;
  const processConfig = { temporalAddress: servers.temporalAddress, namespace: servers.namespace, databaseUrl: servers.databaseUrl };

  const spawn = async (
    names: readonly VariantName[],
    t: WorkerTuning,
    v?: PerVariant<Variant>,
    extra: WorkerSpec[] = [],
    metrics = false,
  ) => {
    const child = await startWorkerProcess({ ...processConfig, tuning: t, workers: [...workerSpec(names, v), ...extra], metrics });
    children.push(child);
    return child;
  };

  // One worker process with both workers and the bare-Update workflow's, each on its own task queue.
  const floorQueue = `bench-floor-${tag}`;
  log(
    `Starting a worker process for both implementations and the bare-Update workflow (cache ${tuning.maxCachedWorkflows}, ${tuning.maxConcurrentWorkflowTasks} workflow tasks, ${tuning.maxConcurrentActivities} activities)…`,
  );
  // It serves the SDK's metrics: where a step's time goes (3c.).
  const both = await spawn(VARIANTS, tuning, undefined, [{ taskQueue: floorQueue, bundlePath: bundle.floor }], true);

  log(`Warm-up: ${opts.warmupCases} cases each, ${opts.warmupCases} more through the HTTP API, ${opts.warmupCases} bare-Update workflows…`);
  for (const name of VARIANTS) await driveCases(client, variants[name], opts.warmupCases, opts.concurrency, `bench-${name}-${tag}-warmup`);
  await driveCases(client, variants.docket, opts.warmupCases, opts.concurrency, `bench-api-${tag}-warmup`, api.send);
  await driveBareUpdates(client, floorQueue, opts.warmupCases, opts.concurrency, `bench-floor-${tag}-warmup`);

  // 2. Throughput, alternating: D H, H D, D H, …
  const rounds: ThroughputRound[] = [];
  const underLoad: PerVariant<number[]> = { docket: [], handwritten: [] };
  const completed: PerVariant<string[]> = { docket: [], handwritten: [] };
  const perRound = Math.ceil(opts.cases / opts.rounds);
  log(`Throughput: ${opts.rounds} round(s) of ${perRound} cases × 7 human steps each, ${opts.concurrency} concurrent clients…`);
  for (let r = 1; r <= opts.rounds; r++) {
    const order = r % 2 === 1 ? VARIANTS : [...VARIANTS].reverse();
    for (const name of order) {
      const cpu0 = (await both.memory()).cpuMs;
      const run = await driveCases(client, variants[name], perRound, opts.concurrency, `bench-${name}-${tag}-r${r}`);
      const cpu1 = (await both.memory()).cpuMs;
      const cps = run.caseIds.length / run.seconds;
      rounds.push({
        round: r,
        variant: name,
        cases: run.caseIds.length,
        seconds: round(run.seconds),
        casesPerS: round(cps),
        transitionsPerS: round(cps * TRANSITIONS_PER_CASE),
        workerCpuMsPerCase: round((cpu1 - cpu0) / run.caseIds.length, 1),
      });
      underLoad[name].push(...run.latenciesMs);
      completed[name].push(...run.caseIds);
      log(`  round ${r} ${name.padEnd(11)} ${round(cps, 1)} cases/s`);
    }
  }
  const total = (name: VariantName) => {
    const mine = rounds.filter((x) => x.variant === name);
    return mine.reduce((a, x) => a + x.cases, 0) / mine.reduce((a, x) => a + x.seconds, 0);
  };
  const casesPerS = { docket: round(total('docket')), handwritten: round(total('handwritten')) };
  const cpuPerCase = (name: VariantName) => round(mean(rounds.filter((x) => x.variant === name).map((x) => x.workerCpuMsPerCase)), 1);

  // 3. Human-step latency at a moderate load, alternating the same way; beside them, in the same rounds,
  // Docket's step through the HTTP API and the floor (a bare Update on a workflow that only counts).
  log(
    `Latency: ${opts.rounds} round(s) of ${opts.latencyCases} cases, ${opts.latencyConcurrency} concurrent clients, ` +
      `each of: Docket, Docket through the HTTP API, hand-written, bare Update…`,
  );
  const latencies: PerVariant<number[]> = { docket: [], handwritten: [] };
  const apiLatencies: number[] = [];
  const apiCompleted: string[] = [];
  const bareLatencies: number[] = [];
  const subjects = ['docket', 'api', 'handwritten', 'floor'] as const;
  const metricsBefore = await both.metrics();
  for (let r = 1; r <= opts.rounds; r++) {
    const order = r % 2 === 1 ? subjects : [...subjects].reverse();
    const p50s: Record<(typeof subjects)[number], number> = { docket: NaN, api: NaN, handwritten: NaN, floor: NaN };
    for (const subject of order) {
      if (subject === 'api') {
        const run = await driveCases(
          client,
          variants.docket,
          opts.latencyCases,
          opts.latencyConcurrency,
          `bench-api-${tag}-lat${r}`,
          api.send,
        );
        apiLatencies.push(...run.latenciesMs);
        apiCompleted.push(...run.caseIds);
        p50s.api = median(run.latenciesMs);
      } else if (subject === 'floor') {
        const run = await driveBareUpdates(client, floorQueue, opts.latencyCases, opts.latencyConcurrency, `bench-floor-${tag}-lat${r}`);
        bareLatencies.push(...run.latenciesMs);
        p50s.floor = median(run.latenciesMs);
      } else {
        const run = await driveCases(
          client,
          variants[subject],
          opts.latencyCases,
          opts.latencyConcurrency,
          `bench-${subject}-${tag}-lat${r}`,
        );
        latencies[subject].push(...run.latenciesMs);
        completed[subject].push(...run.caseIds);
        p50s[subject] = median(run.latenciesMs);
      }
    }
    log(
      `  round ${r} p50: Docket ${round(p50s.docket, 1)} ms, through the API ${round(p50s.api, 1)} ms, ` +
        `hand-written ${round(p50s.handwritten, 1)} ms, bare Update ${round(p50s.floor, 1)} ms`,
    );
  }

  const breakdown = stepBreakdown(
    metricsBefore,
    await both.metrics(),
    { docket: variants.docket.taskQueue, floor: floorQueue, handwritten: variants.handwritten.taskQueue },
    latencies.docket.length + apiLatencies.length,
  );

  // A status Query's round trip, at the same load, on cases waiting in their first state.
  log(`Queries: ${opts.latencyCases} open cases each, ${TRANSITIONS_PER_CASE - 1} status Queries per case…`);
  const queries: PerVariant<number[]> = { docket: [], handwritten: [] };
  for (const name of VARIANTS)
    queries[name] = await queryRoundTrips(
      client,
      variants[name],
      opts.latencyCases,
      TRANSITIONS_PER_CASE - 1,
      opts.latencyConcurrency,
      `bench-query-${name}-${tag}`,
    );

  // Every case stored its transitions exactly once.
  const stored = async (name: VariantName | 'api') => {
    const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM docket.transitions WHERE case_id LIKE $1', [
      `bench-${name}-${tag}-%`,
    ]);
    return Number(rows[0]!.n);
  };
  const expected = (name: VariantName) => (opts.warmupCases + completed[name].length) * TRANSITIONS_PER_CASE;
  const checks = {
    transitionsStored: { docket: await stored('docket'), handwritten: await stored('handwritten') },
    transitionsExpected: { docket: expected('docket'), handwritten: expected('handwritten') },
    apiTransitions: { stored: await stored('api'), expected: (opts.warmupCases + apiCompleted.length) * TRANSITIONS_PER_CASE },
  };

  // 4. History size per completed case.
  log(`History: reading ${opts.historySample} completed cases each…`);
  const history = { events: {} as PerVariant<number>, bytes: {} as PerVariant<number>, sampled: {} as PerVariant<number> };
  for (const name of VARIANTS) {
    const sample = completed[name].slice(0, opts.historySample);
    const infos = await Promise.all(sample.map((id) => client.workflow.getHandle(id).describe()));
    history.events[name] = round(mean(infos.map((d) => d.historyLength)), 1);
    history.bytes[name] = Math.round(mean(infos.map((d) => d.historySize ?? NaN)));
    history.sampled[name] = infos.length;
  }

  // 5. Replay of a case with ~replayEvents history events.
  log(`Replay: a case of ${opts.replayEvents} history events each…`);
  const replay = { historyEvents: {} as PerVariant<number>, ms: {} as PerVariant<number> };
  for (const name of VARIANTS) {
    const r = await replayCase(client, variants[name], bundle[name], `bench-${name}-${tag}-replay`, opts.replayEvents, opts.replayRepeats);
    replay.historyEvents[name] = r.historyEvents;
    replay.ms[name] = round(r.ms, 1);
    log(`  ${name.padEnd(11)} ${r.historyEvents} events replayed in ${round(r.ms, 1)} ms`);
  }
  await both.stop();

  // 6. Worker memory with open cases: a fresh process per implementation.
  log(`Memory: a fresh worker per implementation with ${opts.memoryCases} open cases…`);
  const memory = { rssMb: {} as PerVariant<number>, idleRssMb: {} as PerVariant<number>, perCaseKb: {} as PerVariant<number> };
  for (const name of VARIANTS) {
    const memVariants = { ...variants, [name]: { ...variants[name], taskQueue: `bench-mem-${name}-${tag}` } } as PerVariant<Variant>;
    const child = await spawn(
      [name],
      { ...tuning, maxCachedWorkflows: Math.max(tuning.maxCachedWorkflows, opts.memoryCases) },
      memVariants,
    );
    await driveCases(client, memVariants[name], Math.max(opts.warmupCases, 10), opts.concurrency, `bench-${name}-${tag}-memwarm`);
    const idle = await child.memory();
    const open = await openCases(client, memVariants[name], opts.memoryCases, opts.concurrency, `bench-${name}-${tag}-mem`);
    const loaded = await child.memory();
    await child.stop();
    memory.rssMb[name] = round(loaded.rss / MB, 1);
    memory.idleRssMb[name] = round(idle.rss / MB, 1);
    memory.perCaseKb[name] = round((loaded.rss - idle.rss) / 1024 / open.length, 1);
    log(`  ${name.padEnd(11)} ${memory.rssMb[name]} MB with ${open.length} open cases (${memory.idleRssMb[name]} MB idle)`);
    if (!servers.ownTemporal) {
      await pool(open.length, opts.concurrency, async (i) => {
        await client.workflow
          .getHandle(open[i]!)
          .terminate('benchmark done')
          .catch(() => undefined);
      });
    }
  }

  // 7. Scale-out: Docket with 1 and with 2 worker processes polling one task queue.
  let scaleOut: ScaleOutResult | undefined;
  if (opts.scaleOut)
    scaleOut = await measureScaleOut({
      opts,
      client,
      db,
      docket: variants.docket,
      bundlePath: bundle.docket,
      tag,
      spawn: (workers) => spawn([], tuning, undefined, workers),
      log,
    });

  // Optional: the worker tuning options' effect on throughput and latency.
  let tuningPoints: TuningPoint[] | undefined;
  if (opts.tuning) tuningPoints = await measureTuning(opts, client, variants, spawn, tuning, tag, log);

  const latency = {
    ms: { docket: percentiles(latencies.docket), handwritten: percentiles(latencies.handwritten) },
    underLoadMs: { docket: percentiles(underLoad.docket), handwritten: percentiles(underLoad.handwritten) },
    statusQueryMs: { docket: percentiles(queries.docket), handwritten: percentiles(queries.handwritten) },
  };
  const bare = percentiles(bareLatencies);
  const viaApi = percentiles(apiLatencies);
  const result: BenchResult = {
    startedAt: startedAt.toISOString(),
    seconds: 0,
    options: opts,
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
      memoryGb: round(os.totalmem() / 1024 ** 3, 1),
      platform: `${os.type()} ${os.release()} ${os.arch()}`,
      node: process.version,
      servers: servers.description,
    },
    worker: tuning,
    interpreter,
    throughput: {
      rounds,
      casesPerS,
      transitionsPerS: {
        docket: round(casesPerS.docket * TRANSITIONS_PER_CASE),
        handwritten: round(casesPerS.handwritten * TRANSITIONS_PER_CASE),
      },
      ratio: round(ratio(casesPerS.docket, casesPerS.handwritten), 3),
      workerCpuMsPerCase: { docket: cpuPerCase('docket'), handwritten: cpuPerCase('handwritten') },
    },
    latency: {
      ms: roundPercentiles(latency.ms),
      ratioP50: round(ratio(latency.ms.docket.p50, latency.ms.handwritten.p50), 3),
      ratioP99: round(ratio(latency.ms.docket.p99, latency.ms.handwritten.p99), 3),
      underLoadMs: roundPercentiles(latency.underLoadMs),
      underLoadRatioP99: round(ratio(latency.underLoadMs.docket.p99, latency.underLoadMs.handwritten.p99), 3),
      statusQueryMs: roundPercentiles(latency.statusQueryMs),
    },
    floor: {
      bareUpdateMs: roundOne(bare),
      docketApiMs: roundOne(viaApi),
      ratioClientP50: round(ratio(latency.ms.docket.p50, bare.p50), 3),
      ratioApiP50: round(ratio(viaApi.p50, bare.p50), 3),
      ratioHandwrittenP50: round(ratio(latency.ms.handwritten.p50, bare.p50), 3),
      breakdown,
    },
    history: {
      ...history,
      ratioEvents: round(ratio(history.events.docket, history.events.handwritten), 3),
      ratioBytes: round(ratio(history.bytes.docket, history.bytes.handwritten), 3),
    },
    replay: { ...replay, ratio: round(ratio(replay.ms.docket, replay.ms.handwritten), 3) },
    memory: { openCases: opts.memoryCases, ...memory, ratio: round(ratio(memory.rssMb.docket, memory.rssMb.handwritten), 3) },
    ...(scaleOut && { scaleOut }),
    ...(tuningPoints && { tuning: tuningPoints }),
    checks,
    goals: [],
  };
  result.goals = goals(result);
  result.seconds = round((performance.now() - t0) / 1000, 1);
  return result;
}

function roundOne(x: Percentiles): Percentiles {
  return { count: x.count, p50: round(x.p50), p95: round(x.p95), p99: round(x.p99), max: round(x.max) };
}

function roundPercentiles(p: PerVariant<Percentiles>): PerVariant<Percentiles> {
  return { docket: roundOne(p.docket), handwritten: roundOne(p.handwritten) };
}

export function goals(r: BenchResult): Goal[] {
  const slowestStep = Math.max(...r.interpreter.map((i) => i.stepUs.p50));
  return [
    { name: 'throughput vs hand-written', target: '≥ 0.9×', value: r.throughput.ratio, met: r.throughput.ratio >= 0.9 },
    { name: 'p99 latency vs hand-written', target: '≤ 1.2×', value: r.latency.ratioP99, met: r.latency.ratioP99 <= 1.2 },
    { name: 'history events per case vs hand-written', target: '≤ 1.2×', value: r.history.ratioEvents, met: r.history.ratioEvents <= 1.2 },
    { name: 'pure step (median, slowest process)', target: '< 50 µs', value: slowestStep, met: slowestStep < 50 },
    {
      name: 'human step p50 vs bare Update, client',
      target: '≤ 1.5×',
      value: r.floor.ratioClientP50,
      met: r.floor.ratioClientP50 <= 1.5,
    },
    {
      name: 'human step p50 vs bare Update, HTTP API',
      target: '≤ 1.5×',
      value: r.floor.ratioApiP50,
      met: r.floor.ratioApiP50 <= 1.5,
    },
  ];
}

/**
 * Drives one case until its history has at least `events` events (a LOG_CONTACT
 * loop), closes it, then replays its history `repeats` times on a replay worker
 * (after one untimed replay that sets the worker up). Returns the median time.
 */
async function replayCase(client: Client, variant: Variant, bundlePath: string, caseId: string, events: number, repeats: number) {
  const handle = await startCase(client, variant, caseId, 0);
  const steps = humanSteps(promisedResponseBy());
  await send(handle, ACCEPT(promisedResponseBy()));
  const tail = steps.slice(2);
  // Roughly 11 events per Update; check the length now and then on the way.
  for (let sent = 0; ; sent++) {
    if (sent % 10 === 0) {
      const { historyLength } = await handle.describe();
      if (historyLength + tail.length * 11 >= events) break;
    }
    await send(handle, LOG_CONTACT);
  }
  for (const step of tail) await send(handle, step);
  await handle.result();
  const history = await handle.fetchHistory();
  const historyEvents = history.events?.length ?? 0;
  const times: number[] = [];
  let startedAt = 0;
  async function* histories() {
    for (let i = 0; i <= repeats; i++) {
      startedAt = performance.now();
      yield { workflowId: caseId, history };
    }
  }
  let i = 0;
  for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath: bundlePath } }, histories())) {
    if (result.error) throw new Error(`replaying ${caseId} failed: ${String(result.error)}`);
    if (i++ > 0) times.push(performance.now() - startedAt);
  }
  return { historyEvents, ms: median(times) };
}

async function measureTuning(
  opts: BenchOptions,
  client: Client,
  variants: PerVariant<Variant>,
  spawn: (names: readonly VariantName[], t: WorkerTuning, v?: PerVariant<Variant>, extra?: WorkerSpec[]) => Promise<WorkerProcess>,
  base: WorkerTuning,
  tag: string,
  log: Log,
): Promise<TuningPoint[]> {
  const points: Array<[string, WorkerTuning]> = [
    ['defaults', base],
    ['cache 10', { ...base, maxCachedWorkflows: 10 }],
    ['cache 100', { ...base, maxCachedWorkflows: 100 }],
    ['workflow tasks 5', { ...base, maxConcurrentWorkflowTasks: 5 }],
    ['workflow tasks 200', { ...base, maxConcurrentWorkflowTasks: 200 }],
    ['activities 10', { ...base, maxConcurrentActivities: 10 }],
  ];
  const cases = Math.min(opts.cases, 150);
  log(`Tuning: ${points.length} worker settings × ${cases} cases each…`);
  const out: TuningPoint[] = [];
  for (const [p, [label, tuning]] of points.entries()) {
    const v = {
      docket: { ...variants.docket, taskQueue: `bench-tune${p}-docket-${tag}` },
      handwritten: { ...variants.handwritten, taskQueue: `bench-tune${p}-handwritten-${tag}` },
    };
    const child = await spawn(VARIANTS, tuning, v);
    const point: TuningPoint = { label, tuning, casesPerS: { docket: 0, handwritten: 0 }, p99Ms: { docket: 0, handwritten: 0 } };
    for (const name of VARIANTS) {
      await driveCases(client, v[name], Math.min(opts.warmupCases, 20), opts.concurrency, `bench-${name}-${tag}-tune${p}w`);
      const run = await driveCases(client, v[name], cases, opts.concurrency, `bench-${name}-${tag}-tune${p}`);
      point.casesPerS[name] = round(run.caseIds.length / run.seconds);
      point.p99Ms[name] = round(percentiles(run.latenciesMs).p99);
    }
    await child.stop();
    out.push(point);
    log(`  ${label.padEnd(20)} docket ${point.casesPerS.docket} cases/s, hand-written ${point.casesPerS.handwritten} cases/s`);
  }
  return out;
}
