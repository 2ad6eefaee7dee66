// `normalize`: renames fields, then coalesces the usual aliases into one canonical field each: a timestamp
// (`ts`, `timestamp`, `time`, `@t`, `@timestamp`… parsed by time-parse.ts into the event's time), a level (`level`,
// `lvl`, `severity`… mapped to trace/debug/info/warn/error/fatal, the names OTLP and syslog ingest use) and a message
// (`message`, `msg`, `@m`…). Works without configuration; every list and mapping can be changed.

import type { ConfigNode } from '../../config/config-node.ts';
import type { FieldValue, PipelineEvent } from '../event.ts';
import { copyFields, fieldsWithout } from '../field-removal.ts';
import { markError } from '../parser-io.ts';
import { COMMON_PROCESSOR_KEYS, type Processor, type ProcessorContext, type ProcessorType } from '../processor.ts';
import { compileTimeFormat, parseTimestamp, parseWithFormat, resolveTimeZone, TimeFormatError, type TimeFormat, type TimeZone } from '../time-parse.ts';

export const TIMESTAMP_PARSER_ERROR = 'TimestampParserErr';

export const DEFAULT_TIMESTAMP_FIELDS = ['timestamp', 'ts', 'time', '@timestamp', '@t', 'datetime', 'asctime'];
export const DEFAULT_LEVEL_FIELDS = ['level', 'lvl', 'severity', 'loglevel', 'log_level', 'levelname', '@l'];
export const DEFAULT_MESSAGE_FIELDS = ['message', 'msg', '@m', '@mt', 'log'];

/**
 * Level words (lowercased) → canonical level. The names and the syslog ones follow what ingest produces: OTLP's
 * short severity names (otlp-logs.ts) and OpenTelemetry's syslog mapping (syslog.ts: emerg → fatal; alert, crit →
 * error; notice → info), so one `level` filter finds the same severities whatever the source. Numbers: 0–7 are
 * syslog severities, 10–60 pino/bunyan levels (Python's numeric levels differ: map them with `values`).
 */
export const DEFAULT_LEVEL_VALUES: Readonly<Record<string, string>> = {
  trace: 'trace', trc: 'trace', trac: 'trace', finest: 'trace', finer: 'trace', verbose: 'trace', v: 'trace', t: 'trace',
  debug: 'debug', dbg: 'debug', debu: 'debug', d: 'debug', fine: 'debug', config: 'debug',
  info: 'info', inf: 'info', i: 'info', information: 'info', informational: 'info', notice: 'info', n: 'info',
  warn: 'warn', warning: 'warn', wrn: 'warn', w: 'warn',
  error: 'error', err: 'error', erro: 'error', eror: 'error', e: 'error', severe: 'error', crit: 'error', critical: 'error', alert: 'error',
  fatal: 'fatal', fata: 'fatal', ftl: 'fatal', f: 'fatal', emerg: 'fatal', emergency: 'fatal', panic: 'fatal', pani: 'fatal', dpanic: 'fatal', a: 'fatal',
  '0': 'fatal', '1': 'error', '2': 'error', '3': 'error', '4': 'warn', '5': 'info', '6': 'info', '7': 'debug',
  '10': 'trace', '20': 'debug', '30': 'info', '40': 'warn', '50': 'error', '60': 'fatal',
};

interface TimestampRule {
  from: string[];
  formats: TimeFormat[];
  /** also try automatic recognition after the formats */
  auto: boolean;
  zone: TimeZone;
  keep: boolean;
  /** a value that does not parse marks the event */
  markErrors: boolean;
}

interface CoalesceRule {
  from: string[];
  to: string;
  keep: boolean;
}

interface LevelRule extends CoalesceRule {
  values: Map<string, string>;
  /** level when no field has one; undefined = leave unset */
  fallback: string | undefined;
}

interface NormalizeConfig {
  rename: [string, string][];
  timestamp: TimestampRule | undefined;
  level: LevelRule | undefined;
  message: CoalesceRule | undefined;
  /** put the canonical message into the line */
  messageToLine: boolean;
}

