/**
 * Customer records (`docket.customers`), the history of their grades and their contact log
 * (both append-only), and a customer's timeline: every case transition and every contact, newest
 * first, a page at a time. Names, contact persons, phones and e-mails are personal data: this
 * store keeps them; nothing here logs them.
 */
import type { Pool, PoolClient, QueryResultRow } from 'pg';
import { TOTAL_CAP } from './case-query';
import { rowToTransition, type TransitionRow } from './case-store';
import { mapPgError } from './errors';
import { inTransaction } from './transaction';
import type { CONTACT_CHANNELS, CONTACT_DIRECTIONS, IntentionGrade, ValueGrade } from '../../engine/customers';
import type { TransitionRecord } from '../../engine/types';

/** A contact person of a customer. */
export interface ContactPerson {
  name: string;
  position?: string;
  phone?: string;
  email?: string;
  wechat?: string;
}

/** What staff enter about a customer (every field but the name may be null). */
export interface CustomerFields {
  name: string;
  contacts: ContactPerson[];
  industry: string | null;
  size: string | null;
  businessScope: string | null;
  needType: string | null;
  /** The owning sales rep's user id. */
  owner: string | null;
}

export interface Customer extends CustomerFields {
  customerId: string;
  valueGrade: ValueGrade | null;
  intentionGrade: IntentionGrade | null;
  origin: 'entered' | 'imported';
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
}

export interface GradeChange {
  /** Its id in the grade history (a follow-up plan's GRADE_CHANGED names it). */
  id: string;
  grade: 'value' | 'intention';
  from: string | null;
  /** The new grade; null when the grade was removed. */
  to: string | null;
  reason: string;
  by: { userId: string; role: string };
  at: string;
}

export interface Contact {
  id: string;
  customerId: string;
  channel: (typeof CONTACT_CHANNELS)[number];
  direction: (typeof CONTACT_DIRECTIONS)[number];
  summary: string;
  at: string;
  by: { userId: string; role: string };
  caseId: string | null;
  recordedAt: string;
}

export type NewContact = Pick<Contact, 'channel' | 'direction' | 'summary' | 'caseId'> & { at?: string };

/** A handover of the customer from one rep to another, as its timeline shows it. */
export interface HandoverEntry {
  handoverId: string;
  customerId: string;
  from: string;
  to: string;
  /** The customer's owner before (usually `from`). */
  previousOwner: string | null;
  reason: string | null;
  by: { userId: string; role: string };
  at: string;
  /** pending: the customer's cases are still to be told; done: `moved` lists what moved. */
  status: 'pending' | 'done';
  moved: unknown[];
}

/** One row of a timeline: a transition of one of the customer's cases, a contact, or a handover. */
export type TimelineItem =
  ({ kind: 'transition' } & TransitionRecord) | ({ kind: 'contact' } & Contact) | ({ kind: 'handover' } & HandoverEntry);

/** Where a page ends: the last row's time (microseconds, UTC) and key. */
export interface PageKey {
  at: string;
  key: string;
}

export interface Page<T> {
  items: T[];
  next: PageKey | null;
}

export interface CustomerFilter {
  /** Part of the name, any case. */
  name?: string;
  /** Part of the name or of the customer id, any case. */
  search?: string;
  industry?: string;
  valueGrade?: ValueGrade;
  intentionGrade?: IntentionGrade;
  owner?: string;
}

interface Actor {
  userId: string;
  role: string;
}

interface CustomerRow {
  customer_id: string;
  name: string;
  contacts: ContactPerson[];
  industry: string | null;
  size: string | null;
  business_scope: string | null;
  need_type: string | null;
  owner_id: string | null;
  value_grade: ValueGrade | null;
  intention_grade: IntentionGrade | null;
  origin: 'entered' | 'imported';
  created_at: Date;
  created_by: string;
  updated_at: Date;
  updated_by: string;
}

interface ContactRow {
  id: string;
  customer_id: string;
  channel: Contact['channel'];
  direction: Contact['direction'];
  summary: string;
  at: Date;
  by_user: string;
  by_role: string;
  case_id: string | null;
  recorded_at: Date;
}

