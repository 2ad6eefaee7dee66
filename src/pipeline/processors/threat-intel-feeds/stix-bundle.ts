// STIX 2.1 bundles (OASIS STIX 2.1 §8 "bundle", §4.7 "indicator") read as indicator lists: the newest version of each
// indicator (§3.6: greatest `modified`), unless `revoked`, with `pattern_type: stix`; its pattern's values keep the
// indicator's id, `name`, `labels`, `confidence` and its `valid_from`/`valid_until`. Other objects are ignored.

import type { IocEntry, IocMeta } from './ioc-list.ts';
import { normalizeIoc } from './ioc-list.ts';
import { patternValues, StixPatternError } from './stix-pattern.ts';

export interface StixRead {
  entries: IocEntry[];
  /** `objects[i] (id): why` for indicators left out: unsupported patterns, other pattern types, revoked, bad (skip) */
  skipped: string[];
  indicators: number;
}

// §2.13 timestamp: RFC 3339, UTC (`Z`), optional fractional seconds
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

class ObjectError extends Error {}

function timestamp(o: Record<string, unknown>, key: string, required: boolean): number | undefined {
  const v = o[key];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string' || !TIMESTAMP.test(v) || Number.isNaN(Date.parse(v))) {
    throw new ObjectError(`${key}: expected an RFC 3339 UTC timestamp (2024-05-01T00:00:00Z), got ${v === undefined ? 'nothing' : JSON.stringify(v)}`);
  }
  return Date.parse(v);
}

function metaOf(o: Record<string, unknown>, id: string): IocMeta {
  const meta: IocMeta = { stixId: id };
  if (o.name !== undefined) {
    if (typeof o.name !== 'string') throw new ObjectError(`name: expected a string`);
    meta.name = o.name;
  }
  if (o.labels !== undefined) {
    if (!Array.isArray(o.labels) || !o.labels.every((l) => typeof l === 'string')) throw new ObjectError('labels: expected a list of strings');
    meta.labels = o.labels as string[];
  }
  if (o.confidence !== undefined) {
    // §3.9 confidence: an integer 0-100
    if (typeof o.confidence !== 'number' || !Number.isInteger(o.confidence) || o.confidence < 0 || o.confidence > 100) throw new ObjectError('confidence: expected an integer from 0 to 100');
    meta.confidence = o.confidence;
  }
  return meta;
}

/** The entries of one indicator object; throws ObjectError (bad object) or StixPatternError. */
function indicatorEntries(o: Record<string, unknown>, id: string): IocEntry[] {
  if (typeof o.pattern !== 'string') throw new ObjectError('pattern: expected a string');
  const validFromMs = timestamp(o, 'valid_from', true)!;
  const validUntilMs = timestamp(o, 'valid_until', false);
  // §4.7: valid_until must be later than valid_from
  if (validUntilMs !== undefined && validUntilMs <= validFromMs) throw new ObjectError('valid_until: must be later than valid_from');
  const meta = metaOf(o, id);
  const out: IocEntry[] = [];
  for (const v of patternValues(o.pattern)) {
    const value = normalizeIoc(v.kind, v.value);
    if (value === null) throw new ObjectError(`pattern: ${JSON.stringify(v.value)} is not a valid ${v.kind === 'ip' ? 'IP address or CIDR network' : v.kind}`);
    const e: IocEntry = { kind: v.kind, value, meta, validFromMs };
    if (validUntilMs !== undefined) e.validUntilMs = validUntilMs;
    out.push(e);
  }
  return out;
}

/**
 * Reads a bundle's text. Throws naming the problem and the object (`objects[3] (indicator--…): valid_from: …`) for
 * text that is not a bundle and for a malformed indicator (with `skipInvalid`, a malformed indicator is skipped).
 * Valid indicators this reader cannot index are skipped with the reason.
 */
export function parseStixBundle(text: string, skipInvalid: boolean): StixRead {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`not a STIX bundle: malformed JSON: ${(e as Error).message}`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc) || (doc as { type?: unknown }).type !== 'bundle') {
    throw new Error('not a STIX bundle: expected a JSON object with "type": "bundle"');
  }
  const objects = (doc as { objects?: unknown }).objects;
  if (objects === undefined) return { entries: [], skipped: [], indicators: 0 };
  if (!Array.isArray(objects)) throw new Error('objects: expected a list of STIX objects');
  // §3.6 versioning: the same id may appear several times; the greatest `modified` is the current version
  const newest = new Map<string, { index: number; modified: string }>();
  for (let i = 0; i < objects.length; i++) {
    const o = objects[i] as Record<string, unknown> | null;
    if (o === null || typeof o !== 'object' || Array.isArray(o) || typeof o.type !== 'string' || typeof o.id !== 'string') {
      throw new Error(`objects[${i}]: expected a STIX object with string "type" and "id"`);
    }
    if (o.type !== 'indicator') continue;
    const modified = typeof o.modified === 'string' ? o.modified : '';
    const seen = newest.get(o.id);
    // timestamps of one format compare as text; equal ones: the later object wins
    if (seen === undefined || modified >= seen.modified) newest.set(o.id, { index: i, modified });
  }
  const entries: IocEntry[] = [];
  const skipped: string[] = [];
  for (const [id, { index }] of newest) {
    const o = objects[index] as Record<string, unknown>;
    const where = `objects[${index}] (${id})`;
    if (o.revoked === true) {
      skipped.push(`${where}: revoked`);
      continue;
    }
    if (o.pattern_type !== 'stix') {
      skipped.push(`${where}: pattern_type ${JSON.stringify(o.pattern_type ?? null)} is not read (only stix)`);
      continue;
    }
    try {
      for (const e of indicatorEntries(o, id)) entries.push(e);
    } catch (e) {
      if (e instanceof StixPatternError && e.unsupported) {
        skipped.push(`${where}: ${e.message}`);
        continue;
      }
      if (!(e instanceof ObjectError || e instanceof StixPatternError)) throw e;
      const msg = e instanceof StixPatternError ? `pattern: ${e.message}` : e.message;
      if (!skipInvalid) throw new Error(`${where}: ${msg}`);
      skipped.push(`${where}: invalid, skipped: ${msg}`);
    }
  }
  return { entries, skipped, indicators: newest.size };
}
