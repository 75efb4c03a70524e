import { PostgresCustomerStore } from '../adapters/postgres/customer-store';
import { PostgresHandoverStore } from '../adapters/postgres/handover-store';
import { createPool } from '../adapters/postgres';
import { FollowUps, type SyncAllResult } from '../client/follow-ups';
import { Handovers, type CustomerHandover } from '../client/handovers';
/**
 * The API's composition root: connects to Temporal and PostgreSQL, builds the
 * app, and listens. It logs in to PostgreSQL as its own role `docket_api`
 * (DOCKET_API_DATABASE_URL, or the embedded database's), a member of
 * `docket_app` only: it cannot change or remove a row of the logs, nor become
 * a role that could. Given a more powerful login, it still acts as `docket_app`.
 */
import type { FastifyInstance } from 'fastify';
import { type Pool } from 'pg';
import { PostgresCaseQueries } from '../adapters/postgres/case-query';
import { PostgresCaseStore } from '../adapters/postgres/case-store';
import { PostgresSecurityLog } from '../adapters/postgres/security-log';
import { PostgresUserStore, type IssuedToken } from '../adapters/postgres/user-store';
import type { DocketClient } from '../client/docket-client';
import type { ConnectedClient } from '../client/setup';
import { connectDocket } from '../client/setup';
import { requireSearchAttributes } from '../infra/search-attributes';
import { APP_ROLE } from '../adapters/postgres/roles';
import { ConflictError } from '../adapters/postgres/errors';
import type { DocketConfig } from '../config';
import type { Logger } from '../logging';
import { buildApi, type ApiOptions } from './app';
import { TokenAuthenticator, type Authenticator } from './auth';
import { DefinitionCatalog } from './catalog';
import type { ApiDeps } from './deps';

export { APP_ROLE };

/**
 * A pool whose connections act as `docket_app` when that role exists and the login
 * may use it (set at connection start, before any query), else an ordinary pool.
 * `login` is the role the connections log in as: `docket_api` in a set-up deployment;
 * a more powerful one (DATABASE_URL's superuser) could still `RESET ROLE`.
 */
export async function appRolePool(connectionString: string, max = 10): Promise<{ pool: Pool; appRole: boolean; login: string }> {
  const probe = createPool({ connectionString, max: 1 });
  let appRole = false;
  let login = '';
  try {
    const { rows } = await probe.query<{ ok: boolean; login: string }>(
      `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)
          AND pg_has_role(current_user, (SELECT oid FROM pg_roles WHERE rolname = $1), 'MEMBER') AS ok,
          current_user AS login`,
      [APP_ROLE],
    );
    appRole = rows[0]?.ok === true;
    login = rows[0]?.login ?? '';
  } finally {
    await probe.end();
  }
  const pool = createPool({ connectionString, max, ...(appRole && { options: `-c role=${APP_ROLE}` }) });
  return { pool, appRole, login };
}

/** The API's dependencies over a DocketClient and a pool. */
export function apiDeps(
  docket: DocketClient,
  pool: Pool,
  authenticator?: Authenticator,
  owners: Pick<ConnectedClient, 'lifecycle' | 'migrations' | 'calendars'> = {},
): ApiDeps {
  const users = new PostgresUserStore(pool);
  const customers = new PostgresCustomerStore(pool);
  const followUps = new FollowUps({ docket, customers, pool });
  return {
    docket,
    caseStore: new PostgresCaseStore(pool),
    queries: new PostgresCaseQueries(pool),
    users,
    customers,
    followUps,
    handovers: new Handovers({ docket, followUps, store: new PostgresHandoverStore(pool), users, customers, pool }),
    securityLog: new PostgresSecurityLog(pool),
    catalog: new DefinitionCatalog(docket),
    authenticator: authenticator ?? new TokenAuthenticator(users),
    pool,
    ...(owners.lifecycle && { lifecycle: owners.lifecycle }),
    ...(owners.migrations && { migrations: owners.migrations }),
    ...(owners.calendars && { calendars: owners.calendars }),
  };
}

/**
 * Creates the first admin (user `admin`) when there are no users; returns its token, which is shown only now.
 * Of several API processes starting at once on an empty database, one creates it; the others find it there.
 */