/** A handover item joined with its handover (as `to_jsonb` gives it), at the handover's time. */
function toHandoverEntry(row: Record<string, unknown>, at: string): HandoverEntry {
  return {
    handoverId: String(row.handover_id),
    customerId: row.customer_id as string,
    from: row.from_user as string,
    to: row.to_user as string,
    previousOwner: (row.previous_owner as string | null) ?? null,
    reason: (row.reason as string | null) ?? null,
    by: { userId: row.by_user as string, role: row.by_role as string },
    at: new Date(at).toISOString(),
    status: row.status as HandoverEntry['status'],
    moved: Array.isArray(row.moved) ? row.moved : [],
  };
}

const PAGE_AT = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

const toCustomer = (r: CustomerRow): Customer => ({
  customerId: r.customer_id,
  name: r.name,
  contacts: r.contacts,
  industry: r.industry,
  size: r.size,
  businessScope: r.business_scope,
  needType: r.need_type,
  owner: r.owner_id,
  valueGrade: r.value_grade,
  intentionGrade: r.intention_grade,
  origin: r.origin,
  createdAt: r.created_at.toISOString(),
  createdBy: r.created_by,
  updatedAt: r.updated_at.toISOString(),
  updatedBy: r.updated_by,
});

const toContact = (r: ContactRow): Contact => ({
  id: String(r.id),
  customerId: r.customer_id,
  channel: r.channel,
  direction: r.direction,
  summary: r.summary,
  at: r.at.toISOString(),
  by: { userId: r.by_user, role: r.by_role },
  caseId: r.case_id,
  recordedAt: r.recorded_at.toISOString(),
});

/** The page of `rows` (one more than `limit` asked for) and where the next starts. */
function paged<R extends { page_at: string; page_key: string }, T>(rows: R[], limit: number, map: (r: R) => T): Page<T> {
  const shown = rows.slice(0, limit);
  const last = shown[shown.length - 1];
  return { items: shown.map(map), next: rows.length > limit && last ? { at: last.page_at, key: last.page_key } : null };
}

const CUSTOMER_COLUMNS = `customer_id, name, contacts, industry, size, business_scope, need_type, owner_id, value_grade,
  intention_grade, origin, created_at, created_by, updated_at, updated_by`;

/** The fields a patch may set, by column. */
const FIELD_COLUMNS: Record<keyof CustomerFields, string> = {
  name: 'name',
  contacts: 'contacts',
  industry: 'industry',
  size: 'size',
  businessScope: 'business_scope',
  needType: 'need_type',
  owner: 'owner_id',
};

/**
 * The statement of a page of a customer's timeline (exported so that a test can EXPLAIN it): its
 * transitions, contacts and handovers, newest first. The key of a row is its time and a text unique
 * within the customer — `t/<case id>/<seq>` (so transitions at one instant go by case, then seq,
 * newest first), `c/<contact id>`, `h/<handover id>` — so a page ends at one row and the next starts
 * right after it, whatever is added meanwhile.
 *
 * Transitions are read only from the cases that can hold a row of the page. Take the customer's
 * `limit + 1` most recently updated cases (of those updated before the cursor, whose rows all come
 * after it): each has its last transition at or after `since`, the earliest of those, so the page
 * holds only rows at or after `since`. No transition is later than its case's `updated_at`, so the
 * cases updated since then (and opened before the cursor) hold them all: few, found by the
 * customer's index on `updated_at`. A transition's row is read whole only once it is on the page.
 */
