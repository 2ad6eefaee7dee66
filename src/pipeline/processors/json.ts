// `json`: parses the line (or a field) as a JSON object into fields. Nested objects are flattened into names joined
// with `_` (as LogQL's `| json` does, so every name stays a valid label/field identifier) down to `max_depth`;
// arrays and deeper objects are kept as JSON text. Invalid JSON or a non-object marks the event `JSONParserErr`.

import type { ConfigNode } from '../../config/config-node.ts';
import type { FieldValue, PipelineEvent } from '../event.ts';
import { jsonErrorOffset } from '../json-error-offset.ts';
import { consumeSource, describeOffset, markError, PARSER_KEYS, readParserIO, sourceText, type ParserIO } from '../parser-io.ts';
import { COMMON_PROCESSOR_KEYS, type Processor, type ProcessorType } from '../processor.ts';

export const JSON_PARSER_ERROR = 'JSONParserErr';

interface JsonConfig {
  io: ParserIO;
  flatten: boolean;
  separator: string;
  /** levels of objects turned into fields; deeper ones become JSON text */
  maxDepth: number;
}

/** Writes an object's members as fields: scalars as they are, arrays and objects past the depth as JSON text. */
function writeObject(obj: Record<string, unknown>, namePrefix: string, depth: number, cfg: JsonConfig, fields: Record<string, FieldValue>): void {
  for (const key in obj) {
    if (key === '__proto__') continue;
    const v = obj[key];
    const name = namePrefix + key;
    if (v === null || typeof v !== 'object') fields[name] = v as FieldValue;
    else if (!Array.isArray(v) && cfg.flatten && depth < cfg.maxDepth) writeObject(v as Record<string, unknown>, name + cfg.separator, depth + 1, cfg, fields);
    else fields[name] = JSON.stringify(v);
  }
}

function isEmpty(fields: Record<string, FieldValue>): boolean {
  for (const _ in fields) return false;
  return true;
}

/**
 * True when writing `obj` out would copy it member by member unchanged (scalars only, no `__proto__` member): the
 * parsed object then becomes the event's fields itself, saving a copy per event.
 */
function isFlat(obj: Record<string, unknown>): boolean {
  for (const key in obj) {
    const v = obj[key];
    if ((v !== null && typeof v === 'object') || key === '__proto__') return false;
  }
  return true;
}

function firstNonSpace(text: string): number {
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
    i++;
  }
  return i;
}

class JsonParser implements Processor {
  constructor(private readonly cfg: JsonConfig) {}

  process(events: PipelineEvent[]): PipelineEvent[] {
    const cfg = this.cfg;
    for (let i = 0; i < events.length; i++) {
      const ev = events[i];
      const text = sourceText(ev, cfg.io);
      if (text === undefined) continue;
      const start = firstNonSpace(text);
      if (text.charCodeAt(start) !== 0x7b) {
        markError(ev, JSON_PARSER_ERROR, `expected a JSON object ${describeOffset(text, start)}`);
        continue;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        const where = jsonErrorOffset(text);
        markError(ev, JSON_PARSER_ERROR, `invalid JSON: expected ${where.expected} ${describeOffset(text, where.offset)}`);
        continue;
      }
      consumeSource(ev, cfg.io);
      if (cfg.io.prefix === '' && isEmpty(ev.fields) && isFlat(parsed as Record<string, unknown>)) ev.fields = parsed as Record<string, FieldValue>;
      else writeObject(parsed as Record<string, unknown>, cfg.io.prefix, 1, cfg, ev.fields);
    }
    return events;
  }
}

export const jsonProcessor: ProcessorType = {
  type: 'json',
  description: 'parse the line or a field as a JSON object into fields (nested keys joined with _)',
  build(node: ConfigNode): Processor {
    node.onlyKeys([...COMMON_PROCESSOR_KEYS, ...PARSER_KEYS, 'flatten', 'separator', 'max_depth']);
    return new JsonParser({
      io: readParserIO(node),
      flatten: node.get('flatten').boolean(true),
      separator: node.get('separator').string('_'),
      maxDepth: node.get('max_depth').integer(10, 1, 100),
    });
  },
};
