import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { DocketActivities } from '../../activities';

/** The activities of a case, one type per kind of effect. */
export const { persistTransition, notify, runTask, recordIncident } = proxyActivities<DocketActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * The same row store run within the workflow task (a local activity): a step's Update answers once
 * its row is stored without another round trip through the server. Retried like the activity;
 * beyond a minute of retries the worker schedules the attempts as timers (`localRetryThreshold`).
 */
export const { persistTransition: persistTransitionInTask } = proxyLocalActivities<DocketActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
