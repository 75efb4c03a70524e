/**
 * Administrators: the users, adding one with roles, issuing a token (shown once, with an
 * optional expiry), a user's tokens (issued when and by whom, expiry, last use) with a
 * Revoke button each, disabling and enabling.
 */
import { CalendarPublishForm } from '../calendar';
import { useState } from 'preact/hooks';
import { get, post } from '../api';
import { ROLE_LABELS, roleLabel } from '../i18n';
import { LoadedList } from '../components/list-table';
import type { TokenInfo, User } from '../types';
import { Badge, ErrorBox, useApp, useLoad } from '../ui';

const EXPIRY_DAYS = [0, 30, 90, 365];

/** One user's tokens, never their secrets; an active one can be revoked. */
function TokenList({ userId, reloadKey, onRevoke }: { userId: string; reloadKey: number; onRevoke: (tokenId: string) => void }) {
  const { t, time } = useApp();
  const tokens = useLoad(
    () => get<{ tokens: TokenInfo[] }>(`/users/${encodeURIComponent(userId)}/tokens`).then((r) => r.tokens),
    [userId, reloadKey],
  );
  const status = (tk: TokenInfo) =>
    tk.status === 'active' ? (
      <Badge kind="done">{t('active')}</Badge>
    ) : (
      <Badge kind={tk.status === 'revoked' ? 'danger' : 'warn'}>{tk.status === 'revoked' ? t('revoked') : t('expired')}</Badge>
    );
  return (
    <LoadedList
      kind="tokens"
      attrs={{ 'data-tokens-of': userId }}
      load={tokens}
      empty={<p class="muted">{t('noTokens')}</p>}
      row={(tk) => ({ key: tk.tokenId, 'data-token': tk.tokenId, 'data-status': tk.status })}
      columns={[
        { label: t('tokenId'), attrs: { class: 'mono' }, cell: (tk) => tk.tokenId },
        {
          label: t('status'),
          cell: (tk) => (
            <>
              {status(tk)}
              {tk.revokedAt && (
                <div class="muted">
                  {time(tk.revokedAt)} · {tk.revokedBy ?? ''}
                </div>
              )}
            </>
          ),
        },
        { label: t('issuedAt'), cell: (tk) => time(tk.createdAt) },
        { label: t('issuedBy'), cell: (tk) => tk.issuedBy ?? t('firstStart') },
        { label: t('expires'), cell: (tk) => (tk.expiresAt ? time(tk.expiresAt) : t('never')) },
        { label: t('lastUsed'), cell: (tk) => (tk.lastUsedAt ? time(tk.lastUsedAt) : '—') },
        {
          attrs: { class: 'row-actions' },
          cell: (tk) =>
            tk.status === 'active' && (
              <button type="button" class="danger" data-action="revoke-token" onClick={() => onRevoke(tk.tokenId)}>
                {t('revoke')}
              </button>
            ),
        },
      ]}
    />
  );
}

