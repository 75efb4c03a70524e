/**
 * Docket's PostgreSQL login roles and the database they work in.
 *
 * - `docket_owner` owns the schema and runs the migrations; it is no superuser
 *   and cannot create roles or databases.
 * - `docket_api` is the HTTP API: a member of `docket_app` (the grants of
 *   migrations 002–005), nothing else.
 * - `docket_worker` is the Temporal worker: it appends transitions and keeps the
 *   projections, the outbox and the incidents (migration 005).
 *
 * Neither login role is a member of the owner or of any role with more rights,
 * so neither can `SET ROLE` to it, change or remove a row of the log, disable a
 * trigger or create an object. Roles belong to the whole server; the grants, to
 * one database.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { MigrationError } from './errors';

export const OWNER_ROLE = 'docket_owner';
export const API_ROLE = 'docket_api';
export const WORKER_ROLE = 'docket_worker';
/** The NOLOGIN role holding the API's grants (migration 002); `docket_api` inherits them. */
export const APP_ROLE = 'docket_app';

export type LoginRole = 'owner' | 'api' | 'worker';
export const LOGIN_ROLES: Record<LoginRole, string> = { owner: OWNER_ROLE, api: API_ROLE, worker: WORKER_ROLE };

export type RolePasswords = Record<LoginRole, string>;
export type RoleUrls = Record<LoginRole, string>;

/** A password for a database role: 32 random bytes, URL-safe. */
export function generatePassword(): string {
  return randomBytes(32).toString('base64url');
}

/** Fresh passwords for the three login roles. */
export function generatePasswords(): RolePasswords {
  return { owner: generatePassword(), api: generatePassword(), worker: generatePassword() };
}

/** `url` (any user's) with `user` and `password` in its place. */
export function urlFor(url: string, user: string, password: string): string {
  const parsed = new URL(url);
  parsed.username = encodeURIComponent(user);
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
}

