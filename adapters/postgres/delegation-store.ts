/**
 * Out-of-office delegations (`docket.delegations`, migration 011): a user names a delegate for a
 * period `[startsAt, endsAt)`; while it runs, the delegate acts on the user's tasks on their behalf
 * and receives their notifications. Rows are never removed: a revoked delegation keeps its row.
 */
import { randomUUID } from 'node:crypto';
import type { Pool, QueryResultRow } from 'pg';
import { mapPgError } from './errors';
import { inTransaction } from './transaction';

export type DelegationStatus = 'scheduled' | 'active' | 'ended' | 'revoked';

export interface Delegation {
  id: string;
  userId: string;
  delegateId: string;
  startsAt: string;
  endsAt: string;
  createdAt: string;
  revokedAt: string | null;
  revokedBy: string | null;
  /** As of the moment it was read. */
  status: DelegationStatus;
}

/** The outcome of naming a delegate: the delegation, or the user's delegation whose period overlaps. */
export type DelegationAdded = { added: Delegation } | { overlapping: Delegation };

interface DelegationRow {
  id: string;
  user_id: string;
  delegate_id: string;
  starts_at: Date;
  ends_at: Date;
  created_at: Date;
  revoked_at: Date | null;
  revoked_by: string | null;
  now: Date;
}

const COLUMNS = 'id, user_id, delegate_id, starts_at, ends_at, created_at, revoked_at, revoked_by, now() AS now';

/** In force at `at` (a bound parameter): started, not ended, not revoked. */
const IN_FORCE = (at: string) => `revoked_at IS NULL AND starts_at <= ${at} AND ends_at > ${at}`;

function toDelegation(r: DelegationRow): Delegation {
  const now = r.now.getTime();
  const status: DelegationStatus =
    r.revoked_at !== null ? 'revoked' : r.ends_at.getTime() <= now ? 'ended' : r.starts_at.getTime() > now ? 'scheduled' : 'active';
  return {
    id: r.id,
    userId: r.user_id,
    delegateId: r.delegate_id,
    startsAt: r.starts_at.toISOString(),
    endsAt: r.ends_at.toISOString(),
    createdAt: r.created_at.toISOString(),
    revokedAt: r.revoked_at?.toISOString() ?? null,
    revokedBy: r.revoked_by,
    status,
  };
}

export class PostgresDelegationStore {
  constructor(private readonly pool: Pool) {}

  private async query<R extends QueryResultRow>(what: string, sql: string, params: unknown[]): Promise<R[]> {
    try {
      return (await this.pool.query<R>(sql, params)).rows;
    } catch (err) {
      throw mapPgError(err, `delegations: ${what}`);
    }
  }

  /** The user's delegations, the latest period first (revoked and ended ones too). */
  async list(userId: string): Promise<Delegation[]> {
    const rows = await this.query<DelegationRow>(
      'listing',
      `SELECT ${COLUMNS} FROM docket.delegations WHERE user_id = $1 ORDER BY starts_at DESC, created_at DESC`,
      [userId],
    );
    return rows.map(toDelegation);
  }

  /**
   * Names `delegateId` for `userId` over `[startsAt, endsAt)`, unless a delegation of the user not
   * revoked and not yet over overlaps it. Under a per-user lock, so two requests (in any processes)
   * cannot both pass the check.
   */
  async add(userId: string, delegateId: string, startsAt: Date, endsAt: Date): Promise<DelegationAdded> {
    return inTransaction(this.pool, 'delegations: adding', async (client) => {
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('docket.delegations'), hashtext($1))`, [userId]);
      const clash = await client.query<DelegationRow>(
        `SELECT ${COLUMNS} FROM docket.delegations
          WHERE user_id = $1 AND revoked_at IS NULL AND starts_at < $3 AND ends_at > $2
          ORDER BY starts_at LIMIT 1`,
        [userId, startsAt, endsAt],
      );
      if (clash.rows[0]) return { overlapping: toDelegation(clash.rows[0]) };
      const { rows } = await client.query<DelegationRow>(
        `INSERT INTO docket.delegations (id, user_id, delegate_id, starts_at, ends_at) VALUES ($1, $2, $3, $4, $5)
         RETURNING ${COLUMNS}`,
        [randomUUID(), userId, delegateId, startsAt, endsAt],
      );
      return { added: toDelegation(rows[0]!) };
    });
  }

  /**
   * Revokes one of the user's own delegations; undefined when the user has none of that id (another
   * user's is not theirs to see). Revoking one already revoked changes nothing and returns it.
   */
  async revoke(userId: string, id: string, revokedBy: string): Promise<{ delegation: Delegation; revoked: boolean } | undefined> {
    if (!/^[0-9a-f-]{36}$/.test(id)) return undefined;
    const updated = await this.query<DelegationRow>(
      'revoking',
      `UPDATE docket.delegations SET revoked_at = now(), revoked_by = $3
        WHERE id = $2 AND user_id = $1 AND revoked_at IS NULL RETURNING ${COLUMNS}`,
      [userId, id, revokedBy],
    );
    if (updated[0]) return { delegation: toDelegation(updated[0]), revoked: true };
    const existing = await this.query<DelegationRow>(
      'reading',
      `SELECT ${COLUMNS} FROM docket.delegations WHERE id = $2 AND user_id = $1`,
      [userId, id],
    );
    return existing[0] && { delegation: toDelegation(existing[0]), revoked: false };
  }

  /** The users who have named `delegateId` their delegate for the instant `at` (now by default). */
  async delegatorsOf(delegateId: string, at?: Date): Promise<string[]> {
    const rows = await this.query<{ user_id: string }>(
      'reading delegators',
      `SELECT DISTINCT user_id FROM docket.delegations WHERE delegate_id = $1 AND ${IN_FORCE('coalesce($2::timestamptz, now())')}
        ORDER BY user_id`,
      [delegateId, at ?? null],
    );
    return rows.map((r) => r.user_id);
  }

  /** For each of `userIds` with a delegation in force at `at`: its delegate. */
  async delegatesOf(userIds: string[], at: Date): Promise<Map<string, string>> {
    if (userIds.length === 0) return new Map();
    const rows = await this.query<{ user_id: string; delegate_id: string }>(
      'reading delegates',
      `SELECT user_id, delegate_id FROM docket.delegations WHERE user_id = ANY($1::text[]) AND ${IN_FORCE('$2')}`,
      [userIds, at],
    );
    return new Map(rows.map((r) => [r.user_id, r.delegate_id]));
  }
}
