/**
 * `docket db setup` and `docket db migrate`: Docket's login roles and schema on
 * a PostgreSQL server of your own (the embedded one of `npm start` is set up by
 * itself). Both run with an admin's URL (`--database-url` or DATABASE_URL).
 */
import { migrate } from '../adapters/postgres/migrate';
import { createPool } from '../adapters/postgres/pool';
import {
  applyGrants,
  connectClient,
  ensureLoginRoles,
  generatePassword,
  prepareDatabase,
  roleUrls,
  type RolePasswords,
} from '../adapters/postgres/roles';
import { createDatabase } from '../infra/postgres';
import { redactUrl } from '../config';
import type { CliContext } from './context';
import { CliError, EXIT_OK } from './errors';

export interface DbOptions {
  databaseUrl?: string;
}

function adminUrl(ctx: CliContext, opts: DbOptions): string {
  const url = opts.databaseUrl ?? ctx.config().databaseSetup?.adminUrl;
  if (url === undefined) {
    throw new CliError(
      'NotConfigured',
      'name the database: pass --database-url postgres://admin:…@host:5432/docket or set DATABASE_URL (a superuser, or a role with CREATEROLE that owns the database)',
    );
  }
  try {
    new URL(url);
  } catch {
    throw new CliError('InvalidArgument', `--database-url: not a URL such as postgres://admin:pass@host:5432/docket: ${redactUrl(url)}`);
  }
  return url;
}

/** Migrates as `url`'s role and grants the login roles their rights; returns the migrations applied. */
async function migrateAndGrant(url: string): Promise<string[]> {
  const pool = createPool({ connectionString: url, max: 1 });
  let applied: string[];
  try {
    applied = await migrate(pool);
  } finally {
    await pool.end().catch(() => undefined);
  }
  const client = await connectClient(url);
  try {
    await applyGrants(client);
  } finally {
    await client.end().catch(() => undefined);
  }
  return applied;
}

/**
 * `docket db setup`: creates (or repairs) the roles docket_owner, docket_api and
 * docket_worker with the passwords of DOCKET_DB_*_PASSWORD or fresh ones, hands
 * the database to docket_owner, migrates it as docket_owner, and prints the
 * three URLs once. Running it again sets new passwords unless they are given.
 */
export async function dbSetupCommand(ctx: CliContext, opts: DbOptions): Promise<number> {
  const url = adminUrl(ctx, opts);
  const given = ctx.config().databaseSetup?.passwords ?? {};
  const passwords: RolePasswords = {
    owner: given.owner ?? generatePassword(),
    api: given.api ?? generatePassword(),
    worker: given.worker ?? generatePassword(),
  };
  const database = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  if (database === '') throw new CliError('InvalidArgument', '--database-url names no database: end it with /<database>, e.g. /docket');

  const admin = await connectClient(url).catch(async (err: unknown) => {
    if ((err as { code?: unknown }).code !== '3D000') throw err; // invalid_catalog_name: create it
    await createDatabase(url, database);
    return connectClient(url);
  });
  try {
    await ensureLoginRoles(admin, passwords);
    await prepareDatabase(admin);
  } finally {
    await admin.end().catch(() => undefined);
  }
  const urls = roleUrls(url, passwords);
  const applied = await migrateAndGrant(urls.owner);

  const generated = (['owner', 'api', 'worker'] as const).filter((r) => given[r] === undefined);
  ctx.print({ database, migrated: applied, urls, generated }, () => {
    const lines = [
      `Database ${database} at ${new URL(url).host}: roles docket_owner, docket_api, docket_worker ready` +
        `${applied.length ? `; migrated: ${applied.join(', ')}` : '; schema up to date'}.`,
      generated.length > 0
        ? `New passwords for ${generated.map((r) => `docket_${r}`).join(', ')}, shown this once: keep these in your secret store.`
        : 'Passwords as given in DOCKET_DB_*_PASSWORD.',
      '',
      '# the HTTP API (npm run api):',
      `DOCKET_API_DATABASE_URL=${urls.api}`,
      '# each worker (npm run worker):',
      `DOCKET_WORKER_DATABASE_URL=${urls.worker}`,
      '# migrations only (docket db migrate), not for the API or the workers:',
      `DATABASE_URL=${urls.owner}`,
      '',
    ];
    return lines.join('\n');
  });
  return EXIT_OK;
}

/** `docket db migrate`: applies pending migrations as the owner (DATABASE_URL) and renews the login roles' grants. */
export async function dbMigrateCommand(ctx: CliContext, opts: DbOptions): Promise<number> {
  const url = adminUrl(ctx, opts);
  const applied = await migrateAndGrant(url);
  ctx.print({ migrated: applied }, () => (applied.length ? `migrated: ${applied.join(', ')}\n` : 'schema up to date\n'));
  return EXIT_OK;
}
