import { rowToProjection, type CaseRow } from './case-store';
/**
 * Read queries over the case projection for the API: the search and the inbox views, a page at a
 * time (a customer's timeline is ./customer-store.ts's). Every value is a bound
 * parameter; columns and orderings come from fixed lists.
 */
import type { Pool, QueryResultRow } from 'pg';
import type { CaseProjection, CaseStatus } from '../../engine/types';
import { mapPgError } from './errors';
import type { WorkColumns } from './work-columns';

/** Filters of a case list; every one given must hold. */
export interface CaseFilter {
  /** Only cases of these processes (the caller's visibility); an empty list finds nothing. */
  processIds?: string[];
  caseId?: string;
  processId?: string;
  state?: string;
  status?: CaseStatus;
  customerId?: string;
  /** A user who sent an event to the case (or started it). */
  actorUserId?: string;
  /** Cases opened at or after / before this instant. */
  openedFrom?: Date;
  openedTo?: Date;
  overdue?: boolean;
}

export interface CaseSearch extends CaseFilter {
  limit: number;
  offset?: number;
}

/**
 * An inbox view of one user in one role:
 * `actionable` — open cases the role may act on now: one of its events is accepted in the case's
 *   state and its guards may pass on the case's data (see engine/actionable-roles.ts);
 * `assigned` — open cases waiting on the user, or on a user who delegated to them for now (their
 *   task's assignee, or an approver whose turn it is);
 * `claimable` — open cases with a task the user or their role may claim and no one assigned;
 * `started` — cases the user started; `done` — cases the user sent an event to;
 * `cc` — cases the user was cc'd on.
 * Cases of definitions without tasks (`humanTasks`) are assigned and claimable by what the definition
 * says instead: the assignee kept in the context, and whether the role may act now.
 */
export const INBOX_VIEWS = ['actionable', 'assigned', 'claimable', 'started', 'done', 'cc'] as const;
export type InboxView = (typeof INBOX_VIEWS)[number];
/** The views of open cases only: their pages are read along `docket.open_work` (migration 025) in page order. */
const OPEN_VIEWS: ReadonlySet<InboxView> = new Set(['actionable', 'assigned', 'claimable']);
/** The views of a user's own cases, read along `docket.user_cases` (migration 027). */
const USER_VIEWS: ReadonlySet<InboxView> = new Set(['started', 'done']);

/** What one definition version says for an inbox: the states where the role has an event, and where the assignee is kept. */
export interface VersionFacts {
  hash: string;
  /** Atomic state paths (as in `cases.state`) where the role has an event. */
  actionableStates: string[];
  /** The machine has parallel states: a case's state is several paths joined by commas. */
  parallel: boolean;
  assigneeField?: string;
  /** The definition declares tasks: its cases' row columns say who they wait on. */
  humanTasks: boolean;
}

export interface InboxSelection {
  view: InboxView;
  userId: string;
  /** The role the inbox is read in (`claimable` by candidate role). */
  role: string;
  /** Users who named `userId` their delegate for now: their tasks are in `assigned` too. */
  delegators?: string[];
  /** Every definition version of the visible processes that cases run on. */
  versions: VersionFacts[];
  /** With `actionable`: only cases assigned to the user too. */
  mine?: boolean;
}

/** A position in the page order (newest case first, then case id): the last row of a page. */
export interface CaseKey {
  /** `opened_at` in UTC to the microsecond, as PostgreSQL keeps it. */
  openedAt: string;
  caseId: string;
}

/** Where a page starts: after a key (keyset), or (for older clients of the search) after skipping rows. */
export interface PagePosition {
  limit: number;
  after?: CaseKey;
  offset?: number;
}

/**
 * How far a page's total is counted: beyond it the total says "at least this many" (`totalCapped`),
 * so that a page of a list of 100k cases costs no pass over all of them.
 */
export const TOTAL_CAP = 1000;

export interface CasePage {
  cases: CaseSummary[];
  /** Every case matching the filters (not only this page), counted when the page was read, up to `TOTAL_CAP`. */
  total: number;
  /** More than `total` (= `TOTAL_CAP`) cases match: the count stopped there. */
  totalCapped: boolean;
  /** The last row of this page when more may follow, else null. */
  next: CaseKey | null;
}

