/**
 * What Temporal shows of a case: its custom search attributes, its memo and its one-line summary.
 * Shared by the client (set at the start), the workflow (kept current as the case moves) and the
 * set-up of a Temporal server (registered there). Pure and deterministic: it runs in workflow code.
 *
 * Nothing personal goes here: ids only (the process, the customer's business id, the assignee's
 * user id), never names, phone numbers or e-mail addresses.
 */
import { defineSearchAttributeKey, type SearchAttributePair, type SearchAttributeUpdatePair } from '@temporalio/common';
import type { Definition, Labels } from '../engine/definition-schema';
import { ownValue } from '../engine/own';
import type { CaseStatus } from '../engine/types';

/** The custom search attributes of a case (`temporal workflow list --query "DocketProcess='complaint'"`). */
export const SEARCH_KEYS = {
  process: defineSearchAttributeKey('DocketProcess', 'KEYWORD'),
  version: defineSearchAttributeKey('DocketVersion', 'INT'),
  state: defineSearchAttributeKey('DocketState', 'KEYWORD'),
  status: defineSearchAttributeKey('DocketStatus', 'KEYWORD'),
  customerId: defineSearchAttributeKey('DocketCustomerId', 'KEYWORD'),
  overdue: defineSearchAttributeKey('DocketOverdue', 'BOOL'),
  assignee: defineSearchAttributeKey('DocketAssignee', 'KEYWORD'),
  incidents: defineSearchAttributeKey('DocketIncidents', 'INT'),
  dueAt: defineSearchAttributeKey('DocketDueAt', 'DATETIME'),
} as const;

/** Every attribute a Temporal namespace must have registered before Docket can start cases on it. */
export const DOCKET_SEARCH_ATTRIBUTES: ReadonlyArray<{ name: string; type: (typeof SEARCH_KEYS)[keyof typeof SEARCH_KEYS]['type'] }> =
  Object.values(SEARCH_KEYS).map(({ name, type }) => ({ name, type }));

/** An id of letters, digits and `. _ : / -`: no spaces (names), no `@` (e-mail addresses), no other scripts. */
const ID = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$/;
/** Seven or more digits with only phone punctuation: a phone number, whatever the field says. */
const PHONE_LIKE = /^\+?[0-9][0-9 ().-]{6,}$/;

/**
 * `value` if it is a business or user id fit for a search attribute; undefined for anything that
 * could be personal data (a name, a phone number, an e-mail address) or is not a short id.
 */
export function idForSearch(value: unknown): string | undefined {
  return typeof value === 'string' && ID.test(value) && !PHONE_LIKE.test(value) ? value : undefined;
}

/** What Temporal is told of a case at one moment. */
export interface CaseVisibility {
  processId: string;
  definitionVersion: number;
  /** Absent before the start has been applied. */
  state?: string;
  status: CaseStatus;
  customerId?: string;
  overdue: boolean;
  assignee?: string;
  openIncidents: number;
  /** The earliest running deadline (ISO). */
  dueAt?: string;
}

/** The search attributes of `v`; an attribute with no value (null) is removed. */
export function searchAttributeUpdates(v: CaseVisibility): SearchAttributeUpdatePair[] {
  const customerId = idForSearch(v.customerId);
  const assignee = idForSearch(v.assignee);
  return [
    { key: SEARCH_KEYS.process, value: v.processId },
    { key: SEARCH_KEYS.version, value: v.definitionVersion },
    { key: SEARCH_KEYS.state, value: v.state ?? null },
    { key: SEARCH_KEYS.status, value: v.status },
    { key: SEARCH_KEYS.customerId, value: customerId ?? null },
    { key: SEARCH_KEYS.overdue, value: v.overdue },
    { key: SEARCH_KEYS.assignee, value: assignee ?? null },
    { key: SEARCH_KEYS.incidents, value: v.openIncidents },
    { key: SEARCH_KEYS.dueAt, value: v.dueAt === undefined ? null : new Date(v.dueAt) },
  ];
}

/** Whether two values of a search attribute are the same (dates by their time). */
export function sameSearchValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date || b instanceof Date) return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  return (a ?? null) === (b ?? null);
}

/** The labels of a case's process and state, as its memo carries them (a state without labels, e.g. parallel ones, by its path). */
export function caseMemo(definition: Pick<Definition, 'labels' | 'stateLabels'>, state?: string): { process: Labels; state?: Labels } {
  if (state === undefined) return { process: definition.labels };
  return { process: definition.labels, state: ownValue(definition.stateLabels, state) ?? { en: state, 'zh-CN': state } };
}

/** One line for the Web UI: `complaint · investigating · C-1001` (parts that are unknown or not ids are left out). */
export function caseSummaryLine(processId: string, state: string | undefined, customerId: unknown): string {
  return [processId, state, idForSearch(customerId)].filter((part) => part !== undefined && part !== '').join(' · ');
}

/** The customer id of a case's start input, as the case keeps it. */
export function customerOf(definition: Pick<Definition, 'customerField'>, input: Record<string, unknown>): string {
  const customer = ownValue(input, definition.customerField);
  return typeof customer === 'string' ? customer : JSON.stringify(customer ?? '');
}

/** The assignee a case waits on (its definition's `assigneeField` in its context), if any. */
export function assigneeOf(definition: Pick<Definition, 'assigneeField'>, context: Record<string, unknown>): string | undefined {
  const value = definition.assigneeField === undefined ? undefined : ownValue(context, definition.assigneeField);
  return typeof value === 'string' ? value : undefined;
}

/** What a case's start tells Temporal (before the workflow has run): attributes, memo and the Web UI's summary and details. */
export function startVisibility(
  definition: Pick<Definition, 'process' | 'labels' | 'stateLabels' | 'customerField'>,
  version: { definitionVersion: number; definitionHash: string },
  input: Record<string, unknown>,
): { typedSearchAttributes: SearchAttributePair[]; memo: Record<string, unknown>; staticSummary: string; staticDetails: string } {
  const customerId = customerOf(definition, input);
  const pairs = searchAttributeUpdates({
    processId: definition.process,
    definitionVersion: version.definitionVersion,
    status: 'open',
    customerId,
    overdue: false,
    openIncidents: 0,
  });
  return {
    typedSearchAttributes: pairs.filter((p): p is SearchAttributePair => p.value !== null),
    memo: caseMemo(definition),
    staticSummary: caseSummaryLine(definition.process, undefined, customerId),
    staticDetails: `${definition.labels.en} (${definition.labels['zh-CN']}), definition version ${version.definitionVersion} (${version.definitionHash.slice(0, 12)})`,
  };
}
