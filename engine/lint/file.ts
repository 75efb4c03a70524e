import { DEFINITION_LIMITS, measureJson } from '../definition-limits';
import type { LintProblem } from './types';

const formatBytes = (n: number) => `${n.toLocaleString('en')} bytes`;

/** One problem with the whole file that stops the linter. */
function fatal(code: LintProblem['code'], message: string): { problems: LintProblem[]; fatal: boolean } {
  return { fatal: true, problems: [{ code, path: '(file)', message }] };
}

/** Problems with the file as JSON, before it is read as a definition: its size, its nesting, `__proto__` keys. */
export function fileProblems(raw: unknown): { problems: LintProblem[]; fatal: boolean } {
  const measure = measureJson(raw);
  const { bytes, depth } = DEFINITION_LIMITS;
  if (measure.depth > depth)
    return fatal(
      'too-large',
      `the file is nested more than ${depth} levels deep — a definition may nest at most ${depth} levels (objects and lists); flatten the deepest part`,
    );
  if (measure.bytes === undefined) return fatal('schema', 'not JSON — write the definition as a JSON object');
  if (measure.bytes > bytes)
    return fatal(
      'too-large',
      `the file has ${formatBytes(measure.bytes)}; a definition may have at most ${formatBytes(bytes)} — remove what no state uses, or split the process into sub-processes`,
    );
  return {
    fatal: false,
    problems: measure.protoKeys.map((path) => ({
      code: 'reserved-name' as const,
      path,
      message: `"__proto__" cannot be a name here: JavaScript objects do not keep it as data — rename it`,
    })),
  };
}
