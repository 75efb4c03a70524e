import type { ChildProcess } from 'node:child_process';
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

const STEPS = COMPLAINT_STEPS;

/** Drives one case to its end; a request that fails in transit is sent again with the same request id. */
async function drive(caseId: string): Promise<void> {
  for (const [i, [type, data, actor]] of STEPS.entries()) {
    for (let attempt = 0; ; attempt++) {
      try {
        await h.docket.send(caseId, { type, data, actor, requestId: `${caseId}-${i}` });
        break;
      } catch (err) {
        if (err instanceof DocketError || attempt > 20) throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }
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
