// Log pattern mining for `/loki/api/v1/patterns`: a simplified Drain (He et al., "Drain: An Online Log Parsing
// Approach with Fixed Depth Tree", ICWS 2017). Each line is cut at single spaces into tokens; tokens that are obviously
// variable (numbers, durations and sizes, hex ids, UUIDs, IP addresses, timestamps) are masked as `<_>` first; lines
// are grouped by (level, token count, first token) and a line joins the most similar template of its group when at
// least half of its tokens equal the template's, the differing positions becoming `<_>`. Counts are bucketed by step.
// A template is a valid LogQL pattern: `{…} |> "<template>"` matches every line counted under it.

/** One mined pattern as `/patterns` returns it: samples are `[unix seconds of the step bucket, lines]`, oldest first. */
export interface MinedPattern {
  pattern: string;
  level?: string;
  samples: [number, number][];
}

export interface PatternMinerOptions {
  /** bucket width for samples, in nanoseconds (> 0) */
  stepNs: bigint;
  /** a line joins a template when at least this share of its tokens equal the template's (Drain's simTh) */
  similarity?: number;
  /** templates kept at most; a line that fits none once the cap is reached is counted in `unclustered` */
  maxPatterns?: number;
  /** tokens kept per line; the rest of a longer line becomes one trailing `<_>` */
  maxTokens?: number;
}

export const WILDCARD = '<_>';

