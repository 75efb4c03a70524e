export { createDatabase, dropDatabase, withDatabase } from './admin';
export { DEFAULT_DATABASE, DEFAULT_PORT, type StartPostgresOptions } from './embedded';
export { PostgresStartError } from './errors';
export { defaultSecretsFile, readSecrets, SecretsFileError, writeSecrets, type PostgresSecrets } from './secrets';
export { startPostgres, type RunningPostgres } from './start';
