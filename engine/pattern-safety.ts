import { isSafePattern } from 'redos-detector';
import { DEFINITION_LIMITS } from './definition-limits';
import { isObject } from './json-data';

/** A regular expression written in a JSON Schema: where (`…properties.email.pattern`) and what. */
export interface SchemaPattern {
  at: string;
  pattern: string;
}

/** Keywords whose values are data, not schemas: a `pattern` key below them is no pattern. */
const DATA_KEYWORDS = new Set(['const', 'enum', 'default', 'examples']);

/** The `pattern`s and `patternProperties` keys of a JSON Schema, wherever they are nested (iteratively). */
export function schemaPatterns(schema: unknown, at: string): SchemaPattern[] {
  const found: SchemaPattern[] = [];
  const stack: Array<{ node: unknown; at: string }> = [{ node: schema, at }];
  while (stack.length > 0) {
    const { node, at: here } = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) stack.push({ node: node[i], at: `${here}[${i}]` });
      continue;
    }
    const record = node as Record<string, unknown>;
    const keys = Object.keys(record);
    if (Object.hasOwn(record, 'pattern') && typeof record.pattern === 'string')
      found.push({ at: `${here}.pattern`, pattern: record.pattern });
    const props = Object.hasOwn(record, 'patternProperties') ? record.patternProperties : undefined;
    if (isObject(props)) for (const key of Object.keys(props)) found.push({ at: `${here}.patternProperties.${key}`, pattern: key });
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i]!;
      if (DATA_KEYWORDS.has(key) || key === 'pattern') continue;
      stack.push({ node: record[key], at: `${here}.${key}` });
    }
  }
  return found;
}

/** Why a pattern is refused, or undefined when it is fine. */
export type PatternVerdict =
  | { kind: 'invalid'; reason: string }
  | { kind: 'too-long' }
  | { kind: 'unsupported'; reason: string }
  | { kind: 'unsafe'; reason: 'backtracking' | 'too-complex' };

/** Time one pattern may take to check, and all patterns of one lint together (ms). Most take a few ms. */
export const PATTERN_CHECK_MS = { each: 300, total: 2000 } as const;

const verdicts = new Map<string, PatternVerdict | null>();

/**
 * Checks one payload pattern as the payload validator runs it (`new RegExp(pattern, 'u')`): that it
 * is a regular expression, not too long, and free of catastrophic backtracking, by redos-detector
 * with bounded steps and time. `budget.ms` is what is left of the time for this lint; it is reduced
 * by what the check takes. Verdicts are remembered (a definition is linted often, its patterns rarely change).
 */
export function checkPattern(pattern: string, budget: { ms: number }): PatternVerdict | undefined {
  const known = verdicts.get(pattern);
  if (known !== undefined) return known ?? undefined;
  let verdict: PatternVerdict | undefined;
  try {
    new RegExp(pattern, 'u');
  } catch (e) {
    verdict = { kind: 'invalid', reason: (e as Error).message };
  }
  if (verdict === undefined && pattern.length > DEFINITION_LIMITS.patternLength) verdict = { kind: 'too-long' };
  if (verdict === undefined) {
    if (budget.ms <= 0) return { kind: 'unsafe', reason: 'too-complex' }; // not remembered: another lint may have time for it
    const started = Date.now();
    let timedOut = false;
    try {
      const result = isSafePattern(pattern, { unicode: true, maxSteps: 20_000, timeout: Math.min(PATTERN_CHECK_MS.each, budget.ms) });
      timedOut = result.error === 'timedOut';
      if (!result.safe)
        verdict = { kind: 'unsafe', reason: result.error === 'hitMaxScore' || result.error === null ? 'backtracking' : 'too-complex' };
    } catch (e) {
      verdict = { kind: 'unsupported', reason: (e as Error).message.split('\n')[0] ?? '' };
    }
    budget.ms -= Date.now() - started;
    if (timedOut) return verdict; // not remembered: a less busy run may finish the check
  }
  if (verdicts.size < 1000) verdicts.set(pattern, verdict ?? null);
  return verdict;
}

/** What to tell the author about a refused pattern. */
export function patternMessage(pattern: string, verdict: PatternVerdict): string {
  const shown = JSON.stringify(pattern.length > 80 ? `${pattern.slice(0, 77)}...` : pattern);
  switch (verdict.kind) {
    case 'invalid':
      return `${shown} is not a valid regular expression (${verdict.reason}) — fix it; payloads are checked with it in unicode mode`;
    case 'too-long':
      return `pattern is longer than ${DEFINITION_LIMITS.patternLength} characters — shorten it, or list the allowed values under "enum"`;
    case 'unsupported':
      return `${shown} uses syntax the backtracking check cannot read (${verdict.reason}) — write it without it (e.g. a plain group (…) instead of a named one (?<name>…))`;
    case 'unsafe':
      return verdict.reason === 'backtracking'
        ? `${shown} is vulnerable to catastrophic backtracking: some texts can be matched in very many ways, so checking one can take seconds — rewrite it so that each character can be matched one way only (no nested repeats such as (a+)+, no overlapping alternatives such as (a|ab)*, no two neighbouring repeats that take the same characters such as [a-z]*[a-z]*)`
        : `${shown} is too complex to prove free of catastrophic backtracking — simplify it (shorter, fewer repeats and alternatives), anchor it with ^…$, or list the allowed values under "enum"`;
  }
}