class Normalizer implements Processor {
  /** raw level text → canonical, learned as values are seen (bounded) */
  private readonly levelCache = new Map<string, string>();
  /**
   * Removals wait until the event is done and the fields are then rebuilt once (field-removal.ts), when no name is
   * both removed by one rule and read or written by another; otherwise (renames, overlapping names) they are
   * `delete`d in place, in the order written, and the fields rebuilt after.
   */
  private readonly deferRemovals: boolean;
  private readonly removed: string[] = [];
  private removedCount = 0;
  /** the last timestamp text and what it parsed to, within one batch (one `nowMs`): a second's lines share it */
  private lastTimeText: string | undefined;
  private lastTimeNs: bigint | undefined;

  constructor(private readonly cfg: NormalizeConfig) {
    const seen = new Set<string>();
    let overlap = false;
    for (const names of [cfg.timestamp?.from, cfg.level && [...cfg.level.from, cfg.level.to], cfg.message && [...cfg.message.from, cfg.message.to]]) {
      if (names === undefined) continue;
      const own = new Set(names);
      for (const n of own) if (seen.has(n)) overlap = true;
      for (const n of own) seen.add(n);
    }
    this.deferRemovals = cfg.rename.length === 0 && !overlap;
  }

  process(events: PipelineEvent[], ctx: ProcessorContext): PipelineEvent[] {
    const cfg = this.cfg;
    this.lastTimeText = undefined;
    for (let i = 0; i < events.length; i++) {
      const ev = events[i];
      const fields = ev.fields;
      this.removedCount = 0;
      for (let r = 0; r < cfg.rename.length; r++) {
        const [from, to] = cfg.rename[r];
        const v = fields[from];
        if (v === undefined) continue;
        fields[to] = v;
        this.remove(fields, from);
      }
      if (cfg.timestamp !== undefined) this.timestamp(ev, cfg.timestamp, ctx.nowMs);
      if (cfg.level !== undefined) {
        const rule = cfg.level;
        const raw = this.takeFirst(fields, rule.from, rule.to, rule.keep);
        if (raw !== undefined) fields[rule.to] = this.canonicalLevel(raw, rule);
        else if (rule.fallback !== undefined && fields[rule.to] === undefined) fields[rule.to] = rule.fallback;
      }
      if (cfg.message !== undefined) {
        const rule = cfg.message;
        const msg = this.takeFirst(fields, rule.from, rule.to, rule.keep);
        if (msg !== undefined) {
          if (cfg.messageToLine) {
            ev.line = typeof msg === 'string' ? msg : String(msg);
            if (fields[rule.to] !== undefined) this.remove(fields, rule.to);
          } else fields[rule.to] = msg;
        }
      }
      if (this.removedCount > 0) ev.fields = this.deferRemovals ? fieldsWithout(fields, this.removed, this.removedCount) : copyFields(fields);
    }
    return events;
  }

  private remove(fields: Record<string, FieldValue>, name: string): void {
    if (this.deferRemovals) this.removed[this.removedCount] = name;
    else delete fields[name];
    this.removedCount++;
  }

  /** First alias present with a non-empty value; the others are removed unless `keep`. */
  private takeFirst(fields: Record<string, FieldValue>, from: string[], to: string, keep: boolean): FieldValue | undefined {
    let found: FieldValue | undefined;
    for (let i = 0; i < from.length; i++) {
      const name = from[i];
      const v = fields[name];
      if (v === undefined) continue;
      if (found === undefined && v !== null && v !== '') found = v;
      if (!keep && name !== to) this.remove(fields, name);
    }
    return found;
  }

  private timestamp(ev: PipelineEvent, rule: TimestampRule, nowMs: number): void {
    const fields = ev.fields;
    for (let i = 0; i < rule.from.length; i++) {
      const name = rule.from[i];
      const v = fields[name];
      if (v === undefined || v === null || v === '' || typeof v === 'boolean') continue;
      let ns: bigint | undefined;
      if (typeof v === 'string') {
        if (v === this.lastTimeText) ns = this.lastTimeNs;
        else {
          for (let f = 0; f < rule.formats.length && ns === undefined; f++) ns = parseWithFormat(v, rule.formats[f], rule.zone, nowMs);
          if (ns === undefined && rule.auto) ns = parseTimestamp(v, rule.zone, nowMs);
          this.lastTimeText = v;
          this.lastTimeNs = ns;
        }
      } else if (rule.auto) ns = parseTimestamp(v, rule.zone, nowMs);
      if (ns === undefined) {
        if (rule.markErrors) markError(ev, TIMESTAMP_PARSER_ERROR, `field ${name}: unrecognized timestamp ${JSON.stringify(String(v).slice(0, 64))}`);
        return;
      }
      ev.ts = ns;
      if (!rule.keep) this.remove(fields, name);
      return;
    }
  }

