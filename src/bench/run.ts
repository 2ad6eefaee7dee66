// `sightline bench`: builds (or reuses) the corpus, then for each store under test — Sightline, and VictoriaLogs with
// `--peer victorialogs` — starts it, pushes the corpus, measures ingest rate, memory, disk and query latencies, and
// writes a table and a JSON file. Stores run one after the other so they never compete for the machine.

import { parseArgs } from 'node:util';
import { mkdirSync, mkdtempSync, readdirSync, existsSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { ensureCorpus, type CorpusManifest } from './corpus.ts';
import { pushBodies } from './load.ts';
import { RssSampler, diskUsage, readMemoryStatus } from './proc-stats.ts';
import { formatTable, machineInfo, ratios, type BenchResults, type CorpusSummary, type QueryResult, type TargetResult } from './report.ts';
import { stopServerProcess } from './server-process.ts';
import { startSightline } from './sightline-target.ts';
import type { BenchQuery, QueryContext, Target } from './target.ts';
import { ensureVictoriaLogs, startVictoriaLogs } from './victorialogs-target.ts';

const HELP = `sightline bench: ingest and query benchmark on a generated day of microservice logs

  --lines N            corpus size in lines (default 10000000)
  --data-dir DIR       Sightline's data dir (must be empty or absent; kept). Default: a temporary dir, removed
  --concurrency C      concurrent keep-alive push connections (default 4)
  --peer victorialogs  also run VictoriaLogs on the same corpus (installed with \`go install\` on first use)
  --out FILE           JSON results (default bench-results/latest.json)
  --cache-dir DIR      corpus and peer binaries (default $SIGHTLINE_BENCH_CACHE or ~/.cache/sightline-bench)
  --seed N             corpus seed (default 42)
  --runs N             timed runs per query, after one warm-up (default 5)
  --skip-sightline     run only the peer (to check the harness before the server exists)
  --keep-data          keep temporary data dirs
  --timeout-min M      give up a store's ingest after M minutes (default 60)
`;

const SERVICE_FOR_NEWEST = 'order';
const MB = 1024 * 1024;

interface BenchOptions {
  lines: number;
  dataDir?: string;
  concurrency: number;
  peer?: 'victorialogs';
  out: string;
  cacheDir: string;
  seed: number;
  runs: number;
  skipSightline: boolean;
  keepData: boolean;
  timeoutMs: number;
}

function positiveInt(v: string | undefined, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v.replace(/_/g, ''));
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name}: expected a positive integer, got "${v}"`);
  return n;
}

function parseOptions(argv: string[]): BenchOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      lines: { type: 'string' }, 'data-dir': { type: 'string' }, concurrency: { type: 'string' }, peer: { type: 'string' },
      out: { type: 'string' }, 'cache-dir': { type: 'string' }, seed: { type: 'string' }, runs: { type: 'string' },
      'skip-sightline': { type: 'boolean' }, 'keep-data': { type: 'boolean' }, 'timeout-min': { type: 'string' }, help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return undefined;
  }
  if (values.peer !== undefined && values.peer !== 'victorialogs') throw new Error(`--peer: only "victorialogs" is supported, got "${values.peer}"`);
  if (values['skip-sightline'] && values.peer === undefined) throw new Error('--skip-sightline needs --peer: there would be nothing to run');
  return {
    lines: positiveInt(values.lines, 'lines', 10_000_000),
    dataDir: values['data-dir'],
    concurrency: positiveInt(values.concurrency, 'concurrency', 4),
    peer: values.peer as 'victorialogs' | undefined,
    out: values.out ?? join('bench-results', 'latest.json'),
    cacheDir: values['cache-dir'] ?? process.env.SIGHTLINE_BENCH_CACHE ?? join(os.homedir(), '.cache', 'sightline-bench'),
    seed: positiveInt(values.seed, 'seed', 42),
    runs: positiveInt(values.runs, 'runs', 5),
    skipSightline: values['skip-sightline'] ?? false,
    keepData: values['keep-data'] ?? false,
    timeoutMs: positiveInt(values['timeout-min'], 'timeout-min', 60) * 60_000,
  };
}

const log = (msg: string): void => {
  process.stderr.write(`bench: ${msg}\n`);
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** gzip -6 ratio of the line text in the first few bodies (a cheap, stable estimate for the report). */
function gzipRatioSample(dir: string, m: CorpusManifest, bodies = 8): number {
  const lines: string[] = [];
  for (const b of m.bodies.slice(0, bodies)) {
    const doc = JSON.parse(readFileSync(join(dir, b.file), 'utf8')) as { streams: { values: [string, string][] }[] };
    for (const s of doc.streams) for (const v of s.values) lines.push(v[1]);
  }
  const text = Buffer.from(lines.join('\n') + '\n');
  return text.length / gzipSync(text, { level: 6 }).length;
}

function emptyOrAbsent(dir: string): boolean {
  return !existsSync(dir) || readdirSync(dir).length === 0;
}

async function runQuery(q: BenchQuery, runs: number): Promise<QueryResult> {
  await q.run(); // warm-up
  const times: number[] = [];
  let last = { count: 0, total: undefined as number | undefined };
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const out = await q.run();
    times.push(performance.now() - t0);
    last = { count: out.count, total: out.total };
  }
  const ok = (q.expect?.count === undefined || q.expect.count === last.count) && (q.expect?.total === undefined || q.expect.total === last.total);
  return {
    text: q.text, medianMs: Number(median(times).toFixed(2)), minMs: Number(Math.min(...times).toFixed(2)), maxMs: Number(Math.max(...times).toFixed(2)),
    runsMs: times.map((t) => Number(t.toFixed(2))), count: last.count, total: last.total, expected: q.expect, ok,
  };
}

/** Push, wait until countable, measure, query, stop: one store's whole run. */
async function measureTarget(target: Target, corpusDir: string, m: CorpusManifest, opts: BenchOptions, checks: BenchResults['checks']): Promise<TargetResult> {
  const pid = target.server.pid;
  log(`${target.name}: pid ${pid}, ${target.server.url}, data in ${target.dataDir}; pushing ${m.bodies.length} bodies with ${opts.concurrency} connections`);
  const sampler = new RssSampler(pid);
  sampler.start();
  let load;
  let rss;
  try {
    load = await pushBodies({
      url: target.pushUrl, dir: corpusDir, bodies: m.bodies, concurrency: opts.concurrency, deadlineMs: Date.now() + opts.timeoutMs,
      onProgress: (lines, s) => log(`${target.name}: ${lines.toLocaleString('en-US')} lines in ${s.toFixed(0)} s (${Math.round(lines / s).toLocaleString('en-US')}/s)`),
    });
  } catch (e) {
    await stopServerProcess(target.server, 10_000);
    throw e;
  } finally {
    rss = sampler.stop();
  }
  log(`${target.name}: ingest done in ${load.seconds.toFixed(1)} s (${Math.round(load.lines / load.seconds).toLocaleString('en-US')} lines/s)`);

  const visStart = performance.now();
  await target.settle();
  let counted = -1;
  const visDeadline = Date.now() + 300_000;
  for (;;) {
    try {
      counted = await target.countLines();
    } catch (e) {
      log(`${target.name}: count query failed: ${(e as Error).message}`);
    }
    if (counted === m.lines || Date.now() > visDeadline) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  const visibleAfter = (performance.now() - visStart) / 1000;
  checks.push({ target: target.name, name: 'all lines countable', ok: counted === m.lines, message: `counted ${counted} of ${m.lines} lines` });
  const afterIngest = diskUsage(target.dataDir);

  const queries: Record<string, QueryResult> = {};
  for (const q of target.queries()) {
    try {
      queries[q.name] = await runQuery(q, opts.runs);
      const r = queries[q.name];
      log(`${target.name}: ${q.name} median ${r.medianMs} ms, found ${r.count}${r.total !== undefined ? ` (total ${r.total})` : ''}`);
      checks.push({ target: target.name, name: `query ${q.name}`, ok: r.ok, message: `${q.text}: found ${r.count}${r.total !== undefined ? `, total ${r.total}` : ''}; expected ${JSON.stringify(q.expect ?? {})}` });
    } catch (e) {
      log(`${target.name}: ${q.name} failed: ${(e as Error).message}`);
      checks.push({ target: target.name, name: `query ${q.name}`, ok: false, message: `${q.text}: ${(e as Error).message}` });
    }
  }
  const mem = readMemoryStatus(pid);
  const stoppedHow = await stopServerProcess(target.server);
  const afterStop = diskUsage(target.dataDir);
  return {
    name: target.name,
    ingest: {
      seconds: Number(load.seconds.toFixed(3)),
      lines: load.lines,
      linesPerSecond: Math.round(load.lines / load.seconds),
      rawMBPerSecond: Number((m.rawBytes / MB / load.seconds).toFixed(2)),
      bodyMBPerSecond: Number((load.bytes / MB / load.seconds).toFixed(2)),
      concurrency: opts.concurrency,
      throttled: load.throttled,
      retriedErrors: load.retriedErrors,
    },
    visibleAfterSeconds: Number(visibleAfter.toFixed(2)),
    linesCounted: counted,
    memory: {
      peakRssBytes: mem?.hwmBytes ?? rss.hwmBytes,
      peakRssIngestBytes: rss.hwmBytes,
      maxSampledRssBytes: rss.maxRssBytes,
      rssAfterIngestBytes: rss.lastRssBytes,
    },
    disk: { afterIngest, afterStop, bytesPerRawByte: Number((afterStop.allocatedBytes / m.rawBytes).toFixed(4)) },
    queries,
    stoppedHow,
  };
}

export async function runBench(argv: string[]): Promise<void> {
  const opts = parseOptions(argv);
  if (opts === undefined) return;
  const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  if (opts.dataDir !== undefined && !emptyOrAbsent(opts.dataDir)) throw new Error(`--data-dir ${opts.dataDir} is not empty: the counts would include earlier data`);

  log(`corpus of ${opts.lines.toLocaleString('en-US')} lines in ${opts.cacheDir}`);
  const corpus = ensureCorpus(opts.cacheDir, { lines: opts.lines, seed: opts.seed });
  const m = corpus.manifest;
  log(`${corpus.reused ? 'reused' : `generated in ${(m.generationMs / 1000).toFixed(1)} s:`} ${m.bodies.length} bodies, ${(m.rawBytes / MB).toFixed(0)} MB of lines, needle "${m.needle}" ×${m.needleCount}, trace ${m.traceProbe.traceId} ×${m.traceProbe.lines}`);
  const summary: CorpusSummary = {
    dir: corpus.dir, reused: corpus.reused, lines: m.lines, rawBytes: m.rawBytes, bodyBytes: m.bodyBytes, bodies: m.bodies.length,
    needle: m.needle, needleCount: m.needleCount, traceProbe: m.traceProbe, generationSeconds: m.generationMs / 1000,
    gzipRatioSample: Number(gzipRatioSample(corpus.dir, m).toFixed(2)),
  };

  const scratch = mkdtempSync(join(os.tmpdir(), 'sightline-bench-'));
  const ctx: QueryContext = { manifest: m, service: SERVICE_FOR_NEWEST };
  const results: BenchResults = { date: new Date().toISOString(), argv, machine: machineInfo(), corpus: summary, targets: {}, checks: [] };
  try {
    if (!opts.skipSightline) {
      const dataDir = opts.dataDir ?? join(scratch, 'sightline');
      mkdirSync(dataDir, { recursive: true });
      const target = (await startSightline(repoRoot, dataDir, join(scratch, 'sightline.log'))).withContext(ctx);
      results.targets.sightline = await measureTarget(target, corpus.dir, m, opts, results.checks);
    }
    if (opts.peer === 'victorialogs') {
      const install = ensureVictoriaLogs(opts.cacheDir);
      if (install.installSeconds !== undefined) log(`VictoriaLogs ${install.version} installed in ${install.installSeconds.toFixed(0)} s`);
      const dataDir = opts.dataDir !== undefined ? `${opts.dataDir.replace(/\/+$/, '')}-victorialogs` : join(scratch, 'victorialogs');
      if (!emptyOrAbsent(dataDir)) throw new Error(`${dataDir} is not empty: the counts would include earlier data`);
      const target = (await startVictoriaLogs(install.binary, dataDir, join(scratch, 'victorialogs.log'))).withContext(ctx);
      const r = await measureTarget(target, corpus.dir, m, opts, results.checks);
      r.version = install.version;
      results.targets.victorialogs = r;
    }
  } finally {
    if (!opts.keepData) {
      // logs of a failed run are worth keeping; data dirs the user named are theirs
      const failed = Object.keys(results.targets).length === 0 || results.checks.some((c) => !c.ok);
      for (const sub of ['sightline', 'victorialogs']) rmSync(join(scratch, sub), { recursive: true, force: true });
      if (!failed) rmSync(scratch, { recursive: true, force: true });
      else log(`server logs kept in ${scratch}`);
    } else {
      log(`data and logs kept in ${scratch}`);
    }
  }
  if (results.targets.sightline !== undefined && results.targets.victorialogs !== undefined) {
    results.ratios = ratios(results.targets.sightline, results.targets.victorialogs);
  }
  mkdirSync(dirname(resolve(opts.out)), { recursive: true });
  writeFileSync(opts.out, JSON.stringify(results, null, 2) + '\n');
  process.stdout.write(formatTable(results) + `\n\nresults written to ${opts.out}\n`);
  const failed = results.checks.filter((c) => !c.ok);
  if (failed.length > 0) throw new Error(`${failed.length} check(s) failed: ${failed.map((c) => `${c.target} ${c.name}`).join(', ')}`);
}
