/**
 * The CPU-heavy work of the API as pure functions of plain data: they run on the
 * job pool's threads (see worker.js), so their input and output must survive a
 * structured clone, and refusals are results rather than thrown errors.
 */
import { definitionSchema, type Definition } from '../../engine/definition-schema';
import { diffDefinitions, type DefinitionDiff } from '../../engine/definition-diff';
import { lintDefinition, type LintProblem, type LintResult } from '../../engine/lint';
import { DiagramTooLargeError, mermaidDiagram, svgDiagram } from '../../diagram';

export type DiagramFormat = 'svg' | 'mermaid';

export type DiagramResult =
  | { ok: true; text: string }
  /** The definition fails the linter (or, with `check: 'schema'`, the definition schema). */
  | { ok: false; problems: LintProblem[] }
  /** Beyond DIAGRAM_LIMITS. */
  | { ok: false; tooLarge: string };

export type Job =
  | { kind: 'lint'; raw: unknown }
  /** `check: 'schema'` only parses (for versions that were valid when published); `lint` runs the whole linter. */
  | { kind: 'diagram'; raw: unknown; format: DiagramFormat; check: 'lint' | 'schema' }
  | { kind: 'diff'; from: Definition; to: Definition };

export interface JobResults {
  lint: LintResult;
  diagram: DiagramResult;
  diff: DefinitionDiff;
}

function diagram(raw: unknown, format: DiagramFormat, check: 'lint' | 'schema'): DiagramResult {
  let definition: Definition;
  if (check === 'lint') {
    const lint = lintDefinition(raw);
    if (!lint.ok || !lint.definition) return { ok: false, problems: lint.problems };
    definition = lint.definition;
  } else {
    const parsed = definitionSchema.safeParse(raw);
    if (!parsed.success) {
      return {
        ok: false,
        problems: parsed.error.issues.map((i) => ({
          code: 'schema' as const,
          path: i.path.join('.'),
          message: i.message,
          messageZh: `定义格式不符：${i.message}`,
        })),
      };
    }
    definition = parsed.data;
  }
  try {
    return { ok: true, text: format === 'svg' ? svgDiagram(definition) : mermaidDiagram(definition) };
  } catch (err) {
    if (err instanceof DiagramTooLargeError) return { ok: false, tooLarge: err.message };
    throw err;
  }
}

/** Runs one job on the calling thread. */
export function runJob(job: Job): JobResults[Job['kind']] {
  switch (job.kind) {
    case 'lint':
      return lintDefinition(job.raw);
    case 'diagram':
      return diagram(job.raw, job.format, job.check);
    case 'diff':
      return diffDefinitions(job.from, job.to);
  }
}
