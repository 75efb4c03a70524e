import { createPool } from '../adapters/postgres/pool';
import { PostgresCaseQueries } from '../adapters/postgres/case-query';
import { PostgresDefinitionStore } from '../adapters/postgres/definition-store';
import { DocketError } from '../client/docket-client';
import type { HttpDocketClient } from '../client/http-client';
import type { CaseStatus, TransitionRecord } from '../engine/types';
import type { CliContext } from './context';
import { CliError, EXIT_OK, invalidArgument } from './errors';
import { bothLabels, localTime, table } from './format';
import { describeState, EMPTY_BOOK, eventLabel, labelBook, type LabelBook } from './labels';

/** One case of the customer, as the timeline lists it. */
export interface TimelineCase {
  caseId: string;
  processId: string;
  definitionVersion: number;
  state: string;
  status: CaseStatus;
  overdue: boolean;
  openedAt: string;
  updatedAt: string;
  closedAt: string | null;
}

/** What `docket customer <id> --json` prints: the customer's cases and every transition of them, newest first. */
export interface CustomerTimeline {
  customerId: string;
  cases: TimelineCase[];
  entries: TransitionRecord[];
}

export interface CustomerOptions {
  limit?: string;
}

/** The same bounds as the API's `limit` of a timeline. */
const DEFAULT_LIMIT = 200;
const MAX_LIMIT = 1000;
/** Cases listed at most (the API's own bound). */
const CASE_LIMIT = 500;

function parseLimit(value: string | undefined): number {
  if (value === undefined) return DEFAULT_LIMIT;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < 1 || n > MAX_LIMIT)
    throw invalidArgument(`--limit must be a whole number from 1 to ${MAX_LIMIT}, got "${value}"`);
  return n;
}

const bookKey = (processId: string, version: number) => `${processId}\u0000${version}`;

const toCase = (c: TimelineCase): TimelineCase => ({
  caseId: c.caseId,
  processId: c.processId,
  definitionVersion: c.definitionVersion,
  state: c.state,
  status: c.status,
  overdue: c.overdue,
  openedAt: c.openedAt,
  updatedAt: c.updatedAt,
  closedAt: c.closedAt,
});

/** Over the API: the timeline route, and each case's pinned definition for its labels (one per process version). */
async function fromApi(
  api: HttpDocketClient,
  customerId: string,
  limit: number,
  wantLabels: boolean,
): Promise<{ timeline: CustomerTimeline; books: Map<string, LabelBook> }> {
  const { body } = await api.request<CustomerTimeline>('GET', `/customers/${encodeURIComponent(customerId)}/timeline?limit=${limit}`);
  const timeline: CustomerTimeline = { customerId: body.customerId, cases: body.cases.map(toCase), entries: body.entries };
  const books = new Map<string, LabelBook>();
  if (wantLabels) {
    for (const c of timeline.cases) {
      const key = bookKey(c.processId, c.definitionVersion);
      if (books.has(key)) continue;
      books.set(key, labelBook(await api.caseDefinition(c.caseId).catch(() => undefined)));
    }
  }
  return { timeline, books };
}

/** Straight from PostgreSQL (`--direct`, operators with database access): the same queries the API runs, unrestricted. */
async function fromDatabase(
  databaseUrl: string,
  customerId: string,
  limit: number,
  wantLabels: boolean,
): Promise<{ timeline: CustomerTimeline; books: Map<string, LabelBook> }> {
  const pool = createPool({ connectionString: databaseUrl, max: 1 });
  try {
    const queries = new PostgresCaseQueries(pool);
    const cases = await queries.search({ customerId, limit: CASE_LIMIT });
    const entries = await queries.customerTimeline(customerId, undefined, limit);
    const timeline: CustomerTimeline = {
      customerId,
      cases: cases.map(toCase),
      entries: entries.map(({ customerId: _c, ...t }) => t),
    };
    const books = new Map<string, LabelBook>();
    if (wantLabels) {
      const store = new PostgresDefinitionStore(pool);
      const versions = [...timeline.cases, ...timeline.entries].map((x) => [x.processId, x.definitionVersion] as const);
      for (const [processId, version] of versions) {
        const key = bookKey(processId, version);
        if (books.has(key)) continue;
        books.set(key, labelBook((await store.getVersion(processId, version))?.raw));
      }
    }
    return { timeline, books };
  } catch (err) {
    if (err instanceof DocketError || err instanceof CliError) throw err;
    throw new CliError('Unavailable', `cannot read the case store: ${(err as Error).message}`, false);
  } finally {
    await pool.end().catch(() => undefined);
  }
}

