import { createHash } from 'node:crypto';
import { canonicalJson } from '../engine/canonical-json';

/** SHA-256 of the canonical JSON of a definition: the hash cases are pinned to (as in client/definitions.ts). */
export function definitionHashOf(raw: unknown): string {
  return createHash('sha256').update(canonicalJson(raw)).digest('hex');
}
