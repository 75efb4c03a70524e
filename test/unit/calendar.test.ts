import cnJson from '../../calendars/cn.json';
import type { CalendarData } from '../../engine/types';
import {
  CalendarValidationError,
  addBusinessDays,
  addBusinessHours,
  addCalendarDuration,
  isValidTimeZone,
  isWorkingDay,
  localDate,
  localDateTime,
  validateCalendar,
  zonedToInstant,
} from '../../engine/calendar';

/** An instant written with an explicit offset, parsed independently of the code under test. */
const at = (iso: string): number => {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new Error(`bad test instant ${iso}`);
  return t;
};

const cn: CalendarData = validateCalendar(cnJson);

const berlin: CalendarData = {
  id: 'de-be',
  timeZone: 'Europe/Berlin',
  workingWeekdays: [1, 2, 3, 4, 5],
  workingHours: { start: '09:00', end: '17:00' },
  // Good Friday and Easter Monday 2025.
  holidays: ['2025-04-18', '2025-04-21'],
  workingDays: [],
};

describe('isWorkingDay (cn)', () => {
  it('treats ordinary weekdays as working and ordinary weekends as not', () => {
    expect(isWorkingDay(cn, '2025-03-14')).toBe(true); // Friday
    expect(isWorkingDay(cn, '2025-03-15')).toBe(false); // Saturday
    expect(isWorkingDay(cn, '2025-03-16')).toBe(false); // Sunday
    expect(isWorkingDay(cn, '2025-03-17')).toBe(true); // Monday
  });

  it('never works a holiday, on a weekday or on a weekend', () => {
    expect(isWorkingDay(cn, '2025-10-01')).toBe(false); // Wednesday, National Day
    expect(isWorkingDay(cn, '2025-10-06')).toBe(false); // Monday inside the Golden Week
    expect(isWorkingDay(cn, '2025-05-31')).toBe(false); // Saturday, Dragon Boat
    expect(isWorkingDay(cn, '2025-06-02')).toBe(false); // Monday, Dragon Boat
  });

  it('works make-up days (调休) even on a weekend', () => {
    expect(isWorkingDay(cn, '2025-02-08')).toBe(true); // Saturday
    expect(isWorkingDay(cn, '2025-01-26')).toBe(true); // Sunday
    expect(isWorkingDay(cn, '2025-09-28')).toBe(true); // Sunday
    expect(isWorkingDay(cn, '2025-10-11')).toBe(true); // Saturday
    expect(isWorkingDay(cn, '2025-10-12')).toBe(false); // the Sunday after it is off
  });

  it('rejects a malformed or impossible date', () => {
    expect(() => isWorkingDay(cn, '2025-02-30')).toThrow(/"2025-02-30" is not a valid date; write it as YYYY-MM-DD/);
    expect(() => isWorkingDay(cn, '2025/02/03')).toThrow(RangeError);
  });
});

