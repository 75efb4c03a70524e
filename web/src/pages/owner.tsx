/** Process owners: processes and versions, parameters as a form, the draft editor with the linter's messages, diff, impact, publish. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiFailure, get, post } from '../api';
import { humanize } from '../i18n';
import { jsonPositions, lineOf, syntaxErrorLine } from '../jsonpos';
import type { DefinitionDiff, DefinitionLabels, DraftResult, ParameterSpec, Problem, PublishResult, VersionInfo } from '../types';
import { Badge, Diagram, ErrorBox, Show, useApp, useLoad } from '../ui';

interface ListedDefinition {
  processId: string;
  version: number;
  hash: string;
  labels: { en: string; 'zh-CN': string };
}

export function ProcessList() {
  const { t, l } = useApp();
  const load = useLoad(() => get<{ definitions: ListedDefinition[] }>('/definitions').then((r) => r.definitions), []);
  return (
    <section>
      <h1>{t('processes')}</h1>
      <Show load={load}>
        {(list) => (
          <table class="list">
            <thead>
              <tr>
                <th>{t('process')}</th>
                <th>{t('version')}</th>
              </tr>
            </thead>
            <tbody>
              {list.map((d) => (
                <tr key={d.processId} data-process={d.processId}>
                  <td>
                    <a href={`#/processes/${d.processId}`}>{l(d.labels, d.processId)}</a> <span class="muted small">{d.processId}</span>
                  </td>
                  <td>v{d.version}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Show>
    </section>
  );
}

interface VersionRow {
  version: number;
  hash: string;
  status: 'draft' | 'published';
  definition: unknown;
  ok: boolean;
  problems: Problem[];
}

async function loadProcess(processId: string) {
  const [versions, latest] = await Promise.all([
    get<{ versions: VersionInfo[] }>(`/definitions/${processId}/versions`).then((r) => r.versions),
    get<VersionRow>(`/definitions/${processId}/versions/latest`),
  ]);
  const draft = versions.some((v) => v.status === 'draft')
    ? await get<VersionRow>(`/definitions/${processId}/versions/draft`).catch((err: unknown) => {
        // Discarded or published meanwhile.
        if (err instanceof ApiFailure && err.code === 'NoDraft') return null;
        throw err;
      })
    : null;
  return { versions, latest, draft };
}

export function ProcessPage({ processId }: { processId: string }) {
  const { t, l, time } = useApp();
  const load = useLoad(() => loadProcess(processId), [processId]);
  const [notice, setNotice] = useState<string | null>(null);
  const [impact, setImpact] = useState<PublishResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  const changed = (message: string) => {
    setNotice(message);
    setImpact(null);
    setError(null);
    load.reload();
  };
  return (
    <Show load={load}>
      {({ versions, latest, draft }) => {
        const def = (draft?.definition ?? latest.definition) as DefinitionLabels;
        return (
          <section>
            <h1>
              {l((latest.definition as DefinitionLabels).labels, processId)} <span class="muted small">{processId}</span>
            </h1>
            {notice && (
              <div class="alert ok" role="status">
                {notice}
              </div>
            )}
            <ErrorBox error={error} />
            <h2>{t('versions')}</h2>
            <table class="list versions">
              <thead>
                <tr>
                  <th>{t('version')}</th>
                  <th>{t('status')}</th>
                  <th>{t('createdBy')}</th>
                  <th>{t('publishedBy')}</th>
                  <th>{t('openCases')}</th>
                </tr>
              </thead>
              <tbody>
                {versions.map((v) => (
                  <tr key={v.version} data-version={v.version} data-status={v.status}>
                    <td>v{v.version}</td>
                    <td>
                      <Badge kind={v.status === 'draft' ? 'warn' : 'done'}>{t(v.status)}</Badge>
                      {v.version === latest.version && <> {t('latest')}</>}
                    </td>
                    <td>
                      {v.createdBy} · {time(v.createdAt)}
                    </td>
                    <td>{v.publishedBy ? `${v.publishedBy} · ${time(v.publishedAt)}` : ''}</td>
                    <td>{v.openCases}</td>
                  </tr>
                ))}
              </tbody>
            </table>

            <h2>{t('parameters')}</h2>
            <ParametersForm
              key={`${draft?.version ?? 'none'}-${versions.length}-${JSON.stringify(def.parameters ?? {})}`}
              processId={processId}
              parameters={def.parameters ?? {}}
              onSaved={() => changed(t('parametersSaved'))}
            />

            <h2>
              {t('draft')} {draft ? `v${draft.version}` : ''}
            </h2>
            {!draft && <p class="muted">{t('noDraft')}</p>}
            {draft && (
              <>
                <DraftReview processId={processId} draftOk={draft.ok} />
                <div class="buttons">
                  <button
                    data-action="preview"
                    onClick={() => {
                      setError(null);
                      post<PublishResult>(`/definitions/${processId}/publish`, { dryRun: true }).then(setImpact, setError);
                    }}
                  >
                    {t('previewImpact')}
                  </button>
                  <button
                    class="primary"
                    data-action="publish"
                    onClick={() => {
                      setError(null);
                      post<PublishResult>(`/definitions/${processId}/publish`, {}).then(
                        (r) => changed(`${t('publishedVersion')} v${r.published?.version ?? ''}`),
                        setError,
                      );
                    }}
                  >
                    {t('publish')}
                  </button>
                  <button
                    data-action="discard"
                    onClick={() => {
                      setError(null);
                      post(`/definitions/${processId}/draft/discard`).then(() => changed(t('discardDraft')), setError);
                    }}
                  >
                    {t('discardDraft')}
                  </button>
                </div>
                {impact && <ImpactView impact={impact} />}
              </>
            )}

            <h2>{t('editor')}</h2>
            <DraftEditor
              key={`${draft?.hash ?? latest.version}-${versions.length}`}
              processId={processId}
              initial={draft?.definition ?? latest.definition}
              onSaved={(r) => changed(`${t('draftSaved')} v${r.draft.version}`)}
            />
          </section>
        );
      }}
    </Show>
  );
}

/** A parameter's value as the form shows it. */
const shown = (v: unknown) =>
  v === undefined || v === null
    ? ''
    : typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
      ? String(v)
      : JSON.stringify(v);

