/**
 * The HTTP API: a fastify app over a DocketClient and the PostgreSQL stores.
 * Bodies are JSON, strictly UTF-8, at most `bodyLimit` bytes and 64 levels deep;
 * every error is `{"error": {"code", "message"}}` with a conventional status.
 */
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { describeStorableProblems, MAX_JSON_DEPTH as MAX_DEPTH, storableProblems } from '../engine/storable';
import type { ApiDeps } from './deps';
import { ApiError, toApiError } from './errors';
import { mount, openApiDocument, type AnyRoute, type Caller } from './route';
import { adminRoutes } from './routes/admin';
import { auditRoutes } from './routes/audit';
import { caseRoutes } from './routes/cases';
import { definitionRoutes } from './routes/definitions';
import { serveWeb } from './web';

export interface ApiOptions {
  /** Largest request body accepted, in bytes (default 256 KiB). */
  bodyLimit?: number;
  /** fastify's logger option (default: off). */
  logger?: boolean | { level: string };
  /** A built web UI to serve at `/` (see web/build.ts). */
  webRoot?: string;
}

/** The nesting depth of a parsed JSON value, without recursion. */
function depthOf(value: unknown): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d > max) max = d;
    if (max > MAX_DEPTH) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, d + 1]);
  }
  return max;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export function allRoutes(deps: ApiDeps): AnyRoute[] {
  return [...caseRoutes(deps), ...auditRoutes(deps), ...adminRoutes(deps), ...definitionRoutes(deps)];
}

/** The OpenAPI document of the API (static: the same for every deployment). */
export function apiDocument(routes: AnyRoute[]): unknown {
  return openApiDocument(routes, {
    title: 'Docket API',
    version: '1',
    description:
      'Start and drive cases, read inboxes, search, timelines, histories and audit trails. Authenticate with "Authorization: Bearer <token>"; act in one of your roles with "X-Docket-Role".',
  });
}

export function buildApi(deps: ApiDeps, options: ApiOptions = {}): FastifyInstance {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? 256 * 1024,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    routerOptions: { maxParamLength: 500 },
    return503OnClosing: true,
    // Keep-alive connections of clients must not hold up a shutdown.
    forceCloseConnections: true,
  });

  // Plain JSON.parse: a "__proto__" key stays an own key (it sets no prototype) and is then
  // refused by the storable check below with its path, instead of as "not valid JSON".
  const defaultJson = app.getDefaultJsonParser('ignore', 'ignore');
  app.removeContentTypeParser(['application/json']);
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = strictUtf8.decode(body as Buffer);
    } catch {
      done(new ApiError(400, 'InvalidUtf8', 'the request body is not valid UTF-8: send JSON encoded as UTF-8'), undefined);
      return;
    }
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    void defaultJson(request, text, (err, value) => {
      if (err) {
        done(new ApiError(400, 'InvalidJson', `the request body is not valid JSON: ${err.message}`), undefined);
        return;
      }
      if (depthOf(value) > MAX_DEPTH) {
        done(new ApiError(400, 'TooDeep', `the request body is nested more than ${MAX_DEPTH} levels deep`), undefined);
        return;
      }
      const unstorable = storableProblems(value, 'body');
      if (unstorable.length > 0) {
        const message = `the request body cannot be stored: ${describeStorableProblems(unstorable)}`;
        done(new ApiError(400, 'ValidationError', message, unstorable), undefined);
        return;
      }
      done(null, value);
    });
  });

  const refusedAuth = async (request: FastifyRequest, error: ApiError, caller?: Partial<Caller>) => {
    await deps.securityLog
      .record({
        code: error.status === 401 ? 'Unauthenticated' : error.code,
        message: error.message,
        userId: caller?.principal?.userId ?? null,
        role: caller?.role ?? null,
        method: request.method,
        path: request.url,
        remoteIp: request.ip,
      })
      .catch((err: unknown) => request.log.error({ err }, 'could not write the security log'));
  };

  app.setErrorHandler((err, request, reply) => {
    let api: ApiError;
    const fastifyError = err as { code?: string; statusCode?: number; message?: string };
    if (err instanceof ApiError) api = err;
    else if (fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      api = new ApiError(413, 'PayloadTooLarge', `the request body is larger than ${app.initialConfig.bodyLimit} bytes`);
    } else if (fastifyError.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      api = new ApiError(415, 'UnsupportedMediaType', 'send the body as application/json');
    } else if (fastifyError.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || fastifyError.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
      api = new ApiError(400, 'InvalidJson', 'the request body is not valid JSON');
    } else if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
      api = new ApiError(fastifyError.statusCode, 'InvalidRequest', fastifyError.message ?? 'invalid request');
    } else {
      api = toApiError(err);
    }
    if (api.status >= 500) request.log.error({ err }, 'request failed');
    void reply
      .code(api.status)
      .type('application/json; charset=utf-8')
      .send({ error: { code: api.code, message: api.message, ...(api.issues !== undefined && { issues: api.issues }) } });
  });

  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({
      error: { code: 'NotFound', message: `no route ${request.method} ${request.url.split('?')[0]?.slice(0, 200)}: see GET /openapi.json` },
    });
  });

  const routes = allRoutes(deps);
  const document = apiDocument(routes);
  app.get('/openapi.json', async () => document);
  app.get('/health', async () => ({ ok: true }));
  mount(app, routes, { authenticator: deps.authenticator, onRefused: refusedAuth });
  if (options.webRoot) serveWeb(app, options.webRoot);
  return app;
}
