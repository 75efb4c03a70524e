/**
 * The hash chain of a case's transition log, and its verification. Pure: used by
 * the PostgreSQL adapter when it appends a row, by the API's verify endpoints, and
 * offline on an exported file (which carries everything needed here).
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../engine/canonical-json';
import type { TransitionRecord } from '../engine/types';
import type { AnnotationVerification } from './annotations';
import type { AuditCheckpoint, KeySet } from './signature';

/**
 * `hash = SHA-256(canonical JSON of {algorithm, prev, row})`, hex; `prev` is the
 * previous row's hash, or the definition hash for seq 0; `row` holds the fields of
 * `chainContent`. Canonical JSON sorts object keys at every level and drops
 * undefined members.
 */
export const CHAIN_ALGORITHM = 'docket-chain-v1:sha256(canonical-json({algorithm,prev,row}))';

/** A transition row as stored, with its place in the chain (null in rows written before the chain existed). */
export interface ChainedTransition extends TransitionRecord {
  prevHash: string | null;
  hash: string | null;
  /** The writer's key and its signature of `hash` (null in rows written before keyed audit). */
  keyId?: string | null;
  signature?: string | null;
}

/** The fields a row's hash covers: everything about the transition, nothing about where it is stored. */
export function chainContent(record: TransitionRecord): Record<string, unknown> {
  return {
    caseId: record.caseId,
    seq: record.seq,
    processId: record.processId,
    definitionVersion: record.definitionVersion,
    definitionHash: record.definitionHash,
    event: record.event,
    // As it reads back from storage: JSON values only.
    payload: JSON.parse(JSON.stringify(record.payload ?? {})) as unknown,
    // On whose behalf a delegate acted, only when one did: rows without it hash as they always have.
    actor: {
      userId: record.actor.userId,
      role: record.actor.role,
      ...(record.actor.onBehalfOf !== undefined && { onBehalfOf: record.actor.onBehalfOf }),
    },
    requestId: record.requestId ?? null,
    fromState: record.fromState ?? null,
    toState: record.toState,
    status: record.status,
    at: new Date(record.at).toISOString(),
  };
}

/** The hash of a row that follows `prevHash`. */
export function rowHash(record: TransitionRecord, prevHash: string): string {
  return createHash('sha256')
    .update(canonicalJson({ algorithm: CHAIN_ALGORITHM, prev: prevHash, row: chainContent(record) }))
    .digest('hex');
}

/** What a verification found wrong first. */
export type ChainBreak =
  | 'changed'
  | 'removed'
  | 'reordered'
  | 'inserted'
  | 'unsealed'
  | 'definition'
  /** No signature where the writer always signs: forged with database access, or its signature removed. */
  | 'unsigned'
  /** A signature that does not verify: the row (or one before it) changed after signing, or it was signed by no writer. */
  | 'forged'
  /** Signed with a key the verifier does not trust (e.g. one added to the database by an insider). */
  | 'unknown-key';

export interface ChainProblem {
  /** The first sequence number that is not as it was written (of the annotations when `trail` says so). */
  seq: number;
  kind: ChainBreak;
  message: string;
  /** 'annotations': the problem is in the case's annotations (audit/annotations.ts), not its transitions. */
  trail?: 'annotations';
}

export interface ChainVerification {
  caseId: string;
  ok: boolean;
  algorithm: string;
  rows: number;
  /** The hash of the last row: what a later verification can compare against. */
  headHash: string | null;
  /** Whether signatures were checked against trusted public keys ('unchecked': no keys were given). */
  signatures: 'verified' | 'unchecked';
  /** Rows with a valid signature. */
  signedRows: number;
  /** Rows written before keyed audit: unsigned, vouched for by a signed checkpoint. */
  unsignedRows: number;
  /** The keys that signed this case's rows and checkpoints. */
  keyIds: string[];
  problem?: ChainProblem;
  /** The case's annotations, verified as a chain of their own anchored on the transitions (when they were read). */
  annotations?: { ok: boolean; rows: number; headHash: string | null; signedRows: number; algorithm: string };
}

/** A case's chain verification with its annotations' added: broken when either is, the transitions' problem first. */
export function withAnnotations(chain: ChainVerification, annotations: AnnotationVerification): ChainVerification {
  const { problem, ...summary } = annotations;
  return {
    ...chain,
    ok: chain.ok && annotations.ok,
    annotations: summary,
    ...(chain.problem === undefined && problem && { problem: { ...problem, trail: 'annotations' as const } }),
  };
}