function ParametersForm(props: { processId: string; parameters: Record<string, ParameterSpec>; onSaved: () => void }) {
  const { t, l } = useApp();
  const entries = Object.entries(props.parameters);
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(entries.map(([k, p]) => [k, shown(p.default)])));
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  if (entries.length === 0) return <p class="muted">{t('none')}</p>;
  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      for (const [name, spec] of entries) {
        const before = shown(spec.default);
        const now = values[name] ?? '';
        if (now === before) continue;
        const value = spec.type === 'boolean' ? now === 'true' : spec.type === 'number' || spec.type === 'integer' ? Number(now) : now;
        if (typeof value === 'number' && (now.trim() === '' || !Number.isFinite(value))) {
          throw new ApiFailure(400, 'ValidationError', `${l(spec.labels, name)}: ${t('mustBeNumber')}`);
        }
        await post<DraftResult>(`/definitions/${props.processId}/parameters`, { name, value });
      }
      props.onSaved();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="parameters" onSubmit={(e) => void save(e)}>
      <ErrorBox error={error} />
      {entries.map(([name, spec]) => (
        <div class="field" key={name}>
          <label for={`param-${name}`}>
            {l(spec.labels, humanize(name))}{' '}
            <span class="muted small">
              ({name}
              {spec.unit ? `, ${spec.unit}` : ''})
            </span>
          </label>
          {spec.type === 'boolean' ? (
            <select id={`param-${name}`} value={values[name]} onChange={(e) => setValues({ ...values, [name]: e.currentTarget.value })}>
              <option value="true">{t('yes')}</option>
              <option value="false">{t('no')}</option>
            </select>
          ) : (
            <input
              id={`param-${name}`}
              type={spec.type === 'number' || spec.type === 'integer' ? 'number' : 'text'}
              min={spec.minimum}
              max={spec.maximum}
              step={spec.type === 'integer' ? '1' : 'any'}
              value={values[name]}
              onInput={(e) => setValues({ ...values, [name]: e.currentTarget.value })}
            />
          )}
        </div>
      ))}
      <button type="submit" class="primary" disabled={busy} data-action="save-parameters">
        {t('saveParameters')}
      </button>
    </form>
  );
}

function DraftReview({ processId, draftOk }: { processId: string; draftOk: boolean }) {
  const { t } = useApp();
  const diff = useLoad(
    () => (draftOk ? get<DefinitionDiff>(`/definitions/${processId}/diff?from=latest&to=draft`) : Promise.resolve(null)),
    [processId, draftOk],
  );
  return (
    <div class="panel">
      <h3>{t('diff')}</h3>
      <Show load={diff}>
        {(d) =>
          d === null ? (
            <p class="muted">{t('errInvalidDefinition')}</p>
          ) : d.changes.length === 0 ? (
            <p class="muted">{t('noChanges')}</p>
          ) : (
            <ul class="diff">
              {d.changes.map((c, i) => (
                <li key={i} class={c.change}>
                  <Badge kind={c.change === 'removed' ? 'danger' : c.change === 'added' ? 'done' : 'warn'}>{c.change}</Badge> {c.text}
                </li>
              ))}
            </ul>
          )
        }
      </Show>
    </div>
  );
}

