/** `docket report <name>`: a report for a period over the API, as a table, JSON (--json) or CSV (--csv). */
import type { CliContext } from './context';
import { EXIT_OK, invalidArgument, rethrowBadRequest } from './errors';
import { table } from './format';

export interface ReportOptions {
  as?: string;
  from?: string;
  to?: string;
  groupBy?: string;
  rep?: string;
  department?: string;
  process?: string;
  csv?: boolean;
}

interface ReportBody {
  report: string;
  from: string;
  to: string;
  groupBy: string | null;
  columns: string[];
  rows: Array<Record<string, string | number | boolean | null>>;
}

const cell = (v: string | number | boolean | null | undefined): string => (v === null || v === undefined ? '' : String(v));

export async function reportCommand(ctx: CliContext, name: string, opts: ReportOptions): Promise<number> {
  if (ctx.mode() !== 'api') throw invalidArgument('docket report works over the API: leave out --direct');
  const query = new URLSearchParams();
  const add = (key: string, value: string | undefined) => value !== undefined && query.set(key, value);
  add('from', opts.from);
  add('to', opts.to);
  add('groupBy', opts.groupBy);
  add('rep', opts.rep);
  add('department', opts.department);
  add('process', opts.process);
  if (opts.csv === true) query.set('format', 'csv');
  const url = `/reports/${encodeURIComponent(name)}${query.size > 0 ? `?${query.toString()}` : ''}`;
  const role = opts.as === undefined ? {} : { role: ctx.actor(opts.as).role };
  const { body, text } = await ctx.api().request<ReportBody>('GET', url, role).catch(rethrowBadRequest);
  if (opts.csv === true) {
    ctx.out(text);
    return EXIT_OK;
  }
  ctx.print(body, () => {
    const head = `${body.report}  ${body.from} – ${body.to}${body.groupBy ? `  by ${body.groupBy}` : ''}\n`;
    if (body.rows.length === 0) return `${head}  (nothing in this period)\n`;
    return (
      head +
      table(
        body.columns,
        body.rows.map((r) => body.columns.map((c) => cell(r[c]))),
      )
    );
  });
  return EXIT_OK;
}
