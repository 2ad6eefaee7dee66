// Enriches an alert with what is known about its IP addresses: GeoIP (the pipeline's geoip processor and its
// databases) and threat intelligence (the pipeline's threat_intel processor over the indicator lists the SIEM config
// names, plus the `threat.*` fields the pipeline already set on the linked records), built on first use; related
// records from the tenant's store through the query engine (related-records.ts).

import { stringify } from 'yaml';
import { ConfigNode } from '../../config/config-node.ts';
import type { PipelineEvent } from '../../pipeline/event.ts';
import type { Processor, ProcessorContext } from '../../pipeline/processor.ts';
import { geoipProcessor } from '../../pipeline/processors/geoip.ts';
import { threatIntelProcessor } from '../../pipeline/processors/threat-intel.ts';
import type { SiemAlert } from '../alert.ts';
import type { QueryEngine } from '../../query/engine.ts';
import type { Enrichment } from './action-spec.ts';
import { findRelated, type RelatedGroup, type RelatedOptions } from './related-records.ts';

export interface EnricherOptions {
  /** MaxMind-format database files; default: the DB-IP City Lite package the geoip processor uses */
  geoipDatabases?: string[];
  /** threat_intel processor `lists:` entries ({ name, file, type, column, on_invalid }) */
  threatLists?: unknown[];
  /** where relative paths resolve */
  configDir: string;
  log?: (message: string) => void;
  /** for related records; undefined: the `related` enrichment reports that it cannot search */
  query?: Pick<QueryEngine, 'run'>;
}

function event(value: string): PipelineEvent {
  return { tenant: '', ts: 0n, line: '', labels: {}, fields: { value } };
}

export class Enricher {
  private geo: Processor | undefined;
  private intel: Processor | undefined;
  private readonly ctx: ProcessorContext;

  constructor(private readonly opts: EnricherOptions) {
    this.ctx = { nowMs: Date.now(), warn: (m) => opts.log?.(m) };
    // URL lists are fetched when the processor is built: build it now, so the first alert finds them loaded
    if (opts.threatLists?.some((l) => l !== null && typeof l === 'object' && 'url' in l)) this.processor('threat_intel');
  }

  private processor(kind: Enrichment): Processor | undefined {
    if (kind === 'geo_ip') {
      if (this.geo === undefined) {
        const cfg: Record<string, unknown> = { type: 'geoip', field: 'value', target: 'geo' };
        if (this.opts.geoipDatabases !== undefined) cfg.database = this.opts.geoipDatabases;
        this.geo = geoipProcessor.build(ConfigNode.parse(stringify(cfg), '(siem enrichment: geoip)'), { configDir: this.opts.configDir });
      }
      return this.geo;
    }
    if (this.opts.threatLists === undefined || this.opts.threatLists.length === 0) return undefined;
    this.intel ??= threatIntelProcessor.build(ConfigNode.parse(stringify({ type: 'threat_intel', fields: ['value'], lists: this.opts.threatLists, target: 'threat' }), '(siem enrichment: threat_intel)'), {
      configDir: this.opts.configDir,
    });
    return this.intel;
  }

  /** Records related to the alert in its tenant's store; throws when there is no query engine to search with. */
  async related(alert: SiemAlert, opts: RelatedOptions): Promise<RelatedGroup[]> {
    if (this.opts.query === undefined) throw new Error('no query engine to search related records with');
    return findRelated(alert, opts, { engine: this.opts.query });
  }

  /** What each look-up enrichment found for the alert's IPs; a failing one reports its error instead (`related`: see related()). */
  enrich(alert: SiemAlert, kinds: readonly Enrichment[]): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const kind of kinds) {
      if (kind === 'related') continue;
      try {
        out[kind] = kind === 'geo_ip' ? this.geoIp(alert) : this.threatIntel(alert);
      } catch (e) {
        out[kind] = { error: (e as Error).message };
      }
    }
    return out;
  }

  private fieldsOf(p: Processor, value: string, prefix: string): Record<string, unknown> {
    this.ctx.nowMs = Date.now();
    const [ev] = p.process([event(value)], this.ctx);
    const found: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(ev?.fields ?? {})) if (k.startsWith(prefix)) found[k.slice(prefix.length)] = v;
    return found;
  }

  private geoIp(alert: SiemAlert): Record<string, unknown> {
    const p = this.processor('geo_ip')!;
    const out: Record<string, unknown> = {};
    for (const ip of alert.entities.ip) out[ip] = this.fieldsOf(p, ip, 'geo.');
    return out;
  }

  private threatIntel(alert: SiemAlert): Record<string, unknown> {
    const matches: Record<string, unknown>[] = [];
    const p = this.processor('threat_intel');
    if (p !== undefined) {
      for (const v of [...alert.entities.ip, ...alert.entities.host]) {
        const f = this.fieldsOf(p, v, 'threat.');
        if (f.matched === true || f.matched === 'true') matches.push({ value: v, indicator: f.indicator, type: f.type, list: f.list });
      }
    }
    // indicators the pipeline's threat_intel processor already found on the linked records
    for (const e of alert.events) {
      const ind = e.fields?.['threat.indicator'];
      if (ind !== undefined && !matches.some((m) => m.indicator === ind)) matches.push({ value: e.fields?.['threat.value'], indicator: ind, type: e.fields?.['threat.type'], list: e.fields?.['threat.list'], record_ts: e.ts });
    }
    return { checked: alert.entities.ip.length + alert.entities.host.length, matches, ...(p === undefined ? { note: 'no indicator lists configured (siem config: threat_intel.lists)' } : {}) };
  }
}
