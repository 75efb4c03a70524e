/** Staff: the inbox, starting a case, and the case page with its diagram, deadlines, actions and the customer's timeline. */
import { CaseAnnotations } from './sampling';
import { CaseLibraryPanel } from './case-library';
import { BeyondCalendar } from '../calendar';
import { useState } from 'preact/hooks';
import { ApiFailure, get, getAll, newKey, post } from '../api';
import { SchemaForm } from '../form/SchemaForm';
import { caseFieldsByName, eventFieldsByName, fieldTitle, valueText } from '../form/labels';
import { humanize, roleLabel, type MessageKey } from '../i18n';
import type { operations } from '../api-types';
import { ListTable, LoadedList } from '../components/list-table';
import { MoreLine, ProcessOptions, usePages } from '../components/paged-list';
import { IncidentBanner, OPERATOR_ROLE } from '../incidents';
import { readsCustomers, Timeline } from './customers';
import { useProcesses } from '../processes';
import { TasksPanel } from '../tasks';
import type { CaseView, DefinitionLabels, InboxItem, Transition } from '../types';
import { Badge, Diagram, ErrorBox, eventLabelOf, PayloadText, Show, useApp, useLoad } from '../ui';
import { ownValue } from '../../../engine/own';
import type { PayloadField } from '../../../engine/payload-labels';
import { WORK_KEY } from '../../../engine/work-types';

type InboxPage = operations['getInbox']['responses'][200]['content']['application/json'];
type InboxQuery = NonNullable<operations['getInbox']['parameters']['query']>;
type InboxView = InboxPage['view'];
interface InboxFilters {
  process?: string;
  state?: string;
  customer?: string;
  overdue?: 'true' | 'false';
}

const VIEWS: Array<{ view: InboxView; key: MessageKey }> = [
  { view: 'actionable', key: 'viewActionable' },
  { view: 'assigned', key: 'viewAssigned' },
  { view: 'claimable', key: 'viewClaimable' },
  { view: 'started', key: 'viewStarted' },
  { view: 'done', key: 'viewDone' },
  { view: 'cc', key: 'viewCc' },
];

/** Cases a page: a phone's screenful or two; "show more" reads the next page by its cursor. */
const INBOX_PAGE = 20;

function inboxPath(query: InboxQuery): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') q.set(k, String(v));
  return `/inbox?${q.toString()}`;
}

