/**
 * A customer's timeline (GET /customers/{id}/timeline): every transition of every case of the
 * customer and every logged contact, newest first, a page at a time. On the customer's page and
 * beside a case; a transition of a process the role may not open comes without its data, as the API
 * answers it.
 */
import { useState } from 'preact/hooks';
import { answered, api } from '../../api';
import type { operations } from '../../api-types';
import { MoreLine, usePages } from '../../components/paged-list';
import type { CaseSummary, ProcessInfo } from '../../types';
import { eventLabelOf, PayloadText, Show, useApp } from '../../ui';
import { ownValue } from '../../../../engine/own';
import { ContactLine } from './contact-line';

type TimelinePage = operations['getCustomersCustomerIdTimeline']['responses'][200]['content']['application/json'];
export type TimelineEntry = TimelinePage['entries'][number];

export interface TimelineProps {
  customerId: string;
  /** The case whose page shows the timeline: its entries are marked "this case". */
  caseId?: string;
  /** The processes the role knows, for labels (others show by id). */
  processes: ProcessInfo[] | undefined;
  pageSize: number;
  /** Bump to read the timeline again (after logging a contact). */
  reloadKey?: number;
  /** The customer's newest cases, as the first page lists them, and the cursor of the rest (GET /customers/{id}/cases). */
  onCases?: (cases: CaseSummary[], nextCursor: string | null) => void;
}

export function Timeline({ customerId, caseId, processes, pageSize, reloadKey = 0, onCases }: TimelineProps) {
  const { t, l, lang, time } = useApp();
  const [cases, setCases] = useState<CaseSummary[] | undefined>(undefined);
  const pages = usePages<TimelineEntry>(JSON.stringify([customerId, reloadKey]), async (cursor) => {
    const page = await answered(
      api.GET('/customers/{customerId}/timeline', {
        params: { path: { customerId }, query: { limit: pageSize, ...(cursor !== undefined && { cursor }) } },
      }),
    );
    if (cursor === undefined) {
      setCases(page.cases);
      onCases?.(page.cases, page.casesNextCursor);
    }
    return { items: page.entries, nextCursor: page.nextCursor };
  });
  const byId = new Map((processes ?? []).map((p) => [p.processId, p]));
  const openable = openableCases(cases, processes);
  const caseLink = (id: string) =>
    id === caseId ? t('thisCase') : openable.has(id) ? <a href={`#/cases/${encodeURIComponent(id)}`}>{id}</a> : id;
  return (
    <div class="timeline-box" data-testid="timeline">
      <Show load={pages.load}>
        {(entries) =>
          entries.length === 0 ? (
            <p class="muted">{caseId ? t('noContacts') : t('timelineEmpty')}</p>
          ) : (
            <ol class="timeline">
              {entries.map((e) => {
                if (e.kind === 'contact') {
                  return (
                    <li key={`c-${e.id}`} class="contact" data-contact={e.id}>
                      <div class="when">{time(e.at)}</div>
                      <ContactLine contact={e} caseLink={caseLink} />
                    </li>
                  );
                }
                if (e.kind === 'handover') {
                  return (
                    <li key={`h-${e.handoverId}`} class="handover" data-handover={e.handoverId}>
                      <div class="when">{time(e.at)}</div>
                      <div>
                        <strong>{t('timelineHandover', { from: e.from, to: e.to })}</strong> · {e.by.userId}
                      </div>
                      {(e.reason !== null || e.status === 'pending') && (
                        <div class="muted small">{e.status === 'pending' ? t('timelineHandoverPending') : e.reason}</div>
                      )}
                    </li>
                  );
                }
                const p = byId.get(e.processId);
                return (
                  <li key={`t-${e.caseId}-${e.seq}`} class={e.caseId === caseId ? 'this-case' : ''} data-case={e.caseId}>
                    <div class="when">{time(e.at)}</div>
                    <div>
                      <strong>{eventLabelOf(p, e.event, lang)}</strong> · {e.actor.userId}
                    </div>
                    <div class="muted small">
                      {l(p?.labels, e.processId)} · {caseLink(e.caseId)} · {l(ownValue(p?.stateLabels, e.toState), e.toState)}
                    </div>
                    <PayloadText payload={e.payload} />
                  </li>
                );
              })}
            </ol>
          )
        }
      </Show>
      <MoreLine pages={pages} testId="timeline-count" />
    </div>
  );
}

/** The customer's cases, newest first, each linking to its page when the role may open its process; `onMore` reads the next page. */
export function CaseList({
  cases,
  processes,
  onMore,
}: {
  cases: CaseSummary[] | undefined;
  processes: ProcessInfo[] | undefined;
  onMore?: () => void;
}) {
  const { t, l, time } = useApp();
  const byId = new Map((processes ?? []).map((p) => [p.processId, p]));
  if (cases === undefined) return null;
  if (cases.length === 0) return <p class="muted">{t('noCustomerCases')}</p>;
  return (
    <>
      <ul class="customer-cases">
        {cases.map((c) => {
          const p = byId.get(c.processId);
          return (
            <li key={c.caseId} data-case={c.caseId}>
              {byId.has(c.processId) ? <a href={`#/cases/${encodeURIComponent(c.caseId)}`}>{c.caseId}</a> : c.caseId}{' '}
              <span class={`badge ${c.status === 'open' ? 'info' : 'done'}`}>{t(c.status)}</span>
              <div class="muted small">
                {l(p?.labels, c.processId)} · {l(ownValue(p?.stateLabels, c.state), c.state)} · {t('opened')} {time(c.openedAt)}
              </div>
            </li>
          );
        })}
      </ul>
      {onMore && (
        <div class="page-more">
          <button data-action="more-cases" onClick={onMore}>
            {t('showMore')}
          </button>
        </div>
      )}
    </>
  );
}

/** The ids of the cases whose process the role may open (GET /processes lists them): only these link to their page. */
export function openableCases(cases: CaseSummary[] | undefined, processes: ProcessInfo[] | undefined): Set<string> {
  const known = new Set((processes ?? []).map((p) => p.processId));
  return new Set((cases ?? []).filter((c) => known.has(c.processId)).map((c) => c.caseId));
}
