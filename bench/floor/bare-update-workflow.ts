/**
 * The floor of a human step: a workflow whose Update handler only counts, with no
 * validator and no activity. What an Update's round trip costs on a server and worker
 * when the workflow does nothing; the benchmark compares Docket's step with it. Not
 * part of the product.
 */
import { condition, defineUpdate, setHandler } from '@temporalio/workflow';

/** Takes any argument (the benchmark sends the human step's request, so the payloads match) and returns the count so far. */
export const bumpUpdate = defineUpdate<number, [unknown]>('bump');

/** Counts Updates until `updates` have arrived, then completes with the count. */
export async function bareUpdateWorkflow(updates: number): Promise<number> {
  let count = 0;
  setHandler(bumpUpdate, () => ++count);
  await condition(() => count >= updates);
  return count;
}
