/**
 * Migration of running cases to another published version, on purpose: the plan of one case
 * (target state, deadlines recomputed, blockers), one case, or every open case of a version.
 * Process owners only; a blocked migration is refused and changes nothing.
 */
import type { CaseStore } from '../ports';
import type { PostgresDefinitionStore } from '../adapters/postgres/definition-store';
import { definitionSchema } from '../engine/definition-schema';
import { planMigration, type MigrationPlan } from '../engine/migration-plan';
import type { Actor, CalendarData } from '../engine/types';
import type { MigrateResult } from '../workflows/messages';
import { DocketError, type DocketClient } from './docket-client';
import { requireOwner, type DefinitionLifecycle } from './lifecycle';

export interface CaseMigration {
  caseId: string;
  plan: MigrationPlan;
  result?: MigrateResult;
  /** Why a batch skipped this case (its blockers, or the refusal). */
  error?: { code: string; message: string };
}

/** How to migrate: state mappings for removed or renamed states, and whether only to plan. */
export interface MigrateOptions {
  /** Old state path → new state path. */
  mapping?: Record<string, string>;
  /** Only plan: change nothing. */
  dryRun?: boolean;
}

/** The open cases of one version of a process, to migrate to another version. */
export interface VersionMigration extends MigrateOptions {
  processId: string;
  fromVersion: number;
  toVersion: number;
}

export interface CaseMigrationOptions {
  /** Where the versions of a process are looked up (and an unknown one refused). */
  lifecycle: Pick<DefinitionLifecycle, 'version'>;
  store: PostgresDefinitionStore;
  docket: DocketClient;
  cases: CaseStore;
  calendar: CalendarData;
  /** The clock for dry runs (default `Date.now`). */
  now?: () => number;
}

/** Opt-in migration of running cases, shared by the CLI and the HTTP API. */
export class CaseMigrations {
  constructor(private readonly opts: CaseMigrationOptions) {}

  /** The migration plan of one case to a published version: target state, deadlines recomputed, blockers. Changes nothing. */
  async planCaseMigration(actor: Actor, caseId: string, toVersion: number, mapping: Record<string, string> = {}): Promise<MigrationPlan> {
    requireOwner(actor, 'migrate cases');
    return (await this.prepare(caseId, toVersion, mapping)).plan;
  }

  private async prepare(caseId: string, toVersion: number, mapping: Record<string, string>) {
    const status = await this.opts.docket.status(caseId);
    const from = definitionSchema.parse(await this.opts.docket.caseDefinition(caseId));
    const target = await this.opts.store.publishedVersion(status.processId, toVersion);
    if (!target) {
      const versions = (await this.opts.store.versions(status.processId)).filter((r) => r.status === 'published').map((r) => r.version);
      throw new DocketError(
        'UnknownVersion',
        `process "${status.processId}" has no published version ${toVersion}; published: ${versions.join(', ')}`,
      );
    }
    const log = await this.opts.cases.listTransitions(caseId);
    let stateEnteredAt: string | undefined;
    for (let i = log.length - 1; i >= 0; i--) {
      const row = log[i]!;
      if (row.toState === status.state && row.fromState !== status.state) {
        stateEnteredAt = row.at;
        break;
      }
    }
    const plan = planMigration({
      from,
      to: target.definition,
      toVersion,
      case: {
        caseId,
        state: status.state,
        status: status.status,
        context: status.context,
        definitionVersion: status.definitionVersion,
        deadlines: status.deadlines,
        ...(stateEnteredAt && { stateEnteredAt }),
      },
      mapping,
      calendar: this.opts.calendar,
      now: (this.opts.now ?? Date.now)(),
    });
    return { plan, target, stateEnteredAt };
  }

  /** Migrates one case (or, with `dryRun`, only plans it). A blocked migration is refused and changes nothing. */
  async migrateCase(actor: Actor, caseId: string, toVersion: number, options: MigrateOptions = {}): Promise<CaseMigration> {
    requireOwner(actor, 'migrate cases');
    const mapping = options.mapping ?? {};
    const { plan, target, stateEnteredAt } = await this.prepare(caseId, toVersion, mapping);
    if (options.dryRun) return { caseId, plan };
    if (!plan.ok) {
      const codes = plan.blockers.map((b) => b.code);
      const code = codes.includes('CaseClosed') ? 'CaseClosed' : codes.includes('UnknownState') ? 'UnknownState' : 'MigrationBlocked';
      throw new DocketError(
        code,
        `case ${caseId} cannot be migrated to v${toVersion}: ${plan.blockers.map((b) => b.message).join('; ')}`,
        plan.blockers,
      );
    }
    const result = await this.opts.docket.migrateCase(caseId, {
      definition: target.raw,
      definitionVersion: target.version,
      definitionHash: target.hash,
      mapping,
      ...(stateEnteredAt && { stateEnteredAt }),
      actor,
    });
    return { caseId, plan, result };
  }

  /** Migrates every open case of one version; blocked cases are reported and left as they are. */
  async migrateVersion(actor: Actor, migration: VersionMigration): Promise<CaseMigration[]> {
    const { processId, fromVersion, toVersion, ...options } = migration;
    requireOwner(actor, 'migrate cases');
    await this.opts.lifecycle.version(processId, fromVersion);
    const open = (await this.opts.cases.listCases({ processId, status: 'open' })).filter((c) => c.definitionVersion === fromVersion);
    const out: CaseMigration[] = [];
    for (const c of open) {
      try {
        out.push(await this.migrateCase(actor, c.caseId, toVersion, options));
      } catch (err) {
        if (!(err instanceof DocketError) || !err.refusal) throw err;
        const plan = await this.planCaseMigration(actor, c.caseId, toVersion, options.mapping).catch(() => undefined);
        if (!plan) throw err;
        out.push({ caseId: c.caseId, plan, error: { code: err.code, message: err.message } });
      }
    }
    return out;
  }
}
