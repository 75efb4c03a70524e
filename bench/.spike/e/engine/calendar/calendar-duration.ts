import type { CalendarData } from '../types';
import { addMonthsClamped } from './civil-date';
import { MS_PER_HOUR, MS_PER_MINUTE } from './time-of-day';
import { wallClockAt, wallTimeToInstant } from './time-zone';

/** A span of calendar (not business) time. Each part may be negative. */
export interface CalendarDuration {
  months?: number;
  days?: number;
  hours?: number;
  minutes?: number;
  seconds?: number;
}

function wholeNumber(value: number | undefined, what: string): number {
  if (value === undefined) return 0;
  if (!Number.isInteger(value)) throw new RangeError(`${what} must be a whole number, got ${String(value)}`);
  return value;
}

function finiteNumber(value: number | undefined, what: string): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new RangeError(`${what} must be a finite number, got ${String(value)}`);
  return value;
}

/**
 * Adds calendar time, read in the calendar's time zone: first `months` and
 * `days` on the local wall clock, keeping the local time of day (so a day
 * across a daylight-saving change is 23 or 25 hours, and Jan 31 + 1 month is
 * Feb 28/29), then `hours`, `minutes` and `seconds` as elapsed time.
 */
export function addCalendarDuration(cal: CalendarData, from: number, d: CalendarDuration): number {
  const months = wholeNumber(d.months, 'months');
  const days = wholeNumber(d.days, 'days');
  const elapsed =
    finiteNumber(d.hours, 'hours') * MS_PER_HOUR +
    finiteNumber(d.minutes, 'minutes') * MS_PER_MINUTE +
    finiteNumber(d.seconds, 'seconds') * 1000;
  let t = from;
  if (months !== 0 || days !== 0) {
    const wall = wallClockAt(cal.timeZone, from);
    const day = addMonthsClamped(wall.dayNumber, months) + days;
    t = wallTimeToInstant(cal.timeZone, day, wall.msOfDay);
  }
  return t + Math.round(elapsed);
}
