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
  /** Who issued it (null: created at first start). */
  issuedBy: string | null;
  expiresAt: string | null;
}

export type TokenStatus = 'active' | 'expired' | 'revoked';

/** A token as listed: never its secret. */
export interface TokenInfo {
  tokenId: string;
  userId: string;
  createdAt: string;
  issuedBy: string | null;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
  status: TokenStatus;
}

export interface IssueTokenOptions {
  /** The admin issuing it (recorded with the token). */
  issuedBy?: string | null;
  /** When it stops being accepted; none: until revoked. */
  expiresAt?: Date | null;
}

/** What a presented token turned out to be: a user's live token, or one that has expired or been revoked. */
export type TokenMatch =
  | { status: 'active'; user: User; tokenId: string }
  | { status: 'expired'; user: User; tokenId: string; expiresAt: string }
  | { status: 'revoked'; user: User; tokenId: string; revokedAt: string };

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
const TOKEN_COLUMNS = 'token_id, user_id, created_at, issued_by, expires_at, last_used_at, revoked_at, revoked_by';

type TokenRow = {
  token_id: string;
  user_id: string;
  created_at: Date;
  issued_by: string | null;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
  revoked_by: string | null;
};

/** How often at most the last-used time of one token is written. */
const LAST_USED_EVERY_MS = 60_000;
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

function rowToToken(row: TokenRow, now = Date.now()): TokenInfo {
  const status: TokenStatus = row.revoked_at ? 'revoked' : row.expires_at && row.expires_at.getTime() <= now ? 'expired' : 'active';
  return {
    tokenId: row.token_id,
    userId: row.user_id,
    createdAt: row.created_at.toISOString(),
    issuedBy: row.issued_by,
    expiresAt: row.expires_at?.toISOString() ?? null,
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
    revokedBy: row.revoked_by,
    status,
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

  /** Issues a new token for a user (earlier tokens stay valid until revoked or expired). */
  async issueToken(userId: string, options: IssueTokenOptions = {}): Promise<IssuedToken> {
    const tokenId = randomBytes(8).toString('hex');
    const token = `dkt_${tokenId}_${randomBytes(32).toString('base64url')}`;
    try {
      const { rows } = await this.pool.query<{ created_at: Date; expires_at: Date | null }>(
        `INSERT INTO docket.api_tokens (token_id, user_id, token_hash, issued_by, expires_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING created_at, expires_at`,
        [tokenId, userId, hashToken(token), options.issuedBy ?? null, options.expiresAt ?? null],
      );
      const row = rows[0]!;
      return {
        token,
        tokenId,
        userId,
        createdAt: row.created_at.toISOString(),
        issuedBy: options.issuedBy ?? null,
        expiresAt: row.expires_at?.toISOString() ?? null,
      };
    } catch (err) {
      const mapped = mapPgError(err, 'issueToken');
      if ((mapped as { code?: string }).code === '23503') throw new InvalidDataError(`no user "${userId}"`, { code: '23503' });
      throw mapped;
    }
  }

  /** A user's tokens, oldest first, without their secrets. */
  async listTokens(userId: string): Promise<TokenInfo[]> {
    const { rows } = await this.query<TokenRow>(
      'listTokens',
      `SELECT ${TOKEN_COLUMNS} FROM docket.api_tokens WHERE user_id = $1 ORDER BY created_at, token_id`,
      [userId],
    );
    const now = Date.now();
    return rows.map((r) => rowToToken(r, now));
  }

  /** One token of a user, or null when the user has no token of that id. */
  async getToken(userId: string, tokenId: string): Promise<TokenInfo | null> {
    const { rows } = await this.query<TokenRow>(
      'getToken',
      `SELECT ${TOKEN_COLUMNS} FROM docket.api_tokens WHERE user_id = $1 AND token_id = $2`,
      [userId, tokenId],
    );
    return rows[0] ? rowToToken(rows[0]) : null;
  }

  /**
   * Revokes one token of a user; from then on it is refused. Returns the token, and whether
   * this call revoked it (false: it was revoked before), or null when the user has no such token.
   */
  async revokeToken(userId: string, tokenId: string, revokedBy: string): Promise<{ token: TokenInfo; revoked: boolean } | null> {
    const { rows } = await this.query<TokenRow>(
      'revokeToken',
      `UPDATE docket.api_tokens SET revoked_at = now(), revoked_by = $3
        WHERE user_id = $1 AND token_id = $2 AND revoked_at IS NULL RETURNING ${TOKEN_COLUMNS}`,
      [userId, tokenId, revokedBy],
    );
    if (rows[0]) return { token: rowToToken(rows[0]), revoked: true };
    const existing = await this.getToken(userId, tokenId);
    return existing && { token: existing, revoked: false };
  }

  /**
   * What a presented token is: the user's live token, an expired or revoked one (the secret
   * matched, so saying which is safe), or null for an unknown or malformed token. Records
   * the time of use of a live token, at most once a minute per token.
   */
  async findToken(token: string): Promise<TokenMatch | null> {
    const tokenId = tokenIdOf(token);
    if (tokenId === undefined) return null;
    const { rows } = await this.query<
      UserRow & { token_hash: string; expires_at: Date | null; revoked_at: Date | null; last_used_at: Date | null }
    >(
      'findToken',
      `SELECT ${USER_COLUMNS.split(', ')
        .map((c) => `u.${c}`)
        .join(', ')}, t.token_hash, t.expires_at, t.revoked_at, t.last_used_at
         FROM docket.api_tokens t JOIN docket.users u USING (user_id)
        WHERE t.token_id = $1`,
      [tokenId],
    );
    const row = rows[0];
    if (!row) return null;
    const expected = Buffer.from(row.token_hash, 'hex');
    const actual = Buffer.from(hashToken(token), 'hex');
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return null;
    const user = rowToUser(row);
    if (row.revoked_at) return { status: 'revoked', user, tokenId, revokedAt: row.revoked_at.toISOString() };
    const now = Date.now();
    if (row.expires_at && row.expires_at.getTime() <= now) {
      return { status: 'expired', user, tokenId, expiresAt: row.expires_at.toISOString() };
    }
    if (!row.last_used_at || now - row.last_used_at.getTime() >= LAST_USED_EVERY_MS) {
      // Several API processes may race here: the condition keeps it to one write a minute.
      void this.pool
        .query(
          `UPDATE docket.api_tokens SET last_used_at = now()
            WHERE token_id = $1 AND (last_used_at IS NULL OR last_used_at <= now() - make_interval(secs => $2))`,
          [tokenId, LAST_USED_EVERY_MS / 1000],
        )
        .catch(() => undefined);
    }
    return { status: 'active', user, tokenId };
  }

  /**
   * The user a live token belongs to, whatever their status (the caller decides what a
   * disabled user may do), or null for an unknown, malformed, revoked or expired token.
   */
  async userForToken(token: string): Promise<User | null> {
    const match = await this.findToken(token);
    return match?.status === 'active' ? match.user : null;
  }
}
