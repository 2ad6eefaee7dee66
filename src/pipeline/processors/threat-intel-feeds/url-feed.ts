// An indicator list fetched over HTTP(S): at start, then whenever `refresh` finds the reload interval passed (sooner
// after a failure), as a conditional GET (RFC 9110 §13.1.1 If-None-Match with the last ETag, §13.1.3 If-Modified-Since
// with the last Last-Modified). A failed fetch or parse keeps the previous contents and is reported; bodies are bounded.
// With a cache file, the last good body (and its validators) is kept on disk: a restart starts from it, and asks the
// feed only whether it changed, so a feed that is down at start does not leave the list empty.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';

export interface UrlFeedOptions<T> {
  name: string;
  url: string;
  /** sent with every request (API keys from the environment: never logged) */
  headers: Record<string, string>;
  intervalMs: number;
  timeoutMs: number;
  maxBytes: number;
  /** parses the body (throwing with a message naming the problem) */
  parse: (text: string) => T;
  /** the contents until the first fetch succeeds */
  empty: T;
  /** where the last good body is kept across restarts (optional) */
  cacheFile?: string;
}

/** The cache file's contents: the body as fetched, its validators, and which URL it came from (hashed: keys). */
interface FeedCache {
  url_sha256: string;
  etag?: string;
  last_modified?: string;
  saved_ms: number;
  body: string;
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

export interface FeedCounters {
  /** fetches answered 200 and parsed */
  loaded: number;
  notModified: number;
  failed: number;
  bytes: number;
}

/** Live feeds, for the server's /metrics (a feed leaves the set when its processor is closed). */
const LIVE = new Set<UrlFeed<unknown>>();

/** The URL without its query and credentials (they may hold an API key), for messages. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}${u.search ? '?…' : ''}`;
  } catch {
    return '(bad URL)';
  }
}

const FAILURE_RETRY_MS = 30_000;

export class UrlFeed<T> {
  value: T;
  /** counts successful loads (a caller rebuilds what it derives from `value` when it changes) */
  version = 0;
  readonly counters: FeedCounters = { loaded: 0, notModified: 0, failed: 0, bytes: 0 };
  lastSuccessMs: number | undefined;
  lastError: string | undefined;
  private etag: string | undefined;
  private lastModified: string | undefined;
  private lastStartMs: number | undefined;
  private lastFailed = false;
  private inflight: Promise<void> | undefined;
  private readonly messages: string[] = [];
  private closed = false;

  constructor(private readonly opts: UrlFeedOptions<T>) {
    this.value = opts.empty;
    LIVE.add(this as UrlFeed<unknown>);
    if (opts.cacheFile !== undefined) this.loadCache(opts.cacheFile);
    this.start();
  }

  /** Starts from the cached body when it is this URL's and still parses; anything else is reported and ignored. */
  private loadCache(file: string): void {
    let cache: FeedCache;
    try {
      cache = JSON.parse(readFileSync(file, 'utf8')) as FeedCache;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.messages.push(`threat_intel: list ${this.opts.name}: cache ${file} unreadable, ignored: ${(e as Error).message}`);
      return;
    }
    if (typeof cache.body !== 'string' || cache.url_sha256 !== sha256(this.opts.url)) {
      this.messages.push(`threat_intel: list ${this.opts.name}: cache ${file} holds another URL's list or no body, ignored`);
      return;
    }
    try {
      this.value = this.opts.parse(cache.body);
    } catch (e) {
      this.messages.push(`threat_intel: list ${this.opts.name}: cache ${file} no longer parses, ignored: ${(e as Error).message}`);
      return;
    }
    this.version++;
    this.etag = cache.etag;
    this.lastModified = cache.last_modified;
    this.lastSuccessMs = cache.saved_ms;
  }

