// A time series or bar panel's chart (uPlot): one series per result series, named by the panel's legend template,
// values printed in the panel's unit, sized to its grid cell. Bars are stacked (a series is drawn on top of the
// ones before it), and the legend reads each series' own value, not the stacked sum.

import { useEffect, useMemo, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import type { MatrixSeries } from '../api/loki-types.ts';
import { formatValue, seriesName } from './panel-format.ts';

export const PALETTE = ['#3b82f6', '#22a06b', '#f5a524', '#e5484d', '#8b5cf6', '#06b6d4', '#ec4899', '#84cc16', '#f97316', '#64748b'];

export interface ChartProps {
  series: MatrixSeries[];
  startS: number;
  endS: number;
  stepS: number;
  bars: boolean;
  unit?: string;
  legend?: string;
  theme: string;
  label: string;
}

/** The series on a shared x axis (one slot per step), nulls where a series has no sample. */
export function alignSeries(series: MatrixSeries[], startS: number, endS: number, stepS: number): { x: number[]; ys: (number | null)[][] } {
  const n = Math.max(1, Math.round((endS - startS) / stepS) + 1);
  const x = Array.from({ length: n }, (_, k) => startS + k * stepS);
  const ys = series.map((s) => {
    const arr: (number | null)[] = new Array(n).fill(null);
    for (const [t, v] of s.values) {
      const k = Math.round((t - startS) / stepS);
      if (k >= 0 && k < n) arr[k] = Number(v);
    }
    return arr;
  });
  return { x, ys };
}

export function PanelChart({ series: unordered, startS, endS, stepS, bars, unit, legend, theme, label }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  // by name, so a service keeps its colour from panel to panel and refresh to refresh
  const series = useMemo(() => unordered.slice().sort((a, b) => seriesName(a.metric, legend).localeCompare(seriesName(b.metric, legend))), [unordered, legend]);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const { x, ys } = alignSeries(series, startS, endS, stepS);
    // stacked bars: each series drawn at the running total, the first series on top so all stay visible
    const drawn = bars ? stack(ys) : ys;
    const style = getComputedStyle(document.documentElement);
    const axis = style.getPropertyValue('--muted').trim();
    const grid = style.getPropertyValue('--grid').trim();
    const barPath = bars ? uPlot.paths.bars!({ size: [0.8, 40], align: 0 }) : undefined;
    // the legend sits under the plot inside the same box: the plot gets what the legend leaves
    let legendHeight = 0;
    const height = () => Math.max(60, el.clientHeight - legendHeight);
    const plot = new uPlot(
      {
        width: Math.max(200, el.clientWidth),
        height: height(),
        scales: { x: { time: true } },
        legend: { show: true, live: true },
        cursor: { points: { show: !bars } },
        axes: [
          { stroke: axis, grid: { stroke: grid } },
          {
            stroke: axis,
            grid: { stroke: grid },
            values: (_u, splits) => splits.map((v) => formatValue(v, unit)),
            // wide enough for the longest label (`1.25 lines/s`), measured in characters of the 12 px axis font
            size: (_u, values) => 28 + 7 * Math.max(3, ...(values ?? []).map((v) => String(v).length)),
          },
        ],
        series: [
          {},
          ...series.map((s, i) => ({
            label: seriesName(s.metric, legend),
            stroke: PALETTE[i % PALETTE.length],
            fill: bars ? PALETTE[i % PALETTE.length] + 'cc' : undefined,
            width: bars ? 0 : 1.5,
            paths: barPath,
            points: { show: false },
            value: (_u: uPlot, _v: number | null, _si: number, idx: number | null) => {
              const raw = idx === null ? null : ys[i][idx];
              return raw === null || raw === undefined ? '–' : formatValue(raw, unit);
            },
          })),
        ],
      },
      [x, ...drawn] as uPlot.AlignedData,
      el,
    );
    legendHeight = (plot.root.querySelector('.u-legend') as HTMLElement | null)?.offsetHeight ?? 0;
    plot.setSize({ width: Math.max(200, el.clientWidth), height: height() });
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(200, el.clientWidth), height: height() }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [series, startS, endS, stepS, bars, unit, legend, theme]);
  return (
    <figure class="panel-chart" aria-label={label} data-series={series.length}>
      <div class="panel-chart-plot" ref={box} />
      {series.length === 0 && <p class="muted panel-empty">No data in this range.</p>}
    </figure>
  );
}

function stack(ys: (number | null)[][]): (number | null)[][] {
  const out: (number | null)[][] = ys.map((y) => y.slice());
  // series i is drawn at the sum of series i..n-1, so series 0 (drawn first, tallest) is at the back
  for (let i = ys.length - 2; i >= 0; i--) {
    for (let k = 0; k < ys[i].length; k++) {
      const below = out[i + 1][k];
      const own = ys[i][k];
      out[i][k] = own === null && below === null ? null : (own ?? 0) + (below ?? 0);
    }
  }
  return out;
}