export interface CaseSummary extends CaseProjection {
  /** A deadline has passed, or an escalation was raised since the case entered its current state. */
  overdue: boolean;
  /** The earliest running deadline, if any. */
  nextDueAt: string | null;
}

type Row = CaseRow & { overdue: boolean; next_due_at: Date | null };

/**
 * Overdue: an open case whose earliest deadline has passed, or on which an escalation was raised
 * since it entered its current state — both kept on the row by the worker (migration 020), and
 * indexed for open cases.
 */
const OVERDUE = `(c.status = 'open' AND (coalesce(c.next_due_at <= now(), false) OR c.escalated))`;
/** The same as a filter: without `coalesce`, so that the planner can read the partial indexes and estimate the rows. */
const OVERDUE_FILTER = `(c.status = 'open' AND (c.next_due_at <= now() OR c.escalated))`;

const COLUMNS = `c.case_id, c.process_id, c.definition_version, c.definition_hash, c.customer_id, c.state, c.status,
  c.context, c.deadlines, c.last_seq, c.opened_at, c.updated_at, c.closed_at, ${OVERDUE} AS overdue, c.next_due_at`;
const SELECT = `SELECT ${COLUMNS} FROM docket.cases c`;

function toSummary(r: Row): CaseSummary {
  return { ...rowToProjection(r), overdue: r.overdue, nextDueAt: r.next_due_at?.toISOString() ?? null };
}

/** Collects bound parameters: `p(v)` returns the placeholder of `v`. */
function binder(params: unknown[] = []): { params: unknown[]; p: (v: unknown) => string } {
  return { params, p: (v: unknown) => `$${params.push(v)}` };
}

/** The WHERE clause of the filters (`true` for none). */
function filterSql(s: CaseFilter, bound = binder()): { where: string; params: unknown[]; p: (v: unknown) => string } {
  const { params, p } = bound;
  const where: string[] = [];
  if (s.processIds !== undefined) where.push(`c.process_id = ANY(${p(s.processIds)}::text[])`);
  if (s.caseId !== undefined) where.push(`c.case_id = ${p(s.caseId)}`);
  if (s.processId !== undefined) where.push(`c.process_id = ${p(s.processId)}`);
  if (s.state !== undefined) where.push(`c.state = ${p(s.state)}`);
  if (s.status !== undefined) where.push(`c.status = ${p(s.status)}`);
  if (s.customerId !== undefined) where.push(`c.customer_id = ${p(s.customerId)}`);
  if (s.actorUserId !== undefined) {
    where.push(`EXISTS (SELECT 1 FROM docket.transitions t WHERE t.case_id = c.case_id AND t.actor_user = ${p(s.actorUserId)})`);
  }
  if (s.openedFrom !== undefined) where.push(`c.opened_at >= ${p(s.openedFrom)}`);
  if (s.openedTo !== undefined) where.push(`c.opened_at < ${p(s.openedTo)}`);
  if (s.overdue !== undefined) where.push(s.overdue ? OVERDUE_FILTER : `NOT ${OVERDUE}`);
  return { where: where.length ? where.join(' AND ') : 'true', params, p };
}

/** The versions without tasks that keep an assignee, grouped by the context field that holds it. */
function byAssigneeField(versions: VersionFacts[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const v of versions) {
    if (v.assigneeField !== undefined && !v.humanTasks) out.set(v.assigneeField, [...(out.get(v.assigneeField) ?? []), v.hash]);
  }
  return out;
}

/**
 * The case waits on one of `userIds`: in its `assignees` (the GIN index answers `&&`) or, for a
 * definition without tasks, as the assignee kept in its context (a containment test, which the GIN
 * index on the context answers).
 */
function assignedSql(versions: VersionFacts[], userIds: string[], p: (v: unknown) => string): string {
  const assignees = `c.assignees && ${p(userIds)}::text[]`;
  const inContext = contextAssigneeSql(versions, userIds, p);
  return `(${assignees}${inContext === undefined ? '' : ` OR ${inContext}`})`;
}

/** A case of a definition without tasks whose context names one of `userIds` its assignee (undefined: no such definition). */
function contextAssigneeSql(versions: VersionFacts[], userIds: string[], p: (v: unknown) => string): string | undefined {
  const parts: string[] = [];
  for (const [field, hashes] of byAssigneeField(versions)) {
    const contains = userIds.map((u) => `c.context @> ${p(JSON.stringify({ [field]: u }))}::jsonb`);
    parts.push(`(c.definition_hash = ANY(${p(hashes)}::text[]) AND (${contains.join(' OR ')}))`);
  }
  return parts.length ? `(${parts.join(' OR ')})` : undefined;
}

