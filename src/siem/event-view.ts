// What a detection rule sees of one record: its line, stream labels, structured metadata and the fields a logsource's
// LogQL pipeline parsed out of it. Field look-ups go metadata → labels → parsed fields (docs/siem.md, "Fields").
// One view is reused for every entry of a stream (the engine resets it), so matching allocates nothing per rule.

import type { Labels, Metadata } from '../model/record.ts';

export interface EventView {
  /** unique per event (all views share the counter): keys per-event memos such as literal index scans */
  epoch: number;
  tsNs: bigint;
  line: string;
  labels: Labels;
  metadata: Metadata | undefined;
  /** fields a logsource pipeline extracted (LogQL parser stages), when it has one */
  parsed: Map<string, string> | undefined;
  /** the line lower-cased, computed on first use by case-insensitive keyword matchers */
  lowerLine: string | undefined;
  /** the last few field values lower-cased (raw, lower, raw, lower...): many rules test the same field */
  lowerCache: string[];
}

let epochs = 0;

export function newEventView(): EventView {
  return { epoch: ++epochs, tsNs: 0n, line: '', labels: {}, metadata: undefined, parsed: undefined, lowerLine: undefined, lowerCache: [] };
}

/** Resets a view for the next entry. */
export function resetView(view: EventView, tsNs: bigint, line: string, labels: Labels, metadata: Metadata | undefined): void {
  view.epoch = ++epochs;
  view.tsNs = tsNs;
  view.line = line;
  view.labels = labels;
  view.metadata = metadata;
  view.parsed = undefined;
  view.lowerLine = undefined;
  if (view.lowerCache.length !== 0) view.lowerCache.length = 0;
}

export function lowerLine(view: EventView): string {
  return (view.lowerLine ??= view.line.toLowerCase());
}

const LOWER_CACHE_VALUES = 8;

/** A field value lower-cased, remembered for the rest of this event (the same string is usually the same object). */
export function lowerValue(view: EventView, raw: string): string {
  const c = view.lowerCache;
  for (let i = 0; i < c.length; i += 2) if (c[i] === raw) return c[i + 1]!;
  const lower = raw.toLowerCase();
  if (c.length >= LOWER_CACHE_VALUES * 2) c.splice(0, 2);
  c.push(raw, lower);
  return lower;
}

/** One field name's value: structured metadata first, then stream labels, then parsed fields. */
export function lookupField(view: EventView, name: string): string | undefined {
  const m = view.metadata;
  // typeof checks, not `!== undefined`: plain objects answer `constructor`, `toString`... from their prototype
  if (m !== undefined) {
    const v = m[name];
    if (typeof v === 'string') return v;
  }
  const l = view.labels[name];
  if (typeof l === 'string') return l;
  return view.parsed?.get(name);
}

/** Reads a field by the first of several candidate names that is present. */
export type FieldGetter = (view: EventView) => string | undefined;

export function fieldGetter(candidates: readonly string[]): FieldGetter {
  if (candidates.length === 1) {
    const name = candidates[0]!;
    return (view) => lookupField(view, name);
  }
  return (view) => {
    for (let i = 0; i < candidates.length; i++) {
      const v = lookupField(view, candidates[i]!);
      if (v !== undefined) return v;
    }
    return undefined;
  };
}
