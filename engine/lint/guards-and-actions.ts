import { guardPaths } from '../expressions';
import { isObject } from '../json-data';
import type { MachineTransition } from '../machine-walker';
import { ownValue } from '../own';
import { ROLE_NAMES } from '../roles';
import { didYouMean } from '../suggest';
import { didYouMeanZh } from './zh';
import { refLabel, type LintContext } from './types';
import { valueRefs, type ValueChecks } from './values';

/** Guard expressions, their labels, and guards that refer back to themselves. */
export function lintGuards({ def, report }: LintContext, values: ValueChecks): void {
  const guardNames = Object.keys(def.guards);
  for (const [name, expr] of Object.entries(def.guards)) values.walkGuard(expr, `guards.${name}`, false);
  for (const name of Object.keys(def.guardLabels)) {
    if (!guardNames.includes(name))
      report(
        'unknown-label',
        `guardLabels.${name}`,
        `labels for "${name}", which is no guard${didYouMean(name, guardNames)}`,
        `"${name}" 的标签，但没有这个条件${didYouMeanZh(name, guardNames)}`,
      );
  }
  for (const name of guardNames) {
    const seen = new Set<string>();
    const visit = (n: string): boolean => {
      if (seen.has(n)) return n === name;
      seen.add(n);
      const g = ownValue(def.guards, n);
      return g ? guardPaths(g).guards.some((child) => child === name || visit(child)) : false;
    };
    if (visit(name))
      report(
        'guard-cycle',
        `guards.${name}`,
        `guard "${name}" refers back to itself — break the cycle`,
        `条件 "${name}" 引用了自身——请打破循环`,
      );
  }
}

/** The values actions read, the delays timers name, the roles notifications go to. */
export function lintActions({ def, report }: LintContext, values: ValueChecks): void {
  const delayNames = Object.keys(def.delays);
  for (const [name, action] of Object.entries(def.actions)) {
    for (const { ref, at } of valueRefs(action)) values.checkRef(ref, `actions.${name}.${at}`);
    if (action.type === 'startTimer' || action.type === 'cancelTimer') {
      if (!delayNames.includes(action.delay))
        report(
          'unknown-delay',
          `actions.${name}.delay`,
          `unknown delay "${action.delay}"${didYouMean(action.delay, delayNames)} — declare it under "delays"`,
          `未知期限 "${action.delay}"${didYouMeanZh(action.delay, delayNames)}——请在 "delays" 下声明它`,
        );
    }
    if (action.type === 'notify') {
      action.to.forEach((r, i) => {
        if (r.role && !ROLE_NAMES.includes(r.role))
          report(
            'unknown-role',
            `actions.${name}.to[${i}].role`,
            `unknown role "${r.role}"${didYouMean(r.role, ROLE_NAMES)}`,
            `未知角色 "${r.role}"${didYouMeanZh(r.role, ROLE_NAMES)}`,
          );
      });
    }
  }
}

/**
 * The check of a transition's guard and actions: that they are declared, and that the event data
 * (`data.…`) they read is data the transition's event carries.
 */
