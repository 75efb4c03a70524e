import { ApplicationFailure } from '@temporalio/activity';
import type { CaseProjection, Notification, TransitionRecord } from '../engine/types';
import type { CaseStore, Notifier } from './ports';

export * from './ports';

export interface ActivityDeps {
  store: CaseStore;
  notifier: Notifier;
}

export interface PersistTransitionInput {
  record: TransitionRecord;
  projection: CaseProjection;
}

/** The activities of a case, one type per kind of effect. Each is idempotent under retries. */
export function createActivities(deps: ActivityDeps) {
  return {
    /** Appends one row to the transition log and updates the case projection. */
    async persistTransition(input: PersistTransitionInput): Promise<void> {
      try {
        await deps.store.appendTransition(input.record, input.projection);
      } catch (err) {
        if ((err as Error).name === 'ConflictError') {
          throw ApplicationFailure.nonRetryable((err as Error).message, 'Conflict');
        }
        throw err;
      }
    },
    /** Delivers one notification (reminder, escalation, information). */
    async notify(notification: Notification): Promise<void> {
      await deps.notifier.send(notification);
    },
  };
}

export type DocketActivities = ReturnType<typeof createActivities>;
