/**
 * `Notifier` that sends each notification as one e-mail over SMTP (nodemailer),
 * bookkept in `docket.notification_outbox` so that retries send it once:
 *
 * 1. the notification is recorded (pending) unless already there;
 * 2. its row is locked, so a concurrent retry of the same id waits;
 * 3. already `sent` → nothing to do; otherwise the mail is sent and the row
 *    marked `sent`; a failed send records `attempts`/`last_error`, marks the row
 *    `failed` and rethrows, so the calling activity retries.
 */
import * as nodemailer from 'nodemailer';
import type { Pool, PoolClient } from 'pg';
import type { Notifier } from '../../ports';
import type { Notification } from '../../engine/types';
import { mapPgError } from '../postgres/errors';
import { recordInOutbox } from './outbox-notifier';

export type Recipients = Notification['to'];

/** Maps the recipients of a notification to e-mail addresses. */
export type AddressResolver = (to: Recipients) => string[];

/** What the notifier needs of a nodemailer transport. */
export interface MailTransport {
  sendMail(mail: nodemailer.SendMailOptions): Promise<{ accepted?: unknown[]; rejected?: unknown[] }>;
  close?(): void;
}

export interface SmtpNotifierOptions {
  pool: Pool;
  transport: MailTransport;
  /** Sender address, e.g. `Docket <docket@example.com>`. */
  from: string;
  resolveAddresses: AddressResolver;
}

export interface AddressBook {
  /** Domain for user ids that are not addresses themselves: `${userId}@${defaultDomain}`. */
  defaultDomain?: string;
  /** Addresses of everyone holding a role. */
  roleAddresses?: Record<string, string[]>;
}

/** No address could be found for any recipient: retrying will not help until the configuration changes. */
export class UndeliverableNotificationError extends Error {
  readonly retryable = false;
  constructor(message: string) {
    super(message);
    this.name = 'UndeliverableNotificationError';
  }
}

/**
 * The default resolver: a user id containing `@` is used as it is, another user id
 * becomes `${userId}@${defaultDomain}` (skipped without a default domain), a role
 * maps through `roleAddresses` (skipped when absent). Duplicates are removed.
 */
export function addressResolver(book: AddressBook = {}): AddressResolver {
  const roles = book.roleAddresses ?? {};
  return (to) => {
    const seen = new Set<string>();
    const out: string[] = [];
    const add = (address: string): void => {
      const trimmed = address.trim();
      const key = trimmed.toLowerCase();
      if (trimmed === '' || seen.has(key)) return;
      seen.add(key);
      out.push(trimmed);
    };
    for (const recipient of to) {
      if (recipient.userId !== undefined && recipient.userId !== '') {
        if (recipient.userId.includes('@')) add(recipient.userId);
        else if (book.defaultDomain !== undefined && book.defaultDomain !== '') {
          add(`${recipient.userId}@${book.defaultDomain}`);
        }
      }
      if (recipient.role !== undefined && Object.prototype.hasOwnProperty.call(roles, recipient.role)) {
        for (const address of roles[recipient.role] ?? []) add(address);
      }
    }
    return out;
  };
}

/** Both subject lines, English first. */
export function mailSubject(notification: Notification): string {
  const { en } = notification.subject;
  const zh = notification.subject['zh-CN'];
  return en === zh ? en : `${en} / ${zh}`;
}

/** The plain-text body: both subjects, then the case, process, template, state and data. */
export function mailText(notification: Notification): string {
  const state = notification.data.state;
  const lines = [
    notification.subject.en,
    notification.subject['zh-CN'],
    '',
    `Case / 案件: ${notification.caseId}`,
    `Process / 流程: ${notification.processId}`,
    `Template / 模板: ${notification.template}`,
    `Kind / 类型: ${notification.kind}`,
    `State / 状态: ${state === undefined ? '-' : formatValue(state)}`,
    `Raised at / 时间: ${notification.createdAt}`,
    '',
    'Data / 数据:',
  ];
  const keys = Object.keys(notification.data).sort();
  if (keys.length === 0) lines.push('  (none)');
  for (const key of keys) lines.push(`  ${key}: ${formatValue(notification.data[key])}`);
  lines.push('', `Notification id: ${notification.id}`);
  return `${lines.join('\n')}\n`;
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return value;
  const json = JSON.stringify(value);
  return json === undefined ? String(value) : json;
}

