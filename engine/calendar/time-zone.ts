/**
 * Converting between UTC instants and wall-clock time in an IANA time zone,
 * using only `Intl.DateTimeFormat` (deterministic, allowed in the workflow
 * sandbox). Formatters are cached per time zone.
 */
import { MS_PER_DAY, daysFromCivil, mod } from './civil-date';

/** The wall clock of an instant in a time zone. */
export interface WallClock {
  /** Local date as a day number (days since 1970-01-01). */
  dayNumber: number;
  /** Milliseconds since local midnight. */
  msOfDay: number;
  /** Local time minus UTC, in milliseconds (e.g. +28 800 000 for UTC+8). */
  offsetMs: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Whether the runtime knows `timeZone` as a time zone. */
export function isValidTimeZone(timeZone: string): boolean {
  if (typeof timeZone !== 'string' || timeZone.length === 0) return false;
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

function assertInstant(t: number, what: string): void {
  if (typeof t !== 'number' || !Number.isFinite(t)) {
    throw new RangeError(`${what} must be a finite number of epoch milliseconds, got ${String(t)}`);
  }
}

/** Wall clocks already read, by time zone and whole second: `formatToParts` is slow and the same instants recur. */
const wallClocks = new Map<string, { dayNumber: number; secondsOfDay: number; offsetMs: number }>();
const WALL_CLOCK_CACHE_SIZE = 4096;

/** The local date, time of day and UTC offset of the instant `t` in `timeZone`. */
export function wallClockAt(timeZone: string, t: number): WallClock {
  assertInstant(t, 'instant');
  const millis = mod(t, 1000);
  const wholeSeconds = t - millis;
  const key = `${timeZone} ${wholeSeconds}`;
  const known = wallClocks.get(key);
  if (known !== undefined)
    return {
      dayNumber: known.dayNumber,
      msOfDay: known.secondsOfDay * 1000 + millis,
      offsetMs: known.offsetMs,
    };
  const parts: Partial<Record<Intl.DateTimeFormatPartTypes, number>> = {};
  for (const part of formatterFor(timeZone).formatToParts(wholeSeconds)) parts[part.type] = Number(part.value);
  const { year = 0, month = 0, day = 0, minute = 0, second = 0 } = parts;
  // Some ICU versions write midnight as 24.
  const hour = (parts.hour ?? 0) % 24;
  const dayNumber = daysFromCivil(year, month, day);
  const secondsOfDay = hour * 3600 + minute * 60 + second;
  const offsetMs = dayNumber * MS_PER_DAY + secondsOfDay * 1000 - wholeSeconds;
  if (wallClocks.size >= WALL_CLOCK_CACHE_SIZE) wallClocks.clear();
  wallClocks.set(key, { dayNumber, secondsOfDay, offsetMs });
  return { dayNumber, msOfDay: secondsOfDay * 1000 + millis, offsetMs };
}

function offsetAt(timeZone: string, t: number): number {
  return wallClockAt(timeZone, t).offsetMs;
}

/**
 * The instant at which the wall clock in `timeZone` shows `msOfDay` on local
 * day `dayNumber` (`msOfDay` may reach past midnight: 24:00 is the next day's 00:00).
 *
 * Like `Temporal`'s `compatible` disambiguation: a wall time that occurs twice
 * (clocks set back) resolves to the earlier instant; a wall time skipped by a
 * forward change resolves to the same distance after the change (02:30 in a
 * 02:00→03:00 gap becomes 03:30).
 */
export function wallTimeToInstant(timeZone: string, dayNumber: number, msOfDay: number): number {
  const wall = dayNumber * MS_PER_DAY + msOfDay;
  assertInstant(wall, 'local date and time');
  const offsetBefore = offsetAt(timeZone, wall - MS_PER_DAY);
  const offsetAfter = offsetAt(timeZone, wall + MS_PER_DAY);
  const withBefore = wall - offsetBefore;
  if (offsetBefore === offsetAfter) return withBefore;
  const withAfter = wall - offsetAfter;
  const beforeHolds = offsetAt(timeZone, withBefore) === offsetBefore;
  const afterHolds = offsetAt(timeZone, withAfter) === offsetAfter;
  if (beforeHolds && afterHolds) return Math.min(withBefore, withAfter);
  if (afterHolds) return withAfter;
  // Either the wall time is valid with the earlier offset, or it lies in a gap:
  // reading it with the earlier offset moves it forward by the gap.
  return withBefore;
}

/** `+08:00` / `-05:00` (`+05:45:30` when the offset has seconds). */
export function formatOffset(offsetMs: number): string {
  const sign = offsetMs < 0 ? '-' : '+';
  const totalSeconds = Math.round(Math.abs(offsetMs) / 1000);
  const hours = String(Math.floor(totalSeconds / 3600)).padStart(2, '0');
  const minutes = String(Math.floor(totalSeconds / 60) % 60).padStart(2, '0');
  const seconds = totalSeconds % 60;
  return `${sign}${hours}:${minutes}${seconds === 0 ? '' : `:${String(seconds).padStart(2, '0')}`}`;
}
