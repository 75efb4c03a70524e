/**
 * The embedded cluster's superuser: connecting with whichever known password works, and keeping
 * the passwords in force (the superuser's and those of Docket's login roles) in the secrets file.
 */
import { Client } from 'pg';
import { ensureLoginRoles, generatePassword, generatePasswords } from '../../adapters/postgres/roles';
import { quoteIdent } from './admin';
import { describe, PostgresStartError } from './errors';
import { writeSecrets, type PostgresSecrets } from './secrets';

/** The address the embedded server listens on. */
export const HOST = '127.0.0.1';
/** The password clusters were made with before passwords were generated: found and replaced. */
export const LEGACY_PASSWORD = 'password';

/**
 * Connects as the superuser with the first password that works; replaces a
 * legacy fixed password by a generated one (recorded first); creates or repairs
 * the login roles. Returns the secrets now in force.
 */
export async function secureCluster(
  port: number,
  user: string,
  candidates: string[],
  recorded: PostgresSecrets | undefined,
  chosen: string | undefined,
  secretsFile: string,
  onLog: (line: string) => void,
): Promise<PostgresSecrets> {
  const { client, password } = await connectWithOne(port, user, candidates);
  try {
    let secrets: PostgresSecrets = {
      superuser: { user, password },
      roles: recorded?.roles ?? generatePasswords(),
    };
    if (password === LEGACY_PASSWORD && chosen === undefined) {
      secrets = { ...secrets, superuser: { user, password: generatePassword() } };
      await writeSecrets(secretsFile, secrets);
      await client.query(`ALTER ROLE ${quoteIdent(user)} PASSWORD '${secrets.superuser.password.replace(/'/g, "''")}'`);
      onLog(`replaced the fixed superuser password of this cluster by a generated one, kept in ${secretsFile}`);
    } else if (recorded === undefined || recorded.superuser.password !== password || recorded.superuser.user !== user) {
      await writeSecrets(secretsFile, secrets);
    }
    await ensureLoginRoles(client, secrets.roles);
    return secrets;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A connection as `user` with the first of `passwords` the server accepts; a PostgresStartError when it accepts none. */
export async function connectWithOne(port: number, user: string, passwords: string[]): Promise<{ client: Client; password: string }> {
  let last: unknown;
  for (const password of passwords) {
    const client = new Client({ host: HOST, port, user, password, database: 'postgres' });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return { client, password };
    } catch (err) {
      last = err;
      await client.end().catch(() => undefined);
      const code = (err as { code?: unknown }).code;
      if (code !== '28P01' && code !== '28000') throw err;
    }
  }
  throw new PostgresStartError(
    `The embedded PostgreSQL server on port ${port} refuses user ${user} with the password of the secrets file: ${describe(last)}`,
    { cause: last },
  );
}
