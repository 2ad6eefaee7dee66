// Fetches what a panel shows for a time range: a matrix (time series, bars), an instant vector (stat, table), log
// lines (logs) or the SIEM's incidents (security). Range queries use the panel's step; instant queries run at the
// range's end, so `[$__range]` covers exactly the range.

import { getJson } from '../api/client.ts';
import type { QueryResponse, VectorSample } from '../api/loki-types.ts';
import { queryLogs, queryMatrix } from '../api/loki-queries.ts';
import type { MatrixSeries } from '../api/loki-types.ts';
import type { LogRow } from '../explore/log-rows.ts';
import { alignedRange } from '../explore/histogram-data.ts';
import { msToNs } from '../state/time-range.ts';
import { listIncidents, type Incident } from './dashboard-api.ts';
import type { PanelType } from './dashboard-types.ts';

export type PanelData =
  | { kind: 'matrix'; series: MatrixSeries[]; startS: number; endS: number; stepS: number }
  | { kind: 'vector'; samples: VectorSample[] }
  | { kind: 'logs'; rows: LogRow[] }
  | { kind: 'security'; incidents: Incident[] | undefined };

export const LOG_PANEL_LIMIT = 200;

export async function fetchPanel(type: PanelType, query: string, fromMs: number, toMs: number, stepS: number, signal: AbortSignal): Promise<PanelData> {
  switch (type) {
    case 'timeseries':
    case 'bars': {
      const { startS, endS } = alignedRange(fromMs, toMs, stepS);
      return { kind: 'matrix', series: await queryMatrix(query, fromMs, toMs, stepS, signal), startS, endS, stepS };
    }
    case 'stat':
    case 'table': {
      const res = await getJson<QueryResponse>('/loki/api/v1/query', { query, time: msToNs(toMs) }, { signal });
      if (res.data.resultType === 'vector') return { kind: 'vector', samples: res.data.result };
      if (res.data.resultType === 'scalar') return { kind: 'vector', samples: [{ metric: {}, value: res.data.result }] };
      throw new Error(`expected a metric query but the query returned ${res.data.resultType}`);
    }
    case 'logs':
      return { kind: 'logs', rows: (await queryLogs(query, { startNs: msToNs(fromMs), endNs: msToNs(toMs) }, LOG_PANEL_LIMIT, 'backward', signal)).rows };
    case 'security':
      return { kind: 'security', incidents: await listIncidents() };
  }
}
