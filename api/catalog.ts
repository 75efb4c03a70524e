/**
 * The definitions the API reasons with: the latest versions (from the client's
 * DefinitionSource) for who may see which process, and any version by its hash
 * for a case's allowed events. Versions are immutable, so they are cached by hash.
 */
import type { PublishedDefinition } from '../ports';
import { definitionSchema, type Definition } from '../engine/definition-schema';
import { ROLE_NAMES } from '../engine/roles';

export interface CatalogClient {
  definitions: { list(): Promise<PublishedDefinition[]> };
  caseDefinition(caseId: string): Promise<unknown>;
}

export interface KnownDefinition {
  hash: string;
  definition: Definition;
  raw: unknown;
}

/** Roles that read every case (never send events). */
export const READ_ALL_ROLES = new Set(['auditor']);

/** Every role a definition names: who may start a case and who may send one of its events. */
export function rolesOf(definition: Definition): Set<string> {
  const roles = new Set(definition.startedBy);
  for (const spec of Object.values(definition.events)) for (const r of spec.roles) roles.add(r);
  return roles;
}

export class DefinitionCatalog {
  private readonly byHashCache = new Map<string, KnownDefinition>();

  constructor(private readonly client: CatalogClient) {}

  async latest(): Promise<PublishedDefinition[]> {
    const list = await this.client.definitions.list();
    for (const d of list) this.byHashCache.set(d.hash, { hash: d.hash, definition: d.definition, raw: d.raw });
    return list;
  }

  /**
   * The processes whose cases a role may see: those whose definition, or the definition of a process it runs
   * as a sub-process, names the role (a department owner sees the lost deal its measure belongs to); every
   * process for an auditor.
   */
  async visibleProcesses(role: string): Promise<string[]> {
    const list = await this.latest();
    const byProcess = new Map(list.map((d) => [d.processId, d.definition]));
    const names = (definition: Definition, seen: Set<string>): boolean => {
      if (rolesOf(definition).has(role)) return true;
      return Object.values(definition.subprocesses ?? {}).some((sub) => {
        const child = byProcess.get(sub.process);
        if (!child || seen.has(sub.process)) return false;
        seen.add(sub.process);
        return names(child, seen);
      });
    };
    return list.filter((d) => READ_ALL_ROLES.has(role) || names(d.definition, new Set([d.processId]))).map((d) => d.processId);
  }

  async canSee(role: string, processId: string): Promise<boolean> {
    return (await this.visibleProcesses(role)).includes(processId);
  }

  /** The definition version with this hash; asks the case that runs on it when it is not a latest version. */
  async byHash(hash: string, caseId: string): Promise<KnownDefinition | undefined> {
    const known = this.byHashCache.get(hash);
    if (known) return known;
    await this.latest();
    const again = this.byHashCache.get(hash);
    if (again) return again;
    try {
      const raw = await this.client.caseDefinition(caseId);
      const parsed = definitionSchema.safeParse(raw);
      if (!parsed.success) return undefined;
      const entry = { hash, definition: parsed.data, raw };
      this.byHashCache.set(hash, entry);
      return entry;
    } catch {
      return undefined;
    }
  }
}

export const ALL_ROLES = ROLE_NAMES;
