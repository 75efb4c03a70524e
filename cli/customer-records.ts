/**
 * `docket customer create|edit|show|find|grade|contact|contacts|handover|import-from-cases`: customer
 * records, their grades, their contact log, their follow-up plans and handovers, over the API
 * (`import-from-cases` also `--direct`, for an upgrade before the API runs). `show` and `contact` print
 * the latest contacts first: whoever calls a customer reads them before the call.
 */
import { createPool } from '../adapters/postgres/pool';
import { PostgresCustomerStore, type Contact, type Customer, type GradeChange } from '../adapters/postgres/customer-store';
import type { Handover } from '../adapters/postgres/handover-store';
import type { PlanSync } from '../client/follow-ups';
import type { CustomerHandover } from '../client/handovers';
import type { CliContext } from './context';
import { EXIT_OK, invalidArgument, rethrowBadRequest } from './errors';
import { table } from './format';

export interface RecordOptions {
  as?: string;
  id?: string;
  name?: string;
  industry?: string;
  size?: string;
  scope?: string;
  need?: string;
  owner?: string;
  contact?: string[];
}

export interface FindOptions {
  as?: string;
  name?: string;
  search?: string;
  industry?: string;
  value?: string;
  intention?: string;
  owner?: string;
  limit?: string;
  cursor?: string;
}

export interface GradeOptions {
  as?: string;
  value?: string;
  intention?: string;
  reason?: string;
}

export interface ContactOptions {
  as?: string;
  channel?: string;
  direction?: string;
  summary?: string;
  at?: string;
  case?: string;
}

export interface HandoverOptions {
  as?: string;
  from?: string;
  to?: string;
  customer?: string[];
  reason?: string;
  requestId?: string;
}

/** A customer's open follow-up plan, as `GET /customers/{id}` gives it. */
interface FollowUpPlan {
  caseId: string;
  state: string;
  grade: string | null;
  owner: string | null;
  channel: string | null;
  dueAt: string | null;
  overdue: boolean;
}

const PERSON_KEYS = ['name', 'position', 'phone', 'email', 'wechat'];

/** Collects a repeated option. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** `name=Wang Wei;position=Buyer;phone=138 0000 0001;email=…;wechat=…` as a contact person. */
export function parsePerson(text: string): Record<string, string> {
  const person: Record<string, string> = {};
  for (const part of text.split(';')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    const key = eq < 0 ? '' : part.slice(0, eq).trim();
    if (!PERSON_KEYS.includes(key)) {
      throw invalidArgument(
        `--contact: "${part.trim()}" is not key=value with a key of ${PERSON_KEYS.join(', ')}, e.g. --contact 'name=Wang Wei;phone=138 0000 0001'`,
      );
    }
    person[key] = part.slice(eq + 1).trim();
  }
  if (person.name === undefined) throw invalidArgument("--contact: name a contact person, e.g. --contact 'name=Wang Wei;position=Buyer'");
  return person;
}

const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

function recordBody(opts: RecordOptions): Record<string, unknown> {
  return defined({
    name: opts.name,
    industry: opts.industry,
    size: opts.size,
    businessScope: opts.scope,
    needType: opts.need,
    owner: opts.owner,
    contacts: opts.contact?.map(parsePerson),
  });
}

/** A request to the API; its 400s are bad input to the command. */
async function call<T>(ctx: CliContext, method: string, url: string, as: string | undefined, body?: unknown): Promise<T> {
  const options = { ...(as !== undefined && { role: ctx.actor(as).role }), ...(body !== undefined && { body }) };
  return (await ctx.api().request<T>(method, url, options).catch(rethrowBadRequest)).body;
}

const path = (customerId: string, rest = '') => `/customers/${encodeURIComponent(customerId)}${rest}`;

function overApiOnly(ctx: CliContext, command: string): void {
  if (ctx.mode() !== 'api') throw invalidArgument(`docket customer ${command} works over the API: leave out --direct`);
}

const dash = (v: string | null | undefined) => (v === null || v === undefined || v === '' ? '-' : v);

