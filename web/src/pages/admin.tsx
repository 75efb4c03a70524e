/** Administrators: the users, adding one with roles, issuing a token (shown once), disabling and enabling. */
import { useState } from 'preact/hooks';
import { get, post } from '../api';
import { ROLE_LABELS, roleLabel } from '../i18n';
import { Badge, ErrorBox, Show, useApp, useLoad } from '../ui';

interface User {
  userId: string;
  displayName: string;
  roles: string[];
  status: 'active' | 'disabled';
}

export function UsersPage() {
  const { t, lang, me } = useApp();
  const users = useLoad(() => get<{ users: User[] }>('/users').then((r) => r.users), []);
  const [userId, setUserId] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [roles, setRoles] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [issued, setIssued] = useState<{ userId: string; token: string } | null>(null);

  const act = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
      users.reload();
    } catch (err) {
      setError(err);
    }
  };
  const issue = (id: string) =>
    act(async () => {
      const r = await post<{ token: string }>(`/users/${encodeURIComponent(id)}/tokens`);
      setIssued({ userId: id, token: r.token });
    });

  return (
    <section>
      <h1>{t('users')}</h1>
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
      <Show load={users}>
        {(list) => (
          <table class="list users">
            <thead>
              <tr>
                <th>{t('userId')}</th>
                <th>{t('displayName')}</th>
                <th>{t('roles')}</th>
                <th>{t('status')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {list.map((u) => (
                <tr key={u.userId} data-user={u.userId}>
                  <td>{u.userId}</td>
                  <td>{u.displayName}</td>
                  <td>{u.roles.map((r) => roleLabel(r, lang)).join(', ')}</td>
                  <td>
                    <Badge kind={u.status === 'active' ? 'done' : 'danger'}>{u.status === 'active' ? t('active') : t('disabled')}</Badge>
                  </td>
                  <td class="row-actions">
                    <button type="button" onClick={() => void issue(u.userId)}>
                      {t('newToken')}
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
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Show>
    </section>
  );
}