export interface VerifyOptions {
  /** The definition hash the case runs on (from the case itself, not from its rows). */
  definitionHash?: string;
  /** The last seq the case says it has applied (its projection): catches rows removed or added at the end. */
  lastSeq?: number;
  /** The trusted public keys: every row must be signed by one, or be vouched for by a signed checkpoint. */
  keys?: KeySet;
  /** The case's signed checkpoints (rows written before keyed audit, adopted when it began). */
  checkpoints?: AuditCheckpoint[];
}

/**
 * Recomputes a case's chain over `rows` in the order given (sequence order when
 * read from the database, file order in an export) and names the first broken
 * sequence number and why.
 */
export function verifyChain(caseId: string, rows: ChainedTransition[], options: VerifyOptions = {}): ChainVerification {
  const keyed = verifyOnce(caseId, rows, options);
  if (keyed.ok || options.keys === undefined) return keyed;
  // A row changed with its hash recomputed fails both ways at the same seq: the chain's account says more.
  const plain = verifyOnce(caseId, rows, { ...options, keys: undefined });
  return plain.problem && plain.problem.seq <= keyed.problem!.seq ? { ...keyed, problem: plain.problem } : keyed;
}

function verifyOnce(caseId: string, rows: ChainedTransition[], options: VerifyOptions): ChainVerification {
  const keys = options.keys;
  let signedRows = 0;
  let unsignedRows = 0;
  const keyIds = new Set<string>();
  const result = (problem?: ChainProblem): ChainVerification => ({
    caseId,
    ok: problem === undefined,
    algorithm: CHAIN_ALGORITHM,
    rows: rows.length,
    headHash: rows.at(-1)?.hash ?? null,
    signatures: keys ? 'verified' : 'unchecked',
    signedRows,
    unsignedRows,
    keyIds: [...keyIds],
    ...(problem && { problem }),
  });
  const broken = (seq: number, kind: ChainBreak, message: string) => result({ seq, kind, message });

  // The checkpoint that vouches for the rows written before keyed audit: the latest valid one.
  let adopted: AuditCheckpoint | undefined;
  for (const c of keys ? (options.checkpoints ?? []).filter((x) => x.caseId === caseId) : []) {
    if (!keys!.has(c.keyId)) {
      return broken(c.seq, 'unknown-key', `the checkpoint at row ${c.seq} is signed with key ${c.keyId}, which is not a trusted key`);
    }
    if (!keys!.verifyCheckpoint(c)) {
      return broken(
        c.seq,
        'forged',
        `the checkpoint at row ${c.seq} has a signature that does not verify: it was changed or made without the key`,
      );
    }
    keyIds.add(c.keyId);
    if (adopted === undefined || c.seq > adopted.seq) adopted = c;
  }
  let signedBefore: number | undefined;

  const start = options.definitionHash ?? rows[0]?.definitionHash;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const p = i > 0 ? rows[i - 1] : undefined;
    const next = rows[i + 1];
    const later = rows.slice(i + 1);
    const expectedSeq = p ? p.seq + 1 : 0;

    if (r.caseId !== caseId) return broken(r.seq, 'inserted', `row ${r.seq} belongs to case "${r.caseId}", not "${caseId}"`);
    if (r.seq !== expectedSeq) {
      if (r.seq < expectedSeq || later.some((x) => x.seq === expectedSeq)) {
        return broken(Math.min(r.seq, expectedSeq), 'reordered', `row ${r.seq} stands where row ${expectedSeq} belongs: rows were moved`);
      }
      return broken(
        expectedSeq,
        'removed',
        p ? `row ${expectedSeq} is missing: row ${p.seq} is followed by row ${r.seq}` : `the log starts at row ${r.seq}: row 0 is missing`,
      );
    }
    if (r.hash === null || r.prevHash === null) {
      return broken(r.seq, 'unsealed', `row ${r.seq} has no hash: it was written before the log was chained, or its hash was erased`);
    }
    if (i === 0 && options.definitionHash !== undefined && r.definitionHash !== options.definitionHash) {
      return broken(
        0,
        'definition',
        `row 0 names definition ${r.definitionHash.slice(0, 12)}, but the case runs on ${options.definitionHash.slice(0, 12)}`,
      );
    }
    const expectedPrev = p ? p.hash : start;
    const own = rowHash(r, r.prevHash) === r.hash;
    if (r.prevHash !== expectedPrev) {
      if (later.some((x) => x.hash === r.prevHash)) {
        return broken(r.seq, 'reordered', `row ${r.seq} claims to follow a row that comes after it: rows were swapped or moved`);
      }
      if (p && r.prevHash === p.prevHash) {
        return broken(p.seq, 'inserted', `row ${p.seq} was inserted: it and row ${r.seq} both claim to follow row ${p.seq - 1}`);
      }
      if (i === 0) return broken(0, 'definition', `row 0 is not chained to the definition hash ${String(start).slice(0, 12)}`);
      if (own && p) {
        return broken(
          p.seq,
          'changed',
          `row ${p.seq} was changed after it was written (its hash was recomputed; row ${r.seq} recorded another)`,
        );
      }
      return broken(r.seq, 'changed', `row ${r.seq} was changed after it was written: its link to row ${p?.seq ?? 0} does not match`);
    }
    if (!own) {
      if (next && next.prevHash === r.prevHash) {
        return broken(r.seq, 'inserted', `row ${r.seq} was inserted: it and row ${next.seq} both claim to follow row ${r.seq - 1}`);
      }
      return broken(r.seq, 'changed', `row ${r.seq} was changed after it was written: its content does not match its hash`);
    }
    if (keys) {
      const problem = signatureProblem(r, keys, adopted, signedBefore);
      if (problem) return broken(r.seq, problem.kind, problem.message);
      if (r.signature) {
        signedRows++;
        signedBefore = r.seq;
        keyIds.add(r.keyId!);
      } else {
        unsignedRows++;
      }
    }
  }
  const last = rows.at(-1);
  if (adopted && adopted.seq > (last?.seq ?? -1)) {
    return broken(
      (last?.seq ?? -1) + 1,
      'removed',
      `a signed checkpoint of ${adopted.signedAt} says the log reached row ${adopted.seq}, but it ends at row ${last?.seq ?? -1}`,
    );
  }
  if (options.lastSeq !== undefined) {
    const lastSeq = last?.seq ?? -1;
    if (lastSeq < options.lastSeq) {
      return broken(lastSeq + 1, 'removed', `the case has applied ${options.lastSeq + 1} transitions but the log ends at row ${lastSeq}`);
    }
    if (lastSeq > options.lastSeq) {
      return broken(
        options.lastSeq + 1,
        'inserted',
        `the case has applied transitions up to row ${options.lastSeq}, but the log goes on to row ${lastSeq}`,
      );
    }
  }
  return result();
}

