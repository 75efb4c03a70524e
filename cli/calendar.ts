/**
 * `docket calendar check`: the active business calendar and how long it still covers (exit 1
 * within the warning window); `docket calendar publish <file>`: an admin publishes a new
 * version over the API, and the open cases adopt it.
 */
import { Pool } from 'pg';
import { PostgresCalendarStore } from '../adapters/postgres/calendar-store';
import { readCalendarFile } from '../client/calendars';
import { calendarCoverage, coverageDaysLeft, coverageWarning, COVERAGE_WARNING_DAYS } from '../engine/calendar/coverage';
import { validateCalendar } from '../engine/calendar/validate-calendar';
import type { CalendarData } from '../engine/types';
import { readJsonObject } from './args';
import type { CliContext } from './context';
import { EXIT_FAILED, EXIT_OK, invalidArgument } from './errors';
import { keyValues } from './format';

/** The active calendar: over the API when one is configured, else the newest version in the database, else the file. */
async function activeCalendar(ctx: CliContext): Promise<{ calendar: CalendarData; source: string }> {
  if (ctx.readsOverApi()) {
    const { body } = await ctx.api().request<{ calendar: CalendarData; version: number }>('GET', '/calendars/current');
    return { calendar: { ...body.calendar, version: body.version }, source: 'the API' };
  }
  const config = ctx.config();
  const file = validateCalendar(await readCalendarFile(config));
  if (!config.databaseUrl) return { calendar: file, source: config.calendarFile };
  const pool = new Pool({ connectionString: config.databaseUrl, max: 1 });
  try {
    const latest = await new PostgresCalendarStore(pool).latest(file.id);
    return latest
      ? { calendar: latest.calendar, source: 'the database' }
      : { calendar: file, source: `${config.calendarFile} (not yet imported)` };
  } finally {
    await pool.end();
  }
}

export async function calendarCheckCommand(ctx: CliContext, opts: { within?: string } = {}): Promise<number> {
  const within = opts.within === undefined ? COVERAGE_WARNING_DAYS : Number(opts.within);
  if (!Number.isInteger(within) || within < 0 || within > 3650)
    throw invalidArgument(`--within "${opts.within}": give a number of days from 0 to 3650`);
  const { calendar, source } = await activeCalendar(ctx);
  const now = ctx.now();
  const coverage = calendarCoverage(calendar);
  const daysLeft = coverageDaysLeft(calendar, now);
  const warning = coverageWarning(calendar, now, within);
  const report = {
    calendarId: calendar.id,
    version: calendar.version ?? null,
    coversFrom: coverage?.from ?? null,
    coversUntil: coverage?.until ?? null,
    daysLeft: daysLeft ?? null,
    source,
    ...(warning && { warning }),
  };
  ctx.print(report, () => {
    const lines = keyValues([
      ['Calendar', `${calendar.id}${calendar.version === undefined ? '' : ` version ${calendar.version}`} (from ${source})`],
      [
        'Covers',
        coverage ? `${coverage.from} to ${coverage.until}${coverage.inferred ? ' (read from its dates)' : ''}` : 'no dates listed',
      ],
      ['Days left', daysLeft === undefined ? '-' : String(daysLeft)],
    ]);
    return lines + (warning ? `warning: ${warning}\n` : `ok: covered for more than ${within} days\n`);
  });
  return warning ? EXIT_FAILED : EXIT_OK;
}

interface Publication {
  published: { calendarId: string; version: number; hash: string; coversFrom: string; coversUntil: string };
  created: boolean;
  rollout: { cases: number; adopted: number; unchanged: number; failed: Array<{ caseId: string; code: string; message: string }> };
}

export async function calendarPublishCommand(ctx: CliContext, file: string): Promise<number> {
  const body = readJsonObject(`@${file}`, '<file>', ctx.cwd);
  const { body: result } = await ctx.api().request<Publication>('POST', '/calendars', { body, role: 'admin' });
  const { published: v, rollout } = result;
  ctx.print(result, () => {
    const head = result.created
      ? `Published calendar ${v.calendarId} version ${v.version} (${v.coversFrom} to ${v.coversUntil}), sha256 ${v.hash.slice(0, 12)}\n`
      : `Calendar ${v.calendarId} version ${v.version} has this content already: nothing stored; rolled out again\n`;
    const failed = rollout.failed.map((f) => `  ${f.caseId}: ${f.code}: ${f.message}\n`).join('');
    return (
      head +
      `Open cases: ${rollout.cases}; adopted it now: ${rollout.adopted}; had it already: ${rollout.unchanged}; not reached: ${rollout.failed.length}\n` +
      (failed ? `${failed}Publish the same file again to retry them.\n` : '')
    );
  });
  return rollout.failed.length > 0 ? EXIT_FAILED : EXIT_OK;
}
