/** Issue 14: `docket doctor` against the test stack, and against servers that do not answer. */
import { runCli } from '../helpers/cli';
import { startTestApi, type TestApi } from '../helpers/api';
import { createHarness, type Harness } from '../helpers/harness';
import { freePort } from '../../infra/net';
import type { DoctorReport } from '../../cli/doctor';

let h: Harness;
let api: TestApi;

beforeAll(async () => {
  h = await createHarness('issue14-doctor');
  api = await startTestApi(h);
}, 120_000);
afterAll(async () => {
  await api?.close();
  await h?.close();
});

const TOKEN = 'dkt_doctor_secret_token_value';
const env = () => ({
  DATABASE_URL: h.config.databaseUrl!,
  TEMPORAL_ADDRESS: h.config.temporalAddress!,
  DOCKET_API_URL: api.url,
  DOCKET_TOKEN: TOKEN,
  SMTP_URL: 'smtp://mailer:mail-password@mail.example.com:587',
  LOG_FORMAT: 'json',
  DOCKET_DATA_DIR: h.config.dataDir,
  DOCKET_TASK_QUEUE: h.taskQueue,
});

test('docket doctor --json: what is set (secrets masked), what answers, the schema, the calendar, what production lacks', async () => {
  const { code, out } = await runCli(['doctor', '--json'], { env: env(), now: () => Date.parse('2026-12-01T00:00:00Z') });
  expect(code).toBe(0);
  const report = JSON.parse(out) as DoctorReport;
  expect(report.ok).toBe(true);
  expect(report.configured.variables).toEqual(
    expect.arrayContaining([
      { name: 'DOCKET_TOKEN', value: '***' },
      { name: 'SMTP_URL', value: 'smtp://mailer:***@mail.example.com:587' },
      { name: 'TEMPORAL_ADDRESS', value: h.config.temporalAddress },
      { name: 'LOG_FORMAT', value: 'json' },
      { name: 'DOCKET_API_URL', value: api.url },
    ]),
  );
  const password = new URL(h.config.databaseUrl!).password;
  if (password) expect(out).not.toContain(password);
  expect(out).not.toContain(TOKEN);
  expect(out).not.toContain('mail-password');

  const byName = Object.fromEntries(report.reachable.map((r) => [r.name, r]));
  expect(byName.postgres).toMatchObject({ ok: true, required: true, detail: expect.stringMatching(/^schema \d{3}_\w+ \(up to date\)$/) });
  expect(byName.temporal).toMatchObject({ ok: true, detail: expect.stringMatching(/namespace default$/) });
  expect(byName.api).toMatchObject({ ok: true, detail: 'ready (postgres ok, temporal ok)' });

  expect(report.calendar).toMatchObject({ ok: true, coverage: { id: 'cn', to: '2026-12-31', daysLeft: 30 } });
  const gaps = report.production.map((g) => g.code);
  // DATABASE_URL alone, no TLS, a generated audit key, keys from a file, an open /metrics, a calendar ending in 30 days.
  expect(gaps).toEqual(
    expect.arrayContaining([
      'SharedDatabaseLogin',
      'NoTemporalTls',
      'LocalAuditKey',
      'ActorKeysFromFile',
      'MetricsOpen',
      'NoWorkerMetrics',
      'CalendarEnding',
    ]),
  );
  expect(gaps).not.toContain('NoSmtp');
  expect(gaps).not.toContain('DevTemporal');
  expect(gaps).not.toContain('EmbeddedDatabase');
});

test('docket doctor in text: the same, for a person', async () => {
  const { code, out } = await runCli(['doctor'], { env: env(), now: () => Date.parse('2026-06-01T00:00:00Z') });
  expect(code).toBe(0);
  expect(out).toMatch(/^Configured\n/);
  expect(out).toMatch(/ {2}DOCKET_TOKEN +\*\*\*\n/);
  expect(out).toMatch(/ok +PostgreSQL .*schema \d{3}_\w+ \(up to date\)/);
  expect(out).toMatch(/ok +Temporal /);
  expect(out).toMatch(/ok +API .*ready/);
  expect(out).toContain('cn (Asia/Shanghai) covers 2025-01-01 to 2026-12-31: 213 days left');
  expect(out).toContain('[NoTemporalTls]');
  expect(out).not.toContain('[CalendarEnding]');
  expect(out).not.toContain(TOKEN);
  expect(out).toMatch(/Everything required answers\.\n$/);
});

test('docket doctor exits 1 and names what does not answer: PostgreSQL and Temporal on closed ports, no API', async () => {
  const pgPort = await freePort();
  const temporalPort = await freePort();
  const broken = {
    ...h.config,
    databaseUrl: `postgres://docket_api:hunter2-secret@127.0.0.1:${pgPort}/docket`,
    temporalAddress: `127.0.0.1:${temporalPort}`,
    api: { ...h.config.api!, url: undefined },
  };
  delete (broken.api as { url?: string }).url;
  const { code, out } = await runCli(['doctor', '--json'], { config: broken, env: {} });
  expect(code).toBe(1);
  const report = JSON.parse(out) as DoctorReport;
  expect(report.ok).toBe(false);
  const byName = Object.fromEntries(report.reachable.map((r) => [r.name, r]));
  expect(byName.postgres).toMatchObject({ ok: false, required: true, error: expect.stringContaining('ECONNREFUSED') });
  expect(byName.temporal).toMatchObject({ ok: false, required: true, target: `127.0.0.1:${temporalPort}` });
  expect(byName.api).toMatchObject({ ok: false, required: false, tried: false });
  expect(report.configured.variables).toEqual([]);
  expect(report.production.map((g) => g.code)).toEqual(expect.arrayContaining(['EmbeddedDatabase', 'DevTemporal', 'NoSmtp']));
  expect(out).not.toContain('hunter2-secret');

  const text = await runCli(['doctor'], { config: broken, env: {} });
  expect(text.code).toBe(1);
  expect(text.out).toMatch(/FAIL {2}PostgreSQL/);
  expect(text.out).toMatch(/FAIL {2}Temporal/);
  expect(text.out).toMatch(/skip {2}API/);
  expect(text.out).toContain('Something required does not answer');
}, 30_000);
