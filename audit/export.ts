/**
 * Audit exports: one or more cases' transition logs with their hash chain and
 * signatures, the definition each case runs on, the algorithm and the public keys
 * that signed, so that a verifier can recompute everything offline (`docket audit
 * verify --file export.json --public-key keys.json`).
 */
import { csvCell } from '../engine/csv';
import { definitionHash } from './definition-hash';
import { ANNOTATION_ALGORITHM, verifyAnnotations, type ChainedAnnotation } from './annotations';
import { CHAIN_ALGORITHM, verifyChain, withAnnotations, type ChainedTransition, type ChainVerification } from './chain';
import { publicKeyEntry, type PublicKeyEntry } from './keys';
import { KeySet, SIGNATURE_ALGORITHM, type AuditCheckpoint } from './signature';

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
  /** Signed checkpoints vouching for rows written before keyed audit. */
  checkpoints?: AuditCheckpoint[];
  /** Annotations on the case (auditors' notes and reviews), chained after its transitions and signed. */
  annotations?: ChainedAnnotation[];
  /** How many annotations the case's projection records. */
  annotationCount?: number;
}

export interface AuditExport {
  format: typeof EXPORT_FORMAT;
  /** 2: rows carry `keyId` and `signature`, cases their `checkpoints`, and `keys` the public keys. */
  version: 1 | 2;
  algorithm: string;
  signatureAlgorithm?: string;
  /** How annotations are chained (present when the export carries annotations). */
  annotationAlgorithm?: string;
  exportedAt: string;
  exportedBy: { userId: string; role: string };
  /** The public keys that signed, for convenience: an auditor pins the writer's keys instead (`--public-key`). */
  keys?: PublicKeyEntry[];
  cases: ExportedCase[];
}

export function buildExport(
  cases: ExportedCase[],
  exportedBy: { userId: string; role: string },
  keys: PublicKeyEntry[] = [],
  now = new Date(),
): AuditExport {
  const used = new Set(
    cases.flatMap((c) => [
      ...c.transitions.map((t) => t.keyId),
      ...(c.checkpoints ?? []).map((k) => k.keyId),
      ...(c.annotations ?? []).map((a) => a.keyId),
    ]),
  );
  return {
    format: EXPORT_FORMAT,
    version: 2,
    algorithm: CHAIN_ALGORITHM,
    signatureAlgorithm: SIGNATURE_ALGORITHM,
    annotationAlgorithm: ANNOTATION_ALGORITHM,
    exportedAt: now.toISOString(),
    exportedBy,
    keys: keys.filter((k) => used.has(k.keyId)),
    cases,
  };
}

/** Where the keys an export was verified with came from. */
export type KeySource = 'pinned' | 'export' | 'none';

export interface ExportVerification {
  ok: boolean;
  /** 'pinned': keys the auditor gave; 'export': keys inside the file (anyone who edits the file can replace them); 'none': signatures unchecked. */
  keysFrom: KeySource;
  cases: Array<ChainVerification & { definitionMatches?: boolean }>;
}

/**
 * Verifies an export offline: each case's chain and signatures, its definition's
 * hash, and that it names the algorithm used here. `trustedKeys`: the writer's
 * public keys as the auditor knows them; without them the keys inside the file are
 * used, which proves only that the file is consistent with itself.
 */
