/**
 * On the page of a completed case whose process takes typical cases (`"caseLibrary": true`): a link
 * to its case-library entry when it is in the library, else, for the roles POST /library accepts, a
 * control to mark it as a typical case (title, summary, tags).
 */
import { useState } from 'preact/hooks';
import { get, post } from '../api';
import type { components } from '../api-types';
import { ErrorBox, useApp, useLoad } from '../ui';
import { LIBRARY_EDITORS } from './library';

type Entry = components['schemas']['LibraryEntry'];

/** Who reads the library: every role but the administrator's (api/routes/library.ts). */
const readsLibrary = (role: string) => role !== 'admin';

export function CaseLibraryPanel({ caseId }: { caseId: string }) {
  const { t, me } = useApp();
  const [marked, setMarked] = useState<Entry | null>(null);
  const load = useLoad(
    () =>
      readsLibrary(me.role)
        ? get<{ entries: Entry[] }>(`/library?caseId=${encodeURIComponent(caseId)}`).then((r) => r.entries[0] ?? null)
        : Promise.resolve(null),
    [caseId],
  );
  const entry = marked ?? load.data;
  const editor = LIBRARY_EDITORS.includes(me.role);
  if (load.error) return <ErrorBox error={load.error} />;
  if (entry === undefined || (entry === null && !editor)) return null;
  return (
    <section class="case-library" data-testid="case-library">
      <h2>{t('library')}</h2>
      {entry ? (
        <p data-testid="library-link">
          {t('inLibrary')}{' '}
          <a href={`#/library/${encodeURIComponent(entry.entryId)}`} data-entry={entry.entryId}>
            {entry.title}
          </a>
        </p>
      ) : (
        <MarkCaseForm caseId={caseId} onMarked={setMarked} />
      )}
    </section>
  );
}

function MarkCaseForm({ caseId, onMarked }: { caseId: string; onMarked: (e: Entry) => void }) {
  const { t } = useApp();
  const [open, setOpen] = useState(false);
  const [form, setForm] = useState({ title: '', summary: '', tags: '' });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof form) => (e: { currentTarget: { value: string } }) => setForm({ ...form, [k]: e.currentTarget.value });
  if (!open)
    return (
      <button type="button" data-action="mark-typical" onClick={() => setOpen(true)}>
        {t('markTypical')}
      </button>
    );
  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setError(null);
    setBusy(true);
    try {
      const res = await post<{ entry: Entry }>('/library', {
        caseId,
        title: form.title,
        summary: form.summary,
        tags: form.tags
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      });
      onMarked(res.entry);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="panel mark-case-form" data-form="mark-typical" onSubmit={(e) => void submit(e)}>
      <ErrorBox error={error} />
      <div class="field">
        <label for="mark-typical-title">{t('title')}</label>
        <input id="mark-typical-title" maxLength={200} required value={form.title} onInput={set('title')} />
      </div>
      <div class="field">
        <label for="mark-typical-summary">{t('summary')}</label>
        <textarea id="mark-typical-summary" rows={3} maxLength={4000} required value={form.summary} onInput={set('summary')} />
        <div class="hint">{t('typicalSummaryHint')}</div>
      </div>
      <div class="field">
        <label for="mark-typical-tags">{t('tags')}</label>
        <input id="mark-typical-tags" value={form.tags} onInput={set('tags')} />
      </div>
      <div class="buttons">
        <button type="submit" class="primary" data-action="save-typical" disabled={busy}>
          {t('markTypical')}
        </button>
        <button type="button" onClick={() => setOpen(false)} disabled={busy}>
          {t('cancel')}
        </button>
      </div>
    </form>
  );
}
