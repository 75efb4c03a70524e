/** Operators (admin): the open incidents of every case, filtered by process, retried case by case; and one case's incidents. */
import { useRef, useState } from 'preact/hooks';
import { get, getAll } from '../api';
import { ListTable } from '../components/list-table';
import { MoreLine, usePages, type Page } from '../components/paged-list';
import { EffectText, IncidentBanner, retryIncidents, RetryOutcome } from '../incidents';
import type { Incident, RetryResult } from '../types';
import { Show, useApp, useLoad } from '../ui';

/** A page of the list; "show more" reads the next (the API allows up to 1000). */
const LIMIT = 200;

type IncidentPage = { incidents: Incident[]; nextCursor: string | null };

function incidentsPath(process: string, caseId?: string): string {
  const q = new URLSearchParams({ limit: String(LIMIT) });
  if (process) q.set('process', process);
  if (caseId) q.set('case', caseId);
  return `/incidents?${q.toString()}`;
}

function loadIncidents(process: string, cursor?: string): Promise<Page<Incident>> {
  const path = incidentsPath(process);
  return get<IncidentPage>(cursor === undefined ? path : `${path}&cursor=${encodeURIComponent(cursor)}`).then((r) => ({
    items: r.incidents,
    nextCursor: r.nextCursor,
  }));
}

/** Incidents grouped by case, in the order of each case's oldest incident. */
function byCase(incidents: Incident[]): Array<[string, Incident[]]> {
  const groups = new Map<string, Incident[]>();
  for (const i of incidents) groups.set(i.caseId, [...(groups.get(i.caseId) ?? []), i]);
  return [...groups.entries()];
}

type Outcome = { result: RetryResult } | { error: unknown };

export function IncidentsPage() {
  const { t, time } = useApp();
  const [process, setProcess] = useState('');
  const pages = usePages<Incident>(process, (cursor) => loadIncidents(process, cursor));
  const list = pages.load;
  // Processes seen in any answer so far: an operator may not read the process catalogue, the incidents name them.
  const seen = useRef(new Set<string>());
  for (const i of list.data ?? []) seen.current.add(i.processId);
  if (process) seen.current.add(process);
  const names = [...seen.current].sort();
  const [busy, setBusy] = useState<string | null>(null);
  const [outcomes, setOutcomes] = useState<Record<string, Outcome>>({});
  const [resolved, setResolved] = useState<string[]>([]);

  const retry = async (caseId: string) => {
    setBusy(caseId);
    let outcome: Outcome;
    try {
      outcome = { result: await retryIncidents(caseId) };
    } catch (error) {
      outcome = { error };
    }
    setBusy(null);
    setOutcomes((o) => ({ ...o, [caseId]: outcome }));
    if ('result' in outcome && outcome.result.open.length === 0) setResolved((r) => [caseId, ...r.filter((c) => c !== caseId)]);
    pages.reload();
  };

  return (
    <section>
      <div class="heading">
        <h1>{t('incidentsTitle')}</h1>
        <button onClick={pages.reload} data-action="refresh" disabled={list.loading}>
          {t('reload')}
        </button>
      </div>
      <p class="muted">{t('incidentsHelp')}</p>
      <div class="filters">
        <div class="field inline">
          <label for="incident-process">{t('process')}</label>
          <select id="incident-process" value={process} onChange={(e) => setProcess(e.currentTarget.value)}>
            <option value="">{t('any')}</option>
            {names.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </div>
      </div>
      {resolved.map((caseId) => (
        <div key={caseId} class="alert ok" role="status" data-resolved={caseId}>
          {t('retryResolvedCase', { id: caseId })}
        </div>
      ))}
      <Show load={list}>
        {(incidents) => (
          <ListTable
            kind="incidents"
            stack
            groups={byCase(incidents).map(([caseId, group]) => {
              const outcome = outcomes[caseId];
              return {
                key: caseId,
                items: group,
                attrs: { 'data-case': caseId },
                after: outcome && (
                  <tr class="outcome">
                    <td colSpan={7}>
                      <RetryOutcome
                        outcome={'result' in outcome ? outcome.result : null}
                        error={'error' in outcome ? outcome.error : null}
                      />
                    </td>
                  </tr>
                ),
              };
            })}
            empty={
              <p class="empty muted" data-testid="no-incidents">
                {t('noIncidents')}
              </p>
            }
            row={(i) => ({ key: i.id, 'data-incident': i.id })}
            columns={[
              { label: t('caseId'), cell: (i) => <a href={`#/incidents/${encodeURIComponent(i.caseId)}`}>{i.caseId}</a> },
              { label: t('process'), cell: (i) => i.processId },
              { label: t('failedEffect'), cell: (i) => <EffectText incident={i} /> },
              {
                label: t('errorText'),
                cell: (i) => (
                  <span class="mono">
                    {i.error.type}: {i.error.message}
                  </span>
                ),
              },
              { label: t('attempts'), attrs: { 'data-testid': 'attempts' }, cell: (i) => i.attempts },
              { label: t('since'), cell: (i) => time(i.openedAt) },
              {
                attrs: { class: 'row-actions' },
                cell: (i, n) =>
                  n === 0 && (
                    <button type="button" data-action="retry" disabled={busy === i.caseId} onClick={() => void retry(i.caseId)}>
                      {busy === i.caseId ? t('retrying') : t('retry')}
                    </button>
                  ),
              },
            ]}
          />
        )}
      </Show>
      <MoreLine pages={pages} testId="incidents-count" />
    </section>
  );
}

/** One case's open incidents with its Retry, for an operator who may not read the case itself. */
export function IncidentCase({ caseId }: { caseId: string }) {
  const { t } = useApp();
  const list = useLoad(() => getAll(incidentsPath('', caseId), (p: IncidentPage) => p.incidents), [caseId]);
  return (
    <section>
      <div class="heading">
        <h1>
          {t('incidents')} <span class="muted small">{caseId}</span>
        </h1>
        <button onClick={list.reload} data-action="refresh">
          {t('reload')}
        </button>
      </div>
      <p>
        <a href="#/incidents">← {t('allIncidents')}</a>
      </p>
      <Show load={list}>
        {(incidents) => (
          <>
            <IncidentBanner caseId={caseId} incidents={incidents} canRetry onRetried={list.reload} />
            {incidents.length === 0 && (
              <p class="empty muted" data-testid="no-incidents">
                {t('caseIncidentsNone')}
              </p>
            )}
            {incidents.length > 0 && <p class="muted small">{t('incidentCaseNote')}</p>}
          </>
        )}
      </Show>
    </section>
  );
}
