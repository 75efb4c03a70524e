/**
 * The API's log: structured JSON lines (pino), one per failed request (every 500,
 * and 503s as warnings) and, at level `info`, one per answered request. Lines name
 * the method, the route pattern (never the URL with its query), the status and the
 * request id; errors give their type, code, message and stack. Request bodies,
 * headers (tokens) and query strings are never logged.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import pino, { type DestinationStream } from 'pino';

export const REQUEST_ID_HEADER = 'x-request-id';

/** A request id a client may choose: a short token of letters, digits, `.`, `_`, `:` and `-`. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface ApiLogOptions {
  /** `warn` (default): failed requests only; `info`: also one line per request; `silent`: nothing. */
  level?: LogLevel;
  /** Where the JSON lines go (default: stderr). */
  stream?: DestinationStream;
}

/** The incoming `X-Request-Id` when it is a safe short token, else a new random one. */
export function requestIdOf(raw: IncomingMessage): string {
  const given = raw.headers[REQUEST_ID_HEADER];
  const value = Array.isArray(given) ? given[0] : given;
  return value !== undefined && SAFE_REQUEST_ID.test(value) ? value : randomUUID();
}

/** An error as logged: what it is and where it came from, without the data it may carry. */
export function errorForLog(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { type: typeof err };
  const code = (err as { code?: unknown }).code;
  return {
    type: err.constructor?.name ?? err.name,
    ...(typeof code === 'string' && { code }),
    message: err.message,
    ...(err.stack !== undefined && { stack: err.stack }),
  };
}

/** The route pattern of a request (`/cases/:caseId`), or its path without the query when no route matched. */
export function routeOf(request: FastifyRequest): string {
  return request.routeOptions?.url ?? request.url.split('?')[0]!.slice(0, 200);
}

/** The pino logger of the API. */
export function apiLogger(options: ApiLogOptions = {}): FastifyBaseLogger {
  return pino(
    {
      level: options.level ?? 'warn',
      base: { name: 'docket-api' },
      serializers: {
        err: errorForLog,
        // fastify's own lines (a request while closing, …) name the request: method and route only.
        req: (req: FastifyRequest) => ({ method: req.method, route: typeof req.routeOptions === 'object' ? routeOf(req) : undefined }),
        res: (res: { statusCode?: number }) => ({ status: res.statusCode }),
      },
    },
    options.stream ?? pino.destination({ fd: 2, sync: true }),
  );
}
