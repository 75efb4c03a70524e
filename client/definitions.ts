import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { canonicalJson } from '../engine/canonical-json';
import type { Definition } from '../engine/definition-schema';
import { assertValidDefinition } from '../engine/lint';

/** A definition version that cases can run on. */
export interface PublishedDefinition {
  processId: string;
  version: number;
  /** SHA-256 of the canonical JSON of `raw`. */
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

export function definitionHash(raw: unknown): string {
  return createHash('sha256').update(canonicalJson(raw)).digest('hex');
}

export function toPublished(raw: unknown, source: string): PublishedDefinition {
  const definition = assertValidDefinition(raw, source);
  return { processId: definition.process, version: definition.version, hash: definitionHash(raw), definition, raw };
}

export const DEFAULT_DEFINITIONS_DIR = path.resolve(__dirname, '..', 'definitions');

/** Definitions read from the JSON files of a folder (one file per process). Every file must pass the linter. */
export class FileDefinitionSource implements DefinitionSource {
  private loaded?: Promise<Map<string, PublishedDefinition>>;

  constructor(private readonly dir: string = DEFAULT_DEFINITIONS_DIR) {}

  private load(): Promise<Map<string, PublishedDefinition>> {
    this.loaded ??= (async () => {
      const files = (await readdir(this.dir)).filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json')).sort();
      const map = new Map<string, PublishedDefinition>();
      for (const file of files) {
        const full = path.join(this.dir, file);
        const published = toPublished(JSON.parse(await readFile(full, 'utf8')), full);
        map.set(published.processId, published);
      }
      return map;
    })();
    return this.loaded;
  }

  async list(): Promise<PublishedDefinition[]> {
    return [...(await this.load()).values()];
  }

  async latest(processId: string): Promise<PublishedDefinition | undefined> {
    return (await this.load()).get(processId);
  }
}
