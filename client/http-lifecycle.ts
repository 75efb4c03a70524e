/**
 * The definition lifecycle and migration over Docket's HTTP API: the same operations as
 * `DefinitionLifecycle` and `CaseMigrations`, decided by the server for the token's user. An actor's role selects
 * the role to act in (`X-Docket-Role`); its user id is ignored.
 */
import type { DefinitionDiff } from '../engine/definition-diff';
import type { LintProblem } from '../engine/lint';
import type { Actor } from '../engine/types';
import { DocketError } from './docket-client';
import type { HttpDocketClient } from './http-client';
import type { CaseMigration, CaseMigrations, MigrateOptions, VersionMigration } from './case-migration';
import type { DefinitionLifecycle, DraftResult, PublishResult, VersionInfo, VersionRef } from './lifecycle';

/** What the CLI needs of the lifecycle: a `DefinitionLifecycle` (direct), or `HttpLifecycle`. */
export type LifecycleClient = Pick<
  DefinitionLifecycle,
  'saveDraft' | 'validateDraft' | 'discardDraft' | 'setParameter' | 'publish' | 'versions' | 'diff' | 'diagram'
>;

/** What the CLI needs of migration: `CaseMigrations` (direct), or `HttpLifecycle`. */
export type MigrationClient = Pick<CaseMigrations, 'migrateCase' | 'migrateVersion'>;

const id = (value: string) => encodeURIComponent(value);

export class HttpLifecycle implements LifecycleClient, MigrationClient {
  /** `readRole`: the role reads are made in (`--as`), when the user holds several. */
  constructor(
    private readonly api: HttpDocketClient,
    private readonly readRole?: string,
  ) {}

  private get<T>(path: string): Promise<T> {
    return this.api.request<T>('GET', path, this.readRole === undefined ? {} : { role: this.readRole }).then((r) => r.body);
  }

  private post<T>(path: string, actor: Actor, body?: unknown): Promise<T> {
    return this.api.request<T>('POST', path, { role: actor.role, ...(body !== undefined && { body }) }).then((r) => r.body);
  }

  async versions(processId: string): Promise<VersionInfo[]> {
    return (await this.get<{ versions: VersionInfo[] }>(`/definitions/${id(processId)}/versions`)).versions;
  }

  /**
   * Saves the draft. The API has no `version` option: a `version` that names a published version is
   * refused here (DefinitionImmutable) before anything is sent, as `DefinitionLifecycle` refuses it.
   */
  async saveDraft(actor: Actor, processId: string, raw: unknown, options: { version?: number } = {}): Promise<DraftResult> {
    if (options.version !== undefined) {
      const existing = (await this.versions(processId)).find((v) => v.version === options.version);
      if (existing?.status === 'published') {
        throw new DocketError(
          'DefinitionImmutable',
          `${processId} v${options.version} is published and cannot be changed; save your edit as a draft of the next version instead (leave out --version)`,
        );
      }
    }
    return this.post<DraftResult>(`/definitions/${id(processId)}/draft`, actor, raw);
  }

  async validateDraft(processId: string): Promise<DraftResult> {
    const draft = (await this.versions(processId)).find((v) => v.status === 'draft');
    const row = await this.get<{ ok: boolean; problems: LintProblem[]; warnings: LintProblem[] }>(
      `/definitions/${id(processId)}/versions/draft`,
    );
    if (!draft) throw new DocketError('NoDraft', `process "${processId}" has no draft`);
    const diff = row.ok ? await this.diff(processId, 'latest', 'draft').catch(() => undefined) : undefined;
    return { draft, ok: row.ok, problems: row.problems, warnings: row.warnings, ...(diff && { diff }) };
  }

  async discardDraft(actor: Actor, processId: string): Promise<void> {
    await this.post(`/definitions/${id(processId)}/draft/discard`, actor);
  }

  async setParameter(actor: Actor, processId: string, name: string, value: string | number | boolean): Promise<DraftResult> {
    return this.post<DraftResult>(`/definitions/${id(processId)}/parameters`, actor, { name, value });
  }

  async publish(actor: Actor, processId: string, options: { dryRun?: boolean } = {}): Promise<PublishResult> {
    return this.post<PublishResult>(`/definitions/${id(processId)}/publish`, actor, { dryRun: options.dryRun === true });
  }

  async diff(processId: string, from: VersionRef, to: VersionRef): Promise<DefinitionDiff> {
    return this.get<DefinitionDiff>(`/definitions/${id(processId)}/diff?from=${id(String(from))}&to=${id(String(to))}`);
  }

  async diagram(processId: string, ref: VersionRef, format: 'svg' | 'mermaid'): Promise<string> {
    const { text } = await this.api.request<unknown>(
      'GET',
      `/definitions/${id(processId)}/diagram?version=${id(String(ref))}&format=${format}`,
      {
        accept: format === 'svg' ? 'image/svg+xml' : 'text/plain',
        ...(this.readRole !== undefined && { role: this.readRole }),
      },
    );
    return text;
  }

  async migrateCase(actor: Actor, caseId: string, toVersion: number, options: MigrateOptions = {}): Promise<CaseMigration> {
    return this.post<CaseMigration>(`/cases/${id(caseId)}/migrate`, actor, {
      to: toVersion,
      mapping: options.mapping ?? {},
      dryRun: options.dryRun === true,
    });
  }

  async migrateVersion(actor: Actor, { processId, fromVersion, toVersion, ...options }: VersionMigration): Promise<CaseMigration[]> {
    return this.post<CaseMigration[]>(`/definitions/${id(processId)}/migrate`, actor, {
      fromVersion,
      to: toVersion,
      mapping: options.mapping ?? {},
      dryRun: options.dryRun === true,
    });
  }
}
