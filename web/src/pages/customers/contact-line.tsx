/** One logged contact: its channel and direction, who logged it in which role, the case it was about, and its summary. */
import type { ComponentChildren } from 'preact';
import { roleLabel } from '../../i18n';
import type { Contact } from '../../types';
import { useApp } from '../../ui';

export function ContactLine({ contact: c, caseLink }: { contact: Contact; caseLink: (caseId: string) => ComponentChildren }) {
  const { t, lang } = useApp();
  return (
    <>
      <div>
        <strong>
          {t(`channel_${c.channel}`)} · {t(`directionShort_${c.direction}`)}
        </strong>{' '}
        · {c.by.userId} <span class="muted small">({roleLabel(c.by.role, lang)})</span>
        {c.caseId && <span class="muted small"> · {caseLink(c.caseId)}</span>}
      </div>
      <div class="contact-summary">{c.summary}</div>
    </>
  );
}
