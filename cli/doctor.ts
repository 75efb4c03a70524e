/**
 * `docket doctor`: what this machine's configuration says (variables set, secrets masked), what
 * answers (PostgreSQL with its schema version, Temporal with its namespace, the API's readiness),
 * how long the business calendar lasts, and what is still missing for production. Exit 1 when
 * something required does not answer; the list of what is missing for production never fails it.
 */
import { Connection } from '@temporalio/client';
import { loadMigrations, SCHEMA } from '../adapters/postgres/migrate';
import { createPool } from '../adapters/postgres/pool';
import { PostgresCalendarStore } from '../adapters/postgres/calendar-store';
import { loadCalendar } from '../client/setup';
import { configuredVariables, redactUrl, temporalTls, type ConfiguredVariable, type DocketConfig } from '../config';
import { calendarCoverage as engineCoverage, coverageDaysLeft } from '../engine/calendar/coverage';
import type { CalendarData } from '../engine/types';
import type { CliContext } from './context';
import { EXIT_FAILED, EXIT_OK } from './errors';

const TIMEOUT_MS = 3000;
/** A calendar that ends within this many days is reported as missing for production. */
export const CALENDAR_WARNING_DAYS = 60;

export interface Reachability {
  name: 'postgres' | 'temporal' | 'api';
  /** Whether the doctor fails when it does not answer (the API only when one is configured). */
  required: boolean;
  ok: boolean;
  /** False when there was nothing to try (no API configured). */
  tried: boolean;
  target?: string;
  ms?: number;
  detail?: string;
  error?: string;
}

export interface CalendarCoverage {
  id: string;
  /** The published version (none: the file, not yet imported). */
  version?: number;
  timeZone: string;
  /** The first and last days the calendar covers (its coverage range, or the whole years it lists dates of). */
  from: string;
  to: string;
  daysLeft: number;
}

export interface ProductionGap {
  code: string;
  message: string;
}

export interface DoctorReport {
  ok: boolean;
  configured: {
    variables: ConfiguredVariable[];
    database?: string;
    temporal: { address: string; namespace: string; taskQueue: string; tls: boolean };
    api?: string;
    calendarFile: string;
  };
  reachable: Reachability[];
  calendar: { file: string; ok: boolean; coverage?: CalendarCoverage; error?: string };
  production: ProductionGap[];
}

/** A calendar's coverage as the doctor reports it (engine/calendar/coverage.ts decides the range). */
export function calendarCoverage(calendar: CalendarData, today: Date): CalendarCoverage | undefined {
  const coverage = engineCoverage(calendar);
  const daysLeft = coverageDaysLeft(calendar, today.getTime());
  if (!coverage || daysLeft === undefined) return undefined;
  return {
    id: calendar.id,
    ...(calendar.version !== undefined && { version: calendar.version }),
    timeZone: calendar.timeZone,
    from: coverage.from,
    to: coverage.until,
    daysLeft,
  };
}

/** The calendar new cases pin: the newest published version in the database, else the configured file. */
async function activeCalendar(config: DocketConfig, database: string | undefined): Promise<CalendarData> {
  const file = await loadCalendar(config);
  if (!database) return file;
  const pool = createPool({ connectionString: database, max: 1, connectionTimeoutMillis: TIMEOUT_MS, statement_timeout: TIMEOUT_MS });
  try {
    return (await new PostgresCalendarStore(pool).latest(file.id).catch(() => undefined))?.calendar ?? file;
  } finally {
    await pool.end().catch(() => undefined);
  }
}

function message(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  const text = err instanceof Error ? err.message : String(err);
  return typeof code === 'string' && !text.includes(code) ? `${code}: ${text}` : text;
}

async function timed(check: Omit<Reachability, 'ok' | 'ms' | 'tried'>, run: () => Promise<string>): Promise<Reachability> {
  const started = performance.now();
  try {
    const detail = await run();
    return { ...check, tried: true, ok: true, ms: Math.round(performance.now() - started), detail };
  } catch (err) {
    return { ...check, tried: true, ok: false, ms: Math.round(performance.now() - started), error: message(err) };
  }
}

async function checkPostgres(url: string): Promise<string> {
  const pool = createPool({ connectionString: url, max: 1, connectionTimeoutMillis: TIMEOUT_MS, statement_timeout: TIMEOUT_MS });
  try {
    await pool.query('SELECT 1');
    const latest = (await loadMigrations()).map((m) => m.version);
    let applied: string[];
    try {
      applied = (await pool.query<{ version: string }>(`SELECT version FROM ${SCHEMA}.schema_migrations`)).rows.map((r) => r.version);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code === '42P01') return 'reachable; no Docket schema yet (run `docket db setup` or `docket db migrate`)';
      if (code === '42501') return 'reachable; this role may not read the schema version';
      throw err;
    }
    const pending = latest.filter((v) => !applied.includes(v));
    const current = [...applied].sort().at(-1) ?? 'none';
    return pending.length === 0
      ? `schema ${current} (up to date)`
      : `schema ${current}; pending: ${pending.join(', ')} (run \`docket db migrate\`)`;
  } finally {
    await pool.end().catch(() => undefined);
  }
}

