/**
 * The security log (`docket.security_log`), kept apart from cases, append-only: refused
 * attempts, and what admins did to users and tokens (`UserAdded`, `TokenIssued`,
 * `TokenRevoked`, `UserDisabled`, `UserEnabled`) with the acting admin in `userId` and
 * the user acted on in `targetUser`.
 */
import type { Pool } from 'pg';
import { mapPgError } from './errors';

export interface SecurityEvent {
  code: string;
  message: string;
  userId?: string | null;
  role?: string | null;
  method?: string | null;
  path?: string | null;
  caseId?: string | null;
  event?: string | null;
  remoteIp?: string | null;
  /** The user an admin acted on. */
  targetUser?: string | null;
  /** The token issued, revoked or presented. */
  tokenId?: string | null;
  /** How many refusals a summary row stands for (`AuthFailuresAggregated`). */
  count?: number | null;
}

export interface SecurityLogEntry extends SecurityEvent {
  id: string;
  at: string;
}

/** Values are stored as given but cut to a sane length: a hostile request must not fill the log. */
const cut = (v: string | null | undefined, max = 500): string | null =>
  v === undefined || v === null ? null : v.replace(/\u0000/g, '').slice(0, max);

export class PostgresSecurityLog {
  constructor(private readonly pool: Pool) {}

  async record(e: SecurityEvent): Promise<void> {
    try {
      await this.pool.query(
        `INSERT INTO docket.security_log (code, message, user_id, role, method, path, case_id, event, remote_ip, target_user, token_id, count)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [
          cut(e.code, 100),
          cut(e.message, 2000),
          cut(e.userId),
          cut(e.role),
          cut(e.method, 10),
          cut(e.path, 1000),
          cut(e.caseId),
          cut(e.event),
          cut(e.remoteIp, 100),
          cut(e.targetUser),
          cut(e.tokenId, 100),
          e.count ?? null,
        ],
      );
    } catch (err) {
      throw mapPgError(err, 'security log');
    }
  }

  /**
   * Newest first; `userId` matches the user who acted and the user acted on. `beforeId`: only rows
   * older than that row (the next page of a list by id, which the primary key answers).
   */
  async list(
    filter: { userId?: string; caseId?: string; code?: string; limit?: number; beforeId?: number } = {},
  ): Promise<SecurityLogEntry[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.userId !== undefined) {
      const p = `$${params.push(filter.userId)}`;
      where.push(`(user_id = ${p} OR target_user = ${p})`);
    }
    if (filter.code !== undefined) where.push(`code = $${params.push(filter.code)}`);
    if (filter.caseId !== undefined) where.push(`case_id = $${params.push(filter.caseId)}`);
    if (filter.beforeId !== undefined) where.push(`id < $${params.push(filter.beforeId)}`);
    const limit = `$${params.push(filter.limit ?? 100)}`;
    const { rows } = await this.pool.query<{
      id: string;
      at: Date;
      code: string;
      message: string;
      user_id: string | null;
      role: string | null;
      method: string | null;
      path: string | null;
      case_id: string | null;
      event: string | null;
      remote_ip: string | null;
      target_user: string | null;
      token_id: string | null;
      count: number | null;
    }>(
      `SELECT id, at, code, message, user_id, role, method, path, case_id, event, remote_ip, target_user, token_id, count FROM docket.security_log
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ${limit}`,
      params,
    );
    return rows.map((r) => ({
      id: String(r.id),
      at: r.at.toISOString(),
      code: r.code,
      message: r.message,
      userId: r.user_id,
      role: r.role,
      method: r.method,
      path: r.path,
      caseId: r.case_id,
      event: r.event,
      remoteIp: r.remote_ip,
      targetUser: r.target_user,
      tokenId: r.token_id,
      count: r.count,
    }));
  }
}
