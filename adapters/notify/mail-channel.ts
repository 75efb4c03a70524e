/**
 * The mail channel: each notification as one e-mail over SMTP (nodemailer) to the
 * addressees who keep mail on, plus any configured addresses of the roles named.
 * The delivery loop (delivery.ts) records it once sent, so a retry does not repeat it.
 */
import * as nodemailer from 'nodemailer';
import type { Notification } from '../../engine/types';
import type { Addressee } from '../postgres/notification-store';
import type { DeliveryChannel, DeliveryTarget } from './channel';

/** What the channel needs of a nodemailer transport. */
export interface MailTransport {
  sendMail(mail: nodemailer.SendMailOptions): Promise<{ accepted?: unknown[]; rejected?: unknown[] }>;
  close?(): void;
}

export interface AddressBook {
  /** Domain for user ids that are not addresses themselves and have no e-mail: `${userId}@${defaultDomain}`. */
  defaultDomain?: string;
  /** Addresses of a role as such (e.g. a team list), besides its members' own. */
  roleAddresses?: Record<string, string[]>;
}

/**
 * The addresses a notification is mailed to: each addressee who keeps mail on, by their e-mail, else
 * their user id when it is an address, else `${userId}@${defaultDomain}`; then the role addresses of
 * the roles named without a user. Duplicates (case-insensitive) are removed.
 */
export function mailAddresses(addressees: Addressee[], to: Notification['to'], book: AddressBook = {}): string[] {
  const roles = book.roleAddresses ?? {};
  const seen = new Set<string>();
  const out: string[] = [];
  const add = (address: string): void => {
    const trimmed = address.trim();
    const key = trimmed.toLowerCase();
    if (trimmed === '' || seen.has(key)) return;
    seen.add(key);
    out.push(trimmed);
  };
  for (const a of addressees) {
    if (!a.mail) continue;
    if (a.email !== null && a.email !== '') add(a.email);
    else if (a.userId.includes('@')) add(a.userId);
    else if (book.defaultDomain !== undefined && book.defaultDomain !== '') add(`${a.userId}@${book.defaultDomain}`);
  }
  for (const { role, userId } of to) {
    if (userId) continue; // a recipient naming a user is mailed to that user, not to the role's list
    if (role !== undefined && Object.prototype.hasOwnProperty.call(roles, role)) for (const address of roles[role] ?? []) add(address);
  }
  return out;
}

/** Both subject lines, English first. */
export function mailSubject(notification: Pick<Notification, 'subject'>): string {
  const { en } = notification.subject;
  const zh = notification.subject['zh-CN'];
  return en === zh ? en : `${en} / ${zh}`;
}

/** The plain-text body: both subjects, then the case, process, template, state and data. */
export function mailText(notification: Omit<Notification, 'to' | 'kind'> & { kind: string }): string {
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

export interface MailChannelOptions extends AddressBook {
  transport: MailTransport;
  /** Sender address, e.g. `Docket <docket@example.com>`. */
  from: string;
}

export class MailChannel implements DeliveryChannel {
  readonly name = 'mail';
  constructor(private readonly opts: MailChannelOptions) {}

  applies(target: DeliveryTarget): boolean {
    return mailAddresses(target.addressees, target.notification.to, this.opts).length > 0;
  }

  async send({ notification, addressees }: DeliveryTarget): Promise<void> {
    // Sent to at least one recipient counts as sent (a retry would repeat it to the others);
    // nodemailer throws when every recipient is refused.
    await this.opts.transport.sendMail({
      from: this.opts.from,
      to: mailAddresses(addressees, notification.to, this.opts),
      subject: mailSubject(notification),
      text: mailText(notification),
      headers: { 'X-Docket-Notification-Id': notification.id, 'X-Docket-Case-Id': notification.caseId },
    });
  }

  /** Closes the SMTP transport (its pooled connections, if any). */
  close(): void {
    this.opts.transport.close?.();
  }
}

export interface SmtpConfig extends AddressBook {
  /** `smtp://user:pass@host:port` (or `smtps://…`); nodemailer options may follow as a query string. */
  url: string;
  from: string;
}

/** A `MailChannel` over a nodemailer transport for `config.url`. */
export function mailChannelFromConfig(config: SmtpConfig): MailChannel {
  if (!/^smtps?:\/\//i.test(config.url)) {
    throw new Error(`SMTP url must start with smtp:// or smtps://, got ${config.url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@')}`);
  }
  return new MailChannel({ ...config, transport: nodemailer.createTransport(config.url) });
}
