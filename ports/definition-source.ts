import { definitionHash } from '../audit/definition-hash';
import type { Definition } from '../engine/definition-schema';
import { assertValidDefinition } from '../engine/lint';

/** A definition version that cases can run on. */
export interface PublishedDefinition {
  processId: string;
  version: number;
  /** SHA-256 of the canonical JSON of `raw` (audit/definition-hash.ts). */
  hash: string;
  definition: Definition;
  /** The definition as written, pinned into each case started on it. */
  raw: unknown;
}

/** Where clients find the definitions to start cases on. */
export interface DefinitionSource {
  list(): Promise<PublishedDefinition[]>;
  /** The version new cases of a process start on, or undefined for an unknown process. */
  latest(processId: string): Promise<PublishedDefinition | undefined>;
}

/** A definition as written, linted and hashed; throws the linter's problems, naming `source`. */
export function toPublished(raw: unknown, source: string): PublishedDefinition {
  const definition = assertValidDefinition(raw, source);
  return { processId: definition.process, version: definition.version, hash: definitionHash(raw), definition, raw };
}
