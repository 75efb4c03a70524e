/**
 * Issue 14: a worker process logs JSON lines (its own and the Temporal SDK's) and, given
 * DOCKET_WORKER_METRICS_ADDRESS, serves the SDK's Prometheus metrics; two workers on one machine
 * each serve their own.
 */
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { complaintInput, createHarness, cs, spawnWorkerProcess, type Harness } from '../helpers/harness';
import { freePort } from '../../infra/net';
import { parsePrometheus } from '../helpers/prometheus';

let h: Harness;
const children: ChildProcess[] = [];

beforeAll(async () => {
  h = await createHarness('issue14-worker', { noWorker: true });
}, 120_000);
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await h?.close();
});

interface Worker {
  child: ChildProcess;
  lines: Array<Record<string, unknown>>;
  /** Lines of stdout that were not JSON. */
  other: string[];
  until(msg: string): Promise<Record<string, unknown>>;
}

function spawnWorker(metricsAddress: string): Worker {
  const child = spawnWorkerProcess(h, { DOCKET_WORKER_METRICS_ADDRESS: metricsAddress, LOG_LEVEL: 'info', LOG_FORMAT: 'json' }, [
    'ignore',
    'pipe',
    'inherit',
  ]);
  children.push(child);
  const lines: Array<Record<string, unknown>> = [];
  const other: string[] = [];
  const waiting: Array<{ msg: string; resolve: (line: Record<string, unknown>) => void }> = [];
  createInterface({ input: child.stdout! }).on('line', (text) => {
    let line: Record<string, unknown>;
    try {
      line = JSON.parse(text) as Record<string, unknown>;
    } catch {
      other.push(text);
      return;
    }
    lines.push(line);
    for (const w of waiting.filter((x) => x.msg === line.msg)) w.resolve(line);
  });
  const until = (msg: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const seen = lines.find((l) => l.msg === msg);
      if (seen) return resolve(seen);
      const timer = setTimeout(() => reject(new Error(`no "${msg}" line; lines: ${JSON.stringify(lines)} ${other.join('\n')}`)), 60_000);
      waiting.push({ msg, resolve: (l) => (clearTimeout(timer), resolve(l)) });
    });
  return { child, lines, other, until };
}

async function scrape(address: string) {
  const res = await fetch(`http://${address}/metrics`);
  expect(res.status).toBe(200);
  return parsePrometheus(await res.text());
}

test('a worker logs JSON lines and serves the Temporal SDK metrics at its address; a second worker on the same machine at its own', async () => {
  const first = `127.0.0.1:${await freePort()}`;
  const second = `127.0.0.1:${await freePort()}`;
  const a = spawnWorker(first);
  const b = spawnWorker(second);
  const started = await a.until('worker started');
  await b.until('worker started');
  expect(started).toMatchObject({
    level: 30,
    name: 'docket-worker',
    taskQueue: h.taskQueue,
    metrics: `http://${first}/metrics`,
    pid: a.child.pid,
    time: expect.any(Number),
  });
  const password = new URL(h.config.databaseUrl!).password;
  if (password) expect(JSON.stringify(a.lines)).not.toContain(password);

  const { caseId } = await h.docket.startCase('complaint', complaintInput, cs);
  await h.docket.send(caseId, { type: 'ACCEPT', data: { department: 'after_sales', assignee: 'bob' }, actor: cs });

  const polled = (samples: ReturnType<typeof parsePrometheus>) =>
    samples
      .filter((s) => s.name === 'temporal_workflow_task_queue_poll_succeed_total' && s.labels.task_queue === h.taskQueue)
      .reduce((n, s) => n + s.value, 0);
  const [fromA, fromB] = await Promise.all([scrape(first), scrape(second)]);
  for (const samples of [fromA, fromB]) {
    expect(samples.some((s) => s.name === 'temporal_worker_start_total' && s.labels.task_queue === h.taskQueue)).toBe(true);
  }
  // The case's workflow tasks were polled by one worker or the other: between them, at least the start and the update.
  expect(polled(fromA) + polled(fromB)).toBeGreaterThanOrEqual(2);
  const executed = (samples: ReturnType<typeof parsePrometheus>) =>
    samples
      .filter((s) => s.name === 'temporal_workflow_task_execution_latency_seconds_count' && s.labels.task_queue === h.taskQueue)
      .reduce((n, s) => n + s.value, 0);
  expect(executed(fromA) + executed(fromB)).toBeGreaterThanOrEqual(2);

  a.child.kill('SIGTERM');
  b.child.kill('SIGTERM');
  await a.until('worker stopped');
  await b.until('worker stopped');
  // Every line of stdout was JSON.
  expect(a.other).toEqual([]);
  expect(b.other).toEqual([]);
}, 120_000);
