import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { urlFor, API_ROLE, WORKER_ROLE } from '../adapters/postgres/roles';
import { readSecrets } from '../infra/postgres/secrets';

/**
 * Written by `npm start` (mode 0600) so that the CLI and extra workers find the servers it started.
 * It holds no password: the embedded database's role passwords are in the secrets file it names.
 */
export interface RuntimeInfo {
  /** The embedded database, without user or password (postgres://127.0.0.1:5433/docket). */
  database?: string;
  /** The 0600 file with the passwords of the database's login roles (infra/postgres/secrets.ts). */
  databaseSecrets?: string;
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  temporalUi?: string;
  /** The HTTP API started next to the worker. */
  apiUrl?: string;
  pid: number;
}

export function runtimeFile(dataDir: string): string {
  return path.join(dataDir, 'runtime.json');
}

export function readRuntimeInfo(dataDir: string): RuntimeInfo | undefined {
  try {
    return JSON.parse(readFileSync(runtimeFile(dataDir), 'utf8')) as RuntimeInfo;
  } catch {
    return undefined;
  }
}

/** Writes the runtime file, readable by its owner only. */
export function writeRuntimeInfo(dataDir: string, runtime: RuntimeInfo): void {
  const file = runtimeFile(dataDir);
  writeFileSync(file, JSON.stringify(runtime, null, 2), { mode: 0o600 });
  chmodSync(file, 0o600);
}

/**
 * What the runtime file says about a database: for the embedded one, its address without user or
 * password and the secrets file of its role passwords; nothing for DATABASE_URL (each process is given it).
 */
export function runtimeDatabaseFields(pg: {
  url: string;
  embedded: boolean;
  secretsFile?: string;
}): Pick<RuntimeInfo, 'database' | 'databaseSecrets'> {
  if (!pg.embedded || pg.secretsFile === undefined) return {};
  const address = new URL(pg.url);
  address.username = '';
  address.password = '';
  return { database: address.toString(), databaseSecrets: pg.secretsFile };
}

/** The API's and the worker's URLs of the embedded database a running `npm start` names (none if its secrets cannot be read). */
export function runtimeDatabaseUrls(runtime: RuntimeInfo | undefined): { api: string; worker: string } | undefined {
  if (runtime?.database === undefined || runtime.databaseSecrets === undefined) return undefined;
  try {
    const secrets = readSecrets(runtime.databaseSecrets);
    if (secrets === undefined) return undefined;
    return {
      api: urlFor(runtime.database, API_ROLE, secrets.roles.api),
      worker: urlFor(runtime.database, WORKER_ROLE, secrets.roles.worker),
    };
  } catch {
    return undefined;
  }
}