describe('calendars/cn.json', () => {
  it('holds the 2025 schedule of the State Council', () => {
    const holidays2025 = cn.holidays.filter((d) => d.startsWith('2025-'));
    expect(holidays2025).toEqual([
      '2025-01-01',
      '2025-01-28',
      '2025-01-29',
      '2025-01-30',
      '2025-01-31',
      '2025-02-01',
      '2025-02-02',
      '2025-02-03',
      '2025-02-04',
      '2025-04-04',
      '2025-04-05',
      '2025-04-06',
      '2025-05-01',
      '2025-05-02',
      '2025-05-03',
      '2025-05-04',
      '2025-05-05',
      '2025-05-31',
      '2025-06-01',
      '2025-06-02',
      '2025-10-01',
      '2025-10-02',
      '2025-10-03',
      '2025-10-04',
      '2025-10-05',
      '2025-10-06',
      '2025-10-07',
      '2025-10-08',
    ]);
    expect(cn.workingDays.filter((d) => d.startsWith('2025-'))).toEqual([
      '2025-01-26',
      '2025-02-08',
      '2025-04-27',
      '2025-09-28',
      '2025-10-11',
    ]);
  });

  it('holds the 2026 schedule: a nine-day Spring Festival framed by two make-up Saturdays', () => {
    expect(isWorkingDay(cn, '2026-02-14')).toBe(true); // Saturday, make-up
    for (let day = 15; day <= 23; day++) expect(isWorkingDay(cn, `2026-02-${day}`)).toBe(false);
    expect(isWorkingDay(cn, '2026-02-24')).toBe(true);
    expect(isWorkingDay(cn, '2026-02-28')).toBe(true); // Saturday, make-up
    expect(isWorkingDay(cn, '2026-01-04')).toBe(true); // Sunday, make-up
    expect(isWorkingDay(cn, '2026-05-09')).toBe(true); // Saturday, make-up
    expect(isWorkingDay(cn, '2026-09-20')).toBe(true); // Sunday, make-up
    expect(isWorkingDay(cn, '2026-10-10')).toBe(true); // Saturday, make-up
    expect(isWorkingDay(cn, '2026-10-07')).toBe(false);
    expect(isWorkingDay(cn, '2026-10-08')).toBe(true);
    expect(cn.holidays.filter((d) => d.startsWith('2026-'))).toHaveLength(33);
  });

  it('is read into plain CalendarData, leaving out description and notes', () => {
    expect(Object.keys(cn).sort()).toEqual([
      'coversFrom',
      'coversUntil',
      'holidays',
      'id',
      'timeZone',
      'workingDays',
      'workingHours',
      'workingWeekdays',
    ]);
    expect(cn).toMatchObject({
      id: 'cn',
      timeZone: 'Asia/Shanghai',
      workingWeekdays: [1, 2, 3, 4, 5],
      workingHours: { start: '09:00', end: '18:00' },
    });
    expect(typeof (cnJson as { notes?: unknown }).notes).toBe('string');
    expect(typeof (cnJson as { description?: unknown }).description).toBe('string');
  });
});

