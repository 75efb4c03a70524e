import type { CalendarData } from '../types';
import { adjacentWorkingDay, compileCalendar, isWorkingDayNumber } from './compiled-calendar';
import { wallClockAt, wallTimeToInstant } from './time-zone';

/**
 * Moves `days` working days from `from`, keeping the local time of day.
 *
 * `from` is first brought into business hours, in the direction of travel:
 * - forward (`days` ≥ 0): before the start of business on a working day → that
 *   day's start; after its end, or on a non-working day → the start of the next
 *   working day;
 * - backward (`days` < 0): after the end of business on a working day → that
 *   day's end; before its start, or on a non-working day → the end of the
 *   previous working day.
 *
 * Then only working days are counted, so the result always falls on a working
 * day (a deadline that would land on a holiday lands after it). The bounds of
 * business hours count as inside them. `days` = 0 only does the first step and
 * returns `from` unchanged when it already is within business hours.
 */
export function addBusinessDays(cal: CalendarData, from: number, days: number): number {
  if (!Number.isInteger(days)) {
    throw new RangeError(`business days must be a whole number, got ${String(days)}`);
  }
  const cc = compileCalendar(cal);
  const wall = wallClockAt(cc.timeZone, from);
  const forward = days >= 0;
  let day = wall.dayNumber;
  let timeOfDay = wall.msOfDay;
  let unchanged = true;
  if (!isWorkingDayNumber(cc, day)) {
    day = adjacentWorkingDay(cc, day, forward ? 1 : -1);
    timeOfDay = forward ? cc.startMs : cc.endMs;
    unchanged = false;
  } else if (timeOfDay < cc.startMs) {
    if (forward) {
      timeOfDay = cc.startMs;
    } else {
      day = adjacentWorkingDay(cc, day, -1);
      timeOfDay = cc.endMs;
    }
    unchanged = false;
  } else if (timeOfDay > cc.endMs) {
    if (forward) {
      day = adjacentWorkingDay(cc, day, 1);
      timeOfDay = cc.startMs;
    } else {
      timeOfDay = cc.endMs;
    }
    unchanged = false;
  }
  if (days === 0 && unchanged) return from;
  for (let i = 0; i < Math.abs(days); i++) {
    day = adjacentWorkingDay(cc, day, forward ? 1 : -1);
  }
  return wallTimeToInstant(cc.timeZone, day, timeOfDay);
}
