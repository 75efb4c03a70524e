import type { GuardExpr, Labels, TaskSpec } from './definition-schema';
import { evaluateGuard, renderTemplate, type Scope } from './expressions';

/** One rule an automatic check found broken, in words. */
export interface Violation {
  rule: string;
  labels: Labels;
}

/** What an automatic task gives back: the data of its `onDone` transition. */
export interface TaskOutput {
  passed: boolean;
  violations: Violation[];
}

/** What a task reads: the case's context, the definition's parameters and named guards, and workflow time. */
export interface TaskInput {
  task: TaskSpec;
  context: Record<string, unknown>;
  params: Record<string, unknown>;
  guards: Record<string, GuardExpr>;
  /** Workflow time when the task was invoked, epoch ms. */
  now: number;
}

/** Runs a rules task: every rule is checked and every broken one is listed, so a draft is fixed in one round. */
export function evaluateTask(input: TaskInput): TaskOutput {
  const scope: Scope = { data: {}, context: input.context, param: input.params, actor: undefined, now: input.now, guards: input.guards };
  const violations: Violation[] = [];
  for (const rule of input.task.rules) {
    if (evaluateGuard(rule.holds, scope, input.guards)) continue;
    violations.push({
      rule: rule.id,
      labels: { en: renderTemplate(rule.labels.en, scope), 'zh-CN': renderTemplate(rule.labels['zh-CN'], scope) },
    });
  }
  return { passed: violations.length === 0, violations };
}
