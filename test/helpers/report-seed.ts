/**
 * Seeds cases with chosen times for the report tests, through the case store's own append (the
 * worker's path: the chained log row and the projection) and the outbox's own insert for escalations.
 */
import type { Pool } from 'pg';
import { recordInOutbox } from '../../adapters/notify/outbox-notifier';
import { PostgresCaseStore } from '../../adapters/postgres/case-store';
import type { AuditSigner } from '../../audit/keys';
import type { Actor } from '../../engine/types';
import type { Harness } from './harness';

/** One event of a seeded case: what happened, the state after it, when, and whether it escalated. */
export interface SeedStep {
  event: string;
  to: string;
  at: string;
  actor?: Actor;
  payload?: Record<string, unknown>;
  /** The step raised an escalation (a missed deadline): two notifications, as a two-addressee escalation would. */
  escalates?: boolean;
}

export interface SeedCase {
  caseId: string;
  processId: string;
  customerId: string;
  /** The case's context after its last step. */
  context: Record<string, unknown>;
  steps: SeedStep[];
  /** The last step ends the case. */
  completed?: boolean;
}

const SYSTEM: Actor = { userId: 'system', role: 'system' };

/** `signer`: the worker's audit key, so that the seeded rows verify like the worker's own. */
export async function seedCases(h: Harness, pool: Pool, cases: SeedCase[], signer?: AuditSigner): Promise<void> {
  const store = new PostgresCaseStore(pool, signer);
  const hashes = new Map<string, { hash: string; version: number }>();
  for (const c of cases) {
    if (!hashes.has(c.processId)) {
      const latest = await h.definitions.latest(c.processId);
      if (!latest) throw new Error(`no published definition of ${c.processId}`);
      hashes.set(c.processId, { hash: latest.hash, version: latest.version });
    }
    const { hash, version } = hashes.get(c.processId)!;
    const openedAt = c.steps[0]!.at;
    let from: string | null = null;
    for (const [seq, s] of c.steps.entries()) {
      const last = seq === c.steps.length - 1;
      const status = last && c.completed === true ? 'completed' : 'open';
      await store.appendTransition(
        {
          caseId: c.caseId,
          seq,
          processId: c.processId,
          definitionVersion: version,
          definitionHash: hash,
          event: s.event,
          payload: s.payload ?? {},
          actor: s.actor ?? SYSTEM,
          requestId: null,
          fromState: from,
          toState: s.to,
          status,
          at: s.at,
        },
        {
          caseId: c.caseId,
          processId: c.processId,
          definitionVersion: version,
          definitionHash: hash,
          customerId: c.customerId,
          state: s.to,
          status,
          context: c.context,
          deadlines: [],
          lastSeq: seq,
          openedAt,
          updatedAt: s.at,
          closedAt: status === 'completed' ? s.at : null,
        },
      );
      if (s.escalates === true) {
        for (const i of [0, 1]) {
          await recordInOutbox(pool, {
            id: `${c.caseId}:${seq}:${i}`,
            caseId: c.caseId,
            processId: c.processId,
            kind: 'escalation',
            to: [{ role: 'sales_manager' }],
            template: 'overdue',
            subject: { en: 'Overdue', 'zh-CN': '超时' },
            data: {},
            createdAt: s.at,
          });
        }
      }
      from = s.to;
    }
  }
}
