// VictoriaLogs as the benchmark's peer: installed with `go install` into the cache, run on loopback with its own
// data dir, fed the same Loki push bodies at /insert/loki/api/v1/push and queried in LogsQL at /select/logsql/query.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchQuery, QueryContext, QueryOutcome, Target } from './target.ts';
import { getText } from './target.ts';
import { freePort, startServerProcess, type ServerProcess } from './server-process.ts';

export const VICTORIALOGS_VERSION = 'v1.52.1';
const MODULE = 'github.com/VictoriaMetrics/VictoriaLogs/app/victoria-logs';

export interface VictoriaLogsInstall {
  binary: string;
  version: string;
  /** seconds `go install` took, when it ran now */
  installSeconds?: number;
}

/** The victoria-logs binary under `<cacheDir>/bin`, built with `go install` (through the Go module proxy) when missing. */
export function ensureVictoriaLogs(cacheDir: string, version = VICTORIALOGS_VERSION): VictoriaLogsInstall {
  const binDir = join(cacheDir, 'bin');
  const binary = join(binDir, 'victoria-logs');
  const marker = `${binary}.version`;
  if (existsSync(binary) && existsSync(marker) && readFileSync(marker, 'utf8').trim() === version) return { binary, version };
  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (go.error !== undefined || go.status !== 0) throw new Error('VictoriaLogs is not installed and `go` is not on PATH to build it: install Go ≥ 1.24 or drop --peer');
  mkdirSync(binDir, { recursive: true });
  process.stderr.write(`bench: installing VictoriaLogs ${version} with go install (one time, ~30 s)...\n`);
  const started = performance.now();
  const res = spawnSync('go', ['install', `${MODULE}@${version}`], { env: { ...process.env, GOBIN: binDir }, stdio: ['ignore', 'inherit', 'inherit'], timeout: 15 * 60_000 });
  if (res.status !== 0 || !existsSync(binary)) throw new Error(`go install ${MODULE}@${version} failed (${res.error?.message ?? `exit ${res.status}`})`);
  writeFileSync(marker, version + '\n');
  return { binary, version, installSeconds: (performance.now() - started) / 1000 };
}

export async function startVictoriaLogs(binary: string, dataDir: string, logFile: string): Promise<VictoriaLogsTarget> {
  const port = await freePort();
  const proc = await startServerProcess('victorialogs', binary, [
    `-storageDataPath=${dataDir}`,
    `-httpListenAddr=127.0.0.1:${port}`,
    '-retentionPeriod=30d',
    '-loggerLevel=WARN',
  ], { url: `http://127.0.0.1:${port}`, readyPath: '/health', logFile, timeoutMs: 60_000 });
  return new VictoriaLogsTarget(proc, dataDir);
}

function countJsonLines(text: string): QueryOutcome {
  let n = 0;
  let at = 0;
  while (at < text.length) {
    const nl = text.indexOf('\n', at);
    const end = nl < 0 ? text.length : nl;
    if (end > at) n++;
    at = end + 1;
  }
  return { count: n };
}

function sumStats(text: string, field: string): QueryOutcome {
  let rows = 0;
  let total = 0;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    rows++;
    total += Number((JSON.parse(line) as Record<string, string>)[field] ?? 0);
  }
  return { count: rows, total };
}

export class VictoriaLogsTarget implements Target {
  readonly name = 'victorialogs';
  /**
   * Lines are stored as they are in `_msg` (disable_message_parsing=1), as Loki and Sightline store them; stream
   * labels become stream fields and structured metadata plain fields.
   */
  readonly pushUrl: string;
  private ctx: QueryContext | undefined;

  constructor(readonly server: ServerProcess, readonly dataDir: string) {
    this.pushUrl = `${server.url}/insert/loki/api/v1/push?disable_message_parsing=1`;
  }

  withContext(ctx: QueryContext): this {
    this.ctx = ctx;
    return this;
  }

  private context(): QueryContext {
    if (this.ctx === undefined) throw new Error('victorialogs target: query context not set');
    return this.ctx;
  }

  async settle(): Promise<void> {
    // recently ingested rows sit in memory buffers for a second or so; this makes them searchable now
    const res = await fetch(`${this.server.url}/internal/force_flush`, { signal: AbortSignal.timeout(120_000) });
    await res.arrayBuffer();
  }

  private logsql(query: string, limit?: number): Promise<string> {
    const m = this.context().manifest;
    const start = new Date(Number(BigInt(m.firstTs) / 1_000_000n) - 1000).toISOString();
    const end = new Date(Number(BigInt(m.lastTs) / 1_000_000n) + 1000).toISOString();
    const q = new URLSearchParams({ query, start, end });
    if (limit !== undefined) q.set('limit', String(limit));
    return getText(`${this.server.url}/select/logsql/query?${q}`);
  }

  async countLines(): Promise<number> {
    return sumStats(await this.logsql('* | stats count() as n'), 'n').total ?? 0;
  }

  queries(): BenchQuery[] {
    const { manifest: m, service } = this.context();
    const byLevel = '* | stats by (level) count() as n';
    const newestService = `{service="${service}"}`;
    const trace = `"${m.traceProbe.traceId}"`;
    const traceField = `trace_id:="${m.traceProbe.traceId}"`;
    return [
      { name: 'needle', text: m.needle, expect: { count: m.needleCount }, run: async () => countJsonLines(await this.logsql(m.needle, 1000)) },
      { name: 'count_by_level', text: byLevel, expect: { total: m.lines }, run: async () => sumStats(await this.logsql(byLevel), 'n') },
      { name: 'newest_service', text: `${newestService} limit=100`, expect: { count: 100 }, run: async () => countJsonLines(await this.logsql(newestService, 100)) },
      { name: 'newest_all', text: '* limit=100', expect: { count: 100 }, run: async () => countJsonLines(await this.logsql('*', 100)) },
      { name: 'trace', text: trace, expect: { count: m.traceProbe.lines }, run: async () => countJsonLines(await this.logsql(trace, 1000)) },
      { name: 'trace_field', text: traceField, expect: { count: m.traceProbe.lines }, run: async () => countJsonLines(await this.logsql(traceField, 1000)) },
    ];
  }
}
