// Sightline under benchmark: `bin/sightline server` as a child process, spoken to through its Loki-compatible API
// (POST /loki/api/v1/push, GET /loki/api/v1/query_range and /loki/api/v1/query).

import { join } from 'node:path';
import type { BenchQuery, QueryContext, QueryOutcome, Target } from './target.ts';
import { getText, shiftNs } from './target.ts';
import { freePort, startServerProcess, type ServerProcess } from './server-process.ts';

interface LokiStreams {
  data?: { resultType?: string; result?: { values?: unknown[]; value?: [unknown, string] }[] };
}

function countStreamValues(text: string): QueryOutcome {
  const doc = JSON.parse(text) as LokiStreams;
  let n = 0;
  for (const s of doc.data?.result ?? []) n += s.values?.length ?? 0;
  return { count: n };
}

function sumVector(text: string): QueryOutcome {
  const doc = JSON.parse(text) as LokiStreams;
  const result = doc.data?.result ?? [];
  let total = 0;
  for (const s of result) total += Number(s.value?.[1] ?? 0);
  return { count: result.length, total };
}

/** `listenerArgs` replaces the default (socket listeners off), e.g. to turn syslog on for a shipper benchmark. */
export async function startSightline(repoRoot: string, dataDir: string, logFile: string, listenerArgs = ['--forward-port', '0', '--syslog-port', '0']): Promise<SightlineTarget> {
  const port = await freePort();
  const proc = await startServerProcess('sightline', process.execPath, [join(repoRoot, 'bin', 'sightline'), 'server', '--data-dir', dataDir, '--port', String(port), ...listenerArgs], {
    cwd: repoRoot, url: `http://127.0.0.1:${port}`, readyPath: '/ready', logFile, timeoutMs: 120_000,
  });
  return new SightlineTarget(proc, dataDir);
}

export class SightlineTarget implements Target {
  readonly name = 'sightline';
  readonly pushUrl: string;
  private ctx: QueryContext | undefined;

  constructor(readonly server: ServerProcess, readonly dataDir: string) {
    this.pushUrl = `${server.url}/loki/api/v1/push`;
  }

  withContext(ctx: QueryContext): this {
    this.ctx = ctx;
    return this;
  }

  async settle(): Promise<void> {
    // pushed entries are answered 204 once stored: nothing to flush
  }

  private range(): { start: string; end: string } {
    const m = this.context().manifest;
    return { start: shiftNs(m.firstTs, -1000), end: shiftNs(m.lastTs, 1000) };
  }

  private context(): QueryContext {
    if (this.ctx === undefined) throw new Error('sightline target: query context not set');
    return this.ctx;
  }

  private rangeQuery(query: string, limit: number): Promise<QueryOutcome> {
    const { start, end } = this.range();
    const q = new URLSearchParams({ query, start, end, limit: String(limit), direction: 'backward' });
    return getText(`${this.server.url}/loki/api/v1/query_range?${q}`).then(countStreamValues);
  }

  private instantQuery(query: string): Promise<QueryOutcome> {
    const time = shiftNs(this.context().manifest.lastTs, 1);
    const q = new URLSearchParams({ query, time });
    return getText(`${this.server.url}/loki/api/v1/query?${q}`).then(sumVector);
  }

  async countLines(): Promise<number> {
    return (await this.instantQuery('sum by (level) (count_over_time({}[24h]))')).total ?? 0;
  }

  queries(): BenchQuery[] {
    const { manifest: m, service } = this.context();
    const needle = `{} |= "${m.needle}"`;
    const byLevel = 'sum by (level) (count_over_time({}[24h]))';
    const newestService = `{service="${service}"}`;
    const trace = `{} |= "${m.traceProbe.traceId}"`;
    const traceField = `{} | trace_id="${m.traceProbe.traceId}"`;
    return [
      { name: 'needle', text: needle, expect: { count: m.needleCount }, run: () => this.rangeQuery(needle, 1000) },
      { name: 'count_by_level', text: byLevel, expect: { total: m.lines }, run: () => this.instantQuery(byLevel) },
      { name: 'newest_service', text: `${newestService} limit=100`, expect: { count: 100 }, run: () => this.rangeQuery(newestService, 100) },
      { name: 'newest_all', text: '{} limit=100', expect: { count: 100 }, run: () => this.rangeQuery('{}', 100) },
      { name: 'trace', text: trace, expect: { count: m.traceProbe.lines }, run: () => this.rangeQuery(trace, 1000) },
      { name: 'trace_field', text: traceField, expect: { count: m.traceProbe.lines }, run: () => this.rangeQuery(traceField, 1000) },
    ];
  }
}
