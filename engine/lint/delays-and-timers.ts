import { isObject } from '../json-data';
import type { MachineTransition } from '../machine-walker';
import { ownValue } from '../own';
import { didYouMean } from '../suggest';
import { didYouMeanZh } from './zh';
import type { LintContext } from './types';
import type { ValueChecks } from './values';

/** Named delays: the date they count from, and the parameters they count with (numbers). */
export function lintDelays({ def, report }: LintContext, values: ValueChecks): void {
  const paramNames = Object.keys(def.parameters);
  for (const [name, delay] of Object.entries(def.delays)) {
    if (delay.from !== undefined && delay.from !== 'now') values.checkPath(delay.from, `delays.${name}.from`);
    const numberRefs: Array<[string, unknown]> = [
      ['businessDays', delay.businessDays],
      ['businessHours', delay.businessHours],
      ...Object.entries(delay.duration ?? {}).map(([k, v]) => [`duration.${k}`, v] as [string, unknown]),
    ];
    const numberParam = (param: string, at: string) => {
      const spec = ownValue(def.parameters, param);
      if (!spec)
        report(
          'unknown-parameter',
          at,
          `unknown parameter "${param}"${didYouMean(param, paramNames)} — declare it under "parameters"`,
          `未知参数 "${param}"${didYouMeanZh(param, paramNames)}——请在 "parameters" 下声明它`,
        );
      else if (spec.type !== 'number' && spec.type !== 'integer')
        report(
          'unknown-parameter',
          at,
          `parameter "${param}" is a ${spec.type}; a delay needs a number`,
          `参数 "${param}" 的类型是 ${spec.type}；期限需要一个数字`,
        );
    };
    for (const [key, ref] of numberRefs) {
      if (!isObject(ref)) continue;
      if (typeof ref.param === 'string') numberParam(ref.param, `delays.${name}.${key}.param`);
      else if (typeof ref.paramBy === 'string' && isObject(ref.params)) {
        values.checkPath(ref.paramBy, `delays.${name}.${key}.paramBy`);
        for (const [value, param] of Object.entries(ref.params))
          if (typeof param === 'string') numberParam(param, `delays.${name}.${key}.params.${value}`);
      }
    }
  }
}

/** The check of a transition on a case timer (`on: { "timer.<delay>": … }`): some action starts that timer. True when `t` is one. */
export function transitionTimer({ def, report }: LintContext): (t: MachineTransition) => boolean {
  const startedTimers = new Set(Object.values(def.actions).flatMap((a) => (a.type === 'startTimer' ? [a.delay] : [])));
  return (t) => {
    if (t.trigger !== 'on' || t.name === null || !t.name.startsWith('timer.')) return false;
    const delay = t.name.slice('timer.'.length);
    if (!startedTimers.has(delay))
      report(
        'unknown-timer',
        t.configPath,
        `"${t.name}" is raised only by a startTimer action for delay "${delay}", and no action starts it — add { "type": "startTimer", "delay": "${delay}" }`,
        `"${t.name}" 只由期限 "${delay}" 的 startTimer 动作触发，但没有动作启动它——请添加 { "type": "startTimer", "delay": "${delay}" }`,
      );
    return true;
  };
}

/** The check of an `after` transition: its delay is a declared name, not a raw number of milliseconds. */
export function transitionDelay({ def, report }: LintContext): (t: MachineTransition) => void {
  const delayNames = Object.keys(def.delays);
  return (t) => {
    if (t.trigger !== 'after' || t.name === null) return;
    if (/^\d+$/.test(t.name))
      report(
        'numeric-delay',
        t.configPath,
        `"${t.name}" is a raw number of milliseconds — name a delay under "delays" (business days, business hours or a duration)`,
        `"${t.name}" 是裸的毫秒数——请在 "delays" 下命名一个期限（工作日、工作小时或时长）`,
      );
    else if (!delayNames.includes(t.name))
      report(
        'unknown-delay',
        t.configPath,
        `unknown delay "${t.name}"${didYouMean(t.name, delayNames)} — declare it under "delays"`,
        `未知期限 "${t.name}"${didYouMeanZh(t.name, delayNames)}——请在 "delays" 下声明它`,
      );
  };
}
