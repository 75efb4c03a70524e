/**
 * Notifications where people are (issue 15): the in-app centre over the API and CLI, the outbox
 * delivery loop (two claimers, retries with backoff, admins' view), the group robots' formats and
 * signatures checked by a local HTTP server, and mail through a real local SMTP server.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'pg';
import { SMTPServer } from 'smtp-server';
import { DeliveryLoop, MailChannel, RobotChannel, recordInOutbox, type RobotWebhook } from '../../adapters/notify';
import { PostgresOutboxQueue } from '../../adapters/postgres/notification-store';
import type { Notification } from '../../engine/types';
import * as nodemailer from 'nodemailer';
import { PROJECT_ROOT } from '../../config';
import { startTestApi, type TestApi } from '../helpers/api';
import { runCli } from '../helpers/cli';
import { createHarness, roleDatabaseUrls, type Harness } from '../helpers/harness';

interface ReceivedMail {
  envelopeTo: string[];
  headers: Map<string, string>;
  subject: string;
  body: string;
}

interface TestSmtpServer {
  port: number;
  mails: ReceivedMail[];
  logins: string[];
  close(): Promise<void>;
}

/** A local SMTP server on 127.0.0.1 (random port), optionally refusing every recipient. */
async function startSmtp(opts: { rejectRecipients?: boolean } = {}): Promise<TestSmtpServer> {
  const mails: ReceivedMail[] = [];
  const logins: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      logins.push(`${auth.username ?? ''}:${auth.password ?? ''}`);
      callback(null, { user: auth.username });
    },
    onRcptTo(_address, _session, callback) {
      if (opts.rejectRecipients === true) {
        callback(Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }));
      } else {
        callback();
      }
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        mails.push(
          parseMail(
            Buffer.concat(chunks).toString('utf8'),
            session.envelope.rcptTo.map((a) => a.address),
          ),
        );
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return { port, mails, logins, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Enough of RFC 5322/2047/2045 to read what nodemailer writes. */
function parseMail(raw: string, envelopeTo: string[]): ReceivedMail {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const headers = new Map<string, string>();
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  let body = raw.slice(split + 4);
  const encoding = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  if (encoding === 'base64') body = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') body = decodeQuotedPrintable(body);
  return { envelopeTo, headers, subject: decodeEncodedWords(headers.get('subject') ?? ''), body };
}

function decodeQuotedPrintable(text: string): string {
  const bytes = text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, hex: string) => `%${hex}`);
  return decodeURIComponent(bytes.replace(/%(?![0-9A-F]{2})/gi, '%25'));
}

function decodeEncodedWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([BQ])\?([^?]*)\?=/gi, (_, _charset: string, kind: string, data: string) =>
      kind.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : decodeQuotedPrintable(data.replace(/_/g, ' ')),
    );
}

interface RobotHit {
  path: string;
  query: URLSearchParams;
  body: Record<string, any>;
}

/**
 * A local robot endpoint for each kind: it checks the body shape and (with a secret) the signature
 * as each service documents, answering like them (HTTP 200 with errcode/code 0, or not); `failNext`
 * answers that many requests with a failure first.
 */
interface RobotServer {
  url: string;
  hits: RobotHit[];
  failNext: number;
  close(): Promise<void>;
}

