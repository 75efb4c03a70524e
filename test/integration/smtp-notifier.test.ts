import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { Pool } from 'pg';
import { SMTPServer } from 'smtp-server';
import {
  OutboxNotifier,
  type SmtpNotifier,
  UndeliverableNotificationError,
  addressResolver,
  smtpNotifierFromConfig,
} from '../../adapters/notify';
import { migrate } from '../../adapters/postgres';
import type { Notification } from '../../engine/types';
import { createDatabase, dropDatabase, startPostgres, type RunningPostgres } from '../../infra/postgres';

const DATA_DIR = path.join(__dirname, '..', '..', '.cache', 'pg-test');
const PORT = Number(process.env.DOCKET_TEST_PG_PORT ?? 5434);
// Suffixed with the pid: concurrent test runs on one server must not share a database.
const DB = `docket_test_smtp_notifier_${process.pid}`;

/**
 * The run's shared server (started by the integration global setup) when there is
 * one, otherwise an embedded server of this file's own (or DATABASE_URL).
 */
async function testServer(): Promise<RunningPostgres> {
  const shared = process.env.DOCKET_TEST_DATABASE_URL;
  if (shared !== undefined && shared !== '') return { url: shared, embedded: false, stop: async () => undefined };
  return startPostgres({ dataDir: DATA_DIR, port: PORT });
}

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

let pg: RunningPostgres;
let pool: Pool;
let smtp: TestSmtpServer;
let rejecting: TestSmtpServer;

beforeAll(async () => {
  pg = await testServer();
  const url = await createDatabase(pg.url, DB, { fresh: true });
  pool = new Pool({ connectionString: url, max: 5 });
  await migrate(pool);
  smtp = await startSmtp();
  rejecting = await startSmtp({ rejectRecipients: true });
});

afterAll(async () => {
  await smtp?.close();
  await rejecting?.close();
  await pool?.end();
  if (pg !== undefined) {
    await dropDatabase(pg.url, DB);
    await pg.stop();
  }
});

const roleAddresses = { supervisor: ['sup1@example.test', 'sup2@example.test'] };

function notifierFor(server: TestSmtpServer): SmtpNotifier {
  return smtpNotifierFromConfig(
    {
      url: `smtp://docket:s3cret@127.0.0.1:${server.port}`,
      from: 'Docket <docket@example.test>',
      defaultDomain: 'corp.example.test',
      roleAddresses,
    },
    pool,
  );
}

function notification(id: string, overrides: Partial<Notification> = {}): Notification {
  return {
    id,
    caseId: 'case-42',
    processId: 'complaint',
    kind: 'escalation',
    to: [{ role: 'supervisor' }, { userId: 'alice' }, { userId: 'bob@partner.test' }],
    template: 'investigationOverdue',
    subject: { en: 'Investigation overdue', 'zh-CN': '调查已逾期' },
    data: { state: 'investigating', daysLate: 3, customer: '张三' },
    createdAt: '2024-03-05T09:30:00.000Z',
    ...overrides,
  };
}

async function outboxRow(id: string): Promise<Record<string, unknown> | undefined> {
  const { rows } = await pool.query('SELECT * FROM docket.notification_outbox WHERE id = $1', [id]);
  return rows[0] as Record<string, unknown> | undefined;
}

function mailsWithId(server: TestSmtpServer, id: string): ReceivedMail[] {
  return server.mails.filter((m) => m.headers.get('x-docket-notification-id') === id);
}

test('sends one mail with both subjects to the resolved recipients', async () => {
  const n = notification('case-42:7:0');
  await notifierFor(smtp).send(n);

  const mails = mailsWithId(smtp, n.id);
  expect(mails).toHaveLength(1);
  const mail = mails[0]!;
  expect([...mail.envelopeTo].sort()).toEqual(
    ['alice@corp.example.test', 'bob@partner.test', 'sup1@example.test', 'sup2@example.test'].sort(),
  );
  expect(mail.subject).toContain('Investigation overdue');
  expect(mail.subject).toContain('调查已逾期');
  expect(mail.headers.get('from')).toContain('docket@example.test');
  for (const expected of ['case-42', 'complaint', 'investigationOverdue', 'investigating', 'daysLate: 3', 'customer: 张三']) {
    expect(mail.body).toContain(expected);
  }
  expect(smtp.logins).toContain('docket:s3cret');

  expect(await outboxRow(n.id)).toMatchObject({ status: 'sent', attempts: 1, last_error: null, recipients: n.to });
  expect((await outboxRow(n.id))?.sent_at).toBeInstanceOf(Date);
});

test('sending the same notification again sends nothing more', async () => {
  const n = notification('case-42:8:0');
  const notifier = notifierFor(smtp);
  await notifier.send(n);
  await notifier.send(n);
  await notifierFor(smtp).send(n);
  expect(mailsWithId(smtp, n.id)).toHaveLength(1);
  expect(await outboxRow(n.id)).toMatchObject({ status: 'sent', attempts: 1 });
});

test('two concurrent sends of the same notification send one mail', async () => {
  const fresh = notification('case-42:9:0');
  await Promise.all([notifierFor(smtp).send(fresh), notifierFor(smtp).send(fresh)]);
  expect(mailsWithId(smtp, fresh.id)).toHaveLength(1);

  // Already in the outbox (e.g. recorded by an earlier attempt): the row lock serialises the senders.
  const recorded = notification('case-42:9:1');
  await new OutboxNotifier(pool).send(recorded);
  await Promise.all([notifierFor(smtp).send(recorded), notifierFor(smtp).send(recorded), notifierFor(smtp).send(recorded)]);
  expect(mailsWithId(smtp, recorded.id)).toHaveLength(1);
  expect(await outboxRow(recorded.id)).toMatchObject({ status: 'sent', attempts: 1 });
});

test('a refused send propagates and is recorded; a later retry delivers it', async () => {
  const n = notification('case-42:10:0');
  const failing = notifierFor(rejecting);
  await expect(failing.send(n)).rejects.toThrow();
  expect(rejecting.mails).toHaveLength(0);
  let row = await outboxRow(n.id);
  expect(row).toMatchObject({ status: 'failed', attempts: 1, sent_at: null });
  expect(String(row?.last_error)).toMatch(/550|rejected/i);

  await expect(failing.send(n)).rejects.toThrow();
  expect(await outboxRow(n.id)).toMatchObject({ status: 'failed', attempts: 2 });

  await notifierFor(smtp).send(n);
  expect(mailsWithId(smtp, n.id)).toHaveLength(1);
  row = await outboxRow(n.id);
  expect(row).toMatchObject({ status: 'sent', attempts: 3, last_error: null });
});

test('a notification without any resolvable address is refused as undeliverable', async () => {
  const n = notification('case-42:11:0', { to: [{ role: 'nobody' }] });
  const err = await notifierFor(smtp)
    .send(n)
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(UndeliverableNotificationError);
  expect(mailsWithId(smtp, n.id)).toHaveLength(0);
  expect(await outboxRow(n.id)).toMatchObject({ status: 'failed', attempts: 1 });
});

test('the default address resolver', () => {
  const resolve = addressResolver({ defaultDomain: 'corp.test', roleAddresses: { agent: ['team@corp.test', 'Alice@corp.test'] } });
  expect(resolve([{ userId: 'alice' }, { role: 'agent' }, { userId: 'x@y.test', role: 'unknown' }])).toEqual([
    'alice@corp.test',
    'team@corp.test',
    'x@y.test',
  ]);
  expect(addressResolver()([{ userId: 'alice' }, { userId: 'a@b.test' }])).toEqual(['a@b.test']);
});
