/**
 * What every report is asked for: a period [from, to), an optional grouping of it, and a rep or a
 * department to narrow it to. Periods are cut in UTC.
 */
export const GROUP_BY = ['week', 'month', 'quarter'] as const;
export type GroupBy = (typeof GROUP_BY)[number];

export interface ReportFilter {
  from: Date;
  to: Date;
  groupBy?: GroupBy;
  rep?: string;
  department?: string;
}

export type Cell = string | number | boolean | null;

/** A report's answer: its columns in order, and one object per row keyed by them. */
export interface ReportTable {
  columns: string[];
  rows: Array<Record<string, Cell>>;
}

/** Collects bound parameters: `p(v)` returns the placeholder of `v`. */
export function binder(): { params: unknown[]; p: (v: unknown) => string } {
  const params: unknown[] = [];
  return { params, p: (v: unknown) => `$${params.push(v)}` };
}

/**
 * The label of the period a timestamp column falls in (`2025-01-06` for a week or a month, `2025-Q1`),
 * or `null` without a grouping. `groupBy` is one of GROUP_BY (checked at the edge), never user text.
 */
export function periodSql(column: string, groupBy: GroupBy | undefined): string {
  if (groupBy === undefined) return 'NULL::text';
  if (!GROUP_BY.includes(groupBy)) throw new Error(`unknown grouping ${String(groupBy)}`);
  const format = groupBy === 'quarter' ? `'YYYY-"Q"Q'` : `'YYYY-MM-DD'`;
  return `to_char(date_trunc('${groupBy}', ${column} AT TIME ZONE 'UTC'), ${format})`;
}

/** The instant the period (week, month, quarter; UTC) of a timestamp column starts. */
export function periodStart(column: string, groupBy: GroupBy): string {
  if (!GROUP_BY.includes(groupBy)) throw new Error(`unknown grouping ${String(groupBy)}`);
  return `(date_trunc('${groupBy}', ${column} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')`;
}

/** The whole UTC days of [from, to) as [first, end) (first = end = to when there are none). */
export function wholeDays(from: Date, to: Date): { first: Date; end: Date } {
  const day = 86_400_000;
  const first = new Date(Math.ceil(from.getTime() / day) * day);
  const end = new Date(Math.floor(to.getTime() / day) * day);
  return first.getTime() < end.getTime() ? { first, end } : { first: to, end: to };
}

/** The columns of a grouped report: `period` first when there is a grouping. */
export function withPeriod(groupBy: GroupBy | undefined, columns: string[]): string[] {
  return groupBy === undefined ? columns : ['period', ...columns];
}

/** Rows as pg returns them, keeping only the report's columns (`period` dropped without a grouping). */
export function pick(columns: string[], rows: Array<Record<string, unknown>>): Array<Record<string, Cell>> {
  return rows.map((r) => Object.fromEntries(columns.map((c) => [c, (r[c] ?? null) as Cell])));
}

/** Median and 90th percentile (linear interpolation) of `seconds`, in hours with two decimals. */
export function percentilesSql(seconds: string): string {
  const hours = (q: number) => `round((percentile_cont(${q}) WITHIN GROUP (ORDER BY ${seconds}) / 3600)::numeric, 2)::float8`;
  return `${hours(0.5)} AS "medianHours", ${hours(0.9)} AS "p90Hours"`;
}
