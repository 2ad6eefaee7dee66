// Writing a document's nested fields as structured metadata, bounded: label-safe names, the first spelling of a
// name wins, and caps on fields, value length and total size (what is dropped or cut is counted, not hidden).
// Shared by the adapters that flatten whole documents (Elasticsearch bulk, Fluent Forward).

import type { Metadata } from '../model/record.ts';

export interface MetadataLimits {
  maxFields: number;
  maxValueChars: number;
  maxTotalChars: number;
}

export interface FlattenState {
  out: Metadata;
  fields: number;
  chars: number;
  dropped: number;
  truncated: number;
}

export function newFlattenState(): FlattenState {
  return { out: {}, fields: 0, chars: 0, dropped: 0, truncated: 0 };
}

export function putField(st: FlattenState, limits: MetadataLimits, name: string, value: string): void {
  if (Object.hasOwn(st.out, name)) return; // first spelling wins (`a.b` vs {"a":{"b":…}})
  const kept = Math.min(value.length, limits.maxValueChars);
  if (st.fields >= limits.maxFields || st.chars + name.length + kept > limits.maxTotalChars) {
    st.dropped++;
    return;
  }
  if (kept < value.length) {
    value = value.slice(0, kept);
    st.truncated++;
  }
  st.out[name] = value;
  st.fields++;
  st.chars += name.length + kept;
}

const SAFE_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Label-name syntax ([a-zA-Z_][a-zA-Z0-9_]*): other characters become `_`, a leading digit gets a `_` prefix. */
export function sanitizeName(key: string, leading: boolean): string {
  if (SAFE_NAME.test(key)) return key;
  let out = key.replace(/[^a-zA-Z0-9_]/g, '_');
  if (out === '') return '_';
  if (leading && out.charCodeAt(0) >= 48 && out.charCodeAt(0) <= 57) out = '_' + out;
  return out;
}
