import { Validator } from '@cfworker/json-schema';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { definitionJsonSchema, formatProblems, lintDefinition } from '../../engine/lint';

const DIR = join(__dirname, '..', '..', 'definitions');
const SCHEMA_FILE = join(DIR, 'definition.schema.json');
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json'))
  .sort();

const readJson = (file: string): Record<string, unknown> => JSON.parse(readFileSync(join(DIR, file), 'utf8')) as Record<string, unknown>;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Dotted paths of every state of a machine config, read from the file itself. */
function statePaths(node: Record<string, unknown>, prefix = ''): string[] {
  const states = isObject(node.states) ? node.states : {};
  return Object.entries(states).flatMap(([key, child]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return [path, ...statePaths(isObject(child) ? child : {}, path)];
  });
}

/** What is wrong with a pair of labels, or null when both languages are there. */
function labelProblem(labels: unknown): string | null {
  if (!isObject(labels)) return 'no labels';
  const en = labels.en;
  const zh = labels['zh-CN'];
  if (typeof en !== 'string' || en.trim() === '') return 'no en label';
  if (typeof zh !== 'string' || zh.trim() === '') return 'no zh-CN label';
  if (!/[\u3400-\u9fff]/.test(zh)) return `zh-CN label ${JSON.stringify(zh)} has no Chinese in it`;
  return null;
}

test('there are definition files to check', () => {
  expect(files).toContain('complaint.json');
});

describe.each(files)('definitions/%s', (file) => {
  const raw = readJson(file);

  it('lints clean', () => {
    const result = lintDefinition(raw);
    expect(formatProblems(result.problems)).toBe('');
    expect(result.ok).toBe(true);
  });

  it('names its process after the file', () => {
    expect(raw.process).toBe(basename(file, '.json'));
  });

  it('has en and zh-CN labels for the process, every state and every event', () => {
    const problems: string[] = [];
    const check = (what: string, labels: unknown) => {
      const problem = labelProblem(labels);
      if (problem) problems.push(`${what}: ${problem}`);
    };
    check('labels', raw.labels);
    const stateLabels = isObject(raw.stateLabels) ? raw.stateLabels : {};
    const states = statePaths(isObject(raw.machine) ? raw.machine : {});
    expect(states.length).toBeGreaterThan(0);
    for (const state of states) check(`stateLabels.${state}`, stateLabels[state]);
    const events = isObject(raw.events) ? raw.events : {};
    expect(Object.keys(events).length).toBeGreaterThan(0);
    for (const [name, event] of Object.entries(events)) check(`events.${name}.labels`, isObject(event) ? event.labels : undefined);
    for (const [name, param] of Object.entries(isObject(raw.parameters) ? raw.parameters : {}))
      check(`parameters.${name}.labels`, isObject(param) ? param.labels : undefined);
    expect(problems).toEqual([]);
  });

  it('has parameter defaults of the declared type, within the declared bounds', () => {
    const problems: string[] = [];
    for (const [name, spec] of Object.entries(isObject(raw.parameters) ? raw.parameters : {})) {
      if (!isObject(spec)) {
        problems.push(`${name}: not an object`);
        continue;
      }
      const value = spec.default;
      const typeOk =
        (spec.type === 'number' && typeof value === 'number' && Number.isFinite(value)) ||
        (spec.type === 'integer' && Number.isInteger(value)) ||
        (spec.type === 'string' && typeof value === 'string') ||
        (spec.type === 'boolean' && typeof value === 'boolean');
      if (!typeOk) problems.push(`${name}: default ${JSON.stringify(value)} is not a ${String(spec.type)}`);
      if (typeof value === 'number' && typeof spec.minimum === 'number' && value < spec.minimum)
        problems.push(`${name}: default below minimum`);
      if (typeof value === 'number' && typeof spec.maximum === 'number' && value > spec.maximum)
        problems.push(`${name}: default above maximum`);
    }
    expect(problems).toEqual([]);
  });

  it('validates against definitions/definition.schema.json', () => {
    const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as Record<string, unknown>;
    const result = new Validator(schema, '2020-12', false).validate(raw);
    expect(result.errors.map((e) => `${e.instanceLocation}: ${e.error}`)).toEqual([]);
    expect(result.valid).toBe(true);
  });
});

test('definitions/definition.schema.json is up to date with the definition format', () => {
  const fresh = JSON.stringify(definitionJsonSchema(), null, 2) + '\n';
  const onDisk = existsSync(SCHEMA_FILE) ? readFileSync(SCHEMA_FILE, 'utf8') : undefined;
  if (onDisk !== fresh) {
    throw new Error(
      `definitions/definition.schema.json is ${onDisk === undefined ? 'missing' : 'stale'}: run \`npx tsx scripts/write-definition-schema.ts\` and commit the result`,
    );
  }
});

test('the JSON Schema rejects what the linter rejects as a schema error', () => {
  const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as Record<string, unknown>;
  const broken = readJson('complaint.json');
  delete broken.version;
  (broken.events as Record<string, Record<string, unknown>>).ACCEPT!.rolse = [];
  const result = new Validator(schema, '2020-12', false).validate(broken);
  expect(result.valid).toBe(false);
  expect(lintDefinition(broken).problems.map((p) => [p.code, p.path])).toEqual([
    ['schema', 'version'],
    ['schema', 'events.ACCEPT.rolse'],
  ]);
});
