/** Cases: start, send an event, read one, search, inbox, history. */
import { z } from 'zod';
import { maskPersonalQuery } from '../../logging';
import { INBOX_VIEWS, type CasePage, type CaseSummary } from '../../adapters/postgres/case-query';
import { pinnedDefinitionToCheck, refuseUnknownUsers } from '../named-users';
import { refuseUnknownLibraryEntries } from '../library-entries';
import { assigneeOf } from '../../workflows/search-attributes';
import { decodeCursor, decodeSeqCursor, encodeCursor, encodeSeqCursor, listFingerprint, versionFacts } from '../case-pages';
import { definitionHash } from '../../audit/definition-hash';
import { ROLE_NAMES } from '../../engine/roles';
import { PostgresDelegationStore } from '../../adapters/postgres/delegation-store';
import { actorOnCase, resolveActor } from '../acting';
import { allowedEventsFor } from '../allowed';
import { caseView } from '../case-view';
import type { CaseStatusView } from '../../workflows/messages';
import type { ApiDeps } from '../deps';
import { ApiError, SECURITY_CODES, toApiError } from '../errors';
import { route, type AnyRoute, type Caller, type RouteContext, type RouteResponse } from '../route';
import {
  caseOut,
  caseParams,
  caseSummaryOut,
  historyQuery,
  inboxItemOut,
  nextCursor,
  inboxQuery,
  pageFields,
  searchPageQuery,
  toCaseSearch,
  sendBody,
  sendOut,
  startBody,
  startedOut,
  transitionOut,
} from '../schemas';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

/** The `Idempotency-Key` header: the request id of a start or an event. */
export function idempotencyKey(ctx: RouteContext<unknown, unknown, unknown>): string | undefined {
  const raw = ctx.request.headers['idempotency-key'];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined) return undefined;
  if (!IDEMPOTENCY_KEY.test(value)) {
    throw new ApiError(
      400,
      'InvalidRequest',
      'the Idempotency-Key header must be 1 to 200 visible ASCII characters (a UUID is a good key)',
    );
  }
  return value;
}

export function summary(c: CaseSummary): z.infer<typeof caseSummaryOut> {
  return {
    caseId: c.caseId,
    processId: c.processId,
    definitionVersion: c.definitionVersion,
    customerId: c.customerId,
    state: c.state,
    status: c.status,
    overdue: c.overdue,
    nextDueAt: c.nextDueAt,
    openedAt: c.openedAt,
    updatedAt: c.updatedAt,
    closedAt: c.closedAt,
  };
}

/** Logs a refusal to the security log (never to the case) and rethrows it as an API error. */
export async function refused(
  deps: ApiDeps,
  ctx: RouteContext<unknown, unknown, unknown>,
  err: unknown,
  caseId?: string,
  event?: string,
): Promise<never> {
  const api = toApiError(err);
  if (api.status === 403 || (api.status === 409 && SECURITY_CODES.has(api.code))) {
    await deps.securityLog
      .record({
        code: api.code,
        message: api.message,
        userId: ctx.caller.principal.userId,
        role: ctx.caller.role,
        method: ctx.request.method,
        path: maskPersonalQuery(ctx.request.url),
        caseId: caseId ?? null,
        event: event ?? null,
        remoteIp: ctx.request.ip,
      })
      .catch((e: unknown) => ctx.request.log.error({ err: e }, 'could not write the security log'));
  }
  throw api;
}

/** The caller's role may see the process's cases, or the caller was cc'd on this one (read access, not more). */
async function mayRead(deps: ApiDeps, caller: Caller, processId: string, caseId: string): Promise<boolean> {
  if (await deps.catalog.canSee(caller.role, processId)) return true;
  return (await deps.queries.caseWork(caseId))?.ccUsers.includes(caller.principal.userId) ?? false;
}

