import { ownValue } from '../own';
import { didYouMean } from '../suggest';
import type { LintContext } from './types';

/** State labels: every state has them, and none labels a state that does not exist. */
export function lintLabels({ def, walk, report }: LintContext): void {
  for (const node of walk.states.values()) {
    if (node.path !== '' && !ownValue(def.stateLabels, node.path)) {
      report(
        'missing-label',
        `stateLabels.${node.path}`,
        `state "${node.path}" has no labels — add { "en": …, "zh-CN": … } under stateLabels."${node.path}"`,
      );
    }
  }
  for (const key of Object.keys(def.stateLabels)) {
    if (!walk.states.has(key) || key === '')
      report(
        'unknown-label',
        `stateLabels.${key}`,
        `labels for "${key}", which is no state${didYouMean(key, [...walk.states.keys()].filter(Boolean))}`,
      );
  }
}
