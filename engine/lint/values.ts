import type { ActionSpec, GuardExpr, ValueRef } from '../definition-schema';
import { parsePath } from '../expressions';
import { didYouMean } from '../suggest';
import type { LintContext } from './types';
import { didYouMeanZh } from './zh';

/** The checks of what a definition reads: paths (`data.…`, `context.…`, `param.…`, `actor.…`, `now`), values, guard expressions. */
export interface ValueChecks {
  checkPath: (path: string, at: string, allowItem?: boolean) => void;
  checkRef: (ref: ValueRef, at: string, allowItem?: boolean) => void;
  /** Checks a guard expression; `inItem` inside `some`/`every`, where `item.` paths are allowed. */
  walkGuard: (expr: GuardExpr, at: string, inItem: boolean) => void;
}

/** The values an action reads, with where each is written below the action. */
export function valueRefs(action: ActionSpec): Array<{ ref: ValueRef; at: string }> {
  switch (action.type) {
    case 'assign':
      return Object.entries(action.set).map(([k, ref]) => ({ ref, at: `set.${k}` }));
    case 'append':
      return Object.entries(action.value).map(([k, ref]) => ({ ref, at: `value.${k}` }));
    case 'notify':
      return [
        ...Object.entries(action.data ?? {}).map(([k, ref]) => ({ ref, at: `data.${k}` })),
        ...action.to.flatMap((r, i) => (r.user ? [{ ref: r.user, at: `to[${i}].user` }] : [])),
        ...action.to.flatMap((r, i) => (r.roleFrom !== undefined ? [{ ref: r.roleFrom, at: `to[${i}].roleFrom` }] : [])),
      ];
    case 'increment':
    case 'shift':
    case 'startTimer':
    case 'cancelTimer':
      return [];
  }
}

/** Parameter defaults: of their declared type, within their bounds. */
export function lintParameters({ def, report }: LintContext): void {
  for (const [name, spec] of Object.entries(def.parameters)) {
    const ok =
      (spec.type === 'number' && typeof spec.default === 'number') ||
      (spec.type === 'integer' && Number.isInteger(spec.default)) ||
      (spec.type === 'string' && typeof spec.default === 'string') ||
      (spec.type === 'boolean' && typeof spec.default === 'boolean');
    if (!ok)
      report(
        'parameter-default',
        `parameters.${name}.default`,
        `default ${JSON.stringify(spec.default)} is not of type ${spec.type} — change the default or the type`,
        `默认值 ${JSON.stringify(spec.default)} 不是 ${spec.type} 类型——请修改默认值或类型`,
      );
    if (
      typeof spec.default === 'number' &&
      ((spec.minimum !== undefined && spec.default < spec.minimum) || (spec.maximum !== undefined && spec.default > spec.maximum))
    ) {
      report(
        'parameter-default',
        `parameters.${name}.default`,
        `default ${spec.default} is outside [${spec.minimum ?? '-∞'}, ${spec.maximum ?? '∞'}] — change the default or the bounds`,
        `默认值 ${spec.default} 超出 [${spec.minimum ?? '-∞'}, ${spec.maximum ?? '∞'}]——请修改默认值或范围`,
      );
    }
    if (spec.enum !== undefined && (spec.type !== 'string' || !spec.enum.includes(String(spec.default))))
      report(
        'parameter-default',
        `parameters.${name}.default`,
        `a parameter with a list of values is a string whose default is one of ${spec.enum.join(', ')}; got ${spec.type} ${JSON.stringify(spec.default)}`,
        `有取值列表的参数须为 string 类型，默认值须为 ${spec.enum.join('、')} 之一；现为 ${spec.type} ${JSON.stringify(spec.default)}`,
      );
  }
}