function describeCustomer(c: Customer): string {
  let out = `Customer ${c.customerId}: ${c.name}${c.origin === 'imported' ? ' (imported from cases: complete the record)' : ''}\n`;
  out += `  value grade ${dash(c.valueGrade)} · intention grade ${dash(c.intentionGrade)} · owner ${dash(c.owner)}\n`;
  out += `  industry ${dash(c.industry)} · size ${dash(c.size)} · need ${dash(c.needType)}\n`;
  if (c.businessScope) out += `  business scope: ${c.businessScope}\n`;
  if (c.contacts.length > 0) {
    out += '\nContact persons\n';
    out += table(
      ['NAME', 'POSITION', 'PHONE', 'E-MAIL', 'WECHAT'],
      c.contacts.map((p) => [p.name, dash(p.position), dash(p.phone), dash(p.email), dash(p.wechat)]),
    );
  }
  return out;
}

function describeContacts(contacts: Contact[], heading: string): string {
  if (contacts.length === 0) return `${heading}\n  (no contacts logged yet)\n`;
  return `${heading}\n${table(
    ['AT', 'CHANNEL', 'DIRECTION', 'BY', 'CASE', 'SUMMARY'],
    contacts.map((k) => [k.at, k.channel, k.direction, `${k.by.userId} (${k.by.role})`, dash(k.caseId), k.summary]),
  )}`;
}

function describeGrades(changes: GradeChange[]): string {
  if (changes.length === 0) return 'Grade history\n  (never graded)\n';
  return `Grade history (newest first)\n${table(
    ['AT', 'GRADE', 'FROM → TO', 'BY', 'REASON'],
    changes.map((g) => [g.at, g.grade, `${dash(g.from)} → ${g.to ?? '(removed)'}`, `${g.by.userId} (${g.by.role})`, g.reason]),
  )}`;
}

function describePlan(plan: FollowUpPlan | null): string {
  if (plan === null) return 'Follow-up plan\n  (none: the customer has no intention grade)\n';
  const due =
    plan.state === 'due'
      ? `due since ${dash(plan.dueAt)}${plan.overdue ? ' (overdue: the sales manager was told)' : ''}`
      : `next due ${dash(plan.dueAt)}`;
  return `Follow-up plan ${plan.caseId}\n  grade ${dash(plan.grade)} · ${dash(plan.channel)} · owner ${dash(plan.owner)} · ${plan.state}: ${due}\n`;
}

/** What the follow-up plan was told by a change. */
function describeSync(sync: PlanSync & { pending?: string }): string {
  if (sync.pending !== undefined) return `follow-up plan: ${sync.pending}\n`;
  if (sync.caseId === null) return '';
  const told = sync.sent.length ? sync.sent.join(', ') : 'nothing new';
  return `follow-up plan ${sync.caseId}: ${told}${sync.state ? ` (now ${sync.state})` : ''}\n`;
}

/** `docket customer create`: a new record; prints its id. */
export async function createCustomerCommand(ctx: CliContext, opts: RecordOptions): Promise<number> {
  overApiOnly(ctx, 'create');
  if (opts.name === undefined) throw invalidArgument('--name is required: the customer’s (company’s) name');
  const body = { ...recordBody(opts), ...(opts.id !== undefined && { customerId: opts.id }) };
  const created = await call<Customer>(ctx, 'POST', '/customers', opts.as, body);
  ctx.print(created, () => `created customer ${created.customerId}\n${describeCustomer(created)}`);
  return EXIT_OK;
}

/** `docket customer edit <id>`: sets the fields given. */
export async function editCustomerCommand(ctx: CliContext, customerId: string, opts: RecordOptions): Promise<number> {
  overApiOnly(ctx, 'edit');
  const body = recordBody(opts);
  if (Object.keys(body).length === 0) throw invalidArgument('give at least one field to change, e.g. --industry Retail');
  const updated = await call<Customer>(ctx, 'PUT', path(customerId), opts.as, body);
  ctx.print(updated, () => `updated customer ${updated.customerId}\n${describeCustomer(updated)}`);
  return EXIT_OK;
}

