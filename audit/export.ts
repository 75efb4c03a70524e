/**
 * Audit exports: one or more cases' transition logs with their hash chain, the
 * definition each case runs on and the algorithm, so that a verifier can
 * recompute everything offline (`docket audit verify --file export.json`).
 */
import { definitionHashOf } from './definition-hash';
import { CHAIN_ALGORITHM, verifyChain, type ChainedTransition, type ChainVerification } from './chain';

export const EXPORT_FORMAT = 'docket-audit-export';

export interface ExportedCase {
  caseId: string;
  processId: string;
  definitionVersion: number;
  definitionHash: string;
  /** The definition the case runs on now, when it could be read: its canonical hash is `definitionHash`. */
  definition?: unknown;
  customerId: string;
  state: string;
  status: string;
  /** The last seq the case's projection records. */
  lastSeq: number;
  transitions: ChainedTransition[];
}

export interface AuditExport {
  format: typeof EXPORT_FORMAT;
  version: 1;
  algorithm: string;
  exportedAt: string;
  exportedBy: { userId: string; role: string };
  cases: ExportedCase[];
}

export function buildExport(cases: ExportedCase[], exportedBy: { userId: string; role: string }, now = new Date()): AuditExport {
  return { format: EXPORT_FORMAT, version: 1, algorithm: CHAIN_ALGORITHM, exportedAt: now.toISOString(), exportedBy, cases };
}

export interface ExportVerification {
  ok: boolean;
  cases: Array<ChainVerification & { definitionMatches?: boolean }>;
}

/** Verifies an export offline: each case's chain, its definition's hash, and that it names the algorithm used here. */
export function verifyExport(data: unknown): ExportVerification {
  const exp = data as Partial<AuditExport> | null;
  if (!exp || exp.format !== EXPORT_FORMAT || !Array.isArray(exp.cases)) {
    throw new Error(`not a Docket audit export (expected "format": "${EXPORT_FORMAT}" and a "cases" array)`);
  }
  if (exp.algorithm !== CHAIN_ALGORITHM) {
    throw new Error(`the export was chained with "${String(exp.algorithm)}"; this verifier knows "${CHAIN_ALGORITHM}"`);
  }
  const cases = exp.cases.map((c) => {
    const verification = verifyChain(c.caseId, c.transitions, { lastSeq: c.lastSeq });
    if (c.definition === undefined) return verification;
    const definitionMatches = definitionHashOf(c.definition) === c.definitionHash;
    if (!definitionMatches && verification.ok) {
      return {
        ...verification,
        ok: false,
        definitionMatches,
        problem: {
          seq: 0,
          kind: 'definition' as const,
          message: 'the exported definition does not hash to the definition hash of the case',
        },
      };
    }
    return { ...verification, definitionMatches };
  });
  return { ok: cases.every((c) => c.ok), cases };
}

const CSV_COLUMNS = [
  'caseId',
  'seq',
  'at',
  'processId',
  'definitionVersion',
  'definitionHash',
  'event',
  'actorUser',
  'actorRole',
  'requestId',
  'fromState',
  'toState',
  'status',
  'payload',
  'prevHash',
  'hash',
] as const;

function csvCell(value: unknown): string {
  const text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  // Quote everything that needs it; neutralise spreadsheet formulas.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n']/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The transitions of an export as CSV (RFC 4180), one row per transition; payloads as JSON. */
export function exportToCsv(exp: AuditExport): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const c of exp.cases) {
    for (const t of c.transitions) {
      const row: Record<(typeof CSV_COLUMNS)[number], unknown> = {
        caseId: t.caseId,
        seq: t.seq,
        at: t.at,
        processId: t.processId,
        definitionVersion: t.definitionVersion,
        definitionHash: t.definitionHash,
        event: t.event,
        actorUser: t.actor.userId,
        actorRole: t.actor.role,
        requestId: t.requestId,
        fromState: t.fromState,
        toState: t.toState,
        status: t.status,
        payload: JSON.stringify(t.payload),
        prevHash: t.prevHash,
        hash: t.hash,
      };
      lines.push(CSV_COLUMNS.map((k) => csvCell(row[k])).join(','));
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}
