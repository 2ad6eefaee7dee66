// Loki's index endpoints: /index/stats (streams, chunks, entries, bytes of a selector) and /index/volume(_range)
// (bytes per label set, as Prometheus vector/matrix), computed exactly from the store's aggregate plans.

import type { Labels } from '../../model/record.ts';
import { labelsToString } from '../../model/record.ts';
import type { Matcher } from '../../query/ast.ts';
import { parseLogQuery } from '../../query/parser.ts';
import type { AggregatePlan, ScanStats, Selection } from '../../store/plan.ts';
import { sendJson, type Route, type ServerDeps } from '../http-server.ts';
import { defaultStepNs, ParamError, parseStep } from '../loki-params.ts';
import { HOUR_NS, queryParams, timeRange } from './loki.ts';

const MAX_STEPS = 11_000;

/** The stream matchers of `query`; pipeline stages are ignored, as Loki's index endpoints read matchers only. */
function requiredSelector(p: URLSearchParams): Matcher[] {
  const q = p.get('query');
  if (!q) throw new ParamError('missing parameter "query"');
  return parseLogQuery(q).selector;
}

function positiveInt(p: URLSearchParams, name: string, fallback: number): number {
  const raw = p.get(name);
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new ParamError(`invalid parameter "${name}": expected a positive integer, got "${raw}"`);
  return n;
}

function seconds(ns: bigint): number {
  return Number(ns / 1_000_000n) / 1000;
}

function emptyStats(): ScanStats {
  return { partsTotal: 0, partsScanned: 0, streamsMatched: 0, rowsScanned: 0 };
}

/** Sums the rows of an aggregate per stream (index-answered and scanned rows may both name a stream). */
function perStream(rows: { stream: number[]; value: number[] }): Map<number, number> {
  const out = new Map<number, number>();
  for (let i = 0; i < rows.stream.length; i++) out.set(rows.stream[i], (out.get(rows.stream[i]) ?? 0) + rows.value[i]);
  return out;
}

/** How volumes are grouped: by the values of `names` (series), or one series per label name (labels). */
interface VolumeGrouping {
  /** empty = each stream's full label set */
  names: string[];
  by: 'series' | 'labels';
}

