// `convert`: converts fields to typed values: int, float, bool, string, duration (Go syntax `1h2m3.5s`, `250ms`,
// to seconds; duration_ms to milliseconds) and bytes (`10KB`, `1.5 MiB`, as go-humanize reads them, to a byte count).
// A value that does not convert is left as it was and marks the event `ConvertErr` (or not, with `on_error: keep`).

import type { ConfigNode } from '../../config/config-node.ts';
import type { FieldValue, PipelineEvent } from '../event.ts';
import { markError } from '../parser-io.ts';
import { COMMON_PROCESSOR_KEYS, type Processor, type ProcessorType } from '../processor.ts';

export const CONVERT_ERROR = 'ConvertErr';

const TYPES = ['int', 'float', 'bool', 'string', 'duration', 'duration_ms', 'bytes'] as const;
type TargetType = (typeof TYPES)[number];

const INT = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const TRUE = new Set(['true', 't', 'yes', 'y', 'on', '1']);
const FALSE = new Set(['false', 'f', 'no', 'n', 'off', '0']);

/** Go time.ParseDuration units, in seconds. */
const DURATION_UNITS: Record<string, number> = { ns: 1e-9, us: 1e-6, 'µs': 1e-6, 'μs': 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600, d: 86400 };
// µ (micro sign) and μ (Greek mu) escaped: one non-Latin-1 character in the agent bundle doubles its source's memory
const DURATION_PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h|d)/y;

/** Seconds of a Go-style duration (`1h30m`, `-1.5s`, `300ms`; a bare number is seconds), or undefined. */
export function parseDurationSeconds(text: string): number | undefined {
  const s = text.trim();
  if (FLOAT.test(s)) return Number(s);
  let pos = 0;
  let sign = 1;
  if (s[0] === '-' || s[0] === '+') {
    sign = s[0] === '-' ? -1 : 1;
    pos = 1;
  }
  if (pos >= s.length) return undefined;
  let total = 0;
  while (pos < s.length) {
    DURATION_PART.lastIndex = pos;
    const m = DURATION_PART.exec(s);
    if (!m) return undefined;
    total += Number(m[1]) * DURATION_UNITS[m[2]];
    pos = DURATION_PART.lastIndex;
  }
  return sign * total;
}

const BYTES = /^([+]?(?:\d+(?:\.\d*)?|\.\d+))\s*([kmgtpe]?)(i?)(b?)$/i;
const BYTE_POWERS: Record<string, number> = { '': 0, k: 1, m: 2, g: 3, t: 4, p: 5, e: 6 };

/** Byte count of `10KB` (1000s), `10KiB` (1024s), `1.5 M`, `512` (go-humanize ParseBytes rules), or undefined. */
export function parseBytes(text: string): number | undefined {
  const m = BYTES.exec(text.trim());
  if (!m) return undefined;
  const power = BYTE_POWERS[m[2].toLowerCase()];
  if (m[3] !== '' && power === 0) return undefined; // a lone `i`
  const base = m[3] !== '' ? 1024 : 1000;
  return Math.floor(Number(m[1]) * base ** power);
}

function convertValue(v: FieldValue, type: TargetType): FieldValue | undefined {
  if (type === 'string') return v === null ? null : String(v);
  if (v === null) return undefined;
  if (typeof v === 'number') {
    if (type === 'int') return Number.isInteger(v) ? v : undefined;
    if (type === 'float' || type === 'bytes' || type === 'duration') return v;
    if (type === 'duration_ms') return v * 1000;
    return v === 1 ? true : v === 0 ? false : undefined;
  }
  if (typeof v === 'boolean') {
    if (type === 'bool') return v;
    if (type === 'int' || type === 'float') return v ? 1 : 0;
    return undefined;
  }
  const s = v.trim();
  switch (type) {
    case 'int':
      return INT.test(s) ? Number(s) : undefined;
    case 'float':
      return FLOAT.test(s) ? Number(s) : undefined;
    case 'bool': {
      const lower = s.toLowerCase();
      return TRUE.has(lower) ? true : FALSE.has(lower) ? false : undefined;
    }
    case 'duration':
      return parseDurationSeconds(s);
    case 'duration_ms': {
      const secs = parseDurationSeconds(s);
      return secs === undefined ? undefined : secs * 1000;
    }
    case 'bytes':
      return parseBytes(s);
  }
}

class Converter implements Processor {
  constructor(private readonly names: string[], private readonly types: TargetType[], private readonly markErrors: boolean) {}

  process(events: PipelineEvent[]): PipelineEvent[] {
    for (let i = 0; i < events.length; i++) {
      const fields = events[i].fields;
      for (let f = 0; f < this.names.length; f++) {
        const name = this.names[f];
        const v = fields[name];
        if (v === undefined) continue;
        const converted = convertValue(v, this.types[f]);
        if (converted !== undefined) fields[name] = converted;
        else if (this.markErrors) markError(events[i], CONVERT_ERROR, `field ${name}: cannot convert ${JSON.stringify(v)} to ${this.types[f]}`);
      }
    }
    return events;
  }
}

export const convertProcessor: ProcessorType = {
  type: 'convert',
  description: 'convert fields to int, float, bool, string, duration or bytes',
  build(node: ConfigNode): Processor {
    node.onlyKeys([...COMMON_PROCESSOR_KEYS, 'fields', 'on_error']);
    const fields = node.get('fields');
    if (!fields.exists) fields.fail('is required (expected a mapping of field name → type)');
    const entries = fields.entries();
    if (entries.length === 0) fields.fail('expected at least one field');
    return new Converter(
      entries.map(([name]) => name),
      entries.map(([, t]) => t.oneOf(TYPES)),
      node.get('on_error').oneOf(['mark', 'keep'] as const, 'mark') === 'mark',
    );
  },
};
