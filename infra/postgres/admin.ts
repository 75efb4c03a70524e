/** Database administration on a PostgreSQL server: creating and dropping databases, naming them in URLs. */
import { Client } from 'pg';
import { sleep } from '../wait';

/** Returns `url` with its database name replaced by `database`. */
export function withDatabase(url: string, database: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (err) {
    throw new Error(`Not a postgres:// connection URL: ${redact(url)}`, {
      cause: err,
    });
  }
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

function databaseOf(url: string): string {
  const parsed = new URL(url);
  return decodeURIComponent(parsed.pathname.replace(/^\//, ''));
}

export function assertDatabaseName(name: string): void {
  if (!/^[A-Za-z_][A-Za-z0-9_$-]{0,62}$/.test(name)) {
    throw new Error(`Invalid database name ${JSON.stringify(name)}: use letters, digits, _ $ - (max 63, not starting with a digit)`);
  }
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Connects to the server of `url`, to its own database unless that is `avoid`. */
async function maintenanceClient(url: string, avoid: string): Promise<Client> {
  const own = databaseOf(url);
  const target = own === '' || own === avoid ? withDatabase(url, 'postgres') : url;
  const client = new Client({ connectionString: target });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/**
 * Creates database `name` on the server of `url` if it does not exist (with
 * `fresh`, drops it first) and returns a URL that connects to it.
 */
export async function createDatabase(url: string, name: string, opts: { fresh?: boolean } = {}): Promise<string> {
  assertDatabaseName(name);
  const client = await maintenanceClient(url, name);
  try {
    if (opts.fresh === true) {
      await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    }
    for (let attempt = 0; ; attempt++) {
      const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (exists.rowCount !== 0) break;
      try {
        await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
        break;
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        // 42P04 duplicate_database / 23505: created concurrently by someone else.
        if (code === '42P04' || code === '23505') break;
        // 55006 object_in_use: template1 busy with another CREATE DATABASE.
        if (code === '55006' && attempt < 20) {
          await sleep(100 + Math.random() * 200);
          continue;
        }
        throw err;
      }
    }
  } finally {
    await client.end().catch(() => undefined);
  }
  return withDatabase(url, name);
}

/** Drops database `name` on the server of `url` (if it exists), closing its connections. */
export async function dropDatabase(url: string, name: string): Promise<void> {
  assertDatabaseName(name);
  const client = await maintenanceClient(url, name);
  try {
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}
