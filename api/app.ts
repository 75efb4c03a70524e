/**
 * The HTTP API: a fastify app over a DocketClient and the PostgreSQL stores.
 * Bodies are JSON, strictly UTF-8, at most `bodyLimit` bytes and 64 levels deep;
 * every error is `{"error": {"code", "message", "requestId"}}` with a conventional
 * status, and every response carries its request id in `X-Request-Id`.
 */
import Fastify, { LogController, type FastifyInstance, type FastifyRequest } from 'fastify';
import { describeIssues } from '../engine/refusals';
import { MAX_JSON_DEPTH as MAX_DEPTH, storableProblems } from '../engine/storable';
import type { ApiDeps } from './deps';
import { AuthFailureLog } from './auth-failure-log';
import { AuthenticationError } from './auth';
import { AuthThrottle, DEFAULT_AUTH_LIMITS, type AuthLimits } from './auth-throttle';
import { ApiError, toApiError } from './errors';
import { JobPool, inlineJobs, type JobPoolOptions, type JobRunner } from './jobs';
import { maskPersonalQuery } from '../logging';
import { apiLogger, REQUEST_ID_HEADER, requestIdOf, routeOf, type ApiLogOptions } from './logging';
import { ApiMetrics } from './metrics';
import { postgresBusinessCounts } from './metrics-business';
import { openApiDocument } from './openapi';
import { apiReadinessChecks } from './readiness';
import { mount, type AnyRoute, type Caller } from './route';
import { RouteTable, type RegisteredRoute } from './route-table';
import { adminRoutes } from './routes/admin';
import { auditRoutes } from './routes/audit';
import { calendarRoutes } from './routes/calendars';
import { caseRoutes } from './routes/cases';
import { customerRoutes } from './routes/customers';
import { handoverRoutes } from './routes/handovers';
import { definitionRoutes } from './routes/definitions';
import { incidentRoutes } from './routes/incidents';
import { migrationRoutes } from './routes/migrations';
import { notificationRoutes } from './routes/notifications';
import { delegationRoutes } from './routes/delegations';
import { operationsRoutes, type OperationsOptions } from './routes/operations';
import { reportRoutes } from './routes/reports';
import { samplingRoutes } from './routes/sampling';
import { libraryRoutes } from './routes/library';
import { taskRoutes } from './routes/tasks';
import { registerSecurityHeaders } from './security-headers';
import { serveWeb } from './web';

