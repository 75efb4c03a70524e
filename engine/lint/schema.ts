import { z } from 'zod';
import { definitionSchema, PAYLOAD_FIELD_DOC } from '../definition-schema';
import { asList, isObject, joinPath } from '../json-data';
import { ownValue } from '../own';
import { didYouMean } from '../suggest';
import type { LintProblem } from './types';
import { didYouMeanZh } from './zh';

const GUARD_OPERATORS = 'gt, gte, lt, lte, eq, neq, before, after, truthy, includes, some, every, and, or, not, guard';

function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}

let formatSchema: Record<string, unknown> | undefined;

/** The field names the definition format allows in the object at `path` (from its JSON Schema). */
function knownFields(path: readonly PropertyKey[]): string[] {
  formatSchema ??= definitionJsonSchema() as Record<string, unknown>;
  const root = formatSchema;
  const expand = (node: unknown, seen = 0): Array<Record<string, unknown>> => {
    if (!isObject(node) || seen > 20) return [];
    if (typeof node.$ref === 'string') {
      if (node.$ref === '#') return expand(root, seen + 1);
      const name = node.$ref.replace(/^#\/\$defs\//, '');
      const defs = isObject(root.$defs) ? root.$defs : {};
      return expand(ownValue(defs, name), seen + 1);
    }
    const branches = [...asList(node.anyOf as unknown[]), ...asList(node.oneOf as unknown[]), ...asList(node.allOf as unknown[])];
    return [node, ...branches.flatMap((b) => expand(b, seen + 1))];
  };
  let nodes = expand(root);
  for (const key of path) {
    nodes = nodes.flatMap((n) => {
      const props = isObject(n.properties) ? n.properties : {};
      if (typeof key === 'string' && Object.hasOwn(props, key)) return expand(props[key]);
      if (typeof key === 'number') return expand(n.items);
      return isObject(n.additionalProperties) ? expand(n.additionalProperties) : [];
    });
  }
  return [...new Set(nodes.flatMap((n) => (isObject(n.properties) ? Object.keys(n.properties) : [])))];
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let v = raw;
  for (const key of path) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, key)) return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

const TYPE_ZH: Record<string, string> = {
  array: '列表',
  record: '对象',
  object: '对象',
  string: '字符串',
  number: '数字',
  boolean: '布尔值',
};

function describeJsonZh(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return '列表';
  if (typeof value === 'object') return '对象';
  return `${TYPE_ZH[typeof value] ?? typeof value} ${JSON.stringify(value)}`;
}

/** A zod issue as lint problems, each saying what to change. */
export function schemaProblems(issue: z.core.$ZodIssue, raw: unknown): LintProblem[] {
  const path = issue.path.reduce<string>((p, k) => (typeof k === 'number' ? `${p}[${k}]` : joinPath(p, String(k))), '');
  const at = path || '(file)';
  const problem = (message: string, messageZh: string, where = at): LintProblem => ({ code: 'schema', path: where, message, messageZh });
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownFields(issue.path);
      return issue.keys.map((key) =>
        problem(
          `unknown field "${key}"${known.length ? didYouMean(key, known) : ''} — remove it or check its spelling`,
          `未知字段 "${key}"${known.length ? didYouMeanZh(key, known) : ''}——请删除它或检查拼写`,
          joinPath(path, key),
        ),
      );
    }
    case 'invalid_type': {
      const value = valueAt(raw, issue.path);
      const key = issue.path.length ? String(issue.path[issue.path.length - 1]) : 'the file';
      const expectedZh = TYPE_ZH[issue.expected] ?? issue.expected;
      return [
        value === undefined
          ? problem(`"${key}" is missing — add it (expected ${issue.expected})`, `缺少 "${key}"——请添加（应为${expectedZh}）`)
          : problem(
              `expected ${issue.expected}, got ${describeJson(value)} — change it to ${issue.expected === 'array' ? 'a list' : issue.expected === 'record' || issue.expected === 'object' ? 'an object' : `a ${issue.expected}`}`,
              `应为${expectedZh}，实际是${describeJsonZh(value)}——请改为${expectedZh}`,
            ),
      ];
    }
    case 'invalid_union':
      if (issue.path[0] === 'guards') {
        return [
          problem(
            `not a guard expression — write an object with exactly one of ${GUARD_OPERATORS}`,
            `不是条件表达式——请写一个只含 ${GUARD_OPERATORS} 之一的对象`,
          ),
        ];
      }
      if (issue.path[0] === 'actions' && ['set', 'value', 'data'].includes(String(issue.path[2]))) {
        return [
          problem(
            `not a value — write a path (data.…, context.…, param.…, actor.…, now), a number, true/false, null or { "value": … }`,
            `不是值——请写路径（data.…、context.…、param.…、actor.…、now）、数字、true/false、null 或 { "value": … }`,
          ),
        ];
      }
      if (issue.message !== 'Invalid input') return [problem(issue.message, `定义格式不符：${issue.message}`)];
      return [
        problem(
          'not a valid value here — check it against the definition format (definitions/definition.schema.json)',
          '此处的值无效——请对照定义格式检查（definitions/definition.schema.json）',
        ),
      ];
    default:
      return [problem(issue.message, `定义格式不符：${issue.message}`)];
  }
}

/** The JSON Schema of the definition file format, for editors. */
export function definitionJsonSchema(): unknown {
  const schema = z.toJSONSchema(definitionSchema, { io: 'input', unrepresentable: 'any' });
  // The payload schemas' field annotations, which zod leaves unchecked, for editors.
  return { ...schema, $defs: { ...schema.$defs, PayloadField: PAYLOAD_FIELD_DOC } };
}
