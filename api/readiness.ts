/**
 * Readiness: whether this API process can serve requests now. Each check really talks to its
 * server (a query to PostgreSQL, a namespace description from Temporal) within a short time limit;
 * all run at once. The answer names each check's outcome with no address or message (the route is
 * public); the reason of a failure goes to the log.
 */
import type { Pool } from 'pg';
import type { DocketClient } from '../client/docket-client';
import { grpcStatusOf } from '../client/docket-client';

export interface ReadinessCheck {
  name: string;
  run(timeoutMs: number): Promise<void>;
}

export interface CheckOutcome {
  ok: boolean;
  ms: number;
  /** `timeout`, a network or gRPC code (`ECONNREFUSED`, `grpc-14`), or `failed`. */
  error?: string;
}

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, CheckOutcome>;
  /** The failures themselves, for the log only. */
  failures: Array<{ check: string; err: unknown }>;
}

/** The API's checks: a query on its PostgreSQL pool, and its Temporal client's namespace. */
export function apiReadinessChecks(pool: Pool, docket: Pick<DocketClient, 'checkTemporal'>): ReadinessCheck[] {
  return [
    { name: 'postgres', run: async () => void (await pool.query('SELECT 1')) },
    { name: 'temporal', run: (timeoutMs) => docket.checkTemporal(timeoutMs) },
  ];
}

const GRPC_DEADLINE_EXCEEDED = 4;

/** How long past its limit a check may take to end itself before it counts as timed out. */
const GRACE_MS = 500;

class CheckTimeout extends Error {
  override readonly name = 'CheckTimeout';
}

function errorCode(err: unknown): string {
  if (err instanceof CheckTimeout) return 'timeout';
  const grpc = grpcStatusOf(err);
  if (grpc === GRPC_DEADLINE_EXCEEDED) return 'timeout';
  if (grpc !== undefined) return `grpc-${grpc}`;
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code)) return code;
    const inner = (e as { errors?: unknown }).errors;
    if (Array.isArray(inner) && typeof (inner[0] as { code?: unknown })?.code === 'string') return (inner[0] as { code: string }).code;
  }
  return 'failed';
}

async function runOne(check: ReadinessCheck, timeoutMs: number): Promise<{ outcome: CheckOutcome; err?: unknown }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    // A check is given the limit itself (Temporal's call ends by its deadline); this guard is for one that cannot be.
    timer = setTimeout(() => reject(new CheckTimeout(`${check.name} did not answer within ${timeoutMs} ms`)), timeoutMs + GRACE_MS);
  });
  try {
    await Promise.race([check.run(timeoutMs), limit]);
    return { outcome: { ok: true, ms: Math.round(performance.now() - started) } };
  } catch (err) {
    return { outcome: { ok: false, ms: Math.round(performance.now() - started), error: errorCode(err) }, err };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs every check at once, each within `timeoutMs`. */
export async function checkReadiness(checks: readonly ReadinessCheck[], timeoutMs: number): Promise<ReadinessReport> {
  const results = await Promise.all(checks.map(async (c) => ({ name: c.name, ...(await runOne(c, timeoutMs)) })));
  return {
    ready: results.every((r) => r.outcome.ok),
    checks: Object.fromEntries(results.map((r) => [r.name, r.outcome])),
    failures: results.filter((r) => !r.outcome.ok).map((r) => ({ check: r.name, err: r.err })),
  };
}
