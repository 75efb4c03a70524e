/** What the draft changes compared with the latest published version. */
import { get } from '../../api';
import type { DefinitionDiff } from '../../types';
import { Badge, Show, useApp, useLoad } from '../../ui';

const CHANGE_KEYS = { added: 'changeAdded', removed: 'changeRemoved', changed: 'changeChanged' } as const;

export function DraftReview({ processId, draftOk }: { processId: string; draftOk: boolean }) {
  const { t, lang } = useApp();
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
                  <Badge kind={c.change === 'removed' ? 'danger' : c.change === 'added' ? 'done' : 'warn'}>
                    {t(CHANGE_KEYS[c.change])}
                  </Badge>{' '}
                  {lang === 'zh-CN' ? c.textZh : c.text}
                </li>
              ))}
            </ul>
          )
        }
      </Show>
    </div>
  );
}
