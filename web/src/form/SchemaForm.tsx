/** A form generated from a JSON Schema: required fields marked, enums as choices, dates as date pickers, messages per field. */
import { useMemo, useState } from 'preact/hooks';
import { ApiFailure, describeError } from '../api';
import { translate, type Lang } from '../i18n';
import {
  chosenOptions,
  fieldLabel,
  fieldsOf,
  initialValues,
  issuesToErrors,
  optionLabel,
  toPayload,
  validate,
  type Field,
  type FormErrors,
  type FormValues,
} from './schema';

export interface SchemaFormProps {
  schema: Record<string, unknown> | undefined;
  lang: Lang;
  submitLabel: string;
  /** Sends the payload; a thrown ApiFailure is shown in the form, with the entered values kept. */
  onSubmit: (payload: Record<string, unknown>) => Promise<void>;
  onCancel?: () => void;
  /** A prefix for the inputs' ids, so two forms on a page do not clash. */
  idPrefix?: string;
  initial?: Record<string, unknown>;
}

export function SchemaForm(props: SchemaFormProps) {
  const { lang } = props;
  const fields = useMemo(() => fieldsOf(props.schema), [props.schema]);
  const [values, setValues] = useState<FormValues>(() => initialValues(fields, props.initial));
  const [errors, setErrors] = useState<FormErrors>({});
  const [failure, setFailure] = useState<{ title: string; detail: string; other: string[] } | null>(null);
  const [busy, setBusy] = useState(false);
  const t = (k: Parameters<typeof translate>[1]) => translate(lang, k);
  const prefix = props.idPrefix ?? 'f';

  const set = (name: string, value: string | boolean) => {
    setValues((v) => ({ ...v, [name]: value }));
    if (errors[name]) setErrors((e) => Object.fromEntries(Object.entries(e).filter(([k]) => k !== name)));
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const found = validate(fields, values, lang);
    setErrors(found);
    if (Object.keys(found).length > 0) {
      setFailure({ title: t('fixFields'), detail: '', other: [] });
      return;
    }
    setFailure(null);
    setBusy(true);
    try {
      await props.onSubmit(toPayload(fields, values));
    } catch (err) {
      const described = describeError(err, lang);
      const mapped = err instanceof ApiFailure ? issuesToErrors(fields, err.issues) : { errors: {}, other: [] };
      setErrors(mapped.errors);
      setFailure({ title: described.title, detail: described.detail, other: mapped.other });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="schema-form" onSubmit={(e) => void submit(e)} noValidate>
      {failure && (
        <div class="alert error" role="alert">
          <strong>{failure.title}</strong>
          {failure.detail && <div class="detail">{failure.detail}</div>}
          {failure.other.length > 0 && (
            <ul>
              {failure.other.map((o) => (
                <li key={o}>{o}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      {fields.map((f) => (
        <FieldInput
          key={f.name}
          field={f}
          id={`${prefix}-${f.name}`}
          lang={lang}
          value={values[f.name]}
          error={errors[f.name]}
          onChange={set}
        />
      ))}
      <div class="buttons">
        <button type="submit" class="primary" disabled={busy}>
          {props.submitLabel}
        </button>
        {props.onCancel && (
          <button type="button" onClick={props.onCancel} disabled={busy}>
            {t('cancel')}
          </button>
        )}
      </div>
    </form>
  );
}

interface FieldInputProps {
  field: Field;
  id: string;
  lang: Lang;
  value: string | boolean | undefined;
  error: string | undefined;
  onChange: (name: string, value: string | boolean) => void;
}

function FieldInput({ field: f, id, lang, value, error, onChange }: FieldInputProps) {
  const label = fieldLabel(f, lang);
  const describedBy = error ? `${id}-error` : undefined;
  const common = {
    id,
    name: f.name,
    'aria-invalid': error ? ('true' as const) : undefined,
    'aria-describedby': describedBy,
    'aria-required': f.required ? ('true' as const) : undefined,
  };
  const text = typeof value === 'string' ? value : '';
  let input;
  switch (f.kind) {
    case 'boolean':
      input = <input {...common} type="checkbox" checked={value === true} onChange={(e) => onChange(f.name, e.currentTarget.checked)} />;
      break;
    case 'select':
      input = (
        <select {...common} value={text} onChange={(e) => onChange(f.name, e.currentTarget.value)}>
          <option value="">{translate(lang, 'chooseOne')}</option>
          {(f.options ?? []).map((o) => (
            <option key={String(o)} value={String(o)}>
              {optionLabel(f, o, lang)}
            </option>
          ))}
        </select>
      );
      break;
    case 'choices': {
      const picked = chosenOptions(value);
      // Read from the boxes themselves: two clicks before a render must both count.
      const toggle = (box: HTMLInputElement) => {
        const ticked = new Set(
          Array.from(box.closest('.choices')?.querySelectorAll<HTMLInputElement>('input:checked') ?? [], (b) => b.value),
        );
        onChange(
          f.name,
          (f.options ?? [])
            .map(String)
            .filter((o) => ticked.has(o))
            .join('\n'),
        );
      };
      input = (
        <div class="choices" role="group" aria-labelledby={`${id}-label`} aria-describedby={describedBy}>
          {(f.options ?? []).map((o) => (
            <label key={String(o)} class="choice">
              <input
                type="checkbox"
                name={f.name}
                value={String(o)}
                checked={picked.includes(String(o))}
                onChange={(e) => toggle(e.currentTarget)}
              />{' '}
              {optionLabel(f, o, lang)}
            </label>
          ))}
        </div>
      );
      break;
    }
    case 'textarea':
    case 'json':
    case 'list':
      input = (
        <textarea
          {...common}
          rows={f.kind === 'json' ? 6 : 3}
          value={text}
          maxLength={f.kind === 'textarea' ? f.maxLength : undefined}
          onInput={(e) => onChange(f.name, e.currentTarget.value)}
        />
      );
      break;
    default: {
      const type =
        f.kind === 'number' || f.kind === 'integer'
          ? 'number'
          : f.kind === 'date'
            ? 'date'
            : f.kind === 'datetime'
              ? 'datetime-local'
              : 'text';
      input = (
        <input
          {...common}
          type={type}
          value={text}
          step={f.kind === 'integer' ? '1' : f.kind === 'number' ? 'any' : undefined}
          min={f.minimum}
          max={f.maximum}
          maxLength={f.kind === 'text' ? f.maxLength : undefined}
          onInput={(e) => onChange(f.name, e.currentTarget.value)}
        />
      );
    }
  }
  return (
    <div class={`field${error ? ' invalid' : ''}${f.kind === 'boolean' ? ' check' : ''}`}>
      <label for={f.kind === 'choices' ? undefined : id} id={`${id}-label`}>
        {label}
        {f.required ? (
          <span class="req" title={translate(lang, 'requiredMark')}>
            {' '}
            *
          </span>
        ) : null}
        {f.kind === 'list' ? <span class="hint"> ({translate(lang, 'onePerLine')})</span> : null}
      </label>
      {input}
      {f.description && <div class="hint">{f.description}</div>}
      {error && (
        <div class="field-error" id={`${id}-error`}>
          {error}
        </div>
      )}
    </div>
  );
}