function errorText(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
}

export class SmtpNotifier implements Notifier {
  private readonly pool: Pool;
  private readonly transport: MailTransport;
  private readonly from: string;
  private readonly resolveAddresses: AddressResolver;

  constructor(opts: SmtpNotifierOptions) {
    this.pool = opts.pool;
    this.transport = opts.transport;
    this.from = opts.from;
    this.resolveAddresses = opts.resolveAddresses;
  }

  async send(notification: Notification): Promise<void> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw mapPgError(err, 'smtp notifier: could not connect');
    }
    let discard: Error | undefined;
    let deliveryError: unknown;
    try {
      deliveryError = await this.deliver(client, notification);
    } catch (err) {
      await client.query('ROLLBACK').catch((rollbackErr: unknown) => {
        discard = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
      });
      throw mapPgError(err, `smtp notifier: notification ${notification.id}`);
    } finally {
      client.release(discard);
    }
    if (deliveryError !== undefined)
      throw deliveryError instanceof Error ? deliveryError : new Error(`delivery failed: ${JSON.stringify(deliveryError)}`);
  }

  /**
   * Runs the outbox transaction on `client` and sends the mail. Database errors
   * are thrown (the transaction is then open); a delivery failure is recorded,
   * committed and returned.
   */
  private async deliver(client: PoolClient, notification: Notification): Promise<unknown> {
    await client.query('BEGIN');
    await recordInOutbox(client, notification);
    const { rows } = await client.query<{ status: string }>('SELECT status FROM docket.notification_outbox WHERE id = $1 FOR UPDATE', [
      notification.id,
    ]);
    if (rows[0]?.status === 'sent') {
      await client.query('COMMIT');
      return undefined;
    }

    const to = this.resolveAddresses(notification.to);
    if (to.length === 0) {
      const message = `No e-mail address for the recipients ${JSON.stringify(notification.to)} of notification ${notification.id}`;
      await this.recordFailure(client, notification.id, message);
      await client.query('COMMIT');
      return new UndeliverableNotificationError(message);
    }

    let info: { accepted?: unknown[]; rejected?: unknown[] };
    try {
      info = await this.transport.sendMail({
        from: this.from,
        to,
        subject: mailSubject(notification),
        text: mailText(notification),
        headers: {
          'X-Docket-Notification-Id': notification.id,
          'X-Docket-Case-Id': notification.caseId,
        },
      });
    } catch (sendErr) {
      await this.recordFailure(client, notification.id, errorText(sendErr));
      await client.query('COMMIT');
      return sendErr ?? new Error('sendMail failed');
    }

    // Sent to at least one recipient: not retried (that would repeat it to the others).
    const rejected = (info.rejected ?? []).map((r) => formatValue(r));
    await client.query(
      `UPDATE docket.notification_outbox
          SET status = 'sent', attempts = attempts + 1, sent_at = now(), last_error = $2
        WHERE id = $1`,
      [notification.id, rejected.length > 0 ? `rejected recipients: ${rejected.join(', ')}` : null],
    );
    await client.query('COMMIT');
    return undefined;
  }

  /** Closes the SMTP transport (its pooled connections, if any). */
  close(): void {
    this.transport.close?.();
  }

  private async recordFailure(client: PoolClient, id: string, message: string): Promise<void> {
    await client.query(
      `UPDATE docket.notification_outbox
          SET status = 'failed', attempts = attempts + 1, last_error = $2
        WHERE id = $1`,
      [id, message],
    );
  }
}

export interface SmtpNotifierConfig extends AddressBook {
  /** `smtp://user:pass@host:port` (or `smtps://…`); nodemailer options may follow as a query string. */
  url: string;
  from: string;
}

/** An `SmtpNotifier` with a nodemailer transport for `config.url` and the default address resolver. */
export function smtpNotifierFromConfig(config: SmtpNotifierConfig, pool: Pool): SmtpNotifier {
  if (!/^smtps?:\/\//i.test(config.url)) {
    throw new Error(`SMTP url must start with smtp:// or smtps://, got ${config.url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@')}`);
  }
  const transport = nodemailer.createTransport(config.url);
  return new SmtpNotifier({
    pool,
    transport,
    from: config.from,
    resolveAddresses: addressResolver({ defaultDomain: config.defaultDomain, roleAddresses: config.roleAddresses }),
  });
}
