/** The signed-in user's out-of-office delegate: name one for a period, see and revoke their delegations. */
import { useState } from 'preact/hooks';
import { answered, api } from '../api';
import type { MessageKey } from '../i18n';
import { ErrorBox, Show, useApp, useLoad } from '../ui';

/** A `datetime-local` value (the browser's local time) as an ISO instant with its offset. */
const instantOf = (local: string): string => new Date(local).toISOString();

export function DelegationsPanel() {
  const { t, time } = useApp();
  const list = useLoad(() => answered(api.GET('/me/delegations')), []);
  const [delegate, setDelegate] = useState('');
  const [from, setFrom] = useState('');
  const [until, setUntil] = useState('');
  const [error, setError] = useState<unknown>(null);
  const done = () => {
    setError(null);
    list.reload();
  };
  const add = (e: Event) => {
    e.preventDefault();
    const body = { delegate: delegate.trim(), endsAt: until ? instantOf(until) : '', ...(from && { startsAt: instantOf(from) }) };
    answered(api.POST('/me/delegations', { body })).then(() => {
      setDelegate('');
      done();
    }, setError);
  };
  const revoke = (id: string) => () => void answered(api.DELETE('/me/delegations/{id}', { params: { path: { id } } })).then(done, setError);
  return (
    <section class="delegations" data-testid="delegations">
      <h2>{t('delegations')}</h2>
      <p>{t('delegationsHelp')}</p>
      {error ? <ErrorBox error={error} /> : null}
      <form class="delegation-form" onSubmit={add}>
        <label>
          {t('delegateUser')} <input name="delegate" required value={delegate} onInput={(e) => setDelegate(e.currentTarget.value)} />
        </label>
        <label>
          {t('delegateFrom')} <input type="datetime-local" name="from" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
        </label>
        <label>
          {t('delegateUntil')}{' '}
          <input type="datetime-local" name="until" required value={until} onInput={(e) => setUntil(e.currentTarget.value)} />
        </label>
        <button type="submit" data-action="delegate">
          {t('delegateSet')}
        </button>
      </form>
      <Show load={list}>
        {(data) =>
          data.delegations.length === 0 ? (
            <p>{t('noDelegations')}</p>
          ) : (
            <ul class="delegation-list">
              {data.delegations.map((d) => (
                <li key={d.id} data-testid="delegation" class={d.status}>
                  <strong>{d.delegateId}</strong> · {time(d.startsAt)} – {time(d.endsAt)} ·{' '}
                  {t(`delegationStatus_${d.status}` as MessageKey)}
                  {d.status === 'active' || d.status === 'scheduled' ? (
                    <button data-action="revoke-delegation" onClick={revoke(d.id)}>
                      {t('delegateRevoke')}
                    </button>
                  ) : null}
                </li>
              ))}
            </ul>
          )
        }
      </Show>
    </section>
  );
}