/** The path, value and guard-expression checks over the definition's parameters, delays and guards. */
export function valueChecks({ def, report }: LintContext): ValueChecks {
  const paramNames = Object.keys(def.parameters);
  const delayNames = Object.keys(def.delays);
  const guardNames = Object.keys(def.guards);
  const checkPath = (path: string, at: string, allowItem = false) => {
    const p = parsePath(path);
    if (!p || (p.root === 'item' && !allowItem)) {
      report(
        'bad-path',
        at,
        `"${path}" is not a path: start it with data., context., param., actor. or write now${allowItem ? ' (or item. inside some/every)' : ''}; write a literal string as { "value": "${path}" }`,
        `"${path}" 不是路径：请以 data.、context.、param.、actor. 开头或写 now${allowItem ? '（在 some/every 内也可用 item.）' : ''}；字面字符串请写成 { "value": "${path}" }`,
      );
      return;
    }
    if (p.root === 'param' && !paramNames.includes(p.keys[0]!)) {
      report(
        'unknown-parameter',
        at,
        `unknown parameter "${p.keys[0]}"${didYouMean(p.keys[0]!, paramNames)} — declare it under "parameters"`,
        `未知参数 "${p.keys[0]}"${didYouMeanZh(p.keys[0]!, paramNames)}——请在 "parameters" 下声明它`,
      );
    }
    if (p.root === 'actor' && !['userId', 'role'].includes(p.keys[0]!))
      report('bad-path', at, `"${path}": an actor has only userId and role`, `"${path}"：操作人只有 userId 和 role`);
  };
  const checkRef = (ref: ValueRef, at: string, allowItem = false): void => {
    if (typeof ref === 'string') return checkPath(ref, at, allowItem);
    if (ref === null || typeof ref !== 'object' || 'value' in ref) return;
    if ('length' in ref) return checkPath(ref.length, `${at}.length`, allowItem);
    if ('paramBy' in ref) {
      checkPath(ref.paramBy, `${at}.paramBy`, allowItem);
      for (const [value, param] of Object.entries(ref.params)) checkPath(`param.${param}`, `${at}.params.${value}`);
      return;
    }
    if ('pick' in ref) {
      ref.pick.forEach((entry, i) => {
        if (entry.when !== undefined) walkGuard(entry.when, `${at}.pick[${i}].when`, allowItem);
        checkRef(entry.value, `${at}.pick[${i}].value`, allowItem);
      });
      return;
    }
    if (!delayNames.includes(ref.dueAt))
      report(
        'unknown-delay',
        `${at}.dueAt`,
        `unknown delay "${ref.dueAt}"${didYouMean(ref.dueAt, delayNames)} — declare it under "delays"`,
        `未知期限 "${ref.dueAt}"${didYouMeanZh(ref.dueAt, delayNames)}——请在 "delays" 下声明它`,
      );
  };
  function walkGuard(expr: GuardExpr, at: string, inItem: boolean): void {
    for (const [op, arg] of Object.entries(expr) as Array<[string, unknown]>) {
      if (op === 'guard') {
        if (!guardNames.includes(arg as string))
          report(
            'unknown-guard',
            `${at}.guard`,
            `unknown guard "${String(arg)}"${didYouMean(arg as string, guardNames)} — declare it under "guards"`,
            `未知条件 "${String(arg)}"${didYouMeanZh(arg as string, guardNames)}——请在 "guards" 下声明它`,
          );
      } else if (op === 'and' || op === 'or') (arg as GuardExpr[]).forEach((g, i) => walkGuard(g, `${at}.${op}[${i}]`, inItem));
      else if (op === 'not') walkGuard(arg as GuardExpr, `${at}.not`, inItem);
      else if (op === 'some' || op === 'every') {
        const q = arg as { path: string; where: GuardExpr };
        checkPath(q.path, `${at}.${op}.path`, inItem);
        walkGuard(q.where, `${at}.${op}.where`, true);
      } else if (op === 'truthy') checkRef(arg as ValueRef, `${at}.truthy`, inItem);
      else (arg as ValueRef[]).forEach((r, i) => checkRef(r, `${at}.${op}[${i}]`, inItem));
    }
  }
  return { checkPath, checkRef, walkGuard };
}
