/** The pieces of the customer forms: a labelled field with its message, and a refusal's message with the fields it names. */
import type { ComponentChildren } from 'preact';
import { ApiFailure, describeError } from '../../api';
import { useApp } from '../../ui';

/** Messages by field path (`name`, `contacts.0.email`), from the form's own checks or the API's issues. */
export type FieldErrors = Record<string, string>;

export function FieldBox(props: {
  id: string;
  label: string;
  required?: boolean;
  hint?: string;
  error?: string | undefined;
  children: ComponentChildren;
}) {
  const { t } = useApp();
  return (
    <div class={`field${props.error ? ' invalid' : ''}`}>
      <label for={props.id}>
        {props.label}
        {props.required && (
          <span class="req" title={t('requiredMark')}>
            {' '}
            *
          </span>
        )}
      </label>
      {props.children}
      {props.hint && <div class="hint">{props.hint}</div>}
      {props.error && (
        <div class="field-error" id={`${props.id}-error`}>
          {props.error}
        </div>
      )}
    </div>
  );
}

/** The attributes that tie an input to its message. */
export const invalidAttrs = (id: string, error: string | undefined) =>
  error ? { 'aria-invalid': 'true' as const, 'aria-describedby': `${id}-error` } : {};

/** The API's issues of a refused body by field path (`body.contacts.0.email` → `contacts.0.email`). */
export function issuesByField(err: unknown): FieldErrors {
  if (!(err instanceof ApiFailure)) return {};
  const out: FieldErrors = {};
  for (const i of err.issues) {
    const path = i.path.replace(/^body\.?/, '');
    if (path !== '') out[path] = out[path] ? `${out[path]}; ${i.message}` : i.message;
  }
  return out;
}

/**
 * Above a form: a refusal or failure in plain words with the server's explanation; or, given a
 * `title`, that alone (the form's own message, or the page's words for a refusal it knows).
 */
export function FormFailure({ error, title }: { error?: unknown; title?: string }) {
  const { lang } = useApp();
  if (!error && !title) return null;
  const described = error ? describeError(error, lang) : { title: '', detail: '', code: 'Form' };
  const d = title === undefined ? described : { ...described, detail: '' };
  return (
    <div class="alert error" role="alert" data-code={d.code}>
      <strong>{title ?? d.title}</strong>
      {d.detail && <div class="detail">{d.detail}</div>}
    </div>
  );
}

/** A panel's heading with the button that opens its form, shown where `show` holds. */
export function PanelHeading(props: { title: string; show: boolean; action: string; label: string; onOpen: () => void }) {
  return (
    <div class="heading">
      <h2>{props.title}</h2>
      {props.show && (
        <button type="button" data-action={props.action} onClick={props.onOpen}>
          {props.label}
        </button>
      )}
    </div>
  );
}

/** A form's submit and cancel buttons, both off while it is sending. */
export function FormButtons(props: { action: string; label: string; busy: boolean; onCancel: () => void }) {
  const { t } = useApp();
  return (
    <div class="buttons">
      <button type="submit" class="primary" data-action={props.action} disabled={props.busy}>
        {props.label}
      </button>
      <button type="button" onClick={props.onCancel} disabled={props.busy}>
        {t('cancel')}
      </button>
    </div>
  );
}
