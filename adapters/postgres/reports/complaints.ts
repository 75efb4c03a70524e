/** Complaint reports: counts by category and severity, closing quality, and time spent per state (any process). */
import { binder, percentilesSql, periodSql, withPeriod, type ReportFilter } from './period';
import { percentilesQuery } from './percentiles';

export interface ReportQuery {
  sql: string;
  params: unknown[];
  columns: string[];
}

/** The complaint's responsible department (set on acceptance), when the report is narrowed to one. */
function department(f: ReportFilter, p: (v: unknown) => string, alias = 'c'): string {
  return f.department === undefined ? '' : `AND ${alias}.context->>'department' = ${p(f.department)}`;
}

/**
 * Complaints opened in the period, by category and severity (and period). Each complaint's fields
 * are kept as its case changes (`docket.report_cases`, migration 022), read from the index alone.
 */
export function complaintsQuery(f: ReportFilter): ReportQuery {
  const { params, p } = binder();
  const period = periodSql('r.opened_at', f.groupBy);
  const dept = f.department === undefined ? '' : `AND r.department = ${p(f.department)}`;
  const sql = `
    SELECT ${period} AS period, r.category, r.severity, count(*)::int AS complaints
      FROM docket.report_cases r
     WHERE r.process_id = 'complaint' AND r.opened_at >= ${p(f.from)} AND r.opened_at < ${p(f.to)} ${dept}
     GROUP BY 1, 2, 3
     ORDER BY 1, 4 DESC, 2, 3`;
  return { sql, params, columns: withPeriod(f.groupBy, ['category', 'severity', 'complaints']) };
}

/**
 * Complaints closed (satisfied) in the period: how many, how many of them were reopened at least
 * once (the customer was unsatisfied and the investigation started again), the rate, and the mean
 * satisfaction score (1–5). Read from the complaints' rows kept as their cases change
 * (`docket.report_cases`, migration 022): the context's fields as text, cast here as on the case.
 */
export function complaintQualityQuery(f: ReportFilter): ReportQuery {
  const { params, p } = binder();
  const period = periodSql('r.closed_at', f.groupBy);
  const dept = f.department === undefined ? '' : `AND r.department = ${p(f.department)}`;
  const sql = `
    SELECT ${period} AS period, count(*)::int AS closed,
           count(*) FILTER (WHERE r.reopenings::int > 0)::int AS reopened,
           round(count(*) FILTER (WHERE r.reopenings::int > 0)::numeric / count(*), 4)::float8 AS "reopenRate",
           round(avg(r.satisfaction::numeric), 2)::float8 AS "satisfaction"
      FROM docket.report_cases r
     WHERE r.process_id = 'complaint' AND r.state = 'closed' AND r.closed_at >= ${p(f.from)} AND r.closed_at < ${p(f.to)}
       ${dept}
     GROUP BY 1
     ORDER BY 1`;
  return { sql, params, columns: withPeriod(f.groupBy, ['closed', 'reopened', 'reopenRate', 'satisfaction']) };
}

/**
 * Time spent per state, from the transitions: a stay in a state starts with the transition into it
 * and ends with the next transition to another state; stays that ended in the period count.
 * `process` defaults to complaint. The stays are kept as the log grows (`docket.report_stays`,
 * migration 021) and counted per month and bin of length (migration 024): the exact median and p90
 * come from the counts and the rows of the bins that hold them (./percentiles). Narrowed to a
 * department, the period's stays are read from the index by process and time, with their cases.
 */
export function stateTimesQuery(f: ReportFilter, process: string): ReportQuery {
  const columns = ['state', 'stays', 'medianHours', 'p90Hours'];
  if (f.department === undefined) {
    const src = {
      kind: 'stay',
      process,
      table: 'docket.report_stays s',
      group: 's.state',
      time: 's.left_at',
      seconds: 'extract(epoch FROM s.left_at - s.entered)',
      where: (p: (v: unknown) => string) => `s.process_id = ${p(process)}`,
    } as const;
    return { ...percentilesQuery(src, f, 'state', 'stays', '4 DESC, 1'), columns };
  }
  const { params, p } = binder();
  const from = p(f.from);
  const to = p(f.to);
  const proc = p(process);
  // Every transition's case has its row (both are written in one transaction), so without a
  // department the join would drop nothing.
  const join = f.department === undefined ? '' : `JOIN docket.cases c ON c.case_id = s.case_id ${department(f, p)}`;
  const sql = `
    SELECT s.state, count(*)::int AS stays, ${percentilesSql('extract(epoch FROM s.left_at - s.entered)')}
      FROM docket.report_stays s ${join}
     WHERE s.process_id = ${proc} AND s.left_at >= ${from} AND s.left_at < ${to}
     GROUP BY 1
     ORDER BY 4 DESC, 1`;
  return { sql, params, columns: ['state', 'stays', 'medianHours', 'p90Hours'] };
}