function ImpactView({ impact }: { impact: PublishResult }) {
  const { t } = useApp();
  const i = impact.impact;
  return (
    <div class="panel impact" data-testid="impact">
      <h3>{t('impact')}</h3>
      <p>
        v{i.newVersion} · {t('replaced')} {i.replacedVersion === null ? t('none') : `v${i.replacedVersion}`}
      </p>
      <p>{t('openByState')}:</p>
      {i.byState.length === 0 ? (
        <p class="muted">{t('none')}</p>
      ) : (
        <ul>
          {i.byState.map((s) => (
            <li key={s.state}>
              {s.state}: {s.count}
            </li>
          ))}
        </ul>
      )}
      <p>
        {t('inRemovedStates')}:{' '}
        {i.inRemovedStates.length === 0 ? t('none') : i.inRemovedStates.map((c) => `${c.caseId} (${c.state})`).join(', ')}
      </p>
      <p>
        {t('olderVersions')}:{' '}
        {i.olderVersions.length === 0 ? t('none') : i.olderVersions.map((v) => `v${v.version}: ${v.count}`).join(', ')}
      </p>
    </div>
  );
}

interface Check {
  problems: Array<Problem & { line: number }>;
  syntax?: { line: number | undefined; message: string };
  svg?: string;
}

function DraftEditor(props: { processId: string; initial: unknown; onSaved: (r: DraftResult) => void }) {
  const { t } = useApp();
  const [text, setText] = useState(() => JSON.stringify(props.initial, null, 2));
  const [check, setCheck] = useState<Check>({ problems: [] });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLDivElement>(null);

  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      void (async () => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          if (live) setCheck({ problems: [], syntax: { line: syntaxErrorLine(text, message), message } });
          return;
        }
        try {
          const positions = jsonPositions(text) ?? new Map();
          const lint = await post<{ ok: boolean; problems: Problem[] }>('/definitions/validate', parsed);
          const problems = lint.problems.map((p) => ({ ...p, line: lineOf(positions, p.path) }));
          let svg: string | undefined;
          if (lint.ok) svg = await post<string>('/definitions/diagram', parsed, { text: true });
          if (live) setCheck({ problems, ...(svg !== undefined && { svg }) });
        } catch (err) {
          if (live) setError(err);
        }
      })();
    }, 400);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [text]);

  const lines = text.split('\n').length;
  const marks = new Map<number, string[]>();
  for (const p of check.problems) marks.set(p.line, [...(marks.get(p.line) ?? []), p.message]);
  if (check.syntax?.line) marks.set(check.syntax.line, [check.syntax.message]);

  const goTo = (line: number) => {
    const el = area.current;
    if (!el) return;
    const starts = [0];
    for (let k = 0; k < text.length; k++) if (text[k] === '\n') starts.push(k + 1);
    const start = starts[line - 1] ?? 0;
    const end = starts[line] !== undefined ? starts[line] - 1 : text.length;
    el.focus();
    el.setSelectionRange(start, end);
    el.scrollTop = Math.max(0, (line - 5) * 18);
  };

  const save = async () => {
    setError(null);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      setError(new ApiFailure(400, 'InvalidJson', err instanceof Error ? err.message : String(err)));
      return;
    }
    setBusy(true);
    try {
      props.onSaved(await post<DraftResult>(`/definitions/${props.processId}/draft`, parsed));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="editor-layout">
      <div class="editor-col">
        <p class="muted small">{t('editorHelp')}</p>
        <div class="editor">
          <div class="gutter" ref={gutter} aria-hidden="true">
            {Array.from({ length: lines }, (_, k) => {
              const m = marks.get(k + 1);
              return (
                <div key={k} class={m ? 'mark' : ''} title={m?.join('\n')}>
                  {m ? '●' : ''}
                  {k + 1}
                </div>
              );
            })}
          </div>
          <textarea
            ref={area}
            spellcheck={false}
            aria-label={t('editor')}
            value={text}
            onInput={(e) => setText(e.currentTarget.value)}
            onScroll={(e) => {
              if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop;
            }}
          />
        </div>
        <div class="problems" data-testid="problems">
          {check.syntax ? (
            <div class="alert error">
              <button type="button" class="link" onClick={() => check.syntax?.line && goTo(check.syntax.line)}>
                {t('line')} {check.syntax.line ?? '?'}
              </button>
              : {t('badJson')} — {check.syntax.message}
            </div>
          ) : check.problems.length === 0 ? (
            <p class="ok-text">{t('noProblems')}</p>
          ) : (
            <>
              <strong>
                {t('problems')} ({check.problems.length})
              </strong>
              <ul>
                {check.problems.map((p, k) => (
                  <li key={k} data-line={p.line}>
                    <button type="button" class="link" onClick={() => goTo(p.line)}>
                      {t('line')} {p.line}
                    </button>{' '}
                    <code>{p.path}</code>: {p.message}
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
        <ErrorBox error={error} />
        <button class="primary" onClick={() => void save()} disabled={busy} data-action="save-draft">
          {t('saveDraft')}
        </button>
      </div>
      <div class="editor-diagram">{check.svg ? <Diagram svg={check.svg} fit /> : null}</div>
    </div>
  );
}
