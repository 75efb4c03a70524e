import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { PostgresCaseStore } from '../../adapters/postgres/case-store';
import { verifyChain } from '../../audit/chain';
import { crossCheck } from '../../audit/deep';
import { DocketError } from '../../client/docket-client';
import { COMPLAINT_STEPS, complaintInput, createHarness, cs, spawnWorkerProcess, type Harness } from '../helpers/harness';

let h: Harness;
const children: ChildProcess[] = [];

beforeAll(async () => {
  h = await createHarness('durability', { noWorker: true });
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await h?.close();
});

/** A worker in a process of its own, so it can be killed for real. */
function spawnWorker(): ChildProcess {
  const child = spawnWorkerProcess(h, { LOG_LEVEL: 'warn' });
  children.push(child);
  return child;
}

/** Sends one step, again with the same request id should it fail in transit (a worker died meanwhile). */
async function sendStep(caseId: string, i: number) {
  const [type, data, actor] = STEPS[i]!;
  for (let attempt = 0; ; attempt++) {
    try {
      return await h.docket.send(caseId, { type, data, actor, requestId: `${caseId}-${i}` });
    } catch (err) {
      if (err instanceof DocketError || attempt > 20) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

const STEPS = COMPLAINT_STEPS;

/** Drives one case to its end; a request that fails in transit is sent again with the same request id. */
async function drive(caseId: string, from = 0): Promise<void> {
  for (let i = from; i < STEPS.length; i++) await sendStep(caseId, i);
}

test('SIGKILL of the worker mid-flight: every case finishes with no lost or doubled transition', async () => {
  const first = spawnWorker();
  const cases: string[] = [];
  for (let i = 0; i < 6; i++) cases.push((await h.docket.startCase('complaint', complaintInput, cs)).caseId);
  const drivers = cases.map((id) => drive(id));

  // Kill the worker once the cases are under way.
  for (;;) {
    const { rows } = await h.pool.query<{ n: string }>('SELECT count(*) AS n FROM docket.transitions');
    if (Number(rows[0]!.n) >= 6 + 12) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  first.kill('SIGKILL');
  await new Promise<void>((resolve) => first.once('exit', () => resolve()));
  expect(first.signalCode).toBe('SIGKILL');
  const { rows: atKill } = await h.pool.query<{ n: string }>('SELECT count(*) AS n FROM docket.transitions');
  expect(Number(atKill[0]!.n)).toBeLessThan(cases.length * (STEPS.length + 1));

  spawnWorker();
  await Promise.all(drivers);

  for (const caseId of cases) {
    const log = await h.history(caseId);
    expect(log.map((r) => r.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(log.map((r) => r.event)).toEqual(['xstate.init', ...STEPS.map(([type]) => type)]);
    expect(log.at(-1)).toMatchObject({ toState: 'closed', status: 'completed' });
    const status = await h.docket.status(caseId);
    expect(status).toMatchObject({ state: 'closed', status: 'completed', seq: 7 });
    expect(status.context.contacts).toHaveLength(1);
  }
}, 180_000);

test('a worker killed after it stored the row of a step, before its workflow task completed: the step is taken again, the stored row stands, nothing doubles', async () => {
  // The workers of the test before are stopped: this case's tasks go to the dying one.
  await Promise.all(
    children
      .filter((c) => c.exitCode === null && c.signalCode === null)
      .map((c) => new Promise<void>((resolve) => c.once('exit', () => resolve()).kill('SIGKILL'))),
  );
  // Rows are stored within the workflow task: this worker dies right after the row of seq 2 is committed.
  const dying = spawnWorkerProcess(
    h,
    { LOG_LEVEL: 'warn', DOCKET_DIE_AFTER_SEQ: '2' },
    undefined,
    path.join(__dirname, '../helpers/worker-dies-after-store.ts'),
  );
  children.push(dying);
  const { caseId } = await h.docket.startCase('complaint', complaintInput, cs);
  await sendStep(caseId, 0);
  const second = sendStep(caseId, 1);
  await new Promise<void>((resolve) => dying.once('exit', () => resolve()));
  expect(dying.signalCode).toBe('SIGKILL');
  const [stored] = (await h.history(caseId)).filter((r) => r.seq === 2);
  expect(stored).toMatchObject({ event: STEPS[1]![0] });

  // Another worker runs the task again, later: the same step at another time, which the store takes as the row it has.
  spawnWorker();
  expect(await second).toMatchObject({ seq: 2 });
  const retried = await h.docket.store.getCase(caseId);
  expect(retried).toMatchObject({ lastSeq: 2 });
  expect(Date.parse(retried!.updatedAt)).toBeGreaterThan(Date.parse(stored!.at));
  const status = await h.docket.status(caseId);
  expect(status.incidents).toEqual([]);

  await drive(caseId, 2);
  const log = await h.history(caseId);
  expect(log.map((r) => r.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  expect(log.map((r) => r.event)).toEqual(['xstate.init', ...STEPS.map(([type]) => type)]);
  // The row of record is the one first stored, and the hash chain runs on from it.
  expect(log[2]).toEqual(stored);
  expect(await h.docket.status(caseId)).toMatchObject({ state: 'closed', status: 'completed', seq: 7, incidents: [] });
  const chained = await new PostgresCaseStore(h.pool).listChainedTransitions(caseId);
  expect(verifyChain(caseId, chained, { lastSeq: 7 })).toMatchObject({ ok: true, rows: 8 });
  // Temporal's history witnesses every row as stored, the retried one with its stored time.
  expect(crossCheck(log, await h.docket.workflowHistory(caseId))).toMatchObject({ ok: true, applied: 8, problems: [] });
}, 180_000);
