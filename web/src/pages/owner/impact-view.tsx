/** The impact of publishing the draft on open cases. */
import type { PublishResult } from '../../types';
import { useApp } from '../../ui';

export function ImpactView({ impact }: { impact: PublishResult }) {
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
