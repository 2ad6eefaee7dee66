// The histogram above the results: lines per time bucket stacked by level (uPlot bars), a legend with each
// level's count (or the hovered bucket's), and drag-to-zoom: selecting a span sets the time range to it.

import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import { formatTimestamp } from '../state/time-range.ts';
import { stacked, type HistogramData } from './histogram-data.ts';

interface Props {
  data: HistogramData | undefined;
  stepS: number;
  loading: boolean;
  theme: string;
  onZoom: (fromMs: number, toMs: number) => void;
}

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

export function Histogram({ data, stepS, loading, theme, onZoom }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const [hover, setHover] = useState<number | null>(null);
  const zoom = useRef(onZoom);
  zoom.current = onZoom;

  useEffect(() => {
    const el = box.current;
    if (!el || !data) return;
    const stack = stacked(data.counts);
    // top of the stack first: each later (lower) band paints over the one above it
    const order = data.levels.map((_, i) => i).reverse();
    const axisColor = cssVar('--muted');
    const gridColor = cssVar('--grid');
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height: 120,
      legend: { show: false },
      padding: [6, 8, 0, 0],
      cursor: { drag: { x: true, y: false, setScale: false }, points: { show: false }, y: false },
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
      axes: [
        { stroke: axisColor, grid: { stroke: gridColor, width: 1 }, ticks: { show: false }, size: 24, font: '11px system-ui, sans-serif', values: (_u, vals) => vals.map((v) => tickLabel(v, data.x[data.x.length - 1] - data.x[0])) },
        { stroke: axisColor, grid: { stroke: gridColor, width: 1 }, ticks: { show: false }, size: 40, font: '11px system-ui, sans-serif', values: (_u, vals) => vals.map((v) => (Number.isInteger(v) ? compact(v) : '')) },
      ],
      series: [
        {},
        ...order.map((i) => ({
          label: data.levels[i],
          fill: cssVar(`--level-${data.levels[i]}`),
          stroke: cssVar(`--level-${data.levels[i]}`),
          width: 0,
          paths: uPlot.paths.bars!({ align: -1, size: [0.9, 40] }),
          points: { show: false },
        })),
      ],
      hooks: {
        setSelect: [
          (u) => {
            const { left, width } = u.select;
            if (width > 3) {
              const from = u.posToVal(left, 'x') * 1000;
              const to = u.posToVal(left + width, 'x') * 1000;
              zoom.current(Math.round(from), Math.round(to));
            }
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          },
        ],
        setCursor: [(u) => setHover(u.cursor.idx ?? null)],
      },
    };
    const plot = new uPlot(opts, [data.x, ...order.map((i) => stack[i])] as uPlot.AlignedData, el);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(200, el.clientWidth), height: 120 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [data, theme]);

  const idx = hover !== null && data && hover < data.x.length ? hover : null;
  return (
    <figure class="histogram" aria-label="Histogram of matching lines by level" data-total={data?.total ?? ''} aria-busy={loading}>
      <div ref={box} class="histogram-plot" />
      <figcaption class="histogram-legend">
        {!data && !loading && <span class="muted">No histogram</span>}
        {data && (
          <>
            <span class="muted">{idx !== null ? `${formatTimestamp((data.x[idx] - stepS) * 1000, undefined, false)} – ${formatTimestamp(data.x[idx] * 1000, undefined, false)}` : `${data.total.toLocaleString('en-US')} lines · ${stepS}s buckets · drag to zoom`}</span>
            {data.levels.map((l, i) => (
              <span key={l} class={`legend-item level-${l}`} data-level={l}>
                <i class="swatch" /> {l} <b>{(idx !== null ? data.counts[i][idx] : data.totals[i]).toLocaleString('en-US')}</b>
              </span>
            ))}
          </>
        )}
      </figcaption>
    </figure>
  );
}

function compact(v: number): string {
  return v >= 1e6 ? `${(v / 1e6).toFixed(1)}M` : v >= 1e3 ? `${(v / 1e3).toFixed(1)}k` : String(v);
}

/** One-line time ticks: `14:05`, with the day when the range spans more than one. */
function tickLabel(seconds: number, spanS: number): string {
  const d = new Date(seconds * 1000);
  const hm = `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  if (spanS <= 300) return `${hm}:${String(d.getSeconds()).padStart(2, '0')}`;
  return spanS > 86_400 ? `${d.getMonth() + 1}/${d.getDate()} ${hm}` : hm;
}
