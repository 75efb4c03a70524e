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
