/**
 * Users, their roles and their API tokens (`docket.users`, `docket.api_tokens`).
 * Tokens are stored as SHA-256 hashes: a token is 32 random bytes, so a fast hash
 * is enough; the token itself is returned once, when it is issued.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Pool, QueryResultRow } from 'pg';
import { ConflictError, InvalidDataError, mapPgError } from './errors';

export type UserStatus = 'active' | 'disabled';

export interface User {
  userId: string;
  displayName: string;
  email: string | null;
  roles: string[];
  status: UserStatus;
  createdAt: string;
  updatedAt: string;
}

export interface NewUser {
  userId: string;
  displayName: string;
  email?: string | null;
  roles: string[];
}

export interface IssuedToken {
  /** The whole token: shown once, never stored. */
  token: string;
  /** The public part, for listings and revocation. */
  tokenId: string;
  userId: string;
  createdAt: string;
}

export interface TokenInfo {
  tokenId: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

type UserRow = {
  user_id: string;
  display_name: string;
  email: string | null;
  roles: string[];
  status: string;
  created_at: Date;
  updated_at: Date;
};

const USER_COLUMNS = 'user_id, display_name, email, roles, status, created_at, updated_at';
const TOKEN_PATTERN = /^dkt_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The token id of a well-formed token, or undefined. */
export function tokenIdOf(token: string): string | undefined {
  return TOKEN_PATTERN.exec(token)?.[1];
}

function rowToUser(row: UserRow): User {
  return {
    userId: row.user_id,
    displayName: row.display_name,
    email: row.email,
    roles: row.roles,
    status: row.status as UserStatus,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export class PostgresUserStore {
  constructor(private readonly pool: Pool) {}

  private async query<R extends QueryResultRow>(
    what: string,
    sql: string,
    params: unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }> {
    try {
      return await this.pool.query<R>(sql, params);
    } catch (err) {
      throw mapPgError(err, what);
    }
  }

  /** Adds a user; a user id already taken is a `ConflictError`. */
  async addUser(user: NewUser): Promise<User> {
    try {
      const { rows } = await this.pool.query<UserRow>(
        `INSERT INTO docket.users (user_id, display_name, email, roles) VALUES ($1, $2, $3, $4) RETURNING ${USER_COLUMNS}`,
        [user.userId, user.displayName, user.email ?? null, [...new Set(user.roles)]],
      );
      return rowToUser(rows[0]!);
    } catch (err) {
      const mapped = mapPgError(err, 'addUser');
      if (mapped instanceof ConflictError) throw new ConflictError(`user "${user.userId}" already exists`, { code: mapped.code });
      throw mapped;
    }
  }

  async getUser(userId: string): Promise<User | null> {
    const { rows } = await this.query<UserRow>('getUser', `SELECT ${USER_COLUMNS} FROM docket.users WHERE user_id = $1`, [userId]);
    return rows[0] ? rowToUser(rows[0]) : null;
  }

  async listUsers(): Promise<User[]> {
    const { rows } = await this.query<UserRow>('listUsers', `SELECT ${USER_COLUMNS} FROM docket.users ORDER BY user_id`, []);
    return rows.map(rowToUser);
  }

  async countUsers(): Promise<number> {
    const { rows } = await this.query<{ n: string }>('countUsers', 'SELECT count(*) AS n FROM docket.users', []);
    return Number(rows[0]?.n ?? 0);
  }

  /** Sets a user's status; returns the user, or null when there is none. */
  async setStatus(userId: string, status: UserStatus): Promise<User | null> {
    const { rows } = await this.query<UserRow>(
      'setStatus',
      `UPDATE docket.users SET status = $2, updated_at = now() WHERE user_id = $1 RETURNING ${USER_COLUMNS}`,
      [userId, status],
    );
    return rows[0] ? rowToUser(rows[0]) : null;
  }

  /** Issues a new token for a user (earlier tokens stay valid until revoked). */
  async issueToken(userId: string): Promise<IssuedToken> {
    const tokenId = randomBytes(8).toString('hex');
    const token = `dkt_${tokenId}_${randomBytes(32).toString('base64url')}`;
    try {
      const { rows } = await this.pool.query<{ created_at: Date }>(
        'INSERT INTO docket.api_tokens (token_id, user_id, token_hash) VALUES ($1, $2, $3) RETURNING created_at',
        [tokenId, userId, hashToken(token)],
      );
      return { token, tokenId, userId, createdAt: rows[0]!.created_at.toISOString() };
    } catch (err) {
      const mapped = mapPgError(err, 'issueToken');
      if ((mapped as { code?: string }).code === '23503') throw new InvalidDataError(`no user "${userId}"`, { code: '23503' });
      throw mapped;
    }
  }

  async listTokens(userId: string): Promise<TokenInfo[]> {
    const { rows } = await this.query<{ token_id: string; created_at: Date; last_used_at: Date | null; revoked_at: Date | null }>(
      'listTokens',
      'SELECT token_id, created_at, last_used_at, revoked_at FROM docket.api_tokens WHERE user_id = $1 ORDER BY created_at',
      [userId],
    );
    return rows.map((r) => ({
      tokenId: r.token_id,
      createdAt: r.created_at.toISOString(),
      lastUsedAt: r.last_used_at?.toISOString() ?? null,
      revokedAt: r.revoked_at?.toISOString() ?? null,
    }));
  }

  /**
   * The user a token belongs to, whatever their status (the caller decides what a
   * disabled user may do), or null for an unknown, malformed or revoked token.
   */
  async userForToken(token: string): Promise<User | null> {
    const tokenId = tokenIdOf(token);
    if (tokenId === undefined) return null;
    const { rows } = await this.query<UserRow & { token_hash: string }>(
      'userForToken',
      `SELECT ${USER_COLUMNS.split(', ')
        .map((c) => `u.${c}`)
        .join(', ')}, t.token_hash
         FROM docket.api_tokens t JOIN docket.users u USING (user_id)
        WHERE t.token_id = $1 AND t.revoked_at IS NULL`,
      [tokenId],
    );
    const row = rows[0];
    if (!row) return null;
    const expected = Buffer.from(row.token_hash, 'hex');
    const actual = Buffer.from(hashToken(token), 'hex');
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return null;
    void this.pool.query('UPDATE docket.api_tokens SET last_used_at = now() WHERE token_id = $1', [tokenId]).catch(() => undefined);
    return rowToUser(row);
  }
}
