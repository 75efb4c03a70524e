import { createHash } from 'node:crypto';
import { canonicalJson } from '../engine/canonical-json';

/**
 * SHA-256 of the canonical JSON of a definition: the hash cases are pinned to and audit rows
 * name. Replay histories and audit chains hold its values: it must never change.
 */
export function definitionHash(raw: unknown): string {
  return createHash('sha256').update(canonicalJson(raw)).digest('hex');
}
