/**
 * Handing one customer over to another sales rep (POST /customers/handover), for the roles the API
 * accepts it from: the new rep's user id and a reason; then what moved (the owner, the cases whose
 * tasks were reassigned, the cases not moved and why). A refusal shows its reason and changes nothing.
 */
import { useState } from 'preact/hooks';
import { answered, api, ApiFailure, newKey } from '../../api';
import type { components } from '../../api-types';
import type { Customer } from '../../types';
import { useApp } from '../../ui';
import { FieldBox, FormFailure, invalidAttrs, issuesByField, type FieldErrors, PanelHeading, FormButtons } from './form-bits';

type CustomerHandover = components['schemas']['CustomerHandover'];

/** The roles POST /customers/handover accepts (api/routes/handovers.ts). */
export const HANDOVER_ROLES = ['sales_manager', 'admin'];
export const handsOver = (role: string) => HANDOVER_ROLES.includes(role);

export function HandoverPanel({ customer, onMoved }: { customer: Customer; onMoved: () => void }) {
  const { t } = useApp();
  const [open, setOpen] = useState(false);
  const [result, setResult] = useState<{ report: CustomerHandover; to: string } | null>(null);
  const owner = customer.owner;
  return (
    <section class="handover-panel" data-testid="handover">
      <PanelHeading
        title={t('handover')}
        show={owner !== null && !open}
        action="hand-over"
        label={t('handOver')}
        onOpen={() => {
          setResult(null);
          setOpen(true);
        }}
      />
      {owner === null && <p class="muted small">{t('handoverNoOwner')}</p>}
      {result && <HandoverResult result={result.report} to={result.to} />}
      {owner !== null && open && (
        <HandoverForm
          customerId={customer.customerId}
          from={owner}
          onCancel={() => setOpen(false)}
          onDone={(report, to) => {
            setOpen(false);
            setResult({ report, to });
            onMoved();
          }}
        />
      )}
    </section>
  );
}

function HandoverResult({ result: r, to }: { result: CustomerHandover; to: string }) {
  const { t } = useApp();
  return (
    <div class="alert ok handover-result" role="status" data-testid="handover-result">
      <strong>
        {r.owner === 'moved' ? t('handoverOwnerMoved', { from: r.previousOwner ?? '—', to }) : t('handoverOwnerAlready', { to })}
      </strong>
      <div data-testid="handover-moved">
        {t('handoverCasesMoved', { n: r.moved.length })}
        {r.moved.length > 0 && (
          <ul>
            {r.moved.map((m) => (
              <li key={m.caseId} data-case={m.caseId}>
                <a href={`#/cases/${encodeURIComponent(m.caseId)}`}>{m.caseId}</a>
                {m.task && <span class="muted small"> · {m.task}</span>}
              </li>
            ))}
          </ul>
        )}
      </div>
      <div data-testid="handover-not-moved">
        {t('handoverCasesNotMoved', { n: r.notMoved.length })}
        {r.notMoved.length > 0 && (
          <ul>
            {r.notMoved.map((m) => (
              <li key={m.caseId} data-case={m.caseId}>
                <a href={`#/cases/${encodeURIComponent(m.caseId)}`}>{m.caseId}</a>: {m.reason}
                {m.retry && <span class="muted small"> · {t('handoverRetry')}</span>}
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}

function HandoverForm(props: {
  customerId: string;
  from: string;
  onCancel: () => void;
  onDone: (r: CustomerHandover, to: string) => void;
}) {
  const { t } = useApp();
  const [to, setTo] = useState('');
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<{ error?: unknown; title?: string } | null>(null);
  const [busy, setBusy] = useState(false);
  // A retried send after a lost answer applies once; a refusal changed nothing, so the next send gets a new key.
  const [key, setKey] = useState(newKey);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const found: FieldErrors = {};
    if (to.trim() === '') found.to = t('required');
    else if (to.trim() === props.from) found.to = t('handoverSameRep');
    setErrors(found);
    if (Object.keys(found).length > 0) {
      setFailure({ title: t('fixFields') });
      return;
    }
    setFailure(null);
    setBusy(true);
    try {
      const res = await answered(
        api.POST('/customers/handover', {
          params: { header: { 'Idempotency-Key': key } },
          body: {
            from: props.from,
            to: to.trim(),
            customers: [props.customerId],
            ...(reason.trim() !== '' && { reason: reason.trim() }),
          },
        }),
      );
      const mine = res.customers.find((c) => c.customerId === props.customerId);
      if (mine) props.onDone(mine, res.handover?.to ?? to.trim());
    } catch (err) {
      if (err instanceof ApiFailure) setKey(newKey());
      setErrors(issuesByField(err));
      // The API's words for an unknown user speak of tasks: this page's say what the refusal means here.
      setFailure(err instanceof ApiFailure && err.code === 'UnknownUser' ? { title: t('handoverRefused') } : { error: err });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="panel handover-form" data-form="handover" onSubmit={(e) => void submit(e)} noValidate>
      {failure && <FormFailure error={failure.error} title={failure.title} />}
      <p class="muted small">{t('handoverFrom', { from: props.from })}</p>
      <FieldBox id="handover-to" label={t('handoverTo')} required hint={t('handoverToHint')} error={errors.to}>
        <input
          id="handover-to"
          name="to"
          autocomplete="off"
          maxLength={200}
          value={to}
          {...invalidAttrs('handover-to', errors.to)}
          onInput={(e) => setTo(e.currentTarget.value)}
        />
      </FieldBox>
      <FieldBox id="handover-reason" label={t('handoverReason')} error={errors.reason}>
        <textarea
          id="handover-reason"
          name="reason"
          rows={2}
          maxLength={2000}
          value={reason}
          {...invalidAttrs('handover-reason', errors.reason)}
          onInput={(e) => setReason(e.currentTarget.value)}
        />
      </FieldBox>
      <FormButtons action="save-handover" label={t('handOver')} busy={busy} onCancel={props.onCancel} />
    </form>
  );
}
