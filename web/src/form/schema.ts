/**
 * Turns an event's payload JSON Schema (or a process's start input schema) into
 * form fields, checks entered values against it, and builds the payload. Values
 * are kept as the user typed them (strings, booleans), so nothing is lost when
 * the form or the server refuses them.
 */
import { humanize, labelOf, translate, type Labels, type Lang } from '../i18n';
import { ownValue } from '../../../engine/own';
import { enumValueLabels, fieldLabels } from '../../../engine/payload-labels';

/** `choices`: a list of enum values, picked with checkboxes. */
export type FieldKind =
  'text' | 'textarea' | 'number' | 'integer' | 'boolean' | 'select' | 'choices' | 'date' | 'datetime' | 'list' | 'json';

export interface Field {
  name: string;
  kind: FieldKind;
  required: boolean;
  labels?: Partial<Labels>;
  description?: string;
  options?: Array<string | number>;
  /** Labels of the options (the schema's `x-enum-labels`), by option. */
  optionLabels?: Record<string, Partial<Labels>>;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
}

export type FormValue = string | boolean;
export type FormValues = Record<string, FormValue>;
export type FormErrors = Record<string, string>;

type Schema = Record<string, unknown>;

const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** Common fields every event may carry: shown last, optional. */
const COMMON_LABELS: Record<string, Labels> = {
  comment: { en: 'Comment', 'zh-CN': '备注' },
  attachments: { en: 'Attachments', 'zh-CN': '附件' },
};

function labelsOf(name: string, prop: Schema): Partial<Labels> | undefined {
  const l = fieldLabels(prop) ?? (prop.labels as Partial<Labels> | undefined);
  if (l && typeof l === 'object' && Object.keys(l).length > 0) return l;
  if (typeof prop.title === 'string') return { en: prop.title, 'zh-CN': prop.title };
  return ownValue(COMMON_LABELS, name);
}

function kindOf(prop: Schema): FieldKind {
  const type = Array.isArray(prop.type) ? (prop.type as unknown[]).find((t) => t !== 'null') : prop.type;
  if (Array.isArray(prop.enum)) return 'select';
  if (type === 'boolean') return 'boolean';
  if (type === 'integer') return 'integer';
  if (type === 'number') return 'number';
  if (type === 'string') {
    if (prop.format === 'date-time') return 'datetime';
    if (prop.format === 'date') return 'date';
    const max = num(prop.maxLength);
    return max === undefined || max > 500 ? 'textarea' : 'text';
  }
  if (type === 'array') {
    const items = (prop.items ?? {}) as Schema;
    if (Array.isArray(items.enum)) return 'choices';
    if (items.type === 'string') return 'list';
  }
  return 'json';
}

/** The fields of an object schema, required ones first in the schema's order, then the optional ones. */
export function fieldsOf(schema: Schema | undefined): Field[] {
  const props = ((schema?.properties ?? {}) as Record<string, Schema>) ?? {};
  const required = new Set(Array.isArray(schema?.required) ? (schema.required as string[]) : []);
  const fields = Object.entries(props).map(([name, prop]): Field => {
    const kind = kindOf(prop);
    const labels = labelsOf(name, prop);
    const items = (prop.items ?? {}) as Schema;
    const choices = kind === 'choices' ? items : prop;
    const options = Array.isArray(choices.enum) ? (choices.enum as Array<string | number>) : undefined;
    const optionLabels = options && optionLabelsOf(choices, options);
    return {
      name,
      kind,
      required: required.has(name),
      ...(labels && { labels }),
      ...(typeof prop.description === 'string' && { description: prop.description }),
      ...(options && { options }),
      ...(optionLabels && { optionLabels }),
      ...(num(prop.minimum) !== undefined && { minimum: num(prop.minimum) }),
      ...(num(prop.maximum) !== undefined && { maximum: num(prop.maximum) }),
      ...(num(prop.minLength ?? items.minLength) !== undefined && { minLength: num(prop.minLength ?? items.minLength) }),
      ...(num(prop.maxLength ?? items.maxLength) !== undefined && { maxLength: num(prop.maxLength ?? items.maxLength) }),
      ...(str(prop.pattern) !== undefined && { pattern: str(prop.pattern) }),
      ...(str(prop.format) !== undefined && { format: str(prop.format) }),
    };
  });
  const common = (f: Field) => f.name in COMMON_LABELS;
  return [
    ...fields.filter((f) => f.required),
    ...fields.filter((f) => !f.required && !common(f)),
    ...fields.filter((f) => !f.required && common(f)),
  ];
}

