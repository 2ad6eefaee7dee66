// The LogQL query families measured at scale (`sightline bench --query-families`), each beside an independent
// reference: plain TypeScript over the corpus lines (substring tests, JS regexes, JSON.parse, a small logfmt reader, a
// pattern matcher written from Loki's documentation) that computes what a correct answer holds. No Sightline code.

import type { CorpusManifest } from './corpus.ts';

export type Labels = Record<string, string>;

/** What a log query answered (or should): enough to tell a wrong selection from a right one. */
export interface LogAnswer {
  kind: 'log';
  count: number;
  /** oldest returned entry, µs */
  oldestUs: number;
  /** Σ (timestamp in µs mod 1,000,003) over the returned entries */
  tsDigest: number;
  /** Σ UTF-8 bytes of the returned lines */
  bytes: number;
  /** reference only: the limit cut between entries with equal timestamps, so only count and oldest are compared */
  tieAtLimit?: boolean;
  /** reference only: how many lines match in all (the answer holds the newest `limit` of them) */
  matching?: number;
}

/** A metric query's samples: canonical label text (`@step` index for range queries) → value. */
export interface SeriesAnswer {
  kind: 'series';
  series: Record<string, number>;
}

export type Answer = LogAnswer | SeriesAnswer;

/** Feeds one corpus line at a time; `wants` is asked once per stream. */
export interface Accumulator {
  wants(labels: Labels): boolean;
  observe(tsUs: number, line: string, labels: Labels, meta: Labels | undefined): void;
  answer(): Answer;
}

export interface QueryFamily {
  /** key in the results */
  name: string;
  /** the query family as issue 3 lists it */
  family: string;
  kind: 'log' | 'instant' | 'range';
  query: string;
  /** log queries: `limit`, direction backward */
  limit?: number;
  reference(): Accumulator;
}

/**
 * Evaluation times, chosen so no corpus line (all on whole microseconds) sits on a window edge: instant queries at
 * T = (lastTs + 1 ms) + 1 ns; the range query from firstTs + 1 ns to T, step 1 h. Windows are (t − range, t].
 */
export interface FamilyTimes {
  /** T in µs, rounded down (T_ns = endUs·1000 + 1) */
  endUs: number;
  instantNs: string;
  rangeStartUs: number;
  rangeStartNs: string;
  stepS: number;
  /** log queries: [firstTs − 1 s, lastTs + 1 s) */
  logStartNs: string;
  logEndNs: string;
}

export function familyTimes(m: CorpusManifest): FamilyTimes {
  const firstUs = Number(m.firstTs.slice(0, -3));
  const lastUs = Number(m.lastTs.slice(0, -3));
  const endUs = lastUs + 1000;
  return {
    endUs,
    instantNs: `${endUs}001`,
    rangeStartUs: firstUs,
    rangeStartNs: `${firstUs}001`,
    stepS: 3600,
    logStartNs: `${firstUs - 1_000_000}000`,
    logEndNs: `${lastUs + 1_000_000}000`,
  };
}

/** Canonical text of a label set: `a="x",b="y"` sorted by name. */
export function labelKey(labels: Labels): string {
  return Object.keys(labels).sort().map((k) => `${k}=${JSON.stringify(labels[k])}`).join(',');
}

const DIGEST_MOD = 1_000_003;

/** Keeps the newest `limit + 1` matches (a min-heap on time) to answer "newest N, backward". */
class NewestLines {
  private ts: number[] = [];
  private size: number[] = [];
  matching = 0;
  constructor(private readonly limit: number) {}

  add(tsUs: number, bytes: number): void {
    this.matching++;
    const cap = this.limit + 1;
    if (this.ts.length < cap) {
      this.ts.push(tsUs);
      this.size.push(bytes);
      this.up(this.ts.length - 1);
    } else if (tsUs > this.ts[0]) {
      this.ts[0] = tsUs;
      this.size[0] = bytes;
      this.down(0);
    }
  }

  private swap(a: number, b: number): void {
    [this.ts[a], this.ts[b]] = [this.ts[b], this.ts[a]];
    [this.size[a], this.size[b]] = [this.size[b], this.size[a]];
  }

