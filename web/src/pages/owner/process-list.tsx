/** The processes a process owner manages, latest version of each. */
import { get } from '../../api';
import type { ListedDefinition } from '../../types';
import { Show, useApp, useLoad } from '../../ui';

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