  private canonicalLevel(raw: FieldValue, rule: LevelRule): string {
    const text = typeof raw === 'string' ? raw : String(raw);
    const cached = this.levelCache.get(text);
    if (cached !== undefined) return cached;
    const lower = text.trim().toLowerCase();
    const level = rule.values.get(lower) ?? lower;
    if (this.levelCache.size >= 1000) this.levelCache.clear();
    this.levelCache.set(text, level);
    return level;
  }
}

/** A section may be `false` (off), absent (defaults) or a mapping. */
function section(node: ConfigNode): ConfigNode | false | undefined {
  if (!node.exists) return undefined;
  if (node.value === false) return false;
  if (!node.isMap) node.fail('expected a mapping, or false to turn this part off');
  return node;
}

function readTimestamp(node: ConfigNode): TimestampRule | undefined {
  const s = section(node);
  if (s === false) return undefined;
  const get = (k: string): ConfigNode => (s ? s.get(k) : node.get(k));
  s?.onlyKeys(['from', 'formats', 'zone', 'keep', 'on_error']);
  const zoneName = get('zone').string('UTC');
  const zone = resolveTimeZone(zoneName);
  if (!zone) return get('zone').fail(`unknown time zone ${JSON.stringify(zoneName)} (expected UTC, local, an offset like +09:00 or an IANA name like Europe/Paris)`);
  const formats: TimeFormat[] = [];
  let auto = true;
  const formatsNode = get('formats');
  if (formatsNode.exists) {
    auto = false;
    for (const item of formatsNode.isList ? formatsNode.items() : [formatsNode]) {
      const f = item.string();
      if (f === 'auto') {
        auto = true;
        continue;
      }
      try {
        formats.push(compileTimeFormat(f));
      } catch (e) {
        if (e instanceof TimeFormatError) item.fail(e.message);
        throw e;
      }
    }
  }
  return {
    from: get('from').stringList(DEFAULT_TIMESTAMP_FIELDS),
    formats,
    auto,
    zone,
    keep: get('keep').boolean(false),
    markErrors: get('on_error').oneOf(['mark', 'ignore'] as const, 'mark') === 'mark',
  };
}

function readCoalesce(node: ConfigNode, defaults: string[], extraKeys: string[]): { rule: CoalesceRule; node: ConfigNode | undefined } | undefined {
  const s = section(node);
  if (s === false) return undefined;
  s?.onlyKeys(['from', 'to', 'keep', ...extraKeys]);
  const get = (k: string): ConfigNode => (s ? s.get(k) : node.get(k));
  const to = get('to').string(defaults[0]);
  return { rule: { from: get('from').stringList(defaults), to, keep: get('keep').boolean(false) }, node: s || undefined };
}

export const normalizeProcessor: ProcessorType = {
  type: 'normalize',
  description: 'coalesce timestamp, level and message aliases into canonical fields; rename fields',
  build(node: ConfigNode): Processor {
    node.onlyKeys([...COMMON_PROCESSOR_KEYS, 'rename', 'timestamp', 'level', 'message', 'message_to_line']);
    const rename = Object.entries(node.get('rename').stringMap({}));
    const level = readCoalesce(node.get('level'), DEFAULT_LEVEL_FIELDS, ['values', 'default']);
    let levelRule: LevelRule | undefined;
    if (level !== undefined) {
      const values = new Map(Object.entries(DEFAULT_LEVEL_VALUES));
      if (level.node) for (const [k, v] of Object.entries(level.node.get('values').stringMap({}))) values.set(k.toLowerCase(), v);
      levelRule = { ...level.rule, values, fallback: level.node?.get('default').optionalString() };
    }
    const message = readCoalesce(node.get('message'), DEFAULT_MESSAGE_FIELDS, []);
    const messageToLine = node.get('message_to_line').boolean(false);
    if (messageToLine && message === undefined) node.get('message_to_line').fail('needs the message section (it is turned off)');
    return new Normalizer({
      rename,
      timestamp: readTimestamp(node.get('timestamp')),
      level: levelRule,
      message: message?.rule,
      messageToLine,
    });
  },
};
