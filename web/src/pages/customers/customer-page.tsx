/**
 * A customer's page: the record (edited in place by the roles that keep records), the grades with
 * their history and a control to change them, a control to hand the customer over to another rep (sales
 * managers and administrators), the contact log with a form to log a contact, and the
 * timeline of every case and contact beside them (below them on a phone). What it shows is what the
 * API answers the role.
 */
import { useState } from 'preact/hooks';
import { answered, api, ApiFailure } from '../../api';
import type { CaseSummary, Customer } from '../../types';
import { Badge, ErrorBox, Loading, useApp, useLoad } from '../../ui';
import { useProcesses } from '../../processes';
import { gradesCustomer, keepsCustomers, logsContacts } from './access';
import { ContactLog } from './contact-log';
import { GradePanel } from './grade-panel';
import { PanelHeading } from './form-bits';
import { HandoverPanel, handsOver } from './handover-panel';
import { RecordForm } from './record-form';
import { CaseList, openableCases, Timeline } from './timeline';

/** The record with its grade history; null when the customer has none (cases may name an id without one). */
async function loadCustomer(customerId: string) {
  try {
    return await answered(api.GET('/customers/{customerId}', { params: { path: { customerId } } }));
  } catch (err) {
    if (err instanceof ApiFailure && err.status === 404) return null;
    throw err;
  }
}

export function CustomerPage({ customerId }: { customerId: string }) {
  const { t, me } = useApp();
  const load = useLoad(() => loadCustomer(customerId), [customerId]);
  const processes = useProcesses();
  const [cases, setCases] = useState<CaseSummary[] | undefined>(undefined);
  // The timeline lists the newest cases; "show more" reads the rest a page at a time.
  const [casesCursor, setCasesCursor] = useState<string | null>(null);
  const [moreCasesError, setMoreCasesError] = useState<unknown>(null);
  const moreCases = async () => {
    if (casesCursor === null) return;
    setMoreCasesError(null);
    try {
      const page = await answered(
        api.GET('/customers/{customerId}/cases', { params: { path: { customerId }, query: { cursor: casesCursor } } }),
      );
      setCases((shown) => [...(shown ?? []), ...page.cases]);
      setCasesCursor(page.nextCursor);
    } catch (err) {
      setMoreCasesError(err);
    }
  };
  const [editing, setEditing] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [timelineKey, setTimelineKey] = useState(0);
  const detail = load.data;
  const customer = detail?.customer;

  return (
    <div class="customer-layout">
      <section class="customer-main">
        <div class="heading">
          <h1 data-testid="customer-name">{customer?.name ?? customerId}</h1>
          <button
            type="button"
            onClick={() => {
              load.reload();
              setTimelineKey((n) => n + 1);
            }}
          >
            {t('reload')}
          </button>
        </div>
        <p class="subtitle">
          <span class="muted mono-id" data-testid="customer-id">
            {customerId}
          </span>{' '}
          · <a href="#/customers">{t('allCustomers')}</a>
        </p>
        {notice && (
          <div class="alert ok" role="status">
            {notice}
          </div>
        )}
        {load.error ? (
          <ErrorBox error={load.error} />
        ) : detail === undefined ? (
          <Loading />
        ) : detail === null || customer === undefined ? (
          <p class="muted" data-testid="no-record">
            {t('noRecord')}
          </p>
        ) : (
          <>
            <section class="record" data-testid="record">
              <PanelHeading
                title={t('customerRecord')}
                show={keepsCustomers(me.role) && !editing}
                action="edit-customer"
                label={t('edit')}
                onOpen={() => {
                  setNotice(null);
                  setEditing(true);
                }}
              />
              {editing ? (
                <RecordForm
                  customer={customer}
                  onCancel={() => setEditing(false)}
                  onSaved={() => {
                    setEditing(false);
                    setNotice(t('customerSaved'));
                    load.reload();
                  }}
                />
              ) : (
                <RecordView customer={customer} />
              )}
            </section>
            {handsOver(me.role) && (
              <HandoverPanel
                customer={customer}
                onMoved={() => {
                  load.reload();
                  setTimelineKey((n) => n + 1);
                }}
              />
            )}
            <GradePanel
              customer={customer}
              history={detail.gradeHistory}
              canGrade={gradesCustomer(me.role, me.userId, customer)}
              notOwner={me.role === 'sales_rep' && customer.owner !== me.userId}
              onChanged={() => {
                load.reload();
                setTimelineKey((n) => n + 1);
              }}
            />
            <ContactLog
              customerId={customerId}
              cases={cases}
              openable={openableCases(cases, processes.data)}
              canLog={logsContacts(me.role)}
              onLogged={() => setTimelineKey((n) => n + 1)}
            />
          </>
        )}
      </section>
      <aside class="customer-side">
        <h2>{t('customerCases')}</h2>
        <CaseList cases={cases} processes={processes.data} onMore={casesCursor === null ? undefined : () => void moreCases()} />
        <ErrorBox error={moreCasesError} />
        <h2>{t('timeline')}</h2>
        <p class="muted small">{t('timelineHelp')}</p>
        <Timeline
          customerId={customerId}
          processes={processes.data}
          pageSize={50}
          reloadKey={timelineKey}
          onCases={(first, next) => {
            setCases(first);
            setCasesCursor(next);
          }}
        />
      </aside>
    </div>
  );
}

function RecordView({ customer: c }: { customer: Customer }) {
  const { t, time } = useApp();
  const or = (v: string | null) => v ?? <span class="muted">—</span>;
  return (
    <>
      {c.origin === 'imported' && (
        <p>
          <Badge kind="warn">{t('importedRecord')}</Badge>
        </p>
      )}
      <dl class="facts record-facts">
        <dt>{t('customerName')}</dt>
        <dd data-field="name">{c.name}</dd>
        <dt>{t('industry')}</dt>
        <dd data-field="industry">{or(c.industry)}</dd>
        <dt>{t('customerSize')}</dt>
        <dd data-field="size">{or(c.size)}</dd>
        <dt>{t('businessScope')}</dt>
        <dd data-field="businessScope">{or(c.businessScope)}</dd>
        <dt>{t('needType')}</dt>
        <dd data-field="needType">{or(c.needType)}</dd>
        <dt>{t('owner')}</dt>
        <dd data-field="owner">{c.owner ?? <span class="muted">{t('noOwner')}</span>}</dd>
      </dl>
      <h3>{t('contactPersons')}</h3>
      {c.contacts.length === 0 ? (
        <p class="muted">{t('noContactPersons')}</p>
      ) : (
        <ul class="persons">
          {c.contacts.map((p, i) => (
            <li key={i} class="person-card" data-person={i}>
              <strong>{p.name}</strong>
              {p.position && <span class="muted"> · {p.position}</span>}
              <div class="person-ways">
                {p.phone && (
                  <span>
                    {t('personPhone')}: <a href={`tel:${p.phone.replace(/[^+0-9]/g, '')}`}>{p.phone}</a>
                  </span>
                )}
                {p.email && (
                  <span>
                    {t('personEmail')}: <a href={`mailto:${p.email}`}>{p.email}</a>
                  </span>
                )}
                {p.wechat && (
                  <span>
                    {t('personWechat')}: {p.wechat}
                  </span>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
      <p class="muted small">
        {t('createdAtBy', { at: time(c.createdAt), who: c.createdBy })} · {t('updatedAtBy', { at: time(c.updatedAt), who: c.updatedBy })}
      </p>
    </>
  );
}
