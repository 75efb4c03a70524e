import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { toPublished, type DefinitionSource, type PublishedDefinition } from '../ports';

/** Definitions read from the JSON files of a folder (one file per process). Every file must pass the linter. */
export class FileDefinitionSource implements DefinitionSource {
  private loaded?: Promise<Map<string, PublishedDefinition>>;

  constructor(private readonly dir: string) {}

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
