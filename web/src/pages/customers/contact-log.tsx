/**
 * A customer's contact log (电话联系登记表): every call, e-mail, message and visit, in and out,
 * newest first, a page at a time; and, for any staff role, a form to log one.
 */
import { useState } from 'preact/hooks';
import { answered, api } from '../../api';
import { MoreLine, usePages } from '../../components/paged-list';
import type { CaseSummary, Contact } from '../../types';
import { Show, useApp } from '../../ui';
import { CONTACT_CHANNELS, CONTACT_DIRECTIONS } from '../../../../engine/customers';
import { FieldBox, FormFailure, invalidAttrs, issuesByField, type FieldErrors, PanelHeading, FormButtons } from './form-bits';
import { ContactLine } from './contact-line';

const PAGE = 20;

export interface ContactLogProps {
  customerId: string;
  /** The customer's cases, to say which one a contact was about. */
  cases: CaseSummary[] | undefined;
  /** The ids of the cases the role may open: these link to their page. */
  openable: Set<string>;
  canLog: boolean;
  /** After a contact is logged (the timeline reads itself again). */
  onLogged: () => void;
}

export function ContactLog({ customerId, cases, openable, canLog, onLogged }: ContactLogProps) {
  const { t, time } = useApp();
  const [reloadKey, setReloadKey] = useState(0);
  const [open, setOpen] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const pages = usePages<Contact>(JSON.stringify([customerId, reloadKey]), async (cursor) => {
    const page = await answered(
      api.GET('/customers/{customerId}/contacts', {
        params: { path: { customerId }, query: { limit: PAGE, ...(cursor !== undefined && { cursor }) } },
      }),
    );
    return { items: page.contacts, nextCursor: page.nextCursor };
  });
  const caseLink = (id: string) => (openable.has(id) ? <a href={`#/cases/${encodeURIComponent(id)}`}>{id}</a> : id);
  return (
    <section class="contact-log" data-testid="contact-log">
      <PanelHeading
        title={t('contactLog')}
        show={canLog && !open}
        action="log-contact"
        label={t('logContact')}
        onOpen={() => {
          setNotice(null);
          setOpen(true);
        }}
      />
      {notice && (
        <div class="alert ok" role="status">
          {notice}
        </div>
      )}
      {canLog && open && (
        <ContactForm
          customerId={customerId}
          cases={cases}
          onCancel={() => setOpen(false)}
          onLogged={() => {
            setOpen(false);
            setNotice(t('contactLogged'));
            setReloadKey((n) => n + 1);
            onLogged();
          }}
        />
      )}
      <Show load={pages.load}>
        {(contacts) =>
          contacts.length === 0 ? (
            <p class="muted">{t('noContactsYet')}</p>
          ) : (
            <ol class="timeline contacts">
              {contacts.map((c) => (
                <li key={c.id} class="contact" data-contact={c.id}>
                  <div class="when">{time(c.at)}</div>
                  <ContactLine contact={c} caseLink={caseLink} />
                </li>
              ))}
            </ol>
          )
        }
      </Show>
      <MoreLine pages={pages} testId="contacts-count" />
    </section>
  );
}

/** A `datetime-local` value (the browser's local time) as an ISO instant. */
const instantOf = (local: string): string => new Date(local).toISOString();

function ContactForm(props: { customerId: string; cases: CaseSummary[] | undefined; onCancel: () => void; onLogged: () => void }) {
  const { t } = useApp();
  const [channel, setChannel] = useState('');
  const [direction, setDirection] = useState('');
  const [summary, setSummary] = useState('');
  const [at, setAt] = useState('');
  const [caseId, setCaseId] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<{ error?: unknown; title?: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const found: FieldErrors = {};
    if (channel === '') found.channel = t('required');
    if (direction === '') found.direction = t('required');
    if (summary.trim() === '') found.summary = t('required');
    if (at !== '' && Number.isNaN(new Date(at).getTime())) found.at = t('badDateTime');
    setErrors(found);
    if (Object.keys(found).length > 0) {
      setFailure({ title: t('fixFields') });
      return;
    }
    setFailure(null);
    setBusy(true);
    try {
      await answered(
        api.POST('/customers/{customerId}/contacts', {
          params: { path: { customerId: props.customerId } },
          body: {
            channel: channel as Contact['channel'],
            direction: direction as Contact['direction'],
            summary: summary.trim(),
            ...(at !== '' && { at: instantOf(at) }),
            ...(caseId !== '' && { caseId }),
          },
        }),
      );
      props.onLogged();
    } catch (err) {
      setErrors(issuesByField(err));
      setFailure({ error: err });
    } finally {
      setBusy(false);
    }
  };

  const select = (id: string, name: string, value: string, set: (v: string) => void, options: Array<[string, string]>) => (
    <select id={id} name={name} value={value} {...invalidAttrs(id, errors[name])} onChange={(e) => set(e.currentTarget.value)}>
      <option value="">{t('chooseOne')}</option>
      {options.map(([v, label]) => (
        <option key={v} value={v}>
          {label}
        </option>
      ))}
    </select>
  );

  return (
    <form class="panel contact-form" data-form="contact" onSubmit={(e) => void submit(e)} noValidate>
      <h3>{t('logContact')}</h3>
      {failure && <FormFailure error={failure.error} title={failure.title} />}
      <div class="form-grid">
        <FieldBox id="contact-channel" label={t('channel')} required error={errors.channel}>
          {select(
            'contact-channel',
            'channel',
            channel,
            setChannel,
            CONTACT_CHANNELS.map((c) => [c, t(`channel_${c}`)]),
          )}
        </FieldBox>
        <FieldBox id="contact-direction" label={t('direction')} required error={errors.direction}>
          {select(
            'contact-direction',
            'direction',
            direction,
            setDirection,
            CONTACT_DIRECTIONS.map((d) => [d, t(`direction_${d}`)]),
          )}
        </FieldBox>
        <FieldBox id="contact-at" label={t('contactAt')} hint={t('contactAtHint')} error={errors.at}>
          <input
            id="contact-at"
            name="at"
            type="datetime-local"
            value={at}
            {...invalidAttrs('contact-at', errors.at)}
            onInput={(e) => setAt(e.currentTarget.value)}
          />
        </FieldBox>
        {(props.cases ?? []).length > 0 && (
          <FieldBox id="contact-case" label={t('contactCase')} error={errors.caseId}>
            <select id="contact-case" name="caseId" value={caseId} onChange={(e) => setCaseId(e.currentTarget.value)}>
              <option value="">{t('noCase')}</option>
              {(props.cases ?? []).map((c) => (
                <option key={c.caseId} value={c.caseId}>
                  {c.caseId}
                </option>
              ))}
            </select>
          </FieldBox>
        )}
      </div>
      <FieldBox id="contact-summary" label={t('contactSummary')} required error={errors.summary}>
        <textarea
          id="contact-summary"
          name="summary"
          rows={3}
          maxLength={4000}
          value={summary}
          {...invalidAttrs('contact-summary', errors.summary)}
          onInput={(e) => setSummary(e.currentTarget.value)}
        />
      </FieldBox>
      <FormButtons action="save-contact" label={t('logContact')} busy={busy} onCancel={props.onCancel} />
    </form>
  );
}
