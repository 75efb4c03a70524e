import type { CalendarData } from '../types';
import { adjacentWorkingDay, businessEnd, businessStart, compileCalendar, isWorkingDayNumber } from './compiled-calendar';
import { MS_PER_HOUR } from './time-of-day';
import { wallClockAt } from './time-zone';

/**
 * Adds `hours` of working time to `from`: only time inside business hours of
 * working days counts (Friday 17:00 + 2 h with 09:00–18:00 → Monday 10:00, or
 * the next working day's 10:00 when Monday is a holiday). Negative `hours`
 * count backward the same way (Monday 10:00 − 2 h → Friday 17:00).
 *
 * Time outside business hours is skipped first, so `hours` = 0 moves `from`
 * forward to the next business instant (itself when already inside). A result
 * that exactly uses up a day's hours is that day's end (16:00 + 2 h → 18:00),
 * backward its start. Fractions of an hour are kept to the millisecond.
 */
export function addBusinessHours(cal: CalendarData, from: number, hours: number): number {
  if (typeof hours !== 'number' || !Number.isFinite(hours)) {
    throw new RangeError(`business hours must be a finite number, got ${String(hours)}`);
  }
  const cc = compileCalendar(cal);
  let day = wallClockAt(cc.timeZone, from).dayNumber;
  let cursor = from;
  const amount = Math.round(hours * MS_PER_HOUR);

  if (amount >= 0) {
    let remaining = amount;
    if (!isWorkingDayNumber(cc, day)) {
      day = adjacentWorkingDay(cc, day, 1);
      cursor = businessStart(cc, day);
    }
    for (;;) {
      const start = businessStart(cc, day);
      const end = businessEnd(cc, day);
      if (cursor < start) cursor = start;
      if (cursor <= end) {
        const available = end - cursor;
        if (remaining <= available) return cursor + remaining;
        remaining -= available;
      }
      day = adjacentWorkingDay(cc, day, 1);
      cursor = businessStart(cc, day);
    }
  }

  let remaining = -amount;
  if (!isWorkingDayNumber(cc, day)) {
    day = adjacentWorkingDay(cc, day, -1);
    cursor = businessEnd(cc, day);
  }
  for (;;) {
    const start = businessStart(cc, day);
    const end = businessEnd(cc, day);
    if (cursor > end) cursor = end;
    if (cursor >= start) {
      const available = cursor - start;
      if (remaining <= available) return cursor - remaining;
      remaining -= available;
    }
    day = adjacentWorkingDay(cc, day, -1);
    cursor = businessEnd(cc, day);
  }
}
