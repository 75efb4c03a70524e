/**
 * Where a human step's time goes inside the worker, from the Temporal SDK's own metrics (its
 * Prometheus endpoint in the benchmark's worker process): the mean time of a workflow task, of a
 * local activity and of an activity, per task queue, over a stretch of the run (two readings).
 */

/** A histogram's running total and count. */
export interface Totals {
  sum: number;
  count: number;
}

/** `name{labels} value` of the Prometheus text format; labels as given (no escaped quotes in the SDK's values). */
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})?\s+(\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"/g;

/**
 * The sum and count of histogram `name` over the series whose labels include `labels`, in
 * Prometheus text `text` (zero when absent: nothing of that kind happened yet).
 */
export function histogramTotals(text: string, name: string, labels: Record<string, string>): Totals {
  const totals: Totals = { sum: 0, count: 0 };
  for (const line of text.split('\n')) {
    const m = SAMPLE.exec(line.trim());
    if (!m) continue;
    const [, metric, rawLabels, value] = m;
    const part = metric === `${name}_sum` ? 'sum' : metric === `${name}_count` ? 'count' : undefined;
    if (!part) continue;
    const found = new Map([...(rawLabels ?? '').matchAll(LABEL)].map(([, k, v]) => [k!, v!]));
    if (Object.entries(labels).some(([k, v]) => found.get(k) !== v)) continue;
    const n = Number(value);
    if (Number.isFinite(n)) totals[part] += n;
  }
  return totals;
}

/** The mean (ms) of what was recorded between two readings; NaN when nothing was. */
export function meanBetween(before: string, after: string, name: string, labels: Record<string, string>): number {
  const a = histogramTotals(before, name, labels);
  const b = histogramTotals(after, name, labels);
  const count = b.count - a.count;
  return count > 0 ? (b.sum - a.sum) / count : NaN;
}

/** How many were recorded between two readings. */
export function countBetween(before: string, after: string, name: string, labels: Record<string, string>): number {
  return histogramTotals(after, name, labels).count - histogramTotals(before, name, labels).count;
}

/** The SDK's histograms the breakdown reads (durations in milliseconds). */
export const SDK_METRICS = {
  workflowTask: 'temporal_workflow_task_execution_latency',
  localActivity: 'temporal_local_activity_execution_latency',
  activity: 'temporal_activity_execution_latency',
} as const;

/** Means over the latency rounds, per workflow task and per activity, by task queue. */
export interface StepBreakdown {
  /** Docket's workflow tasks (its client and API rounds): mean time from the task's start to its completion sent, ms. */
  docketWorkflowTaskMs: number;
  /** Docket's workflow tasks per human step driven (starts and ends included). */
  docketWorkflowTasksPerStep: number;
  /** The row's store within the task (`persistTransition` as a local activity), mean ms. */
  docketLocalActivityMs: number;
  /** The bare Update's workflow tasks, mean ms. */
  floorWorkflowTaskMs: number;
  /** The hand-written workflow's tasks, and its `persistTransition` activity (scheduled through the server), mean ms. */
  handwrittenWorkflowTaskMs: number;
  handwrittenActivityMs: number;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** The breakdown between two readings of the worker process's metrics (to 0.01). */
export function stepBreakdown(
  before: string,
  after: string,
  queues: { docket: string; floor: string; handwritten: string },
  docketSteps: number,
): StepBreakdown {
  const q = (taskQueue: string) => ({ task_queue: taskQueue });
  return {
    docketWorkflowTaskMs: round2(meanBetween(before, after, SDK_METRICS.workflowTask, q(queues.docket))),
    docketWorkflowTasksPerStep: round2(countBetween(before, after, SDK_METRICS.workflowTask, q(queues.docket)) / docketSteps),
    docketLocalActivityMs: round2(meanBetween(before, after, SDK_METRICS.localActivity, q(queues.docket))),
    floorWorkflowTaskMs: round2(meanBetween(before, after, SDK_METRICS.workflowTask, q(queues.floor))),
    handwrittenWorkflowTaskMs: round2(meanBetween(before, after, SDK_METRICS.workflowTask, q(queues.handwritten))),
    handwrittenActivityMs: round2(meanBetween(before, after, SDK_METRICS.activity, q(queues.handwritten))),
  };
}