const SECRET = 'SECtest-secret-0123456789';

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function verify(path: string, query: URLSearchParams, body: Record<string, any>): { ok: true } | { status: number; answer: unknown } {
  if (path.startsWith('/wecom')) {
    if (query.get('key') !== 'k1' || body.msgtype !== 'markdown' || typeof body.markdown?.content !== 'string')
      return { status: 200, answer: { errcode: 40008, errmsg: 'invalid message type' } };
  } else if (path.startsWith('/dingtalk')) {
    const timestamp = query.get('timestamp') ?? '';
    const expected = createHmac('sha256', SECRET).update(`${timestamp}\n${SECRET}`).digest('base64');
    if (query.get('access_token') !== 't1' || query.get('sign') !== expected || Math.abs(Date.now() - Number(timestamp)) > 3_600_000)
      return { status: 200, answer: { errcode: 310000, errmsg: 'sign not match' } };
    if (body.msgtype !== 'markdown' || typeof body.markdown?.title !== 'string' || typeof body.markdown?.text !== 'string')
      return { status: 200, answer: { errcode: 40035, errmsg: 'missing parameter' } };
  } else if (path.startsWith('/feishu')) {
    const timestamp = String(body.timestamp ?? '');
    const expected = createHmac('sha256', `${timestamp}\n${SECRET}`).update('').digest('base64');
    if (body.sign !== expected || Math.abs(Date.now() / 1000 - Number(timestamp)) > 3600)
      return { status: 200, answer: { code: 19021, msg: 'sign match fail or timestamp is not within one hour from current time' } };
    if (body.msg_type !== 'text' || typeof body.content?.text !== 'string')
      return { status: 200, answer: { code: 9499, msg: 'Bad Request' } };
  }
  return { ok: true };
}

