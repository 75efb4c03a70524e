import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DocketError } from '../client/docket-client';
import type { DraftResult, Impact, VersionInfo, VersionRef } from '../client/lifecycle';
import { formatDiff } from '../engine/definition-diff';
import type { PublishedDefinition } from '../ports';
import { describeDelay } from '../engine/definition-outline';
import { isObject } from '../engine/json-data';
import { lintDefinition } from '../engine/lint';
import { walkMachine } from '../engine/machine-walker';
import { ROLES } from '../engine/roles';
import { didYouMean } from '../engine/suggest';
import { readArgumentFile, readJsonObject } from './args';
import type { CliContext } from './context';
import { EXIT_OK, EXIT_REFUSED, invalidArgument } from './errors';
import { bothLabels, keyValues, table, truncate } from './format';
import { ownValue } from '../engine/own';

/** The options of commands that only read: `--as` picks the role to read in. */
export interface ReadOptions {
  as?: string;
}

export async function listDefinitionsCommand(ctx: CliContext, opts: ReadOptions = {}): Promise<number> {
  const [list, where] = await ctx.withPublishedDefinitions(
    async (source, where) => [await source.list(), where] as const,
    ctx.readRole(opts.as),
  );
  ctx.print(
    list.map((d) => ({ processId: d.processId, version: d.version, hash: d.hash, labels: d.definition.labels })),
    () =>
      list.length === 0
        ? `no definitions in ${where}\n`
        : table(
            ['PROCESS', 'VERSION', 'HASH', 'LABEL (en)', 'LABEL (zh-CN)'],
            list.map((d) => [d.processId, `v${d.version}`, d.hash.slice(0, 12), d.definition.labels.en, d.definition.labels['zh-CN']]),
            '',
          ),
  );
  return EXIT_OK;
}

export async function showDefinitionCommand(ctx: CliContext, processId: string, opts: ReadOptions = {}): Promise<number> {
  const published = await ctx.withPublishedDefinitions(async (source) => {
    const found = await source.latest(processId);
    if (!found) {
      const known = (await source.list()).map((d) => d.processId);
      throw new DocketError('UnknownProcess', `no process "${processId}"${didYouMean(processId, known)}`);
    }
    return found;
  }, ctx.readRole(opts.as));
  ctx.print(published.raw, () => formatDefinition(published));
  return EXIT_OK;
}

interface StateRow {
  path: string;
  notes: string[];
  on: string[];
  after: string[];
}

/** Every state of the machine, depth first, with what it reacts to. */
function stateRows(def: PublishedDefinition['definition']): StateRow[] {
  const walk = walkMachine(def.machine, def.process);
  const rows: StateRow[] = [];
  for (const node of walk.nodes.slice(1)) {
    const notes: string[] = [];
    if (node.isInitial) notes.push('initial');
    if (node.kind === 'final') notes.push('final');
    if (node.kind === 'parallel') notes.push('parallel');
    const on = [...node.events];
    if (node.config.always !== undefined) on.push('(always)');
    rows.push({ path: node.path, notes, on, after: node.delays });
  }
  return rows;
}

export { describeDelay };

function payloadFields(payload: Record<string, unknown> | undefined): string {
  if (!payload || !isObject(payload.properties)) return '';
  const required = new Set(Array.isArray(payload.required) ? payload.required : []);
  return Object.keys(payload.properties)
    .map((k) => (required.has(k) ? `${k}*` : k))
    .join(', ');
}

function roleList(roles: string[]): string {
  return roles
    .map((r) => {
      const labels = ownValue(ROLES, r);
      return labels ? `${r} (${labels.en} / ${labels['zh-CN']})` : r;
    })
    .join(', ');
}