/** A task of the case may be claimed by the user or their role, and no one is assigned. */
function candidateSql(userId: string, role: string, p: (v: unknown) => string): string {
  return `((c.candidate_roles && ARRAY[${p(role)}]::text[] OR c.candidate_users && ARRAY[${p(userId)}]::text[]) AND c.assignees = '{}')`;
}

/** No one but `userId` is the case's assignee (none named, an empty name, or the user). */
function freeForSql(versions: VersionFacts[], userId: string, p: (v: unknown) => string): string {
  const parts = [...byAssigneeField(versions)].map(([field, hashes]) => {
    const f = p(field);
    return `(c.definition_hash <> ALL(${p(hashes)}::text[]) OR jsonb_typeof(c.context -> ${f}) IS DISTINCT FROM 'string' OR c.context ->> ${f} IN ('', ${p(userId)}))`;
  });
  return parts.length ? parts.join(' AND ') : 'true';
}

/** The case is in a state where the role has an event: (version, state) pairs, which the (definition_hash, state) index answers. */
function inActionableStateSql(versions: VersionFacts[], p: (v: unknown) => string): string {
  const flat = versions.filter((v) => !v.parallel).flatMap((v) => v.actionableStates.map((s) => [v.hash, s] as const));
  if (flat.length === 0 && versions.every((v) => !v.parallel || v.actionableStates.length === 0)) return 'false';
  const hashes = p(flat.map(([h]) => h));
  const states = p(flat.map(([, s]) => s));
  // The two ANY tests are what the planner can estimate (and the index can seek); the pairs are the exact test.
  const parts = [
    `(c.definition_hash = ANY(${hashes}::text[]) AND c.state = ANY(${states}::text[])
      AND (c.definition_hash, c.state) IN (SELECT * FROM unnest(${hashes}::text[], ${states}::text[])))`,
  ];
  const parallel = versions.filter((v) => v.parallel).flatMap((v) => v.actionableStates.map((s) => [v.hash, s] as const));
  if (parallel.length) {
    // A case of a parallel machine is in several states at once: any one of them will do.
    parts.push(`EXISTS (SELECT 1 FROM unnest(${p(parallel.map(([h]) => h))}::text[], ${p(parallel.map(([, s]) => s))}::text[]) a(h, s)
                 WHERE a.h = c.definition_hash AND a.s = ANY(string_to_array(c.state, ',')))`);
  }
  return parts.length === 1 ? parts[0]! : `(${parts.join(' OR ')})`;
}

/**
 * The role may act on the case now: the roles its row records (guards decided on its data, migration
 * 018; the GIN index answers `&&`), or, for a row written before they were recorded, a state where
 * the role has an event. `onlyVersions`: only cases of `versions` (else any version).
 */
function actionableSql(versions: VersionFacts[], role: string, p: (v: unknown) => string, onlyVersions = false): string {
  const recorded = `c.actionable_roles && ARRAY[${p(role)}]::text[]`;
  const restricted = onlyVersions ? `(c.definition_hash = ANY(${p(versions.map((v) => v.hash))}::text[]) AND ${recorded})` : recorded;
  return `(${restricted} OR (c.actionable_roles IS NULL AND ${inActionableStateSql(versions, p)}))`;
}

/**
 * The user sent an event to the case (`> 0`) or started it (`= 0`). Their cases are collected first
 * (an index-only scan of their transitions) and read by id: a user's cases are few next to all
 * cases, which the planner, misjudging how many match, would otherwise walk in page order.
 */
function sentBySql(userId: string, seq: '= 0' | '> 0', p: (v: unknown) => string): string {
  return `c.case_id = ANY(ARRAY(SELECT t.case_id FROM docket.transitions t WHERE t.actor_user = ${p(userId)} AND t.seq ${seq}))`;
}

