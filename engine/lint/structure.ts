import { joinPath } from '../json-data';
import { didYouMean } from '../suggest';
import type { LintContext } from './types';
import { didYouMeanZh } from './zh';

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
          `${node.path === '' ? '状态机' : '状态'}的未知字段 "${key}"${didYouMeanZh(key, known)}——请删除它或检查拼写`,
        );
    }
    const type = node.config.type;
    if (type !== undefined && (typeof type !== 'string' || !STATE_TYPES.includes(type))) {
      report(
        'schema',
        `${node.configPath}.type`,
        `unknown state type ${JSON.stringify(type)}${typeof type === 'string' ? didYouMean(type, STATE_TYPES) : ''} — use one of ${STATE_TYPES.join(', ')} or leave it out`,
        `未知状态类型 ${JSON.stringify(type)}${typeof type === 'string' ? didYouMeanZh(type, STATE_TYPES) : ''}——请使用 ${STATE_TYPES.join('、')} 之一或省略它`,
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
          `转换的未知字段 "${key}"${didYouMeanZh(key, TRANSITION_KEYS)}——请删除它或检查拼写`,
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
        `初始状态 "${String(initial)}" 不是 ${node.path || '状态机'} 的子状态${typeof initial === 'string' ? didYouMeanZh(initial, names) : `——请设为 ${names.join('、')} 之一`}`,
      );
    }
  }
}
