/** The parameters of a process as a form: each change is saved into the draft. */
import { useState } from 'preact/hooks';
import { ApiFailure, post } from '../../api';
import { humanize } from '../../i18n';
import type { DraftResult, ParameterSpec } from '../../types';
import { ErrorBox, useApp } from '../../ui';

/** A parameter's value as the form shows it. */
const shown = (v: unknown) =>
  v === undefined || v === null
    ? ''
    : typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
      ? String(v)
      : JSON.stringify(v);

export function ParametersForm(props: { processId: string; parameters: Record<string, ParameterSpec>; onSaved: () => void }) {
  const { t, l } = useApp();
  const entries = Object.entries(props.parameters);
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(entries.map(([k, p]) => [k, shown(p.default)])));
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  if (entries.length === 0) return <p class="muted">{t('none')}</p>;
  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      for (const [name, spec] of entries) {
        const before = shown(spec.default);
        const now = values[name] ?? '';
        if (now === before) continue;
        const value = spec.type === 'boolean' ? now === 'true' : spec.type === 'number' || spec.type === 'integer' ? Number(now) : now;
        if (typeof value === 'number' && (now.trim() === '' || !Number.isFinite(value))) {
          throw new ApiFailure(400, 'ValidationError', `${l(spec.labels, name)}: ${t('mustBeNumber')}`);
        }
        await post<DraftResult>(`/definitions/${props.processId}/parameters`, { name, value });
      }
      props.onSaved();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="parameters" onSubmit={(e) => void save(e)}>
      <ErrorBox error={error} />
      {entries.map(([name, spec]) => (
        <div class="field" key={name}>
          <label for={`param-${name}`}>
            {l(spec.labels, humanize(name))}{' '}
            <span class="muted small">
              ({name}
              {spec.unit ? `, ${spec.unit}` : ''})
            </span>
          </label>
          {spec.type === 'boolean' ? (
            <select id={`param-${name}`} value={values[name]} onChange={(e) => setValues({ ...values, [name]: e.currentTarget.value })}>
              <option value="true">{t('yes')}</option>
              <option value="false">{t('no')}</option>
            </select>
          ) : (
            <input
              id={`param-${name}`}
              type={spec.type === 'number' || spec.type === 'integer' ? 'number' : 'text'}
              min={spec.minimum}
              max={spec.maximum}
              step={spec.type === 'integer' ? '1' : 'any'}
              value={values[name]}
              onInput={(e) => setValues({ ...values, [name]: e.currentTarget.value })}
            />
          )}
        </div>
      ))}
      <button type="submit" class="primary" disabled={busy} data-action="save-parameters">
        {t('saveParameters')}
      </button>
    </form>
  );
}