describe('addBusinessDays (cn)', () => {
  it('moves Friday + 1 business day to Monday at the same time of day', () => {
    expect(addBusinessDays(cn, at('2025-03-14T10:30:00+08:00'), 1)).toBe(at('2025-03-17T10:30:00+08:00'));
    expect(addBusinessDays(cn, at('2025-03-14T10:30:00+08:00'), 5)).toBe(at('2025-03-21T10:30:00+08:00'));
  });

  it('skips a holiday that spans a weekend (Spring Festival 2025)', () => {
    // Monday Jan 27 is worked; Jan 28 – Feb 4 (with the weekend of Feb 1–2) is off.
    expect(addBusinessDays(cn, at('2025-01-27T15:00:00+08:00'), 1)).toBe(at('2025-02-05T15:00:00+08:00'));
  });

  it('counts a make-up Saturday as a working day', () => {
    expect(addBusinessDays(cn, at('2025-02-07T11:00:00+08:00'), 1)).toBe(at('2025-02-08T11:00:00+08:00'));
    // Friday Apr 25 → make-up Sunday Apr 27.
    expect(addBusinessDays(cn, at('2025-04-25T09:15:00+08:00'), 1)).toBe(at('2025-04-27T09:15:00+08:00'));
  });

  it('moves a deadline that would land on a holiday to the next working day', () => {
    // Tuesday Sep 30 + 1 would be Oct 1 (National Day); Oct 1–8 are off.
    expect(addBusinessDays(cn, at('2025-09-30T14:00:00+08:00'), 1)).toBe(at('2025-10-09T14:00:00+08:00'));
    expect(addBusinessDays(cn, at('2025-09-30T14:00:00+08:00'), 2)).toBe(at('2025-10-10T14:00:00+08:00'));
    // …and the make-up Saturday Oct 11 counts.
    expect(addBusinessDays(cn, at('2025-09-30T14:00:00+08:00'), 3)).toBe(at('2025-10-11T14:00:00+08:00'));
  });

  it('counts from the start of business of the next working day when started on a non-working day', () => {
    expect(addBusinessDays(cn, at('2025-03-15T20:00:00+08:00'), 1)).toBe(at('2025-03-18T09:00:00+08:00'));
    expect(addBusinessDays(cn, at('2025-10-03T11:00:00+08:00'), 1)).toBe(at('2025-10-10T09:00:00+08:00'));
  });

  it('clamps a time outside business hours: before start → that day’s start, after end → next working day’s start', () => {
    expect(addBusinessDays(cn, at('2025-03-17T07:00:00+08:00'), 1)).toBe(at('2025-03-18T09:00:00+08:00'));
    expect(addBusinessDays(cn, at('2025-03-17T19:00:00+08:00'), 1)).toBe(at('2025-03-19T09:00:00+08:00'));
    // Friday evening → Monday's start, + 1 → Tuesday.
    expect(addBusinessDays(cn, at('2025-03-14T23:59:00+08:00'), 1)).toBe(at('2025-03-18T09:00:00+08:00'));
    // The bounds of business hours are inside them.
    expect(addBusinessDays(cn, at('2025-03-17T18:00:00+08:00'), 1)).toBe(at('2025-03-18T18:00:00+08:00'));
  });

  it('with 0 days normalises to a business instant and leaves one unchanged', () => {
    expect(addBusinessDays(cn, at('2025-03-15T12:00:00+08:00'), 0)).toBe(at('2025-03-17T09:00:00+08:00'));
    expect(addBusinessDays(cn, at('2025-03-17T08:00:00+08:00'), 0)).toBe(at('2025-03-17T09:00:00+08:00'));
    expect(addBusinessDays(cn, at('2025-03-17T12:34:56.789+08:00'), 0)).toBe(at('2025-03-17T12:34:56.789+08:00'));
  });

  it('counts backward with negative days, keeping the time of day and landing on a working day', () => {
    // Five business days before a visit on Friday Oct 10 at 14:00: Oct 9, Sep 30, Sep 29, Sep 28 (make-up Sunday), Sep 26.
    expect(addBusinessDays(cn, at('2025-10-10T14:00:00+08:00'), -5)).toBe(at('2025-09-26T14:00:00+08:00'));
    // Monday − 1 → Friday.
    expect(addBusinessDays(cn, at('2025-03-17T10:30:00+08:00'), -1)).toBe(at('2025-03-14T10:30:00+08:00'));
    // Back across Spring Festival 2025.
    expect(addBusinessDays(cn, at('2025-02-05T15:00:00+08:00'), -1)).toBe(at('2025-01-27T15:00:00+08:00'));
  });

  it('clamps backward into business hours symmetrically', () => {
    // Sunday → end of Friday, − 1 → end of Thursday.
    expect(addBusinessDays(cn, at('2025-03-16T10:00:00+08:00'), -1)).toBe(at('2025-03-13T18:00:00+08:00'));
    // After the end → that day's end; before the start → the previous working day's end.
    expect(addBusinessDays(cn, at('2025-03-18T21:00:00+08:00'), -1)).toBe(at('2025-03-17T18:00:00+08:00'));
    expect(addBusinessDays(cn, at('2025-03-17T08:00:00+08:00'), -1)).toBe(at('2025-03-13T18:00:00+08:00'));
  });

  it('accepts only whole numbers of days', () => {
    expect(() => addBusinessDays(cn, at('2025-03-17T10:00:00+08:00'), 1.5)).toThrow(/whole number/);
    expect(() => addBusinessDays(cn, Number.NaN, 1)).toThrow(/finite number of epoch milliseconds/);
  });
});