export function transitionGuardAndActions({ def, report }: LintContext): (t: MachineTransition) => void {
  const guardNames = Object.keys(def.guards);
  const actionNames = Object.keys(def.actions);
  /** The data fields an event may carry, or undefined when its payload admits any field. */
  const eventFields = (event: string): string[] | undefined => {
    const payload = ownValue(def.events, event)?.payload;
    if (payload?.additionalProperties !== undefined && payload.additionalProperties !== false) return undefined;
    const props = payload?.properties;
    return isObject(props) ? [...Object.keys(props), 'comment', 'attachments'] : ['comment', 'attachments'];
  };
  const dataPathsOf = (guard: string | undefined, actions: string[]): Array<{ path: string; at: string }> => {
    const out: Array<{ path: string; at: string }> = [];
    const fromGuard = (name: string, at: string, seen: Set<string>) => {
      const g = ownValue(def.guards, name);
      if (!g || seen.has(name)) return;
      seen.add(name);
      const { paths, guards } = guardPaths(g);
      paths.filter((p) => p.startsWith('data.')).forEach((path) => out.push({ path, at }));
      guards.forEach((child) => fromGuard(child, at, seen));
    };
    if (guard) fromGuard(guard, `guards.${guard}`, new Set());
    for (const a of actions) {
      const spec = ownValue(def.actions, a);
      if (spec)
        for (const { ref } of valueRefs(spec))
          if (typeof ref === 'string' && ref.startsWith('data.')) out.push({ path: ref, at: `actions.${a}` });
    }
    return out;
  };
  return (t) => {
    const guard = t.guard === undefined ? undefined : refLabel(t.guard);
    const actions = t.actions.map(refLabel);
    if (guard !== undefined && !guardNames.includes(guard)) {
      report(
        'unknown-guard',
        `${t.configPath}.guard`,
        `unknown guard "${guard}"${didYouMean(guard, guardNames)} — declare it under "guards"`,
        `未知条件 "${guard}"${didYouMeanZh(guard, guardNames)}——请在 "guards" 下声明它`,
      );
    }
    for (const a of actions) {
      if (!actionNames.includes(a))
        report(
          'unknown-action',
          `${t.configPath}.actions`,
          `unknown action "${a}"${didYouMean(a, actionNames)} — declare it under "actions"`,
          `未知动作 "${a}"${didYouMeanZh(a, actionNames)}——请在 "actions" 下声明它`,
        );
    }
    // A done transition of an invoke reads the task's or sub-processes' output as data.
    for (const { path, at } of t.trigger === 'invoke' ? [] : dataPathsOf(guard, actions)) {
      const field = path.split('.')[1]!;
      const fields = t.trigger === 'on' && t.name !== null ? eventFields(t.name) : [];
      if (t.trigger !== 'on' || t.name === null) {
        report(
          'unknown-data-field',
          t.configPath,
          `${at} reads "${path}", but ${t.trigger === 'after' ? 'an' : 'a'} ${t.trigger} transition carries no event data — read it from context instead`,
          `${at} 读取 "${path}"，但 ${t.trigger} 转换不携带事件数据——请改为从 context 读取`,
        );
      } else if (ownValue(def.events, t.name) && fields !== undefined && !fields.includes(field)) {
        report(
          'unknown-data-field',
          t.configPath,
          `${at} reads "${path}", but ${t.name}'s payload has no field "${field}"${didYouMean(field, fields)} — add it to events.${t.name}.payload.properties`,
          `${at} 读取 "${path}"，但 ${t.name} 的数据没有字段 "${field}"${didYouMeanZh(field, fields)}——请把它加到 events.${t.name}.payload.properties`,
        );
      }
    }
  };
}

/** Entry and exit actions: declared, and reading no event data (none is known there). */
export function lintEntryExit({ def, walk, report }: LintContext): void {
  const actionNames = Object.keys(def.actions);
  for (const node of walk.states.values()) {
    for (const key of ['entry', 'exit'] as const) {
      for (const a of node[key].map(refLabel)) {
        if (!actionNames.includes(a))
          report(
            'unknown-action',
            `${node.configPath}.${key}`,
            `unknown action "${a}"${didYouMean(a, actionNames)} — declare it under "actions"`,
            `未知动作 "${a}"${didYouMeanZh(a, actionNames)}——请在 "actions" 下声明它`,
          );
        const spec = ownValue(def.actions, a);
        if (spec)
          for (const { ref } of valueRefs(spec))
            if (typeof ref === 'string' && ref.startsWith('data.'))
              report(
                'unknown-data-field',
                `${node.configPath}.${key}`,
                `actions.${a} reads "${ref}" on ${key}, where no event data is known — read it from context instead`,
                `actions.${a} 在 ${key} 时读取 "${ref}"，此时没有事件数据——请改为从 context 读取`,
              );
      }
    }
  }
}
