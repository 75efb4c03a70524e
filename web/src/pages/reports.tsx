/** The managers' reports: pick one and a period, see its chart beside its table, download it as CSV. */
import { useCallback, useState } from 'preact/hooks';
import { get } from '../api';
import type { components } from '../api-types';
import type { MessageKey } from '../i18n';
import { Show, useApp, useLoad } from '../ui';
import { CHARTS, ReportChart } from './report-chart';

type Report = components['schemas']['Report'];

const ALL = Object.keys(CHARTS);
/** What a sales rep reads: their own figures. */
const OWN = ['targets', 'contracts', 'lost-deal-causes'];
const GROUPING: Record<string, boolean> = {
  complaints: true,
  'complaint-quality': true,
  'lost-deal-causes': true,
  measures: true,
  contracts: true,
  sla: true,
};

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function ReportsPage() {
  const { t, me, lang } = useApp();
  const names = me.role === 'sales_rep' ? OWN : ALL;
  const [name, setName] = useState(names[0]!);
  const [from, setFrom] = useState(day(Date.now() - 90 * 86_400_000));
  const [to, setTo] = useState(day(Date.now() + 86_400_000));
  const [groupBy, setGroupBy] = useState('');
  const query: Record<string, string> = { from, to, ...(groupBy && GROUPING[name] ? { groupBy } : {}) };
  const search = (extra: Record<string, string> = {}) => new URLSearchParams({ ...query, ...extra }).toString();
  const load = useLoad(() => get<Report>(`/reports/${name}?${search()}`), [name, from, to, groupBy]);
  // `t` is new on every render; the headings change with the language only (the chart is drawn again then)
  const label = useCallback((column: string) => t(`col_${column}` as MessageKey), [lang]);
  const csv = async () => {
    const text = await get<string>(`/reports/${name}?${search({ format: 'csv' })}`, { text: true });
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([text], { type: 'text/csv' }));
    link.download = `${name}.csv`;
    link.click();
  };
  return (
    <section class="reports">
      <h2>{t('reports')}</h2>
      <form class="report-filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('report')}
          <select data-testid="report-name" value={name} onChange={(e) => setName(e.currentTarget.value)}>
            {names.map((n) => (
              <option value={n}>{t(`report_${n}` as MessageKey)}</option>
            ))}
          </select>
        </label>
        <label>
          {t('periodFrom')}
          <input type="date" data-testid="report-from" value={from} onChange={(e) => setFrom(e.currentTarget.value)} />
        </label>
        <label>
          {t('periodTo')}
          <input type="date" data-testid="report-to" value={to} onChange={(e) => setTo(e.currentTarget.value)} />
        </label>
        {GROUPING[name] ? (
          <label>
            {t('groupBy')}
            <select data-testid="report-group" value={groupBy} onChange={(e) => setGroupBy(e.currentTarget.value)}>
              <option value="">—</option>
              {(['week', 'month', 'quarter'] as const).map((g) => (
                <option value={g}>{t(g)}</option>
              ))}
            </select>
          </label>
        ) : null}
        <button type="button" onClick={() => void csv()}>
          CSV
        </button>
      </form>
      <Show load={load}>
        {(report) =>
          report.rows.length === 0 ? (
            <p>{t('reportEmpty')}</p>
          ) : (
            <div class="report-body">
              <ReportChart name={report.report} rows={report.rows} label={label} />
              <div class="report-table">
                <table class="list" data-testid="report-table">
                  <thead>
                    <tr>
                      {report.columns.map((c) => (
                        <th>{label(c)}</th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {report.rows.map((r) => (
                      <tr>
                        {report.columns.map((c) => (
                          <td>{r[c] === null || r[c] === undefined ? '' : String(r[c])}</td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </div>
          )
        }
      </Show>
    </section>
  );
}