interface Cluster {
  tokens: string[];
  level: string | undefined;
  /** step bucket index → lines */
  buckets: Map<bigint, number>;
  total: number;
}

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
/** durations, sizes and percentages: `200ms`, `1.5s`, `1h30m`, `10KiB`, `99%` */
const NUMBER_WITH_UNIT = /^[-+]?((\d+\.?\d*|\.\d+)(ns|us|µs|ms|s|m|h|d|w|y|b|kb|mb|gb|tb|kib|mib|gib|tib|k|m|g|%))+$/i;
const HEX = /^(0x)?[0-9a-f]*\d[0-9a-f]*$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}(:\d+)?$/;
const IPV6 = /^[0-9a-f]*:[0-9a-f:]*:[0-9a-f.:]*$/i;
/** RFC 3339 / ISO 8601 dates and times, clock times, and Apache's `17/May/2015:08:05:32` */
const TIMESTAMP = /^(\d{4}-\d{2}-\d{2}([T_ ]?\d{2}:\d{2}(:\d{2}([.,]\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?|\d{2}:\d{2}:\d{2}([.,]\d+)?|\d{1,2}\/[A-Za-z]{3}\/\d{4}(:\d{2}:\d{2}:\d{2})?)$/;
/** a long run of letters and digits with many digits: request ids, pod hashes, trace ids */
const ID = /^[A-Za-z0-9_-]*$/;
/** text the LogQL pattern syntax would read as a capture */
const CAPTURE_LIKE = /<[A-Za-z_][A-Za-z0-9_]*>/;
/** punctuation that wraps a value without being part of it: `"GET`, `(200)`, `[17/May/2015:08:05:32`, `+0000]` */
const OPENERS = '"\'([{<';
const CLOSERS = '"\')]}>,;.';

function isVariableValue(v: string): boolean {
  if (v.length === 0) return false;
  if (NUMBER.test(v) || NUMBER_WITH_UNIT.test(v) || UUID.test(v) || IPV4.test(v) || TIMESTAMP.test(v)) return true;
  if (v.length >= 8 && HEX.test(v)) return true;
  if (v.includes(':') && IPV6.test(v) && /\d/.test(v) && v.length >= 3) return true;
  if (v.length >= 6 && ID.test(v)) {
    let digits = 0;
    for (let i = 0; i < v.length; i++) if (v.charCodeAt(i) >= 48 && v.charCodeAt(i) <= 57) digits++;
    if (digits >= 4) return true;
  }
  return false;
}

/** The token with an obviously variable value replaced by `<_>`, keeping `key=` and wrapping punctuation. */
export function maskToken(token: string): string {
  if (token.length === 0) return token;
  if (CAPTURE_LIKE.test(token)) return WILDCARD;
  let start = 0;
  let end = token.length;
  while (start < end && OPENERS.includes(token[start]!)) start++;
  while (end > start && CLOSERS.includes(token[end - 1]!)) end--;
  const core = token.slice(start, end);
  const eq = core.indexOf('=');
  if (eq > 0) {
    // key=value: the key is kept, the value (maybe quoted) judged on its own
    let vs = eq + 1;
    while (vs < core.length && OPENERS.includes(core[vs]!)) vs++;
    const value = core.slice(vs);
    if (isVariableValue(value)) return token.slice(0, start) + core.slice(0, vs) + WILDCARD + token.slice(end);
    return token;
  }
  if (isVariableValue(core)) return token.slice(0, start) + WILDCARD + token.slice(end);
  return token;
}

/** A line's masked tokens; past `maxTokens` the remainder is one `<_>`. */
export function tokenize(line: string, maxTokens: number): string[] {
  const raw = line.split(' ');
  const out: string[] = [];
  const n = Math.min(raw.length, maxTokens);
  for (let i = 0; i < n; i++) out.push(maskToken(raw[i]!));
  if (raw.length > maxTokens) out.push(WILDCARD);
  return out;
}

/** Drain's similarity: the share of positions where the template holds exactly the line's token (wildcards do not count). */
function similarity(template: string[], tokens: string[]): number {
  let same = 0;
  for (let i = 0; i < tokens.length; i++) if (template[i] === tokens[i] && tokens[i] !== WILDCARD) same++;
  return same / tokens.length;
}

export class PatternMiner {
  private readonly groups = new Map<string, Cluster[]>();
  private count = 0;
  private readonly stepNs: bigint;
  private readonly threshold: number;
  private readonly maxPatterns: number;
  private readonly maxTokens: number;
  /** lines that fit no template after the cap on templates was reached */
  unclustered = 0;

  constructor(opts: PatternMinerOptions) {
    if (opts.stepNs <= 0n) throw new RangeError('step must be positive');
    this.stepNs = opts.stepNs;
    this.threshold = opts.similarity ?? 0.5;
    this.maxPatterns = opts.maxPatterns ?? 10_000;
    this.maxTokens = opts.maxTokens ?? 64;
  }

  /** Counts one line at `tsNs`; `level` (e.g. the row's detected_level) keeps patterns of different levels apart. */
  add(line: string, tsNs: bigint, level?: string): void {
    const tokens = tokenize(line, this.maxTokens);
    const first = tokens[0] === WILDCARD ? '' : tokens[0]!;
    const key = `${level ?? ''}\u0000${tokens.length}\u0000${first}`;
    let group = this.groups.get(key);
    if (!group) this.groups.set(key, (group = []));
    let best: Cluster | undefined;
    let bestScore = -1;
    for (const c of group) {
      const score = similarity(c.tokens, tokens);
      if (score > bestScore) {
        bestScore = score;
        best = c;
      }
    }
    let cluster: Cluster;
    if (best && bestScore >= this.threshold) {
      cluster = best;
      const t = cluster.tokens;
      for (let i = 0; i < t.length; i++) if (t[i] !== tokens[i]) t[i] = WILDCARD;
    } else if (this.count < this.maxPatterns) {
      cluster = { tokens, level, buckets: new Map(), total: 0 };
      group.push(cluster);
      this.count++;
    } else {
      this.unclustered++;
      return;
    }
    const bucket = tsNs / this.stepNs - (tsNs < 0n && tsNs % this.stepNs !== 0n ? 1n : 0n);
    cluster.buckets.set(bucket, (cluster.buckets.get(bucket) ?? 0) + 1);
    cluster.total++;
  }

  /** The patterns, most frequent first (ties by pattern text), samples oldest first. */
  result(): MinedPattern[] {
    // two templates of a group can generalize to the same text: they are one pattern
    const merged = new Map<string, { pattern: string; level: string | undefined; buckets: Map<bigint, number>; total: number }>();
    for (const group of this.groups.values()) {
      for (const c of group) {
        const pattern = c.tokens.join(' ');
        const key = `${c.level ?? ''}\u0000${pattern}`;
        const m = merged.get(key);
        if (!m) {
          merged.set(key, { pattern, level: c.level, buckets: new Map(c.buckets), total: c.total });
          continue;
        }
        for (const [b, n] of c.buckets) m.buckets.set(b, (m.buckets.get(b) ?? 0) + n);
        m.total += c.total;
      }
    }
    const all = [...merged.values()].sort((a, b) => b.total - a.total || (a.pattern < b.pattern ? -1 : a.pattern > b.pattern ? 1 : 0));
    return all.map((m) => {
      const samples: [number, number][] = [...m.buckets.entries()]
        .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
        .map(([b, n]) => [Number((b * this.stepNs) / 1_000_000n) / 1000, n]);
      const p: MinedPattern = { pattern: m.pattern, samples };
      if (m.level !== undefined) p.level = m.level;
      return p;
    });
  }
}

const LEVEL_FIELD = /(?:^|[\s{,])"?(?:level|lvl|severity|loglevel)"?\s*[=:]\s*"?([A-Za-z]+)/i;
const LEVEL_NAMES: Readonly<Record<string, string>> = {
  trace: 'trace', debug: 'debug', dbug: 'debug', info: 'info', information: 'info', notice: 'info',
  warn: 'warn', warning: 'warn', error: 'error', err: 'error', eror: 'error', fatal: 'fatal', critical: 'critical', crit: 'critical', panic: 'fatal',
};

/**
 * The level a line states in a `level=`/`lvl=`/`severity=` field (logfmt) or `"level":` key (JSON), normalized
 * (`warning` → `warn`, `err` → `error`); undefined when it states none or an unknown one.
 */
export function lineLevel(line: string): string | undefined {
  const m = LEVEL_FIELD.exec(line.length > 4096 ? line.slice(0, 4096) : line);
  return m ? LEVEL_NAMES[m[1]!.toLowerCase()] : undefined;
}
