import { isObject } from '../json-data';
import { ownValue } from '../own';
import { ENUM_LABELS_KEY, enumValueLabels, fieldLabels, missingLangs, payloadFields } from '../payload-labels';
import { didYouMean } from '../suggest';
import type { LintContext } from './types';
import { didYouMeanZh } from './zh';

/** State labels: every state has them, and none labels a state that does not exist. */
export function lintLabels(ctx: LintContext): void {
  const { def, walk, report } = ctx;
  for (const node of walk.states.values()) {
    if (node.path !== '' && !ownValue(def.stateLabels, node.path)) {
      report(
        'missing-label',
        `stateLabels.${node.path}`,
        `state "${node.path}" has no labels — add { "en": …, "zh-CN": … } under stateLabels."${node.path}"`,
        `状态 "${node.path}" 没有标签——请在 stateLabels."${node.path}" 下添加 { "en": …, "zh-CN": … }`,
      );
    }
  }
  const states = [...walk.states.keys()].filter(Boolean);
  for (const key of Object.keys(def.stateLabels)) {
    if (!walk.states.has(key) || key === '')
      report(
        'unknown-label',
        `stateLabels.${key}`,
        `labels for "${key}", which is no state${didYouMean(key, states)}`,
        `"${key}" 的标签，但没有这个状态${didYouMeanZh(key, states)}`,
      );
  }
  lintFieldLabels(ctx, def.input, 'input');
  for (const [name, event] of Object.entries(def.events)) lintFieldLabels(ctx, event.payload, `events.${name}.payload`);
}

/**
 * Warnings (not problems: an unlabelled definition still publishes) for the fields and enum values of
 * a payload schema without a label in English and Chinese, and for labels of values that are no choice.
 */
function lintFieldLabels({ warn }: LintContext, schema: unknown, at: string): void {
  for (const field of payloadFields(schema)) {
    const missing = missingLangs(fieldLabels(field.schema));
    if (missing.length > 0)
      warn(
        'missing-field-label',
        `${at}.${field.at}`,
        `field "${field.path}" has no ${missing.join(' or ')} label — add "x-labels": { "en": …, "zh-CN": … } to it`,
        `字段 "${field.path}" 缺少 ${missing.join('、')} 标签——请为它添加 "x-labels": { "en": …, "zh-CN": … }`,
      );
    if (!field.choices) continue;
    const { schema: holder, values } = field.choices;
    const where = `${at}.${field.choices.at}.${ENUM_LABELS_KEY}`;
    for (const value of values) {
      const lacks = missingLangs(enumValueLabels(holder, value));
      if (lacks.length > 0)
        warn(
          'missing-enum-label',
          `${where}.${String(value)}`,
          `value ${JSON.stringify(value)} of "${field.path}" has no ${lacks.join(' or ')} label — add it under "${ENUM_LABELS_KEY}"`,
          `"${field.path}" 的取值 ${JSON.stringify(value)} 缺少 ${lacks.join('、')} 标签——请在 "${ENUM_LABELS_KEY}" 下添加`,
        );
    }
    const labelled = ownValue(holder, ENUM_LABELS_KEY);
    const choices = values.map(String);
    for (const key of isObject(labelled) ? Object.keys(labelled) : [])
      if (!choices.includes(key))
        warn(
          'unknown-enum-label',
          `${where}.${key}`,
          `labels for "${key}", which is no value of "${field.path}"${didYouMean(key, choices)}`,
          `"${key}" 的标签，但它不是 "${field.path}" 的取值${didYouMeanZh(key, choices)}`,
        );
  }
}