async function checkTemporal(config: DocketConfig, address: string): Promise<string> {
  const connection = await Connection.connect({ address, tls: temporalTls(config), connectTimeout: TIMEOUT_MS });
  try {
    const deadline = Date.now() + TIMEOUT_MS;
    const info = await connection.withDeadline(deadline, () => connection.workflowService.getClusterInfo({}));
    await connection.withDeadline(deadline, () => connection.workflowService.describeNamespace({ namespace: config.namespace }));
    return `server ${info.serverVersion || 'unknown version'}, namespace ${config.namespace}`;
  } finally {
    await connection.close().catch(() => undefined);
  }
}

async function checkApi(url: string): Promise<string> {
  const res = await fetch(new URL('/ready', url), { signal: AbortSignal.timeout(TIMEOUT_MS) });
  const body = (await res.json().catch(() => undefined)) as { checks?: Record<string, { ok: boolean }> } | undefined;
  const checks = Object.entries(body?.checks ?? {})
    .map(([name, c]) => `${name} ${c.ok ? 'ok' : 'failing'}`)
    .join(', ');
  if (res.status !== 200) throw new Error(`GET /ready answered ${res.status}${checks ? ` (${checks})` : ''}`);
  return `ready${checks ? ` (${checks})` : ''}`;
}

/** What a production deployment should have that this configuration does not. */
export function productionGaps(config: DocketConfig, set: ReadonlySet<string>, coverage: CalendarCoverage | undefined): ProductionGap[] {
  const gaps: ProductionGap[] = [];
  const gap = (code: string, text: string) => gaps.push({ code, message: text });
  const roleUrls = set.has('DOCKET_API_DATABASE_URL') && set.has('DOCKET_WORKER_DATABASE_URL');
  if (!set.has('DATABASE_URL') && !roleUrls) {
    gap(
      'EmbeddedDatabase',
      "the database is `npm start`'s embedded PostgreSQL: run a PostgreSQL server, `docket db setup` it, set DOCKET_API_DATABASE_URL and DOCKET_WORKER_DATABASE_URL",
    );
  } else if (!roleUrls) {
    gap(
      'SharedDatabaseLogin',
      "the API or the workers would log in as DATABASE_URL's role: set DOCKET_API_DATABASE_URL and DOCKET_WORKER_DATABASE_URL (`docket db setup` prints them)",
    );
  }
  if (!set.has('TEMPORAL_ADDRESS'))
    gap('DevTemporal', "Temporal is `npm start`'s dev server: set TEMPORAL_ADDRESS (and TEMPORAL_NAMESPACE) to a Temporal cluster");
  if (!config.temporalTls)
    gap('NoTemporalTls', 'the connection to Temporal is plain TCP: set TEMPORAL_TLS_CA (and TEMPORAL_TLS_CERT, TEMPORAL_TLS_KEY for mTLS)');
  if (config.audit.generateSigningKey) {
    gap(
      'LocalAuditKey',
      'the audit signing key is generated on this machine: give each worker DOCKET_AUDIT_SIGNING_KEY_FILE from a secret store',
    );
  }
  if (!config.actorKeys)
    gap(
      'ActorKeysFromFile',
      `actor keys come from a file under ${config.dataDir}: set DOCKET_ACTOR_KEYS from a secret store, the same for every process`,
    );
  if (!config.smtp)
    gap('NoSmtp', 'no SMTP_URL: notifications reach people in the app (and configured group robots) only, nobody is mailed');
  if (!config.metrics.token)
    gap('MetricsOpen', "the API's /metrics answers anyone who reaches it: set DOCKET_METRICS_TOKEN, or keep it off public networks");
  if (!config.metrics.workerAddress)
    gap('NoWorkerMetrics', 'workers serve no Temporal SDK metrics: set DOCKET_WORKER_METRICS_ADDRESS (one port per worker)');
  if (coverage && coverage.daysLeft < CALENDAR_WARNING_DAYS) {
    gap(
      'CalendarEnding',
      coverage.daysLeft < 0
        ? `the business calendar ended on ${coverage.to}: deadlines count weekends only; publish next year's holidays`
        : `the business calendar ends on ${coverage.to}, in ${coverage.daysLeft} days: publish next year's holidays`,
    );
  }
  return gaps;
}