describe('addBusinessHours (cn, 09:00–18:00)', () => {
  it('Friday 17:00 + 2 h → Monday 10:00', () => {
    expect(addBusinessHours(cn, at('2025-03-14T17:00:00+08:00'), 2)).toBe(at('2025-03-17T10:00:00+08:00'));
  });

  it('Friday 17:00 + 2 h → Tuesday 10:00 when Monday is a holiday (Dragon Boat 2025)', () => {
    expect(addBusinessHours(cn, at('2025-05-30T17:00:00+08:00'), 2)).toBe(at('2025-06-03T10:00:00+08:00'));
  });

  it('carries over a night', () => {
    expect(addBusinessHours(cn, at('2025-03-11T16:30:00+08:00'), 4)).toBe(at('2025-03-12T11:30:00+08:00'));
  });

  it('carries over a weekend and a holiday together (Labour Day 2025)', () => {
    expect(addBusinessHours(cn, at('2025-04-30T17:00:00+08:00'), 2)).toBe(at('2025-05-06T10:00:00+08:00'));
  });

  it('works on a make-up Saturday', () => {
    expect(addBusinessHours(cn, at('2025-02-07T17:00:00+08:00'), 2)).toBe(at('2025-02-08T10:00:00+08:00'));
  });

  it('spans several days and keeps fractions of an hour', () => {
    expect(addBusinessHours(cn, at('2025-03-17T09:00:00+08:00'), 27)).toBe(at('2025-03-19T18:00:00+08:00'));
    expect(addBusinessHours(cn, at('2025-03-17T09:00:00+08:00'), 27.5)).toBe(at('2025-03-20T09:30:00+08:00'));
    expect(addBusinessHours(cn, at('2025-03-17T09:00:00+08:00'), 0.25)).toBe(at('2025-03-17T09:15:00+08:00'));
  });

  it('ends at close of business when the hours exactly fill the day', () => {
    expect(addBusinessHours(cn, at('2025-03-18T16:00:00+08:00'), 2)).toBe(at('2025-03-18T18:00:00+08:00'));
  });

  it('starts counting at the next business instant', () => {
    expect(addBusinessHours(cn, at('2025-03-15T12:00:00+08:00'), 1)).toBe(at('2025-03-17T10:00:00+08:00'));
    expect(addBusinessHours(cn, at('2025-03-17T06:00:00+08:00'), 1)).toBe(at('2025-03-17T10:00:00+08:00'));
    expect(addBusinessHours(cn, at('2025-03-17T20:00:00+08:00'), 1)).toBe(at('2025-03-18T10:00:00+08:00'));
    expect(addBusinessHours(cn, at('2025-03-15T12:00:00+08:00'), 0)).toBe(at('2025-03-17T09:00:00+08:00'));
  });

  it('counts backward with negative hours', () => {
    expect(addBusinessHours(cn, at('2025-03-17T10:00:00+08:00'), -2)).toBe(at('2025-03-14T17:00:00+08:00'));
    expect(addBusinessHours(cn, at('2025-03-16T10:00:00+08:00'), -1)).toBe(at('2025-03-14T17:00:00+08:00'));
    // Back over Labour Day 2025 (May 1–5) to Wednesday Apr 30.
    expect(addBusinessHours(cn, at('2025-05-06T10:00:00+08:00'), -2)).toBe(at('2025-04-30T17:00:00+08:00'));
    expect(addBusinessHours(cn, at('2025-03-18T11:00:00+08:00'), -2)).toBe(at('2025-03-18T09:00:00+08:00'));
  });
});

