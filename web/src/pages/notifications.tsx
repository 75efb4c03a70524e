/** The signed-in user's notification centre (newest first, mark read, channels), the header's unread badge, and the admins' outbox view. */
import { useEffect, useState } from 'preact/hooks';
import { answered, api } from '../api';
import type { components } from '../api-types';
import { Badge, ErrorBox, Show, useApp, useLoad } from '../ui';
import { DelegationsPanel } from './delegations';

type Notification = components['schemas']['Notification'];
type OutboxEntry = components['schemas']['OutboxEntry'];

/** Fired on window when notifications were read here, so the badge counts again. */
const CHANGED = 'docket:notifications';

/** The header's unread count, polled every minute; a link to the centre. */
export function NotificationBadge() {
  const { t } = useApp();
  const [unread, setUnread] = useState<number | null>(null);
  useEffect(() => {
    let live = true;
    const count = () =>
      void answered(api.GET('/notifications', { params: { query: { unread: 'true', limit: 1 } } })).then(
        (page) => live && setUnread(page.unread),
        () => undefined,
      );
    count();
    const timer = setInterval(count, 60_000);
    window.addEventListener(CHANGED, count);
    return () => {
      live = false;
      clearInterval(timer);
      window.removeEventListener(CHANGED, count);
    };
  }, []);
  return (
    <a href="#/notifications" class="notify-badge" data-testid="notification-badge" aria-label={t('notifications')}>
      <svg class="bell" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
        <path
          fill="currentColor"
          d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1z"
        />
      </svg>
      {unread ? <span class="count">{unread > 99 ? '99+' : unread}</span> : null}
    </a>
  );
}

export function NotificationsPage() {
  const { t, time, me, lang } = useApp();
  const [onlyUnread, setOnlyUnread] = useState(false);
  const [more, setMore] = useState<Notification[]>([]);
  const [cursor, setCursor] = useState<string | undefined>();
  const [error, setError] = useState<unknown>(null);
  const page = useLoad(
    () => answered(api.GET('/notifications', { params: { query: { limit: 30, ...(onlyUnread && { unread: 'true' as const }) } } })),
    [onlyUnread],
  );
  useEffect(() => {
    setMore([]);
    setCursor(page.data?.nextCursor);
  }, [page.data]);

  const changed = () => {
    window.dispatchEvent(new Event(CHANGED));
    page.reload();
  };
  const act = (fn: () => Promise<unknown>) => () => void fn().then(changed, setError);

  return (
    <section class="notifications">
      <div class="heading">
        <h1>{t('notifications')}</h1>
        <button data-action="read-all" onClick={act(() => answered(api.POST('/notifications/read-all')))}>
          {t('markAllRead')}
        </button>
      </div>
      <label class="inline">
        <input type="checkbox" checked={onlyUnread} onChange={(e) => setOnlyUnread(e.currentTarget.checked)} /> {t('onlyUnread')}
      </label>
      {error ? <ErrorBox error={error} /> : null}
      <Show load={page}>
        {(data) => (
          <>
            <p data-testid="notification-counts">{t('unreadOfTotal', { unread: data.unread, total: data.total })}</p>
            {data.items.length === 0 ? <p>{t('noNotifications')}</p> : null}
            <ul class="notification-list">
              {[...data.items, ...more].map((n) => (
                <li key={n.id} class={n.readAt ? 'read' : 'unread'} data-testid="notification">
                  <div class="what">
                    {n.readAt ? null : <Badge kind="unread">{t('notifyUnread')}</Badge>} <strong>{n.subject[lang]}</strong>
                    {n.forUserId ? <span class="for-user"> · {t('forUser', { user: n.forUserId })}</span> : null}
                  </div>
                  <div class="where">
                    <a href={`#/cases/${encodeURIComponent(n.caseId)}`}>{n.caseId}</a> · {n.processId} · {n.state ?? ''} ·{' '}
                    {time(n.createdAt)}
                  </div>
                  {n.readAt ? null : (
                    <button
                      data-action="read"
                      onClick={act(() => answered(api.POST('/notifications/{id}/read', { params: { path: { id: n.id } } })))}
                    >
                      {t('markRead')}
                    </button>
                  )}
                </li>
              ))}
            </ul>
            {cursor ? (
              <button
                onClick={() =>
                  void answered(
                    api.GET('/notifications', { params: { query: { limit: 30, cursor, ...(onlyUnread && { unread: 'true' as const }) } } }),
                  ).then((next) => {
                    setMore((m) => [...m, ...next.items]);
                    setCursor(next.nextCursor);
                  }, setError)
                }
              >
                {t('loadMore')}
              </button>
            ) : null}
          </>
        )}
      </Show>
      <Preferences />
      <DelegationsPanel />
      {me.role === 'admin' ? <OutboxSection /> : null}
    </section>
  );
}

function Preferences() {
  const { t } = useApp();
  const prefs = useLoad(() => answered(api.GET('/me/notification-preferences')), []);
  const [error, setError] = useState<unknown>(null);
  // The choice shows at once; a refusal puts the stored one back and says why.
  const [chosen, setChosen] = useState<boolean | undefined>(undefined);
  const choose = (mail: boolean) => {
    setChosen(mail);
    setError(null);
    answered(api.PUT('/me/notification-preferences', { body: { mail } })).then(prefs.reload, (err: unknown) => {
      setChosen(undefined);
      setError(err);
    });
  };
  return (
    <section class="preferences">
      <h2>{t('notificationChannels')}</h2>
      <p>{t('inAppAlwaysOn')}</p>
      {error ? <ErrorBox error={error} /> : null}
      <Show load={prefs}>
        {(p) => (
          <label class="inline">
            <input
              type="checkbox"
              data-testid="mail-preference"
              checked={chosen ?? p.mail}
              onChange={(e) => choose(e.currentTarget.checked)}
            />{' '}
            {t('mailNotifications')}
          </label>
        )}
      </Show>
    </section>
  );
}

/** Admins: the outbox rows and their delivery. */
function OutboxSection() {
  const { t, time } = useApp();
  const [status, setStatus] = useState<'' | OutboxEntry['status']>('');
  const rows = useLoad(() => answered(api.GET('/outbox', { params: { query: { limit: 100, ...(status && { status }) } } })), [status]);
  return (
    <section class="outbox">
      <h2>{t('outboxTitle')}</h2>
      <select aria-label={t('status')} value={status} onChange={(e) => setStatus(e.currentTarget.value as typeof status)}>
        <option value="">{t('notifyAll')}</option>
        <option value="pending">pending</option>
        <option value="sent">sent</option>
        <option value="failed">failed</option>
      </select>
      <Show load={rows}>
        {(page) => (
          <div class="table-scroll">
            <table>
              <thead>
                <tr>
                  <th>{t('notificationId')}</th>
                  <th>{t('status')}</th>
                  <th>{t('attempts')}</th>
                  <th>{t('channels')}</th>
                  <th>{t('nextAttempt')}</th>
                  <th>{t('lastError')}</th>
                </tr>
              </thead>
              <tbody>
                {page.rows.map((r) => (
                  <tr key={r.id}>
                    <td>{r.id}</td>
                    <td>
                      <Badge kind={r.status}>{r.status}</Badge>
                    </td>
                    <td>{r.attempts}</td>
                    <td>{r.deliveredChannels.join(', ')}</td>
                    <td>{time(r.nextAttemptAt)}</td>
                    <td>{r.lastError ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Show>
    </section>
  );
}
