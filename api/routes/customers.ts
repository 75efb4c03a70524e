/**
 * Customers: their records (create, edit, read, find), their grades with the history of who changed
 * them, their contact log, and their timeline. Everyone who deals with customers reads all of it:
 * every case and every contact, so that whoever calls a customer sees what colleagues did first.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Customer, PageKey } from '../../adapters/postgres/customer-store';
import { ConflictError } from '../../adapters/postgres/errors';
import {
  CONTACT_CHANNELS,
  CONTACT_DIRECTIONS,
  CONTACT_ROLES,
  CUSTOMER_EDITOR_ROLES,
  CUSTOMER_GRADER_ROLES,
  CUSTOMER_ID_PATTERN,
  CUSTOMER_ROLES,
  INTENTION_GRADES,
  PHONE_PATTERN,
  VALUE_GRADES,
} from '../../engine/customers';
import { decodeCursor, encodeCursor, listFingerprint } from '../case-pages';
import type { ApiDeps } from '../deps';
import { ApiError } from '../errors';
import { route, type AnyRoute, type RouteContext } from '../route';
import { caseSummaryOut, cursor, nextCursor, pageFields, timelineParams, timelineQuery, totalFields, transitionOut } from '../schemas';
import { pageOut, refused, summary } from './cases';
import type { PlanSync } from '../../client/follow-ups';

/** A customer id: a business id, never a name (it appears in case ids' search attributes). */
export const customerIdSchema = z
  .string()
  .regex(CUSTOMER_ID_PATTERN, 'a customer id of letters, digits, . _ - (at most 64), e.g. CUST-1001');
export const text = (max: number) => z.string().trim().min(1).max(max);
const optionalText = (max: number) => text(max).nullable().optional();

const contactPerson = z
  .object({
    name: text(100),
    position: text(100).optional(),
    phone: z.string().trim().regex(PHONE_PATTERN, 'a phone number of digits, spaces, ( ) and -').optional(),
    email: z.email('an e-mail address').max(200).optional(),
    wechat: text(100).optional(),
  })
  .strict()
  .meta({ id: 'ContactPerson' });

const fields = {
  name: text(200),
  contacts: z.array(contactPerson).max(50),
  industry: optionalText(100),
  size: optionalText(100),
  businessScope: optionalText(1000),
  needType: optionalText(200),
  owner: z.string().min(1).max(200).nullable().optional().describe('the owning sales rep’s user id'),
};

const createBody = z
  .object({
    customerId: customerIdSchema.optional().describe('given or generated (CUST-…)'),
    ...fields,
    contacts: fields.contacts.default([]),
  })
  .strict();
const editBody = z
  .object({ ...fields, name: fields.name.optional(), contacts: fields.contacts.optional() })
  .strict()
  .refine((b) => Object.values(b).some((v) => v !== undefined), 'give at least one field to change');
const gradeBody = z
  .object({
    value: z.enum(VALUE_GRADES).nullable().optional().describe('null removes the value grade'),
    intention: z
      .enum(INTENTION_GRADES)
      .nullable()
      .optional()
      .describe('null removes the intention grade (and ends the follow-up plan); a grade starts or re-plans it'),
    reason: text(2000).describe('why the grade changes (kept in the grade history)'),
  })
  .strict()
  .refine((b) => b.value !== undefined || b.intention !== undefined, 'give a value grade, an intention grade or both');
const contactBody = z
  .object({
    channel: z.enum(CONTACT_CHANNELS),
    direction: z.enum(CONTACT_DIRECTIONS),
    summary: text(4000),
    at: z.iso.datetime({ offset: true }).optional().describe('when it happened (default: now)'),
    caseId: z.string().min(1).max(200).optional().describe('a case of this customer the contact was about'),
  })
  .strict();

const params = z.object({ customerId: customerIdSchema }).strict();
const pageQuery = { limit: z.coerce.number().int().min(1).max(200).default(50), cursor };
/** The cases a timeline lists (the first page of GET /customers/{customerId}/cases). */
const TIMELINE_CASES = 100;
const casesQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(100), cursor }).strict();
/** The fingerprint of a customer's case list (its cursors; the timeline's casesNextCursor is one). */
const casesFingerprint = (customerId: string) => listFingerprint({ list: 'customer-cases', customerId });
const findQuery = z
  .object({
    name: z.string().min(1).max(200).optional().describe('part of the name, any case'),
    search: z.string().trim().min(1).max(200).optional().describe('part of the name or of the customer id, any case'),
    industry: z.string().min(1).max(100).optional(),
    valueGrade: z.enum(VALUE_GRADES).optional(),
    intentionGrade: z.enum(INTENTION_GRADES).optional(),
    owner: z.string().min(1).max(200).optional(),
    ...pageQuery,
  })
  .strict();

