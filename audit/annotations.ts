/**
 * Annotations on a case (an auditor's note, or the review of a sampled case against its checklist):
 * append-only, a hash chain of their own per case, anchored on the case's transition log, and signed
 * by the worker's audit key like the transitions. Pure: used by the worker's store when it appends one,
 * by the API's verification, and offline on an export.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../engine/canonical-json';
import type { ChainBreak, ChainedTransition } from './chain';
import type { KeySet } from './signature';

export const ANNOTATION_ALGORITHM = 'docket-annotation-v1:sha256(canonical-json({algorithm,prev,row}))';

export type AnnotationKind = 'note' | 'review';

/** The result of one checklist item in a review. */
export type ItemResult = 'pass' | 'fail' | 'na';

/** What a review records: each checklist item's result, findings, and whether the case passed. */
export interface ReviewBody {
  /** The checklist as it stood when the case was reviewed: id, labels and the result. */
  items: Array<{ id: string; labels: { en: string; 'zh-CN': string }; result: ItemResult; finding?: string }>;
  /** No item failed. */
  passed: boolean;
  comment?: string;
}

export interface NoteBody {
  text: string;
}

/** An annotation as written: everything its hash covers. */
export interface AnnotationRecord {
  caseId: string;
  seq: number;
  kind: AnnotationKind;
  sampleId: string | null;
  body: ReviewBody | NoteBody | Record<string, unknown>;
  author: { userId: string; role: string };
  /** The user told about it (the case's rep). */
  rep: string | null;
  /** The last transition of the case when it was made, and that row's hash. */
  caseSeq: number;
  caseHash: string;
  at: string;
  requestId: string | null;
}

export interface ChainedAnnotation extends AnnotationRecord {
  prevHash: string;
  hash: string;
  keyId?: string | null;
  signature?: string | null;
}

export function annotationContent(a: AnnotationRecord): Record<string, unknown> {
  return {
    caseId: a.caseId,
    seq: a.seq,
    kind: a.kind,
    sampleId: a.sampleId,
    body: JSON.parse(JSON.stringify(a.body)) as unknown,
    author: { userId: a.author.userId, role: a.author.role },
    rep: a.rep,
    caseSeq: a.caseSeq,
    caseHash: a.caseHash,
    at: new Date(a.at).toISOString(),
    requestId: a.requestId,
  };
}

/** The hash of an annotation that follows `prevHash` (the previous annotation's, or for the first the transition it was made after). */
export function annotationHash(a: AnnotationRecord, prevHash: string): string {
  return createHash('sha256')
    .update(canonicalJson({ algorithm: ANNOTATION_ALGORITHM, prev: prevHash, row: annotationContent(a) }))
    .digest('hex');
}

export interface AnnotationProblem {
  /** The annotation's seq. */
  seq: number;
  kind: ChainBreak;
  message: string;
}

export interface AnnotationVerification {
  ok: boolean;
  algorithm: string;
  rows: number;
  headHash: string | null;
  signedRows: number;
  problem?: AnnotationProblem;
}

/**
 * Recomputes a case's annotation chain over `rows` (seq order) against the case's transitions, the
 * count the case records (`count`, catches annotations removed or added at the end), and with `keys`
 * each row's signature (every annotation is signed: there are none from before keyed audit).
 */
export function verifyAnnotations(
  caseId: string,
  rows: ChainedAnnotation[],
  transitions: Array<Pick<ChainedTransition, 'seq' | 'hash'>>,
  options: { count?: number; keys?: KeySet } = {},
): AnnotationVerification {
  let signedRows = 0;
  const result = (problem?: AnnotationProblem): AnnotationVerification => ({
    ok: problem === undefined,
    algorithm: ANNOTATION_ALGORITHM,
    rows: rows.length,
    headHash: rows.at(-1)?.hash ?? null,
    signedRows,
    ...(problem && { problem }),
  });
  const broken = (seq: number, kind: ChainBreak, message: string) => result({ seq, kind, message });
  const hashAt = new Map(transitions.map((t) => [t.seq, t.hash]));
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const p = i > 0 ? rows[i - 1] : undefined;
    if (r.caseId !== caseId) return broken(r.seq, 'inserted', `annotation ${r.seq} belongs to case "${r.caseId}", not "${caseId}"`);
    if (r.seq !== i) {
      return r.seq > i
        ? broken(
            i,
            'removed',
            `annotation ${i} is missing: ${p ? `annotation ${p.seq} is followed by ${r.seq}` : `they start at ${r.seq}`}`,
          )
        : broken(r.seq, 'reordered', `annotation ${r.seq} stands where annotation ${i} belongs`);
    }
    const anchored = hashAt.get(r.caseSeq);
    if (anchored === undefined || anchored !== r.caseHash) {
      return broken(
        r.seq,
        'changed',
        `annotation ${r.seq} says it was made after transition ${r.caseSeq} with hash ${r.caseHash.slice(0, 12)}, but the case's log has ${anchored ? anchored.slice(0, 12) : 'no such row'}`,
      );
    }
    const expectedPrev = p ? p.hash : r.caseHash;
    if (r.prevHash !== expectedPrev) {
      return broken(
        r.seq,
        'changed',
        `annotation ${r.seq} does not follow ${p ? `annotation ${p.seq}` : 'the transition it was made after'}: an annotation before it was changed or removed`,
      );
    }
    if (annotationHash(r, r.prevHash) !== r.hash) {
      return broken(r.seq, 'changed', `annotation ${r.seq} was changed after it was written: its content does not match its hash`);
    }
    if (options.keys) {
      if (!r.signature) {
        return broken(
          r.seq,
          'unsigned',
          `annotation ${r.seq} has no signature: it was written without the worker's key (forged with database access) or its signature was removed`,
        );
      }
      if (!r.keyId || !options.keys.has(r.keyId)) {
        return broken(
          r.seq,
          'unknown-key',
          `annotation ${r.seq} is signed with key ${r.keyId ?? '(none named)'}, which is not among the trusted public keys`,
        );
      }
      if (!options.keys.verifyAnnotation(r.keyId, r.hash, r.signature)) {
        return broken(
          r.seq,
          'forged',
          `annotation ${r.seq}: the signature of key ${r.keyId} does not match its hash: it was rewritten after it was signed`,
        );
      }
      signedRows++;
    }
  }
  if (options.count !== undefined && rows.length !== options.count) {
    return rows.length < options.count
      ? broken(rows.length, 'removed', `the case records ${options.count} annotations but ${rows.length} are stored`)
      : broken(options.count, 'inserted', `the case records ${options.count} annotations but ${rows.length} are stored`);
  }
  return result();
}
