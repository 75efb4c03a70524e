import { countBetween, histogramTotals, meanBetween, stepBreakdown } from '../../bench/sdk-metrics';

/** Two readings of the SDK's Prometheus endpoint, as the bench's worker process serves it. */
const reading = (docketSum: number, docketCount: number, laSum: number, laCount: number) => `
# HELP temporal_workflow_task_execution_latency Histogram of workflow task execution (not replay) latencies
# TYPE temporal_workflow_task_execution_latency histogram
temporal_workflow_task_execution_latency_bucket{namespace="default",service_name="temporal-core-sdk",task_queue="q-docket",workflow_type="caseWorkflow",le="50"} ${docketCount}
temporal_workflow_task_execution_latency_sum{namespace="default",service_name="temporal-core-sdk",task_queue="q-docket",workflow_type="caseWorkflow"} ${docketSum}
temporal_workflow_task_execution_latency_count{namespace="default",service_name="temporal-core-sdk",task_queue="q-docket",workflow_type="caseWorkflow"} ${docketCount}
temporal_workflow_task_execution_latency_sum{namespace="default",service_name="temporal-core-sdk",task_queue="q-docket",workflow_type="annotationWorkflow"} 40
temporal_workflow_task_execution_latency_count{namespace="default",service_name="temporal-core-sdk",task_queue="q-docket",workflow_type="annotationWorkflow"} 2
temporal_workflow_task_execution_latency_sum{namespace="default",service_name="temporal-core-sdk",task_queue="q-floor",workflow_type="bareUpdateWorkflow"} 300
temporal_workflow_task_execution_latency_count{namespace="default",service_name="temporal-core-sdk",task_queue="q-floor",workflow_type="bareUpdateWorkflow"} 30
temporal_local_activity_execution_latency_sum{activity_type="persistTransition",namespace="default",service_name="temporal-core-sdk",task_queue="q-docket",workflow_type="caseWorkflow"} ${laSum}
temporal_local_activity_execution_latency_count{activity_type="persistTransition",namespace="default",service_name="temporal-core-sdk",task_queue="q-docket",workflow_type="caseWorkflow"} ${laCount}
`;

describe("the SDK's metrics: where a step's time goes", () => {
  test('a histogram is summed over the series of the labels asked for, and a missing one is zero', () => {
    const text = reading(1000, 50, 400, 40);
    expect(histogramTotals(text, 'temporal_workflow_task_execution_latency', { task_queue: 'q-docket' })).toEqual({ sum: 1040, count: 52 });
    expect(
      histogramTotals(text, 'temporal_workflow_task_execution_latency', { task_queue: 'q-docket', workflow_type: 'caseWorkflow' }),
    ).toEqual({ sum: 1000, count: 50 });
    // The buckets are not counts of their own.
    expect(histogramTotals(text, 'temporal_workflow_task_execution_latency', { task_queue: 'q-floor' })).toEqual({ sum: 300, count: 30 });
    expect(histogramTotals(text, 'temporal_activity_execution_latency', { task_queue: 'q-docket' })).toEqual({ sum: 0, count: 0 });
    expect(histogramTotals('', 'temporal_workflow_task_execution_latency', {})).toEqual({ sum: 0, count: 0 });
  });

  test('the mean between two readings counts only what happened in between', () => {
    const before = reading(1000, 50, 400, 40);
    const after = reading(1600, 70, 700, 60);
    expect(
      meanBetween(before, after, 'temporal_workflow_task_execution_latency', { task_queue: 'q-docket', workflow_type: 'caseWorkflow' }),
    ).toBe(30);
    expect(meanBetween(before, after, 'temporal_local_activity_execution_latency', { task_queue: 'q-docket' })).toBe(15);
    expect(countBetween(before, after, 'temporal_local_activity_execution_latency', { task_queue: 'q-docket' })).toBe(20);
    // Nothing recorded in between: no mean, not zero.
    expect(meanBetween(before, before, 'temporal_workflow_task_execution_latency', { task_queue: 'q-floor' })).toBeNaN();
  });

  test('the breakdown per task queue and per human step', () => {
    const b = stepBreakdown(
      reading(1000, 50, 400, 40),
      reading(1600, 70, 700, 60),
      { docket: 'q-docket', floor: 'q-floor', handwritten: 'q-hand' },
      8,
    );
    expect(b.docketWorkflowTaskMs).toBe(30);
    expect(b.docketWorkflowTasksPerStep).toBe(2.5);
    expect(b.docketLocalActivityMs).toBe(15);
    expect(b.floorWorkflowTaskMs).toBeNaN();
    expect(b.handwrittenWorkflowTaskMs).toBeNaN();
  });
});
