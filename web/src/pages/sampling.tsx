/**
 * Auditors' sampling (不定期抽样复核): draw a reproducible sample of completed cases per rep and period,
 * open a sampled case, tick its checklist, record findings; the sampling report per rep and item.
 */
import { useState } from 'preact/hooks';
import { download, get, newKey, post } from '../api';
import type { components } from '../api-types';
import type { Lang } from '../i18n';
import { labelOf } from '../i18n';
import { Badge, ErrorBox, Show, useApp, useLoad } from '../ui';
import { useProcesses } from '../processes';

type Sample = components['schemas']['Sample'];
type SampledCase = components['schemas']['SampledCase'];
type Annotation = components['schemas']['Annotation'];
type SamplingReport = components['schemas']['SamplingReport'];
type Item = { id: string; labels: { en: string; 'zh-CN': string } };
type ReviewBody = { items?: Array<Item & { result: string; finding?: string }>; passed?: boolean; comment?: string; text?: string };

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const enc = encodeURIComponent;

/** The draw form and the draws so far. */
export function SamplingPage() {
  const { t, l, navigate, time } = useApp();
  const processes = useProcesses();
  const [form, setForm] = useState({
    process: 'complaint',
    from: day(Date.now() - 30 * 86_400_000),
    to: day(Date.now() + 86_400_000),
    reps: '',
    mode: 'size',
    amount: '3',
    seed: '',
  });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const samples = useLoad(() => get<{ samples: Array<Sample & { sampled: number; reviewed: number }> }>('/audit/samples'), []);
  const set = (k: keyof typeof form) => (e: { currentTarget: { value: string } }) => setForm({ ...form, [k]: e.currentTarget.value });
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const reps = form.reps
        .split(',')
        .map((r) => r.trim())
        .filter(Boolean);
      const drawn = await post<{ sample: Sample }>('/audit/samples', {
        process: form.process,
        from: form.from,
        to: form.to,
        ...(reps.length > 0 && { reps }),
        [form.mode]: Number(form.amount),
        ...(form.seed.trim() && { seed: form.seed.trim() }),
      });
      navigate(`#/sampling/${drawn.sample.sampleId}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const byId = new Map((processes.data ?? []).map((p) => [p.processId, p]));
  return (
    <section class="sampling">
      <h1>{t('sampling')}</h1>
      <form class="panel draw-form" onSubmit={(e) => void submit(e)} data-testid="draw-form">
        <h2>{t('drawSample')}</h2>
        <ErrorBox error={error} />
        <div class="grid-form">
          <label>
            {t('process')}
            <select data-testid="draw-process" value={form.process} onChange={set('process')}>
              {(processes.data ?? []).map((p) => (
                <option key={p.processId} value={p.processId}>
                  {l(p.labels, p.processId)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('periodFrom')}
            <input type="date" data-testid="draw-from" value={form.from} onInput={set('from')} />
          </label>
          <label>
            {t('periodTo')}
            <input type="date" data-testid="draw-to" value={form.to} onInput={set('to')} />
          </label>
          <label>
            {t('reps')}
            <input data-testid="draw-reps" value={form.reps} onInput={set('reps')} />
          </label>
          <label>
            {t('perRep')}
            <span class="inline-pair">
              <input type="number" min="1" data-testid="draw-amount" value={form.amount} onInput={set('amount')} />
              <select data-testid="draw-mode" value={form.mode} onChange={set('mode')}>
                <option value="size">{t('casesPerRep')}</option>
                <option value="percent">{t('percentPerRep')}</option>
              </select>
            </span>
          </label>
          <label>
            {t('seed')}
            <input data-testid="draw-seed" value={form.seed} onInput={set('seed')} />
          </label>
        </div>
        <button type="submit" class="primary" disabled={busy} data-action="draw">
          {t('draw')}
        </button>
      </form>
      <h2>{t('samples')}</h2>
      <Show load={samples}>
        {({ samples: list }) =>
          list.length === 0 ? (
            <p class="muted">{t('noSamples')}</p>
          ) : (
            <div class="table-scroll">
              <table class="list" data-testid="samples">
                <thead>
                  <tr>
                    <th>{t('sample')}</th>
                    <th>{t('process')}</th>
                    <th>{t('periodFrom')}</th>
                    <th>{t('seedShort')}</th>
                    <th>{t('sampled')}</th>
                    <th>{t('reviewed')}</th>
                    <th>{t('drawnBy')}</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((s) => (
                    <tr key={s.sampleId} onClick={() => navigate(`#/sampling/${s.sampleId}`)}>
                      <td>
                        <a href={`#/sampling/${s.sampleId}`}>{s.sampleId}</a>
                      </td>
                      <td>{l(byId.get(s.processId)?.labels, s.processId)}</td>
                      <td>
                        {s.from.slice(0, 10)} – {s.to.slice(0, 10)}
                      </td>
                      <td class="mono">{s.seed}</td>
                      <td>{s.sampled}</td>
                      <td>{s.reviewed}</td>
                      <td>
                        {s.drawnBy} <span class="muted small">{time(s.drawnAt)}</span>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Show>
    </section>
  );
}

