// One request's lines grouped for the trace view: merged from several queries without duplicates, in time
// order, with each service's first and last line and error count on a shared time axis. Pure.

import { compareNs, serviceOf, type LogRow } from './log-rows.ts';

export interface ServiceLane {
  service: string;
  rows: LogRow[];
  firstMs: number;
  lastMs: number;
  errors: number;
}

export interface TraceFlow {
  rows: LogRow[];
  lanes: ServiceLane[];
  startMs: number;
  endMs: number;
}

export function isErrorRow(row: LogRow): boolean {
  return row.level === 'error' || row.level === 'fatal';
}

export function traceFlow(results: LogRow[][]): TraceFlow {
  const seen = new Set<string>();
  const rows: LogRow[] = [];
  for (const list of results) {
    for (const r of list) {
      const id = `${r.tsNs}\u0000${JSON.stringify(r.stream)}\u0000${r.line}`;
      if (seen.has(id)) continue;
      seen.add(id);
      rows.push(r);
    }
  }
  rows.sort((a, b) => compareNs(a.tsNs, b.tsNs));
  const lanes = new Map<string, ServiceLane>();
  for (const r of rows) {
    const service = serviceOf(r);
    let lane = lanes.get(service);
    if (!lane) lanes.set(service, (lane = { service, rows: [], firstMs: r.tsMs, lastMs: r.tsMs, errors: 0 }));
    lane.rows.push(r);
    lane.lastMs = r.tsMs;
    if (isErrorRow(r)) lane.errors++;
  }
  return { rows, lanes: [...lanes.values()], startMs: rows[0]?.tsMs ?? 0, endMs: rows[rows.length - 1]?.tsMs ?? 0 };
}

/** `+12.345 ms`, `+1.204 s` from the first line. */
export function offsetLabel(ms: number): string {
  if (ms < 1000) return `+${ms.toFixed(3)} ms`;
  if (ms < 60_000) return `+${(ms / 1000).toFixed(3)} s`;
  return `+${(ms / 60_000).toFixed(2)} min`;
}
