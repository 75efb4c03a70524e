export { isWorkingDay } from './working-day';
export { addBusinessDays } from './business-days';
export { addBusinessHours } from './business-hours';
export { addCalendarDuration, type CalendarDuration } from './calendar-duration';
export { localDate, localDateTime, zonedToInstant } from './local-time';
export { validateCalendar, validatePublishedCalendar, CalendarValidationError } from './validate-calendar';
export { isValidTimeZone } from './time-zone';
export {
  beyondCoverage,
  calendarCoverage,
  coverageDaysLeft,
  coverageWarning,
  COVERAGE_WARNING_DAYS,
  type CalendarCoverage,
} from './coverage';
