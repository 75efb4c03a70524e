/**
 * Notifications in PostgreSQL (migration 009): the in-app notification centre and
 * users' preferences (`PostgresNotificationStore`, the API's side), and the outbox
 * as a queue that worker processes drain (`PostgresOutboxQueue`, the worker's side).
 */
import { randomUUID } from 'node:crypto';
import type { Pool, QueryResultRow } from 'pg';
import type { Notification } from '../../engine/types';
import { PostgresDelegationStore } from './delegation-store';
import { InvalidDataError, mapPgError } from './errors';

export interface InAppNotification {
  id: string;
  caseId: string;
  processId: string;
  kind: string;
  template: string;
  subject: { en: string; 'zh-CN': string };
  state: string | null;
  createdAt: string;
  readAt: string | null;
  /** Received as an out-of-office delegate: the user the notification was for. */
  forUserId: string | null;
}

export interface NotificationPage {
  items: InAppNotification[];
  /** Every notification of the user, read or not. */
  total: number;
  unread: number;
  /** Pass as `cursor` for the next (older) page; absent on the last page. */
  nextCursor?: string;
}

export interface NotificationPreferences {
  /** In-app notifications are always on. */
  inApp: true;
  mail: boolean;
}

export type OutboxStatus = 'pending' | 'sent' | 'failed';

export interface OutboxEntry {
  id: string;
  caseId: string;
  processId: string;
  kind: string;
  template: string;
  status: OutboxStatus;
  attempts: number;
  deliveredChannels: string[];
  lastError: string | null;
  nextAttemptAt: string | null;
  sentAt: string | null;
  createdAt: string;
}

export interface OutboxPage {
  rows: OutboxEntry[];
  total: number;
  nextCursor?: string;
}

export interface OutboxFilter {
  status?: OutboxStatus;
  processId?: string;
  caseId?: string;
  cursor?: string;
  limit: number;
}

/** An outbox row claimed for delivery: the lease is held until `claimToken` is used or expires. */
export interface ClaimedNotification extends Notification {
  attempts: number;
  deliveredChannels: string[];
  claimToken: string;
}

export interface Addressee {
  userId: string;
  email: string | null;
  /** The user's mail preference (true without a stored preference). */
  mail: boolean;
  /** Addressed as the delegate of this user (named in the notification), whose delegation was in force when it was raised. */
  forUserId?: string;
}

const iso = (value: Date | string | null): string | null => (value === null ? null : new Date(value).toISOString());

async function run<R extends QueryResultRow>(
  pool: Pool,
  what: string,
  sql: string,
  params: unknown[],
): Promise<{ rows: R[]; rowCount: number | null }> {
  try {
    return await pool.query<R>(sql, params);
  } catch (err) {
    throw mapPgError(err, what);
  }
}

/** A keyset cursor: the last row's sort key, opaque to clients. */
function encodeCursor(key: unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

function decodeCursor(cursor: string, length: number): string[] {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === length && key.every((k) => typeof k === 'string')) return key;
  } catch {
    // reported below
  }
  throw new InvalidDataError(
    `cursor ${JSON.stringify(cursor.slice(0, 80))} is not one this listing gave: pass the nextCursor of the previous page`,
  );
}

interface NotificationRow {
  id: string;
  case_id: string;
  process_id: string;
  kind: string;
  template: string;
  subject: { en: string; 'zh-CN': string };
  state: string | null;
  created_at: Date;
  read_at: Date | null;
  for_user_id: string | null;
}

function toNotification(row: NotificationRow): InAppNotification {
  return {
    id: String(row.id),
    caseId: row.case_id,
    processId: row.process_id,
    kind: row.kind,
    template: row.template,
    subject: row.subject,
    state: row.state,
    createdAt: iso(row.created_at)!,
    readAt: iso(row.read_at),
    forUserId: row.for_user_id,
  };
}

const NOTIFICATION_COLUMNS = 'id, case_id, process_id, kind, template, subject, state, created_at, read_at, for_user_id';

