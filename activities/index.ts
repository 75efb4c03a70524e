import { ApplicationFailure } from '@temporalio/activity';
import { evaluateTask, type TaskInput, type TaskOutput } from '../engine/tasks';
import type { CaseProjection, Notification, TransitionRecord } from '../engine/types';
import type { Incident } from '../workflows/messages';
import type { AnnotationWriter, CaseStore, IncidentStore, NewAnnotation, Notifier } from '../ports';
import type { ChainedAnnotation } from '../audit/annotations';

export interface ActivityDeps {
  store: CaseStore;
  notifier: Notifier;
  incidents: IncidentStore;
  /** Annotations on cases (absent: `recordAnnotation` fails for good). */
  annotations?: AnnotationWriter;
}

export interface PersistTransitionInput {
  record: TransitionRecord;
  projection: CaseProjection;
  /**
   * Stored from within the workflow task (a local activity): a repeat of the stored row at another
   * time is the same step computed again by a retried task (`restamped`, see `CaseStore.appendTransition`),
   * and the row as stored is returned for the history's marker.
   */
  inTask?: boolean;
}

/** Adapters mark errors that retrying cannot fix with `retryable: false`; Temporal should not retry those. */
async function permanentFailuresAsNonRetryable<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof Error && (err as { retryable?: unknown }).retryable === false) {
      throw ApplicationFailure.nonRetryable(err.message, err.name);
    }
    throw err;
  }
}

/** The activities of a case, one type per kind of effect. Each is idempotent under retries. */
export function createActivities(deps: ActivityDeps) {
  return {
    /** Appends one row to the transition log and updates the case projection. */
    async persistTransition(input: PersistTransitionInput): Promise<TransitionRecord | undefined> {
      const { at } = await permanentFailuresAsNonRetryable(() =>
        deps.store.appendTransition(input.record, input.projection, { restamped: input.inTask === true }),
      );
      // Stored within the workflow task, the row is not in the history as an activity's input: the local
      // activity's result records it as stored, the witness `audit verify --deep` reads (audit/deep.ts).
      return input.inTask === true ? { ...input.record, at } : undefined;
    },
    /**
     * Runs an automatic step of a case (e.g. a compliance check against the definition's parameters).
     * Rules read only the input, so a retry gives the same answer.
     */
    async runTask(input: TaskInput & { caseId: string; invokeId: string }): Promise<TaskOutput> {
      return evaluateTask(input);
    },
    /** Delivers one notification (reminder, escalation, information). */
    async notify(notification: Notification): Promise<void> {
      await permanentFailuresAsNonRetryable(() => deps.notifier.send(notification));
    },
    /** Appends an annotation to a case (an auditor's note or review), signed with the worker's audit key, and tells the rep. */
    async recordAnnotation(input: NewAnnotation): Promise<ChainedAnnotation> {
      const writer = deps.annotations;
      if (!writer) throw ApplicationFailure.nonRetryable('this worker keeps no annotations', 'Unavailable');
      return permanentFailuresAsNonRetryable(() => writer.append(input));
    },
    /** Writes an incident (opened, failed again, resolved) to the operators' list. */
    async recordIncident(incident: Incident): Promise<void> {
      await permanentFailuresAsNonRetryable(() => deps.incidents.record(incident));
    },
  };
}

export type DocketActivities = ReturnType<typeof createActivities>;