export const who = z.object({ userId: z.string(), role: z.string() });
const customerOut = z
  .object({
    customerId: z.string(),
    name: z.string(),
    contacts: z.array(contactPerson),
    industry: z.string().nullable(),
    size: z.string().nullable(),
    businessScope: z.string().nullable(),
    needType: z.string().nullable(),
    owner: z.string().nullable(),
    valueGrade: z.enum(VALUE_GRADES).nullable(),
    intentionGrade: z.enum(INTENTION_GRADES).nullable(),
    origin: z.enum(['entered', 'imported']).describe('imported: a minimal record made from the ids open cases named'),
    createdAt: z.string(),
    createdBy: z.string(),
    updatedAt: z.string(),
    updatedBy: z.string(),
  })
  .meta({ id: 'Customer' });
const gradeChangeOut = z
  .object({
    id: z.string(),
    grade: z.enum(['value', 'intention']),
    from: z.string().nullable(),
    to: z.string().nullable().describe('null: the grade was removed'),
    reason: z.string(),
    by: who,
    at: z.string(),
  })
  .meta({ id: 'GradeChange' });
const contactOut = z
  .object({
    id: z.string(),
    customerId: z.string(),
    channel: z.enum(CONTACT_CHANNELS),
    direction: z.enum(CONTACT_DIRECTIONS),
    summary: z.string(),
    at: z.string(),
    by: who,
    caseId: z.string().nullable(),
    recordedAt: z.string(),
  })
  .meta({ id: 'Contact' });
const followUpOut = z
  .object({
    caseId: z.string().nullable().describe('the customer’s follow-up plan (null: it has none, and needs none)'),
    state: z.string().nullable(),
    sent: z.array(z.string()).describe('what the plan was told now: started, GRADE_CHANGED, OWNER_CHANGED, CONTACT_LOGGED, PLAN_ENDED'),
    pending: z
      .string()
      .optional()
      .describe('the plan could not be told now (the change is kept): it catches up at the customer’s next change or the API’s next start'),
  })
  .meta({ id: 'FollowUpSync' });
const planOut = z
  .object({
    caseId: z.string(),
    state: z.string(),
    grade: z.string().nullable(),
    owner: z.string().nullable(),
    channel: z.string().nullable().describe('how the customer is followed up (the grade’s channel)'),
    dueAt: z.string().nullable().describe('when the next follow-up is due'),
    overdue: z.boolean(),
  })
  .meta({ id: 'FollowUpPlan' });
const handoverEntryOut = z.object({
  handoverId: z.string(),
  customerId: z.string(),
  from: z.string(),
  to: z.string(),
  previousOwner: z.string().nullable(),
  reason: z.string().nullable(),
  by: who,
  at: z.string(),
  status: z.enum(['pending', 'done']),
  moved: z.array(z.unknown()),
});
const customerDetail = z.object({
  customer: customerOut,
  gradeHistory: z.array(gradeChangeOut).describe('newest first'),
  latestContacts: z.array(contactOut).describe('the newest few: read them before you call'),
  followUpPlan: planOut.nullable().describe('the open follow-up plan of a graded customer'),
});
const timelineItem = z.union([
  transitionOut.extend({ kind: z.literal('transition') }),
  contactOut.extend({ kind: z.literal('contact') }),
  handoverEntryOut.extend({ kind: z.literal('handover') }),
]);

const toKey = (cursor: string | undefined, fingerprint: string): PageKey | undefined => {
  if (cursor === undefined) return undefined;
  const { openedAt, caseId } = decodeCursor(cursor, fingerprint);
  return { at: openedAt, key: caseId };
};
const toCursor = (next: PageKey | null, fingerprint: string) =>
  next ? encodeCursor({ openedAt: next.at, caseId: next.key }, fingerprint) : null;

const notFound = (customerId: string) =>
  new ApiError(
    404,
    'NotFound',
    `no customer record "${customerId}": find customers with GET /customers, or create one with POST /customers`,
  );

/** The record of the route's customer, or 404. */
async function recordOf(deps: ApiDeps, customerId: string): Promise<Customer> {
  const customer = await deps.customers.get(customerId);
  if (!customer) throw notFound(customerId);
  return customer;
}

/** Refuses (422) an owner who is not a user. */
async function checkOwner(deps: ApiDeps, owner: string | null | undefined): Promise<void> {
  if (owner === undefined || owner === null) return;
  if (!(await deps.users.getUser(owner))) {
    throw new ApiError(422, 'ValidationError', `owner: no user "${owner}"; name the user id of the sales rep who owns the customer`, [
      { path: 'body.owner', message: `no user "${owner}"` },
    ]);
  }
}

