/**
 * Case data as people read it: field names and enum values by their labels in the definition's
 * payload and input schemas (`x-labels`, `x-enum-labels`), in the chosen language.
 */
import { enumValueLabels, fieldLabels, payloadFields, type PayloadField } from '../../../engine/payload-labels';
import { ownValue } from '../../../engine/own';
import { humanize, labelOf, type Lang } from '../i18n';

/** The event of a case's first history entry, whose data is the start input. */
const START_EVENT = 'xstate.init';

/** The schemas of a definition a case page reads labels from. */
export interface LabelledSchemas {
  input?: unknown;
  events?: Record<string, { payload?: unknown }>;
}

/** The top-level fields of a payload schema, by name. */
export function fieldsByName(schema: unknown): Map<string, PayloadField> {
  return new Map(payloadFields(schema).flatMap((f) => (f.path.includes('.') ? [] : [[f.path, f] as const])));
}

/** The fields of the data an entry of a case's history carries: the start input's for the start, else the event's payload's. */
export function eventFieldsByName(def: LabelledSchemas | undefined, event: string): Map<string, PayloadField> {
  return fieldsByName(event === START_EVENT ? def?.input : ownValue(def?.events ?? {}, event)?.payload);
}

/** The fields of a case's data by name: the start input's first, then each event's (case data copies them under the same names). */
export function caseFieldsByName(def: LabelledSchemas | undefined): Map<string, PayloadField> {
  const out = new Map<string, PayloadField>();
  const schemas = [def?.input, ...Object.values(def?.events ?? {}).map((e) => e.payload)];
  for (const schema of schemas) for (const [name, f] of fieldsByName(schema)) if (!out.has(name)) out.set(name, f);
  return out;
}

/** A field's label in the language, or its name made readable. */
export function fieldTitle(field: PayloadField | undefined, name: string, lang: Lang): string {
  return labelOf(field && fieldLabels(field.schema), lang, humanize(name));
}

/** A value as text: an enum value (or a list of them) by its label, anything else as it is (objects as JSON). */
export function valueText(field: PayloadField | undefined, value: unknown, lang: Lang): string {
  const choices = field?.choices?.schema;
  const one = (v: unknown) => (choices ? labelOf(enumValueLabels(choices, v), lang, String(v)) : String(v));
  if (choices && Array.isArray(value)) return value.map(one).join(lang === 'zh-CN' ? '、' : ', ');
  if (typeof value === 'string' || typeof value === 'number') return one(value);
  return JSON.stringify(value);
}
