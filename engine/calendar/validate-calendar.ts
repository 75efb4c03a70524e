import { z } from 'zod';
import type { CalendarData } from '../types';
import { isLocalDateString, isoWeekday, parseLocalDate } from './civil-date';
import { isBusinessHoursTime, parseBusinessHoursTime } from './time-of-day';
import { isValidTimeZone } from './time-zone';

const WEEKDAY_NAMES = ['', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/** The error of a missing field or of a value of the wrong JSON type. */
function typeError(expected: string, example: string): (issue: { input: unknown }) => string {
  return (issue) =>
    issue.input === undefined
      ? `is missing: give ${expected}, e.g. ${example}`
      : `must be ${expected}, e.g. ${example} (got ${JSON.stringify(issue.input)})`;
}

const localDateSchema = z.string({ error: typeError('a date string "YYYY-MM-DD"', '"2025-10-01"') }).refine(isLocalDateString, {
  error: (issue) => `${JSON.stringify(issue.input)} is not a valid date: write it as YYYY-MM-DD, e.g. "2025-10-01"`,
});

const hoursBoundSchema = z.string({ error: typeError('a time "HH:MM"', '"09:00"') }).refine(isBusinessHoursTime, {
  error: (issue) => `${JSON.stringify(issue.input)} is not a time of day: write it as HH:MM on the 24-hour clock, e.g. "09:00" or "18:00"`,
});

const FIELDS = 'id, description, notes, timeZone, workingWeekdays, workingHours, holidays, workingDays, coversFrom, coversUntil';

const calendarSchema = z
  .strictObject(
    {
      id: z
        .string({ error: typeError('a name for the calendar', '"cn"') })
        .min(1, 'must not be empty: give a name for the calendar, e.g. "cn"'),
      /** Free text for people; ignored. */
      description: z.string({ error: typeError('a text', '"Mainland China"') }).optional(),
      /** Free text for people (sources, caveats); ignored. */
      notes: z.string({ error: typeError('a text', '"Source: …"') }).optional(),
      timeZone: z.string({ error: typeError('an IANA time zone name', '"Asia/Shanghai"') }).refine(isValidTimeZone, {
        error: (issue) =>
          `${JSON.stringify(issue.input)} is not a time zone known to this runtime: use an IANA name such as "Asia/Shanghai" or "Europe/Berlin"`,
      }),
      workingWeekdays: z
        .array(
          z
            .number({ error: typeError('an ISO weekday number', '1 for Monday') })
            .int('must be a whole number from 1 (Monday) to 7 (Sunday)')
            .min(1, 'must be an ISO weekday from 1 (Monday) to 7 (Sunday)')
            .max(7, 'must be an ISO weekday from 1 (Monday) to 7 (Sunday)'),
          { error: typeError('a list of ISO weekdays', '[1, 2, 3, 4, 5] for Monday to Friday') },
        )
        .min(1, 'must name at least one weekday that is worked, e.g. [1, 2, 3, 4, 5] for Monday to Friday'),
      workingHours: z.strictObject(
        { start: hoursBoundSchema, end: hoursBoundSchema },
        {
          error: (issue) =>
            issue.code === 'unrecognized_keys'
              ? `has unknown field(s) ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}: only "start" and "end" are allowed`
              : typeError('an object', '{ "start": "09:00", "end": "18:00" }')(issue),
        },
      ),
      holidays: z.array(localDateSchema, { error: typeError('a list of dates', '["2025-10-01"]') }),
      workingDays: z.array(localDateSchema, { error: typeError('a list of dates', '["2025-09-28"]') }),
      /** The first and last dates whose holidays and make-up days are listed. */
      coversFrom: localDateSchema.optional(),
      coversUntil: localDateSchema.optional(),
    },
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? `has unknown field(s) ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}: the fields are ${FIELDS} (put free text in "notes")`
          : typeError('a JSON object', `{ "id": "cn", "timeZone": "Asia/Shanghai", … }`)(issue),
    },
  )
  .superRefine((cal, ctx) => {
    const add = (path: Array<string | number>, message: string): void => {
      ctx.addIssue({ code: 'custom', path, message });
    };

    // Refinements of single fields may have failed already: check only what is well-formed.
    const { start, end } = cal.workingHours;
    const startMs = isBusinessHoursTime(start) ? parseBusinessHoursTime(start, 'start') : undefined;
    const endMs = isBusinessHoursTime(end) ? parseBusinessHoursTime(end, 'end') : undefined;
    if (startMs === 24 * 3_600_000) add(['workingHours', 'start'], '"24:00" is the end of the day: business hours cannot start there');
    else if (startMs !== undefined && endMs !== undefined && endMs <= startMs) {
      add(
        ['workingHours', 'end'],
        `${JSON.stringify(cal.workingHours.end)} is not after start ${JSON.stringify(cal.workingHours.start)}: ` +
          'business hours must end later the same day (use "24:00" for midnight)',
      );
    }

    const seenWeekdays = new Map<number, number>();
    cal.workingWeekdays.forEach((weekday, i) => {
      const first = seenWeekdays.get(weekday);
      if (first !== undefined) add(['workingWeekdays', i], `${weekday} is listed twice (also at workingWeekdays[${first}]): remove one`);
      else seenWeekdays.set(weekday, i);
    });

    const { coversFrom, coversUntil } = cal;
    const from = coversFrom !== undefined && isLocalDateString(coversFrom) ? coversFrom : undefined;
    const until = coversUntil !== undefined && isLocalDateString(coversUntil) ? coversUntil : undefined;
    if ((coversFrom === undefined) !== (coversUntil === undefined)) {
      add(
        [coversFrom === undefined ? 'coversFrom' : 'coversUntil'],
        'is missing: give both coversFrom and coversUntil, e.g. "2027-01-01" and "2027-12-31"',
      );
    }
    if (from !== undefined && until !== undefined && until < from) {
      add(['coversUntil'], `"${until}" is before coversFrom "${from}": the coverage must end on or after the day it starts`);
    }
    const outside = (field: 'holidays' | 'workingDays') =>
      cal[field].forEach((date, i) => {
        if (!isLocalDateString(date) || from === undefined || until === undefined || (date >= from && date <= until)) return;
        add([field, i], `"${date}" lies outside the coverage ${from} to ${until}: widen coversFrom/coversUntil or remove the date`);
      });
    outside('holidays');
    outside('workingDays');

    const holidayIndex = new Map<string, number>();
    cal.holidays.forEach((date, i) => {
      if (!isLocalDateString(date)) return;
      const first = holidayIndex.get(date);
      if (first !== undefined) add(['holidays', i], `"${date}" is listed twice (also at holidays[${first}]): remove one`);
      else holidayIndex.set(date, i);
    });

    const workingDayIndex = new Map<string, number>();
    cal.workingDays.forEach((date, i) => {
      if (!isLocalDateString(date)) return;
      const first = workingDayIndex.get(date);
      if (first !== undefined) {
        add(['workingDays', i], `"${date}" is listed twice (also at workingDays[${first}]): remove one`);
        return;
      }
      workingDayIndex.set(date, i);
      const holiday = holidayIndex.get(date);
      if (holiday !== undefined) {
        add(
          ['workingDays', i],
          `"${date}" is also listed in holidays (holidays[${holiday}]): a day cannot be both a holiday and a make-up working day; remove it from one of the two lists`,
        );
        return;
      }
      const weekday = isoWeekday(parseLocalDate(date));
      if (cal.workingWeekdays.includes(weekday)) {
        add(
          ['workingDays', i],
          `"${date}" is a ${WEEKDAY_NAMES[weekday] ?? weekday}, already a working weekday: list in workingDays only make-up days ` +
            'that fall on a day not in workingWeekdays (e.g. a weekend), and check the date',
        );
      }
    });
  });

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else text += text === '' ? String(key) : `.${String(key)}`;
  }
  return text === '' ? 'calendar' : text;
}

