/**
 * `audit verify --deep`: a case's log against its Temporal history. Every row the
 * workflow applied went through a `persistTransition` activity whose input (the
 * record) is in the history, or, for a human step stored within its workflow task,
 * a local activity whose result (the record as stored) is in its marker; a row
 * without one was never applied, and a completed activity without a row was lost.
 * Temporal's history is a second witness that a database insider cannot rewrite.
 */
import { canonicalJson } from '../engine/canonical-json';
import type { TransitionRecord } from '../engine/types';
import { chainContent, type ChainProblem, type ChainVerification } from './chain';

export interface DeepCheck {
  ok: boolean;
  /** Transitions the workflow's history shows as stored (completed `persistTransition` activities, local ones too). */
  applied: number;
  /** Seqs whose `persistTransition` is scheduled but not completed yet (not a problem). */
  pending: number[];
  /** Every difference, in seq order. */
  problems: ChainProblem[];
}

/** A case's verification as the API answers it: the chain, where its trusted keys came from, and with ?deep=true the cross-check. */
export type CaseVerification = ChainVerification & { keysFrom: 'pinned' | 'database' | 'none'; deep?: DeepCheck };

/** One run of a workflow's history, as `DocketClient.workflowHistory` returns it (Temporal's JSON). */
export interface HistoryRun {
  runId: string;
  history: unknown;
}

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

type JsonEvent = {
  eventId?: string | number;
  eventType?: string | number;
  activityTaskScheduledEventAttributes?: { activityType?: { name?: string }; input?: { payloads?: JsonPayload[] } };
  activityTaskCompletedEventAttributes?: { scheduledEventId?: string | number };
  markerRecordedEventAttributes?: { markerName?: string; details?: Record<string, { payloads?: JsonPayload[] }> };
};

/** The Temporal SDK's marker of a completed local activity: `data` names the activity, `result` is what it returned. */
const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

const fromBase64 = (s: string | undefined) => Buffer.from(s ?? '', 'base64').toString('utf8');

function decodePayload(p: JsonPayload | undefined, where: string): unknown {
  const encoding = fromBase64(p?.metadata?.encoding);
  if (encoding !== 'json/plain') {
    throw new Error(`${where}: the payload is encoded as "${encoding || 'unknown'}"; the deep check reads json/plain payloads only`);
  }
  return JSON.parse(fromBase64(p?.data)) as unknown;
}

/** The transition records stored by the workflow, by seq, and those still pending, read from its history. */
export function appliedTransitions(runs: HistoryRun[]): { applied: Map<number, TransitionRecord>; pending: Set<number> } {
  const applied = new Map<number, TransitionRecord>();
  const pending = new Set<number>();
  for (const run of runs) {
    const events = (run.history as { events?: JsonEvent[] } | null)?.events ?? [];
    const scheduled = new Map<string, TransitionRecord>();
    for (const e of events) {
      const s = e.activityTaskScheduledEventAttributes;
      if (s?.activityType?.name === 'persistTransition') {
        const input = decodePayload(s.input?.payloads?.[0], `run ${run.runId}, event ${String(e.eventId)}`) as {
          record?: TransitionRecord;
        };
        if (input.record) scheduled.set(String(e.eventId), input.record);
      }
      const marker = e.markerRecordedEventAttributes;
      if (marker?.markerName === LOCAL_ACTIVITY_MARKER) {
        const where = `run ${run.runId}, event ${String(e.eventId)}`;
        const data = decodePayload(marker.details?.data?.payloads?.[0], where) as { activity_type?: string };
        const result = marker.details?.result?.payloads?.[0];
        if (data.activity_type === 'persistTransition' && result !== undefined) {
          const record = decodePayload(result, where) as TransitionRecord | null;
          if (record) applied.set(record.seq, record);
        }
      }
      const done = e.activityTaskCompletedEventAttributes?.scheduledEventId;
      if (done !== undefined) {
        const record = scheduled.get(String(done));
        if (record) {
          applied.set(record.seq, record);
          scheduled.delete(String(done));
        }
      }
    }
    for (const r of scheduled.values()) if (!applied.has(r.seq)) pending.add(r.seq);
  }
  for (const seq of applied.keys()) pending.delete(seq);
  return { applied, pending };
}

/** Compares a case's stored rows with the transitions its workflow history says it stored. */
export function crossCheck(rows: TransitionRecord[], runs: HistoryRun[]): DeepCheck {
  const { applied, pending } = appliedTransitions(runs);
  const problems: ChainProblem[] = [];
  const stored = new Map(rows.map((r) => [r.seq, r]));
  const who = (r: TransitionRecord) => `${r.event} by ${r.actor.userId} (${r.actor.role})`;
  for (const row of rows) {
    const expected = applied.get(row.seq);
    if (expected === undefined) {
      if (pending.has(row.seq)) continue;
      problems.push({
        seq: row.seq,
        kind: 'inserted',
        message: `row ${row.seq} (${who(row)}) is in the log, but the case's Temporal history never applied it`,
      });
    } else if (canonicalJson(chainContent(row)) !== canonicalJson(chainContent(expected))) {
      const fields = Object.entries(chainContent(row))
        .filter(([k, v]) => canonicalJson(v) !== canonicalJson(chainContent(expected)[k]))
        .map(([k]) => k);
      problems.push({
        seq: row.seq,
        kind: 'changed',
        message: `row ${row.seq} (${who(row)}) differs from what the workflow applied (${who(expected)}) in ${fields.join(', ')}`,
      });
    }
  }
  for (const [seq, record] of applied) {
    if (!stored.has(seq)) {
      problems.push({ seq, kind: 'removed', message: `the workflow applied row ${seq} (${who(record)}), but the log has no such row` });
    }
  }
  problems.sort((a, b) => a.seq - b.seq);
  return { ok: problems.length === 0, applied: applied.size, pending: [...pending].sort((a, b) => a - b), problems };
}
