// Benchmark corpus: a day of the simulated shop's logs as prebuilt Loki push bodies (~0.75 MB JSON files) plus a manifest.
// N lines exactly, ascending within each stream, a rare needle word planted in a few random lines, and one
// trace id whose line count is known; the benchmark sends the files as they are, with no generation cost.

import { mkdirSync, openSync, closeSync, writeSync, readFileSync, existsSync, statSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Estate, SERVICES } from '../demo/estate.ts';
import type { EstateRecord } from '../demo/estate.ts';
import { Prng } from '../demo/prng.ts';

/** Bumped whenever the generator changes what it writes, so stale caches are rebuilt. */
export const CORPUS_FORMAT = 3;
export const DEFAULT_NEEDLE = 'xylophone42quartz';

export interface CorpusOptions {
  /** total number of log lines */
  lines: number;
  /** directory to write into (created; must not hold another corpus) */
  dir: string;
  seed?: number;
  /** a body is closed once it reaches this many bytes (default 768 KiB; bodies stay under 1 MB) */
  bodyBytes?: number;
  needle?: string;
  needleCount?: number;
  /** newest timestamp the day aims at (default: now − 30 min, so a slightly long day still ends in the past) */
  endMs?: number;
}

export interface CorpusBody {
  file: string;
  lines: number;
  bytes: number;
}

export interface CorpusManifest {
  format: number;
  lines: number;
  seed: number;
  needle: string;
  needleCount: number;
  /** where the needle went: nanosecond timestamp and stream labels of each planted line */
  needleLines: { ts: string; stream: Record<string, string> }[];
  /** a checkout trace (≥ 5 services) and how many lines contain its id */
  traceProbe: { traceId: string; lines: number; services: string[] };
  /** oldest and newest entry timestamps, unix ns as strings */
  firstTs: string;
  lastTs: string;
  /** bytes of log line text (UTF-8) over all lines: the "raw" size */
  rawBytes: number;
  /** bytes of all push bodies together */
  bodyBytes: number;
  streams: number;
  services: string[];
  bodies: CorpusBody[];
  createdAt: string;
  generationMs: number;
}

const DAY_MS = 24 * 3600 * 1000;
/** The simulated day is a little shorter than 24 h so `count_over_time({}[24h])` at the newest line covers it all. */
const SPAN_MS = DAY_MS - 30 * 60 * 1000;

/**
 * Puts `needle` into a line as a separate word without breaking the line's format:
 * inside the message of JSON and logfmt lines, as a query parameter of nginx request lines, after the first line of plain text.
 */
export function plantNeedle(line: string, needle: string): string {
  let at = line.indexOf('"msg":"');
  if (at >= 0) return line.slice(0, at + 7) + needle + ' ' + line.slice(at + 7);
  at = line.indexOf(' msg="');
  if (at >= 0) return line.slice(0, at + 6) + needle + ' ' + line.slice(at + 6);
  at = line.indexOf(' HTTP/');
  const quote = line.indexOf('"');
  if (at > 0 && quote >= 0 && quote < at) {
    const path = line.slice(quote, at);
    const sep = path.includes('?') ? '&' : '?';
    return line.slice(0, at) + sep + 'ref=' + needle + line.slice(at);
  }
  at = line.indexOf('\n');
  if (at >= 0) return line.slice(0, at) + ' ' + needle + line.slice(at);
  return line + ' ' + needle;
}

/** `count` distinct line indexes in [0, lines), ascending. */
function needlePositions(seed: number, lines: number, count: number): number[] {
  const rng = new Prng(seed, 0x4eed1e);
  const set = new Set<number>();
  while (set.size < Math.min(count, lines)) set.add(rng.int(lines));
  return [...set].sort((a, b) => a - b);
}

function countTrace(recs: EstateRecord[], traceId: string, services: Set<string>, estate: Estate): number {
  let n = 0;
  for (const r of recs) {
    if (r.traceId === traceId && r.line.includes(traceId)) {
      n++;
      services.add(estate.streams[r.stream].service);
    }
  }
  return n;
}

