/** A case's incidents (effects that failed for good): the banner that says the case is on hold, and an operator's retry. */
import { useState } from 'preact/hooks';
import { loadSession, post } from './api';
import type { MessageKey } from './i18n';
import type { Incident, RetryResult } from './types';
import { ErrorBox, useApp } from './ui';

const EFFECT_KEYS: Record<Incident['effect'], MessageKey> = {
  persistTransition: 'effectPersistTransition',
  notify: 'effectNotify',
  runTask: 'effectRunTask',
  startChild: 'effectStartChild',
  transition: 'effectTransition',
};

/** The role that may retry incidents. */
export const OPERATOR_ROLE = 'admin';

/**
 * Retries a case's open incidents as an operator. A user who holds the operator role among others
 * retries in it whatever role they act in now, so the retry works from the case page too.
 */
export function retryIncidents(caseId: string): Promise<RetryResult> {
  const session = loadSession();
  return post<RetryResult>(
    `/cases/${encodeURIComponent(caseId)}/incidents/retry`,
    {},
    {
      ...(session && { session: { token: session.token, role: OPERATOR_ROLE } }),
    },
  );
}

/** Which effect failed and for which transition, in the user's words, then the engine's own description. */
export function EffectText({ incident }: { incident: Incident }) {
  const { t } = useApp();
  return (
    <span class="effect">
      <strong>{t(EFFECT_KEYS[incident.effect] ?? 'failedEffect')}</strong>
      {incident.seq !== null && <> · {t('transitionNo', { n: incident.seq })}</>}
      <span class="muted"> — {incident.description}</span>
    </span>
  );
}

/** What failed, for which transition, with which error, how often and since when. */
export function IncidentFacts({ incident }: { incident: Incident }) {
  const { t, time } = useApp();
  return (
    <div class="incident-facts">
      <div>
        <EffectText incident={incident} />
      </div>
      <div class="incident-error">
        <span class="mono">
          {incident.error.type}: {incident.error.message}
        </span>
      </div>
      <div class="muted small">
        {t('attempts')}: <span data-testid="attempts">{incident.attempts}</span> · {t('since')} {time(incident.openedAt)}
      </div>
    </div>
  );
}

/** How a retry went: resolved, or failed again with the new error. */
export function RetryOutcome({ outcome, error }: { outcome: RetryResult | null; error: unknown }) {
  const { t } = useApp();
  if (error) return <ErrorBox error={error} />;
  if (!outcome) return null;
  if (outcome.open.length === 0) {
    return (
      <div class="alert ok" role="status" data-retry="resolved">
        {t('retryResolved')}
      </div>
    );
  }
  return (
    <div class="alert error" role="status" data-retry="failed">
      <strong>{t('retryFailedAgain')}</strong>
      {outcome.open.map((i) => (
        <div key={i.id} class="detail mono">
          {i.error.type}: {i.error.message} ({t('attempts')}: {i.attempts})
        </div>
      ))}
    </div>
  );
}

export interface IncidentBannerProps {
  caseId: string;
  incidents: Incident[];
  /** Show the Retry button (the user holds the operator role). */
  canRetry: boolean;
  /** Called after each retry, whatever its outcome, so the page reloads the case. */
  onRetried?: (result: RetryResult) => void;
}

/**
 * The banner at the top of a case that has open incidents, with an operator's Retry; it keeps
 * the outcome of the last retry in view after the banner itself is gone.
 */
export function IncidentBanner({ caseId, incidents, canRetry, onRetried }: IncidentBannerProps) {
  const { t } = useApp();
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<RetryResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  const retry = async () => {
    setBusy(true);
    setError(null);
    setOutcome(null);
    try {
      const result = await retryIncidents(caseId);
      setOutcome(result);
      onRetried?.(result);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      {incidents.length > 0 && (
        <div class="alert incident" role="alert" data-testid="incident-banner">
          <strong class="incident-title">{t('incidentHeld')}</strong>
          <p>{t('incidentHeldHelp')}</p>
          <ul class="incident-list">
            {incidents.map((i) => (
              <li key={i.id} data-incident={i.id}>
                <IncidentFacts incident={i} />
              </li>
            ))}
          </ul>
          {canRetry && (
            <button class="primary" data-action="retry" disabled={busy} onClick={() => void retry()}>
              {busy ? t('retrying') : t('retry')}
            </button>
          )}
        </div>
      )}
      <RetryOutcome outcome={outcome} error={error} />
    </>
  );
}
