import type { Pool } from 'pg';
import type { FastifyInstance } from 'fastify';
import { buildApi, type ApiOptions } from '../../api/app';
import { apiDeps, appRolePool, bootstrapAdmin } from '../../api/server';
import type { ApiDeps } from '../../api/deps';
import type { Harness } from './harness';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export interface CallOptions {
  token?: string;
  role?: string;
  body?: unknown;
  /** Sent as is (e.g. invalid UTF-8), with content-type application/json. */
  raw?: Buffer | string;
  headers?: Record<string, string>;
}

export interface TestApi {
  url: string;
  app: FastifyInstance;
  deps: ApiDeps;
  pool: Pool;
  adminToken: string;
  call<T = any>(method: string, path: string, options?: CallOptions): Promise<ApiResponse<T>>;
  /** Adds a user with these roles and returns a token of theirs. */
  user(userId: string, roles: string[]): Promise<string>;
  close(): Promise<void>;
}

/** The real API on 127.0.0.1 (a random port) over a harness's database and worker, logged in as docket_api. */
export async function startTestApi(h: Harness, options: ApiOptions = {}): Promise<TestApi> {
  const { pool } = await appRolePool(h.config.apiDatabaseUrl ?? h.config.databaseUrl!, 6);
  const deps = { ...apiDeps(h.docket, pool, undefined, h), auditPublicKeysFile: h.config.audit.publicKeysFile };
  const app = buildApi(deps, options);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const admin = await bootstrapAdmin(deps.users);
  if (!admin) throw new Error('the test database already has users');

  const call = async <T>(method: string, path: string, options: CallOptions = {}): Promise<ApiResponse<T>> => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    if (options.role !== undefined) headers['x-docket-role'] = options.role;
    let body: Buffer | string | undefined;
    if (options.raw !== undefined) body = options.raw;
    else if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const res = await fetch(`${url}${path}`, { method, headers, ...(body !== undefined && { body }) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON (CSV)
    }
    return { status: res.status, body: parsed as T, text, headers: res.headers };
  };

  return {
    url,
    app,
    deps,
    pool,
    adminToken: admin.token,
    call,
    async user(userId, roles) {
      const added = await call('POST', '/users', { token: admin.token, body: { userId, displayName: userId, roles } });
      if (added.status !== 201) throw new Error(`adding ${userId}: ${added.status} ${added.text}`);
      const issued = await call<{ token: string }>('POST', `/users/${userId}/tokens`, { token: admin.token });
      if (issued.status !== 201) throw new Error(`token for ${userId}: ${issued.status} ${issued.text}`);
      return issued.body.token;
    },
    async close() {
      await app.close();
      await pool.end();
    },
  };
}
