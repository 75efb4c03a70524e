/**
 * Business calendars for clients: the version new cases pin, and the roll-out of a newly
 * published version to the open cases. Nothing is cached: every process reads the newest
 * version from PostgreSQL, so a publication through one API process is seen by all.
 */
import { readFile } from 'node:fs/promises';
import type { Pool } from 'pg';
import { PostgresCalendarStore, type CalendarVersion, type PublishedCalendar } from '../adapters/postgres/calendar-store';
import { coverageWarning } from '../engine/calendar/coverage';
import { validateCalendar } from '../engine/calendar/validate-calendar';
import type { DocketConfig } from '../config';
import type { Actor, CalendarData } from '../engine/types';
import type { CaseStore } from '../ports';
import { DocketError, type DocketClient } from './docket-client';

/** The configured calendar file, parsed (not yet checked). */
export async function readCalendarFile(config: Pick<DocketConfig, 'calendarFile'>): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(config.calendarFile, 'utf8')) as Record<string, unknown>;
}

/** The versions of the configured calendar; the file is imported as version 1 of a calendar that has none. */
export class CalendarSource {
  private seeded?: Promise<CalendarVersion>;

  constructor(
    private readonly store: PostgresCalendarStore,
    private readonly config: Pick<DocketConfig, 'calendarFile' | 'timeZone'>,
  ) {}

  /** The newest published version of the configured calendar (imported from the file on first use). */
  async currentVersion(): Promise<CalendarVersion> {
    this.seeded ??= readCalendarFile(this.config).then((raw) => this.store.seed(raw));
    this.seeded.catch(() => (this.seeded = undefined));
    const seeded = await this.seeded;
    return (await this.store.latest(seeded.calendarId)) ?? seeded;
  }

  /** The calendar new cases pin: the newest version, in the configured time zone when one is set. */
  async current(): Promise<CalendarData> {
    const { calendar } = await this.currentVersion();
    return this.config.timeZone ? { ...calendar, timeZone: this.config.timeZone } : calendar;
  }

  /** The warning to show while the newest version ends within 60 days of `now` (or has ended). */
  async warning(now = Date.now()): Promise<string | undefined> {
    return coverageWarning((await this.currentVersion()).calendar, now);
  }

  /** Publishes a calendar as the next version of its id (see PostgresCalendarStore.publish). */
  publish(raw: unknown, by: string): Promise<PublishedCalendar> {
    return this.store.publish(raw, by);
  }

  versions(calendarId: string): Promise<CalendarVersion[]> {
    return this.store.versions(calendarId);
  }
}

export interface CalendarRollout {
  /** Open cases asked to adopt the version. */
  cases: number;
  /** Cases that recounted their deadlines on it. */
  adopted: number;
  /** Cases that counted on it (or a newer version, or another calendar) already, or closed meanwhile. */
  unchanged: number;
  /** Cases that could not be told (not found in Temporal, unavailable): publishing again retries them. */
  failed: Array<{ caseId: string; code: string; message: string }>;
}

const UNCHANGED = new Set(['CalendarCurrent', 'CaseClosed']);

/**
 * Asks every open case (from the case projection) to adopt a published calendar version. Each
 * case takes a version at most once and ignores an older one, so a roll-out may be repeated
 * (publishing the same file again) and may run in several API processes at once.
 */
export async function rollOutCalendar(
  docket: Pick<DocketClient, 'adoptCalendar'>,
  cases: Pick<CaseStore, 'listCases'>,
  calendar: CalendarData,
  actor: Actor,
): Promise<CalendarRollout> {
  const open = await cases.listCases({ status: 'open' });
  const out: CalendarRollout = { cases: open.length, adopted: 0, unchanged: 0, failed: [] };
  for (const { caseId } of open) {
    try {
      const result = await docket.adoptCalendar(caseId, { calendar, actor });
      if (result.adopted) out.adopted += 1;
      else out.unchanged += 1;
    } catch (err) {
      if (err instanceof DocketError && UNCHANGED.has(err.code)) out.unchanged += 1;
      else out.failed.push({ caseId, code: err instanceof DocketError ? err.code : 'Unavailable', message: (err as Error).message });
    }
  }
  return out;
}

/**
 * The start-up warning of a process whose calendar ends within 60 days (or has ended): the
 * newest published version, read as `pool`'s role may, else the configured file.
 */
export async function calendarStartupWarning(
  pool: Pool,
  config: Pick<DocketConfig, 'calendarFile'>,
  now = Date.now(),
): Promise<string | undefined> {
  const file = validateCalendar(await readCalendarFile(config));
  const latest = await new PostgresCalendarStore(pool).latest(file.id).catch(() => undefined);
  return coverageWarning(latest?.calendar ?? file, now);
}
