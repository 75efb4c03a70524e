/** The scale-out section of the benchmark's printed report (measurement 7, ./scale-out.ts). */
import type { BenchOptions } from './options';
import { describeCheck, SETUP_LABEL, SETUPS, type LossCheck, type ScaleOutResult, type Setup } from './scale-out';
import { fmt, table } from './table';

export function formatScaleOut(s: ScaleOutResult, opts: BenchOptions): string {
  const perRound = s.rounds.find((x) => x.setup === 'oneWorker')?.cases ?? 0;
  const lines: string[] = [];
  lines.push(
    `7. Scale-out: Docket with 1 and with 2 worker processes polling one task queue, same servers ` +
      `(${opts.rounds} round(s) of ${perRound} cases per setup at ${opts.concurrency} clients, alternating)`,
  );
  const row = (name: string, one: number, two: number, ratio = two / one, digits = 1): string[] => [
    name,
    fmt(one, digits),
    fmt(two, digits),
    Number.isNaN(ratio) ? '' : `${fmt(ratio, 2)}×`,
  ];
  lines.push(
    table([
      ['measurement', '1 worker', '2 workers', 'ratio'],
      row('throughput, cases/s', s.casesPerS.oneWorker, s.casesPerS.twoWorkers, s.ratio),
      row('throughput, transitions/s', s.transitionsPerS.oneWorker, s.transitionsPerS.twoWorkers, s.ratio),
      row('worker CPU per case (all processes), ms', s.workerCpuMsPerCase.oneWorker, s.workerCpuMsPerCase.twoWorkers),
      row('machine CPU busy, %', s.machineCpuBusyPct.oneWorker, s.machineCpuBusyPct.twoWorkers, NaN),
      row('workflow tasks per case', s.workflowTasksPerCase.oneWorker, s.workflowTasksPerCase.twoWorkers, undefined, 2),
      row(
        'workflow tasks timed out on a sticky queue',
        s.workflowTaskTimeouts.oneWorker.scheduleToStart,
        s.workflowTaskTimeouts.twoWorkers.scheduleToStart,
        NaN,
        0,
      ),
      row(
        'workflow tasks timed out running',
        s.workflowTaskTimeouts.oneWorker.startToClose,
        s.workflowTaskTimeouts.twoWorkers.startToClose,
        NaN,
        0,
      ),
      row('workflow tasks failed', s.workflowTaskFailures.oneWorker, s.workflowTaskFailures.twoWorkers, NaN, 0),
    ]),
  );
  const perRoundCps = (setup: Setup) =>
    s.rounds
      .filter((x) => x.setup === setup)
      .map((x) => fmt(x.casesPerS))
      .join(', ');
  lines.push(`Cases/s by round: 1 worker ${perRoundCps('oneWorker')}; 2 workers ${perRoundCps('twoWorkers')}.`);
  lines.push('');
  lines.push(
    `Work by process in the measured rounds (workflow tasks and activities, local ones included, by the worker identity Temporal recorded):`,
  );
  const total = (setup: Setup) => s.processes.filter((p) => p.setup === setup).reduce((a, p) => a + p.workflowTasks, 0);
  lines.push(
    table([
      ['process', 'workflow tasks', 'share', 'activities', 'cases started', 'CPU, s'],
      ...s.processes.map((p) => [
        `${SETUP_LABEL[p.setup]}: ${p.label}`,
        fmt(p.workflowTasks, 0),
        `${fmt((100 * p.workflowTasks) / total(p.setup), 0)}%`,
        fmt(p.activities, 0),
        fmt(p.casesStarted, 0),
        fmt(p.cpuMs / 1000, 1),
      ]),
    ]),
  );
  lines.push(`Cases whose workflow tasks ran on both of the 2 processes: ${s.casesOnBothProcesses}.`);
  const h = s.handover;
  lines.push(
    `Handover: ${h.cases} cases begun on the 2 processes (${h.stepsBefore} steps each), then ${h.stopped} stopped ` +
      `while holding ${h.heldByStopped} of them: ${h.continuedOnSurvivor} of those continued on ${h.survivor}; ` +
      `their remaining steps took ${fmt(h.secondsAfterStop, 1)} s.`,
  );
  const sum = (checks: LossCheck[]): LossCheck => ({
    cases: checks.reduce((a, c) => a + c.cases, 0),
    ended: checks.reduce((a, c) => a + c.ended, 0),
    transitionsExpected: checks.reduce((a, c) => a + c.transitionsExpected, 0),
    transitionsStored: checks.reduce((a, c) => a + c.transitionsStored, 0),
    withGaps: checks.reduce((a, c) => a + c.withGaps, 0),
    withExtraRows: checks.reduce((a, c) => a + c.withExtraRows, 0),
    withOtherEvents: checks.reduce((a, c) => a + c.withOtherEvents, 0),
    ok: checks.every((c) => c.ok),
  });
  lines.push(s.nothingLost ? 'Nothing lost:' : 'LOST OR DUPLICATED TRANSITIONS:');
  const checks: Array<[string, LossCheck]> = [
    ...SETUPS.map((setup): [string, LossCheck] => [SETUP_LABEL[setup], sum(s.rounds.filter((x) => x.setup === setup).map((x) => x.check))]),
    ['handover', h.check],
  ];
  for (const [label, check] of checks) lines.push(`  ${`${label}:`.padEnd(11)}${describeCheck(check)}`);
  return lines.join('\n');
}