/** Runs every check; never throws for a server that does not answer (that is part of the report). */
export async function diagnose(ctx: CliContext, now: Date): Promise<DoctorReport> {
  const config = ctx.config();
  const variables = configuredVariables(ctx.environment());
  const set = new Set(variables.map((v) => v.name));
  const address = config.temporalAddress ?? 'localhost:7233';
  const apiUrl = ctx.apiUrl();

  const database = config.databaseUrl;
  const [postgres, temporal, api, calendar] = await Promise.all([
    database
      ? timed({ name: 'postgres', required: true, target: redactUrl(database) }, () => checkPostgres(database))
      : Promise.resolve<Reachability>({
          name: 'postgres',
          required: true,
          tried: false,
          ok: false,
          error: 'no database configured: set DATABASE_URL, or run `npm start`',
        }),
    timed({ name: 'temporal', required: true, target: address }, () => checkTemporal(config, address)),
    apiUrl
      ? timed({ name: 'api', required: true, target: apiUrl }, () => checkApi(apiUrl))
      : Promise.resolve<Reachability>({
          name: 'api',
          required: false,
          tried: false,
          ok: false,
          detail: 'no API configured (DOCKET_API_URL)',
        }),
    activeCalendar(config, database).then(
      (data) => ({ file: config.calendarFile, ok: true, ...(calendarCoverage(data, now) && { coverage: calendarCoverage(data, now)! }) }),
      (err: unknown) => ({ file: config.calendarFile, ok: false, error: message(err) }),
    ),
  ]);
  const reachable = [postgres, temporal, api];
  const coverage = 'coverage' in calendar ? calendar.coverage : undefined;
  return {
    ok: reachable.every((r) => r.ok || !r.required) && calendar.ok,
    configured: {
      variables,
      ...(database && { database: redactUrl(database) }),
      temporal: { address, namespace: config.namespace, taskQueue: config.taskQueue, tls: config.temporalTls !== undefined },
      ...(apiUrl && { api: apiUrl }),
      calendarFile: config.calendarFile,
    },
    reachable,
    calendar,
    production: productionGaps(config, set, coverage),
  };
}

const LABELS: Record<Reachability['name'], string> = { postgres: 'PostgreSQL', temporal: 'Temporal', api: 'API' };

function text(report: DoctorReport): string {
  const lines: string[] = ['Configured'];
  const width = Math.max(0, ...report.configured.variables.map((v) => v.name.length));
  for (const v of report.configured.variables) lines.push(`  ${v.name.padEnd(width)}  ${v.value}`);
  if (report.configured.variables.length === 0) lines.push('  no variables set: everything takes its default (README "Configuration")');
  const c = report.configured;
  lines.push(`  database: ${c.database ?? 'none'}`);
  lines.push(
    `  temporal: ${c.temporal.address}, namespace ${c.temporal.namespace}, task queue ${c.temporal.taskQueue}, ${c.temporal.tls ? 'TLS' : 'plain TCP'}`,
  );
  lines.push(`  api: ${c.api ?? 'none'}`);
  lines.push('', 'Reachable');
  for (const r of report.reachable) {
    const mark = r.ok ? 'ok  ' : !r.tried && !r.required ? 'skip' : 'FAIL';
    const what = r.ok ? r.detail : (r.error ?? r.detail);
    const where = [r.target, r.ms !== undefined ? `(${r.ms} ms)` : undefined].filter(Boolean).join(' ');
    lines.push(`  ${mark}  ${LABELS[r.name].padEnd(10)} ${[where, what].filter(Boolean).join(': ')}`);
  }
  lines.push('', 'Calendar');
  const cal = report.calendar;
  if (!cal.ok) lines.push(`  FAIL  ${cal.file}: ${cal.error}`);
  else if (cal.coverage) {
    const k = cal.coverage;
    lines.push(
      `  ${k.daysLeft < CALENDAR_WARNING_DAYS ? 'WARN' : 'ok  '}  ${k.id} (${k.timeZone}) covers ${k.from} to ${k.to}: ${k.daysLeft} days left`,
    );
  } else lines.push(`  WARN  ${cal.file} lists no holidays or make-up days`);
  lines.push('', 'Missing for production');
  for (const g of report.production) lines.push(`  - ${g.message} [${g.code}]`);
  if (report.production.length === 0) lines.push('  nothing');
  lines.push('', report.ok ? 'Everything required answers.' : 'Something required does not answer (FAIL above).', '');
  return lines.join('\n');
}

/** `docket doctor [--json]`: exit 0 when everything required answers, 1 otherwise. */
export async function doctorCommand(ctx: CliContext): Promise<number> {
  const report = await diagnose(ctx, new Date(ctx.now()));
  ctx.print(report, () => text(report));
  return report.ok ? EXIT_OK : EXIT_FAILED;
}
