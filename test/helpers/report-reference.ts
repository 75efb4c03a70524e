/**
 * The reports' queries over the raw log, as they were before the rollups of migration 021: the
 * reference the rollup-backed reports must equal, row for row.
 */
import type { ReportQuery } from '../../adapters/postgres/reports/complaints';
import { binder, percentilesSql, type ReportFilter } from '../../adapters/postgres/reports/period';

function department(f: ReportFilter, p: (v: unknown) => string, alias = 'c'): string {
  return f.department === undefined ? '' : `AND ${alias}.context->>'department' = ${p(f.department)}`;
}

/**
 * Time spent per state, from the transitions: a stay in a state starts with the transition into it
 * and ends with the next transition to another state; stays that ended in the period count.
 * `process` defaults to complaint. Each change of state in the period is read from the index by
 * process and time, and the stay it ends from the case's previous change of state (a step back
 * along the case's own log): the work grows with the period, not with the log.
 */
export function stateTimesQuery(f: ReportFilter, process: string): ReportQuery {
  const { params, p } = binder();
  const from = p(f.from);
  const to = p(f.to);
  const proc = p(process);
  const sql = `
    WITH stays AS (
      SELECT l.case_id, e.state, e.entered, l.at AS left_at
        FROM docket.transitions l
        CROSS JOIN LATERAL (
          SELECT t.to_state AS state, t.at AS entered FROM docket.transitions t
           WHERE t.case_id = l.case_id AND t.seq < l.seq AND t.from_state IS DISTINCT FROM t.to_state
           ORDER BY t.seq DESC LIMIT 1) e
       WHERE l.process_id = ${proc} AND l.at >= ${from} AND l.at < ${to} AND l.from_state IS DISTINCT FROM l.to_state
    )
    SELECT s.state, count(*)::int AS stays, ${percentilesSql('extract(epoch FROM s.left_at - s.entered)')}
      FROM stays s JOIN docket.cases c ON c.case_id = s.case_id
     WHERE true ${department(f, p)}
     GROUP BY 1
     ORDER BY 4 DESC, 1`;
  return { sql, params, columns: ['state', 'stays', 'medianHours', 'p90Hours'] };
}

/**
 * Approval time per level: from the approver's turn (the contract entering approval, or the previous
 * level approving) to their APPROVE, for approvals given in the period; the level is the approver's role.
 * Each approval is read from the index by process, event and time, and its turn's start by a step
 * back along the case's own log.
 */
export function contractApprovalsQuery(f: ReportFilter): ReportQuery {
  const { params, p } = binder();
  const from = p(f.from);
  const to = p(f.to);
  const rep = f.rep === undefined ? '' : `AND c.context->>'submittedBy' = ${p(f.rep)}`;
  const sql = `
    SELECT u.actor_role AS level, count(*)::int AS approvals, ${percentilesSql('extract(epoch FROM u.at - turn.started)')}
      FROM docket.transitions u
      LEFT JOIN LATERAL (
        SELECT t.at AS started FROM docket.transitions t
         WHERE t.case_id = u.case_id AND t.seq < u.seq
           AND ((t.to_state = 'approval' AND t.from_state IS DISTINCT FROM 'approval') OR (t.event = 'APPROVE' AND t.from_state = 'approval'))
         ORDER BY t.seq DESC LIMIT 1) turn ON true
      JOIN docket.cases c ON c.case_id = u.case_id
     WHERE u.process_id = 'contract' AND u.event = 'APPROVE' AND u.at >= ${from} AND u.at < ${to}
       AND (u.from_state = 'approval' OR (u.to_state = 'approval' AND u.from_state IS DISTINCT FROM 'approval')) ${rep}
     GROUP BY 1
     ORDER BY coalesce(array_position(ARRAY['sales_manager', 'gm', 'hq', 'legal'], u.actor_role), 99), 1`;
  return { sql, params, columns: ['level', 'approvals', 'medianHours', 'p90Hours'] };
}
