/**
 * The delivery loop: drains `docket.notification_outbox` through the in-app centre
 * and the configured channels. Every worker process runs one; rows are claimed
 * with SKIP LOCKED under a lease (PostgresOutboxQueue.claim), so no two loops
 * deliver a row at once. Each channel is recorded once it delivered, so a retry
 * repeats only the channels that failed. A failed attempt is retried after
 * `backoffMs · 2^(attempts-1)` (at most `maxBackoffMs`) until `maxAttempts`,
 * then the row is `failed` with its last error. Logs carry notification ids and
 * channel names only: never addresses, URLs or message text.
 */
import type { ClaimedNotification, OutboxStatus, PostgresOutboxQueue } from '../postgres/notification-store';
import { errorText, type DeliveryChannel } from './channel';

/** The name in `delivered_channels` of the in-app centre, which every notification reaches. */
export const IN_APP = 'in-app';

export interface DeliveryLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface DeliverySettings {
  /** Time between polls when the outbox has nothing due (ms). */
  intervalMs: number;
  /** Rows claimed at once. */
  batchSize: number;
  /** How long a claimed row is left to its claimer before another may take it (ms). */
  leaseMs: number;
  maxAttempts: number;
  backoffMs: number;
  maxBackoffMs: number;
}

export const DEFAULT_DELIVERY: DeliverySettings = {
  intervalMs: 5_000,
  batchSize: 20,
  leaseMs: 60_000,
  maxAttempts: 8,
  backoffMs: 30_000,
  maxBackoffMs: 3_600_000,
};

export interface DeliveryReport {
  sent: number;
  retrying: number;
  failed: number;
}

/** The wait before the next attempt after `attempts` failed ones. */
export function backoffDelay(attempts: number, settings: Pick<DeliverySettings, 'backoffMs' | 'maxBackoffMs'>): number {
  return Math.min(settings.backoffMs * 2 ** Math.max(0, attempts - 1), settings.maxBackoffMs);
}

export class DeliveryLoop {
  private readonly settings: DeliverySettings;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(
    private readonly queue: PostgresOutboxQueue,
    private readonly channels: DeliveryChannel[],
    settings: Partial<DeliverySettings> = {},
    private readonly log?: DeliveryLog,
  ) {
    this.settings = { ...DEFAULT_DELIVERY, ...settings };
  }

  /** Claims the rows due now and delivers them; returns what became of them. */
  async deliverDue(): Promise<DeliveryReport> {
    const report: DeliveryReport = { sent: 0, retrying: 0, failed: 0 };
    const rows = await this.queue.claim(this.settings.batchSize, this.settings.leaseMs);
    for (const row of rows) {
      const status = await this.deliver(row);
      if (status === 'sent') report.sent++;
      else if (status === 'failed') report.failed++;
      else if (status === 'pending') report.retrying++;
    }
    return report;
  }

  private async deliver(row: ClaimedNotification): Promise<OutboxStatus | undefined> {
    const delivered = new Set(row.deliveredChannels);
    const transient: string[] = [];
    const permanent: string[] = [];
    const failedChannels: string[] = [];
    try {
      // Delegates too, for the users whose delegation was in force when the notification was raised.
      const addressees = await this.queue.addressees(row.to, row.createdAt);
      if (!delivered.has(IN_APP)) {
        await this.queue.addInApp(row, addressees);
        delivered.add(IN_APP);
      }
      const target = { notification: row, addressees };
      for (const channel of this.channels) {
        if (delivered.has(channel.name) || !channel.applies(target)) continue;
        try {
          await channel.send(target);
          delivered.add(channel.name);
        } catch (err) {
          failedChannels.push(channel.name);
          const retryable = (err as { retryable?: unknown }).retryable !== false;
          (retryable ? transient : permanent).push(`${channel.name}: ${errorText(err)}`);
        }
      }
    } catch (err) {
      transient.push(errorText(err));
    }
    const attempts = row.attempts + 1;
    const status: OutboxStatus =
      transient.length > 0 && attempts < this.settings.maxAttempts
        ? 'pending'
        : transient.length + permanent.length > 0
          ? 'failed'
          : 'sent';
    const error = [...transient, ...permanent].join('; ') || null;
    const recorded = await this.queue.record(row, {
      delivered: [...delivered],
      status,
      error,
      ...(status === 'pending' && { retryAt: new Date(Date.now() + backoffDelay(attempts, this.settings)) }),
    });
    if (!recorded) {
      this.log?.warn({ notification: row.id }, 'notification lease lost: another worker delivers it');
      return undefined;
    }
    if (status !== 'sent') {
      this.log?.warn({ notification: row.id, attempts, status, channels: failedChannels }, 'notification not delivered');
    }
    return status;
  }

  /** Polls until `stop`: at once again while a batch came back full, else after `intervalMs`. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const tick = (): void => {
      this.running = this.deliverDue()
        .then((report) => (report.sent + report.retrying + report.failed >= this.settings.batchSize ? 0 : this.settings.intervalMs))
        .catch((err: unknown) => {
          this.log?.error({ err: { message: errorText(err) } }, 'notification delivery failed');
          return this.settings.intervalMs;
        })
        .then((wait) => {
          if (!this.stopped) this.timer = setTimeout(tick, wait);
        });
    };
    tick();
  }

  /** Stops polling and waits for the batch under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
