// The benchmark's results: their JSON shape, the machine they were measured on, and the side-by-side table.

import os from 'node:os';
import type { DiskUsage } from './proc-stats.ts';

export interface MachineInfo {
  cores: number;
  cpuModel: string;
  memoryBytes: number;
  node: string;
  platform: string;
  kernel: string;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cores: os.availableParallelism?.() ?? cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryBytes: os.totalmem(),
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    kernel: os.release(),
  };
}

export interface QueryResult {
  text: string;
  /** median of the timed runs (after one warm-up), milliseconds */
  medianMs: number;
  minMs: number;
  maxMs: number;
  runsMs: number[];
  count: number;
  total?: number;
  expected?: { count?: number; total?: number };
  ok: boolean;
}

export interface TargetResult {
  name: string;
  version?: string;
  ingest: {
    seconds: number;
    lines: number;
    linesPerSecond: number;
    /** log line text per second */
    rawMBPerSecond: number;
    /** push body bytes per second (JSON, with labels and metadata) */
    bodyMBPerSecond: number;
    concurrency: number;
    throttled: number;
    retriedErrors: number;
  };
  /** seconds from the last acknowledged push until every line was countable */
  visibleAfterSeconds: number;
  linesCounted: number;
  memory: {
    /** VmHWM at the end of the run (ingest + queries) */
    peakRssBytes: number;
    /** VmHWM when ingest finished */
    peakRssIngestBytes: number;
    /** largest VmRSS sampled every 250 ms during ingest */
    maxSampledRssBytes: number;
    rssAfterIngestBytes: number;
  };
  disk: {
    afterIngest: DiskUsage;
    afterStop: DiskUsage;
    /** allocated bytes after stop ÷ raw line bytes */
    bytesPerRawByte: number;
  };
  queries: Record<string, QueryResult>;
  stoppedHow: string;
}

export interface CorpusSummary {
  dir: string;
  reused: boolean;
  lines: number;
  rawBytes: number;
  bodyBytes: number;
  bodies: number;
  needle: string;
  needleCount: number;
  traceProbe: { traceId: string; lines: number; services: string[] };
  generationSeconds: number;
  /** gzip -6 ratio of the line text of a sample of bodies (stream-grouped, as a store sees it) */
  gzipRatioSample: number;
}

export interface BenchResults {
  date: string;
  argv: string[];
  machine: MachineInfo;
  corpus: CorpusSummary;
  targets: Record<string, TargetResult>;
  /** sightline ÷ peer, per metric, when a peer ran */
  ratios?: Record<string, number>;
  checks: { target: string; name: string; ok: boolean; message: string }[];
}

const MB = 1024 * 1024;

interface Row {
  label: string;
  get: (t: TargetResult) => number | undefined;
  fmt: (v: number) => string;
  key: string;
}

const fixed = (d: number) => (v: number): string => v.toFixed(d);
const thousands = (v: number): string => Math.round(v).toLocaleString('en-US');

const ROWS: Row[] = [
  { key: 'ingest_lines_per_s', label: 'ingest lines/s', get: (t) => t.ingest.linesPerSecond, fmt: thousands },
  { key: 'ingest_raw_mb_per_s', label: 'ingest MB/s (line text)', get: (t) => t.ingest.rawMBPerSecond, fmt: fixed(1) },
  { key: 'ingest_body_mb_per_s', label: 'ingest MB/s (push bodies)', get: (t) => t.ingest.bodyMBPerSecond, fmt: fixed(1) },
  { key: 'visible_after_s', label: 'visible after ingest, s', get: (t) => t.visibleAfterSeconds, fmt: fixed(1) },
  { key: 'peak_rss_mb', label: 'peak RSS (VmHWM), MB', get: (t) => t.memory.peakRssBytes / MB, fmt: fixed(0) },
  { key: 'peak_rss_ingest_mb', label: 'peak RSS during ingest, MB', get: (t) => t.memory.peakRssIngestBytes / MB, fmt: fixed(0) },
  { key: 'disk_mb', label: 'disk after stop, MB', get: (t) => t.disk.afterStop.allocatedBytes / MB, fmt: fixed(1) },
  { key: 'disk_per_raw_byte', label: 'disk bytes per raw byte', get: (t) => t.disk.bytesPerRawByte, fmt: fixed(3) },
  { key: 'q_needle_ms', label: 'rare needle, ms', get: (t) => t.queries.needle?.medianMs, fmt: fixed(1) },
  { key: 'q_count_by_level_ms', label: 'count by level 24h, ms', get: (t) => t.queries.count_by_level?.medianMs, fmt: fixed(1) },
  { key: 'q_newest_service_ms', label: 'newest 100 of a service, ms', get: (t) => t.queries.newest_service?.medianMs, fmt: fixed(1) },
  { key: 'q_newest_all_ms', label: 'newest 100 overall, ms', get: (t) => t.queries.newest_all?.medianMs, fmt: fixed(1) },
  { key: 'q_trace_ms', label: 'trace id lookup, ms', get: (t) => t.queries.trace?.medianMs, fmt: fixed(1) },
  { key: 'q_trace_field_ms', label: 'trace id as a field, ms', get: (t) => t.queries.trace_field?.medianMs, fmt: fixed(1) },
];

/** sightline ÷ peer for every metric both have. */
export function ratios(a: TargetResult, b: TargetResult): Record<string, number> {
  const out: Record<string, number> = {};
  for (const row of ROWS) {
    const x = row.get(a);
    const y = row.get(b);
    if (x !== undefined && y !== undefined && y !== 0) out[row.key] = Number((x / y).toFixed(3));
  }
  return out;
}

/** A plain-text table: one column per target, plus the ratio of the first two. */
export function formatTable(results: BenchResults): string {
  const names = Object.keys(results.targets);
  const header = ['metric', ...names];
  if (names.length === 2) header.push(`${names[0]} ÷ ${names[1]}`);
  const rows: string[][] = [header];
  for (const row of ROWS) {
    const cells = [row.label];
    const vals = names.map((n) => row.get(results.targets[n]));
    for (const v of vals) cells.push(v === undefined ? '-' : row.fmt(v));
    if (names.length === 2) cells.push(vals[0] !== undefined && vals[1] !== undefined && vals[1] !== 0 ? (vals[0] / vals[1]).toFixed(2) : '-');
    rows.push(cells);
  }
  const widths = header.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const out = [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)];
  const c = results.corpus;
  out.unshift(
    `corpus: ${c.lines.toLocaleString('en-US')} lines, ${(c.rawBytes / MB).toFixed(0)} MB of line text, ${c.bodies} push bodies (${(c.bodyBytes / MB).toFixed(0)} MB), gzip ratio ≈ ${c.gzipRatioSample.toFixed(1)}×`,
    `machine: ${results.machine.cores} cores (${results.machine.cpuModel}), ${(results.machine.memoryBytes / 1024 ** 3).toFixed(0)} GiB, node ${results.machine.node}`,
    '',
  );
  const failed = results.checks.filter((k) => !k.ok);
  if (failed.length > 0) out.push('', 'FAILED CHECKS:', ...failed.map((k) => `  ${k.target} ${k.name}: ${k.message}`));
  return out.join('\n');
}