/** Generates the corpus into `opts.dir` (via a temporary sibling, renamed at the end) and returns its manifest. */
export function writeCorpus(opts: CorpusOptions): CorpusManifest {
  const started = performance.now();
  const total = Math.floor(opts.lines);
  if (!(total > 0)) throw new RangeError(`corpus needs a positive number of lines, got ${opts.lines}`);
  const seed = (opts.seed ?? 42) >>> 0;
  const target = opts.bodyBytes ?? 768 * 1024;
  const needle = opts.needle ?? DEFAULT_NEEDLE;
  const needleCount = opts.needleCount ?? 10;
  const endMs = Math.floor((opts.endMs ?? Date.now() - 30 * 60 * 1000) / 1000) * 1000;
  const startMs = endMs - SPAN_MS;
  const midMs = startMs + SPAN_MS / 2;

  const tmp = `${opts.dir}.partial-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });

  const estate = new Estate({ seed, linesPerSecond: (total / SPAN_MS) * 1000 });
  const streamCount = estate.streams.length;
  const streamHeads = estate.streams.map((labels) => `{"stream":${JSON.stringify(labels)},"values":[`);
  const positions = needlePositions(seed, total, needleCount);
  let nextNeedle = 0;

  const bodies: CorpusBody[] = [];
  const needleLines: CorpusManifest['needleLines'] = [];
  let bodyLen = 0;
  let bodyLines = 0;
  let rawBytes = 0;
  let bodyBytes = 0;
  let firstTs = '';
  let lastTs = '';

  // entries wait per stream as JSON fragments; a body is assembled in one reused buffer and written at once
  const pending: string[][] = estate.streams.map(() => []);
  let out = Buffer.allocUnsafe(target + 256 * 1024);
  const put = (text: string, at: number): number => {
    const need = at + text.length * 3;
    if (need > out.length) {
      const bigger = Buffer.allocUnsafe(Math.max(need, out.length * 2));
      out.copy(bigger, 0, 0, at);
      out = bigger;
    }
    return at + out.write(text, at, 'utf8');
  };
  const flush = (): void => {
    if (bodyLines === 0) return;
    let at = put('{"streams":[', 0);
    let firstStream = true;
    for (let s = 0; s < streamCount; s++) {
      const vals = pending[s];
      if (vals.length === 0) continue;
      at = put(firstStream ? streamHeads[s] : ',' + streamHeads[s], at);
      at = put(vals.join(','), at);
      at = put(']}', at);
      firstStream = false;
      pending[s] = [];
    }
    at = put(']}', at);
    const file = `body-${String(bodies.length).padStart(6, '0')}.json`;
    const fd = openSync(join(tmp, file), 'w');
    try {
      writeSync(fd, out, 0, at);
    } finally {
      closeSync(fd);
    }
    bodies.push({ file, lines: bodyLines, bytes: at });
    bodyBytes += at;
    bodyLen = 0;
    bodyLines = 0;
  };

  // windows long enough that any trace spans at most two of them, short enough to keep memory small
  const rate = total / (SPAN_MS / 1000);
  const windowMs = Math.max(30_000, Math.min(3_600_000, Math.round(4000 / rate) * 1000));
  let written = 0;
  let prev: EstateRecord[] = [];
  let probe = '';
  let probeLines = 0;
  let probeWindowsLeft = 0;
  const probeServices = new Set<string>();

  for (let from = startMs; written < total; from += windowMs) {
    if (from > endMs + SPAN_MS) throw new Error(`corpus generation ran a day past its end with ${written} of ${total} lines: the estate's rate calibration is off`);
    const recs = estate.records(from, from + windowMs);
    if (probe === '' && from + windowMs >= midMs) {
      // a trace that reaches payment is a checkout: it crosses the most services. Its lines lie in at most two
      // consecutive windows (a trace lasts < 15 s < a window): the previous one is counted here, this and the next below.
      const r = recs.find((x) => x.traceId !== '' && estate.streams[x.stream].service === 'payment');
      if (r !== undefined) {
        probe = r.traceId;
        probeLines = countTrace(prev, probe, probeServices, estate);
        probeWindowsLeft = 2;
      }
    }
    for (let i = 0; i < recs.length && written < total; i++) {
      const r = recs[i];
      let line = r.line;
      const ts = `${r.tsUs}000`;
      if (nextNeedle < positions.length && positions[nextNeedle] === written) {
        line = plantNeedle(line, needle);
        needleLines.push({ ts, stream: estate.streams[r.stream] });
        nextNeedle++;
      }
      let frag = `["${ts}",${JSON.stringify(line)}`;
      if (r.traceId !== '') {
        frag += r.userId !== ''
          ? `,{"trace_id":"${r.traceId}","span_id":"${r.spanId}","user_id":"${r.userId}"}]`
          : `,{"trace_id":"${r.traceId}","span_id":"${r.spanId}"}]`;
      } else if (r.userId !== '') {
        frag += `,{"user_id":"${r.userId}"}]`;
      } else {
        frag += ']';
      }
      pending[r.stream].push(frag);
      bodyLen += frag.length + 1;
      if (probeWindowsLeft > 0 && r.traceId === probe && line.includes(probe)) {
        probeLines++;
        probeServices.add(estate.streams[r.stream].service);
      }
      if (firstTs === '') firstTs = ts;
      lastTs = ts;
      bodyLines++;
      rawBytes += line.length; // the estate writes ASCII only, so characters are bytes
      written++;
      if (bodyLen >= target) flush();
    }
    if (probeWindowsLeft > 0) probeWindowsLeft--;
    prev = recs;
  }
  flush();

  const manifest: CorpusManifest = {
    format: CORPUS_FORMAT,
    lines: written,
    seed,
    needle,
    needleCount: needleLines.length,
    needleLines,
    traceProbe: { traceId: probe, lines: probeLines, services: [...probeServices].sort() },
    firstTs,
    lastTs,
    rawBytes,
    bodyBytes,
    streams: streamCount,
    services: SERVICES.map((s) => s.name),
    bodies,
    createdAt: new Date().toISOString(),
    generationMs: Math.round(performance.now() - started),
  };
  const fd = openSync(join(tmp, 'manifest.json'), 'w');
  try {
    writeSync(fd, JSON.stringify(manifest, null, 1));
  } finally {
    closeSync(fd);
  }
  rmSync(opts.dir, { recursive: true, force: true });
  renameSync(tmp, opts.dir);
  return manifest;
}

/** Reads a corpus manifest, or undefined when there is none or it is unreadable. */
export function readManifest(dir: string): CorpusManifest | undefined {
  const file = join(dir, 'manifest.json');
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as CorpusManifest;
  } catch {
    return undefined;
  }
}

