/** The security log (`docket.security_log`): refused attempts, kept apart from cases. Append-only. */
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
        `INSERT INTO docket.security_log (code, message, user_id, role, method, path, case_id, event, remote_ip)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
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
        ],
      );
    } catch (err) {
      throw mapPgError(err, 'security log');
    }
  }

  async list(filter: { userId?: string; caseId?: string; limit?: number } = {}): Promise<SecurityLogEntry[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.userId !== undefined) where.push(`user_id = $${params.push(filter.userId)}`);
    if (filter.caseId !== undefined) where.push(`case_id = $${params.push(filter.caseId)}`);
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
    }>(
      `SELECT id, at, code, message, user_id, role, method, path, case_id, event, remote_ip FROM docket.security_log
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
    }));
  }
}
