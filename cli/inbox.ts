/**
 * `docket inbox` and `docket search`: a page of cases over the API, with the total and the
 * command line of the next page. The API checks every option (and says what is wrong).
 */
import type { CaseStatus } from '../engine/types';
import type { CliContext } from './context';
import { EXIT_OK, rethrowBadRequest } from './errors';
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
  if (cases.length === 0) return '  (no cases)\n';
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

/** "3 of 12 cases"; "100 of 1000+ cases" when the API stopped counting. */
function shown(count: number, body: { total: number; totalCapped?: boolean }): string {
  const { total } = body;
  return `${count} of ${total}${body.totalCapped === true ? '+' : ''} case${total === 1 ? '' : 's'}\n`;
}

/** When more follow, the command that shows them. */
function footer(nextCursor: string | null, again: string): string {
  return nextCursor === null ? '' : `next page: ${again} --cursor ${nextCursor}\n`;
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
  return (
    await ctx
      .api()
      .request<T>('GET', path, role === undefined ? {} : { role })
      .catch(rethrowBadRequest)
  ).body;
}

/**
 * Lists a page of `path` with the options given (`--cursor` for a later page) and prints it, or
 * (as text) its rows, the total and the command line of the next page.
 */
async function listCommand<B extends { total: number; totalCapped?: boolean; nextCursor: string | null }>(
  ctx: CliContext,
  name: 'inbox' | 'search',
  path: string,
  opts: ListOptions,
  params: Record<string, string | boolean | undefined>,
  text: (body: B, footer: string) => string,
): Promise<number> {
  const role = opts.as === undefined ? undefined : ctx.actor(opts.as).role;
  const body = await list<B>(ctx, `${path}${queryOf({ ...params, cursor: opts.cursor })}`, role);
  ctx.print(body, () => text(body, footer(body.nextCursor, commandLine(name, { ...params, as: opts.as }))));
  return EXIT_OK;
}

/** `docket inbox`: one view of my cases (actionable, assigned, claimable, started, done, cc), a page at a time. */
export function inboxCommand(ctx: CliContext, opts: InboxOptions): Promise<number> {
  const { view, process, state, customer, overdue, limit } = opts;
  return listCommand<{ role: string; view: string; items: ListedCase[]; total: number; totalCapped?: boolean; nextCursor: string | null }>(
    ctx,
    'inbox',
    '/inbox',
    opts,
    { view, process, state, customer, overdue, limit },
    (body, end) => `Inbox of ${body.role}: ${body.view}\n${rows(body.items, true)}${shown(body.items.length, body)}${end}`,
  );
}

/** `docket search`: cases the caller may see, by process, state, status, customer, actor or overdue, a page at a time. */
export function searchCommand(ctx: CliContext, opts: SearchOptions): Promise<number> {
  const { process, state, status, customer, actor, overdue, limit } = opts;
  return listCommand<{ cases: ListedCase[]; total: number; totalCapped?: boolean; nextCursor: string | null }>(
    ctx,
    'search',
    '/cases',
    opts,
    { process, state, status, customer, actor, overdue, limit },
    (body, end) => `${rows(body.cases, false)}${shown(body.cases.length, body)}${end}`,
  );
}
