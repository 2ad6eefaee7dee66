// The expected answers of the query families: one pass over the corpus bodies feeding every family's reference
// accumulator (src/bench/query-families.ts), cached beside the corpus (the corpus is rewritten whole when it changes,
// which removes the cache with it; the cache also names the corpus and the queries it was computed for).

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CorpusManifest } from './corpus.ts';
import type { PushStream } from '../demo/estate.ts';
import { labelKey, type Accumulator, type Answer, type QueryFamily } from './query-families.ts';

/** Bumped when a reference's semantics change, so cached answers are recomputed. */
const REFERENCE_VERSION = 1;
const CACHE_FILE = 'query-families-reference.json';

interface CacheFile {
  version: number;
  corpusCreatedAt: string;
  queries: Record<string, string>;
  seconds: number;
  answers: Record<string, Answer>;
}

/**
 * A user id for the "{} |= user" family: the first `user_id` of an auth line in the middle body (auth writes it in
 * the line text too). Deterministic for a corpus.
 */
export function pickUserProbe(dir: string, m: CorpusManifest): string {
  for (let i = m.bodies.length >> 1; i < m.bodies.length; i++) {
    const doc = JSON.parse(readFileSync(join(dir, m.bodies[i].file), 'utf8')) as { streams: PushStream[] };
    for (const s of doc.streams) {
      if (s.stream.service !== 'auth') continue;
      for (const v of s.values) {
        const user = v[2]?.user_id;
        if (user !== undefined && v[1].includes(user)) return user;
      }
    }
  }
  throw new Error('no auth line with a user id in the second half of the corpus');
}

/** Runs every family's reference over the corpus in one pass. */
export function computeAnswers(dir: string, m: CorpusManifest, families: QueryFamily[], onProgress?: (bodies: number) => void): Record<string, Answer> {
  const accs: Accumulator[] = families.map((f) => f.reference());
  const byStream = new Map<string, Accumulator[]>();
  for (let b = 0; b < m.bodies.length; b++) {
    const doc = JSON.parse(readFileSync(join(dir, m.bodies[b].file), 'utf8')) as { streams: PushStream[] };
    for (const s of doc.streams) {
      const key = labelKey(s.stream);
      let list = byStream.get(key);
      if (list === undefined) {
        list = accs.filter((a) => a.wants(s.stream));
        byStream.set(key, list);
      }
      if (list.length === 0) continue;
      for (const v of s.values) {
        const tsUs = Number(v[0].slice(0, -3));
        for (let i = 0; i < list.length; i++) list[i].observe(tsUs, v[1], s.stream, v[2]);
      }
    }
    if (onProgress !== undefined && b % 500 === 499) onProgress(b + 1);
  }
  const out: Record<string, Answer> = {};
  families.forEach((f, i) => (out[f.name] = accs[i].answer()));
  return out;
}

/** Cached answers when they were computed for this corpus and these queries, else computed now and cached. */
export function referenceAnswers(dir: string, m: CorpusManifest, families: QueryFamily[], log: (msg: string) => void): { answers: Record<string, Answer>; seconds: number; cached: boolean } {
  const file = join(dir, CACHE_FILE);
  const queries = Object.fromEntries(families.map((f) => [f.name, `${f.kind} ${f.limit ?? ''} ${f.query}`]));
  if (existsSync(file)) {
    try {
      const c = JSON.parse(readFileSync(file, 'utf8')) as CacheFile;
      const same = c.version === REFERENCE_VERSION && c.corpusCreatedAt === m.createdAt && families.every((f) => c.queries[f.name] === queries[f.name] && c.answers[f.name] !== undefined);
      if (same) return { answers: c.answers, seconds: c.seconds, cached: true };
    } catch {
      // unreadable: recompute
    }
  }
  const t0 = performance.now();
  const answers = computeAnswers(dir, m, families, (n) => log(`reference: ${n} of ${m.bodies.length} bodies`));
  const seconds = Number(((performance.now() - t0) / 1000).toFixed(1));
  const cache: CacheFile = { version: REFERENCE_VERSION, corpusCreatedAt: m.createdAt, queries, seconds, answers };
  writeFileSync(file, JSON.stringify(cache, null, 1));
  return { answers, seconds, cached: false };
}