/** `docket customer show <id>`: the latest contacts first, then the record and its grade history. */
export async function showCustomerCommand(ctx: CliContext, customerId: string, opts: { as?: string }): Promise<number> {
  overApiOnly(ctx, 'show');
  const body = await call<{
    customer: Customer;
    gradeHistory: GradeChange[];
    latestContacts: Contact[];
    followUpPlan: FollowUpPlan | null;
  }>(ctx, 'GET', path(customerId), opts.as);
  ctx.print(
    body,
    () =>
      `${describeContacts(body.latestContacts, 'Latest contacts (read before you call)')}\n${describeCustomer(body.customer)}\n${describePlan(body.followUpPlan)}\n${describeGrades(body.gradeHistory)}`,
  );
  return EXIT_OK;
}

/** `docket customer find`: records by name, industry, grades and owner, a page at a time. */
export async function findCustomersCommand(ctx: CliContext, opts: FindOptions): Promise<number> {
  overApiOnly(ctx, 'find');
  const q = new URLSearchParams(
    defined({
      name: opts.name,
      search: opts.search,
      industry: opts.industry,
      valueGrade: opts.value,
      intentionGrade: opts.intention,
      owner: opts.owner,
      limit: opts.limit,
      cursor: opts.cursor,
    }) as Record<string, string>,
  ).toString();
  const body = await call<{ customers: Customer[]; total: number; totalCapped: boolean; nextCursor: string | null }>(
    ctx,
    'GET',
    `/customers${q ? `?${q}` : ''}`,
    opts.as,
  );
  ctx.print(body, () => {
    const rows = body.customers.map((c) => [
      c.customerId,
      c.name,
      dash(c.industry),
      dash(c.valueGrade),
      dash(c.intentionGrade),
      dash(c.owner),
    ]);
    const list = rows.length ? table(['CUSTOMER', 'NAME', 'INDUSTRY', 'VALUE', 'INTENTION', 'OWNER'], rows) : '  (no customers)\n';
    const more = body.nextCursor === null ? '' : `next page: add --cursor ${body.nextCursor}\n`;
    const total = `${body.total}${body.totalCapped ? '+' : ''}`;
    return `${list}${body.customers.length} of ${total} customer${body.total === 1 ? '' : 's'}\n${more}`;
  });
  return EXIT_OK;
}

/** `docket customer grade <id> --value … --intention … --reason …`. */
export async function gradeCustomerCommand(ctx: CliContext, customerId: string, opts: GradeOptions): Promise<number> {
  overApiOnly(ctx, 'grade');
  if (opts.reason === undefined) throw invalidArgument('--reason is required: why the grade changes (it is kept in the grade history)');
  // `none` removes a grade (removing the intention grade ends the follow-up plan).
  const grade = (v: string | undefined) => (v === 'none' ? null : v);
  const body = defined({ value: grade(opts.value), intention: grade(opts.intention), reason: opts.reason });
  const graded = await call<{ customer: Customer; gradeHistory: GradeChange[]; followUp: PlanSync }>(
    ctx,
    'POST',
    path(customerId, '/grade'),
    opts.as,
    body,
  );
  ctx.print(graded, () => `${describeCustomer(graded.customer)}\n${describeGrades(graded.gradeHistory)}${describeSync(graded.followUp)}`);
  return EXIT_OK;
}

/** `docket customer contact <id> --channel … --direction … --summary …`: logs it, then lists the latest contacts. */
export async function logContactCommand(ctx: CliContext, customerId: string, opts: ContactOptions): Promise<number> {
  overApiOnly(ctx, 'contact');
  const body = defined({ channel: opts.channel, direction: opts.direction, summary: opts.summary, at: opts.at, caseId: opts.case });
  const logged = await call<Contact & { followUp: PlanSync }>(ctx, 'POST', path(customerId, '/contacts'), opts.as, body);
  const recent = await call<{ contacts: Contact[] }>(ctx, 'GET', path(customerId, '/contacts?limit=5'), opts.as);
  ctx.print(
    logged,
    () => `logged contact ${logged.id}\n${describeSync(logged.followUp)}\n${describeContacts(recent.contacts, 'Latest contacts')}`,
  );
  return EXIT_OK;
}

