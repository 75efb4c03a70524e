import { joinPath } from '../json-data';
import { didYouMean } from '../suggest';
import type { LintContext } from './types';

/** What XState reads from a state node and from a transition; anything else it silently ignores. */
const STATE_KEYS = [
  'id',
  'type',
  'initial',
  'states',
  'on',
  'after',
  'always',
  'entry',
  'exit',
  'onDone',
  'tags',
  'meta',
  'description',
  'history',
  'target',
  'output',
  'invoke',
];
const ROOT_KEYS = [...STATE_KEYS, 'context', 'version'];
const TRANSITION_KEYS = ['target', 'guard', 'actions', 'reenter', 'description', 'meta'];
const STATE_TYPES = ['atomic', 'compound', 'parallel', 'final', 'history'];

/**
 * The machine's shape: fields XState would silently ignore (a typo such as "taget" or "afer" loses
 * a transition), state types, and the initial state of every compound state.
 */
export function lintStructure({ walk, report }: LintContext): void {
  for (const node of walk.states.values()) {
    const known = node.path === '' ? ROOT_KEYS : STATE_KEYS;
    for (const key of Object.keys(node.config)) {
      if (!known.includes(key))
        report(
          'schema',
          joinPath(node.configPath, key),
          `unknown field "${key}" of ${node.path === '' ? 'the machine' : 'a state'}${didYouMean(key, known)} — remove it or check its spelling`,
        );
    }
    const type = node.config.type;
    if (type !== undefined && (typeof type !== 'string' || !STATE_TYPES.includes(type))) {
      report(
        'schema',
        `${node.configPath}.type`,
        `unknown state type ${JSON.stringify(type)}${typeof type === 'string' ? didYouMean(type, STATE_TYPES) : ''} — use one of ${STATE_TYPES.join(', ')} or leave it out`,
      );
    }
  }
  for (const t of walk.transitions) {
    for (const key of Object.keys(t.config ?? {})) {
      if (!TRANSITION_KEYS.includes(key))
        report(
          'schema',
          `${t.configPath}.${key}`,
          `unknown field "${key}" of a transition${didYouMean(key, TRANSITION_KEYS)} — remove it or check its spelling`,
        );
    }
  }

  for (const node of walk.states.values()) {
    if (node.kind !== 'compound') continue;
    const initial = node.config.initial;
    const names = node.children.map((c) => c.slice(c.lastIndexOf('.') + 1));
    if (typeof initial !== 'string' || !names.includes(initial)) {
      report(
        'unknown-initial',
        `${node.configPath}.initial`,
        `initial state "${String(initial)}" is not a child of ${node.path || 'the machine'}${typeof initial === 'string' ? didYouMean(initial, names) : ` — set it to one of ${names.join(', ')}`}`,
      );
    }
  }
}
