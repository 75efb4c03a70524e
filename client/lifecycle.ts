import type { CaseStore } from '../ports';
import type { DefinitionVersionRow, PostgresDefinitionStore } from '../adapters/postgres/definition-store';
import { diffDefinitions, type DefinitionDiff } from '../engine/definition-diff';
import { outlineDefinition } from '../engine/definition-outline';
import type { Definition } from '../engine/definition-schema';
import { lintDefinition, type LintProblem, type LintResult } from '../engine/lint';
import type { Actor } from '../engine/types';
import { didYouMean } from '../engine/suggest';
import { mermaidDiagram, svgDiagram } from '../diagram';
import { DocketError } from './docket-client';
import { ownValue } from '../engine/own';
import { describeIssues } from '../engine/refusals';
import { storableProblems } from '../engine/storable';

/** A version named on the command line or in the API: a number, `draft`, or `latest` (published). */
export type VersionRef = number | 'draft' | 'latest';

export interface VersionInfo {
  processId: string;
  version: number;
  status: 'draft' | 'published';
  hash: string;
  createdBy: string;
  createdAt: string;
  publishedBy: string | null;
  publishedAt: string | null;
  /** Open cases running on this version. */
  openCases: number;
}

export interface DraftResult {
  draft: VersionInfo;
  /** The linter's verdict: only a draft without problems can be published. */
  ok: boolean;
  problems: LintProblem[];
  /** What should be fixed but does not stop publishing (e.g. payload fields without labels). */
  warnings: LintProblem[];
  /** What the draft changes compared with the latest published version (when the draft is valid). */
  diff?: DefinitionDiff;
}

export interface Impact {
  processId: string;
  /** The version new cases start on until the draft is published. */
  replacedVersion: number | null;
  newVersion: number;
  /** Open cases of the replaced version, per state. */
  byState: Array<{ state: string; count: number }>;
  /** Open cases (of any version) in states the new version no longer has: they need a mapping to be migrated. */
  inRemovedStates: Array<{ caseId: string; version: number; state: string }>;
  /** Open cases still on older versions. */
  olderVersions: Array<{ version: number; count: number }>;
}

export interface PublishResult {
  published?: VersionInfo;
  impact: Impact;
  diff?: DefinitionDiff;
  dryRun: boolean;
}

/** Where the linter and diffs run: on the calling thread by default; the HTTP API hands them to its job pool. */
export interface DefinitionAnalysis {
  lint(raw: unknown): Promise<LintResult>;
  diff(from: Definition, to: Definition): Promise<DefinitionDiff>;
}

const onThisThread: DefinitionAnalysis = {
  lint: async (raw) => lintDefinition(raw),
  diff: async (from, to) => diffDefinitions(from, to),
};

export interface LifecycleOptions {
  store: PostgresDefinitionStore;
  cases: CaseStore;
  analysis?: DefinitionAnalysis;
}

const OWNER = 'process_owner';

/** Refuses (Forbidden) an actor that is not a process owner; `what` says what it may not do. */
export function requireOwner(actor: Actor, what: string): void {
  if (actor.role !== OWNER) throw new DocketError('Forbidden', `role "${actor.role}" may not ${what}; it is for ${OWNER}`);
}

/**
 * The definition lifecycle of process owners: drafts, validation, publishing,
 * diffs, diagrams and parameter edits (migration of running cases is `CaseMigrations`,
 * case-migration.ts). Every change is checked against the actor's role, so the CLI and
 * the HTTP API share it.
 */
export class DefinitionLifecycle {
  constructor(private readonly opts: LifecycleOptions) {}

  /** The same lifecycle with the linter and diffs run by `analysis`. */
  withAnalysis(analysis: DefinitionAnalysis): DefinitionLifecycle {
    return new DefinitionLifecycle({ ...this.opts, analysis });
  }

  private get analysis(): DefinitionAnalysis {
    return this.opts.analysis ?? onThisThread;
  }

  private get store(): PostgresDefinitionStore {
    return this.opts.store;
  }

  private async requireProcess(processId: string): Promise<DefinitionVersionRow[]> {
    const rows = await this.store.versions(processId);
    if (rows.length === 0) {
      const known = (await this.store.list()).map((d) => d.processId);
      throw new DocketError(
        'UnknownProcess',
        `no process "${processId}"${didYouMean(processId, known)}; known processes: ${known.join(', ')}`,
      );
    }
    return rows;
  }

  private async openCounts(processId: string): Promise<Map<number, number>> {
    const open = await this.opts.cases.listCases({ processId, status: 'open' });
    const counts = new Map<number, number>();
    for (const c of open) counts.set(c.definitionVersion, (counts.get(c.definitionVersion) ?? 0) + 1);
    return counts;
  }

  private info(row: DefinitionVersionRow, counts: Map<number, number>): VersionInfo {
    const { raw: _raw, ...rest } = row;
    return { ...rest, openCases: counts.get(row.version) ?? 0 };
  }