function inboxSql(inbox: InboxSelection, p: (v: unknown) => string): string {
  const { versions, userId } = inbox;
  const mine = [userId, ...(inbox.delegators ?? [])];
  switch (inbox.view) {
    case 'actionable':
      return `c.status = 'open' AND ${actionableSql(versions, inbox.role, p)}${inbox.mine ? ` AND ${assignedSql(versions, mine, p)}` : ''}`;
    case 'assigned':
      return `c.status = 'open' AND ${assignedSql(versions, mine, p)}`;
    case 'claimable': {
      // Definitions without tasks: by the states where the role has an event.
      const untasked = versions.filter((v) => !v.humanTasks);
      const byDefinition = untasked.length
        ? ` OR (${actionableSql(untasked, inbox.role, p, true)} AND ${freeForSql(untasked, userId, p)})`
        : '';
      return `c.status = 'open' AND (${candidateSql(userId, inbox.role, p)}${byDefinition})`;
    }
    case 'cc':
      return `c.cc_users @> ARRAY[${p(userId)}]::text[]`;
    case 'started':
      return sentBySql(userId, '= 0', p);
    case 'done':
      return sentBySql(userId, '> 0', p);
  }
}

/**
 * The order of a page, and of the key a cursor carries: newest case first, then case id. The
 * opening time never changes, so a case that moves on (or a new case) between two pages is neither
 * listed twice nor skipped.
 */
