/**
 * `GET /reports/<name>`: the managers' reports for a period, as JSON or CSV. A sales rep reads the
 * reports that have per-rep figures, narrowed to their own; everything else is for managers,
 * management and auditors.
 */
import { z } from 'zod';
import {
  GROUP_BY,
  PostgresReports,
  REPORTS,
  REPORT_NAMES,
  type ReportFilter,
  type ReportName,
  type ReportSpec,
} from '../../adapters/postgres/reports';
import { csvTable } from '../../engine/csv';
import type { ApiDeps } from '../deps';
import { ApiError } from '../errors';
import { route, type AnyRoute } from '../route';
import { checkReport, reportOut } from './report-out';
import { refused } from './cases';

/** Who reads reports; `sales_rep` only the ones with own figures. */
export const REPORT_ROLES = ['sales_manager', 'management', 'service_manager', 'auditor', 'sales_rep'] as const;

const DAY = 86_400_000;
/** The period when none is given: the 90 days up to now. */
const DEFAULT_DAYS = 90;

const instant = (what: string) =>
  z
    .string()
    .refine((s) => /^\d{4}-\d{2}-\d{2}(T.*)?$/.test(s) && !Number.isNaN(Date.parse(s)), {
      message: `${what} must be a date (2025-01-31) or an ISO date-time`,
    })
    .optional();

const reportQuery = z
  .object({
    from: instant('from'),
    to: instant('to'),
    groupBy: z.enum(GROUP_BY).optional(),
    rep: z.string().min(1).max(200).optional(),
    department: z.string().min(1).max(200).optional(),
    process: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,62}$/)
      .optional(),
    format: z.enum(['json', 'csv']).optional(),
  })
  .strict();

/** The visit definition's parameters (their values: the latest published version's defaults). */
async function visitParameters(deps: ApiDeps): Promise<Record<string, number>> {
  const visit = (await deps.catalog.latest()).find((d) => d.processId === 'visit');
  const values: Record<string, number> = {};
  for (const [name, spec] of Object.entries(visit?.definition.parameters ?? {})) {
    if (typeof spec.default === 'number') values[name] = spec.default;
  }
  return values;
}

export function reportRoutes(deps: ApiDeps): AnyRoute[] {
  const reports = new PostgresReports(deps.pool);
  return [
    route({
      method: 'GET',
      url: '/reports/:name',
      summary: 'Read a report',
      tag: 'reports',
      access: REPORT_ROLES,
      params: z.object({ name: z.enum(REPORT_NAMES as [ReportName, ...ReportName[]]) }),
      query: reportQuery,
      responses: {
        200: {
          description:
            'the report: its columns and rows (JSON), or CSV with a header row with `Accept: text/csv` or `?format=csv`. ' +
            `Reports: ${REPORT_NAMES.join(', ')}. The period is [from, to) in UTC (default the last ${DEFAULT_DAYS} days).`,
          schema: reportOut,
          check: checkReport,
          alsoAs: 'text/csv',
        },
      },
      async handler(ctx) {
        const name = ctx.params.name;
        const spec: ReportSpec = REPORTS[name];
        const q = ctx.query;
        const to = q.to === undefined ? new Date() : new Date(q.to);
        const from = q.from === undefined ? new Date(to.getTime() - DEFAULT_DAYS * DAY) : new Date(q.from);
        if (from.getTime() >= to.getTime())
          throw new ApiError(400, 'InvalidRequest', `invalid query: from (${q.from}) must be before to (${q.to})`);
        for (const key of ['rep', 'department', 'groupBy'] as const) {
          if (q[key] !== undefined && !spec.takes.includes(key)) {
            const takes = spec.takes.length > 0 ? spec.takes.join(', ') : 'only from and to';
            throw new ApiError(400, 'InvalidRequest', `invalid query: report ${name} does not take ${key}; it takes ${takes}`);
          }
        }
        if (q.process !== undefined && name !== 'state-times') {
          throw new ApiError(400, 'InvalidRequest', `invalid query: only report state-times takes process`);
        }
        let rep = q.rep;
        if (ctx.caller.role === 'sales_rep') {
          const own = ctx.caller.principal.userId;
          if (spec.ownFigures !== true) {
            await refused(
              deps,
              ctx,
              new ApiError(
                403,
                'Forbidden',
                `role "sales_rep" may not read report ${name}; a sales rep reads targets, contracts and lost-deal-causes (own figures)`,
              ),
            );
          }
          if (rep !== undefined && rep !== own) {
            await refused(deps, ctx, new ApiError(403, 'Forbidden', `a sales rep reads their own figures only, not those of ${rep}`));
          }
          rep = own;
        }
        const filter: ReportFilter = {
          from,
          to,
          ...(q.groupBy !== undefined && { groupBy: q.groupBy }),
          ...(rep !== undefined && { rep }),
          ...(q.department !== undefined && { department: q.department }),
        };
        const table = await reports.run(name, filter, {
          ...(name === 'targets' && { targets: await visitParameters(deps) }),
          ...(q.process !== undefined && { process: q.process }),
        });
        const accept = ctx.request.headers.accept ?? '';
        if (q.format === 'csv' || (q.format === undefined && /\btext\/csv\b/.test(accept))) {
          return {
            status: 200,
            body: csvTable(table.columns, table.rows),
            contentType: 'text/csv; charset=utf-8',
            headers: { 'content-disposition': `attachment; filename="${name}.csv"` },
          };
        }
        const groupBy = filter.groupBy ?? ('defaultGroupBy' in spec ? spec.defaultGroupBy : undefined) ?? null;
        return {
          status: 200,
          body: {
            report: name,
            from: from.toISOString(),
            to: to.toISOString(),
            groupBy,
            rep: rep ?? null,
            department: q.department ?? null,
            ...table,
          },
        };
      },
    }),
  ];
}