export function formatDefinition(published: PublishedDefinition): string {
  const def = published.definition;
  let out = `${def.process} v${def.version} · ${bothLabels(def.labels)}\n`;
  if (def.description) out += `${def.description}\n`;
  out += '\n';
  out += keyValues([
    ['Hash', published.hash],
    ['Started by', roleList(def.startedBy)],
    ['Customer field', def.customerField],
    ['Input', payloadFields(def.input) || '(any)'],
  ]);

  const rows = stateRows(def);
  out += '\nStates\n';
  out += table(
    ['STATE', 'LABEL', '', 'EVENTS', 'DEADLINES'],
    rows.map((r) => [r.path, bothLabels(ownValue(def.stateLabels, r.path)), r.notes.join(', '), r.on.join(', '), r.after.join(', ')]),
  );
  const anywhere = isObject(def.machine.on) ? Object.keys(def.machine.on) : [];
  if (anywhere.length) out += `  In any state: ${anywhere.join(', ')}\n`;

  out += '\nEvents (* = required data)\n';
  out += table(
    ['EVENT', 'LABEL', 'ROLES', 'DATA'],
    Object.entries(def.events).map(([name, e]) => [name, bothLabels(e.labels), e.roles.join(', '), truncate(payloadFields(e.payload), 70)]),
  );

  const params = Object.entries(def.parameters);
  out += '\nParameters\n';
  out += params.length
    ? table(
        ['NAME', 'DEFAULT', 'UNIT', 'LABEL'],
        params.map(([name, p]) => [name, String(p.default), p.unit ?? '', bothLabels(p.labels)]),
      )
    : '  (none)\n';

  const delays = Object.entries(def.delays);
  out += '\nDelays\n';
  out += delays.length
    ? table(
        ['NAME', 'LABEL', 'FIRES'],
        delays.map(([name, d]) => [name, bothLabels(d.labels), describeDelay(d, def)]),
      )
    : '  (none)\n';
  return out;
}

/** Lints a definition file: problems are printed as `path: message`; exit 0 when clean, 2 otherwise. */
export async function validateDefinitionCommand(ctx: CliContext, file: string, opts: ReadOptions = {}): Promise<number> {
  // A bare process name (no such file) means its stored draft.
  if (PROCESS_NAME.test(file) && !existsSync(path.resolve(ctx.cwd, file))) return validateDraftCommand(ctx, file, opts);
  const text = readArgumentFile(file, 'definitions validate', ctx.cwd);
  let problems: Problem[];
  let warnings: Problem[] = [];
  let summary: { process: string; version: number } | undefined;
  try {
    const result = lintDefinition(JSON.parse(text));
    problems = result.problems;
    warnings = result.warnings;
    if (result.ok && result.definition) summary = { process: result.definition.process, version: result.definition.version };
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    problems = [
      { code: 'invalid-json', path: '(file)', message: `invalid JSON: ${err.message}`, messageZh: `不是有效的 JSON：${err.message}` },
    ];
  }
  const ok = problems.length === 0;
  const shown = file;
  const lang = ctx.lang();
  ctx.print({ file: shown, ok, ...(summary && summary), problems, warnings }, () => {
    const verdict = ok
      ? `${shown}: OK${summary ? ` (${summary.process} v${summary.version})` : ''}\n`
      : `${shown}: ${countText(problems.length, 'problem', lang)}\n${problemLines(problems, lang)}\n`;
    return `${verdict}${warningText(warnings, lang)}`;
  });
  return ok ? EXIT_OK : EXIT_REFUSED;
}

const PROCESS_NAME = /^[a-z][a-z0-9_]*$/;

/** `3`, `v3`, `draft` or `latest`. */
export function parseVersionRef(text: string, option = 'version'): VersionRef {
  const t = text.trim().toLowerCase();
  if (t === 'draft' || t === 'latest') return t;
  const n = Number(t.replace(/^v/, ''));
  if (!Number.isInteger(n) || n < 1) throw invalidArgument(`${option}: "${text}" is not a version: write a number (2), draft or latest`);
  return n;
}

/** A problem as the CLI prints it (the linter's, or the file's JSON syntax). */
type Problem = Omit<DraftResult['problems'][number], 'code'> & { code: string };
type Lang = 'en' | 'zh-CN';

function problemLines(problems: Problem[], lang: Lang): string {
  return problems.map((p) => `  ${p.path || '(root)'}: ${lang === 'zh-CN' ? p.messageZh : p.message}`).join('\n');
}

