/**
 * Operations: liveness (`/health`, answers while the process runs, touches nothing), readiness
 * (`/ready`, really asks PostgreSQL and Temporal) and Prometheus metrics (`/metrics`). All three
 * are public to users' tokens: a load balancer and Prometheus call them. `/metrics` asks for its
 * own bearer token when DOCKET_METRICS_TOKEN is set (README "Operations").
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { bearerToken } from '../auth';
import { ApiError } from '../errors';
import type { ApiMetrics } from '../metrics';
import { checkReadiness, type ReadinessCheck } from '../readiness';
import { route, type AnyRoute } from '../route';

export interface OperationsOptions {
  metrics: ApiMetrics;
  /** The bearer token `/metrics` requires; unset: none. */
  metricsToken?: string;
  /** What `/ready` checks (none: ready whenever it answers). */
  readiness?: readonly ReadinessCheck[];
  /** How long each readiness check may take (default 2000 ms). */
  readyTimeoutMs?: number;
}

const checkOut = z.object({
  ok: z.boolean(),
  ms: z.number().describe('how long the check took'),
  error: z.string().optional().describe('timeout, a network or gRPC code (ECONNREFUSED, grpc-14), or failed'),
});
const readyOut = z.object({ ready: z.boolean(), checks: z.record(z.string(), checkOut) }).meta({ id: 'Readiness' });

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Whether the Authorization header carries `token`, compared in constant time. */
function carriesToken(header: string | string[] | undefined, token: string): boolean {
  let given: string;
  try {
    given = bearerToken(Array.isArray(header) ? header[0] : header);
  } catch {
    return false;
  }
  return timingSafeEqual(digest(given), digest(token));
}

export function operationsRoutes(options: OperationsOptions): AnyRoute[] {
  const timeoutMs = options.readyTimeoutMs ?? 2000;
  return [
    route({
      method: 'GET',
      url: '/health',
      summary: 'Liveness',
      tag: 'operations',
      access: 'public',
      responses: { 200: { description: 'the process is up (nothing else is checked)', schema: z.object({ ok: z.literal(true) }) } },
      async handler() {
        return { status: 200, body: { ok: true } };
      },
    }),
    route({
      method: 'GET',
      url: '/ready',
      summary: 'Readiness',
      tag: 'operations',
      access: 'public',
      responses: {
        200: { description: 'PostgreSQL and Temporal answered: send traffic here', schema: readyOut },
        503: { description: 'a check failed (named in `checks`): send no traffic here now', schema: readyOut },
      },
      async handler(ctx) {
        const report = await checkReadiness(options.readiness ?? [], timeoutMs);
        for (const f of report.failures) ctx.request.log.warn({ check: f.check, err: f.err }, 'not ready');
        return { status: report.ready ? 200 : 503, body: { ready: report.ready, checks: report.checks } };
      },
    }),
    route({
      method: 'GET',
      url: '/metrics',
      summary: 'Prometheus metrics',
      tag: 'operations',
      access: 'public',
      responses: {
        200: { description: 'the Prometheus text exposition of this API process', contentType: 'text/plain; version=0.0.4' },
        401: { description: 'DOCKET_METRICS_TOKEN is set and the request does not carry it as a bearer token' },
      },
      async handler(ctx) {
        if (options.metricsToken !== undefined && !carriesToken(ctx.request.headers.authorization, options.metricsToken)) {
          throw new ApiError(401, 'Unauthenticated', 'metrics need the scrape token: send "Authorization: Bearer <DOCKET_METRICS_TOKEN>"');
        }
        return { status: 200, body: await options.metrics.text(), contentType: options.metrics.contentType };
      },
    }),
  ];
}
