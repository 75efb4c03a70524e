import { DocketError } from '../client/docket-client';
import type { PublishedDefinition } from '../client/definitions';
import type { Definition, DelaySpec, NumberRef } from '../engine/definition-schema';
import { lintDefinition } from '../engine/lint';
import { ROLES } from '../engine/roles';
import { didYouMean } from '../engine/suggest';
import { readArgumentFile } from './args';
import type { CliContext } from './context';
import { EXIT_OK, EXIT_REFUSED } from './errors';
import { bothLabels, keyValues, table, truncate } from './format';

export async function listDefinitionsCommand(ctx: CliContext): Promise<number> {
  const list = await ctx.definitions().list();
  ctx.print(
    list.map((d) => ({ processId: d.processId, version: d.version, hash: d.hash, labels: d.definition.labels })),
    () =>
      list.length === 0
        ? `no definitions in ${ctx.config().definitionsDir}\n`
        : table(
            ['PROCESS', 'VERSION', 'HASH', 'LABEL (en)', 'LABEL (zh-CN)'],
            list.map((d) => [d.processId, `v${d.version}`, d.hash.slice(0, 12), d.definition.labels.en, d.definition.labels['zh-CN']]),
            '',
          ),
  );
  return EXIT_OK;
}

export async function showDefinitionCommand(ctx: CliContext, processId: string): Promise<number> {
  const source = ctx.definitions();
  const published = await source.latest(processId);
  if (!published) {
    const known = (await source.list()).map((d) => d.processId);
    throw new DocketError('UnknownProcess', `no process "${processId}"${didYouMean(processId, known)}`);
  }
  ctx.print(published.raw, () => formatDefinition(published));
  return EXIT_OK;
}

interface StateRow {
  path: string;
  notes: string[];
  on: string[];
  after: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every state of the machine, depth first, with what it reacts to. */
function walkStates(states: Record<string, unknown>, parent: string, initial: string | undefined, out: StateRow[]): void {
  for (const [key, raw] of Object.entries(states)) {
    const config = isObject(raw) ? raw : {};
    const statePath = parent ? `${parent}.${key}` : key;
    const notes: string[] = [];
    if (key === initial) notes.push('initial');
    if (config.type === 'final') notes.push('final');
    if (config.type === 'parallel') notes.push('parallel');
    const on = isObject(config.on) ? Object.keys(config.on) : [];
    if (config.always !== undefined) on.push('(always)');
    const after = isObject(config.after) ? Object.keys(config.after) : [];
    out.push({ path: statePath, notes, on, after });
    if (isObject(config.states)) walkStates(config.states, statePath, typeof config.initial === 'string' ? config.initial : undefined, out);
  }
}

function numberText(n: NumberRef, def: Definition): string {
  if (typeof n === 'number') return String(n);
  const param = def.parameters[n.param];
  return param ? `${n.param} (${String(param.default)})` : n.param;
}

/** `acceptDays (1) business days after the state is entered`, `at context.promisedResponseBy`. */
export function describeDelay(delay: DelaySpec, def: Definition): string {
  const parts: string[] = [];
  if (delay.businessDays !== undefined) parts.push(`${numberText(delay.businessDays, def)} business days`);
  if (delay.businessHours !== undefined) parts.push(`${numberText(delay.businessHours, def)} business hours`);
  for (const [unit, n] of Object.entries(delay.duration ?? {})) if (n !== undefined) parts.push(`${numberText(n, def)} ${unit}`);
  const from = delay.from ?? 'the state is entered';
  if (parts.length === 0) return `at ${from}`;
  return `${parts.join(' + ')} ${delay.before ? 'before' : 'after'} ${from}`;
}

function payloadFields(payload: Record<string, unknown> | undefined): string {
  if (!payload || !isObject(payload.properties)) return '';
  const required = new Set(Array.isArray(payload.required) ? payload.required : []);
  return Object.keys(payload.properties)
    .map((k) => (required.has(k) ? `${k}*` : k))
    .join(', ');
}

function roleList(roles: string[]): string {
  return roles.map((r) => (ROLES[r] ? `${r} (${ROLES[r].en} / ${ROLES[r]['zh-CN']})` : r)).join(', ');
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

  const rows: StateRow[] = [];
  walkStates(def.machine.states, '', def.machine.initial, rows);
  out += '\nStates\n';
  out += table(
    ['STATE', 'LABEL', '', 'EVENTS', 'DEADLINES'],
    rows.map((r) => [r.path, bothLabels(def.stateLabels[r.path]), r.notes.join(', '), r.on.join(', '), r.after.join(', ')]),
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
export async function validateDefinitionCommand(ctx: CliContext, file: string): Promise<number> {
  const text = readArgumentFile(file, 'definitions validate', ctx.cwd);
  let problems: Array<{ code: string; path: string; message: string }>;
  let summary: { process: string; version: number } | undefined;
  try {
    const result = lintDefinition(JSON.parse(text));
    problems = result.problems;
    if (result.ok && result.definition) summary = { process: result.definition.process, version: result.definition.version };
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    problems = [{ code: 'invalid-json', path: '(file)', message: `invalid JSON: ${err.message}` }];
  }
  const ok = problems.length === 0;
  const shown = file;
  ctx.print({ file: shown, ok, ...(summary && summary), problems }, () => {
    if (ok) return `${shown}: OK${summary ? ` (${summary.process} v${summary.version})` : ''}\n`;
    const lines = problems.map((p) => `  ${p.path || '(root)'}: ${p.message}`);
    return `${shown}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n${lines.join('\n')}\n`;
  });
  return ok ? EXIT_OK : EXIT_REFUSED;
}
