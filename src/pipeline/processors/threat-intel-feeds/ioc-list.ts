// One indicator list of the threat_intel processor, read from its text whatever the source (file or URL): plain
// lists (one indicator a line, `#` comments), CSV (one column) or STIX 2.1 bundles. Entries are normalized the way
// events are matched; a bad entry fails the load with its place (line, or STIX object index and id) unless skipped.

import { CsvError, parseCsv } from '../../csv-table.ts';
import { parseIndicator, type IndicatorType } from '../../indicator-index.ts';
import type { IocKind } from './stix-pattern.ts';
import { parseStixBundle } from './stix-bundle.ts';

export const LIST_TYPES = ['auto', 'ip', 'domain', 'hash', 'url'] as const;
export const LIST_FORMATS = ['auto', 'text', 'csv', 'stix'] as const;

export interface ListSpec {
  name: string;
  type: (typeof LIST_TYPES)[number];
  format: (typeof LIST_FORMATS)[number];
  column: string | undefined;
  skipInvalid: boolean;
}

/** What a STIX indicator adds to the tag of a record it matches. */
export interface IocMeta {
  stixId: string;
  name?: string;
  labels?: string[];
  confidence?: number;
}

export interface IocEntry {
  kind: IocKind;
  /** normalized: `203.0.113.0/24`, `evil.example`, lower-case hex, `https://evil.example/path?q` */
  value: string;
  meta?: IocMeta;
  /** STIX `valid_from` / `valid_until` (ms since the epoch): outside them the entry matches nothing */
  validFromMs?: number;
  validUntilMs?: number;
}

export interface IocList {
  entries: IocEntry[];
  /** entries left out (unsupported STIX patterns, revoked or other pattern types; bad entries with on_invalid: skip) */
  skipped: number;
  /** why, for the first few (`objects[3] (indicator--…): unsupported: AND of comparisons`) */
  notes: string[];
  format: 'text' | 'csv' | 'stix';
}

const MAX_NOTES = 20;

/** `scheme://host[:port]/path?query` with scheme and host lower-cased and default ports dropped (WHATWG URL); null if not a URL. */
export function normalizeUrl(text: string): string | null {
  let u: URL;
  try {
    u = new URL(text.trim());
  } catch {
    return null;
  }
  if (u.host === '') return null;
  return `${u.protocol}//${u.host}${u.pathname}${u.search}`;
}

/** One value of a given kind, normalized; null when it is not one. */
export function normalizeIoc(kind: IocKind, text: string): string | null {
  if (kind === 'url') return normalizeUrl(text);
  const ind = parseIndicator(text, kind);
  return ind === null ? null : ind.text;
}

function classify(text: string, only: IndicatorType | 'url' | undefined): IocEntry | null {
  if (only === 'url' || (only === undefined && text.includes('://'))) {
    const u = normalizeUrl(text);
    return u === null ? null : { kind: 'url', value: u };
  }
  const ind = parseIndicator(text, only);
  return ind === null ? null : { kind: ind.type, value: ind.text };
}

function parseLines(text: string, source: string, spec: ListSpec): { line: number; text: string }[] {
  const entries: { line: number; text: string }[] = [];
  if (spec.column !== undefined) {
    let rows;
    try {
      rows = parseCsv(text);
    } catch (e) {
      if (e instanceof CsvError) throw new Error(`${source}:${e.line}: ${e.message}`);
      throw e;
    }
    const header = rows[0]?.values.map((h) => h.trim()) ?? [];
    const col = header.indexOf(spec.column);
    if (col === -1) throw new Error(`${source}:1: no column ${JSON.stringify(spec.column)} in the header (columns: ${header.join(', ')})`);
    for (let r = 1; r < rows.length; r++) {
      const v = rows[r]!.values[col]?.trim() ?? '';
      if (v !== '' && !v.startsWith('#')) entries.push({ line: rows[r]!.line, text: v });
    }
    return entries;
  }
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let l = lines[i]!;
    // a `#` starts a comment, except in a URL's fragment (`https://x/#/a`)
    const hash = l.indexOf('#');
    if (hash !== -1 && !(l.includes('://') && hash > l.indexOf('://'))) l = l.slice(0, hash);
    l = l.trim();
    if (l !== '') entries.push({ line: i + 1, text: l });
  }
  return entries;
}

function wantsStix(text: string, source: string, spec: ListSpec): boolean {
  if (spec.format === 'stix') return true;
  if (spec.format !== 'auto' || spec.column !== undefined) return false;
  if (/\.json(\?|$)/i.test(source)) return true;
  const start = text.slice(0, 200).trimStart();
  return start.startsWith('{');
}

/** Reads one list's text; `source` (file path or URL) names it in errors. Throws with the place of the first bad entry. */
export function parseIocList(text: string, source: string, spec: ListSpec): IocList {
  if (wantsStix(text, source, spec)) {
    let r;
    try {
      r = parseStixBundle(text, spec.skipInvalid);
    } catch (e) {
      throw new Error(`${source}: ${(e as Error).message}`);
    }
    return { entries: r.entries, skipped: r.skipped.length, notes: r.skipped.slice(0, MAX_NOTES).map((s) => `${source}: ${s}`), format: 'stix' };
  }
  if (spec.format === 'csv' && spec.column === undefined) throw new Error(`${source}: format csv needs a column`);
  const only = spec.type === 'auto' ? undefined : spec.type;
  const out: IocEntry[] = [];
  const notes: string[] = [];
  let bad = 0;
  let firstBad = '';
  for (const e of parseLines(text, source, spec)) {
    const entry = classify(e.text, only);
    if (entry !== null) {
      out.push(entry);
      continue;
    }
    const why = `${source}:${e.line}: not ${only === undefined ? 'an IP address, CIDR network, domain, URL or MD5/SHA-1/SHA-256 hash' : `a valid ${only} indicator`}: ${JSON.stringify(e.text.slice(0, 100))}`;
    if (bad++ === 0) firstBad = why;
    if (notes.length < MAX_NOTES) notes.push(why);
  }
  if (bad > 0 && !spec.skipInvalid) throw new Error(bad === 1 ? firstBad : `${firstBad} (and ${bad - 1} more bad entries; on_invalid: skip ignores them)`);
  return { entries: out, skipped: bad, notes, format: spec.column !== undefined ? 'csv' : 'text' };
}
