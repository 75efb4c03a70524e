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
import type { DestinationStream } from 'pino';
import { createLogger, type LogFormat } from '../logging';

export const REQUEST_ID_HEADER = 'x-request-id';

/** A request id a client may choose: a short token of letters, digits, `.`, `_`, `:` and `-`. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface ApiLogOptions {
  /** `warn` (default): failed requests only; `info`: also one line per request; `silent`: nothing. */
  level?: LogLevel;
  /** Where the JSON lines go (default: stderr). */
  stream?: DestinationStream;
  /** Or the file descriptor they go to: 1 (stdout) or 2 (stderr, the default). */
  fd?: 1 | 2;
  /** `pretty` for a person at a terminal (LOG_FORMAT); JSON lines otherwise. */
  format?: LogFormat;
}

/** The incoming `X-Request-Id` when it is a safe short token, else a new random one. */
export function requestIdOf(raw: IncomingMessage): string {
  const given = raw.headers[REQUEST_ID_HEADER];
  const value = Array.isArray(given) ? given[0] : given;
  return value !== undefined && SAFE_REQUEST_ID.test(value) ? value : randomUUID();
}

/** The route pattern of a request (`/cases/:caseId`), or its path without the query when no route matched. */
export function routeOf(request: FastifyRequest): string {
  return request.routeOptions?.url ?? request.url.split('?')[0]!.slice(0, 200);
}

/** The pino logger of the API. */
export function apiLogger(options: ApiLogOptions = {}): FastifyBaseLogger {
  return createLogger({
    name: 'docket-api',
    level: options.level ?? 'warn',
    ...(options.format !== undefined && { format: options.format }),
    ...(options.stream !== undefined && { stream: options.stream }),
    fd: options.fd ?? 2,
    serializers: {
      // fastify's own lines (a request while closing, …) name the request: method and route only.
      req: (req: FastifyRequest) => ({ method: req.method, route: typeof req.routeOptions === 'object' ? routeOf(req) : undefined }),
      res: (res: { statusCode?: number }) => ({ status: res.statusCode }),
    },
  });
}