export function timelineSql(customerId: string, limit: number, after?: PageKey): { text: string; params: unknown[] } {
  const params: unknown[] = [customerId, limit + 1];
  const keyset = after ? 'WHERE (x.at, x.page_key) < ($3::timestamptz, $4)' : '';
  if (after) params.push(after.at, after.key);
  const before = after ? ' AND k.updated_at < $3::timestamptz' : '';
  return {
    text: `WITH since AS (
         SELECT CASE WHEN count(*) = $2 THEN min(t.at) ELSE '-infinity'::timestamptz END AS at
           FROM (SELECT k.case_id, k.last_seq FROM docket.cases k WHERE k.customer_id = $1${before}
                  ORDER BY k.updated_at DESC LIMIT $2) k
           JOIN docket.transitions t ON t.case_id = k.case_id AND t.seq = k.last_seq)
       SELECT x.kind,
              coalesce(x.row, (SELECT to_jsonb(t) FROM docket.transitions t WHERE t.case_id = x.case_id AND t.seq = x.seq)) AS row,
              ${PAGE_AT('x.at')} AS page_at, x.page_key FROM (
         SELECT 'transition' AS kind, NULL::jsonb AS row, t.case_id, t.seq, t.at,
                't/' || t.case_id || '/' || lpad(t.seq::text, 10, '0') AS page_key
           FROM since, docket.cases c JOIN docket.transitions t USING (case_id)
          WHERE c.customer_id = $1 AND c.updated_at >= since.at AND t.at >= since.at${after ? ' AND c.opened_at <= $3::timestamptz' : ''}
         UNION ALL
         SELECT 'contact', to_jsonb(k), NULL, NULL, k.at, 'c/' || lpad(k.id::text, 20, '0') FROM docket.customer_contacts k WHERE k.customer_id = $1
         UNION ALL
         SELECT 'handover', to_jsonb(i) || jsonb_build_object('from_user', h.from_user, 'to_user', h.to_user, 'reason', h.reason,
                  'by_user', h.by_user, 'by_role', h.by_role),
                NULL, NULL, h.at, 'h/' || lpad(h.id::text, 20, '0')
           FROM docket.customer_handover_items i JOIN docket.customer_handovers h ON h.id = i.handover_id WHERE i.customer_id = $1
       ) x ${keyset} ORDER BY x.at DESC, x.page_key DESC LIMIT $2`,
    params,
  };
}

export class PostgresCustomerStore {
  constructor(private readonly pool: Pool) {}

  private async query<R extends QueryResultRow>(what: string, sql: string, params: unknown[], on: Pool | PoolClient = this.pool) {
    try {
      return (await on.query<R>(sql, params)).rows;
    } catch (err) {
      throw mapPgError(err, what);
    }
  }

  /** Adds a record; a ConflictError when the id is taken. */
  async create(customerId: string, fields: CustomerFields, by: Actor): Promise<Customer> {
    const [row] = await this.query<CustomerRow>(
      'create customer',
      `INSERT INTO docket.customers (customer_id, name, contacts, industry, size, business_scope, need_type, owner_id, created_by, updated_by)
       VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7, $8, $9, $9) RETURNING ${CUSTOMER_COLUMNS}`,
      [
        customerId,
        fields.name,
        JSON.stringify(fields.contacts),
        fields.industry,
        fields.size,
        fields.businessScope,
        fields.needType,
        fields.owner,
        by.userId,
      ],
    );
    return toCustomer(row!);
  }

