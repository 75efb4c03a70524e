/**
 * `Notifier` that only records notifications in `docket.notification_outbox`
 * (status `pending`), for a separate sender to deliver. Idempotent on the
 * notification id.
 */
import type { Pool, PoolClient } from 'pg';
import type { Notifier } from '../../ports';
import type { Notification } from '../../engine/types';
import { InvalidDataError, mapPgError } from '../postgres/errors';

/**
 * Inserts `notification` as a pending outbox row unless a row with its id exists.
 * Returns whether a row was inserted.
 */
export async function recordInOutbox(db: Pool | PoolClient, notification: Notification): Promise<boolean> {
  const createdAt = new Date(notification.createdAt);
  if (Number.isNaN(createdAt.getTime())) {
    throw new InvalidDataError(
      `Notification ${notification.id}: createdAt is not an ISO timestamp: ${JSON.stringify(notification.createdAt)}`,
    );
  }
  const result = await db.query(
    `INSERT INTO docket.notification_outbox
       (id, case_id, process_id, kind, recipients, template, subject, data, created_at, status)
     VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7::jsonb, $8::jsonb, $9, 'pending')
     ON CONFLICT (id) DO NOTHING`,
    [
      notification.id,
      notification.caseId,
      notification.processId,
      notification.kind,
      JSON.stringify(notification.to),
      notification.template,
      JSON.stringify(notification.subject),
      JSON.stringify(notification.data),
      createdAt,
    ],
  );
  return result.rowCount === 1;
}

export class OutboxNotifier implements Notifier {
  constructor(private readonly pool: Pool) {}

  async send(notification: Notification): Promise<void> {
    try {
      await recordInOutbox(this.pool, notification);
    } catch (err) {
      throw mapPgError(err, `outbox: recording notification ${notification.id}`);
    }
  }
}
