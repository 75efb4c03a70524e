/**
 * Keeps what Temporal shows of a case current: its search attributes (process, version, state,
 * status, customer, overdue, assignee, incidents, next deadline) and its current details in the
 * Web UI (with the labels of its process and state). Its memo, the process's labels, is set at
 * the start and not rewritten at every step: each upsert is one more history event. Watches the case rather than being
 * called from each place that changes it, and writes only what changed.
 *
 * Upserts are workflow commands: cases started before they existed replay without them.
 */
import { condition, patched, setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import {
  assigneeOf,
  caseMemo,
  caseSummaryLine,
  sameSearchValue,
  SEARCH_KEYS,
  searchAttributeUpdates,
  type CaseVisibility,
} from '../search-attributes';
import type { CaseContext } from './context';

/** What the case shows besides its context: its running deadlines and how many incidents are open. */
export interface VisibilitySources {
  /** The earliest running deadline (ISO), if any: read on every workflow activation, so cheap. */
  nextDueAt: () => string | undefined;
  openIncidents: () => number;
}

/** What Temporal is told of the case now. */
function currentVisibility(c: CaseContext, sources: VisibilitySources): CaseVisibility {
  const context = (c.snapshot?.context ?? {}) as Record<string, unknown>;
  const assignee = c.status === 'open' ? assigneeOf(c.pinned.parsed, context) : undefined;
  const next = sources.nextDueAt();
  return {
    processId: c.processId,
    definitionVersion: c.pinned.definitionVersion,
    ...(c.state !== '' && { state: c.state }),
    status: c.status,
    customerId: c.customerId,
    overdue: c.status === 'open' && c.escalated === true,
    ...(assignee !== undefined && { assignee }),
    openIncidents: sources.openIncidents(),
    ...(c.status === 'open' && next !== undefined && { dueAt: next }),
  };
}

/** The Web UI's current details: the summary line, the state's labels and the running deadlines. */
function details(c: CaseContext, v: CaseVisibility): string {
  const { process, state } = caseMemo(c.pinned.parsed, v.state);
  return [
    `**${caseSummaryLine(v.processId, v.state, v.customerId)}**`,
    `${process.en} (${process['zh-CN']}) v${v.definitionVersion}${state ? ` — ${state.en} (${state['zh-CN']})` : ''}; ${v.status}`,
    ...(v.overdue ? ['overdue'] : []),
    ...(v.openIncidents > 0 ? [`${v.openIncidents} open incident(s): docket incidents retry ${c.caseId}`] : []),
    ...(v.dueAt !== undefined ? [`next deadline ${v.dueAt}`] : []),
  ].join('\n\n');
}

/** Starts watching the case; call once, at the start of a run, before anything is applied. */
export function watchVisibility(c: CaseContext, sources: VisibilitySources): void {
  if (c.escalated === undefined) {
    // A continued run takes the flag from the attributes its previous run left.
    c.escalated = c.input.carried ? workflowInfo().typedSearchAttributes.get(SEARCH_KEYS.overdue) === true : false;
  }
  const on = patched('search-attributes');
  let shown = '';
  const refresh = () => {
    const v = currentVisibility(c, sources);
    setCurrentDetails(details(c, v));
    if (!on) return;
    const current = workflowInfo().typedSearchAttributes;
    const changed = searchAttributeUpdates(v).filter(({ key, value }) => !sameSearchValue(current.get(key), value));
    if (changed.length > 0) upsertSearchAttributes(changed);
  };
  const key = () => JSON.stringify(currentVisibility(c, sources));
  void (async () => {
    for (;;) {
      await condition(() => key() !== shown);
      shown = key();
      refresh();
    }
  })();
}
