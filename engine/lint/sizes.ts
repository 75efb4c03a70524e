import { DEFINITION_LIMITS } from '../definition-limits';
import type { LintContext } from './types';

const SPLIT = { en: 'split the process into sub-processes', zh: '请把流程拆分为子流程' };
const REMOVE_EVENTS = { en: 'remove the events no state accepts, or split the process', zh: '请删除没有状态接受的事件，或拆分流程' };

/** How many states, events and transitions: the checks after this one and the engine walk every state and transition. */
export function lintSizes({ def, walk, report }: LintContext): void {
  const counts = [
    ['states', '状态', walk.states.size - 1, DEFINITION_LIMITS.states, 'machine.states', SPLIT],
    ['events', '事件', Object.keys(def.events).length, DEFINITION_LIMITS.events, 'events', REMOVE_EVENTS],
    ['transitions', '转换', walk.transitions.length, DEFINITION_LIMITS.transitions, 'machine', SPLIT],
  ] as const;
  for (const [what, whatZh, n, limit, at, fix] of counts)
    if (n > limit)
      report(
        'too-large',
        at,
        `${n} ${what}; a definition may have at most ${limit} ${what} — ${fix.en}`,
        `${n} 个${whatZh}；定义最多 ${limit} 个${whatZh}——${fix.zh}`,
      );
}