  private up(i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.ts[p] <= this.ts[i]) return;
      this.swap(p, i);
      i = p;
    }
  }

  private down(i: number): void {
    const n = this.ts.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.ts[l] < this.ts[m]) m = l;
      if (r < n && this.ts[r] < this.ts[m]) m = r;
      if (m === i) return;
      this.swap(m, i);
      i = m;
    }
  }

  answer(): LogAnswer {
    const order = this.ts.map((_, i) => i).sort((a, b) => this.ts[b] - this.ts[a]);
    const kept = order.slice(0, this.limit);
    let tsDigest = 0;
    let bytes = 0;
    for (const i of kept) {
      tsDigest += this.ts[i] % DIGEST_MOD;
      bytes += this.size[i];
    }
    const tieAtLimit = order.length > this.limit && this.ts[order[this.limit - 1]] === this.ts[order[this.limit]];
    return { kind: 'log', count: kept.length, oldestUs: kept.length > 0 ? this.ts[kept[kept.length - 1]] : 0, tsDigest, bytes, tieAtLimit, matching: this.matching };
  }
}

/** Log query reference: stream selection, then `keep` returns the output line (or undefined to drop the line). */
function logReference(limit: number, wants: (l: Labels) => boolean, keep: (line: string, labels: Labels) => string | undefined): () => Accumulator {
  return () => {
    const newest = new NewestLines(limit);
    return {
      wants,
      observe(tsUs, line, labels) {
        const out = keep(line, labels);
        if (out !== undefined) newest.add(tsUs, Buffer.byteLength(out));
      },
      answer: () => newest.answer(),
    };
  };
}

/** Instant metric reference: lines in (T − range, T] that pass `value` (a sample, or undefined) grouped by `key`. */
function windowReference(
  endUs: number, rangeUs: number, wants: (l: Labels) => boolean,
  sample: (line: string, labels: Labels) => { key: string; value: number } | undefined,
  finish: (groups: Map<string, number[]>) => Record<string, number>,
): () => Accumulator {
  return () => {
    const groups = new Map<string, number[]>();
    return {
      wants,
      observe(tsUs, line, labels) {
        if (tsUs > endUs || tsUs <= endUs - rangeUs) return;
        const s = sample(line, labels);
        if (s === undefined) return;
        const g = groups.get(s.key);
        if (g === undefined) groups.set(s.key, [s.value]);
        else g.push(s.value);
      },
      answer: () => ({ kind: 'series', series: finish(groups) }),
    };
  };
}

const counts = (groups: Map<string, number[]>): Record<string, number> => Object.fromEntries([...groups].map(([k, v]) => [k, v.length]));

/** Prometheus' quantile (rank = φ·(n − 1), linear interpolation), which quantile_over_time uses. */
export function quantile(phi: number, values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const rank = phi * (s.length - 1);
  const lo = Math.max(0, Math.floor(rank));
  const hi = Math.min(s.length - 1, lo + 1);
  const w = rank - Math.floor(rank);
  return s[lo] * (1 - w) + s[hi] * w;
}

/** Go's strconv.ParseFloat on decimal text (what `unwrap` applies to a label value); undefined when it fails. */
function parseGoFloat(text: string): number | undefined {
  return /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text) ? Number(text) : undefined;
}

/** A JSON line's top-level fields as LogQL `| json` labels would hold them (string values as is, numbers as text). */
function jsonField(line: string, name: string): { error: boolean; value?: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(line);
  } catch {
    return { error: true };
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return { error: true };
  const v = (doc as Record<string, unknown>)[name];
  if (typeof v === 'string') return { error: false, value: v };
  if (typeof v === 'number' || typeof v === 'boolean') return { error: false, value: String(v) };
  return { error: false };
}

/**
 * logfmt as go-logfmt reads it: `key=value`, `key="quoted \" value"`, bare `key`; pairs separated by spaces.
 * Returns the fields, or undefined for a malformed line (an unterminated quote, `=` without a key).
 */
