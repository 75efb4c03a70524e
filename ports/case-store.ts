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
   * The projection is only written when `projection.lastSeq` is not older than the
   * stored one.
   */
  appendTransition(record: TransitionRecord, projection: CaseProjection): Promise<void>;
  getCase(caseId: string): Promise<CaseProjection | null>;
  /** The transition log of a case, in sequence order. */
  listTransitions(caseId: string): Promise<TransitionRecord[]>;
  listCases(filter?: CaseFilter): Promise<CaseProjection[]>;
}

export interface CaseFilter {
  processId?: string;
  state?: string;
  status?: CaseProjection['status'];
  customerId?: string;
  limit?: number;
}
