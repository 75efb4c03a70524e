/**
 * A customer record's form, to create one or edit one: the id (new records only), the name, the
 * contact persons (name, position, phone, e-mail, WeChat), industry, size, business scope, need type
 * and the owning sales rep. A refusal shows its reason above the form and its messages at the fields
 * named, with the entered values kept.
 */
import { useState } from 'preact/hooks';
import { answered, api, ApiFailure } from '../../api';
import type { operations } from '../../api-types';
import type { MessageKey } from '../../i18n';
import type { ContactPerson, Customer } from '../../types';
import { useApp } from '../../ui';
import { CUSTOMER_ID_PATTERN, PHONE_PATTERN } from '../../../../engine/customers';
import { FieldBox, FormFailure, invalidAttrs, issuesByField, type FieldErrors, FormButtons } from './form-bits';

type CreateBody = operations['postCustomers']['requestBody']['content']['application/json'];
type EditBody = operations['putCustomersCustomerId']['requestBody']['content']['application/json'];

const PERSON_FIELDS = ['name', 'position', 'phone', 'email', 'wechat'] as const;
type PersonDraft = Record<(typeof PERSON_FIELDS)[number], string>;
const PERSON_LABELS: Record<keyof PersonDraft, MessageKey> = {
  name: 'personName',
  position: 'personPosition',
  phone: 'personPhone',
  email: 'personEmail',
  wechat: 'personWechat',
};
const PERSON_INPUT: Record<keyof PersonDraft, { type: string; autocomplete: string; inputMode?: 'tel' | 'email' }> = {
  name: { type: 'text', autocomplete: 'off' },
  position: { type: 'text', autocomplete: 'off' },
  phone: { type: 'tel', autocomplete: 'off', inputMode: 'tel' },
  email: { type: 'email', autocomplete: 'off', inputMode: 'email' },
  wechat: { type: 'text', autocomplete: 'off' },
};

/** The single-line and long text fields of a record, in the order the form shows them. */
const TEXT_FIELDS = ['industry', 'size', 'businessScope', 'needType'] as const;
const TEXT_LABELS: Record<(typeof TEXT_FIELDS)[number], MessageKey> = {
  industry: 'industry',
  size: 'customerSize',
  businessScope: 'businessScope',
  needType: 'needType',
};
const TEXT_MAX: Record<(typeof TEXT_FIELDS)[number], number> = { industry: 100, size: 100, businessScope: 1000, needType: 200 };

interface Draft {
  customerId: string;
  name: string;
  contacts: PersonDraft[];
  industry: string;
  size: string;
  businessScope: string;
  needType: string;
  owner: string;
}

const emptyPerson = (): PersonDraft => ({ name: '', position: '', phone: '', email: '', wechat: '' });

function draftOf(c: Customer | undefined): Draft {
  return {
    customerId: c?.customerId ?? '',
    name: c?.name ?? '',
    contacts: (c?.contacts ?? []).map((p) => ({ ...emptyPerson(), ...p })),
    industry: c?.industry ?? '',
    size: c?.size ?? '',
    businessScope: c?.businessScope ?? '',
    needType: c?.needType ?? '',
    owner: c?.owner ?? '',
  };
}

/** The contact persons as the API takes them: trimmed, empty fields left out, empty persons dropped. */
function personsOf(d: Draft): ContactPerson[] {
  return d.contacts
    .map((p) => Object.fromEntries(PERSON_FIELDS.map((f) => [f, p[f].trim()]).filter(([, v]) => v !== '')) as Partial<ContactPerson>)
    .filter((p) => Object.keys(p).length > 0) as ContactPerson[];
}

const textOrNull = (v: string) => (v.trim() === '' ? null : v.trim());

/** What the form checks before sending (the API checks again): the name, the id's form, each person's name, phone and e-mail. */
function check(d: Draft, isNew: boolean, t: (k: MessageKey) => string): FieldErrors {
  const errors: FieldErrors = {};
  if (d.name.trim() === '') errors.name = t('required');
  if (isNew && d.customerId.trim() !== '' && !CUSTOMER_ID_PATTERN.test(d.customerId.trim())) errors.customerId = t('badCustomerId');
  d.contacts.forEach((p, i) => {
    if (p.name.trim() === '') errors[`contacts.${i}.name`] = t('required');
    if (p.phone.trim() !== '' && !PHONE_PATTERN.test(p.phone.trim())) errors[`contacts.${i}.phone`] = t('badPhone');
    if (p.email.trim() !== '' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(p.email.trim())) errors[`contacts.${i}.email`] = t('badEmail');
  });
  return errors;
}

function createBody(d: Draft): CreateBody {
  return {
    ...(d.customerId.trim() !== '' && { customerId: d.customerId.trim() }),
    name: d.name.trim(),
    contacts: personsOf(d),
    ...Object.fromEntries(TEXT_FIELDS.map((f) => [f, textOrNull(d[f])]).filter(([, v]) => v !== null)),
    ...(d.owner.trim() !== '' && { owner: d.owner.trim() }),
  };
}

/** The fields that differ from the record (an emptied field is cleared); empty when nothing changed. */
function editBody(d: Draft, c: Customer): EditBody {
  const body: EditBody = {};
  if (d.name.trim() !== c.name) body.name = d.name.trim();
  const persons = personsOf(d);
  if (JSON.stringify(persons) !== JSON.stringify(c.contacts)) body.contacts = persons;
  for (const f of TEXT_FIELDS) if (textOrNull(d[f]) !== c[f]) body[f] = textOrNull(d[f]);
  if (textOrNull(d.owner) !== c.owner) body.owner = textOrNull(d.owner);
  return body;
}

