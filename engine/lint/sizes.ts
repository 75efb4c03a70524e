import { DEFINITION_LIMITS } from '../definition-limits';
import type { LintContext } from './types';

/** How many states, events and transitions: the checks after this one and the engine walk every state and transition. */
export function lintSizes({ def, walk, report }: LintContext): void {
  const counts = [
    ['states', walk.states.size - 1, DEFINITION_LIMITS.states, 'machine.states', 'split the process into sub-processes'],
    [
      'events',
      Object.keys(def.events).length,
      DEFINITION_LIMITS.events,
      'events',
      'remove the events no state accepts, or split the process',
    ],
    ['transitions', walk.transitions.length, DEFINITION_LIMITS.transitions, 'machine', 'split the process into sub-processes'],
  ] as const;
  for (const [what, n, limit, at, fix] of counts)
    if (n > limit) report('too-large', at, `${n} ${what}; a definition may have at most ${limit} ${what} — ${fix}`);
}