  /** Every version of a process, oldest first, with the number of open cases on each. */
  async versions(processId: string): Promise<VersionInfo[]> {
    const rows = await this.requireProcess(processId);
    const counts = await this.openCounts(processId);
    return rows.map((r) => this.info(r, counts));
  }

  /** One version's stored row: a number, the draft, or the latest published version. */
  async version(processId: string, ref: VersionRef): Promise<DefinitionVersionRow> {
    const rows = await this.requireProcess(processId);
    const published = rows.filter((r) => r.status === 'published');
    const row =
      ref === 'draft' ? rows.find((r) => r.status === 'draft') : ref === 'latest' ? published.at(-1) : rows.find((r) => r.version === ref);
    if (!row) {
      if (ref === 'draft')
        throw new DocketError(
          'NoDraft',
          `process "${processId}" has no draft: start one with \`docket definitions draft ${processId} @file.json\``,
        );
      throw new DocketError(
        'UnknownVersion',
        `process "${processId}" has no version ${String(ref)}; its versions are ${rows.map((r) => r.version).join(', ')}`,
      );
    }
    return row;
  }

  /** A version as a valid definition (a draft that fails the linter is refused with its problems). */
  async definition(processId: string, ref: VersionRef): Promise<{ row: DefinitionVersionRow; definition: Definition }> {
    const row = await this.version(processId, ref);
    const lint = await this.analysis.lint(row.raw);
    if (!lint.ok || !lint.definition) {
      throw new DocketError(
        'InvalidDefinition',
        `${processId} v${row.version} (${row.status}) has ${lint.problems.length} problem(s): ${lint.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
        lint.problems,
      );
    }
    return { row, definition: lint.definition };
  }

  /**
   * Stores `raw` as the draft of a process (replacing its earlier draft). `version`, when given, names the
   * version the caller means to write: a published one is refused, since published versions never change.
   */
  async saveDraft(actor: Actor, processId: string, raw: unknown, options: { version?: number } = {}): Promise<DraftResult> {
    requireOwner(actor, 'edit process definitions');
    const rows = await this.requireProcess(processId);
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new DocketError('ValidationError', 'a definition is a JSON object (see definitions/definition.schema.json)');
    }
    const unstorable = storableProblems(raw);
    if (unstorable.length > 0) {
      throw new DocketError('ValidationError', `the definition cannot be stored: ${describeIssues(unstorable)}`, unstorable);
    }
    const named = (raw as Record<string, unknown>).process;
    if (named !== undefined && named !== processId) {
      throw new DocketError('ValidationError', `the file defines process ${JSON.stringify(named)}, not "${processId}"`);
    }
    if (options.version !== undefined) {
      const existing = rows.find((r) => r.version === options.version);
      if (existing?.status === 'published') {
        throw new DocketError(
          'DefinitionImmutable',
          `${processId} v${options.version} is published and cannot be changed; save your edit as a draft of the next version instead (leave out --version)`,
        );
      }
    }
    const row = await this.store.saveDraft(processId, { ...(raw as Record<string, unknown>), process: processId }, actor.userId);
    return this.describeDraft(processId, row);
  }

  private async describeDraft(processId: string, row: DefinitionVersionRow): Promise<DraftResult> {
    const lint = await this.analysis.lint(row.raw);
    const counts = await this.openCounts(processId);
    let diff: DefinitionDiff | undefined;
    if (lint.ok && lint.definition) {
      const latest = await this.store.latest(processId);
      if (latest) diff = await this.analysis.diff(latest.definition, lint.definition);
    }
    return { draft: this.info(row, counts), ok: lint.ok, problems: lint.problems, warnings: lint.warnings, ...(diff && { diff }) };
  }

  /** Lints the draft of a process. */
  async validateDraft(processId: string): Promise<DraftResult> {
    return this.describeDraft(processId, await this.version(processId, 'draft'));
  }

  /** Removes the draft of a process. */
  async discardDraft(actor: Actor, processId: string): Promise<void> {
    requireOwner(actor, 'edit process definitions');
    await this.version(processId, 'draft');
    await this.store.discardDraft(processId);
  }

  /** Changes one parameter's value in the draft (started from the latest published version when there is none). */
  async setParameter(actor: Actor, processId: string, name: string, value: string | number | boolean): Promise<DraftResult> {
    requireOwner(actor, 'edit process definitions');
    const rows = await this.requireProcess(processId);
    const base = rows.find((r) => r.status === 'draft') ?? (await this.version(processId, 'latest'));
    const raw = structuredClone(base.raw) as Record<string, any>;
    const params = (raw.parameters ?? {}) as Record<
      string,
      { type?: string; minimum?: number; maximum?: number; enum?: string[]; default?: unknown }
    >;
    const spec = ownValue(params, name);
    if (!spec) {
      const known = Object.keys(params);
      throw new DocketError(
        'UnknownParameter',
        `process "${processId}" has no parameter "${name}"${didYouMean(name, known)}; its parameters are ${known.join(', ') || 'none'}`,
      );
    }
    const parsed = parseParameter(name, spec, value);
    params[name] = { ...spec, default: parsed };
    raw.parameters = params;
    const row = await this.store.saveDraft(processId, raw, actor.userId);
    return this.describeDraft(processId, row);
  }

  /** Open cases the publication of `next` concerns: per state of the replaced version, and those in states `next` removes. */
  async impact(processId: string, next: Definition, newVersion: number): Promise<Impact> {
    const latest = await this.store.latest(processId);
    const open = await this.opts.cases.listCases({ processId, status: 'open' });
    const states = outlineDefinition(next).states;
    const replaced = latest?.version ?? null;
    const byState = new Map<string, number>();
    const older = new Map<number, number>();
    for (const c of open) {
      if (c.definitionVersion === replaced) byState.set(c.state, (byState.get(c.state) ?? 0) + 1);
      else older.set(c.definitionVersion, (older.get(c.definitionVersion) ?? 0) + 1);
    }
    return {
      processId,
      replacedVersion: replaced,
      newVersion,
      byState: [...byState].map(([state, count]) => ({ state, count })).sort((a, b) => a.state.localeCompare(b.state)),
      inRemovedStates: open
        .filter((c) => c.state.split(',').some((leaf) => !states.has(leaf)))
        .map((c) => ({ caseId: c.caseId, version: c.definitionVersion, state: c.state })),
      olderVersions: [...older].map(([version, count]) => ({ version, count })).sort((a, b) => a.version - b.version),
    };
  }

  /** Publishes the draft when it passes the linter; with `dryRun`, only shows the impact. New cases start on it at once. */
  async publish(actor: Actor, processId: string, options: { dryRun?: boolean } = {}): Promise<PublishResult> {
    requireOwner(actor, 'publish process definitions');
    const { row, definition } = await this.definition(processId, 'draft');
    const latest = await this.store.latest(processId);
    const impact = await this.impact(processId, definition, row.version);
    const diff = latest ? await this.analysis.diff(latest.definition, definition) : undefined;
    if (options.dryRun) return { impact, ...(diff && { diff }), dryRun: true };
    const published = await this.store.publishDraft(processId, row.hash, actor.userId);
    if (!published)
      throw new DocketError('NoDraft', `the draft of "${processId}" changed while it was being published; check it and publish again`);
    return { published: this.info(published, await this.openCounts(processId)), impact, ...(diff && { diff }), dryRun: false };
  }

  /** What changed between two versions of a process. */
  async diff(processId: string, from: VersionRef, to: VersionRef): Promise<DefinitionDiff> {
    const a = await this.definition(processId, from);
    const b = await this.definition(processId, to);
    return this.analysis.diff(a.definition, b.definition);
  }

  /** A picture of one version: Mermaid text or an SVG document. */
  async diagram(processId: string, ref: VersionRef, format: 'svg' | 'mermaid'): Promise<string> {
    const { definition } = await this.definition(processId, ref);
    return format === 'svg' ? svgDiagram(definition) : mermaidDiagram(definition);
  }
}

function parseParameter(
  name: string,
  spec: { type?: string; minimum?: number; maximum?: number; enum?: string[] },
  value: string | number | boolean,
): string | number | boolean {
  let parsed: string | number | boolean = value;
  if (spec.type === 'number' || spec.type === 'integer') {
    parsed = typeof value === 'number' ? value : Number(String(value).trim());
    if (typeof value === 'string' && value.trim() === '') parsed = NaN;
    if (!Number.isFinite(parsed)) throw new DocketError('ValidationError', `parameter ${name} is a number; got "${String(value)}"`);
    if (spec.type === 'integer' && !Number.isInteger(parsed))
      throw new DocketError('ValidationError', `parameter ${name} is a whole number; got ${parsed}`);
    if (spec.minimum !== undefined && parsed < spec.minimum)
      throw new DocketError('ValidationError', `parameter ${name} must be at least ${spec.minimum}; got ${parsed}`);
    if (spec.maximum !== undefined && parsed > spec.maximum)
      throw new DocketError('ValidationError', `parameter ${name} must be at most ${spec.maximum}; got ${parsed}`);
  } else if (spec.type === 'boolean') {
    if (value === true || value === 'true') parsed = true;
    else if (value === false || value === 'false') parsed = false;
    else throw new DocketError('ValidationError', `parameter ${name} is true or false; got "${String(value)}"`);
  } else {
    parsed = String(value);
    if (spec.enum !== undefined && !spec.enum.includes(parsed))
      throw new DocketError('ValidationError', `parameter ${name} is one of ${spec.enum.join(', ')}; got "${parsed}"`);
  }
  return parsed;
}
