/** The processes a process owner manages, latest version of each. */
import { get } from '../../api';
import { LoadedList } from '../../components/list-table';
import type { ListedDefinition } from '../../types';
import { useApp, useLoad } from '../../ui';

export function ProcessList() {
  const { t, l } = useApp();
  const load = useLoad(() => get<{ definitions: ListedDefinition[] }>('/definitions').then((r) => r.definitions), []);
  return (
    <section>
      <h1>{t('processes')}</h1>
      <LoadedList
        load={load}
        row={(d) => ({ key: d.processId, 'data-process': d.processId })}
        columns={[
          {
            label: t('process'),
            cell: (d) => (
              <>
                <a href={`#/processes/${d.processId}`}>{l(d.labels, d.processId)}</a> <span class="muted small">{d.processId}</span>
              </>
            ),
          },
          { label: t('version'), cell: (d) => `v${d.version}` },
        ]}
      />
    </section>
  );
}
