// The `action:` list of a detection rule, as written: `alert` (notify through the alerting receivers, with routing
// labels), `auto_response` (a webhook such as "disable account", dry-run by default, optionally held for approval) and
// `enrich` (GeoIP and threat-intelligence look-ups of the alert's IPs). Each also has the guide's free-text form.

import type { ConfigNode } from '../../config/config-node.ts';

export type Enrichment = 'geo_ip' | 'threat_intel';

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
  | { kind: 'enrich'; text?: string; enrichments: Enrichment[] };

const ENRICH_WORDS: Record<string, Enrichment> = { geo_ip: 'geo_ip', geoip: 'geo_ip', geo: 'geo_ip', threat_intel: 'threat_intel', threatintel: 'threat_intel', ioc: 'threat_intel', iocs: 'threat_intel' };
const FILLER = new Set(['add', 'lookup', 'lookups', 'look', 'up', 'with', 'and', 'the', 'a', 'an', 'enrich', 'enrichment', 'of', 'via']);

/** Enrichment names in free text (`add geo_ip, threat_intel lookup`); an unknown word is an error. */
export function parseEnrichText(text: string, node: ConfigNode): Enrichment[] {
  const out: Enrichment[] = [];
  for (const word of text.toLowerCase().split(/[\s,;+&/]+/)) {
    if (word === '' || FILLER.has(word)) continue;
    const e = ENRICH_WORDS[word];
    if (e === undefined) node.fail(`unknown enrichment "${word}" (expected ${Object.keys(ENRICH_WORDS).join(', ')})`);
    if (!out.includes(e)) out.push(e);
  }
  if (out.length === 0) node.fail('names no enrichment (expected geo_ip and/or threat_intel)');
  return out;
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
      case 'enrich': {
        if (v.isList) return { kind: 'enrich', enrichments: v.items().flatMap((i) => parseEnrichText(i.string(), i)) };
        const text = v.string();
        return { kind: 'enrich', text, enrichments: parseEnrichText(text, v) };
      }
      default:
        return item.get(kind).fail(`unknown action "${kind}" (expected alert, auto_response or enrich)`);
    }
  });
}
