// `logfmt`: parses `key=value key2="quoted value"` (the go-logfmt grammar: keys are runs of printable characters
// without `=` or `"`, values bare or double-quoted with JSON-style escapes) into string fields. Lenient where real
// logs are (bare values may contain `=`); a syntax error marks the event `LogfmtParserErr` and keeps the pairs before it.

import type { ConfigNode } from '../../config/config-node.ts';
import type { PipelineEvent } from '../event.ts';
import { consumeSource, describeOffset, markError, PARSER_KEYS, readParserIO, sourceText, type ParserIO } from '../parser-io.ts';
import { COMMON_PROCESSOR_KEYS, type Processor, type ProcessorType } from '../processor.ts';
import { unquoteEscapes } from '../quoted-string.ts';

export const LOGFMT_PARSER_ERROR = 'LogfmtParserErr';

/** Pairs of one line, reused across events: keys[i] = values[i], then an error (offset ≥ 0) if the scan stopped. */
interface Scan {
  keys: string[];
  values: string[];
  count: number;
  errorOffset: number;
  error: string;
}

/** Scans a logfmt line into `out`; standalone keys and empty values are kept only with `keepEmpty`. */
export function scanLogfmt(text: string, keepEmpty: boolean, out: Scan): void {
  out.count = 0;
  out.errorOffset = -1;
  const n = text.length;
  let pos = 0;
  while (pos < n) {
    // garbage between pairs: spaces and control characters
    while (pos < n && text.charCodeAt(pos) <= 0x20) pos++;
    if (pos >= n) break;
    const keyStart = pos;
    while (pos < n) {
      const c = text.charCodeAt(pos);
      if (c <= 0x20 || c === 0x3d || c === 0x22) break;
      pos++;
    }
    if (pos === keyStart) {
      out.errorOffset = pos;
      out.error = text.charCodeAt(pos) === 0x3d ? "unexpected '=' (a pair needs a key)" : "unexpected '\"' in a key";
      return;
    }
    const key = text.slice(keyStart, pos);
    if (pos < n && text.charCodeAt(pos) === 0x22) {
      out.errorOffset = pos;
      out.error = "unexpected '\"' in a key";
      return;
    }
    if (pos >= n || text.charCodeAt(pos) !== 0x3d) {
      if (keepEmpty) push(out, key, '');
      continue;
    }
    pos++; // '='
    if (pos < n && text.charCodeAt(pos) === 0x22) {
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
        if (c === 0x22) break;
        pos++;
      }
      if (pos >= n) {
        out.errorOffset = open;
        out.error = 'unterminated quoted value';
        return;
      }
      const raw = text.slice(open + 1, pos);
      pos++; // closing quote
      const value = escaped ? unquoteEscapes(raw) : raw;
      if (value === undefined) {
        out.errorOffset = open;
        out.error = 'invalid escape in quoted value';
        return;
      }
      if (pos < n && text.charCodeAt(pos) > 0x20) {
        out.errorOffset = pos;
        out.error = 'expected a space after the quoted value';
        return;
      }
      if (value !== '' || keepEmpty) push(out, key, value);
      continue;
    }
    const valueStart = pos;
    while (pos < n && text.charCodeAt(pos) > 0x20) pos++;
    if (pos > valueStart) push(out, key, text.slice(valueStart, pos));
    else if (keepEmpty) push(out, key, '');
  }
}

function push(out: Scan, key: string, value: string): void {
  out.keys[out.count] = key;
  out.values[out.count] = value;
  out.count++;
}

export function newScan(): Scan {
  return { keys: [], values: [], count: 0, errorOffset: -1, error: '' };
}

class LogfmtParser implements Processor {
  private readonly scan = newScan();
  constructor(private readonly io: ParserIO, private readonly keepEmpty: boolean) {}

  process(events: PipelineEvent[]): PipelineEvent[] {
    const scan = this.scan;
    const prefix = this.io.prefix;
    for (let i = 0; i < events.length; i++) {
      const ev = events[i];
      const text = sourceText(ev, this.io);
      if (text === undefined) continue;
      scanLogfmt(text, this.keepEmpty, scan);
      if (scan.errorOffset >= 0) markError(ev, LOGFMT_PARSER_ERROR, `${scan.error} ${describeOffset(text, scan.errorOffset)}`);
      else consumeSource(ev, this.io);
      const fields = ev.fields;
      for (let k = 0; k < scan.count; k++) fields[prefix + scan.keys[k]] = scan.values[k];
    }
    return events;
  }
}

export const logfmtProcessor: ProcessorType = {
  type: 'logfmt',
  description: 'parse key=value pairs in logfmt syntax into fields',
  build(node: ConfigNode): Processor {
    node.onlyKeys([...COMMON_PROCESSOR_KEYS, ...PARSER_KEYS, 'keep_empty']);
    return new LogfmtParser(readParserIO(node), node.get('keep_empty').boolean(false));
  },
};
