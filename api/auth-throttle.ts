/**
 * Rate limiting of failed authentication (`@fastify/rate-limit`): each failed
 * authentication from a client address counts; once an address has `maxFailures` in a
 * window, every request of it to an authenticated route answers 429 `TooManyRequests`
 * with `Retry-After` until the window ends, before its credentials are even looked up.
 * Authenticated requests count nothing, so they are never slowed down. Counters live in
 * the API process (the plugin's in-memory store): several processes each count on their
 * own; the plugin's Redis store shares them.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from './errors';

export interface AuthLimits {
  /** Failed authentications from one address per window before it is refused (default 20). */
  maxFailures?: number;
  /** The window in ms (default 60 000). */
  windowMs?: number;
  /** Failures from one address per window written to the security log one by one (default 10); the rest are summed up. */
  logFirst?: number;
  /** Failures from all addresses together per window written one by one (default 200). */
  logTotal?: number;
}

export const DEFAULT_AUTH_LIMITS: Required<AuthLimits> = { maxFailures: 20, windowMs: 60_000, logFirst: 10, logTotal: 200 };

type Limiter = ReturnType<FastifyInstance['createRateLimit']>;

export class AuthThrottle {
  private limiter: Limiter | undefined;

  constructor(private readonly limits: Required<AuthLimits>) {}

  /**
   * Registers the plugin (it limits no route by itself: failures are counted by `failed`) and
   * a hook refusing throttled addresses on the routes `appliesTo` names; `onRefused` sees each such 429.
   */
  register(
    app: FastifyInstance,
    appliesTo: (request: FastifyRequest) => boolean,
    onRefused: (request: FastifyRequest, error: ApiError) => Promise<void>,
  ): void {
    void app.register(rateLimit, { global: false });
    // After the plugins loaded: the limiter needs the plugin, and a 429 still gets the security headers.
    void app.after((err) => {
      if (err) throw err;
      this.limiter = app.createRateLimit({ max: this.limits.maxFailures, timeWindow: this.limits.windowMs });
      app.addHook('onRequest', async (request) => {
        if (!appliesTo(request)) return;
        try {
          await this.check(request);
        } catch (error) {
          if (error instanceof ApiError) await onRefused(request, error);
          throw error;
        }
      });
    });
  }

  private get limit(): Limiter {
    if (!this.limiter) throw new Error('the rate-limit plugin is not loaded yet');
    return this.limiter;
  }

  /** Throws 429 when the request's address has used up its failed authentications for the window. */
  async check(request: FastifyRequest): Promise<void> {
    const state = await this.limit(request, { increment: false });
    if (state.isAllowed || state.remaining > 0) return;
    const seconds = Math.max(1, state.ttlInSeconds);
    throw new ApiError(
      429,
      'TooManyRequests',
      `too many failed authentications from ${request.ip}: try again in ${seconds} s with a valid token`,
      undefined,
      seconds,
    );
  }

  /** Counts a failed authentication of the request's address. */
  async failed(request: FastifyRequest): Promise<void> {
    await this.limit(request);
  }
}