/** The case's process, after checking that the caller's role may see it (403 otherwise). */
export async function visibleCase(
  deps: ApiDeps,
  ctx: RouteContext<unknown, unknown, unknown>,
  caseId: string,
): Promise<{ processId: string }> {
  const projection = await deps.caseStore.getCase(caseId);
  const processId =
    projection?.processId ?? (await deps.docket.status(caseId).catch((e: unknown) => refused(deps, ctx, e, caseId))).processId;
  if (!(await mayRead(deps, ctx.caller, processId, caseId))) {
    await refused(deps, ctx, new ApiError(403, 'Forbidden', `role "${ctx.caller.role}" may not see ${processId} cases`), caseId);
  }
  return { processId };
}

/** The case of the route's `caseId`, after checking that the caller may see it. */
export async function seenCase(deps: ApiDeps, ctx: RouteContext<{ caseId: string }, unknown, unknown>): Promise<string> {
  const { caseId } = ctx.params;
  await visibleCase(deps, ctx, caseId);
  return caseId;
}

/** The live status of a case as the caller sees it (the events their role — and, for a task, they — may send now), after checking that the role may see the case (403 otherwise). */
export async function seenStatus(
  deps: ApiDeps,
  ctx: RouteContext<unknown, unknown, unknown>,
  caseId: string,
  event?: string,
): Promise<CaseStatusView> {
  // What the caller may do now: as themselves, or for whoever delegated the case's task to them.
  const actor = await actorOnCase(deps, ctx.caller.principal, ctx.caller.role, caseId);
  const asker = { userId: actor.userId, ...(actor.onBehalfOf !== undefined && { onBehalfOf: actor.onBehalfOf }) };
  const view = await deps.docket.status(caseId, ctx.caller.role, asker).catch((e: unknown) => refused(deps, ctx, e, caseId, event));
  if (!(await mayRead(deps, ctx.caller, view.processId, caseId))) {
    await refused(
      deps,
      ctx,
      new ApiError(403, 'Forbidden', `role "${ctx.caller.role}" may not see ${view.processId} cases`),
      caseId,
      event,
    );
  }
  return view;
}

/** Acts for the caller and answers with `status` and what the action returned; a refusal is answered as `refused` does. */
export async function acting(
  deps: ApiDeps,
  ctx: RouteContext<unknown, unknown, unknown>,
  on: { caseId?: string; event: string; status: 200 | 201 },
  action: () => Promise<unknown>,
): Promise<RouteResponse> {
  try {
    return { status: on.status, body: await action() };
  } catch (err) {
    return refused(deps, ctx, err, on.caseId, on.event);
  }
}

async function visibleProcessIds(deps: ApiDeps, caller: Caller): Promise<string[]> {
  return deps.catalog.visibleProcesses(caller.role);
}

/** The total and the next page's cursor of a page. */
export function pageOut(page: CasePage, fingerprint: string): { total: number; totalCapped: boolean; nextCursor: string | null } {
  return { total: page.total, totalCapped: page.totalCapped, nextCursor: page.next ? encodeCursor(page.next, fingerprint) : null };
}