export function verifyExport(data: unknown, trustedKeys?: PublicKeyEntry[]): ExportVerification {
  const exp = data as Partial<AuditExport> | null;
  if (!exp || exp.format !== EXPORT_FORMAT || !Array.isArray(exp.cases)) {
    throw new Error(`not a Docket audit export (expected "format": "${EXPORT_FORMAT}" and a "cases" array)`);
  }
  if (exp.algorithm !== CHAIN_ALGORITHM) {
    throw new Error(`the export was chained with "${String(exp.algorithm)}"; this verifier knows "${CHAIN_ALGORITHM}"`);
  }
  if (exp.signatureAlgorithm !== undefined && exp.signatureAlgorithm !== SIGNATURE_ALGORITHM) {
    throw new Error(`the export was signed with "${String(exp.signatureAlgorithm)}"; this verifier knows "${SIGNATURE_ALGORITHM}"`);
  }
  let keysFrom: KeySource = 'none';
  let keys: KeySet | undefined;
  if (trustedKeys !== undefined) {
    keysFrom = 'pinned';
    keys = new KeySet(trustedKeys);
  } else if (Array.isArray(exp.keys) && exp.keys.length > 0) {
    keysFrom = 'export';
    // Ids are recomputed from the keys, never taken from the file.
    keys = new KeySet(exp.keys.map((k, i) => publicKeyEntry(String(k.publicKey), `keys[${i}]`, k.createdAt)));
  }
  if (exp.annotationAlgorithm !== undefined && exp.annotationAlgorithm !== ANNOTATION_ALGORITHM) {
    throw new Error(
      `the export's annotations were chained with "${String(exp.annotationAlgorithm)}"; this verifier knows "${ANNOTATION_ALGORITHM}"`,
    );
  }
  const cases = exp.cases.map((c) => {
    const chain = verifyChain(c.caseId, c.transitions, {
      lastSeq: c.lastSeq,
      ...(keys && { keys, checkpoints: c.checkpoints ?? [] }),
    });
    const verification =
      c.annotations === undefined && c.annotationCount === undefined
        ? chain
        : withAnnotations(
            chain,
            verifyAnnotations(c.caseId, c.annotations ?? [], c.transitions, {
              ...(c.annotationCount !== undefined && { count: c.annotationCount }),
              ...(keys && { keys }),
            }),
          );
    if (c.definition === undefined) return verification;
    const definitionMatches = definitionHash(c.definition) === c.definitionHash;
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
  return { ok: cases.every((c) => c.ok), keysFrom, cases };
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
  'actorOnBehalfOf',
  'requestId',
  'fromState',
  'toState',
  'status',
  'payload',
  'prevHash',
  'hash',
  'keyId',
  'signature',
  'record',
] as const;

/**
 * The transitions of an export as CSV (RFC 4180), one row per transition, then the case's annotations
 * (`record` = annotation; `event` = annotation:<kind>, `seq` the annotation's, `payload` its body with
 * the sample, the rep and the transition it follows); payloads as JSON.
 */
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
        actorOnBehalfOf: t.actor.onBehalfOf ?? null,
        requestId: t.requestId,
        fromState: t.fromState,
        toState: t.toState,
        status: t.status,
        payload: JSON.stringify(t.payload),
        prevHash: t.prevHash,
        hash: t.hash,
        keyId: t.keyId ?? null,
        signature: t.signature ?? null,
        record: 'transition',
      };
      lines.push(CSV_COLUMNS.map((k) => csvCell(row[k])).join(','));
    }
    for (const a of c.annotations ?? []) {
      const row: Record<(typeof CSV_COLUMNS)[number], unknown> = {
        caseId: a.caseId,
        seq: a.seq,
        at: a.at,
        processId: c.processId,
        definitionVersion: c.definitionVersion,
        definitionHash: c.definitionHash,
        event: `annotation:${a.kind}`,
        actorUser: a.author.userId,
        actorRole: a.author.role,
        actorOnBehalfOf: null,
        requestId: a.requestId,
        fromState: null,
        toState: null,
        status: null,
        payload: JSON.stringify({ sampleId: a.sampleId, rep: a.rep, caseSeq: a.caseSeq, caseHash: a.caseHash, body: a.body }),
        prevHash: a.prevHash,
        hash: a.hash,
        keyId: a.keyId ?? null,
        signature: a.signature ?? null,
        record: 'annotation',
      };
      lines.push(CSV_COLUMNS.map((k) => csvCell(row[k])).join(','));
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}
