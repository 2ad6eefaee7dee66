// `kv`: extracts key=value pairs from free text with configurable delimiters and quote characters (in the spirit of
// Logstash's kv filter and Vector's parse_key_value): words without the value delimiter are skipped, quoted values may
// hold delimiters. An unterminated quote marks the event `KVParserErr` and keeps the pairs before it.

import type { ConfigNode } from '../../config/config-node.ts';
import type { PipelineEvent } from '../event.ts';
import { consumeSource, describeOffset, markError, PARSER_KEYS, readParserIO, sourceText, type ParserIO } from '../parser-io.ts';
import { COMMON_PROCESSOR_KEYS, type Processor, type ProcessorType } from '../processor.ts';
import { unquoteEscapes } from '../quoted-string.ts';

export const KV_PARSER_ERROR = 'KVParserErr';

interface KvConfig {
  io: ParserIO;
  /** undefined: any run of whitespace separates pairs */
  fieldDelimiter: string | undefined;
  valueDelimiter: string;
  /** char codes that open (and close) a quoted value or key */
  quotes: Set<number>;
  trimKey: Set<number>;
  trimValue: Set<number>;
  keepEmpty: boolean;
}

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function trimSet(s: string, set: Set<number>): string {
  if (set.size === 0 || s.length === 0) return s;
  let a = 0;
  let b = s.length;
  while (a < b && set.has(s.charCodeAt(a))) a++;
  while (b > a && set.has(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

class KvParser implements Processor {
  private readonly keys: string[] = [];
  private readonly values: string[] = [];
  constructor(private readonly cfg: KvConfig) {}

  /** True when a field delimiter starts at pos. */
  private atFieldDelimiter(text: string, pos: number): boolean {
    const fd = this.cfg.fieldDelimiter;
    if (fd === undefined) return isWs(text.charCodeAt(pos));
    return fd.length === 1 ? text.charCodeAt(pos) === fd.charCodeAt(0) : text.startsWith(fd, pos);
  }

  /** Returns the pair count, or -(offset + 1) of an unterminated quote (pairs before it are in keys/values). */
  private scan(text: string): { count: number; errorOffset: number } {
    const cfg = this.cfg;
    const vd = cfg.valueDelimiter;
    const vd0 = vd.charCodeAt(0);
    const fdLen = cfg.fieldDelimiter === undefined ? 1 : cfg.fieldDelimiter.length;
    const n = text.length;
    let count = 0;
    let pos = 0;
    while (pos < n) {
      while (pos < n && this.atFieldDelimiter(text, pos)) pos += fdLen;
      if (pos >= n) break;
      // the key: up to the value delimiter, or the word is free text and skipped
      const keyStart = pos;
      let keyEnd = -1;
      while (pos < n) {
        const c = text.charCodeAt(pos);
        if (c === vd0 && (vd.length === 1 || text.startsWith(vd, pos))) {
          keyEnd = pos;
          break;
        }
        if (this.atFieldDelimiter(text, pos)) break;
        pos++;
      }
      if (keyEnd < 0) continue;
      let key = text.slice(keyStart, keyEnd).trim();
      // with a non-space field delimiter, words before the key are free text: `acquire lock=1` has key `lock`
      for (let i = key.length - 1; i >= 0; i--) {
        if (isWs(key.charCodeAt(i))) {
          key = key.slice(i + 1);
          break;
        }
      }
      if (key.length >= 2 && cfg.quotes.has(key.charCodeAt(0)) && key.charCodeAt(key.length - 1) === key.charCodeAt(0)) key = key.slice(1, -1);
      key = trimSet(key, cfg.trimKey);
      pos = keyEnd + vd.length;
      if (cfg.fieldDelimiter !== undefined) while (pos < n && (text.charCodeAt(pos) === 0x20 || text.charCodeAt(pos) === 0x09)) pos++;
      let value: string;
      const q = text.charCodeAt(pos);
      if (pos < n && cfg.quotes.has(q)) {
        const open = pos;
        pos++;
        let escaped = false;
        while (pos < n) {
          const c = text.charCodeAt(pos);
          if (c === 0x5c) {
            escaped = true;
            pos += 2;
            continue;
          }
          if (c === q) break;
          pos++;
        }
        if (pos >= n) return { count, errorOffset: open };
        const raw = text.slice(open + 1, pos);
        value = escaped ? unquoteEscapes(raw) ?? raw : raw;
        pos++;
        // anything glued to the closing quote (`"x",`) up to the next delimiter is dropped
        while (pos < n && !this.atFieldDelimiter(text, pos)) pos++;
      } else {
        const valueStart = pos;
        while (pos < n && !this.atFieldDelimiter(text, pos)) pos++;
        value = text.slice(valueStart, pos);
        if (cfg.fieldDelimiter !== undefined) value = value.trim();
        value = trimSet(value, cfg.trimValue);
      }
      if (key === '' || (value === '' && !cfg.keepEmpty)) continue;
      this.keys[count] = key;
      this.values[count] = value;
      count++;
    }
    return { count, errorOffset: -1 };
  }

  process(events: PipelineEvent[]): PipelineEvent[] {
    const prefix = this.cfg.io.prefix;
    for (let i = 0; i < events.length; i++) {
      const ev = events[i];
      const text = sourceText(ev, this.cfg.io);
      if (text === undefined) continue;
      const { count, errorOffset } = this.scan(text);
      if (errorOffset >= 0) markError(ev, KV_PARSER_ERROR, `unterminated quoted value ${describeOffset(text, errorOffset)}`);
      else consumeSource(ev, this.cfg.io);
      for (let k = 0; k < count; k++) ev.fields[prefix + this.keys[k]] = this.values[k];
    }
    return events;
  }
}

function charSet(s: string): Set<number> {
  const set = new Set<number>();
  for (let i = 0; i < s.length; i++) set.add(s.charCodeAt(i));
  return set;
}

export const kvProcessor: ProcessorType = {
  type: 'kv',
  description: 'extract key=value pairs from free text (configurable delimiters and quotes)',
  build(node: ConfigNode): Processor {
    node.onlyKeys([...COMMON_PROCESSOR_KEYS, ...PARSER_KEYS, 'field_delimiter', 'value_delimiter', 'quotes', 'trim_key', 'trim_value', 'keep_empty']);
    const fd = node.get('field_delimiter').string(' ');
    if (fd === '') node.get('field_delimiter').fail('expected a non-empty delimiter');
    const vd = node.get('value_delimiter').string('=');
    if (vd === '') node.get('value_delimiter').fail('expected a non-empty delimiter');
    if (fd.trim() !== '' && (fd.includes(vd) || vd.includes(fd))) node.get('value_delimiter').fail(`expected a delimiter different from field_delimiter ${JSON.stringify(fd)}`);
    return new KvParser({
      io: readParserIO(node),
      fieldDelimiter: fd.trim() === '' ? undefined : fd,
      valueDelimiter: vd,
      quotes: charSet(node.get('quotes').string('"\'')),
      trimKey: charSet(node.get('trim_key').string('')),
      trimValue: charSet(node.get('trim_value').string('')),
      keepEmpty: node.get('keep_empty').boolean(false),
    });
  },
};