export interface ApiOptions {
  /** Largest request body accepted, in bytes (default 256 KiB). */
  bodyLimit?: number;
  /** The log (see logging.ts): JSON lines on stderr at level `warn` unless told otherwise; every 500 is logged. */
  logger?: ApiLogOptions;
  /** The pool that lints and draws off the event loop: its options, or a runner of one's own (which the app does not close). */
  jobs?: JobPoolOptions | JobRunner;
  /** A built web UI to serve at `/` (see web/build.ts). */
  webRoot?: string;
  /** Rate limiting of failed authentication and its security-log rows (see auth-throttle.ts). */
  authLimits?: AuthLimits;
  /** Prometheus metrics (README "Operations"): the scrape token, Node.js process metrics, how long business counts are kept. */
  metrics?: { token?: string; processMetrics?: boolean; businessCacheMs?: number };
  /** How long each readiness check may take (default 2000 ms). */
  readyTimeoutMs?: number;
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

/** Every route; linting, diffs and diagrams run on `jobs` (default: on the calling thread). */
export function allRoutes(deps: ApiDeps, jobs: JobRunner = inlineJobs, operations?: OperationsOptions): AnyRoute[] {
  return [
    ...operationsRoutes(operations ?? { metrics: new ApiMetrics(), readiness: apiReadinessChecks(deps.pool, deps.docket) }),
    ...caseRoutes(deps),
    ...taskRoutes(deps),
    ...customerRoutes(deps),
    ...handoverRoutes(deps),
    ...incidentRoutes(deps),
    ...auditRoutes(deps),
    ...samplingRoutes(deps),
    ...libraryRoutes(deps),
    ...adminRoutes(deps),
    ...definitionRoutes(deps, jobs),
    ...migrationRoutes(deps),
    ...calendarRoutes(deps),
    ...notificationRoutes(deps),
    ...delegationRoutes(deps),
    ...reportRoutes(deps),
  ];
}

const isRunner = (jobs: JobPoolOptions | JobRunner | undefined): jobs is JobRunner =>
  typeof (jobs as JobRunner | undefined)?.diagram === 'function';

/** The OpenAPI document of the API's registered routes (static: the same for every deployment). */
export function apiDocument(routes: RegisteredRoute[]): unknown {
  return openApiDocument(routes, {
    title: 'Docket API',
    version: '1',
    description:
      'Start and drive cases, read inboxes, search, timelines, histories and audit trails. Authenticate with "Authorization: Bearer <token>"; act in one of your roles with "X-Docket-Role".',
  });
}

export function buildApi(deps: ApiDeps, options: ApiOptions = {}): FastifyInstance {
  const app = Fastify({
    loggerInstance: apiLogger(options.logger),
    // One line per request comes from the onResponse hook below (route pattern, no query string).
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    genReqId: requestIdOf,
    bodyLimit: options.bodyLimit ?? 256 * 1024,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    routerOptions: { maxParamLength: 500 },
    return503OnClosing: true,
    // Keep-alive connections of clients must not hold up a shutdown.
    forceCloseConnections: true,
  });
  // Before any route: the OpenAPI document and the 405s are made from what is registered.
  const table = new RouteTable(app);

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
        const message = `the request body cannot be stored: ${describeIssues(unstorable)}`;
        done(new ApiError(400, 'ValidationError', message, unstorable), undefined);
        return;
      }
      done(null, value);
    });
  });

  registerSecurityHeaders(app);
  const metrics = new ApiMetrics({
    ...(options.metrics?.processMetrics !== undefined && { processMetrics: options.metrics.processMetrics }),
    business: postgresBusinessCounts(deps.pool, options.metrics?.businessCacheMs),
  });
  const limits = { ...DEFAULT_AUTH_LIMITS, ...options.authLimits };
  const throttle = new AuthThrottle(limits);
  const failureLog = new AuthFailureLog(deps.securityLog, limits, (err) => app.log.error({ err }, 'could not write the security log'));
  app.addHook('onClose', async () => failureLog.close());

  // Failed authentications (and refusals of a throttled address) are counted and summed up; other refusals are written one by one.
  const refusedAuth = async (request: FastifyRequest, error: ApiError, caller?: Partial<Caller>) => {
    metrics.authFailed(error.status === 401 ? 'unauthenticated' : error.status === 429 ? 'throttled' : 'forbidden');
    const event = {
      code: error.status === 401 ? 'Unauthenticated' : error.code,
      message: error.message,
      userId: caller?.principal?.userId ?? null,
      role: caller?.role ?? null,
      method: request.method,
      path: maskPersonalQuery(request.url),
      remoteIp: request.ip,
      tokenId: error instanceof AuthenticationError ? (error.tokenId ?? null) : null,
    };
    const written =
      error.status === 401
        ? Promise.all([throttle.failed(request), failureLog.refused(event)])
        : error.status === 429
          ? failureLog.refused(event)
          : deps.securityLog.record(event);
    await written.catch((err: unknown) => request.log.error({ err }, 'could not write the security log'));
  };

  app.addHook('onRequest', async (request, reply) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    metrics.answered(request.method, request.routeOptions?.url, reply.statusCode, reply.elapsedTime / 1000);
    // A failed request was logged by the error handler, with its error.
    if (reply.statusCode >= 500) return;
    request.log.info(
      { method: request.method, route: routeOf(request), status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request',
    );
  });

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
    metrics.refused(api.code);
    const line = { method: request.method, route: routeOf(request), status: api.status, code: api.code };
    if (api.status === 500) request.log.error({ ...line, err }, 'request failed');
    else if (api.status > 500) request.log.warn({ ...line, error: api.message }, 'request refused');
    if (api.retryAfter !== undefined) void reply.header('retry-after', String(api.retryAfter));
    void reply
      .code(api.status)
      .type('application/json; charset=utf-8')
      .send({
        error: { code: api.code, message: api.message, requestId: request.id, ...(api.issues !== undefined && { issues: api.issues }) },
      });
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const allow = table.allowed(path);
    if (allow.length > 0) {
      void reply
        .code(405)
        .header('allow', allow.join(', '))
        .send({
          error: {
            code: 'MethodNotAllowed',
            message: `${path.slice(0, 200)} does not take ${request.method}: it takes ${allow.join(', ')}`,
            requestId: request.id,
          },
        });
      return;
    }
    void reply.code(404).send({
      error: {
        code: 'NotFound',
        message: `no route ${request.method} ${request.url.split('?')[0]?.slice(0, 200)}: see GET /openapi.json`,
        requestId: request.id,
      },
    });
  });

  const jobs = isRunner(options.jobs) ? options.jobs : new JobPool(options.jobs);
  if (!isRunner(options.jobs)) app.addHook('onClose', async () => jobs.close());
  const lifecycle = deps.lifecycle?.withAnalysis(jobs);
  const routes = allRoutes({ ...deps, ...(lifecycle && { lifecycle }) }, jobs, {
    metrics,
    ...(options.metrics?.token !== undefined && { metricsToken: options.metrics.token }),
    readiness: apiReadinessChecks(deps.pool, deps.docket),
    ...(options.readyTimeoutMs !== undefined && { readyTimeoutMs: options.readyTimeoutMs }),
  });
  // Made once every route is registered (including any added after buildApi returns).
  let document: unknown;
  app.addHook('onReady', async () => {
    document = apiDocument(table.routes);
  });
  app.get('/openapi.json', { config: { openapi: { summary: 'This OpenAPI document', tag: 'operations' } } }, async () => document);
  const authenticated = new Set(routes.filter((r) => r.access !== 'public').map((r) => `${r.method} ${r.url}`));
  throttle.register(app, (request) => authenticated.has(`${request.method} ${request.routeOptions.url}`), refusedAuth);
  mount(app, routes, { authenticator: deps.authenticator, onRefused: refusedAuth });
  if (options.webRoot) serveWeb(app, options.webRoot);
  return app;
}