export interface RecordFormProps {
  /** The record to edit; none: a new one. */
  customer?: Customer;
  onSaved: (saved: Customer) => void;
  onCancel: () => void;
}

export function RecordForm({ customer, onSaved, onCancel }: RecordFormProps) {
  const { t, me } = useApp();
  const isNew = customer === undefined;
  const [draft, setDraft] = useState<Draft>(() => draftOf(customer));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<{ error?: unknown; title?: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const prefix = isNew ? 'new-customer' : 'edit-customer';

  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const setPerson = (i: number, field: keyof PersonDraft, value: string) =>
    setDraft((d) => ({ ...d, contacts: d.contacts.map((p, n) => (n === i ? { ...p, [field]: value } : p)) }));

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    // Persons left empty are dropped first, so that the API's issues (contacts.<n>.…) name the rows shown.
    const compact = { ...draft, contacts: draft.contacts.filter((p) => PERSON_FIELDS.some((f) => p[f].trim() !== '')) };
    setDraft(compact);
    const found = check(compact, isNew, t);
    setErrors(found);
    if (Object.keys(found).length > 0) {
      setFailure({ title: t('fixFields') });
      return;
    }
    const patch = isNew ? undefined : editBody(compact, customer);
    if (patch && Object.keys(patch).length === 0) {
      setFailure({ title: t('nothingChanged') });
      return;
    }
    setFailure(null);
    setBusy(true);
    try {
      const saved = isNew
        ? await answered(api.POST('/customers', { body: createBody(compact) }))
        : await answered(api.PUT('/customers/{customerId}', { params: { path: { customerId: customer.customerId } }, body: patch! }));
      onSaved(saved);
    } catch (err) {
      const taken = err instanceof ApiFailure && err.code === 'Conflict';
      setErrors({ ...issuesByField(err), ...(taken && { customerId: t('idTaken') }) });
      setFailure({ error: err, ...(taken && { title: t('errCustomerExists') }) });
    } finally {
      setBusy(false);
    }
  };

  const text = (
    field: 'name' | 'owner' | (typeof TEXT_FIELDS)[number],
    label: MessageKey,
    options: { required?: boolean; hint?: string } = {},
  ) => {
    const id = `${prefix}-${field}`;
    const long = field === 'businessScope';
    const common = {
      id,
      name: field,
      value: draft[field],
      maxLength: field === 'name' ? 200 : field === 'owner' ? 200 : TEXT_MAX[field],
      ...invalidAttrs(id, errors[field]),
      onInput: (e: { currentTarget: HTMLInputElement | HTMLTextAreaElement }) => set({ [field]: e.currentTarget.value }),
    };
    return (
      <FieldBox id={id} label={t(label)} required={options.required} hint={options.hint} error={errors[field]}>
        {long ? <textarea rows={3} {...common} /> : <input type="text" autocomplete="off" {...common} />}
      </FieldBox>
    );
  };

  return (
    <form class="panel customer-form" data-form={isNew ? 'new-customer' : 'edit-customer'} onSubmit={(e) => void submit(e)} noValidate>
      {isNew && <h2>{t('newCustomer')}</h2>}
      {failure && <FormFailure error={failure.error} title={failure.title} />}
      <div class="form-grid">
        {isNew && (
          <FieldBox id={`${prefix}-customerId`} label={t('customerId')} hint={t('customerIdHint')} error={errors.customerId}>
            <input
              id={`${prefix}-customerId`}
              name="customerId"
              autocomplete="off"
              maxLength={64}
              value={draft.customerId}
              {...invalidAttrs(`${prefix}-customerId`, errors.customerId)}
              onInput={(e) => set({ customerId: e.currentTarget.value })}
            />
          </FieldBox>
        )}
        {text('name', 'customerName', { required: true })}
        {TEXT_FIELDS.map((f) => text(f, TEXT_LABELS[f]))}
        {text('owner', 'owner', { hint: isNew && me.role === 'sales_rep' ? t('ownerHintRep') : t('ownerHint') })}
      </div>
      <h3>{t('contactPersons')}</h3>
      {draft.contacts.map((p, i) => (
        <fieldset key={i} class="person" data-person={i}>
          <legend>{t('contactPerson', { n: i + 1 })}</legend>
          <div class="form-grid">
            {PERSON_FIELDS.map((f) => {
              const id = `${prefix}-contacts-${i}-${f}`;
              const error = errors[`contacts.${i}.${f}`];
              return (
                <FieldBox key={f} id={id} label={t(PERSON_LABELS[f])} required={f === 'name'} error={error}>
                  <input
                    id={id}
                    name={`contacts.${i}.${f}`}
                    type={PERSON_INPUT[f].type}
                    autocomplete={PERSON_INPUT[f].autocomplete}
                    inputMode={PERSON_INPUT[f].inputMode}
                    maxLength={f === 'email' ? 200 : f === 'phone' ? 32 : 100}
                    value={p[f]}
                    {...invalidAttrs(id, error)}
                    onInput={(e) => setPerson(i, f, e.currentTarget.value)}
                  />
                </FieldBox>
              );
            })}
          </div>
          <button type="button" data-action="remove-person" onClick={() => set({ contacts: draft.contacts.filter((_, n) => n !== i) })}>
            {t('removeContactPerson')}
          </button>
        </fieldset>
      ))}
      <div class="buttons">
        <button type="button" data-action="add-person" onClick={() => set({ contacts: [...draft.contacts, emptyPerson()] })}>
          {t('addContactPerson')}
        </button>
      </div>
      <FormButtons action="save-customer" label={isNew ? t('create') : t('save')} busy={busy} onCancel={onCancel} />
    </form>
  );
}
