/**
 * `docket inbox` and `docket search`: a page of cases over the API, with the total and the
 * command line of the next page. The API checks every option (and says what is wrong).
 */
import type { CaseStatus } from '../engine/types';
import type { CliContext } from './context';
import { DocketError } from '../client/docket-client';
import { EXIT_OK, invalidArgument } from './errors';
import { table } from './format';

interface ListedCase {
  caseId: string;
  processId: string;
  customerId: string;
  state: string;
  status: CaseStatus;
  overdue: boolean;
  nextDueAt: string | null;
  updatedAt: string;
  allowedEvents?: string[];
  assignee?: string | null;
}

export interface ListOptions {
  as?: string;
  process?: string;
  state?: string;
  customer?: string;
  overdue?: boolean;
  limit?: string;
  cursor?: string;
}

export interface InboxOptions extends ListOptions {
  view?: string;
}

export interface SearchOptions extends ListOptions {
  status?: string;
  actor?: string;
}

/** The options of a list as the API's query string (only those given). */
function queryOf(opts: Record<string, string | boolean | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(opts)) if (v !== undefined) q.set(k, String(v));
  const text = q.toString();
  return text ? `?${text}` : '';
}

function rows(cases: ListedCase[], withEvents: boolean): string {
  const head = ['CASE', 'PROCESS', 'CUSTOMER', 'STATE', 'DUE', 'UPDATED'];
  return table(
    withEvents ? [...head, 'ASSIGNEE', 'YOU MAY SEND'] : head,
    cases.map((c) => {
      const row = [
        c.caseId,
        c.processId,
        c.customerId,
        `${c.state}${c.status === 'completed' ? ' (closed)' : ''}`,
        `${c.nextDueAt ?? '-'}${c.overdue ? ' OVERDUE' : ''}`,
        c.updatedAt,
      ];
      return withEvents ? [...row, c.assignee ?? '-', (c.allowedEvents ?? []).join(' ') || '-'] : row;
    }),
    '',
  );
}

/** "3 of 12 cases" and, when more follow, the command that shows them. */
function footer(shown: number, total: number, nextCursor: string | null, again: string): string {
  const line = `${shown} of ${total} case${total === 1 ? '' : 's'}\n`;
  return nextCursor === null ? line : `${line}next page: ${again} --cursor ${nextCursor}\n`;
}

/** The command line that lists the next page, as typed (without the cursor). */
function commandLine(name: string, opts: Record<string, string | boolean | undefined>): string {
  const parts = [`docket ${name}`];
  for (const [k, v] of Object.entries(opts)) {
    if (v === undefined || k === 'cursor') continue;
    parts.push(v === true ? `--${k}` : `--${k} ${/^[\w.:@-]+$/.test(String(v)) ? String(v) : `'${String(v).replace(/'/g, `'\\''`)}'`}`);
  }
  return parts.join(' ');
}

/** GETs a list; the API's "bad request" (an unknown view, a damaged cursor, …) is bad input to the command: exit 2. */
async function list<T>(ctx: CliContext, path: string, role: string | undefined): Promise<T> {
  try {
    return (await ctx.api().request<T>('GET', path, role === undefined ? {} : { role })).body;
  } catch (err) {
    if (err instanceof DocketError && err.code === 'InvalidRequest') throw invalidArgument(err.message);
    throw err;
  }
}

/** `docket inbox`: one view of my cases (actionable, assigned, claimable, started, done), a page at a time. */
export async function inboxCommand(ctx: CliContext, opts: InboxOptions): Promise<number> {
  const api = ctx.api();
  const role = opts.as === undefined ? undefined : ctx.actor(opts.as).role;
  const params = {
    view: opts.view,
    process: opts.process,
    state: opts.state,
    customer: opts.customer,
    overdue: opts.overdue,
    limit: opts.limit,
  };
  const body = await list<{ role: string; view: string; items: ListedCase[]; total: number; nextCursor: string | null }>(
    ctx,
    `/inbox${queryOf({ ...params, cursor: opts.cursor })}`,
    role,
  );
  ctx.print(body, () => {
    const head = `Inbox of ${body.role}: ${body.view}\n`;
    if (body.items.length === 0) return `${head}  (no cases)\n${footer(0, body.total, null, '')}`;
    return (
      head +
      rows(body.items, true) +
      footer(body.items.length, body.total, body.nextCursor, commandLine('inbox', { ...params, as: opts.as }))
    );
  });
  return EXIT_OK;
}

/** `docket search`: cases the caller may see, by process, state, status, customer, actor or overdue, a page at a time. */
export async function searchCommand(ctx: CliContext, opts: SearchOptions): Promise<number> {
  const role = opts.as === undefined ? undefined : ctx.actor(opts.as).role;
  const params = {
    process: opts.process,
    state: opts.state,
    status: opts.status,
    customer: opts.customer,
    actor: opts.actor,
    overdue: opts.overdue,
    limit: opts.limit,
  };
  const body = await list<{ cases: ListedCase[]; total: number; nextCursor: string | null }>(
    ctx,
    `/cases${queryOf({ ...params, cursor: opts.cursor })}`,
    role,
  );
  ctx.print(body, () =>
    body.cases.length === 0
      ? `No cases found.\n${footer(0, body.total, null, '')}`
      : rows(body.cases, false) + footer(body.cases.length, body.total, body.nextCursor, commandLine('search', { ...params, as: opts.as })),
  );
  return EXIT_OK;
}
