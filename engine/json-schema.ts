import { Validator, type OutputUnit } from '@cfworker/json-schema';
import { describeIssues, toIssues } from './refusals';

/** One problem with a value: where (`list.0.k`, '' for the value itself) and what, in words. */
export interface SchemaIssue {
  path: Array<string | number>;
  message: string;
}

export type SchemaCheck = { success: true } | { success: false; error: { issues: SchemaIssue[]; message: string } };

/** Checks values against one JSON Schema. */
export interface SchemaValidator {
  safeParse(value: unknown): SchemaCheck;
}

/** Keywords whose errors only say that something below them failed; the failure below is reported instead. */
const WRAPPERS = new Set([
  'properties',
  'items',
  'prefixItems',
  'additionalProperties',
  'allOf',
  '$ref',
  'dependentSchemas',
  'unevaluatedProperties',
]);

const FORMAT_EXAMPLES: Record<string, string> = {
  'date-time': '2026-12-01T10:00:00+08:00',
  date: '2026-12-01',
  time: '10:00:00+08:00',
  email: 'name@example.com',
  uri: 'https://example.com/a',
  uuid: '123e4567-e89b-12d3-a456-426614174000',
};

function pointerPath(location: string): Array<string | number> {
  return location
    .replace(/^#\/?/, '')
    .split('/')
    .filter((p) => p !== '')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

/**
 * The words a schema gives for a failed keyword: `"x-messages": { "minLength": "give a comment" }` on
 * the subschema that holds the keyword (a Docket extension; validators ignore unknown keywords).
 */
function ownMessage(schema: Record<string, unknown>, unit: OutputUnit): string | undefined {
  let node: unknown = schema;
  for (const key of pointerPath(unit.keywordLocation).slice(0, -1)) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  const messages = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)['x-messages'] : undefined;
  if (messages === null || typeof messages !== 'object' || !Object.hasOwn(messages, unit.keyword)) return undefined;
  const message = (messages as Record<string, unknown>)[unit.keyword];
  return typeof message === 'string' ? message : undefined;
}

function toIssue(unit: OutputUnit, schema: Record<string, unknown>): SchemaIssue | undefined {
  if (WRAPPERS.has(unit.keyword)) return undefined;
  const path = pointerPath(unit.instanceLocation);
  const own = ownMessage(schema, unit);
  if (own !== undefined) return { path, message: own };
  if (unit.keyword === 'required') {
    const field = /"(.*)"/.exec(unit.error)?.[1];
    return field === undefined ? { path, message: unit.error } : { path: [...path, field], message: 'is required' };
  }
  if (unit.keyword === 'false')
    return { path, message: `unknown field ${JSON.stringify(String(path.at(-1) ?? ''))} — remove it or check its spelling` };
  const format = /does not match format "(.*)"/.exec(unit.error)?.[1];
  if (unit.keyword === 'format' && format !== undefined)
    return { path, message: `is not a valid ${format}${FORMAT_EXAMPLES[format] ? ` (e.g. ${FORMAT_EXAMPLES[format]})` : ''}` };
  const type = /Instance type "(.*)" is invalid\. Expected "(.*)"\./.exec(unit.error);
  if (type) return { path, message: `expected ${type[2]}, received ${type[1]}` };
  return { path, message: unit.error.replace(/^Instance /, 'value ').replace(/\.$/, '') };
}

/**
 * A JSON Schema validator (draft 2020-12) that lists every problem. It is small and keeps no shared
 * mutable state, so each case workflow can load it cheaply: payloads are checked in Update validators.
 */
export function jsonSchemaValidator(schema: Record<string, unknown>): SchemaValidator {
  const validator = new Validator(schema, '2020-12', false);
  return {
    safeParse(value) {
      const result = validator.validate(value);
      if (result.valid) return { success: true };
      const issues = result.errors.map((unit) => toIssue(unit, schema)).filter((i): i is SchemaIssue => i !== undefined);
      if (issues.length === 0) issues.push({ path: [], message: result.errors[0]?.error ?? 'does not match its schema' });
      return { success: false, error: { issues, message: describeIssues(toIssues(issues)) } };
    },
  };
}
