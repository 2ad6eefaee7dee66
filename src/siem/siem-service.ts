// The SIEM inside the server: loads the config's rules and mapping, keeps the incident store and the detection engine
// under `<data_dir>/siem/`, evaluates committed batches (`onCommitted`, never failing ingest), moves the watermark on a
// timer, reloads rules (state of unchanged rules carries over), approves held auto-responses and runs hunts. With a
// `store`, every alert is also appended to the tenant's log store as a `{stream="detections"}` record.

import path from 'node:path';
import type { IngestBatch } from '../model/record.ts';
import { AlertRecordWriter } from './alert-record-writer.ts';
import type { QueryEngine } from '../query/engine.ts';
import type { AlertSink } from '../rules/alert-notice.ts';
import { sendResponse } from './actions/action-runner.ts';
import { Enricher } from './actions/enrichment.ts';
import type { SiemAlert } from './alert.ts';
import { DetectionEngine } from './detection-engine.ts';
import { hunt, type HuntResult } from './hunt.ts';
import { IncidentError, IncidentStore, type Incident } from './incident-store.ts';
import { loadRulePaths, loadRuleTexts, loadedCount, type RuleLoadFailure, type RuleSet, type RuleText } from './rule-set.ts';
import type { SiemConfig } from './siem-config.ts';
import { EMPTY_MAPPING, loadMapping, parseMapping, type LogsourceMapping } from './sigma/logsource-mapping.ts';

export interface SiemServiceOptions {
  dataDir: string;
  config: SiemConfig;
  /** the alerting service (notification routes and receivers) */
  alertSink?: AlertSink;
  externalUrl?: () => string;
  /** for hunts over stored data */
  queryEngine?: QueryEngine;
  log?: (message: string) => void;
  clock?: () => bigint;
  /** how often the watermark follows the clock (default 1s) */
  tickMs?: number;
  /**
   * The store's durable append: alerts become records of `{source="sightline", stream="detections"}`. It must be the
   * store itself, not the ingest path, so the rules never see their own alerts (no feedback loop).
   */
  alertStore?: { append(batch: IngestBatch): Promise<void> };
}

export interface RuleStatus {
  loaded: number;
  failed: number;
  total: number;
  failures: RuleLoadFailure[];
}

export class SiemService {
  readonly incidents: IncidentStore;
  rules: RuleSet;
  engine: DetectionEngine;
  private mapping: LogsourceMapping;
  private readonly enricher: Enricher;
  private readonly timer: NodeJS.Timeout;
  private readonly log: (m: string) => void;
  private readonly tenants: Set<string> | undefined;
  /** alerts to the log store, when the server gave one */
  readonly alertRecords: AlertRecordWriter | undefined;

  /** Throws ConfigError for a bad mapping file or unreadable rule path; rules that fail to load are reported. */
  constructor(private readonly opts: SiemServiceOptions) {
    this.log = opts.log ?? ((m) => process.stderr.write(`sightline: siem: ${m}\n`));
    const dir = path.join(opts.dataDir, 'siem');
    this.incidents = new IncidentStore(dir);
    this.enricher = new Enricher({ geoipDatabases: opts.config.geoipDatabases, threatLists: opts.config.threatIntelLists, configDir: path.dirname(path.resolve(opts.config.file)), log: this.log, query: opts.queryEngine });
    this.tenants = opts.config.tenants ? new Set(opts.config.tenants) : undefined;
    this.alertRecords = opts.alertStore ? new AlertRecordWriter({ append: (b) => opts.alertStore!.append(b), log: this.log }) : undefined;
    this.mapping = opts.config.mapping ? loadMapping(opts.config.mapping) : EMPTY_MAPPING;
    this.rules = loadRulePaths(opts.config.rules, this.mapping);
    this.engine = this.newEngine(this.rules);
    this.reportFailures();
    this.timer = setInterval(() => this.tick(), opts.tickMs ?? 1000);
    this.timer.unref();
  }

  private newEngine(rules: RuleSet): DetectionEngine {
    const c = this.opts.config;
    return new DetectionEngine({
      rules,
      stateDir: path.join(this.opts.dataDir, 'siem', 'state'),
      clock: this.opts.clock,
      reorderWindowMs: c.reorderWindowMs,
      maxGroupsPerRule: c.maxGroupsPerRule,
      allow: c.allow,
      snapshotIntervalMs: c.snapshotIntervalMs,
      incidents: this.incidents,
      onAlert: this.alertRecords ? (a) => this.alertRecords!.add(a) : undefined,
      actions: { alertSink: this.opts.alertSink, enricher: this.enricher, externalUrl: this.opts.externalUrl, log: this.log },
      log: this.log,
    });
  }