/** `docket customer contacts <id>`: the contact log, newest first. */
export async function listContactsCommand(
  ctx: CliContext,
  customerId: string,
  opts: { as?: string; limit?: string; cursor?: string },
): Promise<number> {
  overApiOnly(ctx, 'contacts');
  const q = new URLSearchParams(defined({ limit: opts.limit ?? '20', cursor: opts.cursor }) as Record<string, string>).toString();
  const body = await call<{ contacts: Contact[]; nextCursor: string | null }>(ctx, 'GET', path(customerId, `/contacts?${q}`), opts.as);
  const more = body.nextCursor === null ? '' : `next page: add --cursor ${body.nextCursor}\n`;
  ctx.print(body, () => describeContacts(body.contacts, `Contacts of ${customerId} (newest first)`) + more);
  return EXIT_OK;
}

/** `docket customer import-from-cases`: a minimal record for every customer id open cases name (upgrades). */
export async function importFromCasesCommand(ctx: CliContext, opts: { as?: string }): Promise<number> {
  let imported: string[];
  if (ctx.mode() === 'api') {
    imported = (await call<{ imported: string[] }>(ctx, 'POST', '/customers/import-from-cases', opts.as)).imported;
  } else {
    const pool = createPool({ connectionString: await ctx.directDatabase(), max: 1 });
    try {
      imported = await new PostgresCustomerStore(pool).importFromCases({ userId: 'docket-cli', role: 'admin' });
    } finally {
      await pool.end().catch(() => undefined);
    }
  }
  ctx.print({ imported }, () =>
    imported.length === 0
      ? 'every customer id of an open case has a record already\n'
      : `recorded ${imported.length} customer${imported.length === 1 ? '' : 's'} (named by id: complete them with docket customer edit): ${imported.join(', ')}\n`,
  );
  return EXIT_OK;
}

/** `docket customer handover --from A --to B [--customer ID …]`: a leaving rep's customers, tasks and plans to another rep. */
export async function handoverCommand(ctx: CliContext, opts: HandoverOptions): Promise<number> {
  overApiOnly(ctx, 'handover');
  if (opts.from === undefined || opts.to === undefined)
    throw invalidArgument('--from and --to are required: the leaving rep and the rep who takes the customers over');
  const body = defined({ from: opts.from, to: opts.to, customers: opts.customer, reason: opts.reason });
  const options = {
    ...(opts.as !== undefined && { role: ctx.actor(opts.as).role }),
    body,
    ...(opts.requestId !== undefined && { idempotencyKey: opts.requestId }),
  };
  const report = (
    await ctx
      .api()
      .request<{ handover: Handover | null; replayed: boolean; customers: CustomerHandover[] }>('POST', '/customers/handover', options)
      .catch(rethrowBadRequest)
  ).body;
  ctx.print(report, () => describeHandover(report, opts.from!, opts.to!));
  return EXIT_OK;
}

function describeHandover(
  r: { handover: Handover | null; replayed: boolean; customers: CustomerHandover[] },
  from: string,
  to: string,
): string {
  const h = r.handover;
  let out = h
    ? `Handover #${h.handoverId}${r.replayed ? ' (asked before: its report)' : ''}: ${h.customers.length} customer${h.customers.length === 1 ? '' : 's'} from ${h.from} to ${h.to}, by ${h.by.userId} (${h.by.role}) at ${h.at}\n`
    : `${from} owns none of these customers now: nothing to hand over to ${to}\n`;
  if (r.customers.length === 0) return out;
  const rows = r.customers.flatMap((c) => {
    const owner = c.owner === 'moved' ? `${dash(c.previousOwner)} → ${to}` : `already ${to}`;
    const cases = [
      ...c.moved.map((m) => [
        m.caseId,
        m.how === 'task.reassign' ? `task ${m.task ?? ''} reassigned` : 'plan owner changed',
        `${m.as.userId} (${m.as.role})`,
      ]),
      ...c.notMoved.map((n) => [n.caseId, `not moved${n.retry ? ' (tried again next time)' : ''}: ${n.reason}`, '-']),
    ];
    if (cases.length === 0) return [[c.customerId, owner, '-', 'no open task or plan to move', '-']];
    return cases.map((k, i) => [i === 0 ? c.customerId : '', i === 0 ? owner : '', ...k]);
  });
  out += table(['CUSTOMER', 'OWNER', 'CASE', 'WHAT', 'LOGGED AS'], rows);
  const unfinished = r.customers.filter((c) => !c.done).map((c) => c.customerId);
  if (unfinished.length) out += `not finished for ${unfinished.join(', ')}: run the same handover again once the cause is fixed\n`;
  return out;
}