/** The inbox: one view at a time, filtered, the first page loaded and "show more" adding the next by its cursor. */
export function Inbox() {
  const { t, l, time, navigate } = useApp();
  const [view, setView] = useState<InboxView>('actionable');
  const [filters, setFilters] = useState<InboxFilters>({});
  const pages = usePages<InboxItem>(JSON.stringify([view, filters]), (cursor) =>
    get<InboxPage>(inboxPath({ view, ...filters, limit: INBOX_PAGE, ...(cursor !== undefined && { cursor }) })),
  );
  const processes = useProcesses();
  const byId = new Map((processes.data ?? []).map((p) => [p.processId, p]));
  const chosen = filters.process === undefined ? undefined : byId.get(filters.process);
  return (
    <section class="inbox-page">
      <div class="heading">
        <h1>{t('inbox')}</h1>
        <button onClick={pages.reload}>{t('reload')}</button>
      </div>
      <div class="view-tabs" role="tablist" aria-label={t('inboxViews')}>
        {VIEWS.map((v) => (
          <button
            key={v.view}
            role="tab"
            data-view={v.view}
            aria-selected={view === v.view}
            class={view === v.view ? 'primary' : ''}
            onClick={() => setView(v.view)}
          >
            {t(v.key)}
          </button>
        ))}
      </div>
      <form
        class="filters inbox-filters"
        aria-label={t('filters')}
        onSubmit={(e) => {
          e.preventDefault();
          const data = new FormData(e.currentTarget);
          const value = (name: string) => {
            const v = data.get(name);
            return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
          };
          const overdue = value('overdue');
          setFilters({
            ...(value('process') !== undefined && { process: value('process') }),
            ...(value('state') !== undefined && { state: value('state') }),
            ...(value('customer') !== undefined && { customer: value('customer') }),
            ...((overdue === 'true' || overdue === 'false') && { overdue }),
          });
        }}
      >
        <div class="field">
          <label for="filter-process">{t('process')}</label>
          <select
            id="filter-process"
            name="process"
            value={filters.process ?? ''}
            onChange={(e) => setFilters({ ...filters, process: e.currentTarget.value || undefined, state: undefined })}
          >
            <ProcessOptions processes={processes.data} />
          </select>
        </div>
        <div class="field">
          <label for="filter-state">{t('state')}</label>
          <select id="filter-state" name="state" value={filters.state ?? ''} disabled={!chosen}>
            <option value="">{t('any')}</option>
            {Object.keys(chosen?.stateLabels ?? {}).map((s) => (
              <option key={s} value={s}>
                {l(ownValue(chosen?.stateLabels, s), s)}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="filter-customer">{t('customer')}</label>
          <input id="filter-customer" name="customer" value={filters.customer ?? ''} maxLength={500} />
        </div>
        <div class="field">
          <label for="filter-overdue">{t('overdue')}</label>
          <select id="filter-overdue" name="overdue" value={filters.overdue ?? ''}>
            <option value="">{t('any')}</option>
            <option value="true">{t('overdueOnly')}</option>
            <option value="false">{t('notOverdue')}</option>
          </select>
        </div>
        <div class="filter-buttons">
          <button type="submit" class="primary" data-action="filter">
            {t('applyFilters')}
          </button>
          <button type="button" data-action="clear-filters" onClick={() => setFilters({})}>
            {t('clearFilters')}
          </button>
        </div>
      </form>
      <LoadedList
        kind="inbox"
        stack
        load={pages.load}
        empty={<p class="muted">{view === 'actionable' ? t('inboxEmpty') : t('viewEmpty')}</p>}
        row={(c) => ({
          key: c.caseId,
          class: c.overdue ? 'overdue' : '',
          'data-case': c.caseId,
          onClick: () => navigate(`#/cases/${c.caseId}`),
        })}
        columns={[
          { label: t('caseId'), cell: (c) => <a href={`#/cases/${c.caseId}`}>{c.caseId}</a>, attrs: { class: 'case-id' } },
          {
            label: t('nextDue'),
            cell: (c) => (
              <>
                {c.overdue && <Badge kind="danger">{t('overdue')}</Badge>}{' '}
                {c.nextDueAt ? time(c.nextDueAt) : <span class="muted">{t('noDeadline')}</span>}
              </>
            ),
          },
          { label: t('process'), cell: (c) => l(byId.get(c.processId)?.labels, c.processId) },
          { label: t('state'), cell: (c) => l(ownValue(byId.get(c.processId)?.stateLabels, c.state), c.state) },
          { label: t('customer'), cell: (c) => c.customerId },
          {
            label: t('actions'),
            cell: (c) => (
              <>
                {c.allowedEvents.map((e) => l(ownValue(byId.get(c.processId)?.events, e)?.labels, e)).join(', ')}
                {c.assignedToMe && (
                  <>
                    {' '}
                    <Badge kind="info">{t('assignedToMe')}</Badge>
                  </>
                )}
              </>
            ),
          },
        ]}
      />
      <MoreLine pages={pages} testId="inbox-count" />
    </section>
  );
}

export function StartCase({ processId }: { processId?: string }) {
  const { t, l, lang, navigate } = useApp();
  const processes = useProcesses();
  return (
    <section>
      <h1>{t('startCase')}</h1>
      <Show load={processes}>
        {(list) => {
          const startable = list.filter((p) => p.canStart);
          const chosen = startable.find((p) => p.processId === processId) ?? (startable.length === 1 ? startable[0] : undefined);
          return (
            <>
              <div class="field">
                <label for="start-process">{t('process')}</label>
                <select id="start-process" value={chosen?.processId ?? ''} onChange={(e) => navigate(`#/start/${e.currentTarget.value}`)}>
                  <option value="">{t('chooseOne')}</option>
                  {startable.map((p) => (
                    <option key={p.processId} value={p.processId}>
                      {l(p.labels, p.processId)}
                    </option>
                  ))}
                </select>
              </div>
              {chosen && (
                <SchemaForm
                  key={chosen.processId}
                  idPrefix="start"
                  schema={chosen.input}
                  lang={lang}
                  submitLabel={t('start')}
                  onSubmit={async (input) => {
                    const started = await post<{ caseId: string }>(
                      '/cases',
                      { process: chosen.processId, input },
                      { idempotencyKey: newKey() },
                    );
                    navigate(`#/cases/${started.caseId}`);
                  }}
                />
              )}
            </>
          );
        }}
      </Show>
    </section>
  );
}

interface CaseBundle {
  view: CaseView;
  definition: DefinitionLabels;
  history: Transition[];
}

async function loadCase(caseId: string): Promise<CaseBundle> {
  const [view, def, history] = await Promise.all([
    get<CaseView>(`/cases/${encodeURIComponent(caseId)}`),
    get<{ definition: DefinitionLabels }>(`/cases/${encodeURIComponent(caseId)}/definition`),
    getAll(
      `/cases/${encodeURIComponent(caseId)}/history?limit=1000`,
      (p: { transitions: Transition[]; nextCursor: string | null }) => p.transitions,
    ),
  ]);
  return { view, definition: def.definition, history };
}

/** Refusals that mean the case is on hold: the page reloads to show the incident instead of keeping the form open. */
const HELD = new Set(['IncidentOpened', 'CaseHasIncident']);

export function CasePage({ caseId }: { caseId: string }) {
  const { t, l, lang, time, me } = useApp();
  const load = useLoad(() => loadCase(caseId), [caseId]);
  const processes = useProcesses();
  const [openEvent, setOpenEvent] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [heldBy, setHeldBy] = useState<unknown>(null);
  return (
    <Show load={load}>
      {({ view, definition, history }) => {
        const stateLabel = (s: string | null) => (s ? l(ownValue(definition.stateLabels, s), s) : '—');
        const eventLabel = (e: string) => eventLabelOf(definition, e, lang);
        const caseFields = caseFieldsByName(definition);
        const incidents = view.incidents ?? [];
        const held = incidents.length > 0;
        const form = held ? undefined : view.allowedEvents.find((e) => e.type === openEvent);
        return (
          <div class="case-layout">
            <section class="case-main">
              <div class="heading">
                <h1>
                  {l(definition.labels, view.processId)} <span class="muted small">{view.caseId}</span>
                </h1>
                <button onClick={load.reload}>{t('reload')}</button>
              </div>
              <IncidentBanner
                caseId={view.caseId}
                incidents={incidents}
                canRetry={me.roles.includes(OPERATOR_ROLE)}
                onRetried={() => {
                  setNotice(null);
                  setHeldBy(null);
                  load.reload();
                }}
              />
              <p class="case-state">
                {t('state')}: <strong data-testid="case-state">{l(view.stateLabels, stateLabel(view.state))}</strong>{' '}
                <Badge kind={view.status === 'open' ? 'info' : 'done'}>{t(view.status)}</Badge>{' '}
                {view.overdue && <Badge kind="danger">{t('overdue')}</Badge>} · {t('version')} {view.definitionVersion}
                {view.customerId && (
                  <>
                    {' '}
                    · {t('customer')}:{' '}
                    {readsCustomers(me.role) ? (
                      <a href={`#/customers/${encodeURIComponent(view.customerId)}`} data-testid="case-customer">
                        {view.customerId}
                      </a>
                    ) : (
                      view.customerId
                    )}
                  </>
                )}
              </p>
              <ErrorBox error={heldBy} />
              {notice && (
                <div class="alert ok" role="status">
                  {notice}
                </div>
              )}
              {view.status === 'completed' && definition.caseLibrary === true && <CaseLibraryPanel caseId={view.caseId} />}
              {!held && (
                <TasksPanel
                  view={view}
                  stateLabel={stateLabel}
                  states={Object.keys(definition.stateLabels ?? {}).filter((s) => s !== view.state)}
                  onDone={(text) => {
                    setNotice(text);
                    load.reload();
                  }}
                />
              )}
              <h2>{t('actions')}</h2>
              {held ? (
                <p class="muted held" data-testid="actions-held">
                  {t('actionsHeld')}
                </p>
              ) : view.allowedEvents.length === 0 ? (
                <p class="muted">{t('noActions')}</p>
              ) : (
                <div class="event-buttons">
                  {view.allowedEvents.map((e) => (
                    <button
                      key={e.type}
                      data-event={e.type}
                      class={openEvent === e.type ? 'primary' : ''}
                      onClick={() => {
                        setNotice(null);
                        setHeldBy(null);
                        setOpenEvent(openEvent === e.type ? null : e.type);
                      }}
                    >
                      {l(e.labels, e.type)}
                    </button>
                  ))}
                </div>
              )}
              {form && (
                <div class="panel event-form" data-form={form.type}>
                  <h3>{l(form.labels, form.type)}</h3>
                  <SchemaForm
                    key={`${form.type}-${view.seq}`}
                    idPrefix={`ev-${form.type}`}
                    schema={form.schema}
                    lang={lang}
                    submitLabel={t('send')}
                    onCancel={() => setOpenEvent(null)}
                    onSubmit={async (data) => {
                      let res: { state: string };
                      try {
                        res = await post<{ state: string }>(
                          `/cases/${encodeURIComponent(view.caseId)}/events`,
                          { type: form.type, ...(Object.keys(data).length > 0 && { data }) },
                          { idempotencyKey: newKey() },
                        );
                      } catch (err) {
                        if (err instanceof ApiFailure && HELD.has(err.code)) {
                          setHeldBy(err);
                          setOpenEvent(null);
                          load.reload();
                          return;
                        }
                        throw err;
                      }
                      setOpenEvent(null);
                      setNotice(`${t('sent')} ${stateLabel(res.state)}`);
                      load.reload();
                    }}
                  />
                </div>
              )}
              <h2>{t('deadlines')}</h2>
              {view.deadlines.length === 0 ? (
                <p class="muted">{t('noDeadlines')}</p>
              ) : (
                <ul class="deadlines">
                  {view.deadlines.map((d) => (
                    <li key={d.id} class={d.overdue ? 'overdue' : ''}>
                      {d.overdue && <Badge kind="danger">{t('overdue')}</Badge>}{' '}
                      {l(d.labels ?? ownValue(definition.delays, d.delay)?.labels, humanize(d.delay))} — {t('due')} {time(d.dueAt)}
                      <BeyondCalendar note={d.beyondCalendar} />
                    </li>
                  ))}
                </ul>
              )}
              <h2>{t('diagram')}</h2>
              <Diagram
                url={`/cases/${encodeURIComponent(view.caseId)}/diagram`}
                active={view.status === 'open' || view.state ? [view.state] : []}
              />
              <h2>{t('details')}</h2>
              <table class="kv-table">
                <tbody>
                  {/* The work bookkeeping is shown as the Tasks panel above, not as case data. */}
                  {Object.entries(view.context)
                    .filter(([k]) => k !== WORK_KEY)
                    .map(([k, v]) => (
                      <tr key={k}>
                        <th>{fieldTitle(caseFields.get(k), k, lang)}</th>
                        <td>{valueText(caseFields.get(k), v, lang)}</td>
                      </tr>
                    ))}
                </tbody>
              </table>
              <h2>{t('history')}</h2>
              <HistoryTable
                history={history}
                stateLabel={stateLabel}
                eventLabel={eventLabel}
                payloadFields={(e) => eventFieldsByName(definition, e)}
              />
              <CaseAnnotations caseId={view.caseId} />
            </section>
            <aside class="case-side">
              <h2>{t('customerTimeline')}</h2>
              {view.customerId ? (
                <Timeline customerId={view.customerId} caseId={view.caseId} processes={processes.data} pageSize={100} />
              ) : (
                <p class="muted">—</p>
              )}
            </aside>
          </div>
        );
      }}
    </Show>
  );
}

export function HistoryTable(props: {
  history: Transition[];
  stateLabel: (s: string | null) => string;
  eventLabel: (e: string) => string;
  /** The labelled fields of an event's payload, to show its data by their labels. */
  payloadFields?: (event: string) => Map<string, PayloadField>;
  selected?: number;
  onSelect?: (i: number) => void;
}) {
  const { t, lang, time } = useApp();
  return (
    <ListTable
      kind="history"
      stack
      items={props.history}
      row={(h, i) => ({ key: h.seq, class: props.selected === i ? 'selected' : '', 'data-seq': h.seq, onClick: () => props.onSelect?.(i) })}
      columns={[
        { label: '#', cell: (h) => h.seq },
        { label: t('time'), cell: (h) => time(h.at) },
        {
          label: t('actor'),
          cell: (h) => (
            <>
              {h.actor.userId}
              {h.actor.onBehalfOf && <span class="muted small"> ({t('onBehalfOf', { user: h.actor.onBehalfOf })})</span>}
            </>
          ),
        },
        { label: t('role'), cell: (h) => roleLabel(h.actor.role, lang) },
        { label: t('event'), cell: (h) => props.eventLabel(h.event) },
        { label: t('payload'), cell: (h) => <PayloadText payload={h.payload} fields={props.payloadFields?.(h.event)} /> },
        {
          label: t('fromTo'),
          cell: (h) => (
            <>
              {props.stateLabel(h.fromState)} → {props.stateLabel(h.toState)}
            </>
          ),
        },
        { label: t('version'), cell: (h) => `v${h.definitionVersion}` },
      ]}
    />
  );
}

export { ErrorBox };