/**
 * Tells the customer's follow-up plan what just changed (after the change is committed). A plan that
 * cannot be told now catches up later (see client/follow-ups.ts): the answer says so, the change stands.
 */
async function syncPlan(
  deps: ApiDeps,
  ctx: RouteContext<unknown, unknown, unknown>,
  customerId: string,
): Promise<z.infer<typeof followUpOut>> {
  const telling = deps.followUps.sync(customerId);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${deps.followUps.answerWithinMs} ms (is a worker running?)`)),
      deps.followUps.answerWithinMs,
    );
  });
  try {
    const synced: PlanSync = await Promise.race([telling, late]);
    return { caseId: synced.caseId, state: synced.state, sent: synced.sent };
  } catch (err) {
    // The telling goes on (or failed): either way the plan catches up later.
    telling.catch((e: unknown) => ctx.request.log.warn({ err: e, customerId }, 'the follow-up plan was not told; it catches up later'));
    ctx.request.log.warn({ err, customerId }, 'the follow-up plan was not told now; it catches up later');
    const plan = await deps.followUps.openPlan(customerId).catch(() => undefined);
    return {
      caseId: plan?.caseId ?? null,
      state: plan?.state ?? null,
      sent: [],
      pending: `the follow-up plan was not told now (${err instanceof Error ? err.message : String(err)}); it catches up at the customer's next change or the API's next start`,
    };
  } finally {
    clearTimeout(timer);
  }
}

/** The open plan of a customer, as a record's page shows it. */
async function planOf(deps: ApiDeps, customerId: string): Promise<z.infer<typeof planOut> | null> {
  const plan = await deps.followUps.openPlan(customerId);
  if (!plan) return null;
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    caseId: plan.caseId,
    state: plan.state,
    grade: text(plan.context.grade),
    owner: text(plan.context.owner),
    channel: text(plan.context.channel),
    dueAt: plan.state === 'waiting' || plan.state === 'due' ? text(plan.context.dueAt) : null,
    overdue: plan.context.overdue === true,
  };
}

/** The null-for-absent fields of a new record. */
const nullable = <T>(v: T | null | undefined): T | null => v ?? null;

export function customerRoutes(deps: ApiDeps): AnyRoute[] {
  return [
    route({
      method: 'POST',
      url: '/customers',
      summary: 'Create a customer record',
      tag: 'customers',
      access: CUSTOMER_EDITOR_ROLES,
      body: createBody,
      responses: {
        201: { description: 'the record, as stored', schema: customerOut },
        409: { description: 'a record of that id exists' },
        422: { description: 'the owner is not a user' },
      },
      async handler(ctx) {
        const { customerId, owner, ...rest } = ctx.body;
        const owning = owner === undefined && ctx.caller.role === 'sales_rep' ? ctx.caller.principal.userId : nullable(owner);
        await checkOwner(deps, owning);
        const id = customerId ?? `CUST-${randomUUID().slice(0, 8).toUpperCase()}`;
        let created: Customer;
        try {
          created = await deps.customers.create(
            id,
            {
              ...rest,
              industry: nullable(rest.industry),
              size: nullable(rest.size),
              businessScope: nullable(rest.businessScope),
              needType: nullable(rest.needType),
              owner: owning,
            },
            ctx.caller.actor,
          );
        } catch (err) {
          // The store's message names the database's constraint: the caller needs the id and what to do.
          if (err instanceof ConflictError) {
            throw new ApiError(
              409,
              'Conflict',
              `a customer record "${id}" exists already: choose another id, or leave customerId out for a generated one`,
            );
          }
          throw err;
        }
        return { status: 201, body: created };
      },
    }),
    route({
      method: 'PUT',
      url: '/customers/:customerId',
      summary: 'Edit a customer record',
      tag: 'customers',
      access: CUSTOMER_EDITOR_ROLES,
      params,
      body: editBody,
      responses: {
        200: { description: 'the record with the fields given set (the others kept)', schema: customerOut },
        404: { description: 'no record of that id' },
      },
      async handler(ctx) {
        await checkOwner(deps, ctx.body.owner);
        const updated = await deps.customers.update(ctx.params.customerId, ctx.body, ctx.caller.actor);
        if (!updated) throw notFound(ctx.params.customerId);
        // A new owner: the follow-up plan's tasks go to them.
        if (ctx.body.owner !== undefined && updated.intentionGrade !== null)
          await syncPlan(deps, ctx as RouteContext<unknown, unknown, unknown>, updated.customerId);
        return { status: 200, body: updated };
      },
    }),
    route({
      method: 'GET',
      url: '/customers/:customerId',
      summary: 'Read a customer record',
      tag: 'customers',
      access: CUSTOMER_ROLES,
      params,
      responses: {
        200: { description: 'the record, its grade history and its latest contacts', schema: customerDetail },
        404: { description: 'no record of that id' },
      },
      async handler(ctx) {
        const customer = await recordOf(deps, ctx.params.customerId);
        const gradeHistory = await deps.customers.gradeHistory(customer.customerId);
        const latestContacts = (await deps.customers.contacts(customer.customerId, 5)).items;
        const followUpPlan = await planOf(deps, customer.customerId);
        return { status: 200, body: { customer, gradeHistory, latestContacts, followUpPlan } };
      },
    }),
    route({
      method: 'GET',
      url: '/customers',
      summary: 'Find customers',
      tag: 'customers',
      access: CUSTOMER_ROLES,
      query: findQuery,
      responses: {
        200: {
          description: 'records matching every filter, newest first, a page at a time, with the total',
          schema: z.object({ customers: z.array(customerOut), ...totalFields, nextCursor }),
        },
      },
      async handler(ctx) {
        const { cursor, limit, ...filter } = ctx.query;
        const fingerprint = listFingerprint({ list: 'customers', ...filter });
        const page = await deps.customers.find(filter, limit, toKey(cursor, fingerprint));
        return {
          status: 200,
          body: { customers: page.items, total: page.total, totalCapped: page.totalCapped, nextCursor: toCursor(page.next, fingerprint) },
        };
      },
    }),
    route({
      method: 'POST',
      url: '/customers/:customerId/grade',
      summary: 'Change a customer’s grades',
      tag: 'customers',
      access: CUSTOMER_GRADER_ROLES,
      params,
      body: gradeBody,
      responses: {
        200: {
          description: 'the record and its grade history, newest first; what the follow-up plan was told',
          schema: customerDetail.omit({ latestContacts: true, followUpPlan: true }).extend({ followUp: followUpOut }),
        },
        403: { description: 'a sales rep grades only the customers they own' },
        404: { description: 'no record of that id' },
      },
      async handler(ctx) {
        const { customerId } = ctx.params;
        const current = await recordOf(deps, customerId);
        if (ctx.caller.role === 'sales_rep' && current.owner !== ctx.caller.principal.userId) {
          await refused(
            deps,
            ctx as RouteContext<unknown, unknown, unknown>,
            new ApiError(403, 'Forbidden', `a sales rep grades only their own customers; ${customerId} is not yours: ask a sales manager`),
          );
        }
        const { value, intention, reason } = ctx.body;
        const changed = await deps.customers.changeGrades(
          customerId,
          { ...(value !== undefined && { value }), ...(intention !== undefined && { intention }) },
          reason,
          ctx.caller.actor,
        );
        if (!changed) throw notFound(customerId);
        const followUp = await syncPlan(deps, ctx as RouteContext<unknown, unknown, unknown>, customerId);
        return { status: 200, body: { customer: changed.customer, gradeHistory: changed.changes, followUp } };
      },
    }),
    route({
      method: 'POST',
      url: '/customers/:customerId/contacts',
      summary: 'Log a contact with a customer',
      tag: 'customers',
      access: CONTACT_ROLES,
      params,
      body: contactBody,
      responses: {
        201: {
          description: 'the contact, as logged; what the follow-up plan was told (a contact counts as a follow-up done)',
          schema: contactOut.extend({ followUp: followUpOut }),
        },
        404: { description: 'no record of that id' },
        422: { description: 'the case named is not one of this customer' },
      },
      async handler(ctx) {
        const { customerId } = ctx.params;
        const { caseId, ...contact } = ctx.body;
        if (caseId !== undefined && (await deps.caseStore.getCase(caseId))?.customerId !== customerId) {
          throw new ApiError(422, 'ValidationError', `caseId: "${caseId}" is not a case of customer ${customerId}`, [
            { path: 'body.caseId', message: `not a case of customer ${customerId}` },
          ]);
        }
        const logged = await deps.customers.addContact(customerId, { ...contact, caseId: caseId ?? null }, ctx.caller.actor);
        if (!logged) throw notFound(customerId);
        const followUp = await syncPlan(deps, ctx as RouteContext<unknown, unknown, unknown>, customerId);
        return { status: 201, body: { ...logged, followUp } };
      },
    }),
    route({
      method: 'GET',
      url: '/customers/:customerId/contacts',
      summary: 'A customer’s contact log',
      tag: 'customers',
      access: CUSTOMER_ROLES,
      params,
      query: z.object(pageQuery).strict(),
      responses: {
        200: {
          description: 'calls, e-mails, messages and visits, newest first, a page at a time',
          schema: z.object({ contacts: z.array(contactOut), nextCursor }),
        },
        404: { description: 'no record of that id' },
      },
      async handler(ctx) {
        const { customerId } = ctx.params;
        await recordOf(deps, customerId);
        const fingerprint = listFingerprint({ list: 'contacts', customerId });
        const page = await deps.customers.contacts(customerId, ctx.query.limit, toKey(ctx.query.cursor, fingerprint));
        return { status: 200, body: { contacts: page.items, nextCursor: toCursor(page.next, fingerprint) } };
      },
    }),
    route({
      method: 'GET',
      url: '/customers/:customerId/timeline',
      summary: "A customer's timeline",
      tag: 'customers',
      access: CUSTOMER_ROLES,
      params: timelineParams,
      query: timelineQuery,
      responses: {
        200: {
          description:
            'the record (null: none), the customer’s newest cases (casesNextCursor: the rest, by GET /customers/{customerId}/cases), ' +
            'and every transition of them and every contact, newest first, a page at a time; ' +
            'a transition of a process the caller’s role may not open comes without its payload',
          schema: z.object({
            customerId: z.string(),
            customer: customerOut.nullable(),
            cases: z.array(caseSummaryOut).describe(`the customer’s newest ${TIMELINE_CASES} cases, of every process`),
            casesTotal: z
              .number()
              .int()
              .describe('how many cases the customer has (counted as totals are: see GET /customers/{customerId}/cases)'),
            casesNextCursor: nextCursor.describe(
              'pass as cursor to GET /customers/{customerId}/cases for the cases after these; null: these are all',
            ),
            entries: z.array(timelineItem),
            nextCursor,
          }),
        },
      },
      async handler(ctx) {
        const { customerId } = ctx.params;
        const fingerprint = listFingerprint({ list: 'timeline', customerId });
        const after = toKey(ctx.query.cursor, fingerprint);
        // Four reads that need nothing of each other, asked for at once (the pool has a connection
        // for each): the answer waits for the slowest, the entries of a key account, not for their sum.
        const [page, cases, visibleProcesses, customer] = await Promise.all([
          deps.customers.timeline(customerId, ctx.query.limit, after),
          deps.queries.page({ customerId }, undefined, { limit: TIMELINE_CASES }),
          deps.catalog.visibleProcesses(ctx.caller.role),
          deps.customers.get(customerId),
        ]);
        const visible = new Set(visibleProcesses);
        const entries = page.items.map((e) => (e.kind === 'transition' && !visible.has(e.processId) ? { ...e, payload: {} } : e));
        const casePage = pageOut(cases, casesFingerprint(customerId));
        return {
          status: 200,
          body: {
            customerId,
            customer: customer ?? null,
            cases: cases.cases.map(summary),
            casesTotal: casePage.total,
            casesNextCursor: casePage.nextCursor,
            entries,
            nextCursor: toCursor(page.next, fingerprint),
          },
        };
      },
    }),
    route({
      method: 'GET',
      url: '/customers/:customerId/cases',
      summary: "A customer's cases",
      tag: 'customers',
      access: CUSTOMER_ROLES,
      params: timelineParams,
      query: casesQuery,
      responses: {
        200: {
          description: 'every case of the customer, of every process (as the timeline lists them), newest first, a page at a time',
          schema: z.object({ customerId: z.string(), cases: z.array(caseSummaryOut), ...pageFields }),
        },
      },
      async handler(ctx) {
        const { customerId } = ctx.params;
        const { limit, cursor: given } = ctx.query;
        const fingerprint = casesFingerprint(customerId);
        const after = given === undefined ? undefined : decodeCursor(given, fingerprint);
        const page = await deps.queries.page({ customerId }, undefined, { limit, ...(after && { after }) });
        return { status: 200, body: { customerId, cases: page.cases.map(summary), ...pageOut(page, fingerprint) } };
      },
    }),
    route({
      method: 'POST',
      url: '/customers/import-from-cases',
      summary: 'Record the customers open cases name',
      tag: 'customers',
      access: ['admin'],
      responses: {
        200: {
          description: 'a minimal record (named by its id) for every customer id open cases name that has none: the ids recorded',
          schema: z.object({ imported: z.array(z.string()) }),
        },
      },
      async handler(ctx) {
        return { status: 200, body: { imported: await deps.customers.importFromCases(ctx.caller.actor) } };
      },
    }),
  ];
}
