// The `action:` list of a detection rule, as written: `alert` (notify through the alerting receivers, with routing
// labels), `auto_response` (a webhook such as "disable account", dry-run by default, optionally held for approval) and
// `enrich` (GeoIP and threat-intelligence look-ups of the alert's IPs, related records by trace_id/user/IP). Each also
// has the guide's free-text form.

import type { ConfigNode } from '../../config/config-node.ts';
import { RELATED_DEFAULTS, type RelatedOptions } from './related-records.ts';

export type Enrichment = 'geo_ip' | 'threat_intel' | 'related';

export type ActionSpec =
  | { kind: 'alert'; text?: string; labels: Record<string, string>; annotations: Record<string, string> }
  | {
      kind: 'auto_response';
      name: string;
      /** undefined: a response to perform by hand (the guide's free text), recorded on the incident */
      url?: string;
      method: 'POST' | 'PUT';
      headers: Record<string, string>;
      /** payload template: `{{group.user_id}}`, `{{incident.id}}`, `{{rule}}`... (JSON-escaped inside JSON bodies) */
      body?: string;
      /** render the request and record it, send nothing (default true: opt in to real calls) */
      dryRun: boolean;
      /** hold the request until someone approves it through the incident API */
      approval: boolean;
      timeoutMs: number;
    }
  | { kind: 'enrich'; text?: string; enrichments: Enrichment[]; /** with 'related' */ related?: RelatedOptions };

const ENRICH_WORDS: Record<string, Enrichment> = { geo_ip: 'geo_ip', geoip: 'geo_ip', geo: 'geo_ip', threat_intel: 'threat_intel', threatintel: 'threat_intel', ioc: 'threat_intel', iocs: 'threat_intel', related: 'related', related_records: 'related' };
const FILLER = new Set(['add', 'lookup', 'lookups', 'look', 'up', 'with', 'and', 'the', 'a', 'an', 'enrich', 'enrichment', 'of', 'via', 'records', 'record']);

/** Enrichment names in free text (`add geo_ip, threat_intel lookup`); an unknown word is an error. */
export function parseEnrichText(text: string, node: ConfigNode): Enrichment[] {
  const out: Enrichment[] = [];
  for (const word of text.toLowerCase().split(/[\s,;+&/]+/)) {
    if (word === '' || FILLER.has(word)) continue;
    const e = ENRICH_WORDS[word];
    if (e === undefined) node.fail(`unknown enrichment "${word}" (expected ${Object.keys(ENRICH_WORDS).join(', ')})`);
    if (!out.includes(e)) out.push(e);
  }
  if (out.length === 0) node.fail('names no enrichment (expected geo_ip, threat_intel and/or related)');
  return out;
}

/** `related: {by: [trace_id, user_id, src_ip], window: 15m, limit: 50, max_records, max_values, timeout}`. */
export function parseRelatedOptions(node: ConfigNode): RelatedOptions {
  const d = RELATED_DEFAULTS;
  if (!node.exists || node.value === null || node.value === true) return { ...d, by: [...d.by] };
  if (!node.isMap) node.fail('expected a mapping of related-record options (by, window, limit, max_records, max_values, timeout)');
  node.onlyKeys(['by', 'window', 'limit', 'max_records', 'max_values', 'timeout']);
  const byNode = node.get('by');
  const by = byNode.exists && !byNode.isList ? [byNode.string()] : byNode.stringList([...d.by]);
  if (by.length === 0) byNode.fail('expected at least one key (e.g. [trace_id, user_id, src_ip])');
  const windowMs = node.get('window').durationMs(d.windowMs);
  if (windowMs <= 0) node.get('window').fail('expected a positive duration such as 15m');
  const timeoutMs = node.get('timeout').durationMs(d.timeoutMs);
  if (timeoutMs <= 0) node.get('timeout').fail('expected a positive duration such as 10s');
  return {
    by,
    windowMs,
    limit: node.get('limit').integer(d.limit, 1, 10_000),
    maxRecords: node.get('max_records').integer(d.maxRecords, 1, 100_000),
    maxValues: node.get('max_values').integer(d.maxValues, 1, 1000),
    timeoutMs,
  };
}

/** The `enrich:` value: free text, a list of names (or `{related: {...}}` items), or a mapping of name → options. */
function parseEnrich(v: ConfigNode): Extract<ActionSpec, { kind: 'enrich' }> {
  const enrichments: Enrichment[] = [];
  let related: RelatedOptions | undefined;
  const addNamed = (name: string, options: ConfigNode | undefined, at: ConfigNode): void => {
    for (const e of parseEnrichText(name, at)) {
      if (!enrichments.includes(e)) enrichments.push(e);
      if (e === 'related' && (related === undefined || options !== undefined)) related = options !== undefined ? parseRelatedOptions(options) : { ...RELATED_DEFAULTS, by: [...RELATED_DEFAULTS.by] };
      else if (options !== undefined && options.value !== null && options.value !== true) options.fail(`${e} takes no options`);
    }
  };
  const addMap = (m: ConfigNode): void => {
    for (const [name, options] of m.entries()) addNamed(name, options, m);
  };
  if (v.isMap) addMap(v);
  else if (v.isList) for (const i of v.items()) i.isMap ? addMap(i) : addNamed(i.string(), undefined, i);
  else {
    const text = v.string();
    addNamed(text, undefined, v);
    return { kind: 'enrich', text, enrichments, ...(related ? { related } : {}) };
  }
  if (enrichments.length === 0) v.fail('names no enrichment (expected geo_ip, threat_intel and/or related)');
  return { kind: 'enrich', enrichments, ...(related ? { related } : {}) };
}

export function parseActions(node: ConfigNode): ActionSpec[] {
  if (!node.exists) return [];
  return node.items().map((item) => {
    const keys = item.keys();
    if (keys.length !== 1) item.fail('each action is a mapping with one key: alert, auto_response or enrich');
    const kind = keys[0]!;
    const v = item.get(kind);
    switch (kind) {
      case 'alert': {
        if (!v.isMap) return { kind: 'alert', text: v.string(), labels: {}, annotations: {} };
        v.onlyKeys(['labels', 'annotations', 'text']);
        return { kind: 'alert', text: v.get('text').optionalString(), labels: v.get('labels').stringMap({}), annotations: v.get('annotations').stringMap({}) };
      }
      case 'auto_response': {
        if (!v.isMap) return { kind: 'auto_response', name: v.string(), method: 'POST', headers: {}, dryRun: true, approval: false, timeoutMs: 10_000 };
        v.onlyKeys(['name', 'url', 'method', 'headers', 'body', 'dry_run', 'approval', 'timeout']);
        const url = v.get('url').optionalString();
        if (url !== undefined && !/^https?:\/\//.test(url)) v.get('url').fail(`expected an http:// or https:// URL, got ${JSON.stringify(url)}`);
        return {
          kind: 'auto_response',
          name: v.get('name').string(),
          url,
          method: v.get('method').oneOf(['POST', 'PUT'], 'POST'),
          headers: v.get('headers').stringMap({}),
          body: v.get('body').optionalString(),
          dryRun: v.get('dry_run').boolean(true),
          approval: v.get('approval').oneOf(['none', 'required'], 'none') === 'required',
          timeoutMs: v.get('timeout').durationMs(10_000),
        };
      }
      case 'enrich':
        return parseEnrich(v);
      default:
        return item.get(kind).fail(`unknown action "${kind}" (expected alert, auto_response or enrich)`);
    }
  });
}
