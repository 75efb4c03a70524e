/** Complaint reports: counts by category and severity, closing quality, and time spent per state (any process). */
import { bucketsOf } from './buckets';
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
 * The spans of a period read from counts kept per UTC day and month (./buckets), as SQL conditions
 * on a count table's `unit` and `start`, and the part-days at its ends, read row by row. A month
 * does not fall in one week, so grouped by week the period is read from its days only.
 */
export function countSpans(f: ReportFilter, p: (v: unknown) => string, alias: string): { counted: string; raw: Array<[string, string]> } {
  const b = bucketsOf(f.from, f.to);
  const dayFrom = p(b.dayFrom);
  const dayTo = p(b.dayTo);
  const [monthFrom, monthTo] = f.groupBy === 'week' ? [dayTo, dayTo] : [p(b.monthFrom), p(b.monthTo)];
  const counted = `((${alias}.unit = 'day' AND ${alias}.start >= ${dayFrom} AND ${alias}.start < ${monthFrom})
        OR (${alias}.unit = 'month' AND ${alias}.start >= ${monthFrom} AND ${alias}.start < ${monthTo})
        OR (${alias}.unit = 'day' AND ${alias}.start >= ${monthTo} AND ${alias}.start < ${dayTo}))`;
  return {
    counted,
    raw: [
      [p(f.from), dayFrom],
      [dayTo, p(f.to)],
    ],
  };
}

/**
 * Complaints opened in the period, by category and severity (and period). The whole days and months
 * of the period are summed from the complaints counted per UTC day and month, department, category
 * and severity (`docket.report_complaint_counts`, migration 026); the part-days at its ends are read
 * from each complaint's fields kept as its case changes (`docket.report_cases`, migration 022), from
 * the index alone. Every filter (department) and grouping is served by the counts.
 */
export function complaintsQuery(f: ReportFilter): ReportQuery {
  const { params, p } = binder();
  const dept = (alias: string) => (f.department === undefined ? '' : `AND ${alias}.department = ${p(f.department)}`);
  const { counted, raw } = countSpans(f, p, 'c');
  const rows = raw.map(
    ([lo, hi]) => `
      SELECT ${periodSql('r.opened_at', f.groupBy)}, r.category, r.severity, 1
        FROM docket.report_cases r
       WHERE r.process_id = 'complaint' AND r.opened_at >= ${lo} AND r.opened_at < ${hi} ${dept('r')}`,
  );
  const sql = `
    SELECT period, category, severity, sum(n)::int AS complaints FROM (
      SELECT ${periodSql('c.start', f.groupBy)} AS period, c.category, c.severity, c.n
        FROM docket.report_complaint_counts c
       WHERE ${counted} ${dept('c')}
      UNION ALL ${rows.join('\n      UNION ALL ')}
    ) x
     GROUP BY 1, 2, 3
    HAVING sum(n) > 0
     ORDER BY 1, 4 DESC, 2, 3`;
  return { sql, params, columns: withPeriod(f.groupBy, ['category', 'severity', 'complaints']) };
}

/**
 * Complaints closed (satisfied) in the period: how many, how many of them were reopened at least
 * once (the customer was unsatisfied and the investigation started again), the rate, and the mean
 * satisfaction score (1–5). The whole days and months of the period are summed from the closings
 * counted per UTC day and month and department (`docket.report_closed_counts`, migration 026: how
 * many, reopened, scores given and their sum); the part-days at its ends are read from the
 * complaints' rows kept as their cases change (`docket.report_cases`, migration 022): the context's
 * fields as text, cast here as on the case. Every filter (department) and grouping is served by the
 * counts.
 */
export function complaintQualityQuery(f: ReportFilter): ReportQuery {
  const { params, p } = binder();
  const dept = (alias: string) => (f.department === undefined ? '' : `AND ${alias}.department = ${p(f.department)}`);
  const { counted, raw } = countSpans(f, p, 'c');
  const rows = raw.map(
    ([lo, hi]) => `
      SELECT ${periodSql('r.closed_at', f.groupBy)}, count(*), count(*) FILTER (WHERE r.reopenings::int > 0),
             count(r.satisfaction::numeric), sum(r.satisfaction::numeric)
        FROM docket.report_cases r
       WHERE r.process_id = 'complaint' AND r.state = 'closed' AND r.closed_at >= ${lo} AND r.closed_at < ${hi}
         ${dept('r')}
       GROUP BY 1`,
  );
  const sql = `
    SELECT period, sum(closed)::int AS closed, sum(reopened)::int AS reopened,
           round(sum(reopened)::numeric / sum(closed), 4)::float8 AS "reopenRate",
           round(sum(satisfaction) / nullif(sum(rated), 0), 2)::float8 AS "satisfaction"
      FROM (
      SELECT ${periodSql('c.start', f.groupBy)} AS period, c.closed, c.reopened, c.rated, c.satisfaction
        FROM docket.report_closed_counts c
       WHERE ${counted} ${dept('c')}
      UNION ALL ${rows.join('\n      UNION ALL ')}
    ) x
     GROUP BY 1
    HAVING sum(closed) > 0
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