interface OutboxRow {
  id: string;
  case_id: string;
  process_id: string;
  kind: string;
  template: string;
  status: OutboxStatus;
  attempts: number;
  delivered_channels: string[];
  last_error: string | null;
  next_attempt_at: Date | null;
  sent_at: Date | null;
  created_at: Date;
}

function toOutboxEntry(row: OutboxRow): OutboxEntry {
  return {
    id: row.id,
    caseId: row.case_id,
    processId: row.process_id,
    kind: row.kind,
    template: row.template,
    status: row.status,
    attempts: row.attempts,
    deliveredChannels: row.delivered_channels,
    lastError: row.last_error,
    nextAttemptAt: row.status === 'pending' ? iso(row.next_attempt_at) : null,
    sentAt: iso(row.sent_at),
    createdAt: iso(row.created_at)!,
  };
}

/** The API's side: a user's own notifications and preferences; the outbox for admins. */
export class PostgresNotificationStore {
  constructor(private readonly pool: Pool) {}

  /** The user's notifications, newest first, `limit` a page; `unreadOnly` leaves out those read. */
  async list(userId: string, opts: { unreadOnly?: boolean; cursor?: string; limit: number }): Promise<NotificationPage> {
    const params: unknown[] = [userId, opts.limit + 1];
    const where = ['user_id = $1'];
    if (opts.unreadOnly === true) where.push('read_at IS NULL');
    if (opts.cursor !== undefined) {
      const [before] = decodeCursor(opts.cursor, 1);
      params.push(before);
      where.push(`id < $${params.length}::bigint`);
    }
    const { rows } = await run<NotificationRow>(
      this.pool,
      'notifications: listing',
      `SELECT ${NOTIFICATION_COLUMNS}
         FROM docket.notifications WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT $2`,
      params,
    );
    const counts = await run<{ total: string; unread: string }>(
      this.pool,
      'notifications: counting',
      `SELECT count(*) AS total, count(*) FILTER (WHERE read_at IS NULL) AS unread FROM docket.notifications WHERE user_id = $1`,
      [userId],
    );
    const page = rows.slice(0, opts.limit).map(toNotification);
    const last = page[page.length - 1];
    return {
      items: page,
      total: Number(counts.rows[0]?.total ?? 0),
      unread: Number(counts.rows[0]?.unread ?? 0),
      ...(rows.length > opts.limit && last !== undefined && { nextCursor: encodeCursor([last.id]) }),
    };
  }

  /** Marks one of the user's notifications read; undefined when the user has no notification of that id. */
  async markRead(userId: string, id: string): Promise<InAppNotification | undefined> {
    if (!/^[1-9][0-9]{0,17}$/.test(id)) return undefined;
    const { rows } = await run<NotificationRow>(
      this.pool,
      `notifications: marking ${id} read`,
      `UPDATE docket.notifications SET read_at = COALESCE(read_at, now())
        WHERE id = $2::bigint AND user_id = $1
        RETURNING ${NOTIFICATION_COLUMNS}`,
      [userId, id],
    );
    return rows[0] && toNotification(rows[0]);
  }

  /** Marks every unread notification of the user read; returns how many were. */
  async markAllRead(userId: string): Promise<number> {
    const { rowCount } = await run(
      this.pool,
      'notifications: marking all read',
      'UPDATE docket.notifications SET read_at = now() WHERE user_id = $1 AND read_at IS NULL',
      [userId],
    );
    return rowCount ?? 0;
  }

  async preferences(userId: string): Promise<NotificationPreferences> {
    const { rows } = await run<{ mail: boolean }>(
      this.pool,
      'notifications: reading preferences',
      'SELECT mail FROM docket.notification_preferences WHERE user_id = $1',
      [userId],
    );
    return { inApp: true, mail: rows[0]?.mail ?? true };
  }

  async setPreferences(userId: string, prefs: { mail: boolean }): Promise<NotificationPreferences> {
    await run(
      this.pool,
      'notifications: storing preferences',
      `INSERT INTO docket.notification_preferences (user_id, mail) VALUES ($1, $2)
       ON CONFLICT (user_id) DO UPDATE SET mail = EXCLUDED.mail, updated_at = now()`,
      [userId, prefs.mail],
    );
    return { inApp: true, mail: prefs.mail };
  }

