import { definitionSchema, type Definition } from '../definition-schema';
import { walkMachine } from '../machine-walker';
import { lintEventlessLoops } from './eventless-loops';
import { fileProblems } from './file';
import { lintAudit } from './audit';
import { lintActions, lintEntryExit, lintGuards, transitionGuardAndActions } from './guards-and-actions';
import { lintInvokes, lintTasksAndSubprocesses } from './invocations';
import { lintDelays, transitionDelay, transitionTimer } from './delays-and-timers';
import { lintLabels } from './labels';
import { lintEventsAndRoles, transitionEvents } from './roles-and-events';
import { schemaProblems } from './schema';
import { lintSizes } from './sizes';
import { lintStructure } from './structure';
import { graphComplete, lintReachability, transitionTargets } from './targets';
import type { LintContext, LintProblem, LintResult } from './types';
import { lintParameters, valueChecks } from './values';
import { lintWork } from './work';

export type { LintCode, LintProblem, LintResult } from './types';
export { definitionJsonSchema } from './schema';

/**
 * Checks a definition file: its size, its shape (zod), then what XState does not check. Never throws.
 * The rule families run in a fixed order, and so do their findings.
 */
export function lintDefinition(raw: unknown): LintResult {
  const file = fileProblems(raw);
  if (file.fatal) return { ok: false, problems: file.problems, warnings: [] };
  const parsed = definitionSchema.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      problems: [...file.problems, ...parsed.error.issues.flatMap((issue) => schemaProblems(issue, raw))],
      warnings: [],
    };
  }
  const def = parsed.data;
  const problems: LintProblem[] = [...file.problems];
  const warnings: LintProblem[] = [];
  const ctx: LintContext = {
    def,
    walk: walkMachine(def.machine, def.process),
    problems,
    report: (code, path, message, messageZh) => problems.push({ code, path, message, messageZh }),
    warn: (code, path, message, messageZh) => warnings.push({ code, path, message, messageZh }),
  };

  lintSizes(ctx);
  if (problems.some((p) => p.code === 'too-large')) return { ok: false, problems, warnings };
  lintStructure(ctx);
  lintParameters(ctx);
  const values = valueChecks(ctx);
  lintGuards(ctx, values);
  lintActions(ctx, values);
  lintTasksAndSubprocesses(ctx, values);
  lintDelays(ctx, values);
  lintEventsAndRoles(ctx);
  lintInvokes(ctx);
  lintWork(ctx);
  lintAudit(ctx);

  const timer = transitionTimer(ctx);
  const events = transitionEvents(ctx);
  const delay = transitionDelay(ctx);
  const targets = transitionTargets(ctx);
  const guardAndActions = transitionGuardAndActions(ctx);
  for (const t of ctx.walk.transitions) {
    if (!timer(t)) events.check(t);
    delay(t);
    targets(t);
    guardAndActions(t);
  }
  lintEntryExit(ctx);
  events.reportUnused();

  if (graphComplete(ctx)) {
    lintReachability(ctx);
    lintEventlessLoops(ctx);
  }
  lintLabels(ctx);

  return { ok: problems.length === 0, problems, warnings, definition: def };
}

/** Lints and throws one error listing every problem; returns the parsed definition. */
export function assertValidDefinition(raw: unknown, source = 'definition'): Definition {
  const result = lintDefinition(raw);
  if (!result.ok || !result.definition) {
    throw new Error(`${source} has ${result.problems.length} problem(s):\n${formatProblems(result.problems)}`);
  }
  return result.definition;
}

/** Problems (or warnings) as lines of text, in English or Chinese. */
export function formatProblems(problems: LintProblem[], lang: 'en' | 'zh-CN' = 'en'): string {
  return problems.map((p) => `  ${p.path}: ${lang === 'zh-CN' ? p.messageZh : p.message} [${p.code}]`).join('\n');
}
