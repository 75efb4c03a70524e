/**
 * The API's Prometheus metrics (prom-client), each API process in a registry of its own:
 * requests and their latency by method, route pattern (never the URL) and status, refusals by
 * the engine's refusal code, failed authentication by reason; and, read from PostgreSQL at
 * scrape time, the business counters of every case (metrics-business.ts). No label holds
 * personal data or anything a client chose.
 */
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { isRefusalCode } from '../engine/refusals';
import { registerBusinessMetrics, type BusinessCountsSource } from './metrics-business';

/** Why an authentication was refused: no or an unknown token (401), a role that may not (403), a throttled address (429). */
export type AuthFailureReason = 'unauthenticated' | 'forbidden' | 'throttled';

/** The route label of a request no route matched: its path is not a label (anyone may invent paths). */
export const UNMATCHED_ROUTE = '(unmatched)';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export interface ApiMetricsOptions {
  /** Node.js process metrics (CPU, memory, event loop lag, …) in this registry (on for a running API). */
  processMetrics?: boolean;
  /** Where the business counters come from (PostgreSQL); without it they are left out. */
  business?: BusinessCountsSource;
}

export class ApiMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'docket_api_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'docket_api_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly refusals = new Counter({
    name: 'docket_api_refusals_total',
    help: "Requests refused with one of the engine's refusal codes (engine/refusals.ts): nothing changed",
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  private readonly authFailures = new Counter({
    name: 'docket_api_auth_failures_total',
    help: 'Failed authentication or authorisation: unauthenticated (401), forbidden (403), throttled (429)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  constructor(options: ApiMetricsOptions = {}) {
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
    if (options.business) registerBusinessMetrics(this.registry, options.business);
  }

  /** One answered request; `route` is the route pattern (`/cases/:caseId`), undefined when none matched. */
  answered(method: string, route: string | undefined, status: number, seconds: number): void {
    const labels = { method: METHODS.has(method) ? method : 'OTHER', route: route ?? UNMATCHED_ROUTE, status: String(status) };
    this.requests.inc(labels);
    this.duration.observe(labels, seconds);
  }

  /** A request answered with an error code: counted when the code is one of the engine's refusals. */
  refused(code: string): void {
    if (isRefusalCode(code)) this.refusals.inc({ code });
  }

  authFailed(reason: AuthFailureReason): void {
    this.authFailures.inc({ reason });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The text exposition of every metric of this registry. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}
