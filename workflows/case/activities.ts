import { proxyActivities } from '@temporalio/workflow';
import type { DocketActivities } from '../../activities';

/** The activities of a case, one type per kind of effect. */
export const { persistTransition, notify, runTask, recordIncident } = proxyActivities<DocketActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
