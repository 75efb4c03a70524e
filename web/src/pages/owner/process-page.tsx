/** One process: its versions, parameters, the draft (diff, impact, publish, discard) and the editor. */
import { useState } from 'preact/hooks';
import { ApiFailure, get, post } from '../../api';
import { ListTable } from '../../components/list-table';
import type { DefinitionLabels, PublishResult, VersionInfo, VersionRead } from '../../types';
import { Badge, ErrorBox, Show, useApp, useLoad } from '../../ui';
import { DraftEditor } from './draft-editor';
import { DraftReview } from './draft-review';
import { ImpactView } from './impact-view';
import { ParametersForm } from './parameters-form';

async function loadProcess(processId: string) {
  const [versions, latest] = await Promise.all([
    get<{ versions: VersionInfo[] }>(`/definitions/${processId}/versions`).then((r) => r.versions),
    get<VersionRead>(`/definitions/${processId}/versions/latest`),
  ]);
  const draft = versions.some((v) => v.status === 'draft')
    ? await get<VersionRead>(`/definitions/${processId}/versions/draft`).catch((err: unknown) => {
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
            <ListTable
              kind="versions"
              items={versions}
              row={(v) => ({ key: v.version, 'data-version': v.version, 'data-status': v.status })}
              columns={[
                { label: t('version'), cell: (v) => `v${v.version}` },
                {
                  label: t('status'),
                  cell: (v) => (
                    <>
                      <Badge kind={v.status === 'draft' ? 'warn' : 'done'}>{t(v.status)}</Badge>
                      {v.version === latest.version && <> {t('latest')}</>}
                    </>
                  ),
                },
                { label: t('createdBy'), cell: (v) => `${v.createdBy} · ${time(v.createdAt)}` },
                { label: t('publishedBy'), cell: (v) => (v.publishedBy ? `${v.publishedBy} · ${time(v.publishedAt)}` : '') },
                { label: t('openCases'), cell: (v) => v.openCases },
              ]}
            />

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
