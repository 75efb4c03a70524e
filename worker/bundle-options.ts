/**
 * How every bundle of the case workflow is built: by the worker from workflows/, by the
 * tests' global setup, by the history recorder and by the benchmark. One set of options,
 * so that tests, replays and benchmarks run the code a worker runs.
 */
import { bundleWorkflowCode, type BundleOptions, type WorkerOptions, type WorkflowBundleWithSourceMap } from '@temporalio/worker';

export const WORKFLOWS_PATH = require.resolve('../workflows');

/** The libraries loaded once per worker and shared by all cases (XState; see ./workflow-preload.ts). */
export const WORKFLOW_PRELOAD_PATH = require.resolve('./workflow-preload');

/** `WorkerOptions.bundlerOptions` of a worker that bundles workflows/ itself. */
export const workflowBundlerOptions: NonNullable<WorkerOptions['bundlerOptions']> = {
  preloadModules: [WORKFLOW_PRELOAD_PATH],
};

/** Bundles workflows/ the way the worker does (for `WorkerOptions.workflowBundle`, replays and tests). */
export function bundleWorkflows(options: Pick<BundleOptions, 'logger'> = {}): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, ...workflowBundlerOptions, ...options });
}
