// `sightline bench --query-families`: query latency per LogQL family at corpus scale (default 10M lines) against a
// `bin/sightline server` child, beside the six base queries. Every answer is checked against the reference computed
// independently from the corpus (query-family-reference.ts); a wrong answer fails the run.

import { parseArgs } from 'node:util';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { ensureCorpus } from './corpus.ts';
import { pushBodies } from './load.ts';
import { readMemoryStatus } from './proc-stats.ts';
import { machineInfo, type MachineInfo } from './report.ts';
import { stopServerProcess } from './server-process.ts';
import { startSightline } from './sightline-target.ts';
import { getText } from './target.ts';
import { buildFamilies, familyTimes, labelKey, type Answer, type FamilyTimes, type LogAnswer, type QueryFamily, type SeriesAnswer } from './query-families.ts';
import { pickUserProbe, referenceAnswers } from './query-family-reference.ts';

const HELP = `sightline bench --query-families: LogQL query latency per family, answers checked against the corpus

  --lines N          corpus size (default 10000000)
  --runs N           timed runs per query after one warm-up (default 5)
  --only A,B         run only these families (names as in the results)
  --data-dir DIR     Sightline's data dir, kept. If it already holds this corpus (from an earlier run) ingest is skipped
  --concurrency C    push connections for the ingest (default 4)
  --out FILE         JSON results (default bench-results/query-families.json)
  --cache-dir DIR    corpus cache (default $SIGHTLINE_BENCH_CACHE or ~/.cache/sightline-bench)
  --seed N           corpus seed (default 42)
`;

interface Options {
  lines: number;
  runs: number;
  only?: string[];
  dataDir?: string;
  concurrency: number;
  out: string;
  cacheDir: string;
  seed: number;
}