export function caseRoutes(deps: ApiDeps): AnyRoute[] {
  return [
    route({
      method: 'POST',
      url: '/cases',
      summary: 'Start a case',
      tag: 'cases',
      access: 'any',
      idempotent: true,
      body: startBody,
      responses: {
        201: { description: 'the case started (or, for a repeated Idempotency-Key, the case it started)', schema: startedOut },
      },
      async handler(ctx) {
        const requestId = idempotencyKey(ctx);
        return acting(deps, ctx, { event: 'start', status: 201 }, () =>
          deps.docket.startCase(ctx.body.process, ctx.body.input, ctx.caller.actor, requestId ? { requestId } : {}),
        );
      },
    }),
    route({
      method: 'POST',
      url: '/cases/:caseId/events',
      summary: 'Send an event to a case',
      tag: 'cases',
      access: 'any',
      idempotent: true,
      params: caseParams,
      body: sendBody,
      responses: { 200: { description: 'the event was applied (or, for a repeated Idempotency-Key, had been)', schema: sendOut } },
      async handler(ctx) {
        const { caseId } = ctx.params;
        const requestId = idempotencyKey(ctx);
        const { type, data } = ctx.body;
        // One read of the case row: who it waits on, and the version it runs on.
        const caseRow = await deps.queries.caseWork(caseId);
        // A delegate acts on the case on behalf of the user who delegated to them.
        const actor = await resolveActor(deps, ctx.caller.principal, ctx.caller.role, caseRow);
        // The workflow's Update validator checks the role (and everything else): its refusal is the answer.
        // The users and library entries an event names are checked here: the workflow cannot read the directory.
        return acting(deps, ctx, { caseId, event: type, status: 200 }, async () => {
          const definition =
            data === undefined ? undefined : await pinnedDefinitionToCheck(deps, caseRow, caseId, ctx.caller.actor.role, type);
          await refuseUnknownUsers(deps, definition, type, data);
          await refuseUnknownLibraryEntries(deps, definition, type, data);
          return deps.docket.send(caseId, {
            type,
            actor,
            ...(data !== undefined && { data }),
            ...(requestId !== undefined && { requestId }),
          });
        });
      },
    }),
    route({
      method: 'GET',
      url: '/cases/:caseId',
      summary: 'Read a case',
      tag: 'cases',
      access: 'any',
      params: caseParams,
      responses: { 200: { description: 'state, context, deadlines and the events the caller may send now', schema: caseOut } },
      async handler(ctx) {
        const view = await seenStatus(deps, ctx, ctx.params.caseId);
        return { status: 200, body: await caseView(deps, view, ctx.caller.role) };
      },
    }),
    route({
      method: 'GET',
      url: '/cases',
      summary: 'Search cases',
      tag: 'cases',
      access: 'any',
      query: searchPageQuery,
      responses: {
        200: {
          description: 'matching cases the caller may see, newest first, a page at a time, with the total',
          schema: z.object({ cases: z.array(caseSummaryOut), ...pageFields }),
        },
      },
      async handler(ctx) {
        const { cursor, limit, offset, ...filters } = ctx.query;
        if (cursor !== undefined && offset > 0) throw new ApiError(400, 'InvalidRequest', 'give a cursor or an offset, not both');
        const filter = { processIds: await visibleProcessIds(deps, ctx.caller), ...toCaseSearch({ ...filters, limit, offset }) };
        const fingerprint = listFingerprint({ list: 'search', role: ctx.caller.role, ...filters });
        const after = cursor === undefined ? undefined : decodeCursor(cursor, fingerprint);
        const page = await deps.queries.page(filter, undefined, { limit, ...(after && { after }), offset });
        return { status: 200, body: { cases: page.cases.map(summary), ...pageOut(page, fingerprint) } };
      },
    }),
    route({
      method: 'GET',
      url: '/inbox',
      summary: 'My inbox',
      tag: 'cases',
      access: ROLE_NAMES,
      query: inboxQuery,
      responses: {
        200: {
          description:
            'one view of the caller’s cases (see view), newest first, a page at a time, with the total; allowedEvents are those of the caller’s role in the case’s state (guards are checked when an event is sent)',
          schema: z.object({ role: z.string(), view: z.enum(INBOX_VIEWS), items: z.array(inboxItemOut), ...pageFields }),
        },
      },
      async handler(ctx) {
        const { role, principal } = ctx.caller;
        const { view, mine, cursor, limit, process, state, customer, overdue } = ctx.query;
        // cc'd users read a case whatever their role may see.
        const processIds = view === 'cc' ? undefined : await visibleProcessIds(deps, ctx.caller);
        const versions = await versionFacts(deps, processIds ?? [], role);
        const delegators =
          view === 'assigned' || mine === true ? await new PostgresDelegationStore(deps.pool).delegatorsOf(principal.userId) : [];
        const fingerprint = listFingerprint({ list: 'inbox', role, user: principal.userId, view, mine, process, state, customer, overdue });
        const after = cursor === undefined ? undefined : decodeCursor(cursor, fingerprint);
        const filter = toCaseSearch({ process, state, customer, overdue, limit, offset: 0 });
        const page = await deps.queries.page(
          { ...(processIds !== undefined && { processIds }), ...filter },
          { view, userId: principal.userId, role, versions, delegators, ...(mine !== undefined && { mine }) },
          { limit, ...(after && { after }) },
        );
        const items: Array<z.infer<typeof inboxItemOut>> = [];
        for (const c of page.cases) {
          const known = await deps.catalog.byHash(c.definitionHash, c.caseId);
          const allowedEvents = known && c.status === 'open' ? allowedEventsFor(known.definition, c.state, role) : [];
          const assignee = known ? (assigneeOf(known.definition, c.context) ?? null) : null;
          items.push({ ...summary(c), allowedEvents, assignedToMe: assignee !== null && assignee === principal.userId, assignee });
        }
        return { status: 200, body: { role, view, items, ...pageOut(page, fingerprint) } };
      },
    }),
    route({
      method: 'GET',
      url: '/cases/:caseId/history',
      summary: "A case's transition log",
      tag: 'cases',
      access: 'any',
      params: caseParams,
      query: historyQuery,
      responses: {
        200: {
          description:
            'the transitions, oldest first, with their hash chain, a page at a time (500 by default: most cases fit in one); follow nextCursor for the rest',
          schema: z.object({ caseId: z.string(), transitions: z.array(transitionOut), nextCursor }),
        },
      },
      async handler(ctx) {
        const caseId = await seenCase(deps, ctx);
        const { limit, cursor } = ctx.query;
        const fingerprint = listFingerprint({ list: 'history', caseId });
        const after = cursor === undefined ? undefined : decodeSeqCursor(cursor, fingerprint);
        const page = await deps.caseStore.pageChainedTransitions(caseId, limit, after);
        const last = page.transitions[page.transitions.length - 1];
        const next = page.more && last ? encodeSeqCursor(last.seq, fingerprint) : null;
        return { status: 200, body: { caseId, transitions: page.transitions, nextCursor: next } };
      },
    }),
    route({
      method: 'GET',
      url: '/cases/:caseId/definition',
      summary: 'Read the definition a case runs on',
      tag: 'cases',
      access: 'any',
      params: caseParams,
      responses: {
        200: {
          description: 'the definition version pinned in the case, as written (labels, events and their schemas)',
          schema: z.object({ caseId: z.string(), definitionHash: z.string(), definition: z.unknown() }),
        },
      },
      async handler(ctx) {
        const caseId = await seenCase(deps, ctx);
        const definition = await deps.docket.caseDefinition(caseId).catch((e: unknown) => refused(deps, ctx, e, caseId));
        return { status: 200, body: { caseId, definitionHash: definitionHash(definition), definition } };
      },
    }),
    route({
      method: 'GET',
      url: '/cases/:caseId/temporal-history',
      summary: "Read a case's Temporal event history",
      tag: 'audit',
      access: ['auditor'],
      params: caseParams,
      responses: {
        200: {
          description: "the raw Temporal event history of the case's workflow, every run oldest first (Temporal's JSON)",
          schema: z.object({ caseId: z.string(), runs: z.array(z.object({ runId: z.string(), history: z.unknown() })) }),
        },
      },
      async handler(ctx) {
        const { caseId } = ctx.params;
        const runs = await deps.docket.workflowHistory(caseId).catch((e: unknown) => refused(deps, ctx, e, caseId));
        return { status: 200, body: { caseId, runs } };
      },
    }),
  ];
}
