import type { Labels } from '../engine/definition-schema';
import { bothLabels } from './format';
import { isObject } from '../engine/json-data';
import { ownValue } from '../engine/own';
import { TASK_OPERATION_LABELS } from '../engine/task-operation-names';
import { isTaskOperation } from '../engine/work-types';

type LabelMap = Record<string, Labels | undefined>;

/** The labels of a definition, read leniently from its JSON (a case's pinned definition may be older than the schema). */
export interface LabelBook {
  process?: Labels;
  states: LabelMap;
  events: Record<string, { labels?: Labels; roles: string[] }>;
  delays: LabelMap;
}

function asLabels(v: unknown): Labels | undefined {
  if (!isObject(v) || typeof v.en !== 'string') return undefined;
  return { en: v.en, 'zh-CN': typeof v['zh-CN'] === 'string' ? v['zh-CN'] : '' };
}

export const EMPTY_BOOK: LabelBook = { states: {}, events: {}, delays: {} };

export function labelBook(raw: unknown): LabelBook {
  if (!isObject(raw)) return EMPTY_BOOK;
  // fromEntries defines own keys: a name like `__proto__` stays a name instead of setting a prototype.
  const states: LabelMap = Object.fromEntries(
    Object.entries(isObject(raw.stateLabels) ? raw.stateLabels : {}).map(([k, v]) => [k, asLabels(v)]),
  );
  const events: LabelBook['events'] = Object.fromEntries(
    Object.entries(isObject(raw.events) ? raw.events : {}).map(([k, v]) => {
      const spec = isObject(v) ? v : {};
      const roles = Array.isArray(spec.roles) ? spec.roles.filter((r): r is string => typeof r === 'string') : [];
      return [k, { labels: asLabels(spec.labels), roles }];
    }),
  );
  const delays: LabelMap = Object.fromEntries(
    Object.entries(isObject(raw.delays) ? raw.delays : {}).map(([k, v]) => [k, isObject(v) ? asLabels(v.labels) : undefined]),
  );
  const process = asLabels(raw.labels);
  return { ...(process && { process }), states, events, delays };
}

/** The label of a state path, or of its nearest labelled ancestor. */
function stateLabels(book: LabelBook, path: string): Labels | undefined {
  const parts = path.split('.');
  for (let n = parts.length; n > 0; n--) {
    const labels = ownValue(book.states, parts.slice(0, n).join('.'));
    if (labels) return labels;
  }
  return undefined;
}

/** `investigating (Investigating / 调查核实)`; parallel states (`a.x,b.y`) one by one. */
export function describeState(book: LabelBook, state: string): string {
  return state
    .split(',')
    .map((leaf) => {
      const labels = bothLabels(stateLabels(book, leaf));
      return labels ? `${leaf} (${labels})` : leaf;
    })
    .join(', ');
}

export function eventLabel(book: LabelBook, event: string): string {
  if (event.startsWith('after:')) {
    const delay = event.slice('after:'.length);
    const labels = bothLabels(ownValue(book.delays, delay));
    return labels ? `deadline: ${labels}` : 'deadline';
  }
  if (event === 'xstate.init') return 'case opened';
  if (isTaskOperation(event)) return bothLabels(TASK_OPERATION_LABELS[event]);
  return bothLabels(ownValue(book.events, event)?.labels);
}
