/**
 * The passwords of an embedded PostgreSQL cluster: its superuser's and those of
 * Docket's login roles, generated when the cluster is made and kept in one JSON
 * file that only its owner may read (mode 0600, in a 0700 folder).
 */
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { z } from 'zod';
import type { RolePasswords } from '../../adapters/postgres/roles';

export interface PostgresSecrets {
  superuser: { user: string; password: string };
  roles: RolePasswords;
}

const secretsSchema = z.object({
  superuser: z.object({ user: z.string().min(1), password: z.string().min(1) }),
  roles: z.object({ owner: z.string().min(1), api: z.string().min(1), worker: z.string().min(1) }),
});

/** Where the secrets of the cluster in `dataDir` are kept: `<parent>/secrets/<name>.json` (`data/secrets/postgres.json`). */
export function defaultSecretsFile(dataDir: string): string {
  return path.join(path.dirname(path.resolve(dataDir)), 'secrets', `${path.basename(dataDir)}.json`);
}

export class SecretsFileError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SecretsFileError';
  }
}

/** Reads a secrets file; undefined when there is none. A file others may read is made private first. */
export function readSecrets(file: string): PostgresSecrets | undefined {
  let text: string;
  try {
    const mode = fs.statSync(file).mode & 0o777;
    if ((mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ENOENT') return undefined;
    throw new SecretsFileError(`cannot read the database secrets file ${file}: ${(err as Error).message}`, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new SecretsFileError(`${file} is not JSON: restore it from a backup, or remove it and the cluster's data directory`, {
      cause: err,
    });
  }
  const parsed = secretsSchema.safeParse(json);
  if (!parsed.success) {
    throw new SecretsFileError(`${file} is not a database secrets file:\n${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

/** Writes the secrets file atomically, mode 0600, in a folder of mode 0700. */
export async function writeSecrets(file: string, secrets: PostgresSecrets): Promise<void> {
  const dir = path.dirname(file);
  // Only the folder itself is private: its parents keep the usual mode (data/ must stay open to the server's user).
  await fsp.mkdir(path.dirname(dir), { recursive: true });
  await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  await fsp.chmod(dir, 0o700);
  const tmp = `${file}.${process.pid}.tmp`;
  await fsp.writeFile(tmp, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  await fsp.chmod(tmp, 0o600);
  await fsp.rename(tmp, file);
}
