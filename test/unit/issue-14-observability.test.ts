/** Issue 14: the one logger factory, the new variables, the doctor's calendar coverage and production list. */
import { execFileSync } from 'node:child_process';
import { Writable } from 'node:stream';
import path from 'node:path';
import { calendarCoverage, productionGaps } from '../../cli/doctor';
import { configuredVariables, loadConfig, PROJECT_ROOT } from '../../config';
import type { CalendarData } from '../../engine/types';
import { createLogger } from '../../logging';

function capture(): { stream: Writable; lines: () => Array<Record<string, unknown>> } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  return {
    stream,
    lines: () =>
      text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('createLogger', () => {
  test('writes one JSON object a line with the process name, level and time, and masks secrets wherever they are', () => {
    const out = capture();
    const log = createLogger({ name: 'docket-worker', stream: out.stream, level: 'info' });
    log.info({ caseId: 'complaint-1', token: 'dkt_secret', request: { authorization: 'Bearer dkt_secret' }, password: 'pw' }, 'hello');
    log.debug('not at info');
    log.error({ err: Object.assign(new Error('boom'), { code: 'E_BOOM' }) }, 'failed');
    const [first, second, ...rest] = out.lines();
    expect(rest).toEqual([]);
    expect(first).toMatchObject({ level: 30, name: 'docket-worker', msg: 'hello', caseId: 'complaint-1', token: '***', password: '***' });
    expect(first!.request).toEqual({ authorization: '***' });
    expect(typeof first!.time).toBe('number');
    expect(JSON.stringify(first)).not.toContain('dkt_secret');
    expect(second).toMatchObject({ level: 50, msg: 'failed', err: { type: 'Error', code: 'E_BOOM', message: 'boom' } });
  });

  test('LOG_FORMAT=pretty writes text for a person (pino-pretty), JSON otherwise', () => {
    const run = (format: string) =>
      execFileSync(
        process.execPath,
        [
          '--import',
          'tsx',
          '-e',
          `require('./logging').createLogger({ name: 'docket-start', format: '${format}' }).info({ port: 3000 }, 'listening')`,
        ],
        { cwd: PROJECT_ROOT, encoding: 'utf8', env: { PATH: '' } },
      );
    const json = run('json');
    expect(JSON.parse(json)).toMatchObject({ name: 'docket-start', msg: 'listening', port: 3000 });
    const pretty = run('pretty');
    expect(() => JSON.parse(pretty)).toThrow();
    expect(pretty).toMatch(/INFO.*docket-start.*listening/);
    expect(pretty).toMatch(/port: 3000/);
  }, 30_000);
});

describe('configuration', () => {
  test('LOG_FORMAT, DOCKET_METRICS_TOKEN and DOCKET_WORKER_METRICS_ADDRESS are read and checked', () => {
    const dir = { DOCKET_DATA_DIR: path.join(PROJECT_ROOT, '.cache', 'no-such-data') };
    expect(loadConfig(dir)).toMatchObject({ logFormat: 'json', metrics: {} });
    const config = loadConfig({
      ...dir,
      LOG_FORMAT: 'pretty',
      DOCKET_METRICS_TOKEN: 'a-long-random-scrape-secret',
      DOCKET_WORKER_METRICS_ADDRESS: '0.0.0.0:9464',
    });
    expect(config).toMatchObject({ logFormat: 'pretty', metrics: { token: 'a-long-random-scrape-secret', workerAddress: '0.0.0.0:9464' } });
    expect(() => loadConfig({ ...dir, LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT must be json \(the default\) or pretty/);
    expect(() => loadConfig({ ...dir, DOCKET_METRICS_TOKEN: 'short' })).toThrow(/DOCKET_METRICS_TOKEN must be at least 16 characters/);
    expect(() => loadConfig({ ...dir, DOCKET_WORKER_METRICS_ADDRESS: '9464' })).toThrow(/must be host:port/);
  });

  test('the variables set are listed with secrets masked', () => {
    expect(
      configuredVariables({
        DATABASE_URL: 'postgres://admin:s3cret@db:5432/docket',
        DOCKET_TOKEN: 'dkt_abc',
        DOCKET_DB_API_PASSWORD: 'pw',
        DOCKET_ACTOR_KEYS: 'k1:c2VjcmV0',
        DOCKET_METRICS_TOKEN: 'a-long-random-scrape-secret',
        TEMPORAL_ADDRESS: 'temporal:7233',
        DOCKET_TASK_QUEUE: '',
        HOME: '/root',
      }),
    ).toEqual([
      { name: 'DATABASE_URL', value: 'postgres://admin:***@db:5432/docket' },
      { name: 'DOCKET_DB_API_PASSWORD', value: '***' },
      { name: 'TEMPORAL_ADDRESS', value: 'temporal:7233' },
      { name: 'DOCKET_TOKEN', value: '***' },
      { name: 'DOCKET_METRICS_TOKEN', value: '***' },
      { name: 'DOCKET_ACTOR_KEYS', value: '***' },
    ]);
  });
});

describe('docket doctor', () => {
  const calendar: CalendarData = {
    id: 'cn',
    timeZone: 'Asia/Shanghai',
    workingWeekdays: [1, 2, 3, 4, 5],
    workingHours: { start: '09:00', end: '18:00' },
    holidays: ['2025-01-01', '2026-10-01'],
    workingDays: ['2026-09-27'],
  };

  test('a calendar covers the whole years it lists holidays or make-up days of', () => {
    expect(calendarCoverage(calendar, new Date('2026-11-01T00:00:00Z'))).toEqual({
      id: 'cn',
      timeZone: 'Asia/Shanghai',
      from: '2025-01-01',
      to: '2026-12-31',
      daysLeft: 60,
    });
    expect(calendarCoverage(calendar, new Date('2027-01-02T00:00:00Z'))?.daysLeft).toBe(-2);
    expect(calendarCoverage({ ...calendar, holidays: [], workingDays: [] }, new Date())).toBeUndefined();
  });

  test('what production lacks follows from the configuration', () => {
    const dir = { DOCKET_DATA_DIR: path.join(PROJECT_ROOT, '.cache', 'no-such-data') };
    const dev = loadConfig(dir);
    const codes = (env: Record<string, string>, daysLeft = 365) => {
      const config = loadConfig({ ...dir, ...env });
      const set = new Set(Object.keys(env));
      return productionGaps(config, set, { id: 'cn', timeZone: 'Asia/Shanghai', from: '2025-01-01', to: '2026-12-31', daysLeft }).map(
        (g) => g.code,
      );
    };
    expect(productionGaps(dev, new Set(), undefined).map((g) => g.code)).toEqual([
      'EmbeddedDatabase',
      'DevTemporal',
      'NoTemporalTls',
      'LocalAuditKey',
      'ActorKeysFromFile',
      'NoSmtp',
      'MetricsOpen',
      'NoWorkerMetrics',
    ]);
    expect(codes({}, 59)).toContain('CalendarEnding');
    expect(codes({}, 60)).not.toContain('CalendarEnding');
    expect(codes({ DATABASE_URL: 'postgres://a:b@db/docket' })).toContain('SharedDatabaseLogin');
    expect(
      codes({
        DOCKET_API_DATABASE_URL: 'postgres://docket_api:b@db/docket',
        DOCKET_WORKER_DATABASE_URL: 'postgres://docket_worker:b@db/docket',
        TEMPORAL_ADDRESS: 'temporal.example.com:7233',
        TEMPORAL_TLS_CA: '/etc/docket/ca.pem',
        DOCKET_AUDIT_SIGNING_KEY_FILE: '/run/secrets/audit.pem',
        DOCKET_ACTOR_KEYS: 'k1:c2VjcmV0c2VjcmV0c2VjcmV0',
        SMTP_URL: 'smtp://mail.example.com:587',
        DOCKET_METRICS_TOKEN: 'a-long-random-scrape-secret',
        DOCKET_WORKER_METRICS_ADDRESS: '0.0.0.0:9464',
      }),
    ).toEqual([]);
  });
});