  /** Sets the given fields of a record; undefined when there is none of that id. */
  async update(customerId: string, patch: Partial<CustomerFields>, by: Actor): Promise<Customer | undefined> {
    const params: unknown[] = [customerId, by.userId];
    const sets = Object.entries(patch)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => {
        const column = FIELD_COLUMNS[k as keyof CustomerFields];
        const n = params.push(k === 'contacts' ? JSON.stringify(v) : v);
        return `${column} = $${n}${k === 'contacts' ? '::jsonb' : ''}`;
      });
    const [row] = await this.query<CustomerRow>(
      'edit customer',
      `UPDATE docket.customers SET ${[...sets, 'updated_at = now()', 'updated_by = $2'].join(', ')}
        WHERE customer_id = $1 RETURNING ${CUSTOMER_COLUMNS}`,
      params,
    );
    return row && toCustomer(row);
  }

  async get(customerId: string): Promise<Customer | undefined> {
    const [row] = await this.query<CustomerRow>(
      'read customer',
      `SELECT ${CUSTOMER_COLUMNS} FROM docket.customers WHERE customer_id = $1`,
      [customerId],
    );
    return row && toCustomer(row);
  }

  /** Whether a record of this id exists. */
  async exists(customerId: string): Promise<boolean> {
    return (await this.query('find customer', 'SELECT 1 FROM docket.customers WHERE customer_id = $1', [customerId])).length > 0;
  }

  /** Records matching every filter, newest first, a page at a time, with their total counted up to `TOTAL_CAP`. */
  async find(filter: CustomerFilter, limit: number, after?: PageKey): Promise<Page<Customer> & { total: number; totalCapped: boolean }> {
    const params: unknown[] = [];
    const where: string[] = [];
    const p = (v: unknown) => `$${params.push(v)}`;
    if (filter.name !== undefined) where.push(`strpos(lower(name), lower(${p(filter.name)})) > 0`);
    if (filter.search !== undefined) {
      const part = p(filter.search);
      where.push(`(strpos(lower(name), lower(${part})) > 0 OR strpos(lower(customer_id), lower(${part})) > 0)`);
    }
    if (filter.industry !== undefined) where.push(`lower(industry) = lower(${p(filter.industry)})`);
    if (filter.valueGrade !== undefined) where.push(`value_grade = ${p(filter.valueGrade)}`);
    if (filter.intentionGrade !== undefined) where.push(`intention_grade = ${p(filter.intentionGrade)}`);
    if (filter.owner !== undefined) where.push(`owner_id = ${p(filter.owner)}`);
    const matching = where.length ? where.join(' AND ') : 'true';
    // Counted up to one past the cap, as the case lists are (./case-query.ts).
    const [count] = await this.query<{ total: number }>(
      'count customers',
      `SELECT count(*)::int AS total FROM (SELECT 1 FROM docket.customers WHERE ${matching} LIMIT $${params.length + 1}) x`,
      [...params, TOTAL_CAP + 1],
    );
    const keyset = after ? ` AND (created_at, customer_id) < (${p(after.at)}::timestamptz, ${p(after.key)})` : '';
    const rows = await this.query<CustomerRow & { page_at: string; page_key: string }>(
      'find customers',
      `SELECT ${CUSTOMER_COLUMNS}, ${PAGE_AT('created_at')} AS page_at, customer_id AS page_key FROM docket.customers
        WHERE ${matching}${keyset} ORDER BY created_at DESC, customer_id DESC LIMIT ${p(limit + 1)}`,
      params,
    );
    const counted = count?.total ?? 0;
    return { ...paged(rows, limit, toCustomer), total: Math.min(counted, TOTAL_CAP), totalCapped: counted > TOTAL_CAP };
  }

  /**
   * Sets the value and/or the intention grade (null removes it) and records each change with its
   * reason; a grade set to what it is already records nothing. Undefined when there is no record of that id.
   */
  async changeGrades(
    customerId: string,
    to: { value?: ValueGrade | null; intention?: IntentionGrade | null },
    reason: string,
    by: Actor,
  ): Promise<{ customer: Customer; changes: GradeChange[] } | undefined> {
    return inTransaction(this.pool, 'change customer grades', async (client) => {
      const [before] = await this.query<CustomerRow>(
        'read customer',
        `SELECT ${CUSTOMER_COLUMNS} FROM docket.customers WHERE customer_id = $1 FOR UPDATE`,
        [customerId],
        client,
      );
      if (!before) return undefined;
      const wanted: Array<['value' | 'intention', string | null, string | null | undefined]> = [
        ['value', before.value_grade, to.value],
        ['intention', before.intention_grade, to.intention],
      ];
      for (const [grade, from, next] of wanted) {
        if (next === undefined || next === from) continue;
        await this.query(
          'record grade change',
          `INSERT INTO docket.customer_grade_changes (customer_id, grade, from_grade, to_grade, reason, changed_by, changed_as)
           VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [customerId, grade, from, next, reason, by.userId, by.role],
          client,
        );
      }
      const [row] = await this.query<CustomerRow>(
        'change customer grades',
        `UPDATE docket.customers SET value_grade = CASE WHEN $5 THEN $2 ELSE value_grade END,
                intention_grade = CASE WHEN $6 THEN $3 ELSE intention_grade END, updated_at = now(), updated_by = $4
          WHERE customer_id = $1 RETURNING ${CUSTOMER_COLUMNS}`,
        [customerId, to.value ?? null, to.intention ?? null, by.userId, to.value !== undefined, to.intention !== undefined],
        client,
      );
      return { customer: toCustomer(row!), changes: await this.gradeHistory(customerId, client) };
    });
  }

  /** Every grade change of a customer, newest first. */
  async gradeHistory(customerId: string, on: Pool | PoolClient = this.pool): Promise<GradeChange[]> {
    const rows = await this.query<{
      id: string;
      grade: 'value' | 'intention';
      from_grade: string | null;
      to_grade: string | null;
      reason: string;
      changed_by: string;
      changed_as: string;
      at: Date;
    }>(
      'read grade history',
      `SELECT id, grade, from_grade, to_grade, reason, changed_by, changed_as, at FROM docket.customer_grade_changes
        WHERE customer_id = $1 ORDER BY id DESC`,
      [customerId],
      on,
    );
    return rows.map((r) => ({
      id: String(r.id),
      grade: r.grade,
      from: r.from_grade,
      to: r.to_grade,
      reason: r.reason,
      by: { userId: r.changed_by, role: r.changed_as },
      at: r.at.toISOString(),
    }));
  }

  /** Logs a contact; undefined when there is no record of that id. */
  async addContact(customerId: string, contact: NewContact, by: Actor): Promise<Contact | undefined> {
    const [row] = await this.query<ContactRow>(
      'log contact',
      `INSERT INTO docket.customer_contacts (customer_id, channel, direction, summary, at, by_user, by_role, case_id)
       SELECT customer_id, $2, $3, $4, COALESCE($5::timestamptz, now()), $6, $7, $8 FROM docket.customers WHERE customer_id = $1
       RETURNING *`,
      [customerId, contact.channel, contact.direction, contact.summary, contact.at ?? null, by.userId, by.role, contact.caseId],
    );
    return row && toContact(row);
  }

  /** A customer's contacts logged after the one of id `afterId` (by id, oldest first), at most `limit`. */
  async contactsAfter(customerId: string, afterId: number, limit: number): Promise<Contact[]> {
    const rows = await this.query<ContactRow>(
      'list contacts after',
      `SELECT * FROM docket.customer_contacts WHERE customer_id = $1 AND id > $2 ORDER BY id LIMIT $3`,
      [customerId, afterId, limit],
    );
    return rows.map(toContact);
  }

  /** The id of the newest contact recorded at or before `at` (0 when there is none). */
  async lastContactIdAt(customerId: string, at: string): Promise<number> {
    const [row] = await this.query<{ id: string | null }>(
      'last contact',
      `SELECT max(id) AS id FROM docket.customer_contacts WHERE customer_id = $1 AND recorded_at <= $2::timestamptz`,
      [customerId, at],
    );
    return row?.id === null || row?.id === undefined ? 0 : Number(row.id);
  }

  /** A customer's contacts, newest first, a page at a time. */
  async contacts(customerId: string, limit: number, after?: PageKey): Promise<Page<Contact>> {
    const params: unknown[] = [customerId, limit + 1];
    const keyset = after ? `AND (at, lpad(id::text, 20, '0')) < ($3::timestamptz, $4)` : '';
    if (after) params.push(after.at, after.key);
    const rows = await this.query<ContactRow & { page_at: string; page_key: string }>(
      'list contacts',
      `SELECT *, ${PAGE_AT('at')} AS page_at, lpad(id::text, 20, '0') AS page_key FROM docket.customer_contacts
        WHERE customer_id = $1 ${keyset} ORDER BY at DESC, lpad(id::text, 20, '0') DESC LIMIT $2`,
      params,
    );
    return paged(rows, limit, toContact);
  }

  /** Every transition of the customer's cases and every contact, newest first, a page at a time. */
  async timeline(customerId: string, limit: number, after?: PageKey): Promise<Page<TimelineItem>> {
    const sql = timelineSql(customerId, limit, after);
    const rows = await this.query<{
      kind: 'transition' | 'contact' | 'handover';
      row: Record<string, unknown>;
      page_at: string;
      page_key: string;
    }>('customer timeline', sql.text, sql.params);
    return paged(rows, limit, ({ kind, row, page_at }) => {
      if (kind === 'handover') return { kind, ...toHandoverEntry(row, page_at) };
      // to_jsonb gives timestamps as text: back to Dates, as the row mappers take them.
      const dated = { ...row, at: new Date(row.at as string) };
      if (kind === 'contact')
        return { kind, ...toContact({ ...dated, recorded_at: new Date(row.recorded_at as string) } as unknown as ContactRow) };
      return { kind, ...rowToTransition(dated as unknown as TransitionRow) };
    });
  }

  /**
   * A minimal record (its name is its id) for every customer id an open case names that has none;
   * ids a record may not have are skipped. Returns the ids recorded.
   */
  async importFromCases(by: Actor): Promise<string[]> {
    const rows = await this.query<{ customer_id: string }>(
      'import customers from cases',
      `INSERT INTO docket.customers (customer_id, name, origin, created_by, updated_by)
       SELECT DISTINCT c.customer_id, c.customer_id, 'imported', $1, $1 FROM docket.cases c
        WHERE c.status = 'open' AND c.customer_id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'
       ON CONFLICT (customer_id) DO NOTHING RETURNING customer_id`,
      [by.userId],
    );
    return rows.map((r) => r.customer_id).sort();
  }
}
