/**
 * The one logger factory of every Docket process (API, worker, `npm start`, the CLI's own
 * diagnostics): pino JSON lines with the process's name, or pino-pretty when LOG_FORMAT=pretty
 * asks for it. Errors are logged as their type, code, message and stack; fields that may hold
 * secrets (authorization headers, tokens, passwords) are masked wherever they appear.
 */
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import pinoPretty from 'pino-pretty';
import { PERSONAL_FIELDS } from './personal-data';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent';
export type LogFormat = 'json' | 'pretty';
export type { Logger } from 'pino';

export interface CreateLoggerOptions {
  /** The process: `docket-api`, `docket-worker`, `docket-start`, `docket-cli`. */
  name: string;
  level?: LogLevel;
  /** `json` (default): one JSON object a line; `pretty`: coloured text for a person at a terminal. */
  format?: LogFormat;
  /** Where the lines go (default: stdout, file descriptor 1; `fd: 2` for stderr). */
  stream?: DestinationStream;
  fd?: 1 | 2;
  /** More serializers (the API's `req` and `res`). */
  serializers?: LoggerOptions['serializers'];
}

/** Field names whose values are never written, at the top level or one level down. */
const SECRET_FIELDS = ['authorization', 'token', 'password', 'secret', 'databaseUrl', 'cookie'];
// `name` is left out: a line's `name` is the logger's (the process), and nothing logs a customer's.
const PERSONAL = PERSONAL_FIELDS.filter((f) => f !== 'name');
export const REDACTED_PATHS = [...SECRET_FIELDS, ...PERSONAL, ...[...SECRET_FIELDS, ...PERSONAL].map((f) => `*.${f}`)];

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

function destination(options: CreateLoggerOptions): DestinationStream {
  if (options.stream) return options.stream;
  const fd = options.fd ?? 1;
  if (options.format === 'pretty')
    return pinoPretty({ destination: fd, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' });
  return pino.destination({ fd, sync: true });
}

/** A pino logger of one process, JSON unless `format` is `pretty`. */
export function createLogger(options: CreateLoggerOptions): Logger {
  return pino(
    {
      name: options.name,
      level: options.level ?? 'info',
      redact: { paths: REDACTED_PATHS, censor: '***' },
      serializers: { err: errorForLog, ...options.serializers },
    },
    destination(options),
  );
}
