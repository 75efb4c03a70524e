/**
 * What of a JSON value can be stored: PostgreSQL's `jsonb` and `text` refuse NUL
 * (U+0000) and unpaired UTF-16 surrogates, and JSON cannot carry NaN or Infinity.
 * Anything refused here would be accepted by Temporal and then fail the transition
 * log's insert for good, so every edge (API, CLI, client, workflow) checks it first.
 * Pure and deterministic: the workflow imports it.
 */
import type { Issue } from './refusals';

/** The deepest nesting of objects and arrays accepted anywhere (a request body, a payload, a start input). */
export const MAX_JSON_DEPTH = 64;

/** One thing that cannot be stored, with the path of the field it is in (`data.items.0.name`). */
export type StorableProblem = Issue;

/** How many problems one check reports at most. */
const MAX_PROBLEMS = 20;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** A NUL, or a surrogate that is not half of a pair. Without the `u` flag the pattern sees UTF-16 code units. */
const UNSTORABLE_CHAR = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function hex(code: number): string {
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** A key as it is shown in a path: plain when it is a name, else quoted with JSON escapes (and shortened). */
function pathKey(key: string): string {
  if (IDENTIFIER.test(key) && key.length <= 60) return key;
  const shown = key.length > 60 ? `${key.slice(0, 60)}…` : key;
  // JSON.stringify escapes NUL and lone surrogates, so the path itself is printable and storable.
  return JSON.stringify(shown);
}

function join(path: string, key: string | number): string {
  const part = typeof key === 'number' ? String(key) : pathKey(key);
  return path === '' ? part : `${path}.${part}`;
}

/** Why a string cannot be stored, or undefined when it can. */
export function unstorableText(text: string): string | undefined {
  const found = UNSTORABLE_CHAR.exec(text);
  if (found === null) return undefined;
  const code = found[0].charCodeAt(0);
  if (code === 0) return `contains the character U+0000 (NUL) at position ${found.index}, which cannot be stored; remove it`;
  return (
    `contains an unpaired UTF-16 surrogate ${hex(code)} at position ${found.index} (half of a character, e.g. a cut emoji), ` +
    'which cannot be stored; send the whole character or remove it'
  );
}

function keyProblem(key: string, value: unknown): string | undefined {
  const text = unstorableText(key);
  if (text !== undefined) return `the field name ${text}`;
  if (key === '__proto__')
    return 'the field name "__proto__" is refused: merged into an object it would replace that object\'s prototype (prototype pollution); rename the field';
  if (key === 'constructor' && value !== null && typeof value === 'object' && !Array.isArray(value) && Object.hasOwn(value, 'prototype'))
    return 'a field "constructor" holding a "prototype" is refused: merged into an object it would change the prototype of every such object (prototype pollution); rename the field';
  return undefined;
}

function valueProblem(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return unstorableText(value);
    case 'number':
      return Number.isFinite(value) ? undefined : `is ${String(value)}, which JSON cannot carry; send a finite number`;
    case 'boolean':
    case 'object':
    case 'undefined': // JSON leaves it out (in an array: null)
      return undefined;
    default:
      return `is a ${typeof value}, which JSON cannot carry; send a string, number, boolean, null, array or object`;
  }
}

/**
 * The problems (up to 20) that keep `value` from being stored, depth first; empty when
 * it can be. `root` prefixes the paths (e.g. `data`). Walks without recursion and stops
 * at `MAX_JSON_DEPTH`, so a hostile (even cyclic) value cannot exhaust the stack.
 */
export function storableProblems(value: unknown, root = ''): StorableProblem[] {
  return walk(value, root, MAX_PROBLEMS);
}

function walk(value: unknown, root: string, limit: number): StorableProblem[] {
  const problems: StorableProblem[] = [];
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: root, depth: 0 }];
  while (stack.length > 0 && problems.length < limit) {
    const item = stack.pop()!;
    const problem = valueProblem(item.value);
    if (problem !== undefined) {
      problems.push({ path: item.path, message: problem });
      continue;
    }
    if (item.value === null || typeof item.value !== 'object') continue;
    const depth = item.depth + 1;
    if (depth > MAX_JSON_DEPTH) {
      problems.push({ path: item.path, message: `is nested more than ${MAX_JSON_DEPTH} levels deep; flatten it` });
      continue;
    }
    const children: Array<{ value: unknown; path: string; depth: number }> = [];
    if (Array.isArray(item.value)) {
      item.value.forEach((child, index) => children.push({ value: child, path: join(item.path, index), depth }));
    } else {
      for (const [key, child] of Object.entries(item.value)) {
        const path = join(item.path, key);
        const bad = keyProblem(key, child);
        if (bad !== undefined) problems.push({ path, message: bad });
        else children.push({ value: child, path, depth });
      }
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return problems.slice(0, limit);
}

/** The first problem of `storableProblems`, or undefined when `value` can be stored. */
export function firstStorableProblem(value: unknown, root = ''): StorableProblem | undefined {
  return walk(value, root, 1)[0];
}