describe('addCalendarDuration', () => {
  it('clamps month ends', () => {
    expect(addCalendarDuration(cn, at('2025-01-31T10:00:00+08:00'), { months: 1 })).toBe(at('2025-02-28T10:00:00+08:00'));
    expect(addCalendarDuration(cn, at('2024-01-31T10:00:00+08:00'), { months: 1 })).toBe(at('2024-02-29T10:00:00+08:00'));
    expect(addCalendarDuration(cn, at('2025-03-31T10:00:00+08:00'), { months: -1 })).toBe(at('2025-02-28T10:00:00+08:00'));
    expect(addCalendarDuration(cn, at('2025-11-30T10:00:00+08:00'), { months: 3 })).toBe(at('2026-02-28T10:00:00+08:00'));
  });

  it('reads months in local time: the last day of a month in Shanghai is still the previous day in UTC', () => {
    // 2025-01-31 00:30 in Shanghai is 2025-01-30 16:30 UTC: + 1 month is Feb 28 00:30 local.
    expect(addCalendarDuration(cn, at('2025-01-31T00:30:00+08:00'), { months: 1 })).toBe(at('2025-02-28T00:30:00+08:00'));
  });

  it('adds days, hours and minutes, ignoring the working calendar', () => {
    expect(addCalendarDuration(cn, at('2025-09-30T14:00:00+08:00'), { days: 1 })).toBe(at('2025-10-01T14:00:00+08:00'));
    expect(addCalendarDuration(cn, at('2025-09-30T14:00:00+08:00'), { days: 2, hours: 3, minutes: 15 })).toBe(
      at('2025-10-02T17:15:00+08:00'),
    );
    expect(addCalendarDuration(cn, at('2025-09-30T14:00:00+08:00'), { hours: -15 })).toBe(at('2025-09-29T23:00:00+08:00'));
    expect(addCalendarDuration(cn, at('2025-09-30T14:00:00+08:00'), { months: 1, days: -1 })).toBe(at('2025-10-29T14:00:00+08:00'));
  });

  it('keeps the wall time over a daylight-saving change for days, not for hours (Europe/Berlin)', () => {
    const saturdayNoon = at('2025-03-29T12:00:00+01:00');
    expect(addCalendarDuration(berlin, saturdayNoon, { days: 1 })).toBe(at('2025-03-30T12:00:00+02:00'));
    expect(addCalendarDuration(berlin, saturdayNoon, { hours: 24 })).toBe(at('2025-03-30T13:00:00+02:00'));
  });

  it('rejects fractional months or days', () => {
    expect(() => addCalendarDuration(cn, 0, { months: 0.5 })).toThrow(/months must be a whole number/);
    expect(() => addCalendarDuration(cn, 0, { days: 1.5 })).toThrow(/days must be a whole number/);
  });
});

describe('local time helpers', () => {
  it('reads an instant in the calendar time zone', () => {
    const t = at('2025-03-14T16:30:00Z');
    expect(localDate(cn, t)).toBe('2025-03-15');
    expect(localDateTime(cn, t)).toBe('2025-03-15T00:30:00+08:00');
    expect(localDate(berlin, t)).toBe('2025-03-14');
    expect(localDateTime(berlin, t)).toBe('2025-03-14T17:30:00+01:00');
    expect(localDateTime(berlin, at('2025-07-01T08:00:00Z'))).toBe('2025-07-01T10:00:00+02:00');
    expect(localDateTime({ ...berlin, timeZone: 'America/St_Johns' }, at('2025-01-01T12:00:00Z'))).toBe('2025-01-01T08:30:00-03:30');
  });

  it('turns a local date and time into an instant', () => {
    expect(zonedToInstant(cn, '2025-10-09', '14:00')).toBe(at('2025-10-09T14:00:00+08:00'));
    expect(zonedToInstant(cn, '2025-10-09', '14:00:30.5')).toBe(at('2025-10-09T14:00:30.500+08:00'));
    expect(zonedToInstant(berlin, '2025-01-15', '09:00')).toBe(at('2025-01-15T08:00:00Z'));
    expect(zonedToInstant(berlin, '2025-07-15', '09:00')).toBe(at('2025-07-15T07:00:00Z'));
  });

  it('resolves a time skipped by clocks going forward by moving it forward, and a repeated time to the earlier instant', () => {
    expect(zonedToInstant(berlin, '2025-03-30', '02:30')).toBe(at('2025-03-30T03:30:00+02:00'));
    expect(zonedToInstant(berlin, '2025-10-26', '02:30')).toBe(at('2025-10-26T02:30:00+02:00'));
    expect(zonedToInstant(berlin, '2025-10-26', '03:30')).toBe(at('2025-10-26T03:30:00+01:00'));
  });

  it('rejects malformed local times', () => {
    expect(() => zonedToInstant(cn, '2025-10-09', '25:00')).toThrow(/"25:00" is not a time of day/);
  });
});

