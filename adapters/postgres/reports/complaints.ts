/** Complaint reports: counts by category and severity, closing quality, and time spent per state (any process). */
import { binder, percentilesSql, periodSql, withPeriod, type ReportFilter } from './period';

export interface ReportQuery {
  sql: string;
  params: unknown[];
  columns: string[];
}

/** The complaint's responsible department (set on acceptance), when the report is narrowed to one. */
function department(f: ReportFilter, p: (v: unknown) => string, alias = 'c'): string {
  return f.department === undefined ? '' : `AND ${alias}.context->>'department' = ${p(f.department)}`;
}

/** Complaints opened in the period, by category and severity (and period). */
export function complaintsQuery(f: ReportFilter): ReportQuery {
  const { params, p } = binder();
  const period = periodSql('c.opened_at', f.groupBy);
  const sql = `
    SELECT ${period} AS period, c.context->>'category' AS category, c.context->>'severity' AS severity, count(*)::int AS complaints
      FROM docket.cases c
     WHERE c.process_id = 'complaint' AND c.opened_at >= ${p(f.from)} AND c.opened_at < ${p(f.to)} ${department(f, p)}
     GROUP BY 1, 2, 3
     ORDER BY 1, 4 DESC, 2, 3`;
  return { sql, params, columns: withPeriod(f.groupBy, ['category', 'severity', 'complaints']) };
}

/**
 * Complaints closed (satisfied) in the period: how many, how many of them were reopened at least
 * once (the customer was unsatisfied and the investigation started again), the rate, and the mean
 * satisfaction score (1–5).
 */
export function complaintQualityQuery(f: ReportFilter): ReportQuery {
  const { params, p } = binder();
  const period = periodSql('c.closed_at', f.groupBy);
  const sql = `
    SELECT ${period} AS period, count(*)::int AS closed,
           count(*) FILTER (WHERE (c.context->>'reopenings')::int > 0)::int AS reopened,
           round(count(*) FILTER (WHERE (c.context->>'reopenings')::int > 0)::numeric / count(*), 4)::float8 AS "reopenRate",
           round(avg((c.context->>'satisfactionScore')::numeric), 2)::float8 AS "satisfaction"
      FROM docket.cases c
     WHERE c.process_id = 'complaint' AND c.state = 'closed' AND c.closed_at >= ${p(f.from)} AND c.closed_at < ${p(f.to)}
       ${department(f, p)}
     GROUP BY 1
     ORDER BY 1`;
  return { sql, params, columns: withPeriod(f.groupBy, ['closed', 'reopened', 'reopenRate', 'satisfaction']) };
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
