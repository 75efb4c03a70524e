/** `docket notifications …` (the caller's own, over the API) and `docket outbox list` (admin). */
import type { NotificationPage, NotificationPreferences, OutboxPage } from '../adapters/postgres/notification-store';
import type { CliContext } from './context';
import { EXIT_OK, invalidArgument } from './errors';
import { table } from './format';

function limitOf(text: string | undefined, max: number): string | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!(Number.isInteger(n) && n >= 1 && n <= max)) throw invalidArgument(`--limit must be a whole number from 1 to ${max}, got "${text}"`);
  return String(n);
}

function query(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, v);
  const text = q.toString();
  return text === '' ? '' : `?${text}`;
}

export interface NotificationListOptions {
  unread?: boolean;
  limit?: string;
  cursor?: string;
}

/** `docket notifications list [--unread] [--limit n] [--cursor c]`: newest first, with the unread count. */
export async function listNotificationsCommand(ctx: CliContext, opts: NotificationListOptions): Promise<number> {
  const path = `/notifications${query({ unread: opts.unread === true ? 'true' : undefined, limit: limitOf(opts.limit, 200), cursor: opts.cursor })}`;
  const { body: page } = await ctx.api().request<NotificationPage>('GET', path);
  ctx.print(page, () => {
    let out = `${page.unread} unread of ${page.total}.\n`;
    if (page.items.length > 0)
      out += table(
        ['ID', 'READ', 'WHEN', 'KIND', 'CASE', 'SUBJECT'],
        page.items.map((n) => [
          n.id,
          n.readAt === null ? 'no' : 'yes',
          n.createdAt,
          n.kind,
          n.caseId,
          `${n.subject.en} / ${n.subject['zh-CN']}`,
        ]),
        '',
      );
    if (page.nextCursor !== undefined) out += `More: docket notifications list --cursor ${page.nextCursor}\n`;
    return out;
  });
  return EXIT_OK;
}

/** `docket notifications read <id>` or `docket notifications read --all`. */
export async function readNotificationsCommand(ctx: CliContext, id: string | undefined, opts: { all?: boolean }): Promise<number> {
  if ((id === undefined) === (opts.all !== true)) throw invalidArgument('name one notification id, or pass --all (not both)');
  if (id === undefined) {
    const { body } = await ctx.api().request<{ marked: number }>('POST', '/notifications/read-all');
    ctx.print(body, () => `Marked ${body.marked} notification(s) read.\n`);
  } else {
    const { body } = await ctx.api().request<{ id: string }>('POST', `/notifications/${encodeURIComponent(id)}/read`);
    ctx.print(body, () => `Notification ${body.id} is read.\n`);
  }
  return EXIT_OK;
}

/** `docket notifications preferences [--mail on|off]`: reads, or sets, the caller's channels. */
export async function notificationPreferencesCommand(ctx: CliContext, opts: { mail?: string }): Promise<number> {
  let prefs: NotificationPreferences;
  if (opts.mail === undefined) prefs = (await ctx.api().request<NotificationPreferences>('GET', '/me/notification-preferences')).body;
  else {
    if (opts.mail !== 'on' && opts.mail !== 'off') throw invalidArgument(`--mail takes on or off, got "${opts.mail}"`);
    prefs = (
      await ctx.api().request<NotificationPreferences>('PUT', '/me/notification-preferences', { body: { mail: opts.mail === 'on' } })
    ).body;
  }
  ctx.print(prefs, () => `In-app: always on\nMail: ${prefs.mail ? 'on' : 'off'}\n`);
  return EXIT_OK;
}

export interface OutboxListOptions {
  status?: string;
  process?: string;
  case?: string;
  limit?: string;
  cursor?: string;
}

/** `docket outbox list`: notifications and their delivery (admin). */
export async function listOutboxCommand(ctx: CliContext, opts: OutboxListOptions): Promise<number> {
  if (opts.status !== undefined && !['pending', 'sent', 'failed'].includes(opts.status))
    throw invalidArgument(`--status takes pending, sent or failed, got "${opts.status}"`);
  const path = `/outbox${query({ status: opts.status, process: opts.process, case: opts.case, limit: limitOf(opts.limit, 500), cursor: opts.cursor })}`;
  const { body: page } = await ctx.api().request<OutboxPage>('GET', path, { role: 'admin' });
  ctx.print(page, () => {
    let out = `${page.total} row(s).\n`;
    if (page.rows.length > 0)
      out += table(
        ['ID', 'STATUS', 'ATTEMPTS', 'CHANNELS', 'NEXT ATTEMPT', 'LAST ERROR'],
        page.rows.map((r) => [r.id, r.status, String(r.attempts), r.deliveredChannels.join(','), r.nextAttemptAt ?? '', r.lastError ?? '']),
        '',
      );
    if (page.nextCursor !== undefined) out += `More: docket outbox list --cursor ${page.nextCursor}\n`;
    return out;
  });
  return EXIT_OK;
}
