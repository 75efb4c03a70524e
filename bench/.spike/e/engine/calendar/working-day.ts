import type { CalendarData } from '../types';
import { parseLocalDate } from './civil-date';
import { compileCalendar, isWorkingDayNumber } from './compiled-calendar';

/**
 * Whether the local date `YYYY-MM-DD` is worked: a holiday never is; a listed
 * make-up working day (调休) always is, even on a weekend; any other day is
 * worked when its weekday is in `workingWeekdays`.
 */
export function isWorkingDay(cal: CalendarData, localDate: string): boolean {
  return isWorkingDayNumber(compileCalendar(cal), parseLocalDate(localDate));
}
