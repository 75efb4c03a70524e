/** The benchmark's printed table. */
import type { BenchResult } from './run';
import { formatScaleOut } from './scale-out-report';
import type { Percentiles } from './stats';
import { fmt, table } from './table';

export function formatReport(r: BenchResult, command: string): string {
  const m = r.machine;
  const lines: string[] = [];
  lines.push(`Docket benchmark, ${r.startedAt} (${fmt(r.seconds, 0)} s)`);
  lines.push(`Command: ${command}`);
  lines.push(`Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGb} GB, ${m.platform}, Node ${m.node}`);
  lines.push(`Servers: ${m.servers}`);
  lines.push(
    `Worker: cache ${r.worker.maxCachedWorkflows}, ${r.worker.maxConcurrentWorkflowTasks} workflow tasks, ${r.worker.maxConcurrentActivities} activities; ` +
      `throughput ${r.options.cases} cases each in ${r.options.rounds} rounds at ${r.options.concurrency} clients; latency ${r.options.latencyCases} cases × ${r.options.rounds} rounds at ${r.options.latencyConcurrency} clients`,
  );
  if (r.options.preload === false) lines.push('Docket bundle: built with no bundler options (--no-preload): XState loaded per case');
  lines.push('');
  lines.push('1. Interpreter: the pure step function (µs per event)');
  lines.push(
    table([
      ['process', 'states', 'transitions', 'events', 'step p50', 'step p95', 'step p99', 'check p50', 'compile'],
      ...r.interpreter.map((i) => [
        `${i.process} v${i.version}`,
        String(i.states),
        String(i.transitions),
        String(i.events),
        fmt(i.stepUs.p50),
        fmt(i.stepUs.p95),
        fmt(i.stepUs.p99),
        fmt(i.checkUs.p50),
        `${fmt(i.compileUs / 1000, 1)} ms`,
      ]),
    ]),
  );
  lines.push('');
  lines.push('2–6. Docket’s generic workflow vs a hand-written workflow (complaint, same activities and timers)');
  const row = (name: string, d: number, h: number, ratio: number, digits = 1): string[] => [
    name,
    fmt(d, digits),
    fmt(h, digits),
    `${fmt(ratio, 2)}×`,
  ];
  const { throughput: t, latency: l, history: hs, replay: rp, memory: mem } = r;
  lines.push(
    table([
      ['measurement', 'Docket', 'hand-written', 'ratio'],
      row('2. throughput, cases/s', t.casesPerS.docket, t.casesPerS.handwritten, t.ratio),
      row('   throughput, transitions/s', t.transitionsPerS.docket, t.transitionsPerS.handwritten, t.ratio),
      row(
        '   worker CPU per case, ms',
        t.workerCpuMsPerCase.docket,
        t.workerCpuMsPerCase.handwritten,
        t.workerCpuMsPerCase.docket / t.workerCpuMsPerCase.handwritten,
      ),
      row('3. human step round trip p50, ms', l.ms.docket.p50, l.ms.handwritten.p50, l.ratioP50),
      row('   p95, ms', l.ms.docket.p95, l.ms.handwritten.p95, l.ms.docket.p95 / l.ms.handwritten.p95),
      row('   p99, ms', l.ms.docket.p99, l.ms.handwritten.p99, l.ratioP99),
      row(
        `   p99 under load (${r.options.concurrency} clients), ms`,
        l.underLoadMs.docket.p99,
        l.underLoadMs.handwritten.p99,
        l.underLoadRatioP99,
      ),
      row(
        '   status Query round trip p50, ms',
        l.statusQueryMs.docket.p50,
        l.statusQueryMs.handwritten.p50,
        l.statusQueryMs.docket.p50 / l.statusQueryMs.handwritten.p50,
      ),
      row('4. history events per case', hs.events.docket, hs.events.handwritten, hs.ratioEvents),
      row('   history bytes per case', hs.bytes.docket, hs.bytes.handwritten, hs.ratioBytes, 0),
      row(
        `5. replay of a ${rp.historyEvents.docket}/${rp.historyEvents.handwritten}-event case, ms`,
        rp.ms.docket,
        rp.ms.handwritten,
        rp.ratio,
      ),
      row(`6. worker RSS with ${mem.openCases} open cases, MB`, mem.rssMb.docket, mem.rssMb.handwritten, mem.ratio),
      row('   per open case, KB', mem.perCaseKb.docket, mem.perCaseKb.handwritten, mem.perCaseKb.docket / mem.perCaseKb.handwritten),
    ]),
  );
  const f = r.floor;
  lines.push('');
  lines.push(
    `3b. The floor: a bare Update (its handler only counts; no activity) on the same worker process, ` +
      `driven like the human steps (${r.options.latencyCases} × ${r.options.rounds} workflows of 7 Updates at ${r.options.latencyConcurrency} clients)`,
  );
  const floorRow = (name: string, p: Percentiles, vsFloor: string): string[] => [
    name,
    String(p.count),
    fmt(p.p50),
    fmt(p.p95),
    fmt(p.p99),
    vsFloor,
  ];
  lines.push(
    table([
      ['round trip, ms', 'count', 'p50', 'p95', 'p99', 'p50 vs bare Update'],
      floorRow('bare Update (the floor)', f.bareUpdateMs, '1.00×'),
      floorRow('Docket human step, client', l.ms.docket, `${fmt(f.ratioClientP50, 2)}×`),
      floorRow('Docket human step, HTTP API', f.docketApiMs, `${fmt(f.ratioApiP50, 2)}×`),
      floorRow('hand-written human step, client', l.ms.handwritten, `${fmt(f.ratioHandwrittenP50, 2)}×`),
    ]),
  );
  const b = f.breakdown;
  lines.push('');
  lines.push(
    `3c. Where the time goes in the worker, same rounds (means from the Temporal SDK's metrics; a workflow task runs from its ` +
      `start to its completion sent, local activities included; Docket's starts and ends among them)`,
  );
  lines.push(
    table([
      ['in the worker, ms', 'Docket', 'hand-written', 'bare Update'],
      ['workflow task', fmt(b.docketWorkflowTaskMs), fmt(b.handwrittenWorkflowTaskMs), fmt(b.floorWorkflowTaskMs)],
      ['  of it, storing the row (local activity)', fmt(b.docketLocalActivityMs), '–', '–'],
      ['storing the row (activity, after its own workflow task)', '–', fmt(b.handwrittenActivityMs), '–'],
      ['workflow tasks per human step', fmt(b.docketWorkflowTasksPerStep), '', ''],
    ]),
  );
  if (r.scaleOut) lines.push('', formatScaleOut(r.scaleOut, r.options));
  if (r.tuning) {
    lines.push('');
    lines.push(`Worker tuning (one round per setting at ${r.options.concurrency} clients; a fresh worker process each)`);
    lines.push(
      table([
        ['setting', 'cache', 'wf tasks', 'activities', 'Docket cases/s', 'hand-written cases/s', 'Docket p99 ms', 'hand-written p99 ms'],
        ...r.tuning.map((p) => [
          p.label,
          String(p.tuning.maxCachedWorkflows),
          String(p.tuning.maxConcurrentWorkflowTasks),
          String(p.tuning.maxConcurrentActivities),
          fmt(p.casesPerS.docket),
          fmt(p.casesPerS.handwritten),
          fmt(p.p99Ms.docket),
          fmt(p.p99Ms.handwritten),
        ]),
      ]),
    );
  }
  lines.push('');
  lines.push('Goals');
  lines.push(table(r.goals.map((g) => [g.name, g.target, fmt(g.value, 2), g.met ? 'met' : 'NOT MET'])));
  const c = r.checks;
  lines.push('');
  lines.push(
    `Transitions stored: Docket ${c.transitionsStored.docket}/${c.transitionsExpected.docket}, hand-written ${c.transitionsStored.handwritten}/${c.transitionsExpected.handwritten}, ` +
      `Docket through the HTTP API ${c.apiTransitions.stored}/${c.apiTransitions.expected}`,
  );
  return lines.join('\n');
}
