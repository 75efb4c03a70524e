/** Auditors: search cases; a case's full timeline stepped through on the diagram; its chain verified; export as JSON or CSV. */
import { useState } from 'preact/hooks';
import { download, get, getAll } from '../api';
import { LoadedList } from '../components/list-table';
import { MoreLine, ProcessOptions, usePages } from '../components/paged-list';
import { IncidentBanner } from '../incidents';
import type { CaseSummary, CaseView, DefinitionLabels, Transition, Verification } from '../types';
import { Badge, Diagram, ErrorBox, eventLabelOf, Show, useApp, useLoad } from '../ui';
import { HistoryTable } from './staff';
import { useProcesses } from '../processes';
import { ownValue } from '../../../engine/own';
import { CaseAnnotations } from './sampling';

interface Filters {
  process: string;
  customer: string;
  status: string;
  actor: string;
}

const EMPTY: Filters = { process: '', customer: '', status: '', actor: '' };

export function AuditSearch() {
  const { t, l, time, navigate } = useApp();
  const processes = useProcesses();
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [query, setQuery] = useState<Filters>(EMPTY);
  // A page at a time: the total, and "show more" for the next page by its cursor.
  const search = usePages<CaseSummary>(JSON.stringify(query), (cursor) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v.trim()) q.set(k, v.trim());
    q.set('limit', '100');
    if (cursor !== undefined) q.set('cursor', cursor);
    return get<{ cases: CaseSummary[]; total: number; totalCapped: boolean; nextCursor: string | null }>(`/cases?${q.toString()}`).then(
      (r) => ({
        items: r.cases,
        total: r.total,
        totalCapped: r.totalCapped,
        nextCursor: r.nextCursor,
      }),
    );
  });
  const byId = new Map((processes.data ?? []).map((p) => [p.processId, p]));
  const input = (k: keyof Filters, label: string) => (
    <div class="field inline">
      <label for={`q-${k}`}>{label}</label>
      <input id={`q-${k}`} value={filters[k]} onInput={(e) => setFilters({ ...filters, [k]: e.currentTarget.value })} />
    </div>
  );
  return (
    <section>
      <h1>{t('search')}</h1>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setQuery(filters);
        }}
      >
        <div class="field inline">
          <label for="q-process">{t('process')}</label>
          <select id="q-process" value={filters.process} onChange={(e) => setFilters({ ...filters, process: e.currentTarget.value })}>
            <ProcessOptions processes={processes.data} />
          </select>
        </div>
        {input('customer', t('customer'))}
        {input('actor', t('actor'))}
        <div class="field inline">
          <label for="q-status">{t('status')}</label>
          <select id="q-status" value={filters.status} onChange={(e) => setFilters({ ...filters, status: e.currentTarget.value })}>
            <option value="">{t('any')}</option>
            <option value="open">{t('open')}</option>
            <option value="completed">{t('completed')}</option>
          </select>
        </div>
        <button type="submit" class="primary">
          {t('search')}
        </button>
      </form>
      <LoadedList
        kind="results"
        load={search.load}
        empty={<p class="muted">{t('noResults')}</p>}
        row={(c) => ({ key: c.caseId, 'data-case': c.caseId, onClick: () => navigate(`#/audit/${c.caseId}`) })}
        columns={[
          { label: t('caseId'), cell: (c) => <a href={`#/audit/${c.caseId}`}>{c.caseId}</a> },
          { label: t('process'), cell: (c) => `${l(byId.get(c.processId)?.labels, c.processId)} v${c.definitionVersion}` },
          { label: t('customer'), cell: (c) => c.customerId },
          {
            label: t('state'),
            cell: (c) => (
              <>
                {l(ownValue(byId.get(c.processId)?.stateLabels, c.state), c.state)}{' '}
                <Badge kind={c.status === 'open' ? 'info' : 'done'}>{t(c.status)}</Badge>
                {c.overdue && <Badge kind="danger">{t('overdue')}</Badge>}
              </>
            ),
          },
          { label: t('opened'), cell: (c) => time(c.openedAt) },
          { label: t('updated'), cell: (c) => time(c.updatedAt) },
        ]}
      />
      <MoreLine pages={search} testId="search-count" />
    </section>
  );
}