/**
 * `docket customer <customerId>`: every case of a customer across all processes and
 * every transition of them, newest first — what staff read before they call a customer.
 * Over the API the caller sees the processes their role may see.
 */
export async function customerCommand(ctx: CliContext, customerId: string, opts: CustomerOptions): Promise<number> {
  const id = customerId.trim();
  if (id === '') throw invalidArgument('name a customer id, e.g. docket customer CUST-1001');
  const limit = parseLimit(opts.limit);
  const wantLabels = !ctx.json;
  let result: { timeline: CustomerTimeline; books: Map<string, LabelBook> };
  if (ctx.mode() === 'api') result = await fromApi(ctx.api(), id, limit, wantLabels);
  else result = await fromDatabase(await ctx.directDatabase(), id, limit, wantLabels);
  const { timeline, books } = result;
  const calendar = wantLabels ? await ctx.calendar() : undefined;
  ctx.print(timeline, () =>
    formatTimeline(timeline, books, limit, calendar ? calendar.timeZone : 'UTC', (iso) => (calendar ? localTime(calendar, iso) : iso)),
  );
  return EXIT_OK;
}

function formatTimeline(
  timeline: CustomerTimeline,
  books: Map<string, LabelBook>,
  limit: number,
  timeZone: string,
  local: (iso: string) => string,
): string {
  const { customerId, cases, entries } = timeline;
  if (cases.length === 0 && entries.length === 0) {
    return `No cases for customer "${customerId}" (none on record, or none of a process you may see).\n`;
  }
  const book = (processId: string, version: number) => books.get(bookKey(processId, version)) ?? EMPTY_BOOK;
  const time = (iso: string) => local(iso).replace(/ [+-]\d{2}:\d{2}$/, '');
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  let out = `Customer ${customerId}: ${plural(cases.length, 'case')}, ${plural(entries.length, 'transition')}${
    entries.length >= limit ? ` (the newest ${limit}; use --limit for more)` : ''
  }\n`;

  out += '\nCases (most recently active first)\n';
  out += table(
    ['CASE', 'PROCESS', 'STATE', 'STATUS', `OPENED (${timeZone})`, `LAST ACTIVITY (${timeZone})`],
    cases.map((c) => {
      const b = book(c.processId, c.definitionVersion);
      const label = bothLabels(b.process);
      return [
        c.caseId,
        `${c.processId} v${c.definitionVersion}${label ? ` · ${label}` : ''}`,
        describeState(b, c.state),
        `${c.status}${c.overdue ? ' · overdue' : ''}`,
        time(c.openedAt),
        time(c.updatedAt),
      ];
    }),
  );

  out += '\nTransitions (newest first)\n';
  out += entries.length
    ? table(
        [`TIME (${timeZone})`, 'PROCESS', 'CASE', 'EVENT', 'ACTOR (ROLE)', 'FROM → TO'],
        entries.map((e) => {
          const label = eventLabel(book(e.processId, e.definitionVersion), e.event);
          return [
            time(e.at),
            e.processId,
            e.caseId,
            label ? `${e.event} (${label})` : e.event,
            e.actor.userId === e.actor.role ? e.actor.userId : `${e.actor.userId} (${e.actor.role})`,
            `${e.fromState ?? '(start)'} → ${e.toState}${e.status === 'completed' ? ' (final)' : ''}`,
          ];
        }),
      )
    : '  (none stored yet)\n';
  return out;
}