export function parseLogfmt(line: string): Map<string, string> | undefined {
  const out = new Map<string, string>();
  const n = line.length;
  let i = 0;
  while (i < n) {
    while (i < n && line.charCodeAt(i) <= 0x20) i++;
    if (i >= n) break;
    const keyStart = i;
    while (i < n && line[i] !== '=' && line.charCodeAt(i) > 0x20) {
      if (line[i] === '"') return undefined;
      i++;
    }
    const key = line.slice(keyStart, i);
    if (key === '') return undefined;
    let value = '';
    if (line[i] === '=') {
      i++;
      if (line[i] === '"') {
        i++;
        let v = '';
        let closed = false;
        while (i < n) {
          const c = line[i];
          if (c === '\\' && i + 1 < n) {
            const e = line[i + 1];
            v += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e;
            i += 2;
          } else if (c === '"') {
            closed = true;
            i++;
            break;
          } else {
            v += c;
            i++;
          }
        }
        if (!closed) return undefined;
        value = v;
      } else {
        const start = i;
        while (i < n && line.charCodeAt(i) > 0x20) {
          if (line[i] === '"' || line[i] === '=') return undefined;
          i++;
        }
        value = line.slice(start, i);
      }
    }
    if (!out.has(key)) out.set(key, value);
  }
  return out;
}

/**
 * A Loki `pattern` expression (`<name>` captures, `<_>` unnamed, literals between) matched as Loki's docs describe:
 * a capture runs to the first occurrence of the literal after it, the last capture to the end of the line.
 */
export function compilePattern(expr: string): (line: string) => Map<string, string> | undefined {
  const parts: { literal?: string; capture?: string }[] = [];
  const re = /<([A-Za-z_][A-Za-z0-9_]*)>/g;
  let at = 0;
  for (let m = re.exec(expr); m !== null; m = re.exec(expr)) {
    if (m.index > at) parts.push({ literal: expr.slice(at, m.index) });
    parts.push({ capture: m[1] });
    at = m.index + m[0].length;
  }
  if (at < expr.length) parts.push({ literal: expr.slice(at) });
  return (line) => {
    const out = new Map<string, string>();
    let pos = 0;
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (p.literal !== undefined) {
        if (!line.startsWith(p.literal, pos)) return undefined;
        pos += p.literal.length;
        continue;
      }
      const next = parts[i + 1];
      let value: string;
      if (next === undefined) {
        value = line.slice(pos);
        pos = line.length;
      } else {
        const idx = line.indexOf(next.literal as string, pos);
        if (idx < 0) return undefined;
        value = line.slice(pos, idx);
        pos = idx + (next.literal as string).length;
        i++;
      }
      if (p.capture !== '_') out.set(p.capture as string, value);
    }
    return out;
  };
}

export interface FamilyContext {
  manifest: CorpusManifest;
  /** a user id seen in the corpus (its lines carry it in the text) */
  userProbe: string;
}

const HOUR_US = 3600e6;

