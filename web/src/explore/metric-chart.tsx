// Metric query results (`rate(…)`, `sum by (…) (…)`): one line per series on a time axis (uPlot), with its legend.

import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import type { MatrixSeries } from '../api/loki-types.ts';

const PALETTE = ['#3b82f6', '#22a06b', '#f5a524', '#e5484d', '#8b5cf6', '#06b6d4', '#ec4899', '#84cc16', '#f97316', '#64748b'];

function seriesName(metric: Record<string, string>): string {
  const parts = Object.keys(metric)
    .sort()
    .map((k) => `${k}="${metric[k]}"`);
  return parts.length ? `{${parts.join(', ')}}` : '{}';
}

export function MetricChart({ series, stepS, startMs, endMs, theme }: { series: MatrixSeries[]; stepS: number; startMs: number; endMs: number; theme: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const startS = Math.floor(startMs / 1000 / stepS) * stepS;
    const endS = Math.ceil(endMs / 1000 / stepS) * stepS;
    const n = Math.round((endS - startS) / stepS) + 1;
    const x = Array.from({ length: n }, (_, k) => startS + k * stepS);
    const ys = series.map((s) => {
      const arr: (number | null)[] = new Array(n).fill(null);
      for (const [t, v] of s.values) {
        const k = Math.round((t - startS) / stepS);
        if (k >= 0 && k < n) arr[k] = Number(v);
      }
      return arr;
    });
    const axis = getComputedStyle(document.documentElement).getPropertyValue('--muted').trim();
    const grid = getComputedStyle(document.documentElement).getPropertyValue('--grid').trim();
    const plot = new uPlot(
      {
        width: Math.max(300, el.clientWidth),
        height: 320,
        scales: { x: { time: true } },
        axes: [
          { stroke: axis, grid: { stroke: grid } },
          { stroke: axis, grid: { stroke: grid }, size: 60 },
        ],
        series: [{}, ...series.map((s, i) => ({ label: seriesName(s.metric), stroke: PALETTE[i % PALETTE.length], width: 1.5, points: { show: false } }))],
      },
      [x, ...ys] as uPlot.AlignedData,
      el,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(300, el.clientWidth), height: 320 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [series, theme]);
  return (
    <figure class="metric-chart" aria-label={`Metric query result: ${series.length} series`}>
      <div ref={box} />
      {series.length === 0 && <p class="muted">No data points in this range.</p>}
    </figure>
  );
}
