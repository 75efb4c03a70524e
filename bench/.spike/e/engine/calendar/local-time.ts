import type { CalendarData } from '../types';
import { formatLocalDate, parseLocalDate } from './civil-date';
import { formatTimeOfDay, parseLocalTime } from './time-of-day';
import { formatOffset, wallClockAt, wallTimeToInstant } from './time-zone';

/** The local date `YYYY-MM-DD` of instant `t` in the calendar's time zone. */
export function localDate(cal: CalendarData, t: number): string {
  return formatLocalDate(wallClockAt(cal.timeZone, t).dayNumber);
}

/** The local date and time of instant `t` with its UTC offset, e.g. `2025-10-09T14:00:00+08:00` (milliseconds dropped). */
export function localDateTime(cal: CalendarData, t: number): string {
  const wall = wallClockAt(cal.timeZone, t);
  return `${formatLocalDate(wall.dayNumber)}T${formatTimeOfDay(wall.msOfDay)}${formatOffset(wall.offsetMs)}`;
}

/**
 * The instant at which the calendar's local clock shows `localTime`
 * (`HH:MM[:SS[.sss]]`) on `localDate` (`YYYY-MM-DD`). A time that occurs twice
 * (clocks set back) gives the earlier instant; a time skipped by clocks set
 * forward is moved forward by the gap (02:30 → 03:30).
 */
export function zonedToInstant(cal: CalendarData, localDateText: string, localTime: string): number {
  return wallTimeToInstant(cal.timeZone, parseLocalDate(localDateText), parseLocalTime(localTime));
}