export async function bootstrapAdmin(users: PostgresUserStore): Promise<IssuedToken | undefined> {
  if ((await users.countUsers()) > 0) return undefined;
  try {
    await users.addUser({ userId: 'admin', displayName: 'Administrator', roles: ['admin'] });
  } catch (err) {
    if (err instanceof ConflictError) return undefined;
    throw err;
  }
  return users.issueToken('admin');
}

export interface RunningApi {
  app: FastifyInstance;
  url: string;
  deps: ApiDeps;
  /** Whether the database connections act as docket_app. */
  appRole: boolean;
  /** The role the database connections log in as (docket_api when set up). */
  databaseLogin: string;
  /** The catching up at start (see `catchUp`): what it told, once done. */
  caughtUp: Promise<CatchUp>;
  close(): Promise<void>;
}

/** What the API told at its start that a change it committed earlier had not yet told. */
export interface CatchUp {
  handovers: CustomerHandover[];
  followUps: SyncAllResult;
}

/**
 * Tells cases what the records say and they were not told: handovers whose cases were not all told,
 * and follow-up plans behind their customer's grade, owner or contact log (an API that died between
 * committing a change and telling the case). Run at every API start; safe with several at once.
 */
export async function catchUp(deps: Pick<ApiDeps, 'handovers' | 'followUps'>): Promise<CatchUp> {
  const handovers = await deps.handovers.finishPending();
  return { handovers, followUps: await deps.followUps.syncAll() };
}

/** Logs how the catching up at start went (a warning where a plan could not be told, or it failed). */
export function logCatchUp(caughtUp: Promise<CatchUp>, log: Logger): void {
  void caughtUp.then(
    (c) =>
      log[c.followUps.failed.length > 0 ? 'warn' : 'info'](
        {
          handoversFinished: c.handovers.length,
          plansSynced: c.followUps.synced.length,
          plansFailed: c.followUps.failed.map((f) => ({ customerId: f.customerId, code: f.code })),
        },
        'follow-up plans and handovers caught up with the records',
      ),
    (err: unknown) =>
      log.warn(
        { err },
        'could not catch follow-up plans and handovers up: each catches up at its customer’s next change, or the next start',
      ),
  );
}

export interface StartApiOptions extends ApiOptions {
  port: number;
  host?: string;
}

/** Connects, builds and starts the API. */
export async function startApi(config: DocketConfig, options: StartApiOptions): Promise<RunningApi> {
  const databaseUrl = config.apiDatabaseUrl ?? config.databaseUrl;
  if (!databaseUrl) throw new Error('no database: set DOCKET_API_DATABASE_URL (or DATABASE_URL), or run `npm start`');
  // Cases and definitions through the one client module; users, audit and search on a pool of its own.
  const connected = await connectDocket({ ...config, databaseUrl });
  const { pool, appRole, login } = await appRolePool(databaseUrl).catch(async (err: unknown) => {
    await connected.close().catch(() => undefined);
    throw err;
  });
  try {
    // Cases cannot be started on a namespace without Docket's search attributes: say so now, not at the first start.
    if (connected.connection) await requireSearchAttributes(connected.connection, config.namespace);
    const deps = { ...apiDeps(connected.docket, pool, undefined, connected), auditPublicKeysFile: config.audit.publicKeysFile };
    const app = buildApi(deps, {
      ...options,
      jobs: options.jobs ?? config.api?.jobs,
      metrics: { processMetrics: true, ...(config.metrics.token !== undefined && { token: config.metrics.token }), ...options.metrics },
      logger: { format: config.logFormat, ...options.logger },
    });
    const host = options.host ?? '127.0.0.1';
    await app.listen({ port: options.port, host });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : options.port;
    const caughtUp = catchUp(deps);
    caughtUp.catch(() => undefined); // the caller reads it; an unread failure must not end the process
    return {
      app,
      url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
      deps,
      appRole,
      databaseLogin: login,
      caughtUp,
      async close() {
        await app.close();
        await pool.end();
        await connected.close();
      },
    };
  } catch (err) {
    await pool.end().catch(() => undefined);
    await connected.close().catch(() => undefined);
    throw err;
  }
}