function positive(v: string | undefined, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v.replace(/_/g, ''));
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name}: expected a positive integer, got "${v}"`);
  return n;
}

function parseOptions(argv: string[]): Options | undefined {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      lines: { type: 'string' }, runs: { type: 'string' }, only: { type: 'string' }, 'data-dir': { type: 'string' }, concurrency: { type: 'string' },
      out: { type: 'string' }, 'cache-dir': { type: 'string' }, seed: { type: 'string' }, help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return undefined;
  }
  return {
    lines: positive(values.lines, 'lines', 10_000_000),
    runs: positive(values.runs, 'runs', 5),
    only: values.only?.split(',').map((s) => s.trim()),
    dataDir: values['data-dir'],
    concurrency: positive(values.concurrency, 'concurrency', 4),
    out: values.out ?? join('bench-results', 'query-families.json'),
    cacheDir: values['cache-dir'] ?? process.env.SIGHTLINE_BENCH_CACHE ?? join(os.homedir(), '.cache', 'sightline-bench'),
    seed: positive(values.seed, 'seed', 42),
  };
}

const log = (msg: string): void => {
  process.stderr.write(`bench: ${msg}\n`);
};

interface LokiResponse {
  data?: { resultType?: string; result?: { stream?: Record<string, string>; metric?: Record<string, string>; values?: [unknown, unknown][]; value?: [unknown, string] }[] };
}

/** What a log query returned, in the reference's terms. */
export function logAnswerOf(doc: LokiResponse): LogAnswer {
  let count = 0;
  let oldestUs = Infinity;
  let tsDigest = 0;
  let bytes = 0;
  for (const s of doc.data?.result ?? []) {
    for (const [ts, line] of s.values ?? []) {
      const us = Number(String(ts).slice(0, -3));
      count++;
      oldestUs = Math.min(oldestUs, us);
      tsDigest += us % 1_000_003;
      bytes += Buffer.byteLength(String(line));
    }
  }
  return { kind: 'log', count, oldestUs: count === 0 ? 0 : oldestUs, tsDigest, bytes };
}

/** What a metric query returned: an instant vector, or a matrix keyed by step index from `startS` every `stepS`. */
export function seriesAnswerOf(doc: LokiResponse, range?: { startS: number; stepS: number }): SeriesAnswer {
  const series: Record<string, number> = {};
  for (const r of doc.data?.result ?? []) {
    const key = labelKey(r.metric ?? {});
    if (range === undefined) {
      series[key] = Number(r.value?.[1]);
    } else {
      for (const [t, v] of r.values ?? []) series[`${key}@${Math.round((Number(t) - range.startS) / range.stepS)}`] = Number(v);
    }
  }
  return { kind: 'series', series };
}

/** Undefined when `got` is what `want` says a correct answer holds, else what differs. */
export function compareAnswers(got: Answer, want: Answer): string | undefined {
  if (got.kind === 'log' && want.kind === 'log') {
    if (got.count !== want.count) return `${got.count} lines, expected ${want.count}`;
    if (got.oldestUs !== want.oldestUs) return `oldest line at ${got.oldestUs} µs, expected ${want.oldestUs}`;
    if (!want.tieAtLimit && got.tsDigest !== want.tsDigest) return 'other lines than expected (timestamps differ)';
    if (!want.tieAtLimit && got.bytes !== want.bytes) return `${got.bytes} bytes of lines, expected ${want.bytes}`;
    return undefined;
  }
  if (got.kind === 'series' && want.kind === 'series') {
    const gk = Object.keys(got.series).sort();
    const wk = Object.keys(want.series).sort();
    if (gk.join('|') !== wk.join('|')) return `series ${JSON.stringify(gk.slice(0, 8))}${gk.length > 8 ? '…' : ''}, expected ${JSON.stringify(wk.slice(0, 8))}${wk.length > 8 ? '…' : ''}`;
    for (const k of wk) {
      const g = got.series[k];
      const w = want.series[k];
      if (!(Math.abs(g - w) <= 1e-9 * Math.max(1, Math.abs(w)))) return `${k || '{}'}: ${g}, expected ${w}`;
    }
    return undefined;
  }
  return `a ${got.kind} answer, expected a ${want.kind} answer`;
}

function queryUrl(base: string, f: QueryFamily, t: FamilyTimes): string {
  if (f.kind === 'log') {
    const q = new URLSearchParams({ query: f.query, start: t.logStartNs, end: t.logEndNs, limit: String(f.limit ?? 100), direction: 'backward' });
    return `${base}/loki/api/v1/query_range?${q}`;
  }
  if (f.kind === 'instant') return `${base}/loki/api/v1/query?${new URLSearchParams({ query: f.query, time: t.instantNs })}`;
  const q = new URLSearchParams({ query: f.query, start: t.rangeStartNs, end: t.instantNs, step: String(t.stepS) });
  return `${base}/loki/api/v1/query_range?${q}`;
}

export interface FamilyResult {
  family: string;
  kind: QueryFamily['kind'];
  query: string;
  limit?: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  runsMs: number[];
  ok: boolean;
  /** what differed from the reference, when not ok */
  problem?: string;
  answer: Answer;
  expected: Answer;
}

export interface QueryFamilyResults {
  date: string;
  argv: string[];
  machine: MachineInfo;
  corpus: { dir: string; lines: number; rawBytes: number; seed: number; createdAt: string; userProbe: string };
  reference: { seconds: number; cached: boolean };
  ingest?: { seconds: number; linesPerSecond: number; skipped: boolean };
  serverPeakRssBytes: number;
  baseline: Record<string, { query: string; medianMs: number; minMs: number; maxMs: number; ok: boolean; message: string }>;
  families: Record<string, FamilyResult>;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const r2 = (x: number): number => Number(x.toFixed(2));

async function timed<T>(runs: number, fn: () => Promise<T>): Promise<{ times: number[]; last: T }> {
  let last = await fn(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    last = await fn();
    times.push(performance.now() - t0);
  }
  return { times, last };
}

async function countAll(url: string, t: FamilyTimes): Promise<number> {
  const q = new URLSearchParams({ query: 'sum(count_over_time({}[24h]))', time: t.instantNs });
  const doc = JSON.parse(await getText(`${url}/loki/api/v1/query?${q}`)) as LokiResponse;
  return Number(doc.data?.result?.[0]?.value?.[1] ?? 0);
}

function formatTable(r: QueryFamilyResults): string {
  const rows = [['query', 'median ms', 'min–max ms', 'answer', 'check']];
  for (const [name, b] of Object.entries(r.baseline)) rows.push([`(base) ${name}`, b.medianMs.toFixed(1), `${b.minMs.toFixed(0)}–${b.maxMs.toFixed(0)}`, '', b.ok ? 'ok' : 'WRONG']);
  for (const [name, f] of Object.entries(r.families)) {
    const a = f.answer.kind === 'log' ? `${f.answer.count} lines` : `${Object.keys(f.answer.series).length} samples`;
    rows.push([name, f.medianMs.toFixed(1), `${f.minMs.toFixed(0)}–${f.maxMs.toFixed(0)}`, a, f.ok ? 'ok' : `WRONG: ${f.problem}`]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows.map((row) => row.map((c, i) => (i === 0 || i === 4 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')).join('\n');
}

export async function queryFamilyBench(argv: string[]): Promise<number> {
  const opts = parseOptions(argv);
  if (opts === undefined) return 0;
  const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  log(`corpus of ${opts.lines.toLocaleString('en-US')} lines in ${opts.cacheDir}`);
  const corpus = ensureCorpus(opts.cacheDir, { lines: opts.lines, seed: opts.seed });
  const m = corpus.manifest;
  const userProbe = pickUserProbe(corpus.dir, m);
  let families = buildFamilies({ manifest: m, userProbe });
  if (opts.only !== undefined) {
    const unknown = opts.only.filter((n) => !families.some((f) => f.name === n));
    if (unknown.length > 0) throw new Error(`--only: unknown families ${unknown.join(', ')}; known: ${families.map((f) => f.name).join(', ')}`);
    families = families.filter((f) => opts.only?.includes(f.name));
  }
  const ref = referenceAnswers(corpus.dir, m, families, log);
  log(`reference answers ${ref.cached ? 'from the cache' : `computed in ${ref.seconds} s`}`);
  const t = familyTimes(m);

  const scratch = mkdtempSync(join(os.tmpdir(), 'sightline-families-'));
  const dataDir = opts.dataDir ?? join(scratch, 'sightline');
  const reuse = existsSync(dataDir) && readdirSync(dataDir).length > 0;
  mkdirSync(dataDir, { recursive: true });
  const target = (await startSightline(repoRoot, dataDir, join(scratch, 'sightline.log'))).withContext({ manifest: m, service: 'order' });
  const url = target.server.url;
  const results: QueryFamilyResults = {
    date: new Date().toISOString(), argv, machine: machineInfo(),
    corpus: { dir: corpus.dir, lines: m.lines, rawBytes: m.rawBytes, seed: m.seed, createdAt: m.createdAt, userProbe },
    reference: { seconds: ref.seconds, cached: ref.cached }, serverPeakRssBytes: 0, baseline: {}, families: {},
  };
  let failed = false;
  try {
    if (reuse) {
      const n = await countAll(url, t);
      if (n !== m.lines) throw new Error(`${dataDir} holds ${n} lines in the corpus's range, not the corpus's ${m.lines}: use an empty --data-dir`);
      log(`reusing ${dataDir} (${n} lines)`);
      results.ingest = { seconds: 0, linesPerSecond: 0, skipped: true };
    } else {
      log(`pushing ${m.bodies.length} bodies with ${opts.concurrency} connections`);
      const load = await pushBodies({ url: target.pushUrl, dir: corpus.dir, bodies: m.bodies, concurrency: opts.concurrency, deadlineMs: Date.now() + 3600_000 });
      results.ingest = { seconds: r2(load.seconds), linesPerSecond: Math.round(load.lines / load.seconds), skipped: false };
      log(`ingested in ${load.seconds.toFixed(1)} s`);
      const deadline = Date.now() + 300_000;
      let n = 0;
      while ((n = await countAll(url, t)) !== m.lines) {
        if (Date.now() > deadline) throw new Error(`only ${n} of ${m.lines} lines countable 5 minutes after the ingest`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }

    for (const q of opts.only === undefined ? target.queries() : []) {
      const { times, last } = await timed(opts.runs, () => q.run());
      const ok = (q.expect?.count === undefined || q.expect.count === last.count) && (q.expect?.total === undefined || q.expect.total === last.total);
      failed ||= !ok;
      results.baseline[q.name] = { query: q.text, medianMs: r2(median(times)), minMs: r2(Math.min(...times)), maxMs: r2(Math.max(...times)), ok, message: `found ${last.count}${last.total !== undefined ? `, total ${last.total}` : ''}; expected ${JSON.stringify(q.expect ?? {})}` };
      log(`(base) ${q.name}: median ${results.baseline[q.name].medianMs} ms${ok ? '' : ' WRONG'}`);
    }

    for (const f of families) {
      const u = queryUrl(url, f, t);
      const range = f.kind === 'range' ? { startS: t.rangeStartUs / 1e6, stepS: t.stepS } : undefined;
      const expected = ref.answers[f.name];
      try {
        const { times, last } = await timed(opts.runs, async () => JSON.parse(await getText(u, 300_000)) as LokiResponse);
        const answer = f.kind === 'log' ? logAnswerOf(last) : seriesAnswerOf(last, range);
        const problem = compareAnswers(answer, expected);
        failed ||= problem !== undefined;
        results.families[f.name] = {
          family: f.family, kind: f.kind, query: f.query, limit: f.limit, medianMs: r2(median(times)), minMs: r2(Math.min(...times)), maxMs: r2(Math.max(...times)),
          runsMs: times.map(r2), ok: problem === undefined, problem, answer, expected,
        };
        log(`${f.name}: median ${results.families[f.name].medianMs} ms${problem === undefined ? '' : `; WRONG: ${problem}`}`);
      } catch (e) {
        failed = true;
        log(`${f.name}: failed: ${(e as Error).message}`);
        results.families[f.name] = { family: f.family, kind: f.kind, query: f.query, limit: f.limit, medianMs: NaN, minMs: NaN, maxMs: NaN, runsMs: [], ok: false, problem: (e as Error).message, answer: { kind: 'series', series: {} }, expected };
      }
    }
    results.serverPeakRssBytes = readMemoryStatus(target.server.pid)?.hwmBytes ?? 0;
  } finally {
    await stopServerProcess(target.server);
    if (opts.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
    if (failed) log(`server log kept in ${scratch}`);
    else rmSync(scratch, { recursive: true, force: true });
  }
  mkdirSync(dirname(resolve(opts.out)), { recursive: true });
  writeFileSync(opts.out, JSON.stringify(results, null, 2) + '\n');
  process.stdout.write(formatTable(results) + `\n\nresults written to ${opts.out}\n`);
  return failed ? 1 : 0;
}