const PAGE_KEY = `to_char(c.opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * One way to the cases of an open view, in page order: a range of `docket.open_work` (migration 025,
 * the open work of each role and user, kept by trigger) by `kind` and `who`, or, for what that
 * table does not hold (the rows written before the roles were recorded), a condition on the case
 * row that an index of `docket.cases` answers.
 */
type Branch = ({ work: { kind: 'a' | 'f' | 'x' | 'u' | 'r' | 'c'; who: string } } | { cases: string }) & {
  /** The part of the view's condition that this branch answers for: what a case it finds must pass (bound when first asked for). */
  test: () => string;
  /**
   * The branch's `docket.open_work` rows are exactly the open cases that pass `test` (the trigger
   * writes them from the very columns the test reads, in the case's transaction): a count without
   * other filters than the processes reads them alone. Rows of kinds 'f' and 'x' may be more.
   */
  exact?: boolean;
};

/** `make`, run once when first asked for. */
function once(make: () => string): () => string {
  let made: string | undefined;
  return () => (made ??= make());
}

/**
 * The branches of an open view: each case the view lists passes the test of a branch that finds
 * it, and each test is a part of the view's condition (an OR of them), so that the union of the
 * branches lists exactly what the view's condition (`inboxSql`) selects.
 */
function openBranches(inbox: InboxSelection, p: (v: unknown) => string): Branch[] {
  const { versions, userId, role } = inbox;
  const mine = [...new Set([userId, ...(inbox.delegators ?? [])])];
  // The assignee a definition without tasks keeps in the context: 'x' rows.
  const inContext = (vs: VersionFacts[]) => byAssigneeField(vs).size > 0;
  /** The rows written before the roles were recorded, in a state where the role has an event (the partial index answers). */
  const unrecorded = (vs: VersionFacts[], test?: () => string): Branch[] => {
    const inState = inActionableStateSql(vs, p);
    const cases = `(c.actionable_roles IS NULL AND ${inState})`;
    return inState === 'false' ? [] : [{ cases, test: test ?? (() => cases) }];
  };
  switch (inbox.view) {
    case 'actionable': {
      if (inbox.mine) {
        // The cases assigned to the user are the fewer.
        const test = once(() => `${actionableSql(versions, role, p)} AND ${assignedSql(versions, mine, p)}`);
        return mine.flatMap((who): Branch[] => [
          { work: { kind: 'u', who }, test },
          ...(inContext(versions) ? [{ work: { kind: 'x', who } as const, test }] : []),
        ]);
      }
      return [
        { work: { kind: 'a', who: role }, test: () => `c.actionable_roles && ARRAY[${p(role)}]::text[]`, exact: true },
        ...unrecorded(versions),
      ];
    }
    case 'assigned':
      return mine.flatMap((who): Branch[] => {
        return [
          { work: { kind: 'u', who }, test: () => `c.assignees && ARRAY[${p(who)}]::text[]`, exact: true },
          ...(inContext(versions) ? [{ work: { kind: 'x', who } as const, test: () => contextAssigneeSql(versions, [who], p)! }] : []),
        ];
      });
    case 'claimable': {
      const candidate = once(() => candidateSql(userId, role, p));
      const branches: Branch[] = [
        { work: { kind: 'r', who: role }, test: candidate, exact: true },
        { work: { kind: 'c', who: userId }, test: candidate, exact: true },
      ];
      // Definitions without tasks: the cases the role may act on that name no assignee ('f'), or name the user ('x').
      const untasked = versions.filter((v) => !v.humanTasks);
      if (untasked.length === 0) return branches;
      const free = once(() => `(${actionableSql(untasked, role, p, true)} AND ${freeForSql(untasked, userId, p)})`);
      branches.push({ work: { kind: 'f', who: role }, test: free });
      if (inContext(untasked)) branches.push({ work: { kind: 'x', who: userId }, test: free });
      return [...branches, ...unrecorded(untasked, free)];
    }
    default:
      throw new Error(`not a view of open cases: ${inbox.view}`);
  }
}

/** The filter tests nothing but the processes (which `docket.open_work` rows carry). */
function onlyProcesses(filter: CaseFilter): boolean {
  return Object.entries(filter).every(([k, v]) => v === undefined || k === 'processIds' || k === 'processId');
}

/** A view's statement over narrow rows, with its binder (for what the caller adds around it). */
type ViewSql = { text: string; params: unknown[]; p: (v: unknown) => string };

/**
 * What a narrow row (`docket.open_work` or `docket.user_cases`, as `alias`) answers itself before its
 * case is read: the visible processes, the process asked for, and the page key after `key`.
 */
function narrowRowTests(
  alias: string,
  filter: CaseFilter,
  key: { at: string; id: string } | undefined,
  p: (v: unknown) => string,
): string[] {
  const tests: string[] = [];
  if (filter.processIds !== undefined) tests.push(`${alias}.process_id = ANY(${p(filter.processIds)}::text[])`);
  if (filter.processId !== undefined) tests.push(`${alias}.process_id = ${p(filter.processId)}`);
  if (key) tests.push(`(${alias}.opened_at, ${alias}.case_id) < (${key.at}::timestamptz, ${key.id})`);
  return tests;
}

/**
 * A page (and its count) of an open view as a union of branches, each read in page order along its
 * own index and stopped after `limit` matches, then merged by the page key: the work is that of
 * the page, not of every match. A branch of `docket.open_work` tests each of its rows on the case
 * (the filters, and its part of the view's condition) in a subquery run row by row, so that the
 * planner cannot trade the walk in page order for reading every match and sorting them.
 */
function openViewSql(filter: CaseFilter, inbox: InboxSelection, limit: number, after: CaseKey | undefined, countOnly = false): ViewSql {
  // Bound only when used: a statement with a parameter it does not use is refused.
  const bound = binder();
  const { params, p } = bound;
  const where = once(() => filterSql(filter, bound).where);
  const branches = openBranches(inbox, p);
  const key = after && { at: p(after.openedAt), id: p(after.caseId) };
  const n = p(limit);
  const sql = branches.map((b) => {
    const passes = () => `c.status = 'open' AND ${where()} AND ${b.test()}`;
    if ('cases' in b) {
      const keyset = key ? ` AND (c.opened_at, c.case_id) < (${key.at}::timestamptz, ${key.id})` : '';
      return `(SELECT c.opened_at, c.case_id FROM docket.cases c
         WHERE ${b.cases} AND ${passes()}${keyset}
         ORDER BY c.opened_at DESC, c.case_id DESC LIMIT ${n})`;
    }
    const { kind, who } = b.work;
    const tests = [`w.kind = '${kind}'`, `w.who = ${p(who)}`, ...narrowRowTests('w', filter, key, p)];
    // Counted from the narrow rows alone where they say all that is tested (`exact`).
    if (!(countOnly && b.exact === true && onlyProcesses(filter)))
      tests.push(
        `coalesce((SELECT true FROM docket.cases c WHERE c.case_id = w.case_id AND c.opened_at = w.opened_at AND ${passes()}), false)`,
      );
    return `(SELECT w.opened_at, w.case_id FROM docket.open_work w
        WHERE ${tests.join(' AND ')}
        ORDER BY w.opened_at DESC, w.case_id DESC LIMIT ${n})`;
  });
  return { text: sql.join('\n      UNION '), params, p };
}

/**
 * A page (and its count) of `started` or `done`: the user's range of `docket.user_cases` (migration
 * 027, kept by triggers) for that kind, read newest first and stopped after `limit` matches, each
 * row tested on its case (the filters) in a subquery run row by row. The work is that of the page,
 * not of every case the user ever touched. Counted from the narrow rows alone when the filters are
 * at most the processes: the rows are exactly the cases the view's condition selects.
 */
function userViewSql(filter: CaseFilter, inbox: InboxSelection, limit: number, after: CaseKey | undefined, countOnly = false): ViewSql {
  const bound = binder();
  const { params, p } = bound;
  const key = after && { at: p(after.openedAt), id: p(after.caseId) };
  const tests = [
    `u.user_id = ${p(inbox.userId)}`,
    `u.kind = '${inbox.view === 'started' ? 's' : 'd'}'`,
    ...narrowRowTests('u', filter, key, p),
  ];
  if (!(countOnly && onlyProcesses(filter)))
    tests.push(`coalesce((SELECT true FROM docket.cases c WHERE c.case_id = u.case_id AND ${filterSql(filter, bound).where}), false)`);
  return {
    text: `SELECT u.opened_at, u.case_id FROM docket.user_cases u WHERE ${tests.join(' AND ')}
        ORDER BY u.opened_at DESC, u.case_id DESC LIMIT ${p(limit)}`,
    params,
    p,
  };
}

/**
 * The page and count statements of a view read from narrow rows (`openViewSql`, `userViewSql`): the
 * page's cases collected first, then read by id; `merge`, for a union of ranges, orders the union
 * by the page key and keeps that many.
 */
function narrowPageSql(
  page: ViewSql,
  count: ViewSql,
  { merge }: { merge?: number } = {},
): { page: { text: string; params: unknown[] }; count: { text: string; params: unknown[] } } {
  const merged = merge === undefined ? '' : ` ORDER BY u.opened_at DESC, u.case_id DESC LIMIT ${page.p(merge)}`;
  return {
    page: {
      text: `SELECT ${COLUMNS}, ${PAGE_KEY} AS page_key FROM docket.cases c
          WHERE c.case_id = ANY(ARRAY(SELECT u.case_id FROM (${page.text}) u${merged}))
         ORDER BY c.opened_at DESC, c.case_id DESC`,
      params: page.params,
    },
    count: { text: `SELECT count(*)::int AS total FROM (${count.text}) u`, params: count.params },
  };
}

/** The statements of one page and of its total, counted up to `TOTAL_CAP` (exported so that a test can EXPLAIN them). */
export function caseListSql(
  filter: CaseFilter,
  inbox: InboxSelection | undefined,
  { limit, after, offset }: PagePosition,
): { page: { text: string; params: unknown[] }; count: { text: string; params: unknown[] } } {
  if (inbox !== undefined && !offset) {
    // Counted up to one past the cap in each branch: one that stops there makes a union more than the cap.
    if (OPEN_VIEWS.has(inbox.view))
      return narrowPageSql(openViewSql(filter, inbox, limit + 1, after), openViewSql(filter, inbox, TOTAL_CAP + 1, undefined, true), {
        merge: limit + 1,
      });
    if (USER_VIEWS.has(inbox.view))
      return narrowPageSql(userViewSql(filter, inbox, limit + 1, after), userViewSql(filter, inbox, TOTAL_CAP + 1, undefined, true));
  }
  const build = () => {
    const { where, params, p } = filterSql(filter);
    return { where: inbox ? `${where} AND ${inboxSql(inbox, p)}` : where, params, p };
  };
  const count = build();
  const page = build();
  const keyset = after ? ` AND (c.opened_at, c.case_id) < (${page.p(after.openedAt)}::timestamptz, ${page.p(after.caseId)})` : '';
  return {
    page: {
      text: `SELECT ${COLUMNS}, ${PAGE_KEY} AS page_key FROM docket.cases c WHERE ${page.where}${keyset}
        ORDER BY c.opened_at DESC, c.case_id DESC LIMIT ${page.p(limit + 1)}${offset ? ` OFFSET ${page.p(offset)}` : ''}`,
      params: page.params,
    },
    // Counted up to one past the cap: LIMIT stops the scan there.
    count: {
      text: `SELECT count(*)::int AS total FROM (SELECT 1 FROM docket.cases c WHERE ${count.where} LIMIT ${count.p(TOTAL_CAP + 1)}) x`,
      params: count.params,
    },
  };
}

export class PostgresCaseQueries {
  constructor(private readonly pool: Pool) {}

  private async query<R extends QueryResultRow>(what: string, sql: string, params: unknown[]): Promise<R[]> {
    try {
      return (await this.pool.query<R>(sql, params)).rows;
    } catch (err) {
      throw mapPgError(err, what);
    }
  }

  /** Cases matching every given filter, most recently updated first. */
  async search(s: CaseSearch): Promise<CaseSummary[]> {
    const { where, params, p } = filterSql(s);
    const sql = `${SELECT} WHERE ${where} ORDER BY c.updated_at DESC, c.case_id LIMIT ${p(s.limit)} OFFSET ${p(s.offset ?? 0)}`;
    return (await this.query<Row>('search cases', sql, params)).map(toSummary);
  }

  /** One page of the cases matching `filter` (and `inbox`, for an inbox view) after `after`, with the total. */
  async page(filter: CaseFilter, inbox: InboxSelection | undefined, at: PagePosition): Promise<CasePage> {
    const { limit } = at;
    const sql = caseListSql(filter, inbox, at);
    const rows = await this.query<Row & { page_key: string }>('list cases', sql.page.text, sql.page.params);
    const more = rows.length > limit;
    const shown = more ? rows.slice(0, limit) : rows;
    const last = shown[shown.length - 1];
    // A first page that holds every match is its own count.
    const whole = !more && at.after === undefined && !at.offset;
    const counted = whole
      ? shown.length
      : ((await this.query<{ total: number }>('count cases', sql.count.text, sql.count.params))[0]?.total ?? 0);
    return {
      cases: shown.map(toSummary),
      total: Math.min(counted, TOTAL_CAP),
      totalCapped: counted > TOTAL_CAP,
      next: more && last ? { openedAt: last.page_key, caseId: last.case_id } : null,
    };
  }

  /**
   * The definition versions that cases of these processes run on, each with one of its cases (to
   * read the version by). A loose index scan: one index probe per version, not a pass over the cases.
   */
  async versionsInUse(processIds: string[]): Promise<Array<{ hash: string; caseId: string }>> {
    const rows = await this.query<{ hash: string; case_id: string }>(
      'definition versions in use',
      `WITH RECURSIVE v(hash) AS (
         (SELECT definition_hash FROM docket.cases ORDER BY definition_hash LIMIT 1)
         UNION ALL
         SELECT (SELECT c.definition_hash FROM docket.cases c WHERE c.definition_hash > v.hash ORDER BY c.definition_hash LIMIT 1)
           FROM v WHERE v.hash IS NOT NULL)
       SELECT v.hash, x.case_id FROM v
         CROSS JOIN LATERAL (SELECT c.case_id, c.process_id FROM docket.cases c WHERE c.definition_hash = v.hash ORDER BY c.definition_hash, c.state LIMIT 1) x
        WHERE v.hash IS NOT NULL AND x.process_id = ANY($1::text[])`,
      [processIds],
    );
    return rows.map((r) => ({ hash: r.hash, caseId: r.case_id }));
  }

  /**
   * Who a case waits on now, as the case row keeps it (./work-columns.ts), and the definition version
   * it runs on; null for a case with no row yet.
   */
  async caseWork(caseId: string): Promise<(WorkColumns & { definitionHash: string }) | null> {
    const [row] = await this.query<{
      assignees: string[];
      candidate_roles: string[];
      candidate_users: string[];
      cc_users: string[];
      initiator: string | null;
      definition_hash: string;
    }>(
      'case work',
      'SELECT assignees, candidate_roles, candidate_users, cc_users, initiator, definition_hash FROM docket.cases WHERE case_id = $1',
      [caseId],
    );
    return row
      ? {
          assignees: row.assignees,
          candidateRoles: row.candidate_roles,
          candidateUsers: row.candidate_users,
          ccUsers: row.cc_users,
          initiator: row.initiator,
          definitionHash: row.definition_hash,
        }
      : null;
  }

  /** Every case id with a projection or a transition row (a row without a case is itself suspicious). */
  async allCaseIds(): Promise<string[]> {
    const rows = await this.query<{ case_id: string }>(
      'all case ids',
      'SELECT case_id FROM docket.cases UNION SELECT DISTINCT case_id FROM docket.transitions ORDER BY case_id',
      [],
    );
    return rows.map((r) => r.case_id);
  }
}