/** The families, their LogQL and their references, for one corpus. */
export function buildFamilies(ctx: FamilyContext): QueryFamily[] {
  const m = ctx.manifest;
  const t = familyTimes(m);
  const T = t.endUs;
  const svc = (name: string) => (l: Labels) => l.service === name;
  const nginx = compilePattern('<ip> - - [<_>] "<method> <path> <_>" <status> <_>');
  const wpScan = /\/wp-(login|admin)[^ ]* HTTP/;
  const needleRe = new RegExp(m.needle.replace(/\d/, '[0-9]'));
  const needleRegex = m.needle.replace(/\d/, '[0-9]');

  const families: QueryFamily[] = [
    {
      name: 'label_matcher', family: 'label matcher only, newest 100', kind: 'log', limit: 100,
      query: '{service="inventory"}',
      reference: logReference(100, svc('inventory'), (line) => line),
    },
    {
      name: 'regex_matcher', family: 'regex matchers, newest 100', kind: 'log', limit: 100,
      query: '{service=~"auth|payment", level=~"warn|error"}',
      reference: logReference(100, (l) => (l.service === 'auth' || l.service === 'payment') && (l.level === 'warn' || l.level === 'error'), (line) => line),
    },
    {
      name: 'line_contains', family: 'line filter |= (rare phrase)', kind: 'log', limit: 1000,
      query: '{service="payment"} |= "circuit breaker opened"',
      reference: logReference(1000, svc('payment'), (line) => (line.includes('circuit breaker opened') ? line : undefined)),
    },
    {
      name: 'line_not_contains', family: 'line filter != (chained)', kind: 'log', limit: 1000,
      query: '{service="payment", level="error"} != "webhook" != "provider timeout"',
      reference: logReference(1000, (l) => l.service === 'payment' && l.level === 'error', (line) => (!line.includes('webhook') && !line.includes('provider timeout') ? line : undefined)),
    },
    {
      name: 'line_regex', family: 'line filter |~ (regex)', kind: 'log', limit: 5000,
      query: '{service="api-gateway"} |~ "/wp-(login|admin)[^ ]* HTTP"',
      reference: logReference(5000, svc('api-gateway'), (line) => (wpScan.test(line) ? line : undefined)),
    },
    {
      name: 'line_or', family: 'line filter |= … or …', kind: 'log', limit: 5000,
      query: '{namespace="shop"} |= "circuit breaker opened" or "insufficient stock"',
      reference: logReference(5000, (l) => l.namespace === 'shop', (line) => (line.includes('circuit breaker opened') || line.includes('insufficient stock') ? line : undefined)),
    },
    {
      name: 'json_filter', family: '| json + label filter', kind: 'log', limit: 5000,
      query: '{service="payment"} | json | decline_code="fraudulent"',
      reference: logReference(5000, svc('payment'), (line) => (jsonField(line, 'decline_code').value === 'fraudulent' ? line : undefined)),
    },
    {
      name: 'logfmt_filter', family: '| logfmt + numeric label filter', kind: 'log', limit: 5000,
      query: '{service="inventory"} | logfmt | __error__="" | duration_ms > 1000 and duration_ms <= 1250',
      reference: logReference(5000, svc('inventory'), (line) => {
        const f = parseLogfmt(line);
        const v = f?.get('duration_ms');
        if (v === undefined) return undefined;
        const n = parseGoFloat(v);
        return n !== undefined && n > 1000 && n <= 1250 ? line : undefined;
      }),
    },
    {
      name: 'pattern', family: '| pattern + label filters', kind: 'log', limit: 5000,
      query: '{service="api-gateway"} | pattern `<ip> - - [<_>] "<method> <path> <_>" <status> <_>` | status="504" | method="POST"',
      reference: logReference(5000, svc('api-gateway'), (line) => {
        const f = nginx(line);
        return f !== undefined && f.get('status') === '504' && f.get('method') === 'POST' ? line : undefined;
      }),
    },
    {
      name: 'line_format', family: '| line_format, then a filter on the new line', kind: 'log', limit: 1000,
      query: '{service="order", level="warn"} | line_format "{{.pod}} {{.level | ToUpper}} {{__line__}}" |= "SKU-1"',
      reference: logReference(1000, (l) => l.service === 'order' && l.level === 'warn', (line, l) => {
        const out = `${l.pod} ${l.level.toUpperCase()} ${line}`;
        return out.includes('SKU-1') ? out : undefined;
      }),
    },
    {
      name: 'needle_regex_all', family: '{} |~ needle (all streams, regex)', kind: 'log', limit: 1000,
      query: `{} |~ "${needleRegex}"`,
      reference: logReference(1000, () => true, (line) => (needleRe.test(line) ? line : undefined)),
    },
    {
      name: 'user_all', family: '{} |= user id (all streams)', kind: 'log', limit: 1000,
      query: `{} |= "${ctx.userProbe}"`,
      reference: logReference(1000, () => true, (line) => (line.includes(ctx.userProbe) ? line : undefined)),
    },
    {
      name: 'count_by_pod', family: 'count_over_time, sum by label', kind: 'instant',
      query: 'sum by (pod) (count_over_time({service="order"}[24h]))',
      reference: windowReference(T, 24 * HOUR_US, svc('order'), (_line, l) => ({ key: labelKey({ pod: l.pod }), value: 1 }), counts),
    },
    {
      name: 'rate_sum_by', family: 'rate with a line filter, sum by', kind: 'instant',
      query: 'sum by (service) (rate({namespace="shop"} |= "timeout" [10m]))',
      reference: windowReference(T, 600e6, (l) => l.namespace === 'shop', (line, l) => (line.includes('timeout') ? { key: labelKey({ service: l.service }), value: 1 } : undefined),
        (g) => Object.fromEntries([...g].map(([k, v]) => [k, v.length / 600]))),
    },
    {
      name: 'topk', family: 'topk of a sum by', kind: 'instant',
      query: 'topk(5, sum by (pod) (count_over_time({level="error"}[24h])))',
      reference: windowReference(T, 24 * HOUR_US, (l) => l.level === 'error', (_line, l) => ({ key: labelKey({ pod: l.pod }), value: 1 }),
        (g) => Object.fromEntries(Object.entries(counts(g)).sort((a, b) => b[1] - a[1]).slice(0, 5))),
    },
    {
      name: 'quantile_unwrap', family: 'quantile_over_time with | json | unwrap', kind: 'instant',
      query: 'quantile_over_time(0.99, {service="payment"} | json | __error__="" | unwrap duration_ms | __error__="" [1h]) by (pod)',
      reference: windowReference(T, HOUR_US, svc('payment'), (line, l) => {
        const f = jsonField(line, 'duration_ms');
        if (f.error || f.value === undefined || f.value === '') return undefined;
        const v = parseGoFloat(f.value);
        return v === undefined ? undefined : { key: labelKey({ pod: l.pod }), value: v };
      }, (g) => Object.fromEntries([...g].map(([k, v]) => [k, quantile(0.99, v)]))),
    },
    {
      name: 'binary_ratio', family: 'binary operation between two metric queries', kind: 'instant',
      query: 'sum(count_over_time({service="api-gateway"} |= "upstream timed out" [6h])) / sum(count_over_time({service="api-gateway"}[6h]))',
      reference: windowReference(T, 6 * HOUR_US, svc('api-gateway'), (line) => ({ key: line.includes('upstream timed out') ? 'hit' : 'miss', value: 1 }), (g): Record<string, number> => {
        const hit = g.get('hit')?.length ?? 0;
        const all = hit + (g.get('miss')?.length ?? 0);
        return hit === 0 ? {} : { '': hit / all };
      }),
    },
    {
      name: 'absent_over_time', family: 'absent_over_time', kind: 'instant',
      query: `absent_over_time({service="payment"} |= "${m.needle}" [1h])`,
      reference: windowReference(T, HOUR_US, svc('payment'), (line) => (line.includes(m.needle) ? { key: 'present', value: 1 } : undefined),
        (g) => (g.has('present') ? {} : { [labelKey({ service: 'payment' })]: 1 })),
    },
    {
      name: 'instant_by_level', family: 'instant query (count by level, last hour)', kind: 'instant',
      query: 'sum by (level) (count_over_time({service="order"}[1h]))',
      reference: windowReference(T, HOUR_US, svc('order'), (_line, l) => ({ key: labelKey({ level: l.level }), value: 1 }), counts),
    },
    {
      name: 'range_by_level', family: 'the same as a range query (24 steps of 1 h)', kind: 'range',
      query: 'sum by (level) (count_over_time({service="order"}[1h]))',
      reference: () => {
        // window k is (S + (k−1)·step, S + k·step] with S = rangeStart·1000 + 1 ns and k = 0 … K
        const stepNs = t.stepS * 1e9;
        const lastK = Math.floor(((T - t.rangeStartUs) * 1000) / stepNs);
        const series: Record<string, number> = {};
        return {
          wants: svc('order'),
          observe(tsUs, _line, l) {
            const k = Math.ceil(((tsUs - t.rangeStartUs) * 1000 - 1) / stepNs);
            if (k < 0 || k > lastK) return;
            const key = `${labelKey({ level: l.level })}@${k}`;
            series[key] = (series[key] ?? 0) + 1;
          },
          answer: () => ({ kind: 'series', series }),
        };
      },
    },
  ];
  return families;
}
