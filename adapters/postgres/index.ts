export { PostgresCaseStore } from './case-store';
export { MIGRATIONS_DIR, SCHEMA, loadMigrations, migrate } from './migrate';
export type { MigrateOptions, Migration } from './migrate';
export {
  APPEND_ONLY_SQLSTATE,
  AppendOnlyViolationError,
  ConflictError,
  ConnectionError,
  DatabaseError,
  InvalidDataError,
  MigrationError,
  SerializationError,
  StoreError,
  TimeoutError,
  mapPgError,
} from './errors';
export { PostgresCaseQueries } from './case-query';
export type { CaseSearch, CaseSummary } from './case-query';
export { PostgresUserStore, hashToken, tokenIdOf } from './user-store';
export type { IssuedToken, NewUser, TokenInfo, User, UserStatus } from './user-store';
export { PostgresSecurityLog } from './security-log';
export { PostgresIncidentStore } from './incident-store';
export type { SecurityEvent, SecurityLogEntry } from './security-log';
export { createPool } from './pool';
export { PostgresCalendarStore, calendarHash } from './calendar-store';
export type { CalendarVersion, PublishedCalendar } from './calendar-store';
