/**
 * Schema migrations: numbered SQL files (`NNN_name.sql`) applied in order, each
 * in its own transaction, recorded in `docket.schema_migrations`. A PostgreSQL
 * advisory lock serialises runners, so any number of processes may call
 * `migrate` at start-up at the same time.
 */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { Pool, PoolClient } from 'pg';
import { mapPgError, MigrationError } from './errors';

export const SCHEMA = 'docket';
export const MIGRATIONS_DIR = path.join(__dirname, 'migrations');

/** Advisory lock key (two int4 halves) held while migrating: "dock", "migr". */
const LOCK_KEY: [number, number] = [0x646f636b, 0x6d696772];

export interface Migration {
  /** File name without `.sql`, e.g. `001_init`. */
  version: string;
  sql: string;
  checksum: string;
}

export interface MigrateOptions {
  /** Directory of the `.sql` files. Default: `migrations/` beside this module. */
  dir?: string;
  log?: (message: string) => void;
}

/** Reads the migration files of `dir`, sorted by their number. */
export async function loadMigrations(dir: string = MIGRATIONS_DIR): Promise<Migration[]> {
  const names = (await fsp.readdir(dir)).filter((n) => n.endsWith('.sql'));
  const migrations: Array<Migration & { n: number }> = [];
  for (const name of names) {
    const match = /^(\d+)_[A-Za-z0-9_-]+\.sql$/.exec(name);
    if (match === null || match[1] === undefined) {
      throw new MigrationError(`Migration file name ${name} does not match NNN_name.sql`);
    }
    const sql = await fsp.readFile(path.join(dir, name), 'utf8');
    migrations.push({
      n: Number(match[1]),
      version: name.slice(0, -'.sql'.length),
      sql,
      checksum: createHash('sha256').update(sql).digest('hex'),
    });
  }
  migrations.sort((a, b) => a.n - b.n);
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i]?.n === migrations[i - 1]?.n) {
      throw new MigrationError(`Two migrations share number ${migrations[i]?.n}: ${migrations[i - 1]?.version}, ${migrations[i]?.version}`);
    }
  }
  return migrations.map(({ version, sql, checksum }) => ({ version, sql, checksum }));
}

/**
 * Applies the pending migrations and returns the versions applied by this call
 * (empty when the schema was already up to date). Throws `MigrationError` when an
 * applied migration's file has changed since, or when one fails (that migration
 * is rolled back; earlier ones stay applied).
 */
export async function migrate(pool: Pool, opts: MigrateOptions = {}): Promise<string[]> {
  const migrations = await loadMigrations(opts.dir);
  if (await upToDate(pool, migrations)) return [];
  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (err) {
    throw mapPgError(err, 'migrate: could not connect');
  }
  let broken: unknown;
  try {
    try {
      await client.query('SELECT pg_advisory_lock($1, $2)', LOCK_KEY);
    } catch (err) {
      throw mapPgError(err, 'migrate: could not take the migration lock');
    }
    try {
      return await applyPending(client, migrations, opts.log);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1, $2)', LOCK_KEY).catch((err: unknown) => {
        broken = err;
      });
    }
  } catch (err) {
    broken ??= err;
    throw err;
  } finally {
    // A client in an unknown state (its session may still hold the lock) is discarded.
    client.release(broken instanceof Error ? broken : undefined);
  }
}

/**
 * Whether every migration is already applied, found without a lock or DDL: the
 * API's and the worker's roles may read the migrations table but create nothing.
 */
async function upToDate(pool: Pool, migrations: Migration[]): Promise<boolean> {
  let rows: Array<{ version: string; checksum: string }>;
  try {
    const exists = await pool.query<{ t: string | null }>(`SELECT to_regclass('${SCHEMA}.schema_migrations')::text AS t`);
    if (exists.rows[0]?.t == null) return false;
    rows = (await pool.query<{ version: string; checksum: string }>(`SELECT version, checksum FROM ${SCHEMA}.schema_migrations`)).rows;
  } catch (err) {
    if ((err as { code?: unknown }).code === '42501') return false; // no right to read it: let the migration say so
    throw mapPgError(err, 'migrate: could not read the migrations table');
  }
  const applied = new Map(rows.map((r) => [r.version, r.checksum]));
  return migrations.every((m) => applied.get(m.version) === m.checksum);
}

async function applyPending(client: PoolClient, migrations: Migration[], log: ((message: string) => void) | undefined): Promise<string[]> {
  try {
    // CREATE SCHEMA IF NOT EXISTS needs the right to create schemas even when it exists: ask first.
    const schema = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [SCHEMA]);
    if (schema.rowCount === 0) await client.query(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`);
    await client.query(`
      CREATE TABLE IF NOT EXISTS ${SCHEMA}.schema_migrations (
        version    text        PRIMARY KEY,
        checksum   text        NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
  } catch (err) {
    if ((err as { code?: unknown }).code === '42501') {
      throw new MigrationError(
        `migrate: this database role may not create Docket's schema (${(err as Error).message}). ` +
          'Migrations run as the owner role: run `docket db setup` (first time) or `docket db migrate` with the owner or an admin URL.',
        { code: '42501', cause: err },
      );
    }
    throw mapPgError(err, 'migrate: could not create the migrations table');
  }
  const { rows } = await client.query<{ version: string; checksum: string }>(`SELECT version, checksum FROM ${SCHEMA}.schema_migrations`);
  const applied = new Map(rows.map((r) => [r.version, r.checksum]));
  const known = new Set(migrations.map((m) => m.version));
  for (const version of applied.keys()) {
    if (!known.has(version)) {
      log?.(`migration ${version} is recorded in the database but has no file here (a newer release?)`);
    }
  }

  const done: string[] = [];
  for (const migration of migrations) {
    const checksum = applied.get(migration.version);
    if (checksum !== undefined) {
      if (checksum !== migration.checksum) {
        throw new MigrationError(
          `Migration ${migration.version} was changed after it was applied (checksum ${checksum.slice(0, 12)} in the database, ${migration.checksum.slice(0, 12)} on disk). Add a new migration instead.`,
        );
      }
      continue;
    }
    try {
      await client.query('BEGIN');
      await client.query(migration.sql);
      await client.query(`INSERT INTO ${SCHEMA}.schema_migrations (version, checksum) VALUES ($1, $2)`, [
        migration.version,
        migration.checksum,
      ]);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      const code = (err as { code?: unknown }).code;
      throw new MigrationError(`Migration ${migration.version} failed: ${err instanceof Error ? err.message : String(err)}`, {
        code: typeof code === 'string' ? code : undefined,
        cause: err,
      });
    }
    log?.(`applied migration ${migration.version}`);
    done.push(migration.version);
  }
  return done;
}