export function AuditCase({ caseId }: { caseId: string }) {
  const { t, l, lang } = useApp();
  const id = encodeURIComponent(caseId);
  const load = useLoad(
    () =>
      Promise.all([
        getAll(`/cases/${id}/history?limit=1000`, (p: { transitions: Transition[]; nextCursor: string | null }) => p.transitions),
        get<{ definition: DefinitionLabels }>(`/cases/${id}/definition`).then((r) => r.definition),
      ]),
    [caseId],
  );
  // The live case, for its open incidents only: the audit view reads the log, which the failed effect never reached.
  const live = useLoad(() => get<CaseView>(`/cases/${id}`), [caseId]);
  const [step, setStep] = useState(-1);
  const [verification, setVerification] = useState<Verification | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [exported, setExported] = useState<string | null>(null);

  const verify = async () => {
    setError(null);
    try {
      setVerification(await get<Verification>(`/cases/${id}/audit/verify`));
    } catch (err) {
      setError(err);
    }
  };
  const exportAs = async (format: 'json' | 'csv') => {
    setError(null);
    try {
      const text = await get<string>(`/cases/${id}/audit/export${format === 'csv' ? '?format=csv' : ''}`, { text: true });
      download(`audit-${caseId}.${format}`, text, format === 'csv' ? 'text/csv' : 'application/json');
      setExported(`audit-${caseId}.${format}`);
    } catch (err) {
      setError(err);
    }
  };

  return (
    <Show load={load}>
      {([history, definition]) => {
        const current = step >= 0 ? history[step] : history[history.length - 1];
        const stateLabel = (s: string | null) => (s ? l(ownValue(definition.stateLabels, s), s) : '—');
        const eventLabel = (e: string) => eventLabelOf(definition, e, lang);
        return (
          <section>
            <h1>
              {l(definition.labels)} <span class="muted small">{caseId}</span>
            </h1>
            <IncidentBanner caseId={caseId} incidents={live.data?.incidents ?? []} canRetry={false} />
            <div class="buttons">
              <button onClick={() => void verify()} data-action="verify">
                {t('verify')}
              </button>
              <button onClick={() => void exportAs('json')} data-action="export-json">
                {t('exportJson')}
              </button>
              <button onClick={() => void exportAs('csv')} data-action="export-csv">
                {t('exportCsv')}
              </button>
            </div>
            <ErrorBox error={error} />
            {verification && (
              <div class={`alert ${verification.ok ? 'ok' : 'error'}`} role="status" data-verified={String(verification.ok)}>
                <strong>{verification.ok ? t('chainOk') : t('chainBroken')}</strong> — {verification.rows} {t('rows')},{' '}
                {verification.algorithm}
                {verification.headHash && <div class="mono small">{verification.headHash}</div>}
                {verification.annotations && verification.annotations.rows > 0 && (
                  <div>
                    {verification.annotations.rows} {t('annotations')}
                  </div>
                )}
                {verification.problem && (
                  <div>
                    {verification.problem.trail === 'annotations' ? `${t('annotations')} ` : ''}#{verification.problem.seq}:{' '}
                    {verification.problem.message}
                  </div>
                )}
              </div>
            )}
            {exported && (
              <p class="muted small" role="status">
                {t('exported')}: {exported}
              </p>
            )}
            <h2>{t('history')}</h2>
            <HistoryTable history={history} stateLabel={stateLabel} eventLabel={eventLabel} selected={step} onSelect={setStep} />
            <CaseAnnotations caseId={caseId} />
            <h2>{t('diagram')}</h2>
            <div class="stepper">
              <button
                onClick={() => setStep(Math.max(0, (step < 0 ? history.length - 1 : step) - 1))}
                disabled={step === 0}
                data-action="step-back"
              >
                ◀ {t('previous')}
              </button>
              <span data-testid="step-label">
                {t('step')} {(step < 0 ? history.length - 1 : step) + 1} {t('stepOf')} {history.length}
                {current && (
                  <>
                    : <strong>{eventLabel(current.event)}</strong> ({current.actor.userId}) {stateLabel(current.fromState)} →{' '}
                    {stateLabel(current.toState)}
                  </>
                )}
              </span>
              <button
                onClick={() => setStep(Math.min(history.length - 1, (step < 0 ? history.length - 1 : step) + 1))}
                disabled={step < 0 || step >= history.length - 1}
                data-action="step-next"
              >
                {t('next')} ▶
              </button>
            </div>
            <Diagram
              url={`/cases/${id}/diagram`}
              active={current ? [current.toState] : []}
              step={current ? { event: current.event, to: current.toState } : null}
            />
          </section>
        );
      }}
    </Show>
  );
}