export function UsersPage() {
  const { t, lang, me } = useApp();
  const users = useLoad(() => get<{ users: User[] }>('/users').then((r) => r.users), []);
  const [userId, setUserId] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [roles, setRoles] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [issued, setIssued] = useState<{ userId: string; token: string } | null>(null);
  const [expiryDays, setExpiryDays] = useState(0);
  const [open, setOpen] = useState<string | null>(null);
  const [tokensKey, setTokensKey] = useState(0);

  const act = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
      users.reload();
      setTokensKey((n) => n + 1);
    } catch (err) {
      setError(err);
    }
  };
  const issue = (id: string) =>
    act(async () => {
      const r = await post<{ token: string }>(
        `/users/${encodeURIComponent(id)}/tokens`,
        expiryDays > 0 ? { expiresIn: expiryDays } : undefined,
      );
      setIssued({ userId: id, token: r.token });
    });
  const revoke = (id: string, tokenId: string) =>
    act(() => post(`/users/${encodeURIComponent(id)}/tokens/${encodeURIComponent(tokenId)}/revoke`));

  return (
    <section>
      <h1>{t('users')}</h1>
      <CalendarPublishForm />
      <ErrorBox error={error} />
      {issued && (
        <div class="alert ok" role="status" data-testid="issued-token">
          {t('tokenFor')} <strong>{issued.userId}</strong> ({t('shownOnce')}):
          <div class="mono">{issued.token}</div>
        </div>
      )}
      <form
        class="panel"
        onSubmit={(e) => {
          e.preventDefault();
          void act(async () => {
            await post('/users', { userId: userId.trim(), displayName: displayName.trim() || userId.trim(), roles });
            await issue(userId.trim());
            setUserId('');
            setDisplayName('');
            setRoles([]);
          });
        }}
      >
        <h3>{t('addUser')}</h3>
        <div class="field inline">
          <label for="user-id">{t('userId')}</label>
          <input id="user-id" value={userId} onInput={(e) => setUserId(e.currentTarget.value)} />
        </div>
        <div class="field inline">
          <label for="user-name">{t('displayName')}</label>
          <input id="user-name" value={displayName} onInput={(e) => setDisplayName(e.currentTarget.value)} />
        </div>
        <fieldset class="roles">
          <legend>{t('roles')}</legend>
          {Object.keys(ROLE_LABELS).map((r) => (
            <label key={r} class="role-choice">
              <input
                type="checkbox"
                value={r}
                checked={roles.includes(r)}
                onChange={(e) => setRoles(e.currentTarget.checked ? [...roles, r] : roles.filter((x) => x !== r))}
              />{' '}
              {roleLabel(r, lang)}
            </label>
          ))}
        </fieldset>
        <button type="submit" class="primary" data-action="add-user">
          {t('addUser')}
        </button>
      </form>
      <div class="field inline">
        <label for="token-expiry">{t('tokenExpiry')}</label>
        <select id="token-expiry" value={String(expiryDays)} onChange={(e) => setExpiryDays(Number(e.currentTarget.value))}>
          {EXPIRY_DAYS.map((d) => (
            <option key={d} value={String(d)}>
              {d === 0 ? t('never') : t('inDays', { n: d })}
            </option>
          ))}
        </select>
      </div>
      <LoadedList
        kind="users"
        load={users}
        row={(u) => ({ key: u.userId, 'data-user': u.userId })}
        after={(u) =>
          open === u.userId && (
            <tr class="token-row">
              <td colSpan={5}>
                <TokenList userId={u.userId} reloadKey={tokensKey} onRevoke={(tokenId) => void revoke(u.userId, tokenId)} />
              </td>
            </tr>
          )
        }
        columns={[
          { label: t('userId'), cell: (u) => u.userId },
          { label: t('displayName'), cell: (u) => u.displayName },
          { label: t('roles'), cell: (u) => u.roles.map((r) => roleLabel(r, lang)).join(', ') },
          {
            label: t('status'),
            cell: (u) => (
              <Badge kind={u.status === 'active' ? 'done' : 'danger'}>{u.status === 'active' ? t('active') : t('disabled')}</Badge>
            ),
          },
          {
            attrs: { class: 'row-actions' },
            cell: (u) => (
              <>
                <button type="button" onClick={() => void issue(u.userId)}>
                  {t('newToken')}
                </button>
                <button
                  type="button"
                  data-action="show-tokens"
                  aria-expanded={open === u.userId}
                  onClick={() => setOpen(open === u.userId ? null : u.userId)}
                >
                  {open === u.userId ? t('hideTokens') : t('tokens')}
                </button>
                {u.userId !== me.userId && (
                  <button
                    type="button"
                    onClick={() =>
                      void act(() => post(`/users/${encodeURIComponent(u.userId)}/${u.status === 'active' ? 'disable' : 'enable'}`))
                    }
                  >
                    {u.status === 'active' ? t('disable') : t('enable')}
                  </button>
                )}
              </>
            ),
          },
        ]}
      />
    </section>
  );
}
