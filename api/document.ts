/**
 * The OpenAPI document the API serves, without a database or Temporal: the app is built over
 * dependencies that refuse every use (building and describing its routes uses none) and asked
 * for GET /openapi.json. For writing the web UI's types (scripts/write-openapi-types.ts).
 */
import type { FastifyInstance } from 'fastify';
import { buildApi } from './app';
import type { ApiDeps } from './deps';
import { inlineJobs } from './jobs';

/** A dependency that throws when anything of it is used. */
function unconnected(name: string): never {
  return new Proxy(
    {},
    {
      get(_target, key) {
        throw new Error(`the API was built only to read its OpenAPI document, but ${name}.${String(key)} was used`);
      },
    },
  ) as never;
}

/** The app over dependencies that refuse every use: for reading what it registers and describes. */
export function unconnectedApi(): FastifyInstance {
  const deps: ApiDeps = {
    docket: unconnected('docket'),
    caseStore: unconnected('caseStore'),
    queries: unconnected('queries'),
    users: unconnected('users'),
    customers: unconnected('customers'),
    followUps: unconnected('followUps'),
    handovers: unconnected('handovers'),
    securityLog: unconnected('securityLog'),
    catalog: unconnected('catalog'),
    authenticator: unconnected('authenticator'),
    pool: unconnected('pool'),
  };
  return buildApi(deps, { jobs: inlineJobs, logger: { level: 'silent' } });
}

export async function servedDocument(): Promise<unknown> {
  const app = unconnectedApi();
  try {
    const res = await app.inject({ method: 'GET', url: '/openapi.json' });
    if (res.statusCode !== 200) throw new Error(`GET /openapi.json answered ${res.statusCode}: ${res.body.slice(0, 500)}`);
    return res.json();
  } finally {
    await app.close();
  }
}
