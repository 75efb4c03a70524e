import { rowToProjection, rowToTransition, type CaseRow, type TransitionRow } from './case-store';
/**
 * Read queries over the case projection and the transition log for the API:
 * search, inbox candidates, a customer's timeline. Every value is a bound
 * parameter; columns and orderings come from fixed lists.
 */
import type { Pool, QueryResultRow } from 'pg';
import type { CaseProjection, CaseStatus, TransitionRecord } from '../../engine/types';
import { mapPgError } from './errors';

export interface CaseSearch {
  /** Only cases of these processes (the caller's visibility); an empty list finds nothing. */
  processIds?: string[];
  caseId?: string;
  processId?: string;
  state?: string;
  status?: CaseStatus;
  customerId?: string;
  /** A user who sent an event to the case (or started it). */
  actorUserId?: string;
  /** Cases opened at or after / before this instant. */
  openedFrom?: Date;
  openedTo?: Date;
  overdue?: boolean;
  limit: number;
  offset?: number;
}

export interface CaseSummary extends CaseProjection {
  /** A deadline has passed, or an escalation was raised since the case entered its current state. */
  overdue: boolean;
  /** The earliest running deadline, if any. */
  nextDueAt: string | null;
}

type Row = CaseRow & { overdue: boolean; next_due_at: Date | null };

const NEXT_DUE = `(SELECT min((d->>'dueAt')::timestamptz) FROM jsonb_array_elements(c.deadlines) d)`;
const OVERDUE = `(c.status = 'open' AND (
    coalesce(${NEXT_DUE} <= now(), false)
    OR EXISTS (
      SELECT 1 FROM docket.notification_outbox n
       WHERE n.case_id = c.case_id AND n.kind = 'escalation'
         AND n.created_at >= coalesce((SELECT max(t.at) FROM docket.transitions t
                                        WHERE t.case_id = c.case_id AND t.from_state IS DISTINCT FROM t.to_state), c.opened_at))))`;

const SELECT = `SELECT c.case_id, c.process_id, c.definition_version, c.definition_hash, c.customer_id, c.state, c.status,
  c.context, c.deadlines, c.last_seq, c.opened_at, c.updated_at, c.closed_at, ${OVERDUE} AS overdue, ${NEXT_DUE} AS next_due_at
  FROM docket.cases c`;

function toSummary(r: Row): CaseSummary {
  return { ...rowToProjection(r), overdue: r.overdue, nextDueAt: r.next_due_at?.toISOString() ?? null };
}

export interface TimelineEntry extends TransitionRecord {
  customerId: string;
}

export class PostgresCaseQueries {
  constructor(private readonly pool: Pool) {}

  private async query<R extends QueryResultRow>(what: string, sql: string, params: unknown[]): Promise<R[]> {
    try {
      return (await this.pool.query<R>(sql, params)).rows;
    } catch (err) {
      throw mapPgError(err, what);
    }
  }

  /** Cases matching every given filter, most recently updated first. */
  async search(s: CaseSearch): Promise<CaseSummary[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const p = (v: unknown) => `$${params.push(v)}`;
    if (s.processIds !== undefined) where.push(`c.process_id = ANY(${p(s.processIds)}::text[])`);
    if (s.caseId !== undefined) where.push(`c.case_id = ${p(s.caseId)}`);
    if (s.processId !== undefined) where.push(`c.process_id = ${p(s.processId)}`);
    if (s.state !== undefined) where.push(`c.state = ${p(s.state)}`);
    if (s.status !== undefined) where.push(`c.status = ${p(s.status)}`);
    if (s.customerId !== undefined) where.push(`c.customer_id = ${p(s.customerId)}`);
    if (s.actorUserId !== undefined) {
      where.push(`EXISTS (SELECT 1 FROM docket.transitions t WHERE t.case_id = c.case_id AND t.actor_user = ${p(s.actorUserId)})`);
    }
    if (s.openedFrom !== undefined) where.push(`c.opened_at >= ${p(s.openedFrom)}`);
    if (s.openedTo !== undefined) where.push(`c.opened_at < ${p(s.openedTo)}`);
    if (s.overdue !== undefined) where.push(`${OVERDUE} = ${p(s.overdue)}`);
    const sql = `${SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY c.updated_at DESC, c.case_id LIMIT ${p(s.limit)} OFFSET ${p(s.offset ?? 0)}`;
    return (await this.query<Row>('search cases', sql, params)).map(toSummary);
  }

  /** Open cases of the given processes: the candidates of an inbox (allowed events are decided by the caller). */
  async openCases(processIds: string[], limit: number): Promise<CaseSummary[]> {
    const sql = `${SELECT} WHERE c.status = 'open' AND c.process_id = ANY($1::text[]) ORDER BY c.updated_at DESC LIMIT $2`;
    return (await this.query<Row>('open cases', sql, [processIds, limit])).map(toSummary);
  }

  /** Every transition of a customer's cases, newest first. */
  async customerTimeline(customerId: string, processIds: string[] | undefined, limit: number): Promise<TimelineEntry[]> {
    const params: unknown[] = [customerId, limit];
    const restrict = processIds === undefined ? '' : `AND c.process_id = ANY($${params.push(processIds)}::text[])`;
    const rows = await this.query<TransitionRow & { customer_id: string }>(
      'customer timeline',
      `SELECT t.case_id, t.seq, t.process_id, t.definition_version, t.definition_hash, t.event, t.payload, t.actor_user,
              t.actor_role, t.request_id, t.from_state, t.to_state, t.status, t.at, c.customer_id
         FROM docket.transitions t JOIN docket.cases c USING (case_id)
        WHERE c.customer_id = $1 ${restrict}
        ORDER BY t.at DESC, t.case_id, t.seq DESC LIMIT $2`,
      params,
    );
    return rows.map((r) => ({ ...rowToTransition(r), customerId: r.customer_id }));
  }

  /** Every case id with a projection or a transition row (a row without a case is itself suspicious). */
  async allCaseIds(): Promise<string[]> {
    const rows = await this.query<{ case_id: string }>(
      'all case ids',
      'SELECT case_id FROM docket.cases UNION SELECT DISTINCT case_id FROM docket.transitions ORDER BY case_id',
      [],
    );
    return rows.map((r) => r.case_id);
  }
}