/** The labels of the options that have some, or undefined when none has. */
function optionLabelsOf(schema: Schema, options: Array<string | number>): Record<string, Partial<Labels>> | undefined {
  const out: Record<string, Partial<Labels>> = {};
  for (const o of options) {
    const l = enumValueLabels(schema, o);
    if (l && Object.keys(l).length > 0) out[String(o)] = l;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

export function fieldLabel(field: Field, lang: Lang): string {
  return labelOf(field.labels, lang, humanize(field.name));
}

/** An option as the form shows it: its label in the language, else the value made readable. */
export function optionLabel(field: Field, option: string | number, lang: Lang): string {
  const fallback = typeof option === 'string' ? humanize(option) : String(option);
  return labelOf(ownValue(field.optionLabels ?? {}, String(option)), lang, fallback);
}

/** The options ticked in a `choices` field's value (one per line). */
export const chosenOptions = (value: FormValue | undefined): string[] =>
  typeof value === 'string' && value !== '' ? value.split('\n') : [];

/** The empty values of a form (booleans start unticked, everything else empty). */
export function initialValues(fields: Field[], from: Record<string, unknown> = {}): FormValues {
  const values: FormValues = {};
  for (const f of fields) {
    const v = from[f.name];
    if (f.kind === 'boolean') values[f.name] = v === true;
    else if (v === undefined || v === null) values[f.name] = '';
    else if ((f.kind === 'list' || f.kind === 'choices') && Array.isArray(v)) values[f.name] = v.map(String).join('\n');
    else if (f.kind === 'json') values[f.name] = JSON.stringify(v, null, 2);
    else if (f.kind === 'datetime' && typeof v === 'string') values[f.name] = isoToLocalInput(v);
    else values[f.name] = typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
  }
  return values;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `2026-12-01T10:00:00Z` → the `datetime-local` value of that instant in this browser's time zone. */
export function isoToLocalInput(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A `datetime-local` value (`2026-12-01T18:00`) → an ISO timestamp with this browser's offset (`2026-12-01T18:00:00+08:00`). */
export function localInputToIso(value: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!m) return undefined;
  const [y = 0, mo = 1, d = 1, h = 0, mi = 0, s = 0] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x)));
  const local = new Date(y, mo - 1, d, h, mi, s);
  if (Number.isNaN(local.getTime()) || local.getMonth() !== mo - 1) return undefined;
  const offset = -local.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return `${y}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

function validDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

const isEmpty = (v: FormValue | undefined) => v === undefined || v === '' || (typeof v === 'string' && v.trim() === '');

/** Checks the entered values; returns a message per field in error (none: the values are fine). */
export function validate(fields: Field[], values: FormValues, lang: Lang): FormErrors {
  const t = (k: Parameters<typeof translate>[1], vars?: Record<string, string | number>) => translate(lang, k, vars);
  const errors: FormErrors = {};
  for (const f of fields) {
    const v = values[f.name];
    if (f.kind === 'boolean') continue;
    if (isEmpty(v)) {
      if (f.required) errors[f.name] = t('required');
      continue;
    }
    const s = String(v).trim();
    switch (f.kind) {
      case 'number':
      case 'integer': {
        const n = Number(s);
        if (!Number.isFinite(n)) errors[f.name] = t('mustBeNumber');
        else if (f.kind === 'integer' && !Number.isInteger(n)) errors[f.name] = t('mustBeInteger');
        else if (f.minimum !== undefined && n < f.minimum) errors[f.name] = `${t('atLeast')} ${f.minimum}`;
        else if (f.maximum !== undefined && n > f.maximum) errors[f.name] = `${t('atMost')} ${f.maximum}`;
        break;
      }
      case 'date':
        if (!validDate(s)) errors[f.name] = t('badDate');
        break;
      case 'datetime':
        if (localInputToIso(s) === undefined) errors[f.name] = t('badDateTime');
        break;
      case 'select':
        if (!(f.options ?? []).map(String).includes(s)) errors[f.name] = t('required');
        break;
      case 'choices':
        break;
      case 'json':
        try {
          JSON.parse(s);
        } catch {
          errors[f.name] = t('badJson');
        }
        break;
      case 'list': {
        const items = s
          .split('\n')
          .map((x) => x.trim())
          .filter(Boolean);
        const long = f.maxLength !== undefined && items.some((x) => x.length > f.maxLength!);
        if (long) errors[f.name] = t('atMostChars', { n: f.maxLength! });
        break;
      }
      default: {
        const text = String(v);
        if (f.minLength !== undefined && text.trim().length < f.minLength) errors[f.name] = t('atLeastChars', { n: f.minLength });
        else if (f.maxLength !== undefined && text.length > f.maxLength) errors[f.name] = t('atMostChars', { n: f.maxLength });
        else if (f.format === 'email' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s)) errors[f.name] = t('badEmail');
        else if (f.pattern !== undefined) {
          try {
            if (!new RegExp(f.pattern, 'u').test(text)) errors[f.name] = t('badPattern');
          } catch {
            // a pattern the browser cannot read: the server checks it
          }
        }
      }
    }
  }
  return errors;
}

/** The payload the values stand for: empty optional fields are left out, numbers and dates converted. */
export function toPayload(fields: Field[], values: FormValues): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const v = values[f.name];
    if (f.kind === 'boolean') {
      if (v === true || f.required) out[f.name] = v === true;
      continue;
    }
    if (isEmpty(v)) continue;
    const s = String(v).trim();
    switch (f.kind) {
      case 'number':
      case 'integer':
        out[f.name] = Number(s);
        break;
      case 'datetime':
        out[f.name] = localInputToIso(s) ?? s;
        break;
      case 'select': {
        const option = (f.options ?? []).find((o) => String(o) === s);
        out[f.name] = option ?? s;
        break;
      }
      case 'choices': {
        const picked = chosenOptions(s);
        out[f.name] = (f.options ?? []).filter((o) => picked.includes(String(o)));
        break;
      }
      case 'list':
        out[f.name] = s
          .split('\n')
          .map((x) => x.trim())
          .filter(Boolean);
        break;
      case 'json':
        out[f.name] = JSON.parse(s);
        break;
      case 'text':
      case 'textarea':
        out[f.name] = String(v);
        break;
      default:
        out[f.name] = s;
    }
  }
  return out;
}

/** Server issues (`path: "assignee"`) as field errors; those naming no field are returned apart. */
export function issuesToErrors(fields: Field[], issues: Array<{ path: string; message: string }>): { errors: FormErrors; other: string[] } {
  const names = new Set(fields.map((f) => f.name));
  const errors: FormErrors = {};
  const other: string[] = [];
  for (const i of issues) {
    const first = i.path.split(/[.[]/)[0] ?? '';
    if (names.has(first)) errors[first] = errors[first] ? `${errors[first]}; ${i.message}` : i.message;
    else other.push(i.path ? `${i.path}: ${i.message}` : i.message);
  }
  return { errors, other };
}
