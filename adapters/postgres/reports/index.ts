/**
 * The managers' reports over PostgreSQL: each one query over `docket.cases`, `docket.transitions`
 * (and the notification outbox, the customers' grade history, the rows kept as the log grows and
 * the cases change) for a period, answered from the indexes of migrations 010, 014, 021 and 022.
 */
import type { Pool } from 'pg';
import { mapPgError } from '../errors';
import { complaintQualityQuery, complaintsQuery, stateTimesQuery, type ReportQuery } from './complaints';
import { pick, type GroupBy, type ReportFilter, type ReportTable } from './period';
import { contractApprovalsQuery, contractsQuery, lostDealCausesQuery, measuresQuery, slaQuery } from './sales';
import { targetsQuery, targetsTable } from './targets';

export { GROUP_BY, type Cell, type GroupBy, type ReportFilter, type ReportTable } from './period';
export { TARGET_METRICS, unitsIn } from './targets';

export type Narrowing = 'rep' | 'department' | 'groupBy';

export interface ReportSpec {
  /** The filters the report takes besides the period. */
  takes: readonly Narrowing[];
  /** Its grouping when none is asked for. */
  defaultGroupBy?: GroupBy;
  /** A sales rep may read it, narrowed to their own figures. */
  ownFigures?: boolean;
}

export const REPORTS = {
  targets: { takes: ['rep'], ownFigures: true },
  complaints: { takes: ['department', 'groupBy'] },
  'complaint-quality': { takes: ['department', 'groupBy'] },
  'state-times': { takes: ['department'] },
  'lost-deal-causes': { takes: ['rep', 'groupBy'], defaultGroupBy: 'quarter', ownFigures: true },
  measures: { takes: ['department', 'groupBy'] },
  contracts: { takes: ['rep', 'groupBy'], ownFigures: true },
  'contract-approvals': { takes: ['rep'] },
  sla: { takes: ['groupBy'] },
} as const satisfies Record<string, ReportSpec>;

export type ReportName = keyof typeof REPORTS;
export const REPORT_NAMES = Object.keys(REPORTS) as ReportName[];

export interface ReportInputs {
  /** The visit definition's parameters (the `target…` ones are read). */
  targets?: Record<string, number>;
  /** The process of `state-times` (default complaint). */
  process?: string;
}

function queryOf(name: ReportName, f: ReportFilter, inputs: ReportInputs): ReportQuery {
  switch (name) {
    case 'targets':
      return { ...targetsQuery(f), columns: [] };
    case 'complaints':
      return complaintsQuery(f);
    case 'complaint-quality':
      return complaintQualityQuery(f);
    case 'state-times':
      return stateTimesQuery(f, inputs.process ?? 'complaint');
    case 'lost-deal-causes':
      return lostDealCausesQuery(f);
    case 'measures':
      return measuresQuery(f);
    case 'contracts':
      return contractsQuery(f);
    case 'contract-approvals':
      return contractApprovalsQuery(f);
    case 'sla':
      return slaQuery(f);
  }
}

/** The filter a report runs with: its default grouping applied. */
export function effectiveFilter(name: ReportName, f: ReportFilter): ReportFilter {
  const spec: ReportSpec = REPORTS[name];
  return f.groupBy === undefined && spec.defaultGroupBy !== undefined ? { ...f, groupBy: spec.defaultGroupBy } : f;
}

export class PostgresReports {
  constructor(private readonly pool: Pool) {}

  /** Runs report `name` for the period and narrowing of `filter`. */
  async run(name: ReportName, filter: ReportFilter, inputs: ReportInputs = {}): Promise<ReportTable> {
    const f = effectiveFilter(name, filter);
    const q = queryOf(name, f, inputs);
    const { rows } = await this.pool.query<Record<string, unknown>>(q.sql, q.params).catch((err: unknown) => {
      throw mapPgError(err, `report ${name}`);
    });
    if (name === 'targets') return targetsTable(f, rows as Array<{ rep: string | null; metric: string; n: number }>, inputs.targets ?? {});
    return { columns: q.columns, rows: pick(q.columns, rows) };
  }

  /** The plan of report `name`'s query (EXPLAIN, JSON format), for checking which indexes it uses. */
  async explain(name: ReportName, filter: ReportFilter, inputs: ReportInputs = {}): Promise<unknown> {
    const q = queryOf(name, effectiveFilter(name, filter), inputs);
    const { rows } = await this.pool.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${q.sql}`, q.params);
    return rows[0]?.['QUERY PLAN'];
  }
}