/** Why row `r` (whose hash already checked out) is not vouched for by a trusted key, if it is not. */
function signatureProblem(
  r: ChainedTransition,
  keys: KeySet,
  adopted: AuditCheckpoint | undefined,
  signedBefore: number | undefined,
): { kind: ChainBreak; message: string } | undefined {
  if (r.signature) {
    if (!r.keyId || !keys.has(r.keyId)) {
      return {
        kind: 'unknown-key',
        message: `row ${r.seq} is signed with key ${r.keyId ?? '(none named)'}, which is not among the trusted public keys (${keys.entries.map((k) => k.keyId).join(', ') || 'none'}): a key that is not pinned proves nothing`,
      };
    }
    if (!keys.verifyRow(r.keyId, r.hash!, r.signature)) {
      return {
        kind: 'forged',
        message: `row ${r.seq}: the signature of key ${r.keyId} does not match the row's hash: the row or one before it was rewritten after it was signed, or the signature was not made with that key`,
      };
    }
    return undefined;
  }
  if (signedBefore !== undefined) {
    return {
      kind: 'unsigned',
      message: `row ${r.seq} has no signature, but row ${signedBefore} before it is signed: it was written without the writer's key (forged with database access) or its signature was removed`,
    };
  }
  if (adopted === undefined || r.seq > adopted.seq) {
    return {
      kind: 'unsigned',
      message: `row ${r.seq} has no signature and no signed checkpoint vouches for it: it was written without the writer's key (forged with database access) or its signature was removed`,
    };
  }
  if (r.seq === adopted.seq && r.hash !== adopted.hash) {
    return {
      kind: 'changed',
      message: `row ${r.seq} does not match the checkpoint signed when keyed audit began (${adopted.signedAt}): the rows up to it were rewritten since`,
    };
  }
  return undefined;
}
