// What the benchmark needs from a store under test: where to push, how to make pushed data visible, how many lines
// it holds, and the measured queries in its own query language. One file per store implements it.

import type { CorpusManifest } from './corpus.ts';
import type { ServerProcess } from './server-process.ts';

/** What one run of a query found: lines for log queries, series/rows for aggregations (`total` = their sum). */
export interface QueryOutcome {
  count: number;
  total?: number;
}

export interface BenchQuery {
  /** stable key in the results: needle, count_by_level, newest_service, newest_all, trace, trace_field */
  name: string;
  /** the query text as the store reads it */
  text: string;
  /** what a correct answer has, checked after the runs */
  expect?: { count?: number; total?: number };
  run(): Promise<QueryOutcome>;
}

export interface Target {
  readonly name: string;
  readonly server: ServerProcess;
  readonly dataDir: string;
  readonly pushUrl: string;
  /** makes everything pushed so far visible to queries, where the store has such a step */
  settle(): Promise<void>;
  /** lines the store holds in the corpus's time range */
  countLines(): Promise<number>;
  queries(): BenchQuery[];
}

/** Facts about the corpus that the queries are built from. */
export interface QueryContext {
  manifest: CorpusManifest;
  /** service picked for the "newest 100 of a service" query */
  service: string;
}

/** GET a URL and return its body text, failing on a non-200 answer. Bounded by `timeoutMs`. */
export async function getText(url: string, timeoutMs = 120_000): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}: ${text.slice(0, 300)}`);
  return text;
}

/** Nanosecond timestamp string moved by `deltaMs`. */
export function shiftNs(ns: string, deltaMs: number): string {
  return (BigInt(ns) + BigInt(Math.round(deltaMs)) * 1_000_000n).toString();
}
