/** Shared pieces: the app context, loading data, errors, the diagram, small helpers. */
import { createContext } from 'preact';
import { useContext, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { describeError, get } from './api';
import type { operations } from './api-types';
import { formatTime, labelOf, translate, type Labels, type Lang, type MessageKey } from './i18n';
import { ownValue } from '../../engine/own';
import { TASK_OPERATION_LABELS } from '../../engine/task-operation-names';
import { isTaskOperation } from '../../engine/work-types';
import type { PayloadField } from '../../engine/payload-labels';
import { fieldTitle, valueText } from './form/labels';

/** The signed-in user and the role they act in (GET /me). */
export type Me = operations['getMe']['responses'][200]['content']['application/json'];

export interface AppCtx {
  lang: Lang;
  me: Me;
  navigate: (hash: string) => void;
}

export const App = createContext<AppCtx>(null as unknown as AppCtx);

export function useApp() {
  const ctx = useContext(App);
  const t = (k: MessageKey, vars?: Record<string, string | number>) => translate(ctx.lang, k, vars);
  const l = (labels: Partial<Labels> | undefined, fallback = '') => labelOf(labels, ctx.lang, fallback);
  const time = (iso: string | null | undefined) => formatTime(iso, ctx.lang);
  return { ...ctx, t, l, time };
}

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** Loads data with `fn` when `key` changes; `reload` fetches again. */
export function useLoad<T>(fn: () => Promise<T>, key: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({
    data: undefined,
    error: undefined,
    loading: true,
  });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    fn().then(
      (data) => live && setState({ data, error: undefined, loading: false }),
      (error: unknown) => live && setState({ data: undefined, error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [...key, tick]);
  return { ...state, reload: () => setTick((n) => n + 1) };
}

export function ErrorBox({ error }: { error: unknown }) {
  const { lang } = useApp();
  if (!error) return null;
  const d = describeError(error, lang);
  return (
    <div class="alert error" role="alert">
      <strong>{d.title}</strong>
      {d.detail && <div class="detail">{d.detail}</div>}
    </div>
  );
}

export function Loading() {
  const { t } = useApp();
  return <p class="muted">{t('loading')}</p>;
}

/** Shows what a load produced: its error, a loading line, or the content. */
export function Show<T>({ load, children }: { load: Loaded<T>; children: (data: T) => preact.ComponentChildren }) {
  if (load.error) return <ErrorBox error={load.error} />;
  if (load.data === undefined) return <Loading />;
  return <>{children(load.data)}</>;
}

export interface DiagramProps {
  /** Where the SVG comes from (fetched with the user's token), or the SVG itself. */
  url?: string;
  svg?: string;
  /** State paths to highlight (the current state; `a.b,c.d` for parallel states). */
  active?: string[];
  /** A transition to highlight: the event and the state it led to. */
  step?: { event: string; to: string } | null;
  /** Scale the picture to the width of its box instead of scrolling. */
  fit?: boolean;
}

/** The process diagram (SVG from the server) with the current state and, when stepping, the transition taken highlighted. */
export function Diagram({ url, svg, active = [], step, fit = false }: DiagramProps) {
  const ref = useRef<HTMLDivElement>(null);
  const load = useLoad(() => (svg !== undefined ? Promise.resolve(svg) : get<string>(url!, { text: true })), [url, svg]);
  useLayoutEffect(() => {
    const host = ref.current;
    if (!host || load.data === undefined) return;
    // The SVG is drawn by the server from the definition, with every label escaped.
    host.innerHTML = load.data;
    const svgEl = host.querySelector('svg');
    if (fit && svgEl) {
      svgEl.setAttribute('width', '100%');
      svgEl.removeAttribute('height');
    }
    const leaves = active.flatMap((s) => s.split(',')).filter(Boolean);
    const lit = new Set<string>();
    for (const leaf of leaves) {
      const parts = leaf.split('.');
      for (let i = 1; i <= parts.length; i++) lit.add(parts.slice(0, i).join('.'));
    }
    for (const g of Array.from(host.querySelectorAll<SVGGElement>('g.state, g.cluster'))) {
      const state = g.getAttribute('data-state') ?? '';
      const on = leaves.includes(state) || (g.classList.contains('cluster') && lit.has(state));
      g.classList.toggle('current', on);
    }
    for (const g of Array.from(host.querySelectorAll<SVGGElement>('g.transition'))) {
      const to = g.getAttribute('data-to') ?? '';
      const on =
        !!step &&
        g.getAttribute('data-event') === step.event &&
        step.to.split(',').some((leaf) => leaf === to || leaf.startsWith(`${to}.`));
      g.classList.toggle('taken', on);
    }
    // Bring the highlighted state into view inside the diagram's own scroll box.
    const first = host.querySelector<SVGGElement>('g.state.current');
    if (first && !fit) {
      const box = first.getBoundingClientRect();
      const outer = host.getBoundingClientRect();
      host.scrollLeft += box.left + box.width / 2 - (outer.left + outer.width / 2);
      host.scrollTop += box.top + box.height / 2 - (outer.top + outer.height / 2);
    }
  }, [load.data, active.join('|'), step?.event, step?.to, fit]);
  if (load.error) return <ErrorBox error={load.error} />;
  return <div class="diagram" ref={ref} data-active={active.join(',')} />;
}

/** An event's label: from the definition, or what the engine's own events stand for (the start, a deadline falling due). */
export function eventLabelOf(
  definition: { events?: Record<string, { labels?: Partial<Labels> }>; delays?: Record<string, { labels?: Partial<Labels> }> } | undefined,
  event: string,
  lang: Lang,
): string {
  if (event === 'xstate.init') return translate(lang, 'caseStarted');
  if (isTaskOperation(event)) return labelOf(TASK_OPERATION_LABELS[event], lang, event);
  const delay = event.startsWith('after:')
    ? event.slice('after:'.length)
    : event.startsWith('timer.')
      ? event.slice('timer.'.length)
      : event.startsWith('xstate.after.')
        ? event.split('.')[2]
        : undefined;
  if (delay !== undefined)
    return `${translate(lang, 'deadlineFell')}: ${labelOf(ownValue(definition?.delays, delay)?.labels, lang, delay)}`;
  return labelOf(ownValue(definition?.events, event)?.labels, lang, event);
}

export function Badge({ kind, children }: { kind: string; children: preact.ComponentChildren }) {
  return <span class={`badge ${kind}`}>{children}</span>;
}

/** A compact one-line view of a payload. */
/** Event data; with `fields` (the event's payload schema's), field names and enum values by their labels. */
export function PayloadText({ payload, fields }: { payload: Record<string, unknown> | undefined; fields?: Map<string, PayloadField> }) {
  const { lang } = useApp();
  const entries = Object.entries(payload ?? {});
  if (entries.length === 0) return <span class="muted">—</span>;
  return (
    <span class="payload">
      {entries.map(([k, v]) => (
        <span key={k} class="kv">
          <b>{fields ? fieldTitle(fields.get(k), k, lang) : k}</b>:{' '}
          {fields?.get(k)?.schema['x-case-library'] === true && Array.isArray(v)
            ? v.map((id, i) => (
                <>
                  {i > 0 && ', '}
                  <a href={`#/library/${encodeURIComponent(String(id))}`} data-library-entry={String(id)}>
                    {String(id)}
                  </a>
                </>
              ))
            : valueText(fields?.get(k), v, lang)}
        </span>
      ))}
    </span>
  );
}
