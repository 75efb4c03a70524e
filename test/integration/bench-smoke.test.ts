/**
 * The benchmark's smoke mode on the shared test servers: every measurement is
 * produced and makes sense. No timing is asserted; `npm run bench` measures.
 */
import { definitionFiles } from '../../bench/interpreter';
import { SMOKE_OPTIONS } from '../../bench/options';
import { formatReport } from '../../bench/report';
import { runBenchmark, type BenchResult } from '../../bench/run';
import { VARIANTS } from '../../bench/cases';
import { loadConfig } from '../../config';
import { freshDatabase, quietRuntime, requireEnv } from '../helpers/harness';

jest.setTimeout(180_000);

let result: BenchResult;

beforeAll(async () => {
  quietRuntime();
  result = await runBenchmark(
    { ...SMOKE_OPTIONS, outDir: '' },
    {
      temporalAddress: requireEnv('DOCKET_TEST_TEMPORAL_ADDRESS'),
      namespace: 'default',
      databaseUrl: await freshDatabase('bench_smoke'),
      docketBundle: requireEnv('DOCKET_TEST_BUNDLE'),
      description: 'test servers',
      ownTemporal: false,
    },
    () => undefined,
  );
});

const positive = (x: number) => expect(Number.isFinite(x) && x > 0).toBe(true);

test('1. the interpreter is timed for every process definition', () => {
  const files = definitionFiles(loadConfig().definitionsDir);
  expect(result.interpreter).toHaveLength(files.length);
  for (const r of result.interpreter) {
    expect(r.events).toBeGreaterThanOrEqual(SMOKE_OPTIONS.interpreterEvents);
    expect(r.transitions).toBeGreaterThan(0);
    expect(r.states).toBeGreaterThan(1);
    positive(r.stepUs.p50);
    expect(r.stepUs.p50).toBeLessThanOrEqual(r.stepUs.p99);
    positive(r.compileUs);
  }
  expect(result.interpreter.map((r) => r.process)).toContain('complaint');
});

test('2. throughput: both implementations drove every case, alternating, and stored every transition once', () => {
  expect(result.throughput.rounds.map((r) => r.variant)).toEqual(['docket', 'handwritten']);
  for (const name of VARIANTS) {
    positive(result.throughput.casesPerS[name]);
    positive(result.throughput.transitionsPerS[name]);
    positive(result.throughput.workerCpuMsPerCase[name]);
  }
  positive(result.throughput.ratio);
  expect(result.checks.transitionsStored).toEqual(result.checks.transitionsExpected);
  expect(result.checks.transitionsExpected.docket).toBeGreaterThan(0);
});

test('3. latency: one round trip per human step', () => {
  const expected = SMOKE_OPTIONS.latencyCases * SMOKE_OPTIONS.rounds * 7;
  for (const name of VARIANTS) {
    const l = result.latency.ms[name];
    expect(l.count).toBe(expected);
    positive(l.p50);
    expect(l.p50).toBeLessThanOrEqual(l.p95);
    expect(l.p95).toBeLessThanOrEqual(l.p99);
    expect(result.latency.underLoadMs[name].count).toBe(SMOKE_OPTIONS.cases * 7);
    expect(result.latency.statusQueryMs[name].count).toBe(SMOKE_OPTIONS.latencyCases * 7);
    positive(result.latency.statusQueryMs[name].p50);
  }
  positive(result.latency.ratioP99);
});

test('3b. the floor: a bare Update and Docket’s step through the HTTP API, in the same rounds, with their ratios', () => {
  const expected = SMOKE_OPTIONS.latencyCases * SMOKE_OPTIONS.rounds * 7;
  for (const p of [result.floor.bareUpdateMs, result.floor.docketApiMs]) {
    expect(p.count).toBe(expected);
    positive(p.p50);
    expect(p.p50).toBeLessThanOrEqual(p.p95);
    expect(p.p95).toBeLessThanOrEqual(p.p99);
  }
  positive(result.floor.ratioClientP50);
  positive(result.floor.ratioApiP50);
  positive(result.floor.ratioHandwrittenP50);
  // 3c: where the time went, from the worker process's SDK metrics over the same rounds.
  const b = result.floor.breakdown;
  for (const ms of [
    b.docketWorkflowTaskMs,
    b.docketLocalActivityMs,
    b.floorWorkflowTaskMs,
    b.handwrittenWorkflowTaskMs,
    b.handwrittenActivityMs,
  ])
    positive(ms);
  // A step takes at least one workflow task.
  expect(b.docketWorkflowTasksPerStep).toBeGreaterThanOrEqual(1);
  // Every case driven through the API stored its start and each step once.
  expect(result.checks.apiTransitions.stored).toBe(result.checks.apiTransitions.expected);
  expect(result.checks.apiTransitions.expected).toBe((SMOKE_OPTIONS.warmupCases + SMOKE_OPTIONS.latencyCases * SMOKE_OPTIONS.rounds) * 8);
});

