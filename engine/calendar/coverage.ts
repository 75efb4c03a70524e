/**
 * A calendar's coverage: the dates whose holidays and make-up days it lists. Beyond its
 * end a deadline still counts, but on weekends only (every public holiday is a working
 * day there), so operators are warned before the end and such deadlines are flagged.
 * Pure: the current time is always passed in.
 */
import type { CalendarData } from '../types';
import { parseLocalDate } from './civil-date';
import { localDate } from './local-time';

/** The active calendar is reported as ending soon this many days before its last covered date. */
export const COVERAGE_WARNING_DAYS = 60;

export interface CalendarCoverage {
  from: string;
  until: string;
  /** True for a calendar without `coversFrom`/`coversUntil`: the whole years of its listed dates. */
  inferred: boolean;
}

/**
 * The dates a calendar covers: its `coversFrom`/`coversUntil`, or, for a calendar pinned before
 * calendars had a coverage, the whole years its holidays and make-up days fall in.
 */
export function calendarCoverage(cal: CalendarData): CalendarCoverage | undefined {
  if (cal.coversFrom !== undefined && cal.coversUntil !== undefined)
    return { from: cal.coversFrom, until: cal.coversUntil, inferred: false };
  const years = [...cal.holidays, ...cal.workingDays].map((d) => d.slice(0, 4)).sort();
  const [first] = years;
  const last = years.at(-1);
  if (first === undefined || last === undefined) return undefined;
  return { from: `${first}-01-01`, until: `${last}-12-31`, inferred: true };
}

/** Whole days from the local date of `now` to the last covered date (0 on that date, negative once it passed). */
export function coverageDaysLeft(cal: CalendarData, now: number): number | undefined {
  const coverage = calendarCoverage(cal);
  if (!coverage) return undefined;
  return parseLocalDate(coverage.until) - parseLocalDate(localDate(cal, now));
}

/** The warning to show when the calendar ends within `withinDays` of `now` (or has ended); undefined otherwise. */
export function coverageWarning(cal: CalendarData, now: number, withinDays = COVERAGE_WARNING_DAYS): string | undefined {
  const coverage = calendarCoverage(cal);
  const left = coverageDaysLeft(cal, now);
  if (!coverage || left === undefined || left > withinDays) return undefined;
  const name = `calendar "${cal.id}"${cal.version === undefined ? '' : ` (version ${cal.version})`}`;
  const fix = "publish next year's holidays and make-up days (docket calendar publish <file>, or the admin page)";
  return left < 0
    ? `${name} ended on ${coverage.until}: deadlines after it are counted on weekends only; ${fix}`
    : `${name} ends on ${coverage.until}, in ${left} day(s): deadlines after it are counted on weekends only; ${fix}`;
}

/** The flag of a due time beyond the calendar's coverage: `counted on weekends only: the calendar ends 2026-12-31`. */
export function beyondCoverage(cal: CalendarData, dueAt: number): string | undefined {
  const coverage = calendarCoverage(cal);
  if (!coverage || localDate(cal, dueAt) <= coverage.until) return undefined;
  return `counted on weekends only: the calendar ends ${coverage.until}`;
}