/** The connection URLs of the three login roles, on the server and database of `url`. */
export function roleUrls(url: string, passwords: RolePasswords): RoleUrls {
  return {
    owner: urlFor(url, OWNER_ROLE, passwords.owner),
    api: urlFor(url, API_ROLE, passwords.api),
    worker: urlFor(url, WORKER_ROLE, passwords.worker),
  };
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/**
 * Creates the login roles (or brings existing ones back to these attributes and
 * passwords) and the NOLOGIN `docket_app`; takes away any membership that would
 * let a login role become a role with more rights. Run as a superuser or a role
 * with CREATEROLE; `client` may be connected to any database of the server.
 */
export async function ensureLoginRoles(client: Client, passwords: RolePasswords): Promise<void> {
  const limits = 'NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS';
  const wanted: Array<[string, string]> = [
    [OWNER_ROLE, `LOGIN ${limits} INHERIT`],
    [API_ROLE, `LOGIN ${limits} INHERIT`],
    [WORKER_ROLE, `LOGIN ${limits} NOINHERIT`],
    [APP_ROLE, `NOLOGIN ${limits} NOINHERIT`],
  ];
  const passwordOf: Record<string, string | undefined> = {
    [OWNER_ROLE]: passwords.owner,
    [API_ROLE]: passwords.api,
    [WORKER_ROLE]: passwords.worker,
  };
  for (const [role, attributes] of wanted) {
    const password = passwordOf[role];
    const withPassword = password === undefined ? attributes : `${attributes} PASSWORD ${quoteLiteral(password)}`;
    const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
    if (exists.rowCount === 0) {
      try {
        await client.query(`CREATE ROLE ${quoteIdent(role)} ${withPassword}`);
        continue;
      } catch (err) {
        // Created meanwhile by another setup: fall through and alter it.
        if ((err as { code?: unknown }).code !== '42710') throw err;
      }
    }
    await client.query(`ALTER ROLE ${quoteIdent(role)} ${withPassword}`);
  }
  // Memberships of the login roles: the API's grants and nothing more.
  const { rows } = await client.query<{ member: string; role: string }>(
    `SELECT m.rolname AS member, r.rolname AS role
       FROM pg_auth_members a JOIN pg_roles m ON m.oid = a.member JOIN pg_roles r ON r.oid = a.roleid
      WHERE m.rolname = ANY($1)`,
    [[API_ROLE, WORKER_ROLE, APP_ROLE]],
  );
  for (const { member, role } of rows) {
    if (member === API_ROLE && role === APP_ROLE) continue;
    await client.query(`REVOKE ${quoteIdent(role)} FROM ${quoteIdent(member)}`);
  }
  if (!rows.some((r) => r.member === API_ROLE && r.role === APP_ROLE)) {
    await client.query(`GRANT ${quoteIdent(APP_ROLE)} TO ${quoteIdent(API_ROLE)}`);
  }
}

/**
 * Makes `docket_owner` the owner of schema `docket` and everything in it (the
 * schema is created when missing), lets the roles connect, and stops everyone
 * else creating objects in schema `public`. `client` must be connected to the
 * database itself, as a superuser or a role that may act as `docket_owner`.
 */
export async function prepareDatabase(client: Client): Promise<void> {
  const { rows } = await client.query<{ db: string; superuser: boolean }>(
    `SELECT current_database() AS db, rolsuper AS superuser FROM pg_roles WHERE rolname = current_user`,
  );
  const db = rows[0]?.db ?? '';
  if (rows[0]?.superuser !== true) {
    // A CREATEROLE admin (e.g. a managed service's master user) must be able to act as the owner to hand it objects.
    await client.query(`GRANT ${quoteIdent(OWNER_ROLE)} TO CURRENT_USER`);
  }
  await client.query(`GRANT CONNECT ON DATABASE ${quoteIdent(db)} TO ${OWNER_ROLE}, ${API_ROLE}, ${WORKER_ROLE}`);
  await client.query('REVOKE CREATE ON SCHEMA public FROM PUBLIC');
  await client.query(`CREATE SCHEMA IF NOT EXISTS docket AUTHORIZATION ${OWNER_ROLE}`);
  // A database migrated before the owner role existed: hand over the schema and its objects.
  await client.query(`
    DO $$
    DECLARE
      obj record;
    BEGIN
      EXECUTE 'ALTER SCHEMA docket OWNER TO ${OWNER_ROLE}';
      FOR obj IN
        SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'docket' AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
           AND pg_get_userbyid(c.relowner) <> '${OWNER_ROLE}'
      LOOP
        EXECUTE format('ALTER TABLE docket.%I OWNER TO ${OWNER_ROLE}', obj.relname);
      END LOOP;
      FOR obj IN
        SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'docket' AND c.relkind = 'S' AND pg_get_userbyid(c.relowner) <> '${OWNER_ROLE}'
           AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i'))
      LOOP
        EXECUTE format('ALTER SEQUENCE docket.%I OWNER TO ${OWNER_ROLE}', obj.relname);
      END LOOP;
      FOR obj IN
        SELECT p.oid::regprocedure AS fn FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname = 'docket' AND pg_get_userbyid(p.proowner) <> '${OWNER_ROLE}'
      LOOP
        EXECUTE format('ALTER ROUTINE %s OWNER TO ${OWNER_ROLE}', obj.fn);
      END LOOP;
    END;
    $$`);
}

/**
 * Applies the login roles' grants on what the migrations made: migration 005
 * does it when the roles exist; a setup run after the migrations calls this.
 * Run as the owner or a superuser.
 */
export async function applyGrants(client: Client): Promise<void> {
  try {
    await client.query('SELECT docket.grant_login_roles()');
  } catch (err) {
    throw new MigrationError(`could not grant the login roles their rights: ${(err as Error).message}`, { cause: err });
  }
}

/** Connects a client to `url` that ignores errors of an idle connection. */
export async function connectClient(url: string): Promise<Client> {
  const client = new Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}
