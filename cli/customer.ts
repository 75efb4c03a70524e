import { createPool } from '../adapters/postgres/pool';
import { PostgresCaseQueries, type CaseSummary } from '../adapters/postgres/case-query';
import { decodeCursor, encodeCursor, listFingerprint } from '../api/case-pages';
import { PostgresCustomerStore, type Customer, type TimelineItem } from '../adapters/postgres/customer-store';
import { PostgresDefinitionStore } from '../adapters/postgres/definition-store';
import { DocketError } from '../client/docket-client';
import type { HttpDocketClient } from '../client/http-client';
import type { CaseStatus } from '../engine/types';
import type { CliContext } from './context';
import { CliError, EXIT_OK, invalidArgument, rethrowBadRequest } from './errors';
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

/**
 * What `docket customer <id> --json` prints: the record (null: none), every case of the customer, and
 * a page of the transitions of them and the contacts, newest first (`nextCursor`: the next page's).
 */
export interface CustomerTimeline {
  customerId: string;
  customer: Customer | null;
  cases: TimelineCase[];
  entries: TimelineItem[];
  nextCursor: string | null;
}

export interface CustomerOptions {
  limit?: string;
  cursor?: string;
}

/** The same bounds as the API's `limit` of a timeline. */
const DEFAULT_LIMIT = 200;
const MAX_LIMIT = 1000;
/** Cases read per page (the API's largest). */
const CASE_PAGE = 500;

/** The cursors of a timeline, as the API makes them (so that one made over the API goes on with --direct and back). */
const timelineFingerprint = (customerId: string) => listFingerprint({ list: 'timeline', customerId });

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