/** `3 problems` / `3 个问题`. */
function countText(n: number, what: 'problem' | 'warning', lang: Lang): string {
  if (lang === 'zh-CN') return `${n} 个${what === 'problem' ? '问题' : '警告'}`;
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

/** The linter's warnings (they do not stop publishing), or nothing. */
function warningText(warnings: Problem[], lang: Lang): string {
  if (warnings.length === 0) return '';
  const head = lang === 'zh-CN' ? '（不影响发布）' : ' (they do not stop publishing)';
  return `${countText(warnings.length, 'warning', lang)}${head}:\n${problemLines(warnings, lang)}\n`;
}

function draftText(r: DraftResult, lang: Lang): string {
  let out = `${r.draft.processId} draft v${r.draft.version} saved by ${r.draft.createdBy} (hash ${r.draft.hash.slice(0, 12)})\n`;
  out += r.ok
    ? lang === 'zh-CN'
      ? '检查：通过，可以发布。\n'
      : 'Linter: OK, it can be published.\n'
    : lang === 'zh-CN'
      ? `检查：${countText(r.problems.length, 'problem', lang)}，发布前请修正：\n${problemLines(r.problems, lang)}\n`
      : `Linter: ${countText(r.problems.length, 'problem', lang)}; fix them before publishing:\n${problemLines(r.problems, lang)}\n`;
  out += warningText(r.warnings, lang);
  if (r.diff) out += `\n${formatDiff(r.diff, lang)}`;
  return out;
}

export interface OwnerOptions {
  as: string;
}

export async function draftCommand(
  ctx: CliContext,
  processId: string,
  file: string,
  opts: OwnerOptions & { version?: string },
): Promise<number> {
  const actor = ctx.actor(opts.as);
  if (!file.startsWith('@')) throw invalidArgument(`definitions draft: give the definition file as @file.json, got "${file}"`);
  const raw = readJsonObject(file, 'definitions draft', ctx.cwd);
  const version = opts.version === undefined ? undefined : parseVersionRef(opts.version, '--version');
  if (typeof version === 'string') throw invalidArgument('--version: name a version number');
  const result = await ctx.withLifecycle((l) => l.saveDraft(actor, processId, raw, version === undefined ? {} : { version }));
  ctx.print(result, () => draftText(result, ctx.lang()));
  return EXIT_OK;
}

export async function validateDraftCommand(ctx: CliContext, processId: string, opts: ReadOptions = {}): Promise<number> {
  const result = await ctx.withLifecycle((l) => l.validateDraft(processId), ctx.readRole(opts.as));
  const lang = ctx.lang();
  ctx.print(
    {
      process: processId,
      version: result.draft.version,
      ok: result.ok,
      problems: result.problems,
      warnings: result.warnings,
      ...(result.diff && { diff: result.diff }),
    },
    () =>
      result.ok
        ? `${processId} draft v${result.draft.version}: OK\n${warningText(result.warnings, lang)}${result.diff ? `\n${formatDiff(result.diff, lang)}` : ''}`
        : `${processId} draft v${result.draft.version}: ${countText(result.problems.length, 'problem', lang)}\n${problemLines(result.problems, lang)}\n${warningText(result.warnings, lang)}`,
  );
  return result.ok ? EXIT_OK : EXIT_REFUSED;
}

export async function setParamCommand(
  ctx: CliContext,
  processId: string,
  name: string,
  value: string,
  opts: OwnerOptions,
): Promise<number> {
  const actor = ctx.actor(opts.as);
  const result = await ctx.withLifecycle((l) => l.setParameter(actor, processId, name, value));
  ctx.print(result, () => draftText(result, ctx.lang()));
  return EXIT_OK;
}

export async function discardDraftCommand(ctx: CliContext, processId: string, opts: OwnerOptions): Promise<number> {
  const actor = ctx.actor(opts.as);
  await ctx.withLifecycle((l) => l.discardDraft(actor, processId));
  ctx.print({ process: processId, discarded: true }, () => `${processId}: draft discarded\n`);
  return EXIT_OK;
}

export function impactText(impact: Impact): string {
  const total = impact.byState.reduce((n, s) => n + s.count, 0);
  let out = impact.replacedVersion === null ? '' : `Open cases on v${impact.replacedVersion} (the version being replaced): ${total}\n`;
  if (impact.byState.length)
    out += table(
      ['STATE', 'CASES'],
      impact.byState.map((s) => [s.state, String(s.count)]),
    );
  if (impact.olderVersions.length)
    out += `Open cases on older versions: ${impact.olderVersions.map((v) => `v${v.version}: ${v.count}`).join(', ')}\n`;
  if (impact.inRemovedStates.length) {
    out += `Open cases in states v${impact.newVersion} removes (they finish on their version, or migrate with --map):\n`;
    out += table(
      ['CASE', 'VERSION', 'STATE'],
      impact.inRemovedStates.map((c) => [c.caseId, `v${c.version}`, c.state]),
    );
  } else out += `No open case is in a state v${impact.newVersion} removes.\n`;
  out += 'Open cases keep running on their version; new cases start on the new one.\n';
  return out;
}

export async function publishCommand(ctx: CliContext, processId: string, opts: OwnerOptions & { dryRun?: boolean }): Promise<number> {
  const actor = ctx.actor(opts.as);
  const result = await ctx.withLifecycle((l) => l.publish(actor, processId, { dryRun: opts.dryRun === true }));
  ctx.print(result, () => {
    let out = result.diff ? `${formatDiff(result.diff, ctx.lang())}\n` : '';
    out += impactText(result.impact);
    if (result.published) {
      out += `\nPublished ${processId} v${result.published.version} (hash ${result.published.hash.slice(0, 12)}) by ${result.published.publishedBy} at ${result.published.publishedAt}.\n`;
    } else out += `\nDry run: nothing published. Run again without --dry-run to publish v${result.impact.newVersion}.\n`;
    return out;
  });
  return EXIT_OK;
}

export async function versionsCommand(ctx: CliContext, processId: string, opts: ReadOptions = {}): Promise<number> {
  const versions: VersionInfo[] = await ctx.withLifecycle((l) => l.versions(processId), ctx.readRole(opts.as));
  ctx.print(versions, () =>
    table(
      ['VERSION', 'STATUS', 'HASH', 'CREATED', 'PUBLISHED', 'OPEN CASES'],
      versions.map((v) => [
        `v${v.version}`,
        v.status,
        v.hash.slice(0, 12),
        `${v.createdAt.slice(0, 16).replace('T', ' ')} ${v.createdBy}`,
        v.publishedAt ? `${v.publishedAt.slice(0, 16).replace('T', ' ')} ${v.publishedBy ?? ''}` : '',
        String(v.openCases),
      ]),
      '',
    ),
  );
  return EXIT_OK;
}

export async function diffCommand(ctx: CliContext, processId: string, from: string, to: string, opts: ReadOptions = {}): Promise<number> {
  const a = parseVersionRef(from, 'diff');
  const b = parseVersionRef(to, 'diff');
  const diff = await ctx.withLifecycle((l) => l.diff(processId, a, b), ctx.readRole(opts.as));
  ctx.print(diff, () => formatDiff(diff, ctx.lang()));
  return EXIT_OK;
}

export async function diagramCommand(
  ctx: CliContext,
  processId: string,
  opts: ReadOptions & { version?: string; format?: string; out?: string },
): Promise<number> {
  const format = opts.format ?? 'mermaid';
  if (format !== 'svg' && format !== 'mermaid') throw invalidArgument(`--format: "${format}" is not svg or mermaid`);
  const ref = opts.version === undefined ? 'latest' : parseVersionRef(opts.version, '--version');
  const text = await ctx.withLifecycle((l) => l.diagram(processId, ref, format), ctx.readRole(opts.as));
  if (opts.out) {
    writeFileSync(path.resolve(ctx.cwd, opts.out), text);
    ctx.print({ process: processId, format, file: opts.out }, () => `wrote ${opts.out}\n`);
  } else ctx.print({ process: processId, format, diagram: text }, () => text);
  return EXIT_OK;
}
