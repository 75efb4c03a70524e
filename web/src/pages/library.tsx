/** The case library (形成案例): search typical cases by words, tags and process; editors add and take out entries. */
import { useState } from 'preact/hooks';
import { get, post } from '../api';
import type { components } from '../api-types';
import { ErrorBox, Show, useApp, useLoad } from '../ui';
import { useProcesses } from '../processes';

type Entry = components['schemas']['LibraryEntry'];

/** Who adds and takes out entries (the API decides; this only shows the forms). */
export const LIBRARY_EDITORS = ['process_owner', 'sales_manager', 'service_manager', 'management', 'auditor'];

const enc = encodeURIComponent;

export function LibraryPage({ entryId }: { entryId?: string }) {
  const { t, l, me, time } = useApp();
  const processes = useProcesses();
  const [filters, setFilters] = useState({ q: '', tag: '', process: '' });
  const [query, setQuery] = useState(filters);
  const [version, setVersion] = useState(0);
  const load = useLoad(() => {
    if (entryId) return get<{ entry: Entry }>(`/library/${enc(entryId)}`).then((r) => [r.entry]);
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v.trim()) q.set(k, v.trim());
    return get<{ entries: Entry[] }>(`/library${q.size > 0 ? `?${q.toString()}` : ''}`).then((r) => r.entries);
  }, [entryId, JSON.stringify(query), version]);
  const editor = LIBRARY_EDITORS.includes(me.role);
  const byId = new Map((processes.data ?? []).map((p) => [p.processId, p]));
  const [error, setError] = useState<unknown>(null);
  const unmark = async (entry: Entry) => {
    const reason = window.prompt(t('unmarkReason')) ?? undefined;
    setError(null);
    try {
      await post(`/library/${enc(entry.entryId)}/unmark`, reason ? { reason } : {});
      setVersion(version + 1);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section class="library">
      <h1>{t('library')}</h1>
      {!entryId && (
        <form
          class="filters"
          onSubmit={(e) => {
            e.preventDefault();
            setQuery(filters);
          }}
        >
          <div class="field inline">
            <label for="lib-q">{t('libraryText')}</label>
            <input
              id="lib-q"
              data-testid="library-q"
              value={filters.q}
              onInput={(e) => setFilters({ ...filters, q: e.currentTarget.value })}
            />
          </div>
          <div class="field inline">
            <label for="lib-tag">{t('tags')}</label>
            <input id="lib-tag" value={filters.tag} onInput={(e) => setFilters({ ...filters, tag: e.currentTarget.value })} />
          </div>
          <div class="field inline">
            <label for="lib-process">{t('process')}</label>
            <select id="lib-process" value={filters.process} onChange={(e) => setFilters({ ...filters, process: e.currentTarget.value })}>
              <option value="">{t('any')}</option>
              {['complaint', 'lost_deal'].map((p) => (
                <option key={p} value={p}>
                  {l(byId.get(p)?.labels, p)}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" class="primary" data-action="library-search">
            {t('search')}
          </button>
        </form>
      )}
      <ErrorBox error={error} />
      <Show load={load}>
        {(entries) =>
          entries.length === 0 ? (
            <p class="muted">{t('libraryEmpty')}</p>
          ) : (
            <ul class="library-entries" data-testid="library-entries">
              {entries.map((e) => (
                <li key={e.entryId} class="panel" data-entry={e.entryId}>
                  <h2>
                    <a href={`#/library/${enc(e.entryId)}`}>{e.title}</a>
                  </h2>
                  <div class="muted small">
                    {l(byId.get(e.processId)?.labels, e.processId)} ·{' '}
                    <a href={`#/${me.role === 'auditor' ? 'audit' : 'cases'}/${enc(e.caseId)}`}>{e.caseId}</a> · {t('marked')}{' '}
                    {time(e.markedAt)} {e.markedBy}
                  </div>
                  <p>{e.summary}</p>
                  <div class="tags">
                    {e.tags.map((tag) => (
                      <span key={tag} class="badge info">
                        {tag}
                      </span>
                    ))}
                  </div>
                  {editor && e.unmarked === null && (
                    <button type="button" onClick={() => void unmark(e)} data-action="unmark">
                      {t('unmark')}
                    </button>
                  )}
                </li>
              ))}
            </ul>
          )
        }
      </Show>
      {editor && !entryId && <MarkForm onMarked={() => setVersion(version + 1)} />}
    </section>
  );
}

function MarkForm({ onMarked }: { onMarked: () => void }) {
  const { t } = useApp();
  const [form, setForm] = useState({ caseId: '', title: '', summary: '', tags: '' });
  const [error, setError] = useState<unknown>(null);
  const set = (k: keyof typeof form) => (e: { currentTarget: { value: string } }) => setForm({ ...form, [k]: e.currentTarget.value });
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      await post('/library', {
        caseId: form.caseId.trim(),
        title: form.title,
        summary: form.summary,
        tags: form.tags
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      });
      setForm({ caseId: '', title: '', summary: '', tags: '' });
      onMarked();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form class="panel mark-form" onSubmit={(e) => void submit(e)} data-testid="mark-form">
      <h2>{t('markCase')}</h2>
      <ErrorBox error={error} />
      <label class="field">
        {t('caseToMark')}
        <input value={form.caseId} onInput={set('caseId')} data-testid="mark-case" />
      </label>
      <label class="field">
        {t('title')}
        <input value={form.title} onInput={set('title')} data-testid="mark-title" />
      </label>
      <label class="field">
        {t('summary')}
        <textarea value={form.summary} onInput={set('summary')} data-testid="mark-summary" />
      </label>
      <label class="field">
        {t('tags')}
        <input value={form.tags} onInput={set('tags')} data-testid="mark-tags" />
      </label>
      <button type="submit" class="primary" data-action="mark">
        {t('mark')}
      </button>
    </form>
  );
}
