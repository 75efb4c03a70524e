import type { CaseProjection, TransitionRecord } from '../engine/types';

/**
 * Storage of cases: the append-only transition log and the case projection.
 * Implementations must make every write idempotent: activities are retried.
 */
export interface CaseStore {
  /**
   * Appends one transition row and brings the projection up to date, in one
   * database transaction. Appending a (caseId, seq) that already exists is a
   * no-op when the row is identical, and throws a `ConflictError` when it differs.
   * The projection is only written when `projection.lastSeq` is newer than the
   * stored one.
   *
   * With `restamped`, a row that differs from the stored one in its time alone is the same
   * transition too: a workflow task that stored it (in a local activity) and did not complete
   * was run again later, and computed the same step at its own, later time. The stored row is
   * kept as it is (the log is append-only) and the projection of the repeat replaces the
   * stored one of the same `lastSeq`, so the read model is the case as the workflow goes on.
   */
  appendTransition(record: TransitionRecord, projection: CaseProjection, options?: AppendOptions): Promise<AppendedTransition>;
  getCase(caseId: string): Promise<CaseProjection | null>;
  /** The transition log of a case, in sequence order. */
  listTransitions(caseId: string): Promise<TransitionRecord[]>;
  listCases(filter?: CaseFilter): Promise<CaseProjection[]>;
}

/** The row as the log holds it. */
export interface AppendedTransition {
  /** Its time (ISO): the record's, or a restamped repeat's stored row's. */
  at: string;
}

export interface AppendOptions {
  /** The row may repeat a stored one at another time (see `appendTransition`). */
  restamped?: boolean;
}

export interface CaseFilter {
  processId?: string;
  state?: string;
  status?: CaseProjection['status'];
  customerId?: string;
  limit?: number;
}
