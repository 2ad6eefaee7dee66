// The values expressions compute (string, number, boolean, null) and how they compare: numerically when both
// sides read as numbers (a number, or a string such as "200" or "1.5e3"), otherwise as text. A missing label or
// field is null; null equals only null and is neither less nor greater than anything.

import type { FieldValue } from '../event.ts';

export type Value = FieldValue;

const NUMERIC = /^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$/;

/** The number a value reads as, or undefined (booleans and null are not numbers). */
export function asNumber(v: Value): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.length < 64 && NUMERIC.test(v)) return Number(v);
  return undefined;
}

/** Text form: strings as they are, numbers and booleans printed, null stays null. */
export function asText(v: Value): string | null {
  if (v === null) return null;
  return typeof v === 'string' ? v : String(v);
}

/**
 * Equality. Two strings compare as text ("1.0" != "1"); a number against a number or a numeric string compares
 * numerically (200 == "200"); a boolean against a string compares with "true"/"false".
 */
export function valuesEqual(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  const ta = typeof a;
  const tb = typeof b;
  if (ta === 'number' || tb === 'number') {
    const na = asNumber(a);
    const nb = asNumber(b);
    return na !== undefined && nb !== undefined && na === nb;
  }
  if (ta === 'boolean' && tb === 'string') return String(a) === b;
  if (tb === 'boolean' && ta === 'string') return String(b) === a;
  return false;
}

/** Ordering: numeric when both sides read as numbers, text order when both are strings, otherwise undefined. */
export function compareValues(a: Value, b: Value): number | undefined {
  if (a === null || b === null) return undefined;
  const na = asNumber(a);
  const nb = asNumber(b);
  if (na !== undefined && nb !== undefined) return na < nb ? -1 : na > nb ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return undefined;
}

/** Whether a condition's value counts as true: everything except null, false, 0, "" and "false". */
export function truthy(v: Value): boolean {
  if (v === null || v === false || v === 0 || v === '' || v === 'false') return false;
  return !(typeof v === 'number' && Number.isNaN(v));
}