function volumeGrouping(p: URLSearchParams, matchers: Matcher[]): VolumeGrouping {
  const by = p.get('aggregateBy') ?? 'series';
  if (by !== 'series' && by !== 'labels') throw new ParamError(`invalid parameter "aggregateBy": expected series or labels, got "${by}"`);
  const target = (p.get('targetLabels') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  const names = target.length > 0 ? target : [...new Set(matchers.map((m) => m.name))];
  return { names, by };
}

/** The series a stream's volume counts towards (none when it carries none of the grouping labels). */
function volumeMetrics(labels: Labels, g: VolumeGrouping): Labels[] {
  const names = g.names.length > 0 ? g.names : Object.keys(labels);
  if (g.by === 'labels') return names.filter((n) => labels[n] !== undefined).map((n) => ({ [n]: '' }));
  const metric: Labels = {};
  for (const n of [...names].sort()) if (labels[n] !== undefined) metric[n] = labels[n];
  return Object.keys(metric).length > 0 ? [metric] : [];
}

interface VolumeSeries {
  metric: Labels;
  total: number;
  /** bucket → bytes */
  buckets: Map<number, number>;
}

export function lokiIndexRoutes(deps: ServerDeps): Route[] {
  const { store, auth } = deps;

  /** Bytes per (series, bucket) for a selection, grouped as asked, largest `limit` series first. */
  const volumes = async (sel: Selection, grid: { baseNs: bigint; widthNs: bigint }, g: VolumeGrouping, limit: number): Promise<VolumeSeries[]> => {
    const rows = await store.aggregate({ ...sel, ...grid, measure: 'bytes' });
    const series = new Map<string, VolumeSeries>();
    const metricsOf = new Map<number, { metric: Labels; key: string }[]>();
    for (let i = 0; i < rows.stream.length; i++) {
      let metrics = metricsOf.get(rows.stream[i]);
      if (!metrics) {
        const info = store.stream(rows.stream[i]);
        metrics = info ? volumeMetrics(info.labels, g).map((metric) => ({ metric, key: labelsToString(metric) })) : [];
        metricsOf.set(rows.stream[i], metrics);
      }
      for (const { metric, key } of metrics) {
        let s = series.get(key);
        if (!s) series.set(key, (s = { metric, total: 0, buckets: new Map() }));
        s.total += rows.value[i];
        s.buckets.set(rows.bucket[i], (s.buckets.get(rows.bucket[i]) ?? 0) + rows.value[i]);
      }
    }
    return [...series.values()].sort((a, b) => b.total - a.total).slice(0, limit);
  };

  return [
    {
      method: 'GET|POST',
      path: '/loki/api/v1/index/stats',
      name: 'loki_index_stats',
      handler: async (req, res, { url }) => {
        const p = await queryParams(req, url);
        const tenants = auth.tenants(req, true);
        const matchers = requiredSelector(p);
        const { fromNs, toNs } = timeRange(p, HOUR_NS);
        // one bucket covering [from, to): bucket 1 is (from - 1, to - 1]
        const plan = { tenants, matchers, fromNs, toNs, lineFilters: [], baseNs: fromNs - 1n, widthNs: toNs - fromNs + 1n };
        const stats = emptyStats();
        const [counts, bytes] = await Promise.all([
          store.aggregate({ ...plan, measure: 'count' } satisfies AggregatePlan),
          store.aggregate({ ...plan, measure: 'bytes' } satisfies AggregatePlan, stats),
        ]);
        const entriesPerStream = perStream(counts);
        let entries = 0;
        for (const n of entriesPerStream.values()) entries += n;
        let totalBytes = 0;
        for (const n of bytes.value) totalBytes += n;
        const streams = [...entriesPerStream.values()].filter((n) => n > 0).length;
        // Sightline has no chunks: each stored part read counts as one, and a stream has at least one (as in Loki)
        const chunks = Math.max(stats.partsScanned, streams);
        sendJson(res, 200, { streams, chunks, entries, bytes: totalBytes });
      },
    },
    {
      method: 'GET|POST',
      path: '/loki/api/v1/index/volume',
      name: 'loki_index_volume',
      handler: async (req, res, { url }) => {
        const p = await queryParams(req, url);
        const tenants = auth.tenants(req, true);
        const matchers = requiredSelector(p);
        const g = volumeGrouping(p, matchers);
        const limit = positiveInt(p, 'limit', 100);
        const { fromNs, toNs } = timeRange(p, HOUR_NS);
        const sel: Selection = { tenants, matchers, fromNs, toNs, lineFilters: [] };
        const result = await volumes(sel, { baseNs: fromNs - 1n, widthNs: toNs - fromNs + 1n }, g, limit);
        const t = seconds(toNs);
        sendJson(res, 200, {
          status: 'success',
          data: { resultType: 'vector', result: result.map((s) => ({ metric: s.metric, value: [t, String(s.total)] })) },
        });
      },
    },
    {
      method: 'GET|POST',
      path: '/loki/api/v1/index/volume_range',
      name: 'loki_index_volume_range',
      handler: async (req, res, { url }) => {
        const p = await queryParams(req, url);
        const tenants = auth.tenants(req, true);
        const matchers = requiredSelector(p);
        const g = volumeGrouping(p, matchers);
        const limit = positiveInt(p, 'limit', 100);
        const { fromNs, toNs } = timeRange(p, HOUR_NS);
        const stepRaw = p.get('step');
        const stepNs = stepRaw ? parseStep(stepRaw) : defaultStepNs(fromNs, toNs);
        if (stepNs <= 0n) throw new ParamError('zero or negative query resolution step widths are not accepted. Try a positive integer');
        const steps = Number((toNs - fromNs) / stepNs) + 1;
        if (steps > MAX_STEPS) throw new ParamError(`exceeded maximum resolution of ${MAX_STEPS} points per timeseries. Try decreasing the query resolution (?step=XX)`);
        // the point at t_k = start + k·step holds the bytes of (t_k − step, t_k], as bytes_over_time({…}[step]) would:
        // with base = start − step, aggregate bucket k + 1 is exactly that window
        const lastNs = fromNs + BigInt(steps - 1) * stepNs;
        const sel: Selection = { tenants, matchers, fromNs: fromNs - stepNs + 1n, toNs: lastNs + 1n, lineFilters: [] };
        const result = await volumes(sel, { baseNs: fromNs - stepNs, widthNs: stepNs }, g, limit);
        sendJson(res, 200, {
          status: 'success',
          data: {
            resultType: 'matrix',
            result: result.map((s) => ({
              metric: s.metric,
              values: [...s.buckets.entries()]
                .filter(([b]) => b >= 1 && b <= steps)
                .sort((a, b) => a[0] - b[0])
                .map(([b, v]) => [seconds(fromNs + BigInt(b - 1) * stepNs), String(v)]),
            })),
          },
        });
      },
    },
  ];
}
