/**
 * A customer's grades: the value grade (high, medium, low) and the intention grade (A, B, C), the
 * history of every change (who, in which role, when, from what to what, why), and for the roles the
 * API lets grade this customer a form to change them with a reason.
 */
import { useState } from 'preact/hooks';
import { answered, api } from '../../api';
import { roleLabel } from '../../i18n';
import type { Customer, GradeChange } from '../../types';
import { useApp } from '../../ui';
import { INTENTION_GRADES, VALUE_GRADES } from '../../../../engine/customers';
import { FieldBox, FormFailure, invalidAttrs, issuesByField, type FieldErrors, PanelHeading, FormButtons } from './form-bits';

export interface GradePanelProps {
  customer: Customer;
  history: GradeChange[];
  /** May the role grade this customer (a sales rep: one they own). */
  canGrade: boolean;
  /** A sales rep who does not own the customer: told whom to ask. */
  notOwner: boolean;
  onChanged: () => void;
}

/** A grade's label: `value_high` → "High", `intention_A` → "A". */
function useGradeLabel() {
  const { t } = useApp();
  return (kind: 'value' | 'intention', grade: string | null) => {
    if (grade === null) return t('notGraded');
    return kind === 'value' && (VALUE_GRADES as readonly string[]).includes(grade)
      ? t(`value_${grade as (typeof VALUE_GRADES)[number]}`)
      : kind === 'intention' && (INTENTION_GRADES as readonly string[]).includes(grade)
        ? t(`intention_${grade as (typeof INTENTION_GRADES)[number]}`)
        : grade;
  };
}

export function GradePanel({ customer, history, canGrade, notOwner, onChanged }: GradePanelProps) {
  const { t, lang, time } = useApp();
  const label = useGradeLabel();
  const [open, setOpen] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <section class="grade-panel" data-testid="grades">
      <PanelHeading
        title={t('grades')}
        show={canGrade && !open}
        action="change-grades"
        label={t('changeGrades')}
        onOpen={() => {
          setNotice(null);
          setOpen(true);
        }}
      />
      <dl class="facts grades-now">
        <dt>{t('valueGrade')}</dt>
        <dd data-testid="value-grade" data-grade={customer.valueGrade ?? ''}>
          <span class={`grade ${customer.valueGrade ? 'set' : 'unset'}`}>{label('value', customer.valueGrade)}</span>
        </dd>
        <dt>{t('intentionGrade')}</dt>
        <dd data-testid="intention-grade" data-grade={customer.intentionGrade ?? ''}>
          <span class={`grade ${customer.intentionGrade ? 'set' : 'unset'}`}>{label('intention', customer.intentionGrade)}</span>
        </dd>
      </dl>
      {notice && (
        <div class="alert ok" role="status">
          {notice}
        </div>
      )}
      {notOwner && <p class="muted small">{t('gradeOnlyOwn')}</p>}
      {canGrade && open && (
        <GradeForm
          customer={customer}
          onCancel={() => setOpen(false)}
          onDone={() => {
            setOpen(false);
            setNotice(t('gradeChanged'));
            onChanged();
          }}
        />
      )}
      <h3>{t('gradeHistory')}</h3>
      {history.length === 0 ? (
        <p class="muted">{t('noGradeChanges')}</p>
      ) : (
        <ol class="timeline grade-history">
          {history.map((g, i) => (
            <li key={`${g.at}-${g.grade}-${i}`} data-grade-change={g.grade}>
              <div class="when">{time(g.at)}</div>
              <div>
                <strong>{t(`gradeKind_${g.grade}`)}</strong>: {label(g.grade, g.from)} → {label(g.grade, g.to)} · {g.by.userId}{' '}
                <span class="muted small">({roleLabel(g.by.role, lang)})</span>
              </div>
              <div class="contact-summary">{g.reason}</div>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function GradeForm({ customer, onCancel, onDone }: { customer: Customer; onCancel: () => void; onDone: () => void }) {
  const { t } = useApp();
  const label = useGradeLabel();
  const [value, setValue] = useState('');
  const [intention, setIntention] = useState('');
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<{ error?: unknown; title?: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const found: FieldErrors = {};
    if (value === '' && intention === '') found.value = found.intention = t('chooseAGrade');
    if (value !== '' && value === customer.valueGrade) found.value = t('gradeSameAsNow');
    if (intention !== '' && intention === customer.intentionGrade) found.intention = t('gradeSameAsNow');
    if (reason.trim() === '') found.reason = t('required');
    setErrors(found);
    if (Object.keys(found).length > 0) {
      setFailure({ title: t('fixFields') });
      return;
    }
    setFailure(null);
    setBusy(true);
    try {
      await answered(
        api.POST('/customers/{customerId}/grade', {
          params: { path: { customerId: customer.customerId } },
          body: {
            ...(value !== '' && { value: value as (typeof VALUE_GRADES)[number] }),
            ...(intention !== '' && { intention: intention as (typeof INTENTION_GRADES)[number] }),
            reason: reason.trim(),
          },
        }),
      );
      onDone();
    } catch (err) {
      setErrors(issuesByField(err));
      setFailure({ error: err });
    } finally {
      setBusy(false);
    }
  };

  const choice = (kind: 'value' | 'intention', current: string, set: (v: string) => void, grades: readonly string[]) => {
    const id = `grade-${kind}`;
    return (
      <FieldBox id={id} label={kind === 'value' ? t('valueGrade') : t('intentionGrade')} error={errors[kind]}>
        <select id={id} name={kind} value={current} {...invalidAttrs(id, errors[kind])} onChange={(e) => set(e.currentTarget.value)}>
          <option value="">{t('unchanged')}</option>
          {grades.map((g) => (
            <option key={g} value={g}>
              {label(kind, g)}
            </option>
          ))}
        </select>
      </FieldBox>
    );
  };

  return (
    <form class="panel grade-form" data-form="grade" onSubmit={(e) => void submit(e)} noValidate>
      {failure && <FormFailure error={failure.error} title={failure.title} />}
      <div class="form-grid">
        {choice('value', value, setValue, VALUE_GRADES)}
        {choice('intention', intention, setIntention, INTENTION_GRADES)}
      </div>
      <FieldBox id="grade-reason" label={t('gradeReason')} required hint={t('gradeReasonHint')} error={errors.reason}>
        <textarea
          id="grade-reason"
          name="reason"
          rows={2}
          maxLength={2000}
          value={reason}
          {...invalidAttrs('grade-reason', errors.reason)}
          onInput={(e) => setReason(e.currentTarget.value)}
        />
      </FieldBox>
      <FormButtons action="save-grades" label={t('changeGrades')} busy={busy} onCancel={onCancel} />
    </form>
  );
}
