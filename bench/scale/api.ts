/**
 * The real HTTP API in this process over the seeded database, without Temporal: requests go through
 * fastify's `inject` (routing, authentication, validation, the handlers and their queries), as
 * users with tokens of their own. Every statement the API sends to PostgreSQL can be recorded, so
 * that a test can EXPLAIN exactly what a measured request ran.
 */
import type { FastifyInstance } from 'fastify';
import { Client, Connection } from '@temporalio/client';
import type { PoolClient, QueryConfig } from 'pg';
import { PostgresCaseStore } from '../../adapters/postgres/case-store';
import { PostgresDefinitionStore } from '../../adapters/postgres/definition-store';
import { PostgresUserStore } from '../../adapters/postgres/user-store';
import { buildApi } from '../../api/app';
import { DefinitionCatalog } from '../../api/catalog';
import { inlineJobs } from '../../api/jobs';
import { apiDeps, appRolePool } from '../../api/server';
import { DocketClient } from '../../client/docket-client';
import type { CalendarData } from '../../engine/types';

/** A statement as the API sent it. */
export interface Statement {
  text: string;
  values: unknown[];
  /** The `SET LOCAL` statements sent before it in its transaction (planner settings it ran with). */
  settings?: string[];
}

export interface ScaleApi {
  /** GET `url` as `userId` in `role`; resolves with the status, the parsed body and the round trip in ms. */
  get(url: string, userId: string, role: string): Promise<{ status: number; body: any; ms: number }>;
  /** Runs `fn` and returns the statements the API sent meanwhile. */
  record(fn: () => Promise<unknown>): Promise<Statement[]>;
  close(): Promise<void>;
}

/**
 * Starts the API on `databaseUrl` (as docket_app where that role exists, as the API runs). Temporal is
 * not there: a case's pinned definition, which the API would ask its workflow for, is read from the
 * published version the case names instead (cached by hash, like the API's catalog).
 */
export async function startScaleApi(databaseUrl: string, calendar: CalendarData): Promise<ScaleApi> {
  const { pool } = await appRolePool(databaseUrl, 6);
  let recording: Statement[] | undefined;
  // Recorded on each connection (the pool's own queries go through them too), with the settings of
  // its transaction; the pool has no connection yet.
  pool.on('connect', (client: PoolClient) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    let settings: string[] = [];
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const [first, second] = args;
      const text = typeof first === 'string' ? first : (first as QueryConfig).text;
      if (/^\s*SET LOCAL\b/i.test(text)) settings.push(text);
      else if (/^\s*(COMMIT|ROLLBACK)\b/i.test(text)) settings = [];
      else if (recording) {
        const values = Array.isArray(second) ? second : ((first as QueryConfig).values ?? []);
        recording.push({ text, values, ...(settings.length > 0 && { settings: [...settings] }) });
      }
      return query(...args);
    };
  });
  const definitions = new PostgresDefinitionStore(pool);
  const temporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:9' }), namespace: 'default' });
  const docket = new DocketClient({
    temporal,
    store: new PostgresCaseStore(pool),
    definitions,
    calendar,
    taskQueue: 'bench-scale',
  });
  const deps = {
    ...apiDeps(docket, pool),
    catalog: new DefinitionCatalog({
      definitions,
      caseDefinition: async (caseId: string) => {
        const { rows } = await pool.query<{ definition: unknown }>(
          `SELECT v.definition FROM docket.cases c JOIN docket.definition_versions v
              ON v.process_id = c.process_id AND v.version = c.definition_version WHERE c.case_id = $1`,
          [caseId],
        );
        if (!rows[0]) throw new Error(`no case ${caseId}`);
        return rows[0].definition;
      },
    }),
  };
  const app: FastifyInstance = buildApi(deps, { jobs: inlineJobs, logger: { level: 'silent' } });
  await app.ready();
  const users = new PostgresUserStore(pool);
  const tokens = new Map<string, string>();

  return {
    async get(url, userId, role) {
      let token = tokens.get(userId);
      if (token === undefined) {
        token = (await users.issueToken(userId)).token;
        tokens.set(userId, token);
      }
      const t0 = performance.now();
      const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}`, 'x-docket-role': role } });
      const ms = performance.now() - t0;
      let body: unknown = res.body;
      try {
        body = res.json();
      } catch {
        // CSV or empty
      }
      return { status: res.statusCode, body, ms };
    },
    async record(fn) {
      recording = [];
      try {
        await fn();
        return recording;
      } finally {
        recording = undefined;
      }
    },
    async close() {
      await app.close();
      await pool.end();
      await temporal.connection.close().catch(() => undefined);
    },
  };
}
