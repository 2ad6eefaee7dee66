// The ruler as one server component: the rule manager over the server's query engine and store (state in
// `<data_dir>/rules-state.json`), the notification side it feeds (`<data_dir>/alerting/`, configured by
// alerting_config), and their gauges on /metrics. SIGHUP reloads both the rule files and the alerting config.

import path from 'node:path';
import type { QueryEngine } from '../query/engine.ts';
import type { Store } from '../store/store.ts';
import type { ServerConfig } from '../server/config.ts';
import { Gauge, type ServerMetrics } from '../server/metrics.ts';
import { engineQuery } from './engine-query.ts';
import { RuleManager } from './rule-manager.ts';
import type { RuleTransition } from './group-evaluator.ts';
import { AlertingService } from './notify/alerting-service.ts';
import type { AlertingConfig } from './notify/alerting-config.ts';

export interface RulerDeps {
  config: ServerConfig;
  store: Store;
  engine: QueryEngine;
  metrics?: ServerMetrics;
  /** a parsed alerting config instead of config.alertingConfigFile (the demo) */
  alerting?: AlertingConfig;
  onTransitions?: (t: RuleTransition[]) => void;
  log?: (message: string) => void;
}

export class Ruler {
  readonly manager: RuleManager;
  readonly alerting: AlertingService;
  private serverURL = '';
  private readonly onSighup = () => {
    void this.manager.reload().catch((e: Error) => this.log(`rules reload (SIGHUP) failed: ${e.message}`));
    this.alerting.reload('SIGHUP');
  };
  private readonly log: (message: string) => void;

  private constructor(deps: RulerDeps) {
    const { config, store, engine } = deps;
    const log = (this.log = deps.log ?? ((m: string) => process.stderr.write(`sightline: ${m}\n`)));
    this.alerting = new AlertingService({
      dataDir: config.dataDir,
      configFile: config.alertingConfigFile,
      config: deps.alerting,
      serverURL: () => this.serverURL,
      log,
      onReloaded: () => {
        if (this.serverURL) this.manager.externalURL = this.alerting.externalURL;
      },
    });
    this.manager = new RuleManager({
      rulesDir: config.rulesDir ?? path.join(config.dataDir, 'rules'),
      stateFile: path.join(config.dataDir, 'rules-state.json'),
      query: engineQuery(engine),
      append: (batch) => store.append(batch),
      sink: this.alerting,
      log,
      onTransitions: deps.onTransitions,
    });
    const m = deps.metrics;
    if (m) {
      const c = this.manager.counters;
      const o = this.alerting.outbox.counters;
      m.gauges.push(
        new Gauge('sightline_rule_groups', 'Rule groups loaded.', () => this.manager.groupCount),
        new Gauge('sightline_rule_group_evaluations_total', 'Rule group evaluations run.', () => c.evaluations),
        new Gauge('sightline_rule_evaluation_failures_total', 'Rule evaluations that failed (health "err").', () => c.ruleFailures),
        new Gauge('sightline_notifications_sent_total', 'Notifications receivers accepted.', () => o.sent),
        new Gauge('sightline_notification_retries_total', 'Notification attempts that failed and will be retried.', () => o.retries),
        new Gauge('sightline_notifications_failed_total', 'Notifications refused by their receiver (not retried).', () => o.failed),
        new Gauge('sightline_notifications_dropped_total', 'Notifications given up after outbox.max_age.', () => o.dropped),
        new Gauge('sightline_notification_outbox_pending', 'Notifications waiting in the outbox.', () => this.alerting.outbox.pending),
        new Gauge('sightline_alerting_config_last_reload_successful', 'Whether the last reload of the alerting config loaded (0: the previous config keeps running).', () => (this.alerting.status.lastReloadSuccessful ? 1 : 0)),
        new Gauge('sightline_alerting_config_last_reload_success_timestamp_seconds', 'When the alerting config in force was loaded.', () => Math.floor(this.alerting.status.loadedAtMs / 1000)),
        new Gauge('sightline_alerting_config_reload_failures_total', 'Reloads of the alerting config that failed.', () => this.alerting.status.reloads.failure),
      );
    }
  }

  /** Loads the rules and the alerting config (a bad alerting config fails the start with file:line). */
  static async start(deps: RulerDeps): Promise<Ruler> {
    const r = new Ruler(deps);
    r.alerting.start();
    await r.manager.start();
    process.on('SIGHUP', r.onSighup);
    return r;
  }

  /** The server's own URL, known once it listens: the base of alert links unless external_url says otherwise. */
  setExternalURL(url: string): void {
    this.serverURL = url;
    this.manager.externalURL = this.alerting.externalURL;
  }

  async close(): Promise<void> {
    process.off('SIGHUP', this.onSighup);
    await this.manager.stop();
    await this.alerting.stop();
  }
}