  /** Writes the cache aside and renames it, so a crash never leaves half a file; a failure is reported, not fatal. */
  private async saveCache(file: string, body: string): Promise<void> {
    const cache: FeedCache = { url_sha256: sha256(this.opts.url), etag: this.etag, last_modified: this.lastModified, saved_ms: Date.now(), body };
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      await writeFile(tmp, JSON.stringify(cache));
      await rename(tmp, file);
    } catch (e) {
      this.messages.push(`threat_intel: list ${this.opts.name}: cannot write cache ${file}: ${(e as Error).message}`);
    }
  }

  get name(): string {
    return this.opts.name;
  }

  /** Starts a fetch when one is due (`nowMs` is the caller's clock); the result applies when it arrives. */
  refresh(nowMs: number): void {
    if (this.closed || this.inflight !== undefined) return;
    if (this.lastStartMs === undefined) {
      // the first call sets the caller's clock as the time of the fetch made at start
      this.lastStartMs = nowMs;
      return;
    }
    const wait = this.lastFailed ? Math.min(this.opts.intervalMs, FAILURE_RETRY_MS) : this.opts.intervalMs;
    if (this.opts.intervalMs <= 0 || nowMs - this.lastStartMs < wait) return;
    this.lastStartMs = nowMs;
    this.start();
  }

  /** Problems since the last call (failed fetches, refused contents), for the pipeline's warnings. */
  takeMessages(): string[] {
    return this.messages.splice(0);
  }

  /** Resolves when the fetch in flight (if any) has been applied. */
  async idle(): Promise<void> {
    while (this.inflight !== undefined) await this.inflight;
  }

  close(): void {
    this.closed = true;
    LIVE.delete(this as UrlFeed<unknown>);
  }

  private start(): void {
    this.inflight = this.fetchOnce()
      .catch((e: unknown) => this.fail((e as Error).message))
      .finally(() => {
        this.inflight = undefined;
      });
  }

  private fail(why: string): void {
    this.counters.failed++;
    this.lastFailed = true;
    this.lastError = why;
    const keeping = this.version === 0 ? 'the list stays empty until a fetch succeeds' : 'keeping the previous list';
    this.messages.push(`threat_intel: list ${this.opts.name}: fetching ${safeUrl(this.opts.url)} failed, ${keeping}: ${why}`);
  }

  /**
   * Follows up to MAX_REDIRECTS redirects by hand: the list's own headers (API keys) go only to the origin it names,
   * never to another host a redirect points at (fetch's own following would forward them).
   */
  private async fetchFollowing(headers: Record<string, string>): Promise<Response> {
    const signal = AbortSignal.timeout(this.opts.timeoutMs);
    const origin = new URL(this.opts.url).origin;
    let url = this.opts.url;
    for (let hop = 0; ; hop++) {
      const sameOrigin = new URL(url).origin === origin;
      const sent = sameOrigin ? headers : withoutListHeaders(headers, this.opts.headers);
      const res = await fetch(url, { headers: sent, signal, redirect: 'manual' });
      const location = res.headers.get('location');
      if (res.status < 300 || res.status > 399 || res.status === 304 || location === null) return res;
      await res.body?.cancel();
      if (hop >= MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects`);
      url = new URL(location, url).toString();
    }
  }

  private async fetchOnce(): Promise<void> {
    const headers: Record<string, string> = { Accept: 'application/json, text/plain, text/csv, */*', ...this.opts.headers };
    if (this.etag !== undefined) headers['If-None-Match'] = this.etag;
    if (this.lastModified !== undefined) headers['If-Modified-Since'] = this.lastModified;
    const res = await this.fetchFollowing(headers);
    if (res.status === 304) {
      await res.body?.cancel();
      this.counters.notModified++;
      this.lastFailed = false;
      this.lastSuccessMs = Date.now();
      return;
    }
    if (res.status < 200 || res.status > 299) {
      await res.body?.cancel();
      throw new Error(`HTTP ${res.status} ${res.statusText}`);
    }
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (declared > this.opts.maxBytes) {
      await res.body?.cancel();
      throw new Error(`the body is ${declared} bytes, more than max_bytes (${this.opts.maxBytes})`);
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    if (res.body !== null) {
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > this.opts.maxBytes) {
          await reader.cancel();
          throw new Error(`the body exceeds max_bytes (${this.opts.maxBytes})`);
        }
        chunks.push(value);
      }
    }
    const text = Buffer.concat(chunks).toString('utf8');
    let parsed: T;
    try {
      parsed = this.opts.parse(text);
    } catch (e) {
      throw new Error(`the contents were refused: ${(e as Error).message}`);
    }
    if (this.closed) return;
    this.value = parsed;
    this.version++;
    this.counters.loaded++;
    this.counters.bytes += size;
    this.lastFailed = false;
    this.lastError = undefined;
    this.lastSuccessMs = Date.now();
    this.etag = res.headers.get('etag') ?? undefined;
    this.lastModified = res.headers.get('last-modified') ?? undefined;
    if (this.opts.cacheFile !== undefined) await this.saveCache(this.opts.cacheFile, text);
  }
}

/** Prometheus text for the live feeds: fetches by result, and the time of the last good fetch. */
export const threatIntelFeedMetrics = {
  render(): string {
    if (LIVE.size === 0) return '';
    const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
    let fetches = '# HELP sightline_threat_intel_feed_fetches_total Fetches of threat_intel URL lists, by result (loaded, not_modified, failed).\n# TYPE sightline_threat_intel_feed_fetches_total counter\n';
    let last = '# HELP sightline_threat_intel_feed_last_success_timestamp_seconds When a threat_intel URL list was last fetched (or found unchanged).\n# TYPE sightline_threat_intel_feed_last_success_timestamp_seconds gauge\n';
    for (const f of LIVE) {
      const l = `list="${esc(f.name)}"`;
      fetches += `sightline_threat_intel_feed_fetches_total{${l},result="loaded"} ${f.counters.loaded}\n`;
      fetches += `sightline_threat_intel_feed_fetches_total{${l},result="not_modified"} ${f.counters.notModified}\n`;
      fetches += `sightline_threat_intel_feed_fetches_total{${l},result="failed"} ${f.counters.failed}\n`;
      last += `sightline_threat_intel_feed_last_success_timestamp_seconds{${l}} ${f.lastSuccessMs === undefined ? 0 : f.lastSuccessMs / 1000}\n`;
    }
    return fetches + last;
  },
};

/** how many redirects a feed fetch follows */
const MAX_REDIRECTS = 5;

/** The request headers without the list's own (`headers`/`headers_env`), for a redirect to another origin. */
function withoutListHeaders(headers: Record<string, string>, own: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const drop = new Set(Object.keys(own ?? {}).map((k) => k.toLowerCase()));
  for (const [k, v] of Object.entries(headers)) if (!drop.has(k.toLowerCase())) out[k] = v;
  return out;
}
