/**
 * Labels of the fields and enum values of a payload's (or the start input's) JSON Schema. The
 * definition format writes them as annotations the validator ignores:
 *
 *   "severity": { "type": "string", "enum": ["low", "high"],
 *                 "x-labels": { "en": "Severity", "zh-CN": "严重程度" },
 *                 "x-enum-labels": { "low": { "en": "Low", "zh-CN": "低" }, "high": { "en": "High", "zh-CN": "高" } } }
 *
 * `x-labels` sits on a property; `x-enum-labels` beside the `enum` it labels (for a list of choices,
 * in its `items`). The linter warns about what is unlabelled; the UI shows the labels.
 */
import { isObject } from './json-data';
import { ownValue } from './own';

export const FIELD_LABELS_KEY = 'x-labels';
export const ENUM_LABELS_KEY = 'x-enum-labels';

export type LabelLang = 'en' | 'zh-CN';
export const LABEL_LANGS: readonly LabelLang[] = ['en', 'zh-CN'];
export type FieldLabels = Partial<Record<LabelLang, string>>;

/** One field of a payload schema, nested fields included. */
export interface PayloadField {
  /** The field's place in the data: `customerBasics.name`, `causes[].dimension`. */
  path: string;
  /** Where the field's schema is written below the schema's own place: `properties.customerBasics.properties.name`. */
  at: string;
  schema: Record<string, unknown>;
  /** The schema holding the field's choices (the field's own, or its `items`'), if it has any. */
  choices?: { schema: Record<string, unknown>; at: string; values: unknown[] };
}

/** Every property of an object schema and of the objects (and lists of objects) below it, parents first. */
export function payloadFields(schema: unknown, depth = 0): PayloadField[] {
  if (!isObject(schema) || !isObject(schema.properties) || depth > 16) return [];
  const out: PayloadField[] = [];
  for (const [name, prop] of Object.entries(schema.properties)) {
    if (!isObject(prop)) continue;
    const items = isObject(prop.items) ? prop.items : undefined;
    const choices = Array.isArray(prop.enum)
      ? { schema: prop, at: '', values: prop.enum as unknown[] }
      : items && Array.isArray(items.enum)
        ? { schema: items, at: '.items', values: items.enum as unknown[] }
        : undefined;
    const field: PayloadField = { path: name, at: `properties.${name}`, schema: prop };
    if (choices) field.choices = { ...choices, at: `properties.${name}${choices.at}` };
    out.push(field);
    const below = [
      ...payloadFields(prop, depth + 1).map((f) => nest(f, name, `properties.${name}`)),
      ...(items ? payloadFields(items, depth + 1).map((f) => nest(f, `${name}[]`, `properties.${name}.items`)) : []),
    ];
    out.push(...below);
  }
  return out;
}

const nest = (f: PayloadField, path: string, at: string): PayloadField => ({
  ...f,
  path: `${path}.${f.path}`,
  at: `${at}.${f.at}`,
  ...(f.choices && { choices: { ...f.choices, at: `${at}.${f.choices.at}` } }),
});

/** The labels written on a schema under `key` (`x-labels`), only the strings of known languages. */
function labelsIn(value: unknown): FieldLabels | undefined {
  if (!isObject(value)) return undefined;
  const out: FieldLabels = {};
  for (const lang of LABEL_LANGS) {
    const text = ownValue(value, lang);
    if (typeof text === 'string' && text.trim() !== '') out[lang] = text;
  }
  return out;
}

/** A field's labels (`x-labels`), if written. */
export const fieldLabels = (schema: Record<string, unknown>): FieldLabels | undefined => labelsIn(ownValue(schema, FIELD_LABELS_KEY));

/** The labels of one of a schema's enum values (`x-enum-labels`), if written. */
export function enumValueLabels(schema: Record<string, unknown>, value: unknown): FieldLabels | undefined {
  const all = ownValue(schema, ENUM_LABELS_KEY);
  return isObject(all) ? labelsIn(ownValue(all, String(value))) : undefined;
}

/** The languages `labels` lacks. */
export const missingLangs = (labels: FieldLabels | undefined): LabelLang[] => LABEL_LANGS.filter((l) => !labels?.[l]);

/** The field of a payload schema at a data path (`customerBasics.name`), or undefined. */
export function payloadField(schema: unknown, path: string): PayloadField | undefined {
  return payloadFields(schema).find((f) => f.path === path);
}

/** The schema without its label annotations: what the workflow checks (labels never change it). */
export function withoutLabels(value: unknown, names = false): unknown {
  if (Array.isArray(value)) return value.map((v) => withoutLabels(v));
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      // The keys of `properties` are field names, not keywords: a field may be called "x-labels".
      .filter(([k]) => names || (k !== FIELD_LABELS_KEY && k !== ENUM_LABELS_KEY))
      .map(([k, v]) => [k, withoutLabels(v, !names && k === 'properties')]),
  );
}
