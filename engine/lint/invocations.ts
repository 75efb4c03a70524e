import { isObject } from '../json-data';
import { didYouMean } from '../suggest';
import { didYouMeanZh } from './zh';
import type { LintContext } from './types';
import type { ValueChecks } from './values';

const INVOKE_KEYS = ['id', 'src', 'onDone', 'onError'];

/** Automatic tasks (their rules) and sub-processes (what they run, over what, with which input). */
export function lintTasksAndSubprocesses({ def, report }: LintContext, values: ValueChecks): void {
  for (const [name, task] of Object.entries(def.tasks)) {
    task.rules.forEach((rule, i) => values.walkGuard(rule.holds, `tasks.${name}.rules[${i}].holds`, false));
    const ids = task.rules.map((r) => r.id);
    ids.forEach((id, i) => {
      if (ids.indexOf(id) !== i)
        report(
          'schema',
          `tasks.${name}.rules[${i}].id`,
          `rule id "${id}" is used twice — give each rule its own id`,
          `规则 id "${id}" 用了两次——请给每条规则各自的 id`,
        );
    });
  }
  for (const [name, sub] of Object.entries(def.subprocesses)) {
    if (Object.hasOwn(def.tasks, name))
      report(
        'unknown-invoke',
        `subprocesses.${name}`,
        `"${name}" is both a task and a sub-process — rename one of them`,
        `"${name}" 既是自动任务又是子流程——请给其中一个改名`,
      );
    values.checkRef(sub.forEach, `subprocesses.${name}.forEach`);
    values.checkRef(sub.key, `subprocesses.${name}.key`, true);
    for (const [field, ref] of Object.entries(sub.input)) values.checkRef(ref, `subprocesses.${name}.input.${field}`, true);
    if (sub.process === def.process)
      report(
        'unknown-invoke',
        `subprocesses.${name}.process`,
        `a process cannot run itself as a sub-process — name another process`,
        `流程不能把自己作为子流程运行——请指定另一个流程`,
      );
  }
}

/** Invocations: one named task or sub-process each, with id equal to src (its done event is named after it). */
export function lintInvokes({ def, walk, report }: LintContext): void {
  const invokable = [...Object.keys(def.tasks), ...Object.keys(def.subprocesses)];
  for (const node of walk.states.values()) {
    for (const { configPath: at, config: inv } of node.invokes) {
      if (!isObject(inv) || typeof inv.src !== 'string') {
        report(
          'unknown-invoke',
          at,
          `write an invoke as { "id": name, "src": name, "onDone": … } naming a task or sub-process`,
          `请把 invoke 写成 { "id": 名称, "src": 名称, "onDone": … }，指向一个自动任务或子流程`,
        );
        continue;
      }
      for (const key of Object.keys(inv))
        if (!INVOKE_KEYS.includes(key))
          report(
            'schema',
            `${at}.${key}`,
            `unknown field "${key}" of an invoke${didYouMean(key, INVOKE_KEYS)} — use ${INVOKE_KEYS.join(', ')}`,
            `invoke 的未知字段 "${key}"${didYouMeanZh(key, INVOKE_KEYS)}——可用 ${INVOKE_KEYS.join('、')}`,
          );
      if (!invokable.includes(inv.src))
        report(
          'unknown-invoke',
          `${at}.src`,
          `unknown task or sub-process "${inv.src}"${didYouMean(inv.src, invokable)} — declare it under "tasks" or "subprocesses"`,
          `未知的自动任务或子流程 "${inv.src}"${didYouMeanZh(inv.src, invokable)}——请在 "tasks" 或 "subprocesses" 下声明它`,
        );
      if (inv.id !== inv.src)
        report(
          'unknown-invoke',
          `${at}.id`,
          `set "id": "${inv.src}" (an invoke's id is the name of what it runs)`,
          `请设置 "id": "${inv.src}"（invoke 的 id 就是它所运行内容的名称）`,
        );
      if (inv.onDone === undefined)
        report(
          'no-way-out',
          at,
          `an invoke needs "onDone": where the case goes when "${inv.src}" is done`,
          `invoke 需要 "onDone"："${inv.src}" 完成后案件去往何处`,
        );
    }
  }
}
