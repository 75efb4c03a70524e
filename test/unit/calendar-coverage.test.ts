import cnJson from '../../calendars/cn.json';
import {
  beyondCoverage,
  calendarCoverage,
  CalendarValidationError,
  coverageDaysLeft,
  coverageWarning,
  validateCalendar,
  validatePublishedCalendar,
} from '../../engine/calendar';
import type { CalendarData } from '../../engine/types';

const at = (iso: string): number => Date.parse(iso);

/** A made-up calendar covering 2030. */
const cal: CalendarData = {
  id: 'test',
  timeZone: 'Asia/Shanghai',
  workingWeekdays: [1, 2, 3, 4, 5],
  workingHours: { start: '09:00', end: '18:00' },
  holidays: ['2030-10-01'],
  workingDays: ['2030-09-29'],
  coversFrom: '2030-01-01',
  coversUntil: '2030-12-31',
};

const issuesOf = (data: unknown, validate = validateCalendar): string[] => {
  try {
    validate(data);
  } catch (err) {
    if (err instanceof CalendarValidationError) return err.issues;
    throw err;
  }
  return [];
};

describe('coverage of a calendar file', () => {
  it('keeps coversFrom and coversUntil', () => {
    expect(validateCalendar(cal)).toMatchObject({ coversFrom: '2030-01-01', coversUntil: '2030-12-31' });
    expect(validatePublishedCalendar(cnJson)).toMatchObject({ coversFrom: '2025-01-01', coversUntil: '2026-12-31' });
  });

  it('refuses dates outside the coverage, one bound alone, an end before the start', () => {
    expect(issuesOf({ ...cal, holidays: ['2031-01-01'] })).toEqual([
      'holidays[0]: "2031-01-01" lies outside the coverage 2030-01-01 to 2030-12-31: widen coversFrom/coversUntil or remove the date',
    ]);
    expect(issuesOf({ ...cal, workingDays: ['2029-12-29'] })[0]).toMatch(/^workingDays\[0\]: "2029-12-29" lies outside the coverage/);
    const { coversUntil: _u, ...fromOnly } = cal;
    expect(issuesOf(fromOnly)).toEqual([
      'coversUntil: is missing: give both coversFrom and coversUntil, e.g. "2027-01-01" and "2027-12-31"',
    ]);
    expect(issuesOf({ ...cal, coversUntil: '2029-12-31', holidays: [], workingDays: [] })).toEqual([
      'coversUntil: "2029-12-31" is before coversFrom "2030-01-01": the coverage must end on or after the day it starts',
    ]);
    expect(issuesOf({ ...cal, coversFrom: '2030-02-30' })[0]).toMatch(/^coversFrom: "2030-02-30" is not a valid date/);
  });

  it('requires a coverage of a calendar to be published', () => {
    const { coversFrom: _f, coversUntil: _u, ...none } = cal;
    expect(issuesOf(none)).toEqual([]);
    expect(issuesOf(none, validatePublishedCalendar)[0]).toMatch(/^coversFrom: is missing: a published calendar names/);
  });
});

describe('coverage warnings', () => {
  it('counts the days left on the local calendar and warns within 60 days', () => {
    expect(coverageDaysLeft(cal, at('2030-12-31T23:00:00+08:00'))).toBe(0);
    expect(coverageDaysLeft(cal, at('2030-12-31T16:30:00Z'))).toBe(-1); // already 1 January in Shanghai
    expect(coverageWarning(cal, at('2030-11-01T12:00:00+08:00'))).toBe(
      'calendar "test" ends on 2030-12-31, in 60 day(s): deadlines after it are counted on weekends only; ' +
        "publish next year's holidays and make-up days (docket calendar publish <file>, or the admin page)",
    );
    expect(coverageWarning(cal, at('2030-10-31T12:00:00+08:00'))).toBeUndefined();
    expect(coverageWarning({ ...cal, version: 3 }, at('2031-01-05T12:00:00+08:00'))).toMatch(
      /^calendar "test" \(version 3\) ended on 2030-12-31: deadlines after it are counted on weekends only/,
    );
    expect(coverageWarning(cal, at('2030-10-31T12:00:00+08:00'), 90)).toMatch(/in 61 day\(s\)/);
  });

  it('flags a due time past the last covered local date', () => {
    expect(beyondCoverage(cal, at('2030-12-31T23:59:00+08:00'))).toBeUndefined();
    expect(beyondCoverage(cal, at('2031-01-02T09:00:00+08:00'))).toBe('counted on weekends only: the calendar ends 2030-12-31');
  });

  it('reads the coverage of a calendar pinned before calendars had one from the years of its dates', () => {
    const { coversFrom: _f, coversUntil: _u, ...legacy } = cal;
    expect(calendarCoverage(legacy)).toEqual({ from: '2030-01-01', until: '2030-12-31', inferred: true });
    expect(calendarCoverage({ ...legacy, holidays: [], workingDays: [] })).toBeUndefined();
    expect(beyondCoverage({ ...legacy, holidays: [], workingDays: [] }, at('2099-01-01T00:00:00Z'))).toBeUndefined();
  });
});
