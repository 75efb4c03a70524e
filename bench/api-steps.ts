/**
 * Docket's human step through the HTTP API: the real API (`startApi`, the composition root
 * `npm run api` runs) in this process, over the benchmark's database and Temporal server, with a
 * token for each user the steps act as. A step is `POST /cases/{caseId}/events`, timed at the client.
 */
import { ConflictError } from '../adapters/postgres/errors';
import { startApi } from '../api/server';
import type { DocketConfig } from '../config';
import { humanSteps, withTimeout, type StepSender } from './cases';

export interface BenchApi {
  url: string;
  /** Sends one step as the user the step names; returns the round trip in milliseconds. */
  send: StepSender;
  close(): Promise<void>;
}

/** Starts the API on a free port of 127.0.0.1, adds the users the steps act as (when missing) and issues a token to each. */
export async function startBenchApi(config: DocketConfig): Promise<BenchApi> {
  const api = await startApi(config, { port: 0, host: '127.0.0.1', logger: { level: 'warn', format: config.logFormat } });
  try {
    const tokens = new Map<string, string>();
    for (const { actor } of humanSteps(new Date().toISOString()).map((s) => s.request)) {
      if (tokens.has(actor.userId)) continue;
      await api.deps.users.addUser({ userId: actor.userId, displayName: actor.userId, roles: [actor.role] }).catch((err: unknown) => {
        if (!(err instanceof ConflictError)) throw err;
      });
      tokens.set(actor.userId, (await api.deps.users.issueToken(actor.userId)).token);
    }
    return {
      url: api.url,
      send: async (handle, step) => {
        const { type, data, actor } = step.request;
        const caseId = handle.workflowId;
        const t0 = performance.now();
        const { status, body } = await withTimeout(
          fetch(`${api.url}/cases/${encodeURIComponent(caseId)}/events`, {
            method: 'POST',
            headers: { authorization: `Bearer ${tokens.get(actor.userId)!}`, 'content-type': 'application/json' },
            body: JSON.stringify({ type, data }),
          }).then(async (res) => ({
            status: res.status,
            body: (await res.json()) as { state?: string; error?: { code: string; message: string } },
          })),
          `${type} to ${caseId} through the API`,
        );
        const ms = performance.now() - t0;
        if (status !== 200)
          throw new Error(
            `${caseId}: POST /cases/…/events ${type} answered ${status}: ${body.error ? `${body.error.code}: ${body.error.message}` : JSON.stringify(body)}`,
          );
        if (body.state !== step.state)
          throw new Error(`${caseId}: ${type} through the API led to "${body.state}", expected "${step.state}"`);
        return ms;
      },
      close: () => api.close(),
    };
  } catch (err) {
    await api.close().catch(() => undefined);
    throw err;
  }
}
