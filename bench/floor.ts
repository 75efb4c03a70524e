/**
 * Driving the floor (./floor/bare-update-workflow.ts) the way the cases are driven: start
 * the workflow, send 7 Updates one after another, wait for the result, with the same
 * client and concurrency. Each Update carries the request of the matching human step.
 */
import type { Client } from '@temporalio/client';
import { humanSteps, pool, promisedResponseBy, withTimeout, type DriveResult } from './cases';
import { bumpUpdate, type bareUpdateWorkflow } from './floor/bare-update-workflow';

/** Runs `n` bare-Update workflows with `concurrency` concurrent clients; the round trip of every Update. */
export async function driveBareUpdates(
  client: Client,
  taskQueue: string,
  n: number,
  concurrency: number,
  idPrefix: string,
): Promise<DriveResult> {
  const workflowIds: string[] = [];
  const latenciesMs: number[] = [];
  const requests = humanSteps(promisedResponseBy()).map((s) => s.request);
  const t0 = performance.now();
  await pool(n, concurrency, async (i) => {
    const workflowId = `${idPrefix}-${i}`;
    workflowIds.push(workflowId);
    const handle = await client.workflow.start<typeof bareUpdateWorkflow>('bareUpdateWorkflow', {
      workflowId,
      taskQueue,
      args: [requests.length],
    });
    for (const [k, request] of requests.entries()) {
      const t = performance.now();
      const count = await withTimeout(handle.executeUpdate(bumpUpdate, { args: [request] }), `Update ${k + 1} to ${workflowId}`);
      latenciesMs.push(performance.now() - t);
      if (count !== k + 1) throw new Error(`${workflowId}: Update ${k + 1} counted ${count}`);
    }
    const total = await withTimeout(handle.result(), `the result of ${workflowId}`);
    if (total !== requests.length) throw new Error(`${workflowId} ended with ${total} Updates, expected ${requests.length}`);
  });
  return { caseIds: workflowIds, seconds: (performance.now() - t0) / 1000, latenciesMs };
}