describe('a Europe/Berlin calendar (the time zone is configurable)', () => {
  it('keeps the local time of day across the spring daylight-saving change', () => {
    // Friday 10:00 CET (09:00 UTC) + 1 → Monday 10:00 CEST (08:00 UTC).
    expect(addBusinessDays(berlin, at('2025-03-28T09:00:00Z'), 1)).toBe(at('2025-03-31T08:00:00Z'));
  });

  it('keeps the local time of day across the autumn change', () => {
    // Friday 16:00 CEST (14:00 UTC) + 1 → Monday 16:00 CET (15:00 UTC).
    expect(addBusinessDays(berlin, at('2025-10-24T14:00:00Z'), 1)).toBe(at('2025-10-27T15:00:00Z'));
  });

  it('counts business hours in local hours across the change and over Easter', () => {
    // Friday 16:00 CET + 2 h (09:00–17:00) → Monday 10:00 CEST.
    expect(addBusinessHours(berlin, at('2025-03-28T16:00:00+01:00'), 2)).toBe(at('2025-03-31T10:00:00+02:00'));
    // Thursday before Easter 16:00 + 2 h → Tuesday after Easter 10:00.
    expect(addBusinessHours(berlin, at('2025-04-17T16:00:00+02:00'), 2)).toBe(at('2025-04-22T10:00:00+02:00'));
  });

  it('reads the working day in Berlin, not in Shanghai', () => {
    // Monday 2025-03-17 06:00 in Berlin is already 13:00 in Shanghai.
    const t = at('2025-03-17T06:00:00+01:00');
    expect(addBusinessDays(berlin, t, 0)).toBe(at('2025-03-17T09:00:00+01:00'));
    expect(addBusinessDays(cn, t, 0)).toBe(t);
  });
});

describe('a calendar with business hours until midnight', () => {
  const late: CalendarData = { ...berlin, timeZone: 'UTC', workingHours: { start: '20:00', end: '24:00' }, holidays: [] };

  it('runs to the end of the day', () => {
    expect(addBusinessHours(late, at('2025-03-14T23:00:00Z'), 2)).toBe(at('2025-03-17T21:00:00Z'));
    expect(addBusinessDays(late, at('2025-03-14T23:00:00Z'), 1)).toBe(at('2025-03-17T23:00:00Z'));
    // Monday morning → the end of Friday (24:00), − 1 → the end of Thursday.
    expect(addBusinessDays(late, at('2025-03-17T10:00:00Z'), -1)).toBe(at('2025-03-14T00:00:00Z'));
  });
});

