import { DocketError, grpcStatusOf } from '../client/docket-client';
import type { DocketConfig } from '../config';

/** Exit codes: 0 done, 1 failed, 2 refused (bad input or a refusal by Docket; nothing changed). */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_REFUSED = 2;

/** A problem found by the CLI itself: `refusal` errors are bad input (exit 2), others failures (exit 1). */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly code: string,
    message: string,
    readonly refusal = true,
    readonly issues?: unknown,
  ) {
    super(message);
  }
}

/** Bad command-line input: a malformed option value, unreadable file, invalid JSON. */
export function invalidArgument(message: string): CliError {
  return new CliError('InvalidArgument', message);
}

/** The outcome of a failed command, as printed. */
/** The API's "bad request" (a malformed option value, a damaged cursor, …) is bad input to the command (exit 2); anything else is rethrown. */
export function rethrowBadRequest(err: unknown): never {
  if (err instanceof DocketError && err.code === 'InvalidRequest') throw invalidArgument(err.message);
  throw err;
}

export interface Failure {
  exitCode: number;
  code: string;
  message: string;
  issues?: unknown;
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', 'EAI_AGAIN']);

/** The network error code of `err` (or of one of the errors it wraps), if it has one. */
function networkCode(err: unknown, depth = 0): string | undefined {
  if (depth > 4 || typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; errors?: unknown; cause?: unknown };
  if (typeof e.code === 'string' && CONNECTION_CODES.has(e.code)) return e.code;
  if (Array.isArray(e.errors)) {
    for (const inner of e.errors) {
      const code = networkCode(inner, depth + 1);
      if (code) return code;
    }
  }
  return networkCode(e.cause, depth + 1);
}

function isPostgresError(err: unknown): boolean {
  const stack = (err as Error)?.stack ?? '';
  return /node_modules[\\/](pg|pg-pool)[\\/]/.test(stack) || /postgres|pg_hba|password authentication/i.test((err as Error)?.message ?? '');
}

function databaseAddress(url: string | undefined): string {
  if (!url) return 'the database';
  try {
    const u = new URL(url);
    return `PostgreSQL at ${u.hostname}:${u.port || '5432'}`;
  } catch {
    return 'the database';
  }
}

/** gRPC status codes worth a hint of their own. */
const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;

/** Classifies anything thrown by a command into what the user is told and the exit code. */
export function toFailure(err: unknown, config?: Pick<DocketConfig, 'temporalAddress' | 'databaseUrl'>): Failure {
  // A DocketError is a refusal when the vocabulary (engine/refusals.ts) says so; the CLI's own errors say it themselves.
  if (err instanceof CliError || err instanceof DocketError) {
    return {
      exitCode: err.refusal ? EXIT_REFUSED : EXIT_FAILED,
      code: err.code,
      message: err.message,
      ...(err.issues !== undefined && { issues: err.issues }),
    };
  }
  const temporal = config?.temporalAddress ?? 'localhost:7233';
  const grpc = grpcStatusOf(err);
  if (grpc === GRPC_UNAVAILABLE) {
    return { exitCode: EXIT_FAILED, code: 'Unavailable', message: `cannot reach Temporal at ${temporal}: is \`npm start\` running?` };
  }
  if (grpc === GRPC_DEADLINE_EXCEEDED || /deadline exceeded|context deadline/i.test((err as Error)?.message ?? '')) {
    return {
      exitCode: EXIT_FAILED,
      code: 'Timeout',
      message: `Temporal at ${temporal} did not answer in time: is a Docket worker running (\`npm start\`)?`,
    };
  }
  const net = networkCode(err);
  if (net && isPostgresError(err)) {
    return {
      exitCode: EXIT_FAILED,
      code: 'Unavailable',
      message: `cannot reach ${databaseAddress(config?.databaseUrl)} (${net}): is \`npm start\` running?`,
    };
  }
  if (net) return { exitCode: EXIT_FAILED, code: 'Unavailable', message: `${(err as Error).message || net}: is \`npm start\` running?` };
  let message = err instanceof Error ? err.message : String(err);
  const cause = (err as { cause?: unknown })?.cause;
  if (cause instanceof Error && cause.message && !message.includes(cause.message)) message = `${message}: ${cause.message}`;
  return { exitCode: EXIT_FAILED, code: 'Failed', message: message || 'failed' };
}
