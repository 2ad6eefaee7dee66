// Runtime values of the Go text/template subset: Go's dynamic types mapped onto JS ones (string; int64 as bigint;
// float64 as number; bool; nil as null; time.Time; the label map as dot). Printing follows fmt's %v.
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

export type TValue = string | bigint | number | boolean | null | TimeValue | LabelMap;

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
  return (v as LabelMap).size > 0;
}

/** A template execution failure; the formatting stage turns it into `__error__="TemplateFormatErr"`. */
export class TemplateExecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateExecError';
  }
}