describe('validateCalendar', () => {
  const valid = {
    id: 'test',
    description: 'for tests',
    notes: 'ignored',
    timeZone: 'Asia/Shanghai',
    workingWeekdays: [1, 2, 3, 4, 5],
    workingHours: { start: '09:00', end: '18:00' },
    holidays: ['2025-10-01'],
    workingDays: ['2025-10-11'],
  };

  const issuesOf = (data: unknown): string[] => {
    try {
      validateCalendar(data);
    } catch (error) {
      expect(error).toBeInstanceOf(CalendarValidationError);
      return (error as CalendarValidationError).issues;
    }
    throw new Error('expected the calendar to be rejected');
  };

  it('accepts a valid calendar and returns only CalendarData fields', () => {
    expect(validateCalendar(valid)).toEqual({
      id: 'test',
      timeZone: 'Asia/Shanghai',
      workingWeekdays: [1, 2, 3, 4, 5],
      workingHours: { start: '09:00', end: '18:00' },
      holidays: ['2025-10-01'],
      workingDays: ['2025-10-11'],
    });
  });

  it('rejects a date listed both as a holiday and as a make-up working day', () => {
    expect(issuesOf({ ...valid, holidays: ['2025-10-01', '2025-10-11'] })).toEqual([
      'workingDays[0]: "2025-10-11" is also listed in holidays (holidays[1]): a day cannot be both a holiday and a make-up working day; remove it from one of the two lists',
    ]);
  });

  it('names the calendar in the error message', () => {
    expect(() => validateCalendar({ ...valid, timeZone: 'Asia/Shangai' })).toThrow(
      'Invalid calendar "test":\n  - timeZone: "Asia/Shangai" is not a time zone known to this runtime: use an IANA name such as "Asia/Shanghai" or "Europe/Berlin"',
    );
  });

  it('rejects business hours that end before they start', () => {
    expect(issuesOf({ ...valid, workingHours: { start: '18:00', end: '09:00' } })).toEqual([
      'workingHours.end: "09:00" is not after start "18:00": business hours must end later the same day (use "24:00" for midnight)',
    ]);
    expect(issuesOf({ ...valid, workingHours: { start: '9:00', end: '18:00' } })).toEqual([
      'workingHours.start: "9:00" is not a time of day: write it as HH:MM on the 24-hour clock, e.g. "09:00" or "18:00"',
    ]);
  });

  it('rejects impossible dates, naming the entry', () => {
    expect(issuesOf({ ...valid, holidays: ['2025-10-01', '2025-13-01'] })).toEqual([
      'holidays[1]: "2025-13-01" is not a valid date: write it as YYYY-MM-DD, e.g. "2025-10-01"',
    ]);
  });

  it('rejects a make-up working day that already is a working weekday, and duplicates', () => {
    expect(issuesOf({ ...valid, workingDays: ['2025-10-13'] })).toEqual([
      'workingDays[0]: "2025-10-13" is a Monday, already a working weekday: list in workingDays only make-up days that fall on a day not in workingWeekdays (e.g. a weekend), and check the date',
    ]);
    expect(issuesOf({ ...valid, holidays: ['2025-10-01', '2025-10-01'] })).toEqual([
      'holidays[1]: "2025-10-01" is listed twice (also at holidays[0]): remove one',
    ]);
  });

  it('rejects bad weekdays and an empty working week', () => {
    expect(issuesOf({ ...valid, workingWeekdays: [0, 1] })).toEqual([
      'workingWeekdays[0]: must be an ISO weekday from 1 (Monday) to 7 (Sunday)',
    ]);
    expect(issuesOf({ ...valid, workingWeekdays: [] })).toEqual([
      'workingWeekdays: must name at least one weekday that is worked, e.g. [1, 2, 3, 4, 5] for Monday to Friday',
    ]);
  });

  it('reports missing fields, wrong types and unknown fields', () => {
    const { timeZone: _omitted, ...withoutZone } = valid;
    expect(issuesOf(withoutZone)).toEqual(['timeZone: is missing: give an IANA time zone name, e.g. "Asia/Shanghai"']);
    expect(issuesOf({ ...valid, holidays: '2025-10-01' })).toEqual([
      'holidays: must be a list of dates, e.g. ["2025-10-01"] (got "2025-10-01")',
    ]);
    expect(issuesOf({ ...valid, holiday: [] })).toEqual([
      'calendar: has unknown field(s) "holiday": the fields are id, description, notes, timeZone, workingWeekdays, workingHours, holidays, workingDays, coversFrom, coversUntil (put free text in "notes")',
    ]);
    expect(issuesOf(null)[0]).toMatch(/^calendar: must be a JSON object/);
  });

  it('knows valid time zones', () => {
    expect(isValidTimeZone('Europe/Berlin')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
  });
});