async function startRobots(): Promise<RobotServer> {
  const state: RobotServer = { url: '', hits: [], failNext: 0, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    void readBody(req).then((text) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const body = JSON.parse(text) as Record<string, any>;
      const checked = verify(url.pathname, url.searchParams, body);
      const reply = (status: number, answer: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      if ('status' in checked) return reply(checked.status, checked.answer);
      if (state.failNext > 0) {
        state.failNext--;
        // DingTalk-style refusal inside an HTTP 200, or a plain server error.
        return state.failNext % 2 === 0 ? reply(200, { errcode: 130101, errmsg: 'send too fast' }) : reply(500, { error: 'down' });
      }
      state.hits.push({ path: url.pathname, query: url.searchParams, body });
      return reply(200, url.pathname.startsWith('/feishu') ? { code: 0, msg: 'success', data: {} } : { errcode: 0, errmsg: 'ok' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}

let h: Harness;
let api: TestApi;
let workerPool: Pool;
let queue: PostgresOutboxQueue;
let smtp: TestSmtpServer;
let robots: RobotServer;
const tokens: Record<string, string> = {};
let seq = 0;

beforeAll(async () => {
  h = await createHarness('issue15_notify', { noWorker: true });
  api = await startTestApi(h);
  workerPool = new Pool({ connectionString: roleDatabaseUrls(h.config.databaseUrl!).worker, max: 6 });
  queue = new PostgresOutboxQueue(workerPool);
  tokens.alice = await api.user('alice', ['handler']);
  tokens.bob = await api.user('bob', ['handler']);
  tokens.carol = await api.user('carol', ['service_manager']);
  await api.call('POST', '/users', {
    token: api.adminToken,
    body: { userId: 'dave', displayName: 'Dave', roles: ['handler'], email: 'dave@corp.example.test' },
  });
  smtp = await startSmtp();
  robots = await startRobots();
}, 240_000);

afterAll(async () => {
  await smtp?.close();
  await robots?.close();
  await workerPool?.end();
  await api?.close();
  await h?.close();
});

function notification(overrides: Partial<Notification> = {}): Notification {
  seq++;
  return {
    id: `case-n${seq}:1:0`,
    caseId: `case-n${seq}`,
    processId: 'complaint',
    kind: 'escalation',
    to: [{ role: 'handler' }, { userId: 'carol' }],
    template: 'investigationOverdue',
    subject: { en: 'Investigation overdue', 'zh-CN': '调查已逾期' },
    data: { state: 'investigating', customer: '张三' },
    createdAt: new Date().toISOString(),
    ...overrides,
  };
}

async function outboxRow(id: string): Promise<Record<string, any>> {
  const { rows } = await h.pool.query('SELECT * FROM docket.notification_outbox WHERE id = $1', [id]);
  return rows[0] as Record<string, any>;
}

/** Claims only the given rows: other tests' rows are made not due meanwhile. */
async function only(ids: string[]): Promise<void> {
  await h.pool.query(
    `UPDATE docket.notification_outbox SET next_attempt_at = now() + interval '1 day' WHERE status = 'pending' AND NOT (id = ANY($1))`,
    [ids],
  );
}

test('without channels every notification is delivered in-app to its user and to the holders of its role', async () => {
  const n = notification();
  await recordInOutbox(workerPool, n);
  await only([n.id]);
  const report = await new DeliveryLoop(queue, []).deliverDue();
  expect(report).toEqual({ sent: 1, retrying: 0, failed: 0 });
  expect(await outboxRow(n.id)).toMatchObject({ status: 'sent', attempts: 1, delivered_channels: ['in-app'], last_error: null });

  for (const user of ['alice', 'bob', 'carol']) {
    const list = await api.call('GET', '/notifications', { token: tokens[user] });
    expect(list.status).toBe(200);
    expect(list.body.items.map((item: { caseId: string }) => item.caseId)).toContain(n.caseId);
  }
  const { rows } = await h.pool.query('SELECT user_id FROM docket.notifications WHERE outbox_id = $1 ORDER BY user_id', [n.id]);
  expect(rows.map((r) => r.user_id)).toEqual(['alice', 'bob', 'carol', 'dave']);
});

test('a recipient naming a user reaches that user only, not every holder of its role; an empty user falls back to the role', async () => {
  const named = notification({ to: [{ role: 'handler', userId: 'bob' }] });
  const fallback = notification({ to: [{ role: 'handler' }] });
  await recordInOutbox(workerPool, named);
  await recordInOutbox(workerPool, fallback);
  await only([named.id, fallback.id]);
  expect(await new DeliveryLoop(queue, []).deliverDue()).toEqual({ sent: 2, retrying: 0, failed: 0 });
  const usersOf = async (id: string): Promise<string[]> =>
    (await h.pool.query('SELECT user_id FROM docket.notifications WHERE outbox_id = $1 ORDER BY user_id', [id])).rows.map((r) => r.user_id);
  expect(await usersOf(named.id)).toEqual(['bob']);
  expect(await usersOf(fallback.id)).toEqual(['alice', 'bob', 'dave']);
});

test('the centre: unread count, total, cursor paging, unread filter, read and read-all; only the addressee may read an item', async () => {
  const a = notification({ to: [{ userId: 'alice' }] });
  const b = notification({ to: [{ userId: 'alice' }] });
  const c = notification({ to: [{ userId: 'bob' }] });
  for (const n of [a, b, c]) await recordInOutbox(workerPool, n);
  await only([a.id, b.id, c.id]);
  await new DeliveryLoop(queue, []).deliverDue();

  const all = await api.call('GET', '/notifications', { token: tokens.alice });
  expect(all.status).toBe(200);
  const total = all.body.total as number;
  expect(all.body.unread).toBe(total);
  expect(all.body.items[0].caseId).toBe(b.caseId);

  const first = await api.call('GET', '/notifications?limit=1', { token: tokens.alice });
  expect(first.body.items).toHaveLength(1);
  const second = await api.call('GET', `/notifications?limit=1&cursor=${first.body.nextCursor}`, { token: tokens.alice });
  expect(second.body.items[0].id).not.toBe(first.body.items[0].id);
  expect(Number(second.body.items[0].id)).toBeLessThan(Number(first.body.items[0].id));
  expect((await api.call('GET', '/notifications?cursor=bogus', { token: tokens.alice })).status).toBe(400);

  // Bob's item, by its id, through Alice's token: 404, and it stays unread.
  const bobs = (await api.call('GET', '/notifications', { token: tokens.bob })).body.items.find((i: any) => i.caseId === c.caseId);
  const forged = await api.call('POST', `/notifications/${bobs.id}/read`, { token: tokens.alice });
  expect(forged.status).toBe(404);
  expect((await api.call('POST', '/notifications/999999999/read', { token: tokens.alice })).status).toBe(404);
  expect((await api.call('POST', '/notifications/x%27/read', { token: tokens.alice })).status).toBe(404);
  const bobAfter = (await api.call('GET', '/notifications', { token: tokens.bob })).body.items.find((i: any) => i.id === bobs.id);
  expect(bobAfter.readAt).toBeNull();

  const newest = all.body.items[0];
  const read = await api.call('POST', `/notifications/${newest.id}/read`, { token: tokens.alice });
  expect(read.status).toBe(200);
  expect(read.body.readAt).not.toBeNull();
  const unread = await api.call('GET', '/notifications?unread=true', { token: tokens.alice });
  expect(unread.body.unread).toBe(total - 1);
  expect(unread.body.items.map((i: any) => i.id)).not.toContain(newest.id);

  const cli = await runCli(['--api', api.url, '--token', tokens.alice!, 'notifications', 'list', '--unread', '--json'], {
    config: h.config,
    cwd: PROJECT_ROOT,
  });
  expect(cli.code).toBe(0);
  expect(JSON.parse(cli.out).unread).toBe(total - 1);
  const cliRead = await runCli(['--api', api.url, '--token', tokens.alice!, 'notifications', 'read', '--all'], {
    config: h.config,
    cwd: PROJECT_ROOT,
  });
  expect(cliRead.code).toBe(0);
  expect(cliRead.out).toContain(`Marked ${total - 1}`);
  expect((await api.call('GET', '/notifications', { token: tokens.alice })).body).toMatchObject({ unread: 0, total });
  expect((await api.call('GET', '/notifications', { token: tokens.bob })).body.unread).toBeGreaterThan(0);
});

test('two delivery loops claiming at once deliver each row once', async () => {
  const robot = new RobotChannel({ name: 'ops', kind: 'wecom', url: `${robots.url}/wecom?key=k1` });
  const ns = Array.from({ length: 30 }, () => notification({ to: [{ role: 'service_manager' }] }));
  for (const n of ns) await recordInOutbox(workerPool, n);
  await only(ns.map((n) => n.id));
  const before = robots.hits.length;
  const loops = [
    new DeliveryLoop(queue, [robot], { batchSize: 4 }),
    new DeliveryLoop(new PostgresOutboxQueue(workerPool), [robot], { batchSize: 4 }),
  ];
  const reports = await Promise.all(
    loops.map(async (loop) => {
      let sent = 0;
      for (let i = 0; i < 20; i++) sent += (await loop.deliverDue()).sent;
      return sent;
    }),
  );
  expect(reports[0]! + reports[1]!).toBe(30);
  expect(reports[0]).toBeGreaterThan(0);
  expect(reports[1]).toBeGreaterThan(0);
  const posted = robots.hits.slice(before).map((hit) => String(hit.body.markdown.content));
  expect(posted).toHaveLength(30);
  for (const n of ns) expect(posted.filter((p) => p.includes(`${n.caseId}\n`) || p.endsWith(n.caseId)).length).toBe(1);
  const { rows } = await h.pool.query(`SELECT count(*)::int AS n FROM docket.notifications WHERE outbox_id = ANY($1)`, [
    ns.map((n) => n.id),
  ]);
  expect(rows[0].n).toBe(30); // carol, once each
});

test('robots of the three kinds get their documented formats and signatures; refusals are retried with backoff until sent; admins see it', async () => {
  const hooks: RobotWebhook[] = [
    { name: 'wecom-ops', kind: 'wecom', url: `${robots.url}/wecom?key=k1` },
    { name: 'ding-ops', kind: 'dingtalk', url: `${robots.url}/dingtalk?access_token=t1`, secret: SECRET },
    { name: 'feishu-ops', kind: 'feishu', url: `${robots.url}/feishu/hook/abc`, secret: SECRET, processes: ['complaint'] },
    { name: 'feishu-visits', kind: 'feishu', url: `${robots.url}/feishu/hook/visits`, secret: SECRET, processes: ['visit'] },
  ];
  const loop = new DeliveryLoop(
    queue,
    hooks.map((r) => new RobotChannel(r)),
    { backoffMs: 200, maxBackoffMs: 1000, maxAttempts: 5 },
  );
  const n = notification();
  await recordInOutbox(workerPool, n);
  await only([n.id]);
  const before = robots.hits.length;
  robots.failNext = 2; // the first two posts fail: one errcode in an HTTP 200, one HTTP 500
  const first = await loop.deliverDue();
  expect(first).toEqual({ sent: 0, retrying: 1, failed: 0 });
  let row = await outboxRow(n.id);
  expect(row).toMatchObject({ status: 'pending', attempts: 1 });
  expect(row.last_error).toMatch(/HTTP 500|errcode 130101/);
  expect(row.last_error).not.toContain('t1');
  expect(row.last_error).not.toContain(SECRET);
  expect(row.next_attempt_at.getTime()).toBeGreaterThan(Date.now() + 50);

  expect(await loop.deliverDue()).toEqual({ sent: 0, retrying: 0, failed: 0 }); // not due yet
  const admin = await api.call('GET', `/outbox?case=${n.caseId}`, { token: api.adminToken, role: 'admin' });
  expect(admin.status).toBe(200);
  expect(admin.body.rows[0]).toMatchObject({ id: n.id, status: 'pending', attempts: 1 });
  expect(admin.body.rows[0].lastError).toBeTruthy();
  expect((await api.call('GET', '/outbox', { token: tokens.alice })).status).toBe(403);

  await new Promise((r) => setTimeout(r, 1100));
  expect(await loop.deliverDue()).toEqual({ sent: 1, retrying: 0, failed: 0 });
  row = await outboxRow(n.id);
  expect(row).toMatchObject({ status: 'sent', attempts: 2 });
  expect([...row.delivered_channels].sort()).toEqual(['in-app', 'robot:ding-ops', 'robot:feishu-ops', 'robot:wecom-ops']);

  const hits = robots.hits.slice(before);
  expect(hits.map((hit) => hit.path).sort()).toEqual(['/dingtalk', '/feishu/hook/abc', '/wecom']);
  const ding = hits.find((hit) => hit.path === '/dingtalk')!;
  expect(ding.body.markdown.text).toContain('调查已逾期');
  const feishu = hits.find((hit) => hit.path.startsWith('/feishu'))!;
  expect(feishu.body.content.text).toContain(n.caseId);
  for (const hit of hits) expect(JSON.stringify(hit.body)).not.toContain('张三'); // group chats get no case data

  const sentView = await runCli(['--api', api.url, '--token', api.adminToken, 'outbox', 'list', '--case', n.caseId], {
    config: h.config,
    cwd: PROJECT_ROOT,
  });
  expect(sentView.code).toBe(0);
  expect(sentView.out).toContain('sent');
});

test('a robot that keeps refusing ends failed with its reason after the last attempt', async () => {
  const bad = new RobotChannel({ name: 'bad-sign', kind: 'dingtalk', url: `${robots.url}/dingtalk?access_token=t1`, secret: 'SECwrong' });
  const loop = new DeliveryLoop(queue, [bad], { backoffMs: 1, maxBackoffMs: 1, maxAttempts: 3 });
  const n = notification();
  await recordInOutbox(workerPool, n);
  await only([n.id]);
  for (let i = 0; i < 3; i++) {
    await loop.deliverDue();
    await new Promise((r) => setTimeout(r, 20));
  }
  const row = await outboxRow(n.id);
  expect(row).toMatchObject({ status: 'failed', attempts: 3, delivered_channels: ['in-app'] });
  expect(row.last_error).toContain('errcode 310000');
  const failed = await api.call('GET', '/outbox?status=failed', { token: api.adminToken, role: 'admin' });
  expect(failed.body.rows.map((r: any) => r.id)).toContain(n.id);
});

test('mail through a real SMTP server honours each user’s preference', async () => {
  const off = await api.call('PUT', '/me/notification-preferences', { token: tokens.bob, body: { mail: false } });
  expect(off.status).toBe(200);
  expect(off.body).toEqual({ inApp: true, mail: false });
  expect((await api.call('GET', '/me/notification-preferences', { token: tokens.bob })).body).toEqual({ inApp: true, mail: false });
  expect((await api.call('GET', '/me/notification-preferences', { token: tokens.alice })).body).toEqual({ inApp: true, mail: true });
  expect((await api.call('PUT', '/me/notification-preferences', { token: tokens.bob, body: { mail: 'no' } })).status).toBe(400);
  const cliPrefs = await runCli(['--api', api.url, '--token', tokens.carol!, 'notifications', 'preferences', '--mail', 'off'], {
    config: h.config,
    cwd: PROJECT_ROOT,
  });
  expect(cliPrefs.code).toBe(0);
  expect(cliPrefs.out).toContain('Mail: off');
  await api.call('PUT', '/me/notification-preferences', { token: tokens.carol, body: { mail: true } });

  const mail = new MailChannel({
    transport: nodemailer.createTransport(`smtp://docket:s3cret@127.0.0.1:${smtp.port}`),
    from: 'Docket <docket@example.test>',
    defaultDomain: 'corp.example.test',
    roleAddresses: { handler: ['handlers@example.test'] },
  });
  const n = notification();
  await recordInOutbox(workerPool, n);
  await only([n.id]);
  expect(await new DeliveryLoop(queue, [mail]).deliverDue()).toEqual({ sent: 1, retrying: 0, failed: 0 });
  mail.close();
  const mails = smtp.mails.filter((m) => m.headers.get('x-docket-notification-id') === n.id);
  expect(mails).toHaveLength(1);
  expect([...mails[0]!.envelopeTo].sort()).toEqual(
    ['alice@corp.example.test', 'carol@corp.example.test', 'dave@corp.example.test', 'handlers@example.test'].sort(),
  );
  expect(mails[0]!.subject).toContain('调查已逾期');
  expect(smtp.logins).toContain('docket:s3cret');
  expect(await outboxRow(n.id)).toMatchObject({ status: 'sent', delivered_channels: ['in-app', 'mail'] });
});

test('a mail server refusing every recipient is retried; the other channels are not repeated', async () => {
  const rejecting = await startSmtp({ rejectRecipients: true });
  const hook = new RobotChannel({ name: 'w', kind: 'wecom', url: `${robots.url}/wecom?key=k1` });
  const failing = new MailChannel({
    transport: nodemailer.createTransport(`smtp://127.0.0.1:${rejecting.port}`),
    from: 'docket@example.test',
  });
  const n = notification({ to: [{ userId: 'dave' }] });
  await recordInOutbox(workerPool, n);
  await only([n.id]);
  const before = robots.hits.length;
  expect(await new DeliveryLoop(queue, [hook, failing], { backoffMs: 1 }).deliverDue()).toEqual({ sent: 0, retrying: 1, failed: 0 });
  expect((await outboxRow(n.id)).last_error).toMatch(/mail: .*(550|reject)/i);
  await new Promise((r) => setTimeout(r, 20));
  const good = new MailChannel({ transport: nodemailer.createTransport(`smtp://127.0.0.1:${smtp.port}`), from: 'docket@example.test' });
  expect(await new DeliveryLoop(queue, [hook, good]).deliverDue()).toEqual({ sent: 1, retrying: 0, failed: 0 });
  expect(robots.hits.length - before).toBe(1);
  expect(smtp.mails.filter((m) => m.headers.get('x-docket-notification-id') === n.id)).toHaveLength(1);
  failing.close();
  good.close();
  await rejecting.close();
});

test('the worker process runs the delivery loop: a notification recorded is delivered in-app without any channel', async () => {
  await h.pool.query(`UPDATE docket.notification_outbox SET next_attempt_at = now() WHERE status = 'pending'`);
  const n = notification({ to: [{ userId: 'alice' }] });
  await recordInOutbox(workerPool, n);
  await h.startWorker();
  try {
    for (let i = 0; i < 100 && (await outboxRow(n.id)).status !== 'sent'; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await outboxRow(n.id)).toMatchObject({ status: 'sent', delivered_channels: ['in-app'] });
  } finally {
    await h.stopWorker();
  }
});