  /** Outbox rows, newest first, with their delivery status (admins). */
  async listOutbox(filter: OutboxFilter): Promise<OutboxPage> {
    const params: unknown[] = [];
    const where: string[] = [];
    const add = (sql: string, value: unknown): void => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.status !== undefined) add('status = ?', filter.status);
    if (filter.processId !== undefined) add('process_id = ?', filter.processId);
    if (filter.caseId !== undefined) add('case_id = ?', filter.caseId);
    const filtered = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const counted = await run<{ total: string }>(
      this.pool,
      'outbox: counting',
      `SELECT count(*) AS total FROM docket.notification_outbox ${filtered}`,
      params,
    );
    if (filter.cursor !== undefined) {
      const [createdAt, id] = decodeCursor(filter.cursor, 2);
      params.push(createdAt, id);
      where.push(`(created_at, id) < ($${params.length - 1}::timestamptz, $${params.length})`);
    }
    params.push(filter.limit + 1);
    const { rows } = await run<OutboxRow>(
      this.pool,
      'outbox: listing',
      `SELECT id, case_id, process_id, kind, template, status, attempts, delivered_channels, last_error,
              next_attempt_at, sent_at, created_at
         FROM docket.notification_outbox ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, filter.limit);
    const last = page[page.length - 1];
    return {
      rows: page.map(toOutboxEntry),
      total: Number(counted.rows[0]?.total ?? 0),
      ...(rows.length > filter.limit && last !== undefined && { nextCursor: encodeCursor([iso(last.created_at), last.id]) }),
    };
  }
}

/** A claimed row as the query returns it (columns named as the notification's fields). */
type ClaimRow = Omit<ClaimedNotification, 'createdAt' | 'claimToken'> & { createdAt: Date };

/** The worker's side: claims due outbox rows, records the outcome, writes in-app rows. */
export class PostgresOutboxQueue {
  constructor(private readonly pool: Pool) {}

  /**
   * Claims up to `limit` due pending rows for `leaseMs`: the rows are locked with SKIP LOCKED while
   * their lease is written, so concurrent claimers (in other processes) take different rows, and a
   * claimed row is not due again until the lease ends (a claimer that died leaves it to another).
   */
  async claim(limit: number, leaseMs: number): Promise<ClaimedNotification[]> {
    const claimToken = randomUUID();
    const { rows } = await run<ClaimRow>(
      this.pool,
      'outbox: claiming',
      `UPDATE docket.notification_outbox o
          SET claim_token = $1, next_attempt_at = now() + make_interval(secs => $2::double precision / 1000)
        WHERE o.id IN (SELECT id FROM docket.notification_outbox
                        WHERE status = 'pending' AND next_attempt_at <= now()
                        ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
        RETURNING o.id, o.case_id AS "caseId", o.process_id AS "processId", o.kind, o.recipients AS "to", o.template,
                  o.subject, o.data, o.created_at AS "createdAt", o.attempts, o.delivered_channels AS "deliveredChannels"`,
      [claimToken, leaseMs, limit],
    );
    return rows.map((r) => ({ ...r, createdAt: iso(r.createdAt)!, claimToken }));
  }

  /**
   * Records one attempt of a claimed row: the channels delivered so far, and either `sent`, or
   * pending again at `retryAt`, or `failed` for good. False when the lease was lost meanwhile
   * (another claimer owns the row now): nothing is written.
   */
  async record(
    row: ClaimedNotification,
    outcome: { delivered: string[]; status: OutboxStatus; error: string | null; retryAt?: Date },
  ): Promise<boolean> {
    const { rowCount } = await run(
      this.pool,
      `outbox: recording the delivery of ${row.id}`,
      `UPDATE docket.notification_outbox
          SET status = $3, attempts = attempts + 1, delivered_channels = $4, last_error = $5,
              next_attempt_at = COALESCE($6, next_attempt_at), claim_token = NULL, updated_at = now(),
              sent_at = CASE WHEN $3 = 'sent' THEN now() ELSE sent_at END
        WHERE id = $1 AND claim_token = $2`,
      [row.id, row.claimToken, outcome.status, outcome.delivered, outcome.error, outcome.retryAt ?? null],
    );
    return rowCount === 1;
  }

  /**
   * The addressees of a notification: the users named, and the active users holding a role named
   * without a user (a recipient `{role, user}` whose user field is empty falls back to the role);
   * and the delegate of each user named whose delegation was in force at `raisedAt` (marked as for
   * that user), unless the delegate is an addressee already.
   */
  async addressees(to: Array<{ role?: string; userId?: string }>, raisedAt?: string): Promise<Addressee[]> {
    const userIds = [...new Set(to.flatMap((r) => (r.userId !== undefined && r.userId !== '' ? [r.userId] : [])))];
    // A recipient that names a user is that user; its role only says what they are addressed as.
    const roles = [...new Set(to.flatMap((r) => (r.role !== undefined && r.role !== '' && !r.userId ? [r.role] : [])))];
    const { rows } = await run<{ user_id: string; email: string | null; mail: boolean | null }>(
      this.pool,
      'outbox: resolving addressees',
      `SELECT u.user_id, u.email, p.mail
         FROM docket.users u LEFT JOIN docket.notification_preferences p ON p.user_id = u.user_id
        WHERE u.status = 'active' AND (u.user_id = ANY($1) OR u.roles && $2::text[])
        ORDER BY u.user_id`,
      [userIds, roles],
    );
    const known = new Map<string, Addressee>(rows.map((r) => [r.user_id, { userId: r.user_id, email: r.email, mail: r.mail ?? true }]));
    // A user named who has no account (yet): the in-app item waits for them; mail goes by the address book.
    const unknown = userIds.filter((id) => !known.has(id));
    const prefs = unknown.length
      ? await run<{ user_id: string; mail: boolean }>(
          this.pool,
          'outbox: reading preferences',
          'SELECT user_id, mail FROM docket.notification_preferences WHERE user_id = ANY($1)',
          [unknown],
        )
      : { rows: [] };
    const mailOf = new Map(prefs.rows.map((r) => [r.user_id, r.mail]));
    for (const userId of unknown) known.set(userId, { userId, email: null, mail: mailOf.get(userId) ?? true });
    if (raisedAt !== undefined) {
      const delegates = await new PostgresDelegationStore(this.pool).delegatesOf(userIds, new Date(raisedAt));
      const absent = [...new Set(delegates.values())].filter((d) => !known.has(d));
      const found = absent.length ? await this.addressees(absent.map((userId) => ({ userId }))) : [];
      for (const [forUserId, delegate] of delegates) {
        const a = found.find((f) => f.userId === delegate);
        if (a && !known.has(delegate)) known.set(delegate, { ...a, forUserId });
      }
    }
    return [...known.values()];
  }

  /** Adds the in-app items of a notification for these addressees (once each, whatever the retries). */
  async addInApp(row: ClaimedNotification, addressees: Addressee[]): Promise<void> {
    if (addressees.length === 0) return;
    const state = row.data.state;
    await run(
      this.pool,
      `outbox: in-app items of ${row.id}`,
      `INSERT INTO docket.notifications (user_id, for_user_id, outbox_id, case_id, process_id, kind, template, subject, state, created_at)
       SELECT u, f, $2, $3, $4, $5, $6, $7::jsonb, $8, $9 FROM unnest($1::text[], $10::text[]) AS a(u, f)
       ON CONFLICT (outbox_id, user_id) DO NOTHING`,
      [
        addressees.map((a) => a.userId),
        row.id,
        row.caseId,
        row.processId,
        row.kind,
        row.template,
        JSON.stringify(row.subject),
        typeof state === 'string' ? state : state === undefined ? null : JSON.stringify(state),
        row.createdAt,
        addressees.map((a) => a.forUserId ?? null),
      ],
    );
  }
}
