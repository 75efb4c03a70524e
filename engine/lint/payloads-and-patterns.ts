import { z } from 'zod';
import { DEFINITION_LIMITS } from '../definition-limits';
import { jsonSchemaValidator } from '../json-schema';
import { payloadJsonSchema } from '../payload-schema';
import { checkPattern, PATTERN_CHECK_MS, patternMessage, schemaPatterns } from '../pattern-safety';
import type { LintContext } from './types';
import { patternMessageZh } from './zh';

/**
 * The check of a payload's (or the case input's) JSON Schema: its patterns are safe (a regular
 * expression that backtracks catastrophically lets one payload hold up a worker), and the schema
 * builds the validator the workflow runs. One per lint: the patterns share a time budget and a limit.
 */
export function payloadChecks({ report }: LintContext): (schema: Record<string, unknown>, at: string, withCommonFields: boolean) => void {
  const patternBudget = { ms: PATTERN_CHECK_MS.total };
  const patternsSeen = new Set<string>();
  /** Reports the refused patterns of a payload schema; false when there was one. */
  const checkPatterns = (schema: unknown, at: string): boolean => {
    let ok = true;
    for (const { at: where, pattern } of schemaPatterns(schema, at)) {
      patternsSeen.add(pattern);
      if (patternsSeen.size > DEFINITION_LIMITS.patterns) {
        if (patternsSeen.size === DEFINITION_LIMITS.patterns + 1)
          report(
            'too-large',
            where,
            `more than ${DEFINITION_LIMITS.patterns} different patterns; a definition may have at most ${DEFINITION_LIMITS.patterns} — list allowed values under "enum" instead, or reuse a pattern`,
            `超过 ${DEFINITION_LIMITS.patterns} 个不同的正则表达式；定义最多 ${DEFINITION_LIMITS.patterns} 个——请改为在 "enum" 下列出允许的值，或复用一个表达式`,
          );
        ok = false;
        continue;
      }
      const verdict = checkPattern(pattern, patternBudget);
      if (verdict === undefined) continue;
      ok = false;
      const code = verdict.kind === 'invalid' ? 'invalid-pattern' : verdict.kind === 'too-long' ? 'too-large' : 'unsafe-pattern';
      report(code, where, patternMessage(pattern, verdict), patternMessageZh(pattern, verdict));
    }
    return ok;
  };
  return (schema, at, withCommonFields) => {
    if (!checkPatterns(schema, at)) return;
    try {
      z.fromJSONSchema(payloadJsonSchema(schema, withCommonFields));
      jsonSchemaValidator(payloadJsonSchema(schema, withCommonFields));
    } catch (e) {
      const reason = (e as Error).message;
      report('invalid-payload-schema', at, `not a usable JSON Schema: ${reason}`, `不是可用的 JSON Schema：${reason}`);
    }
  };
}
