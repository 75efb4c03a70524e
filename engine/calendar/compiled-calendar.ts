/**
 * A calendar read into lookup form: local dates as day numbers, business hours
 * as milliseconds since local midnight. Built per call from the plain
 * `CalendarData` (cheap), so the data stays the single source of truth.
 */
import type { CalendarData } from '../types';
import { isoWeekday, parseLocalDate } from './civil-date';
import { parseBusinessHoursTime } from './time-of-day';
import { isValidTimeZone, wallTimeToInstant } from './time-zone';

export interface CompiledCalendar {
  id: string;
  timeZone: string;
  weekdays: ReadonlySet<number>;
  holidays: ReadonlySet<number>;
  workingDays: ReadonlySet<number>;
  /** Start and end of business hours, milliseconds since local midnight. */
  startMs: number;
  endMs: number;
  /** The longest run of consecutive non-working days this calendar can have, plus one. */
  searchLimit: number;
}

const compiled = new WeakMap<CalendarData, CompiledCalendar>();

/** The calendar in lookup form; built once per calendar object (calendars are never changed in place). */
export function compileCalendar(cal: CalendarData): CompiledCalendar {
  let cc = compiled.get(cal);
  if (cc === undefined) {
    cc = buildCalendar(cal);
    compiled.set(cal, cc);
  }
  return cc;
}

function buildCalendar(cal: CalendarData): CompiledCalendar {
  const label = `calendar ${JSON.stringify(cal.id)}`;
  if (!isValidTimeZone(cal.timeZone)) {
    throw new RangeError(`${label}: timeZone ${JSON.stringify(cal.timeZone)} is not a known IANA time zone`);
  }
  const startMs = parseBusinessHoursTime(cal.workingHours.start, `${label}: workingHours.start`);
  const endMs = parseBusinessHoursTime(cal.workingHours.end, `${label}: workingHours.end`);
  if (endMs <= startMs) {
    throw new RangeError(
      `${label}: workingHours.end (${cal.workingHours.end}) must be after workingHours.start (${cal.workingHours.start})`,
    );
  }
  const holidays = new Set(cal.holidays.map((d) => parseLocalDate(d, `${label}: holiday`)));
  return {
    id: cal.id,
    timeZone: cal.timeZone,
    weekdays: new Set(cal.workingWeekdays),
    holidays,
    workingDays: new Set(cal.workingDays.map((d) => parseLocalDate(d, `${label}: working day`))),
    startMs,
    endMs,
    // With at least one working weekday, a run of non-working days is at most
    // six weekdays off plus every holiday.
    searchLimit: holidays.size + 8,
  };
}

export function isWorkingDayNumber(cc: CompiledCalendar, dayNumber: number): boolean {
  if (cc.holidays.has(dayNumber)) return false;
  if (cc.workingDays.has(dayNumber)) return true;
  return cc.weekdays.has(isoWeekday(dayNumber));
}

/** The first working day strictly after (`step` 1) or before (`step` -1) `dayNumber`. */
export function adjacentWorkingDay(cc: CompiledCalendar, dayNumber: number, step: 1 | -1): number {
  let candidate = dayNumber;
  for (let i = 0; i < cc.searchLimit; i++) {
    candidate += step;
    if (isWorkingDayNumber(cc, candidate)) return candidate;
  }
  throw new RangeError(`calendar ${JSON.stringify(cc.id)} has no working day within ${cc.searchLimit} days; check workingWeekdays`);
}

/** The instant business hours start on local day `dayNumber`. */
export function businessStart(cc: CompiledCalendar, dayNumber: number): number {
  return wallTimeToInstant(cc.timeZone, dayNumber, cc.startMs);
}

/** The instant business hours end on local day `dayNumber`. */
export function businessEnd(cc: CompiledCalendar, dayNumber: number): number {
  return wallTimeToInstant(cc.timeZone, dayNumber, cc.endMs);
}