  private reportFailures(): void {
    const st = this.ruleStatus();
    if (st.failed > 0) this.log(`${st.loaded} of ${st.total} rules loaded; ${st.failed} did not (GET /api/v1/siem/rules lists why)`);
  }

  /** Evaluates a committed batch; a rule error is logged, never passed to the ingest path. */
  onCommitted(batch: IngestBatch): void {
    if (this.tenants !== undefined && !this.tenants.has(batch.tenant)) return;
    try {
      this.engine.onCommitted(batch);
    } catch (e) {
      this.log(`detection failed on a batch of ${batch.entries} records: ${(e as Error).stack ?? (e as Error).message}`);
    }
  }

  private tick(): void {
    try {
      this.engine.tick();
    } catch (e) {
      this.log(`detection tick failed: ${(e as Error).message}`);
    }
  }

  ruleStatus(): RuleStatus {
    const failures = [...this.rules.failures, ...this.engine.program.failures];
    const loaded = loadedCount(this.rules) - this.engine.program.failures.length;
    return { loaded, failed: failures.length, total: this.rules.total, failures };
  }

  /** Re-reads the rules and mapping; correlation state of rules whose logic did not change carries over. */
  async reload(): Promise<RuleStatus> {
    const mapping = this.opts.config.mapping ? loadMapping(this.opts.config.mapping) : EMPTY_MAPPING;
    const rules = loadRulePaths(this.opts.config.rules, mapping);
    await this.engine.close(); // snapshot: the new engine restores from it
    this.mapping = mapping;
    this.rules = rules;
    this.engine = this.newEngine(rules);
    this.reportFailures();
    return this.ruleStatus();
  }

  /** Sends an auto-response that was held for approval, and records who approved it. */
  async approveResponse(tenant: string, incidentId: string, index: number, approver: string | undefined): Promise<Incident> {
    const inc = this.incidents.get(tenant, incidentId);
    const r = inc.responses[index];
    if (r === undefined) throw new IncidentError(404, `incident ${incidentId} has no response ${index}`);
    if (r.status !== 'pending_approval' || r.request === undefined) throw new IncidentError(409, `response ${index} (${r.name}) is ${r.status}, not pending_approval`);
    const rule = this.rules.native.find((n) => n.name === inc.rule);
    const spec = rule?.actions.find((a) => a.kind === 'auto_response' && a.name === r.name);
    if (spec === undefined || spec.kind !== 'auto_response') throw new IncidentError(409, `rule ${inc.rule} no longer has the auto_response ${JSON.stringify(r.name)}`);
    const sent = await sendResponse({ method: r.request.method, url: r.request.url, body: r.request.body, headers: { 'Content-Type': 'application/json', ...spec.headers } }, spec.timeoutMs);
    this.incidents.updateResponse(tenant, incidentId, index, { status: sent.ok ? 'sent' : 'failed', detail: `${sent.detail}${approver ? ` (approved by ${approver})` : ''}` });
    return this.incidents.update(tenant, incidentId, { note: { text: `auto_response ${r.name} approved: ${sent.ok ? 'sent' : 'failed'}: ${sent.detail}`, author: approver } });
  }

  /** Runs rules (given, or the loaded ones) over stored records; nobody is notified. */
  async hunt(tenant: string, fromNs: bigint, toNs: bigint, texts?: RuleText[], mappingText?: string): Promise<HuntResult & { rules: RuleStatus }> {
    if (this.opts.queryEngine === undefined) throw new Error('hunting needs the query engine');
    const mapping = mappingText !== undefined ? parseMapping(mappingText, 'mapping') : this.mapping;
    const rules = texts !== undefined ? loadRuleTexts(texts, mapping) : this.rules;
    const result = await hunt({ engine: this.opts.queryEngine, rules, tenant, fromNs, toNs });
    return { ...result, rules: { loaded: loadedCount(rules), failed: rules.failures.length, total: rules.total, failures: rules.failures } };
  }

  /** For the server's /metrics (`metrics.collectors.push(siem.metrics)`): follows the engine across reloads. */
  readonly metrics = { render: (): string => this.engine.metrics.render() + (this.alertRecords?.renderMetrics() ?? '') };

  recentAlerts(tenant: string, opts: { limit?: number; rule?: string; incident?: string }): SiemAlert[] {
    return this.incidents.alerts(tenant, opts);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.engine.close();
    // after the engine: alerts raised while it flushed its reorder buffer are stored too (the store closes after us)
    await this.alertRecords?.close();
  }
}