/** Whether `dir` holds a complete corpus written with these options, younger than `maxAgeMs`. */
export function corpusIsReusable(dir: string, opts: Omit<CorpusOptions, 'dir'>, maxAgeMs: number, nowMs = Date.now()): CorpusManifest | undefined {
  const m = readManifest(dir);
  if (m === undefined) return undefined;
  if (m.format !== CORPUS_FORMAT || m.lines !== Math.floor(opts.lines) || m.seed !== ((opts.seed ?? 42) >>> 0)) return undefined;
  if (m.needle !== (opts.needle ?? DEFAULT_NEEDLE)) return undefined;
  if (nowMs - Date.parse(m.createdAt) >= maxAgeMs) return undefined;
  for (const b of m.bodies) {
    const p = join(dir, b.file);
    if (!existsSync(p) || statSync(p).size !== b.bytes) return undefined;
  }
  return m;
}

/**
 * The corpus for these options under `cacheDir`, built if missing or older than `maxAgeMs` (default 12 h: the
 * timestamps must stay inside the stores' accepted window and the queries' 24 h range).
 */
export function ensureCorpus(cacheDir: string, opts: Omit<CorpusOptions, 'dir'>, maxAgeMs = 12 * 3600 * 1000): { dir: string; manifest: CorpusManifest; reused: boolean } {
  const dir = join(cacheDir, `corpus-${Math.floor(opts.lines)}-s${(opts.seed ?? 42) >>> 0}`);
  const found = corpusIsReusable(dir, opts, maxAgeMs);
  if (found !== undefined) return { dir, manifest: found, reused: true };
  mkdirSync(cacheDir, { recursive: true });
  return { dir, manifest: writeCorpus({ ...opts, dir }), reused: false };
}
