/** One report's chart, drawn by echarts (SVG, only the charts and components used): bars with a line, a Pareto, or a heatmap. */
import { useEffect, useRef } from 'preact/hooks';
import { BarChart, HeatmapChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import { init, use, type EChartsCoreOption } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';

use([BarChart, LineChart, HeatmapChart, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent, SVGRenderer]);

export type Row = Record<string, string | number | boolean | null>;

/** How a report is drawn: a category per row, bars of some columns and a line of one (on its own axis). */
export interface ChartSpec {
  kind: 'bars' | 'heatmap';
  category: (r: Row) => string;
  bars: string[];
  line?: string;
  /** Heatmap: the column of the rows (y) and of the value. */
  y?: string;
  value?: string;
}

const period = (r: Row) => (r.period ? `${String(r.period)} ` : '');

export const CHARTS: Record<string, ChartSpec> = {
  targets: { kind: 'bars', category: (r) => `${String(r.rep)} ${String(r.metric)}`, bars: ['perUnit'], line: 'target' },
  complaints: { kind: 'bars', category: (r) => `${period(r)}${String(r.category)}/${String(r.severity)}`, bars: ['complaints'] },
  'complaint-quality': { kind: 'bars', category: (r) => period(r) || '—', bars: ['closed', 'reopened'], line: 'satisfaction' },
  'state-times': { kind: 'bars', category: (r) => String(r.state), bars: ['medianHours', 'p90Hours'] },
  'lost-deal-causes': { kind: 'bars', category: (r) => `${period(r)}${String(r.dimension)}`, bars: ['causes'], line: 'cumulativePercent' },
  measures: { kind: 'bars', category: (r) => `${period(r)}${String(r.department)}`, bars: ['open', 'overdue', 'completed'] },
  contracts: { kind: 'bars', category: (r) => `${period(r)}${String(r.rep)}`, bars: ['amount'], line: 'contracts' },
  'contract-approvals': { kind: 'bars', category: (r) => String(r.level), bars: ['medianHours', 'p90Hours'] },
  sla: { kind: 'heatmap', category: (r) => String(r.state), bars: [], y: 'process', value: 'missed' },
};

function option(spec: ChartSpec, rows: Row[], label: (column: string) => string): EChartsCoreOption {
  const num = (v: unknown) => (typeof v === 'number' ? v : 0);
  if (spec.kind === 'heatmap') {
    const xs = [...new Set(rows.map(spec.category))];
    const ys = [...new Set(rows.map((r) => String(r[spec.y!])))];
    const data = rows.map((r) => [xs.indexOf(spec.category(r)), ys.indexOf(String(r[spec.y!])), num(r[spec.value!])]);
    return {
      tooltip: {},
      grid: { left: 90, right: 10, top: 10, bottom: 70 },
      xAxis: { type: 'category', data: xs, axisLabel: { rotate: 30 } },
      yAxis: { type: 'category', data: ys },
      visualMap: { min: 0, max: Math.max(1, ...data.map((d) => d[2]!)), orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 80 },
      series: [{ type: 'heatmap', data, label: { show: true } }],
    };
  }
  const categories = rows.map(spec.category);
  return {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 50, right: spec.line ? 50 : 10, top: 30, bottom: 80 },
    xAxis: { type: 'category', data: categories, axisLabel: { rotate: 30, interval: 0 } },
    yAxis: [{ type: 'value' }, ...(spec.line ? [{ type: 'value' }] : [])],
    series: [
      ...spec.bars.map((c) => ({ type: 'bar', name: label(c), data: rows.map((r) => num(r[c])) })),
      ...(spec.line ? [{ type: 'line', name: label(spec.line), yAxisIndex: 1, data: rows.map((r) => num(r[spec.line!])) }] : []),
    ],
  };
}

export function ReportChart({ name, rows, label }: { name: string; rows: Row[]; label: (column: string) => string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const spec = CHARTS[name];
    if (!box.current || !spec) return;
    const chart = init(box.current, undefined, { renderer: 'svg' });
    chart.setOption(option(spec, rows, label));
    const resize = () => chart.resize();
    window.addEventListener('resize', resize);
    const observer = new ResizeObserver(resize);
    observer.observe(box.current);
    return () => {
      observer.disconnect();
      window.removeEventListener('resize', resize);
      chart.dispose();
    };
  }, [name, rows, label]);
  return <div class="report-chart" ref={box} data-testid="report-chart" />;
}
