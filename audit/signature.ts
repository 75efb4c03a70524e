/**
 * What the writer signs: each row's chain hash (which covers the row and every row
 * before it), and checkpoints that vouch for rows written before keyed audit.
 * Signatures are Ed25519 over a domain-separated text, base64.
 */
import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import type { AuditSigner, PublicKeyEntry } from './keys';

export const SIGNATURE_ALGORITHM =
  'docket-sig-v1:ed25519(row: "docket-row-v1:"+hash; checkpoint: "docket-checkpoint-v1:"+caseId+":"+seq+":"+hash)';

/** How annotations are signed: the same keys, another domain (a row's signature never passes for an annotation's). */
export const ANNOTATION_SIGNATURE_ALGORITHM = 'docket-sig-v1:ed25519(annotation: "docket-annotation-v1:"+hash)';

/** A signed statement that, when keyed audit began, a case's log ended at `seq` with `hash`. */
export interface AuditCheckpoint {
  caseId: string;
  seq: number;
  hash: string;
  keyId: string;
  signature: string;
  signedAt: string;
}

const rowMessage = (hash: string) => Buffer.from(`docket-row-v1:${hash}`);
const annotationMessage = (hash: string) => Buffer.from(`docket-annotation-v1:${hash}`);
const checkpointMessage = (caseId: string, seq: number, hash: string) => Buffer.from(`docket-checkpoint-v1:${caseId}:${seq}:${hash}`);

export function signRow(signer: AuditSigner, hash: string): { keyId: string; signature: string } {
  return { keyId: signer.keyId, signature: sign(null, rowMessage(hash), signer.privateKey).toString('base64') };
}

export function signAnnotation(signer: AuditSigner, hash: string): { keyId: string; signature: string } {
  return { keyId: signer.keyId, signature: sign(null, annotationMessage(hash), signer.privateKey).toString('base64') };
}

export function signCheckpoint(signer: AuditSigner, caseId: string, seq: number, hash: string, now = new Date()): AuditCheckpoint {
  const signature = sign(null, checkpointMessage(caseId, seq, hash), signer.privateKey).toString('base64');
  return { caseId, seq, hash, keyId: signer.keyId, signature, signedAt: now.toISOString() };
}

/** Trusted public keys by id, parsed once. */
export class KeySet {
  private readonly keys = new Map<string, KeyObject>();

  constructor(readonly entries: PublicKeyEntry[]) {
    for (const e of entries) this.keys.set(e.keyId, createPublicKey(e.publicKey));
  }

  has(keyId: string): boolean {
    return this.keys.has(keyId);
  }

  get size(): number {
    return this.keys.size;
  }

  verifyRow(keyId: string, hash: string, signature: string): boolean {
    return this.check(keyId, rowMessage(hash), signature);
  }

  verifyAnnotation(keyId: string, hash: string, signature: string): boolean {
    return this.check(keyId, annotationMessage(hash), signature);
  }

  verifyCheckpoint(c: AuditCheckpoint): boolean {
    return this.check(c.keyId, checkpointMessage(c.caseId, c.seq, c.hash), c.signature);
  }

  private check(keyId: string, message: Buffer, signature: string): boolean {
    const key = this.keys.get(keyId);
    if (key === undefined) return false;
    try {
      return verify(null, message, key, Buffer.from(signature, 'base64'));
    } catch {
      return false;
    }
  }
}
