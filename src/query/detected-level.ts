// `detected_level`, as Loki 3 adds it with `discover_log_levels` (limits_config): a row's level from a level-like
// label (stream label or structured metadata), else from a JSON or logfmt level field of the line, else from a level
// word in the line, else "unknown"; always one of trace, debug, info, warn, error, critical, fatal, unknown.
// Sightline computes it at query time, for queries that name `detected_level` (see usesDetectedLevel).

export const DETECTED_LEVEL = 'detected_level';

/** Loki's documented level field names (case-sensitive), plus OpenTelemetry's severity_text. */
const LEVEL_FIELDS = ['level', 'LEVEL', 'Level', 'severity', 'Severity', 'SEVERITY', 'lvl', 'LVL', 'Lvl', 'severity_text'];

const LEVELS: Record<string, string> = {
  trace: 'trace', trc: 'trace',
  debug: 'debug', dbg: 'debug',
  info: 'info', inf: 'info', information: 'info', informational: 'info', notice: 'info',
  warn: 'warn', warning: 'warn', wrn: 'warn',
  error: 'error', err: 'error', eror: 'error',
  critical: 'critical', crit: 'critical',
  fatal: 'fatal', panic: 'fatal', emerg: 'fatal', emergency: 'fatal', alert: 'fatal',
};

/** A level value normalized to Loki's set; undefined if it names no level. */
export function normalizeLevel(value: string): string | undefined {
  return LEVELS[value.trim().toLowerCase()];
}

const FIELD_ALT = LEVEL_FIELDS.join('|');
// one scan of the line per structure; the names are literals, so these regexes are linear
const JSON_FIELD = new RegExp(`"(?:${FIELD_ALT})"\\s*:\\s*"([^"\\\\]{1,32})"`);
const LOGFMT_FIELD = new RegExp(`(?:^|[\\s,])(?:${FIELD_ALT})=("?)([A-Za-z]{1,32})\\1(?=[\\s,]|$)`);
// a level word standing alone (`ERROR`, `[warn]`, `level:info`), the first one in the line decides
const LEVEL_WORD = /(?:^|[^A-Za-z0-9_])(trace|debug|dbg|info|warn|warning|error|err|critical|fatal|panic)(?![A-Za-z0-9_])/i;

/** The row's detected level (labels: stream labels and structured metadata, and whatever stages set so far). */
export function detectLevel(labels: ReadonlyMap<string, string>, line: string): string {
  for (const name of LEVEL_FIELDS) {
    const v = labels.get(name);
    if (v !== undefined) {
      const level = normalizeLevel(v);
      if (level) return level;
    }
  }
  const first = line.trimStart()[0];
  if (first === '{') {
    const m = JSON_FIELD.exec(line);
    const level = m ? normalizeLevel(m[1]) : undefined;
    if (level) return level;
  } else {
    const m = LOGFMT_FIELD.exec(line);
    const level = m ? normalizeLevel(m[2]) : undefined;
    if (level) return level;
  }
  const w = LEVEL_WORD.exec(line);
  return w ? normalizeLevel(w[1])! : 'unknown';
}

/** Whether a query names `detected_level` (in a filter, a grouping, drop/keep or a template): then it is computed. */
export function usesDetectedLevel(query: string): boolean {
  return query.includes(DETECTED_LEVEL);
}

/** Sets `detected_level` on a row that does not carry one already (a pushed one, as Loki stores it, wins). */
export function addDetectedLevel(labels: Map<string, string>, line: string): void {
  if (!labels.has(DETECTED_LEVEL)) labels.set(DETECTED_LEVEL, detectLevel(labels, line));
}

/** Marks every log query inside a parsed expression (any depth) to compute `detected_level`. */
export function markDetectLevel(node: unknown): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const n of node) markDetectLevel(n);
    return;
  }
  const o = node as Record<string, unknown>;
  if (o.kind === 'log' && Array.isArray(o.selector) && Array.isArray(o.stages)) {
    o.detectLevel = true;
    return;
  }
  for (const k in o) markDetectLevel(o[k]);
}
