import type { Definition } from '../definition-schema';
import type { MachineWalk } from '../machine-walker';

export type LintCode =
  | 'schema'
  | 'unknown-target'
  | 'unknown-initial'
  | 'unknown-guard'
  | 'unknown-action'
  | 'unknown-delay'
  | 'numeric-delay'
  | 'undeclared-event'
  | 'unused-event'
  | 'no-role'
  | 'unknown-role'
  | 'unreachable-state'
  | 'no-way-out'
  | 'unknown-parameter'
  | 'parameter-default'
  | 'bad-path'
  | 'unknown-data-field'
  | 'missing-label'
  | 'unknown-label'
  | 'invalid-payload-schema'
  | 'customer-field'
  | 'guard-cycle'
  | 'unknown-invoke'
  | 'unknown-timer'
  | 'too-large'
  | 'reserved-name'
  | 'eventless-cycle'
  | 'invalid-pattern'
  | 'unsafe-pattern'
  | 'missing-field-label'
  | 'missing-enum-label'
  | 'unknown-enum-label'
  | 'unknown-state'
  | 'non-atomic-task'
  | 'unhandled-task-event'
  | 'task-assignee'
  | 'task-return'
  | 'withdrawal-target'
  | 'duplicate-checklist-item';

export interface LintProblem {
  code: LintCode;
  /** Where in the file, e.g. `machine.states.investigating.on.SUBMIT_FINDINGS`. */
  path: string;
  /** What is wrong and how to fix it. */
  message: string;
  /** The same in Chinese (zh-CN). */
  messageZh: string;
}

export interface LintResult {
  /** No problems (warnings do not count: a definition with warnings can be published). */
  ok: boolean;
  problems: LintProblem[];
  /** What should be fixed but does not stop publishing (e.g. a payload field without labels). */
  warnings: LintProblem[];
  definition?: Definition;
}

/** What every rule family reads: the parsed definition, its machine read once, and the findings so far (in order). */
export interface LintContext {
  def: Definition;
  walk: MachineWalk;
  problems: LintProblem[];
  /** Records a problem: what is wrong and how to fix it, in English and in Chinese. */
  report: (code: LintCode, path: string, message: string, messageZh: string) => void;
  /** Records a warning (see `LintResult.warnings`). */
  warn: (code: LintCode, path: string, message: string, messageZh: string) => void;
}

/** A guard or action reference as a finding names it (the walker gives null for one not written as a name). */
export const refLabel = (name: string | null): string => name ?? '<invalid>';
