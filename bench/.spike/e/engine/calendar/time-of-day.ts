/** Local wall-clock times of day as milliseconds since local midnight. */

export const MS_PER_HOUR = 3_600_000;
export const MS_PER_MINUTE = 60_000;

/** `HH:MM`, 00:00–23:59, or `24:00` (the end of the day). */
const HOURS_PATTERN = /^(?:([01]\d|2[0-3]):([0-5]\d)|24:00)$/;
/** `HH:MM`, `HH:MM:SS` or `HH:MM:SS.sss`, 00:00–23:59:59.999. */
const TIME_PATTERN = /^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.(\d{1,3}))?)?$/;

/** Whether `text` is a business-hours bound: `HH:MM` on the 24-hour clock, `24:00` allowed for the end of the day. */
export function isBusinessHoursTime(text: string): boolean {
  return HOURS_PATTERN.test(text);
}

/** Milliseconds since midnight of an `HH:MM` business-hours bound (`24:00` → a whole day). */
export function parseBusinessHoursTime(text: string, what: string): number {
  if (typeof text !== 'string' || !HOURS_PATTERN.test(text)) {
    throw new RangeError(`${what} ${JSON.stringify(text)} is not a time of day; write it as HH:MM on the 24-hour clock, e.g. "09:00"`);
  }
  if (text === '24:00') return 24 * MS_PER_HOUR;
  return Number(text.slice(0, 2)) * MS_PER_HOUR + Number(text.slice(3, 5)) * MS_PER_MINUTE;
}

/** Milliseconds since midnight of a local time `HH:MM[:SS[.sss]]`. */
export function parseLocalTime(text: string, what = 'time'): number {
  const match = typeof text === 'string' ? TIME_PATTERN.exec(text) : null;
  if (!match) {
    throw new RangeError(`${what} ${JSON.stringify(text)} is not a time of day; write it as HH:MM or HH:MM:SS, e.g. "09:30"`);
  }
  const seconds = match[3] === undefined ? 0 : Number(match[3]);
  const millis = match[4] === undefined ? 0 : Number(match[4].padEnd(3, '0'));
  return Number(match[1]) * MS_PER_HOUR + Number(match[2]) * MS_PER_MINUTE + seconds * 1000 + millis;
}

function pad2(value: number): string {
  return String(value).padStart(2, '0');
}

/** `HH:MM:SS` of milliseconds since midnight (milliseconds dropped). */
export function formatTimeOfDay(msOfDay: number): string {
  const seconds = Math.floor(msOfDay / 1000);
  return `${pad2(Math.floor(seconds / 3600))}:${pad2(Math.floor(seconds / 60) % 60)}:${pad2(seconds % 60)}`;
}
