// The Loki API calls the Explore page makes (docs/http-api.md), each returning what the view needs: log rows in
// the categorize-labels shape, the histogram's matrix, patterns, a field's top values, label and field names.

import { getJson } from './client.ts';
import type { DetectedField, MatrixSeries, Pattern, QueryResponse, VectorSample } from './loki-types.ts';
import { rowsFromStreams, type LogRow } from '../explore/log-rows.ts';
import { alignedRange, histogramData, type HistogramData } from '../explore/histogram-data.ts';
import { fieldTopValuesQuery, histogramQuery } from '../logql/query-edit.ts';
import { msToNs } from '../state/time-range.ts';

const CATEGORIZE = { 'X-Loki-Response-Encoding-Flags': 'categorize-labels' };

export interface LogResult {
  rows: LogRow[];
  /** entries the server returned (equals the limit when more lines match) */
  returned: number;
  execSeconds: number;
}

export async function queryLogs(
  query: string,
  range: { startNs: string; endNs: string },
  limit: number,
  direction: 'backward' | 'forward',
  signal?: AbortSignal,
  keyPrefix = '',
): Promise<LogResult> {
  const res = await getJson<QueryResponse & { data: { stats?: { summary?: { execTime?: number } } } }>(
    '/loki/api/v1/query_range',
    { query, start: range.startNs, end: range.endNs, limit, direction },
    { signal, headers: CATEGORIZE },
  );
  if (res.data.resultType !== 'streams') throw new Error(`expected log lines but the query returned a ${res.data.resultType}`);
  const rows = rowsFromStreams(res.data.result, direction, keyPrefix);
  return { rows, returned: rows.length, execSeconds: res.data.stats?.summary?.execTime ?? 0 };
}

export async function queryHistogram(logQuery: string, fromMs: number, toMs: number, stepS: number, signal?: AbortSignal): Promise<HistogramData> {
  const { startS, endS } = alignedRange(fromMs, toMs, stepS);
  const res = await getJson<QueryResponse>('/loki/api/v1/query_range', { query: histogramQuery(logQuery, stepS), start: startS, end: endS, step: stepS }, { signal });
  const series = res.data.resultType === 'matrix' ? res.data.result : [];
  return histogramData(series, startS, endS, stepS);
}

export async function queryMatrix(query: string, fromMs: number, toMs: number, stepS: number, signal?: AbortSignal): Promise<MatrixSeries[]> {
  const { startS, endS } = alignedRange(fromMs, toMs, stepS);
  const res = await getJson<QueryResponse>('/loki/api/v1/query_range', { query, start: startS, end: endS, step: stepS }, { signal });
  if (res.data.resultType !== 'matrix') throw new Error(`expected a matrix but the query returned a ${res.data.resultType}`);
  return res.data.result;
}

/** A field's most frequent values over the whole range (a metric query, not a sample of loaded lines). */
export async function queryFieldTop(logQuery: string, field: string, fromMs: number, toMs: number, signal?: AbortSignal): Promise<{ value: string; count: number }[]> {
  const rangeS = (toMs - fromMs) / 1000;
  const res = await getJson<QueryResponse>('/loki/api/v1/query', { query: fieldTopValuesQuery(logQuery, field, rangeS, 20), time: msToNs(toMs) }, { signal });
  const samples: VectorSample[] = res.data.resultType === 'vector' ? res.data.result : [];
  return samples.map((s) => ({ value: s.metric[field] ?? '', count: Number(s.value[1]) })).sort((a, b) => b.count - a.count);
}

export async function queryPatterns(logQuery: string, fromMs: number, toMs: number, signal?: AbortSignal): Promise<Pattern[]> {
  const res = await getJson<{ data: Pattern[] }>('/loki/api/v1/patterns', { query: logQuery, start: msToNs(fromMs), end: msToNs(toMs) }, { signal });
  return res.data ?? [];
}

export async function labelNames(selector: string, fromMs: number, toMs: number): Promise<string[]> {
  const res = await getJson<{ data?: string[] }>('/loki/api/v1/labels', { query: selector === '{}' ? undefined : selector, start: msToNs(fromMs), end: msToNs(toMs) });
  return res.data ?? [];
}

export async function labelValues(label: string, selector: string, fromMs: number, toMs: number): Promise<string[]> {
  const res = await getJson<{ data?: string[] }>(`/loki/api/v1/label/${encodeURIComponent(label)}/values`, { query: selector === '{}' ? undefined : selector, start: msToNs(fromMs), end: msToNs(toMs) });
  return res.data ?? [];
}

export async function detectedFields(query: string, fromMs: number, toMs: number): Promise<string[]> {
  if (query === '{}') return [];
  const res = await getJson<{ fields?: DetectedField[] }>('/loki/api/v1/detected_fields', { query, start: msToNs(fromMs), end: msToNs(toMs) });
  return (res.fields ?? []).map((f) => f.label);
}

export async function detectedFieldValues(field: string, query: string, fromMs: number, toMs: number): Promise<string[]> {
  if (query === '{}') return [];
  const res = await getJson<{ values?: string[] }>(`/loki/api/v1/detected_field/${encodeURIComponent(field)}/values`, { query, start: msToNs(fromMs), end: msToNs(toMs) });
  return res.values ?? [];
}