/** Over the API: the timeline route and the rest of the customer's cases, and each case's pinned definition for its labels (one per process version). */
async function fromApi(
  api: HttpDocketClient,
  customerId: string,
  page: { limit: number; cursor?: string },
  wantLabels: boolean,
): Promise<{ timeline: CustomerTimeline; books: Map<string, LabelBook> }> {
  const id = encodeURIComponent(customerId);
  const query = `limit=${page.limit}${page.cursor === undefined ? '' : `&cursor=${encodeURIComponent(page.cursor)}`}`;
  const { body } = await api
    .request<CustomerTimeline & { casesNextCursor: string | null }>('GET', `/customers/${id}/timeline?${query}`)
    .catch(rethrowBadRequest);
  const cases = [...body.cases];
  // The timeline lists the newest cases: the others, page after page.
  for (let next = body.casesNextCursor; next !== null;) {
    const more: { body: { cases: TimelineCase[]; nextCursor: string | null } } = await api.request(
      'GET',
      `/customers/${id}/cases?limit=${CASE_PAGE}&cursor=${encodeURIComponent(next)}`,
    );
    cases.push(...more.body.cases);
    next = more.body.nextCursor;
  }
  const timeline: CustomerTimeline = {
    customerId: body.customerId,
    customer: body.customer,
    cases: cases.map(toCase),
    entries: body.entries,
    nextCursor: body.nextCursor,
  };
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

/** Every case of the customer, newest first, page after page. */
async function allCases(queries: PostgresCaseQueries, customerId: string): Promise<CaseSummary[]> {
  const cases: CaseSummary[] = [];
  let page = await queries.page({ customerId }, undefined, { limit: CASE_PAGE });
  cases.push(...page.cases);
  while (page.next !== null) {
    page = await queries.page({ customerId }, undefined, { limit: CASE_PAGE, after: page.next });
    cases.push(...page.cases);
  }
  return cases;
}

/** Straight from PostgreSQL (`--direct`, operators with database access): the same queries the API runs, unrestricted. */
async function fromDatabase(
  databaseUrl: string,
  customerId: string,
  page: { limit: number; cursor?: string },
  wantLabels: boolean,
): Promise<{ timeline: CustomerTimeline; books: Map<string, LabelBook> }> {
  const fingerprint = timelineFingerprint(customerId);
  let after: { at: string; key: string } | undefined;
  if (page.cursor !== undefined) {
    try {
      const key = decodeCursor(page.cursor, fingerprint);
      after = { at: key.openedAt, key: key.caseId };
    } catch (err) {
      throw invalidArgument((err as Error).message);
    }
  }
  const pool = createPool({ connectionString: databaseUrl, max: 1 });
  try {
    const cases = await allCases(new PostgresCaseQueries(pool), customerId);
    const customers = new PostgresCustomerStore(pool);
    const entries = await customers.timeline(customerId, page.limit, after);
    const timeline: CustomerTimeline = {
      customerId,
      customer: (await customers.get(customerId)) ?? null,
      cases: cases.map(toCase),
      entries: entries.items,
      nextCursor: entries.next ? encodeCursor({ openedAt: entries.next.at, caseId: entries.next.key }, fingerprint) : null,
    };
    const books = new Map<string, LabelBook>();
    if (wantLabels) {
      const store = new PostgresDefinitionStore(pool);
      const transitions = timeline.entries.flatMap((e) => (e.kind === 'transition' ? [e] : []));
      const versions = [...timeline.cases, ...transitions].map((x) => [x.processId, x.definitionVersion] as const);
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
 * `docket customer <customerId>`: every case of a customer across all processes, and every
 * transition of them and every contact, newest first, a page at a time (`--cursor` for the next) —
 * what staff read before they call a customer.
 */
export async function customerCommand(ctx: CliContext, customerId: string, opts: CustomerOptions): Promise<number> {
  const id = customerId.trim();
  if (id === '') throw invalidArgument('name a customer id, e.g. docket customer CUST-1001');
  const page = { limit: parseLimit(opts.limit), ...(opts.cursor !== undefined && { cursor: opts.cursor }) };
  const wantLabels = !ctx.json;
  let result: { timeline: CustomerTimeline; books: Map<string, LabelBook> };
  if (ctx.mode() === 'api') result = await fromApi(ctx.api(), id, page, wantLabels);
  else result = await fromDatabase(await ctx.directDatabase(), id, page, wantLabels);
  const { timeline, books } = result;
  const calendar = wantLabels ? await ctx.calendar() : undefined;
  const again = `docket customer ${id}${opts.limit === undefined ? '' : ` --limit ${page.limit}`}`;
  ctx.print(timeline, () =>
    formatTimeline(timeline, books, again, calendar ? calendar.timeZone : 'UTC', (iso) => (calendar ? localTime(calendar, iso) : iso)),
  );
  return EXIT_OK;
}

function formatTimeline(
  timeline: CustomerTimeline,
  books: Map<string, LabelBook>,
  again: string,
  timeZone: string,
  local: (iso: string) => string,
): string {
  const { customerId, customer, cases, entries, nextCursor } = timeline;
  const record = customer ? ` · ${customer.name}` : ' (no record)';
  if (cases.length === 0 && entries.length === 0) {
    return `No cases or contacts for customer "${customerId}"${record}.\n`;
  }
  const book = (processId: string, version: number) => books.get(bookKey(processId, version)) ?? EMPTY_BOOK;
  const time = (iso: string) => local(iso).replace(/ [+-]\d{2}:\d{2}$/, '');
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const contacts = entries.filter((e) => e.kind === 'contact').length;
  const handovers = entries.filter((e) => e.kind === 'handover').length;
  let out = `Customer ${customerId}${record}: ${plural(cases.length, 'case')}, ${plural(entries.length - contacts - handovers, 'transition')}, ${plural(contacts, 'contact')}${handovers ? `, ${plural(handovers, 'handover')}` : ''}${
    nextCursor !== null ? ' on this page (more follow)' : ''
  }\n`;

  out += '\nCases (newest first)\n';
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

  const who = (a: { userId: string; role: string }) => (a.userId === a.role ? a.userId : `${a.userId} (${a.role})`);
  out += '\nTransitions, contacts and handovers (newest first)\n';
  out += entries.length
    ? table(
        [`TIME (${timeZone})`, 'PROCESS', 'CASE', 'EVENT', 'ACTOR (ROLE)', 'FROM → TO'],
        entries.map((e) => {
          if (e.kind === 'contact') {
            return [time(e.at), 'contact', e.caseId ?? '-', `${e.channel} ${e.direction === 'in' ? 'in' : 'out'}`, who(e.by), e.summary];
          }
          if (e.kind === 'handover') {
            const moved = e.status === 'done' ? `${e.moved.length} case${e.moved.length === 1 ? '' : 's'} moved` : 'cases pending';
            return [time(e.at), 'handover', `#${e.handoverId}`, `owner ${e.previousOwner ?? '-'} → ${e.to}`, who(e.by), moved];
          }
          const label = eventLabel(book(e.processId, e.definitionVersion), e.event);
          return [
            time(e.at),
            e.processId,
            e.caseId,
            label ? `${e.event} (${label})` : e.event,
            who(e.actor),
            `${e.fromState ?? '(start)'} → ${e.toState}${e.status === 'completed' ? ' (final)' : ''}`,
          ];
        }),
      )
    : '  (none stored yet)\n';
  if (nextCursor !== null) out += `next page: ${again} --cursor ${nextCursor}\n`;
  return out;
}