/** One draw: its parameters, its cases per rep with their review, and its report. */
export function SamplePage({ sampleId }: { sampleId: string }) {
  const { t, lang, time } = useApp();
  const load = useLoad(
    () =>
      Promise.all([
        get<{ sample: Sample; cases: SampledCase[]; checklist: Item[] }>(`/audit/samples/${enc(sampleId)}`),
        get<SamplingReport>(`/audit/samples/${enc(sampleId)}/report`),
      ]),
    [sampleId],
  );
  const csv = async () => {
    const text = await get<string>(`/audit/samples/${enc(sampleId)}/report?format=csv`, { text: true });
    download(`${sampleId}.csv`, text, 'text/csv');
  };
  return (
    <Show load={load}>
      {([{ sample, cases }, report]) => (
        <section class="sampling">
          <h1>
            {t('sample')} <span class="muted small">{sample.sampleId}</span>
          </h1>
          <p class="sample-params" data-testid="sample-params">
            {sample.processId} · {sample.from.slice(0, 10)} – {sample.to.slice(0, 10)} ·{' '}
            {sample.size !== null ? `${sample.size} ${t('casesPerRep')}` : `${sample.percent}${t('percentPerRep')}`} · {t('seedShort')}:{' '}
            <span class="mono">{sample.seed}</span> · {t('drawnBy')} {sample.drawnBy} {time(sample.drawnAt)}
          </p>
          <div class="table-scroll">
            <table class="list" data-testid="sample-cases">
              <thead>
                <tr>
                  <th>{t('rep')}</th>
                  <th>#</th>
                  <th>{t('caseId')}</th>
                  <th>{t('review')}</th>
                </tr>
              </thead>
              <tbody>
                {cases.map((c) => (
                  <tr key={c.caseId} data-case={c.caseId}>
                    <td>{c.rep}</td>
                    <td>{c.rank + 1}</td>
                    <td>
                      <a href={`#/sampling/${enc(sampleId)}/${enc(c.caseId)}`}>{c.caseId}</a>
                    </td>
                    <td>
                      {c.review === null ? (
                        <Badge kind="info">{t('notReviewed')}</Badge>
                      ) : c.review.passed ? (
                        <Badge kind="done">{t('passed')}</Badge>
                      ) : (
                        <Badge kind="danger">
                          {t('failed')}: {c.review.failed.length}
                        </Badge>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <h2>
            {t('samplingReport')}{' '}
            <button type="button" onClick={() => void csv()}>
              CSV
            </button>
          </h2>
          <ReportTable report={report} lang={lang} />
        </section>
      )}
    </Show>
  );
}

function ReportTable({ report, lang }: { report: SamplingReport; lang: Lang }) {
  const { t } = useApp();
  const items = new Map(report.items.map((i) => [`item:${i.id}`, labelOf(i.labels, lang, i.id)]));
  const heading: Record<string, string> = {
    rep: t('rep'),
    population: t('population'),
    sampled: t('sampled'),
    reviewed: t('reviewed'),
    passed: t('passed'),
    failed: t('failed'),
    findings: t('findings'),
  };
  return (
    <div class="table-scroll">
      <table class="list" data-testid="sampling-report">
        <thead>
          <tr>
            {report.columns.map((c) => (
              <th key={c}>{heading[c] ?? items.get(c) ?? c}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {report.rows.map((r) => (
            <tr key={String(r.rep)}>
              {report.columns.map((c) => (
                <td key={c}>{String(r[c] ?? '')}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A sampled case: tick each checklist item, write what was found for those that fail, record the review. */
export function ReviewPage({ sampleId, caseId }: { sampleId: string; caseId: string }) {
  const { t, l, navigate } = useApp();
  const load = useLoad(
    () =>
      get<{ case: SampledCase & { processId: string; state: string; customerId: string }; checklist: Item[]; reviews: Annotation[] }>(
        `/audit/samples/${enc(sampleId)}/cases/${enc(caseId)}`,
      ),
    [sampleId, caseId],
  );
  const [results, setResults] = useState<Record<string, string>>({});
  const [findings, setFindings] = useState<Record<string, string>>({});
  const [comment, setComment] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [key] = useState(newKey);
  const save = async (e: Event, checklist: Item[]) => {
    e.preventDefault();
    setError(null);
    try {
      const failed = checklist.filter((i) => results[i.id] === 'fail').map((i) => i.id);
      await post(
        `/audit/samples/${enc(sampleId)}/cases/${enc(caseId)}/review`,
        {
          results,
          ...(failed.length > 0 && { findings: Object.fromEntries(failed.map((id) => [id, findings[id] ?? ''])) }),
          ...(comment.trim() && { comment: comment.trim() }),
        },
        { idempotencyKey: key },
      );
      setSaved(true);
      navigate(`#/sampling/${enc(sampleId)}`);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Show load={load}>
      {({ case: c, checklist, reviews }) => (
        <section class="sampling review">
          <p>
            <a href={`#/sampling/${enc(sampleId)}`}>← {t('backToSample')}</a>
          </p>
          <h1>
            {t('reviewCase')} <span class="muted small">{caseId}</span>
          </h1>
          <p>
            {t('rep')}: <strong>{c.rep}</strong> · {c.processId} · {c.state} · <a href={`#/audit/${enc(caseId)}`}>{t('history')}</a>
          </p>
          <form class="panel" onSubmit={(e) => void save(e, checklist)} data-testid="review-form">
            <ErrorBox error={error} />
            {saved && <p role="status">{t('reviewSaved')}</p>}
            <fieldset class="checklist">
              <legend>{t('checklist')}</legend>
              {checklist.map((item) => (
                <div class="check-item" key={item.id} data-item={item.id}>
                  <div class="check-label">{l(item.labels, item.id)}</div>
                  <div class="check-choices" role="radiogroup" aria-label={l(item.labels, item.id)}>
                    {(['pass', 'fail', 'na'] as const).map((r) => (
                      <label key={r} class="choice">
                        <input
                          type="radio"
                          name={`item-${item.id}`}
                          value={r}
                          checked={results[item.id] === r}
                          onChange={() => setResults({ ...results, [item.id]: r })}
                        />{' '}
                        {t(r === 'pass' ? 'resultPass' : r === 'fail' ? 'resultFail' : 'resultNa')}
                      </label>
                    ))}
                  </div>
                  {results[item.id] === 'fail' && (
                    <textarea
                      aria-label={`${t('finding')}: ${l(item.labels, item.id)}`}
                      placeholder={t('finding')}
                      data-finding={item.id}
                      value={findings[item.id] ?? ''}
                      onInput={(e) => setFindings({ ...findings, [item.id]: e.currentTarget.value })}
                    />
                  )}
                </div>
              ))}
            </fieldset>
            <label class="field">
              {t('comment')}
              <textarea data-testid="review-comment" value={comment} onInput={(e) => setComment(e.currentTarget.value)} />
            </label>
            <button type="submit" class="primary" data-action="save-review">
              {t('saveReview')}
            </button>
          </form>
          <h2>{t('reviews')}</h2>
          <AnnotationList annotations={reviews} />
        </section>
      )}
    </Show>
  );
}

/** Annotations (notes and reviews), oldest first. */
export function AnnotationList({ annotations }: { annotations: Annotation[] }) {
  const { t, l, time } = useApp();
  if (annotations.length === 0) return <p class="muted">{t('noAnnotations')}</p>;
  return (
    <ol class="annotations" data-testid="annotations">
      {annotations.map((a) => {
        const body = a.body as ReviewBody;
        return (
          <li key={a.seq} data-kind={a.kind}>
            <div class="muted small">
              #{a.seq} · {time(a.at)} · {a.author.userId} · <span class="mono">{a.hash.slice(0, 12)}</span>
            </div>
            {a.kind === 'note' ? (
              <p>{body.text}</p>
            ) : (
              <div>
                {body.passed ? <Badge kind="done">{t('passed')}</Badge> : <Badge kind="danger">{t('failed')}</Badge>}{' '}
                {a.sampleId && (
                  <a class="small" href={`#/sampling/${enc(a.sampleId)}`}>
                    {a.sampleId}
                  </a>
                )}
                <ul>
                  {(body.items ?? [])
                    .filter((i) => i.result === 'fail')
                    .map((i) => (
                      <li key={i.id}>
                        <strong>{l(i.labels, i.id)}</strong>: {i.finding}
                      </li>
                    ))}
                </ul>
                {body.comment && <p>{body.comment}</p>}
              </div>
            )}
          </li>
        );
      })}
    </ol>
  );
}

/** A case's annotations, and for an auditor a note to add. */
export function CaseAnnotations({ caseId }: { caseId: string }) {
  const { t, me } = useApp();
  const [version, setVersion] = useState(0);
  const load = useLoad(() => get<{ annotations: Annotation[] }>(`/cases/${enc(caseId)}/annotations`), [caseId, version]);
  const [text, setText] = useState('');
  const [error, setError] = useState<unknown>(null);
  const save = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      await post(`/cases/${enc(caseId)}/annotations`, { text: text.trim() }, { idempotencyKey: newKey() });
      setText('');
      setVersion(version + 1);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <div class="case-annotations">
      <h2>{t('annotations')}</h2>
      <Show load={load}>{({ annotations }) => <AnnotationList annotations={annotations} />}</Show>
      {me.role === 'auditor' && (
        <form class="note-form" onSubmit={(e) => void save(e)}>
          <ErrorBox error={error} />
          <label class="field">
            {t('addNote')}
            <textarea data-testid="note-text" value={text} onInput={(e) => setText(e.currentTarget.value)} />
          </label>
          <button type="submit" disabled={!text.trim()} data-action="save-note">
            {t('saveNote')}
          </button>
        </form>
      )}
    </div>
  );
}
