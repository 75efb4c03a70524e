/**
 * How a period [from, to) is read from counts kept per UTC month and per UTC day
 * (migration 023): the whole months inside it, the whole days left at either side of them, and the
 * part-days at its ends, read event by event. The five spans are disjoint and cover the period:
 * [from, dayFrom) raw, [dayFrom, monthFrom) days, [monthFrom, monthTo) months, [monthTo, dayTo)
 * days, [dayTo, to) raw. Without a whole day (or month) inside, the spans of days (or months) are
 * empty and the raw (or day) spans take the period.
 */
export interface Buckets {
  dayFrom: Date;
  monthFrom: Date;
  monthTo: Date;
  dayTo: Date;
}

const DAY = 86_400_000;

function floorDay(t: number): number {
  return Math.floor(t / DAY) * DAY;
}

function ceilDay(t: number): number {
  return Math.ceil(t / DAY) * DAY;
}

function floorMonth(t: number): number {
  const d = new Date(t);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

function ceilMonth(t: number): number {
  const start = floorMonth(t);
  if (start === t) return t;
  const d = new Date(t);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

export function bucketsOf(from: Date, to: Date): Buckets {
  const dayFrom = ceilDay(from.getTime());
  const dayTo = floorDay(to.getTime());
  if (!(dayFrom < dayTo)) return { dayFrom: to, monthFrom: to, monthTo: to, dayTo: to };
  let monthFrom = ceilMonth(dayFrom);
  let monthTo = floorMonth(dayTo);
  if (!(monthFrom < monthTo)) monthFrom = monthTo = dayTo;
  return { dayFrom: new Date(dayFrom), monthFrom: new Date(monthFrom), monthTo: new Date(monthTo), dayTo: new Date(dayTo) };
}
