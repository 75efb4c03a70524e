/**
 * Handovers of customers from one sales rep to another (migration 017): the record of who asked, when,
 * from whom to whom and which customers, and per customer what moved with it. The owners change in the
 * same transaction as the record is written; the customers' cases are told afterwards, and each item
 * says whether that is done.
 */
import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { mapPgError } from './errors';
import { inTransaction } from './transaction';

export interface Handover {
  handoverId: string;
  from: string;
  to: string;
  /** The customers it moved. */
  customers: string[];
  /** The customer ids asked for; null: all of the leaving rep's. */
  requested: string[] | null;
  reason: string | null;
  by: { userId: string; role: string };
  at: string;
}

export interface HandoverItem {
  handoverId: string;
  customerId: string;
  previousOwner: string | null;
  status: 'pending' | 'done';
  /** What moved with the customer (see client/handovers.ts). */
  moved: unknown[];
}

interface HandoverRow {
  id: string;
  from_user: string;
  to_user: string;
  customers: string[];
  requested: string[] | null;
  reason: string | null;
  by_user: string;
  by_role: string;
  at: Date;
}

interface ItemRow {
  handover_id: string;
  customer_id: string;
  previous_owner: string | null;
  status: 'pending' | 'done';
  moved: unknown[];
}

const toHandover = (r: HandoverRow): Handover => ({
  handoverId: String(r.id),
  from: r.from_user,
  to: r.to_user,
  customers: r.customers,
  requested: r.requested,
  reason: r.reason,
  by: { userId: r.by_user, role: r.by_role },
  at: r.at.toISOString(),
});

const toItem = (r: ItemRow): HandoverItem => ({
  handoverId: String(r.handover_id),
  customerId: r.customer_id,
  previousOwner: r.previous_owner,
  status: r.status,
  moved: r.moved,
});

/** The key a request's Idempotency-Key is kept under: who asked and the key, hashed. */
export const handoverRequestKey = (userId: string, key: string): string =>
  createHash('sha256').update(`${userId}\u0000${key}`).digest('hex');

export class PostgresHandoverStore {
  constructor(private readonly pool: Pool) {}

  private async query<R extends object>(what: string, sql: string, params: unknown[]): Promise<R[]> {
    try {
      return (await this.pool.query<R & Record<string, unknown>>(sql, params)).rows;
    } catch (err) {
      throw mapPgError(err, what);
    }
  }

  /**
   * Records a handover of the customers `from` owns among `requested` (all of theirs when null) and
   * makes `to` their owner, in one transaction. Undefined (and nothing recorded) when `from` owns none
   * of them. With a request key already used, the handover recorded under it is answered instead.
   */
  async record(h: {
    from: string;
    to: string;
    requested: string[] | null;
    reason: string | null;
    by: { userId: string; role: string };
    requestKey: string | null;
  }): Promise<{ handover: Handover; items: HandoverItem[]; replayed: boolean } | undefined> {
    return inTransaction(this.pool, 'record handover', async (client) => {
      if (h.requestKey !== null) {
        // Serialises two requests with one key: the second waits, then finds the first's record.
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [h.requestKey]);
        const earlier = await this.byRequestKey(h.requestKey, client);
        if (earlier) return { ...earlier, replayed: true };
      }
      const owned = await client.query<{ customer_id: string; owner_id: string }>(
        `SELECT customer_id, owner_id FROM docket.customers
          WHERE owner_id = $1 AND ($2::text[] IS NULL OR customer_id = ANY($2::text[]))
          ORDER BY customer_id FOR UPDATE`,
        [h.from, h.requested],
      );
      if (owned.rows.length === 0) return undefined;
      const customers = owned.rows.map((r) => r.customer_id);
      const [row] = (
        await client.query<HandoverRow>(
          `INSERT INTO docket.customer_handovers (from_user, to_user, customers, requested, reason, request_key, by_user, by_role)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
          [h.from, h.to, customers, h.requested, h.reason, h.requestKey, h.by.userId, h.by.role],
        )
      ).rows;
      const items = (
        await client.query<ItemRow>(
          `INSERT INTO docket.customer_handover_items (handover_id, customer_id, previous_owner)
           SELECT $1, unnest($2::text[]), $3 RETURNING *`,
          [row!.id, customers, h.from],
        )
      ).rows;
      await client.query(
        `UPDATE docket.customers SET owner_id = $2, updated_at = now(), updated_by = $3 WHERE customer_id = ANY($1::text[])`,
        [customers, h.to, h.by.userId],
      );
      return { handover: toHandover(row!), items: items.map(toItem), replayed: false };
    });
  }

  private async byRequestKey(
    requestKey: string,
    on: { query: Pool['query'] },
  ): Promise<{ handover: Handover; items: HandoverItem[] } | undefined> {
    const [row] = (await on.query<HandoverRow>('SELECT * FROM docket.customer_handovers WHERE request_key = $1', [requestKey])).rows;
    if (!row) return undefined;
    const items = (
      await on.query<ItemRow>('SELECT * FROM docket.customer_handover_items WHERE handover_id = $1 ORDER BY customer_id', [row.id])
    ).rows;
    return { handover: toHandover(row), items: items.map(toItem) };
  }

  /** The handover recorded under a request key, if any. */
  async findByRequestKey(requestKey: string): Promise<{ handover: Handover; items: HandoverItem[] } | undefined> {
    try {
      return await this.byRequestKey(requestKey, this.pool);
    } catch (err) {
      throw mapPgError(err, 'read handover');
    }
  }

  /** The items whose cases are still to be told, oldest first; `between` narrows to handovers from one rep to another. */
  async pending(between?: { from: string; to: string }): Promise<Array<HandoverItem & { from: string; to: string; by: Handover['by'] }>> {
    const rows = await this.query<ItemRow & { from_user: string; to_user: string; by_user: string; by_role: string }>(
      'pending handovers',
      `SELECT i.*, h.from_user, h.to_user, h.by_user, h.by_role FROM docket.customer_handover_items i
         JOIN docket.customer_handovers h ON h.id = i.handover_id
        WHERE i.status = 'pending' AND ($1::text IS NULL OR (h.from_user = $1 AND h.to_user = $2))
        ORDER BY i.handover_id, i.customer_id`,
      [between?.from ?? null, between?.to ?? null],
    );
    return rows.map((r) => ({ ...toItem(r), from: r.from_user, to: r.to_user, by: { userId: r.by_user, role: r.by_role } }));
  }

  /** Marks an item done with what moved (a second call keeps the first's). */
  async finish(handoverId: string, customerId: string, moved: unknown[]): Promise<HandoverItem | undefined> {
    await this.query(
      'finish handover item',
      `UPDATE docket.customer_handover_items SET status = 'done', moved = $3::jsonb, done_at = now()
        WHERE handover_id = $1 AND customer_id = $2 AND status = 'pending'`,
      [handoverId, customerId, JSON.stringify(moved)],
    );
    const [row] = await this.query<ItemRow>(
      'read handover item',
      'SELECT * FROM docket.customer_handover_items WHERE handover_id = $1 AND customer_id = $2',
      [handoverId, customerId],
    );
    return row && toItem(row);
  }
}
