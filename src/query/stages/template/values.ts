// Runtime values of the Go text/template subset: Go's dynamic types mapped onto JS ones (string; int64 as bigint;
// float64 as number; bool; nil as null; time.Time; the label map as dot; `fromJson`'s []interface{} as an array and
// map[string]interface{} as a JsonObject). Printing follows fmt's %v.
import { formatGoFloat } from '../go-number.ts';
import { formatGoTime } from './go-time.ts';

/** A Go time.Time: an instant plus the zone it is displayed in. */
export interface TimeValue {
  readonly kind: 'time';
  /** Nanoseconds since the Unix epoch. */
  readonly ns: bigint;
  /** Zone offset east of UTC, seconds, and its abbreviation (`UTC`, `CET`, or '' for a bare numeric offset). */
  readonly offsetSec: number;
  readonly zone: string;
}

export type LabelMap = ReadonlyMap<string, string>;

/** A decoded JSON object (Go's map[string]interface{}): a missing key reads as nil, unlike a label. */
export class JsonObject {
  constructor(readonly entries: ReadonlyMap<string, TValue>) {}
}

export type TValue = string | bigint | number | boolean | null | TimeValue | LabelMap | JsonObject | readonly TValue[];

export function isJsonArray(v: TValue): v is readonly TValue[] {
  return Array.isArray(v);
}

export function isJsonObject(v: TValue): v is JsonObject {
  return v instanceof JsonObject;
}

/** A JSON document as Go's encoding/json decodes it into interface{}: numbers are float64. */
export function fromJsonValue(v: unknown): TValue {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.map(fromJsonValue);
  const entries = new Map<string, TValue>();
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) entries.set(k, fromJsonValue(x));
  return new JsonObject(entries);
}

export function isTime(v: TValue): v is TimeValue {
  return typeof v === 'object' && v !== null && (v as TimeValue).kind === 'time';
}

export function isLabelMap(v: TValue): v is LabelMap {
  return v instanceof Map;
}

export function utcTime(ns: bigint): TimeValue {
  return { kind: 'time', ns, offsetSec: 0, zone: 'UTC' };
}

/** Go's name of the value's type, for error messages (`%!d(string=x)`, "expected string; got int"). */
export function goTypeName(v: TValue): string {
  switch (typeof v) {
    case 'string': return 'string';
    case 'bigint': return 'int';
    case 'number': return 'float64';
    case 'boolean': return 'bool';
  }
  if (v === null) return '<nil>';
  if (isJsonArray(v)) return '[]interface {}';
  if (isJsonObject(v)) return 'map[string]interface {}';
  return isTime(v) ? 'time.Time' : 'map[string]string';
}

/** fmt's %v. */
export function formatValue(v: TValue): string {
  switch (typeof v) {
    case 'string': return v;
    case 'bigint': return v.toString();
    case 'number': return formatGoFloat(v);
    case 'boolean': return v ? 'true' : 'false';
  }
  if (v === null) return '<nil>';
  if (isTime(v)) return formatGoTime(v, '2006-01-02 15:04:05.999999999 -0700 MST');
  if (isJsonArray(v)) return '[' + v.map(formatValue).join(' ') + ']';
  if (isJsonObject(v)) return 'map[' + [...v.entries.keys()].sort().map((k) => `${k}:${formatValue(v.entries.get(k)!)}`).join(' ') + ']';
  const keys = [...(v as LabelMap).keys()].sort();
  return 'map[' + keys.map((k) => `${k}:${(v as LabelMap).get(k)}`).join(' ') + ']';
}

/** What `{{ pipeline }}` writes: like %v, except that a nil value prints `<no value>` as text/template does. */
export function printValue(v: TValue): string {
  return v === null ? '<no value>' : formatValue(v);
}

/** text/template's truth: false, 0, nil and empty strings/maps are false; anything else (including a time) is true. */
export function isTrue(v: TValue): boolean {
  switch (typeof v) {
    case 'string': return v.length > 0;
    case 'bigint': return v !== 0n;
    case 'number': return v !== 0;
    case 'boolean': return v;
  }
  if (v === null) return false;
  if (isTime(v)) return true;
  if (isJsonArray(v)) return v.length > 0;
  if (isJsonObject(v)) return v.entries.size > 0;
  return (v as LabelMap).size > 0;
}

/** A template execution failure; the formatting stage turns it into `__error__="TemplateFormatErr"`. */
export class TemplateExecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateExecError';
  }
}
