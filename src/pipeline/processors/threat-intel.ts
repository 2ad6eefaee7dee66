// `threat_intel` processor: tags events whose fields (or, optionally, line) hold a known indicator of compromise:
// an IP in a listed address or CIDR network, a host in a listed domain or one of its subdomains, a listed URL, a listed
// MD5/SHA-1/SHA-256. Lists are text, CSV or STIX 2.1 bundles, from files (re-read when they change) or http(s) URLs
// (re-fetched every reload_interval). A match sets `threat.matched`, `.indicator`, `.type`, `.list`, `.field`, `.value`
// (and, for STIX indicators, `.name`, `.labels`, `.confidence`, `.stix_id`).

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ConfigNode } from '../../config/config-node.ts';
import type { PipelineEvent } from '../event.ts';
import { FileReloader } from '../file-reloader.ts';
import { IndicatorIndex, type IndicatorMatch } from '../indicator-index.ts';
import { parseIp } from '../ip-address.ts';
import { COMMON_PROCESSOR_KEYS, type Processor, type ProcessorContext, type ProcessorEnv, type ProcessorType } from '../processor.ts';
import { LIST_FORMATS, LIST_TYPES, normalizeUrl, parseIocList, type IocList, type IocMeta, type ListSpec } from './threat-intel-feeds/ioc-list.ts';
import { safeUrl, UrlFeed } from './threat-intel-feeds/url-feed.ts';

const LIST_KEYS = ['name', 'file', 'url', 'type', 'format', 'column', 'on_invalid', 'headers', 'headers_env', 'max_bytes', 'timeout', 'cache_file'];
const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

/** Reads one indicator list file (text, CSV or STIX); a bad entry fails with its place unless `on_invalid: skip`. */
export function loadIocFile(path: string, spec: ListSpec): IocList {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseIocList(text, path, spec);
}

/** A list's source: a file or a URL, polled from `process` (no timers of its own). */
interface ListSource {
  spec: ListSpec;
  readonly version: number;
  readonly value: IocList;
  poll(ctx: ProcessorContext): void;
  idle(): Promise<void>;
  close(): void;
}

function fileSource(path: string, intervalMs: number, spec: ListSpec): ListSource {
  const r = new FileReloader(path, intervalMs, (p) => loadIocFile(p, spec));
  return {
    spec,
    get version() {
      return r.version;
    },
    get value() {
      return r.value;
    },
    poll(ctx) {
      const problem = r.refresh(ctx.nowMs);
      if (problem !== undefined) ctx.warn(`threat_intel: ${problem}`);
    },
    idle: async () => {},
    close() {},
  };
}

function urlSource(opts: { url: string; headers: Record<string, string>; intervalMs: number; timeoutMs: number; maxBytes: number; cacheFile?: string }, spec: ListSpec): ListSource {
  const where = safeUrl(opts.url);
  const feed = new UrlFeed<IocList>({ ...opts, name: spec.name, parse: (text) => parseIocList(text, where, spec), empty: { entries: [], skipped: 0, notes: [], format: 'text' } });
  return {
    spec,
    get version() {
      return feed.version;
    },
    get value() {
      return feed.value;
    },
    poll(ctx) {
      feed.refresh(ctx.nowMs);
      for (const m of feed.takeMessages()) ctx.warn(m);
    },
    idle: () => feed.idle(),
    close: () => feed.close(),
  };
}

interface UrlHit {
  indicator: string;
  lists: string;
}

/** The indicators valid now, indexed; `until` is when the valid set next changes (a valid_from or valid_until). */
interface Built {
  index: IndicatorIndex;
  urls: Map<string, UrlHit>;
  meta: Map<string, IocMeta>;
  until: number;
}