test('4. history size of completed cases', () => {
  for (const name of VARIANTS) {
    expect(result.history.sampled[name]).toBe(SMOKE_OPTIONS.historySample);
    // At least a start, a completion and the 7 Updates' events.
    expect(result.history.events[name]).toBeGreaterThan(7 * 4);
    positive(result.history.bytes[name]);
  }
  positive(result.history.ratioEvents);
});

test('5. replay of a long case', () => {
  for (const name of VARIANTS) {
    expect(result.replay.historyEvents[name]).toBeGreaterThanOrEqual(SMOKE_OPTIONS.replayEvents);
    positive(result.replay.ms[name]);
  }
});

test('6. worker memory with open cases', () => {
  expect(result.memory.openCases).toBe(SMOKE_OPTIONS.memoryCases);
  for (const name of VARIANTS) {
    positive(result.memory.rssMb[name]);
    positive(result.memory.idleRssMb[name]);
  }
});

test('7. scale-out: 1 and 2 worker processes in alternating rounds, every transition stored once, a case handed over', () => {
  const s = result.scaleOut!;
  expect(s).toBeDefined();
  expect(s.rounds.map((r) => r.setup)).toEqual(['oneWorker', 'twoWorkers']);
  const perRound = Math.ceil(SMOKE_OPTIONS.cases / SMOKE_OPTIONS.rounds);
  for (const r of s.rounds) {
    expect(r.cases).toBe(perRound);
    positive(r.casesPerS);
    positive(r.workerCpuMsPerCase);
    // Every case driven in the round ended, with its start and each of its 7 steps stored once, in order.
    expect(r.check).toEqual({
      cases: perRound,
      ended: perRound,
      transitionsExpected: perRound * 8,
      transitionsStored: perRound * 8,
      withGaps: 0,
      withExtraRows: 0,
      withOtherEvents: 0,
      ok: true,
    });
  }
  for (const setup of ['oneWorker', 'twoWorkers'] as const) {
    positive(s.casesPerS[setup]);
    expect(s.transitionsPerS[setup]).toBeCloseTo(s.casesPerS[setup] * 8, 1);
    positive(s.workerCpuMsPerCase[setup]);
    expect(s.workflowTaskFailures[setup]).toBe(0);
    expect(s.workflowTaskTimeouts[setup]).toEqual({ scheduleToStart: expect.any(Number), startToClose: expect.any(Number) });
  }
  positive(s.ratio);
  // Temporal's histories name the process that ran each workflow task: the single process ran all of its setup's,
  // and the two processes between them all of theirs.
  expect(s.processes.map((p) => p.setup)).toEqual(['oneWorker', 'twoWorkers', 'twoWorkers']);
  for (const setup of ['oneWorker', 'twoWorkers'] as const) {
    const mine = s.processes.filter((p) => p.setup === setup);
    expect(mine.reduce((a, p) => a + p.workflowTasks, 0)).toBe(s.workflowTasks[setup]);
    // At least the start's and one per step.
    expect(s.workflowTasks[setup]).toBeGreaterThanOrEqual(perRound * 8);
    expect(mine.reduce((a, p) => a + p.casesStarted, 0)).toBe(perRound);
    expect(mine.reduce((a, p) => a + p.activities, 0)).toBeGreaterThanOrEqual(perRound * 8);
  }
  // The cases the stopped process held were finished by the other one, and nothing was lost or stored twice.
  const h = s.handover;
  expect(h.cases).toBe(Math.min(20, perRound));
  expect(h.heldByStopped).toBeGreaterThanOrEqual(1);
  expect(h.continuedOnSurvivor).toBe(h.heldByStopped);
  expect(h.stopped).not.toBe(h.survivor);
  expect(h.check).toMatchObject({ cases: h.cases, ended: h.cases, transitionsStored: h.cases * 8, ok: true });
  expect(s.nothingLost).toBe(true);
  const report = formatReport(result, 'npm run bench -- --smoke');
  expect(report).toContain('7. Scale-out');
  expect(report).toContain('Nothing lost');
});

test('the report has every measurement, its ratio and the goals', () => {
  const report = formatReport(result, 'npm run bench -- --smoke');
  for (const heading of [
    '1. Interpreter',
    '2. throughput',
    '3. human step',
    '3b. The floor',
    'Docket human step, HTTP API',
    '3c. Where the time goes',
    '4. history',
    '5. replay',
    '6. worker RSS',
    'Goals',
  ])
    expect(report).toContain(heading);
  expect(result.goals).toHaveLength(6);
  expect(result.goals.filter((g) => g.target === '≤ 1.5×').map((g) => g.value)).toEqual([
    result.floor.ratioClientP50,
    result.floor.ratioApiP50,
  ]);
  for (const goal of result.goals) expect(Number.isFinite(goal.value)).toBe(true);
});