/** A calendar file that does not describe a usable calendar; `issues` lists each problem as `field: what to fix`. */
export class CalendarValidationError extends Error {
  readonly issues: string[];

  constructor(calendarId: string | undefined, issues: string[]) {
    super(
      `Invalid calendar${calendarId === undefined ? '' : ` ${JSON.stringify(calendarId)}`}:\n${issues.map((i) => `  - ${i}`).join('\n')}`,
    );
    this.name = 'CalendarValidationError';
    this.issues = issues;
  }
}

/**
 * Checks parsed calendar JSON and returns it as `CalendarData`. The free-text
 * fields `description` and `notes` are accepted and left out of the result;
 * any other unknown field is an error. Throws `CalendarValidationError` naming
 * every faulty field and how to fix it.
 */
export function validateCalendar(data: unknown): CalendarData {
  const result = calendarSchema.safeParse(data);
  if (!result.success) {
    const id =
      typeof data === 'object' && data !== null && typeof (data as { id?: unknown }).id === 'string' && (data as { id: string }).id !== ''
        ? (data as { id: string }).id
        : undefined;
    throw new CalendarValidationError(
      id,
      result.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`),
    );
  }
  const cal = result.data;
  return {
    id: cal.id,
    timeZone: cal.timeZone,
    workingWeekdays: [...cal.workingWeekdays],
    workingHours: { start: cal.workingHours.start, end: cal.workingHours.end },
    holidays: [...cal.holidays],
    workingDays: [...cal.workingDays],
    ...(cal.coversFrom !== undefined && { coversFrom: cal.coversFrom }),
    ...(cal.coversUntil !== undefined && { coversUntil: cal.coversUntil }),
  };
}

/**
 * Checks a calendar to be published as a version: a valid calendar that names the dates it
 * covers (`coversFrom`, `coversUntil`), so that its end can be warned about and seen.
 */
export function validatePublishedCalendar(data: unknown): CalendarData {
  const cal = validateCalendar(data);
  if (cal.coversFrom === undefined || cal.coversUntil === undefined) {
    throw new CalendarValidationError(cal.id, [
      'coversFrom: is missing: a published calendar names the first and last dates whose holidays and make-up days it lists, e.g. "coversFrom": "2027-01-01", "coversUntil": "2027-12-31"',
    ]);
  }
  return cal;
}
