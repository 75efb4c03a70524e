import { ROLE_NAMES } from '../roles';
import { didYouMean } from '../suggest';
import type { LintContext } from './types';
import { didYouMeanZh } from './zh';

/** People's work: the states its tasks, returns and withdrawal name, the events they name, its roles and its assignees. */
export function lintWork(ctx: LintContext): void {
  const { def, walk, report } = ctx;
  const tasks = def.humanTasks ?? {};
  const paths = [...walk.states.keys()].filter((p) => p !== '');
  const known = (at: string, state: string): boolean => {
    if (walk.states.has(state) && state !== '') return true;
    report(
      'unknown-state',
      at,
      `"${state}" is not a state of the machine${didYouMean(state, paths)} — write a state's dotted path`,
      `"${state}" 不是状态机中的状态${didYouMeanZh(state, paths)}——请写状态的点分路径`,
    );
    return false;
  };
  const role = (at: string, name: string) => {
    if (!ROLE_NAMES.includes(name))
      report(
        'unknown-role',
        at,
        `unknown role "${name}"${didYouMean(name, ROLE_NAMES)}`,
        `未知角色 "${name}"${didYouMeanZh(name, ROLE_NAMES)}`,
      );
  };
  /** The events a state handles, its ancestors' included. */
  const handled = (state: string): Set<string> => {
    const events = new Set<string>();
    for (let node = walk.states.get(state); node !== undefined; node = node.parent === undefined ? undefined : walk.states.get(node.parent))
      node.events.forEach((e) => events.add(e));
    return events;
  };
  const event = (at: string, state: string, name: string) => {
    if (!Object.hasOwn(def.events, name)) {
      const names = Object.keys(def.events);
      report(
        'undeclared-event',
        at,
        `event "${name}" is not declared${didYouMean(name, names)} — declare it under "events"`,
        `事件 "${name}" 未声明${didYouMeanZh(name, names)}——请在 "events" 下声明它`,
      );
    } else if (!handled(state).has(name))
      report(
        'unhandled-task-event',
        at,
        `state "${state}" does not handle ${name} — add a transition for it under the state's "on", or remove it here`,
        `状态 "${state}" 不处理 ${name}——请在该状态的 "on" 下为它添加转换，或在此删除它`,
      );
  };
  (def.taskManagers ?? []).forEach((name, i) => role(`taskManagers[${i}]`, name));
  for (const [state, spec] of Object.entries(tasks)) {
    const at = `humanTasks.${state}`;
    if (!known(at, state)) continue;
    if (walk.states.get(state)?.kind !== 'atomic')
      report(
        'non-atomic-task',
        at,
        `state "${state}" has child states or is final — a task belongs to an atomic state that waits on people; name one of its child states`,
        `状态 "${state}" 含子状态或是终止状态——任务属于等待人处理的原子状态；请写它的某个子状态`,
      );
    spec.candidates.forEach((c, i) => {
      if ('role' in c) role(`${at}.candidates[${i}].role`, c.role);
    });
    if (spec.assigneeOnly && spec.assignee === undefined)
      report(
        'task-assignee',
        `${at}.assigneeOnly`,
        `"assigneeOnly" needs an "assignee" — name the context path holding the assignee (e.g. "context.handler")`,
        `"assigneeOnly" 需要 "assignee"——请写保存处理人的上下文路径（例如 "context.handler"）`,
      );
    spec.openEvents.forEach((e, i) => event(`${at}.openEvents[${i}]`, state, e));
    if (spec.approval) {
      event(`${at}.approval.approve`, state, spec.approval.approve);
      event(`${at}.approval.reject`, state, spec.approval.reject);
    }
    spec.returnTo.forEach((to, i) => {
      const where = `${at}.returnTo[${i}]`;
      if (known(where, to) && !Object.hasOwn(tasks, to))
        report(
          'task-return',
          where,
          `"${to}" is not a human step — a task may return only to a state listed under "humanTasks"`,
          `"${to}" 不是人工步骤——任务只能退回到 "humanTasks" 中列出的状态`,
        );
    });
  }
  if (def.withdrawal) {
    const { target, from } = def.withdrawal;
    if (known('withdrawal.target', target) && walk.states.get(target)?.kind !== 'final')
      report(
        'withdrawal-target',
        'withdrawal.target',
        `"${target}" is not a final state — a withdrawn case ends: add "type": "final" to it or name a final state`,
        `"${target}" 不是终止状态——撤回的案件即结束：请给它加上 "type": "final"，或写一个终止状态`,
      );
    from.forEach((state, i) => known(`withdrawal.from[${i}]`, state));
  }
}