function build(sources: readonly ListSource[], nowMs: number): Built {
  const index = new IndicatorIndex();
  const urls = new Map<string, UrlHit>();
  const meta = new Map<string, IocMeta>();
  let until = Infinity;
  for (const s of sources) {
    const list = s.spec.name;
    for (const e of s.value.entries) {
      if (e.validFromMs !== undefined && e.validFromMs > nowMs) {
        until = Math.min(until, e.validFromMs);
        continue;
      }
      if (e.validUntilMs !== undefined) {
        if (e.validUntilMs <= nowMs) continue;
        until = Math.min(until, e.validUntilMs);
      }
      if (e.kind === 'url') {
        const hit = urls.get(e.value);
        if (hit === undefined) urls.set(e.value, { indicator: e.value, lists: list });
        else if (!hit.lists.split(',').includes(list)) hit.lists += `,${list}`;
      } else index.add({ type: e.kind, text: e.value }, list);
      if (e.meta !== undefined) {
        // several STIX indicators for one value: the most confident one describes it
        const key = `${e.kind}\u0000${e.value}`;
        const had = meta.get(key);
        if (had === undefined || (e.meta.confidence ?? -1) > (had.confidence ?? -1)) meta.set(key, e.meta);
      }
    }
  }
  return { index, urls, meta, until };
}

function isTokenChar(c: number): boolean {
  return (c >= 48 && c <= 58) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 46 || c === 45 || c === 95;
}

function isSchemeChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 43 || c === 45 || c === 46;
}

/** URLs in free text: from a scheme before `://` to the next space, quote or angle bracket. */
function matchLineUrl(urls: Map<string, UrlHit>, line: string): { hit: UrlHit; value: string } | null {
  let at = line.indexOf('://');
  while (at !== -1) {
    let s = at;
    while (s > 0 && isSchemeChar(line.charCodeAt(s - 1))) s--;
    let e = at + 3;
    while (e < line.length && !' \t"\'<>`'.includes(line[e]!)) e++;
    if (s < at) {
      const raw = line.slice(s, e).replace(/[.,;)\]]+$/, '');
      const u = normalizeUrl(raw);
      const hit = u === null ? undefined : urls.get(u);
      if (hit !== undefined) return { hit, value: raw };
    }
    at = line.indexOf('://', e);
  }
  return null;
}

/** Looks for indicators in free text: tokens of letters, digits, `.`, `-`, `_` and `:` (addresses with ports, IPv6). */
function matchLine(index: IndicatorIndex, line: string): { match: IndicatorMatch; value: string } | null {
  const n = line.length;
  let i = 0;
  while (i < n) {
    while (i < n && !isTokenChar(line.charCodeAt(i))) i++;
    const s = i;
    while (i < n && isTokenChar(line.charCodeAt(i))) i++;
    let e = i;
    while (e > s && (line.charCodeAt(e - 1) === 46 || line.charCodeAt(e - 1) === 58 || line.charCodeAt(e - 1) === 45)) e--;
    if (e - s < 4) continue;
    const token = line.slice(s, e);
    let m: IndicatorMatch | null = null;
    const ip = index.hasIps ? parseIp(token) : null;
    if (ip !== null) m = index.matchIp(ip);
    else if (index.hasHashes && (e - s === 32 || e - s === 40 || e - s === 64)) m = index.matchHash(token);
    if (m === null && ip === null && index.hasDomains && token.includes('.')) {
      const colon = token.indexOf(':');
      m = index.matchDomain(colon === -1 ? token : token.slice(0, colon));
    }
    if (m !== null) return { match: m, value: token };
  }
  return null;
}

/** The processor, with `idle()` for tests and callers that wait for URL lists being fetched. */
export interface ThreatIntelProcessor extends Processor {
  idle(): Promise<void>;
}

function stringMap(node: ConfigNode, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!node.exists) return out;
  const v = node.value;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) node.fail(`expected a map of ${what}`);
  for (const k of Object.keys(v as object)) out[k] = node.get(k).string();
  return out;
}

