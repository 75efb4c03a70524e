/** PostgreSQL for development and tests: the server at `DATABASE_URL` when it is set, otherwise the embedded one. */
import type { RoleUrls } from '../../adapters/postgres/roles';
import { startEmbedded, type StartPostgresOptions } from './embedded';
import { loadHostConfig } from '../../config';

export interface RunningPostgres {
  /** Connection string of the database, as the cluster's superuser (or DATABASE_URL). */
  url: string;
  /** The same database as Docket's login roles (embedded only; `docket db setup` makes them elsewhere). */
  roles?: RoleUrls;
  /** The file keeping the passwords (embedded only). */
  secretsFile?: string;
  /** Releases this caller's use of the server; stops it when no one else uses it. Idempotent. */
  stop(): Promise<void>;
  /** False when `DATABASE_URL` was used. */
  embedded: boolean;
}

export async function startPostgres(opts: StartPostgresOptions): Promise<RunningPostgres> {
  const envUrl = loadHostConfig().databaseUrl;
  if (envUrl !== undefined) {
    return { url: envUrl, embedded: false, stop: async () => undefined };
  }
  return startEmbedded(opts);
}