export const threatIntelProcessor: ProcessorType = {
  type: 'threat_intel',
  description: 'tags events whose IPs, domains, URLs or file hashes appear in indicator-of-compromise lists (text, CSV, STIX 2.1; files or URLs)',
  build(node: ConfigNode, env: ProcessorEnv): ThreatIntelProcessor {
    node.onlyKeys([...COMMON_PROCESSOR_KEYS, 'lists', 'fields', 'line', 'target', 'reload_interval']);
    const fields = node.get('fields').stringList([]);
    const scanLine = node.get('line').boolean(false);
    if (fields.length === 0 && !scanLine) node.fail('expected fields to check (fields: [client_ip, …]) or line: true');
    const target = node.get('target').string('threat');
    const interval = node.get('reload_interval').durationMs(300_000);
    const names = {
      matched: `${target}.matched`,
      indicator: `${target}.indicator`,
      type: `${target}.type`,
      list: `${target}.list`,
      field: `${target}.field`,
      value: `${target}.value`,
      name: `${target}.name`,
      labels: `${target}.labels`,
      confidence: `${target}.confidence`,
      stixId: `${target}.stix_id`,
    };
    const listsNode = node.get('lists');
    if (!listsNode.exists) node.fail('lists: is required (expected a list of { name, file } or { name, url } entries)');
    const sources: ListSource[] = [];
    const seen = new Set<string>();
    const cacheFiles = new Set<string>();
    const closeAll = () => {
      for (const s of sources) s.close();
    };
    // a config error in a later entry must not leave the URL lists already started registered
    try {
      for (const item of listsNode.items()) {
        item.onlyKeys(LIST_KEYS);
        const fileNode: ConfigNode = item.get('file');
        const urlNode: ConfigNode = item.get('url');
        if (fileNode.exists === urlNode.exists) item.fail('expected either file: or url: (one of them)');
        const path = fileNode.exists ? resolve(env.configDir, fileNode.string()) : undefined;
        const url = urlNode.exists ? urlNode.string() : undefined;
        let defaultName = '';
        if (path !== undefined) defaultName = path.split(/[\\/]/).pop()!.replace(/\.[^.]*$/, '');
        else {
          let u: URL | undefined;
          try {
            u = new URL(url!);
          } catch {
            // refused below
          }
          if (u === undefined || (u.protocol !== 'http:' && u.protocol !== 'https:')) urlNode.fail(`expected an http:// or https:// URL, got ${JSON.stringify(url)}`);
          defaultName = u!.hostname;
        }
        const name = item.get('name').string(defaultName);
        if (seen.has(name)) item.get('name').fail(`duplicate list name ${JSON.stringify(name)}`);
        seen.add(name);
        const spec: ListSpec = {
          name,
          type: item.get('type').oneOf(LIST_TYPES, 'auto'),
          format: item.get('format').oneOf(LIST_FORMATS, 'auto'),
          column: item.get('column').optionalString(),
          skipInvalid: item.get('on_invalid').oneOf(['error', 'skip'] as const, 'error') === 'skip',
        };
        if (spec.format === 'csv' && spec.column === undefined) item.get('format').fail('format csv needs a column (the header name holding the indicators)');
        if (spec.format === 'stix' && spec.column !== undefined) item.get('column').fail('a STIX bundle has no columns');
        if (path !== undefined) {
          for (const k of ['headers', 'headers_env', 'max_bytes', 'timeout', 'cache_file']) if (item.get(k).exists) item.get(k).fail(`${k} applies to url: lists only`);
          try {
            sources.push(fileSource(path, interval, spec));
          } catch (e) {
            fileNode.fail((e as Error).message);
          }
          continue;
        }
        const headers = stringMap(item.get('headers'), 'header names to values');
        const fromEnv = stringMap(item.get('headers_env'), 'header names to environment variable names');
        for (const [h, envName] of Object.entries(fromEnv)) {
          const v = process.env[envName];
          if (v === undefined || v === '') {
            item.get('headers_env').get(h).fail(`environment variable ${envName} is not set (it holds the ${h} header)`);
          }
          headers[h] = v!;
        }
        const maxBytes = item.get('max_bytes').integer(DEFAULT_MAX_BYTES, 1, 1024 * 1024 * 1024);
        const timeoutMs = item.get('timeout').durationMs(30_000);
        const cacheNode = item.get('cache_file');
        const cacheFile = cacheNode.exists ? resolve(env.configDir, cacheNode.string()) : undefined;
        if (cacheFile !== undefined && cacheFiles.has(cacheFile)) cacheNode.fail(`cache file ${cacheFile} is already another list's`);
        if (cacheFile !== undefined) cacheFiles.add(cacheFile);
        sources.push(urlSource({ url: url!, headers, intervalMs: interval, timeoutMs, maxBytes, cacheFile }, spec));
      }
    } catch (e) {
      closeAll();
      throw e;
    }

    let built = build(sources, Date.now());
    let versions = '';
    let builtAt = -Infinity;

    return {
      process(events: PipelineEvent[], ctx: ProcessorContext): PipelineEvent[] {
        for (const s of sources) s.poll(ctx);
        const now = sources.map((s) => s.version).join(',');
        if (now !== versions || ctx.nowMs >= built.until || ctx.nowMs < builtAt) {
          if (now !== versions) {
            for (const s of sources) {
              const v = s.value;
              if (v.skipped > 0) ctx.warn(`threat_intel: list ${s.spec.name}: ${v.skipped} entries not used: ${v.notes.slice(0, 5).join('; ')}${v.skipped > 5 ? '; …' : ''}`);
            }
          }
          versions = now;
          builtAt = ctx.nowMs;
          built = build(sources, ctx.nowMs);
        }
        const { index, urls, meta } = built;
        const hasUrls = urls.size > 0;
        for (let i = 0; i < events.length; i++) {
          const ev = events[i]!;
          let match: UrlHit | null = null;
          let kind = '';
          let where = '';
          let value = '';
          for (let f = 0; f < fields.length && match === null; f++) {
            const v = ev.fields[fields[f]!];
            if (typeof v !== 'string') continue;
            if (hasUrls && v.includes('://')) {
              const u = normalizeUrl(v);
              const hit = u === null ? undefined : urls.get(u);
              if (hit !== undefined) {
                match = hit;
                kind = 'url';
              }
            }
            if (match === null) {
              const m = index.matchValue(v);
              if (m !== null) {
                match = m;
                kind = m.type;
              }
            }
            if (match !== null) {
              where = fields[f]!;
              value = v;
            }
          }
          if (match === null && scanLine) {
            const u = hasUrls ? matchLineUrl(urls, ev.line) : null;
            const m = u === null ? matchLine(index, ev.line) : null;
            if (u !== null) {
              match = u.hit;
              kind = 'url';
              value = u.value;
            } else if (m !== null) {
              match = m.match;
              kind = m.match.type;
              value = m.value;
            }
            if (match !== null) where = 'line';
          }
          if (match === null) continue;
          const out = ev.fields;
          out[names.matched] = true;
          out[names.indicator] = match.indicator;
          out[names.type] = kind;
          out[names.list] = match.lists;
          out[names.field] = where;
          out[names.value] = value;
          if (meta.size > 0) {
            const m = meta.get(`${kind}\u0000${match.indicator}`);
            if (m !== undefined) {
              out[names.stixId] = m.stixId;
              if (m.name !== undefined) out[names.name] = m.name;
              if (m.labels !== undefined) out[names.labels] = m.labels.join(',');
              if (m.confidence !== undefined) out[names.confidence] = m.confidence;
            }
          }
        }
        return events;
      },
      idle: async () => {
        for (const s of sources) await s.idle();
      },
      close: closeAll,
    };
  },
};
