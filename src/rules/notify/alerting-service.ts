// Notification as one component: the alerting config, the dispatcher (routes, groups, silences, inhibition, dedup),
// the outbox and its history, and the forwarder to external Alertmanagers, all kept under `<data_dir>/alerting/`.
// It is the ruler's alert sink. Without a config file, silences and the APIs still work and nothing is sent.

import path from 'node:path';
import { mkdirSync } from 'node:fs';
import type { AlertNotice, AlertSink } from '../alert-notice.ts';
import { OUTBOX_DEFAULTS, loadAlertingConfig, type AlertingConfig } from './alerting-config.ts';
import { AlertmanagerForwarder } from './alertmanager-forwarder.ts';
import { DedupLog } from './dedup-log.ts';
import { Dispatcher } from './dispatcher.ts';
import { NotificationHistory } from './notification-history.ts';
import { Outbox, type IntegrationLookup } from './outbox.ts';
import { SilenceStore } from './silences.ts';
import { systemClock, type Clock } from '../group-schedule.ts';

export interface AlertingServiceOptions {
  dataDir: string;
  /** the alerting config file; undefined = no receivers */
  configFile?: string;
  /** an already parsed config (tests, the demo); wins over configFile */
  config?: AlertingConfig;
  /** the server's own URL, used when the config sets no external_url */
  serverURL: () => string;
  log: (message: string) => void;
  clock?: Clock;
}

function lookupIn(cfg: AlertingConfig): IntegrationLookup {
  return (receiver, type, index) => cfg.receivers.get(receiver)?.find((i) => i.type === type && i.index === index);
}

export class AlertingService implements AlertSink {
  readonly silences: SilenceStore;
  readonly history: NotificationHistory;
  readonly outbox: Outbox;
  readonly dispatcher: Dispatcher;
  readonly forwarder: AlertmanagerForwarder;
  private readonly dedup: DedupLog;
  private config: AlertingConfig;

  constructor(private readonly opts: AlertingServiceOptions) {
    const dir = path.join(opts.dataDir, 'alerting');
    mkdirSync(dir, { recursive: true });
    const clock = opts.clock ?? systemClock;
    this.config = opts.config ?? (opts.configFile ? loadAlertingConfig(opts.configFile) : { file: '', receivers: new Map(), inhibitRules: [], alertmanagers: [], outbox: { ...OUTBOX_DEFAULTS } });
    this.silences = new SilenceStore(path.join(dir, 'silences.json'));
    this.history = new NotificationHistory(path.join(dir, 'notifications.log'));
    this.dedup = new DedupLog(path.join(dir, 'nflog.json'));
    this.outbox = new Outbox(path.join(dir, 'outbox'), this.config.outbox, lookupIn(this.config), this.history, clock);
    this.dispatcher = new Dispatcher(this.config, { outbox: this.outbox, dedup: this.dedup, silences: this.silences, externalURL: () => this.externalURL, clock, log: opts.log });
    this.forwarder = new AlertmanagerForwarder(this.config.alertmanagers, opts.log, clock);
  }

  start(): void {
    this.silences.load();
    this.dedup.load();
    this.outbox.start();
  }

  /** The base URL notifications link to: external_url, else the server's own. */
  get externalURL(): string {
    return this.config.externalURL ?? this.opts.serverURL();
  }

  get receiverNames(): string[] {
    return [...this.config.receivers.keys()];
  }

  receive(tenant: string, notices: AlertNotice[]): void {
    if (notices.length === 0) return;
    this.dispatcher.receive(tenant, notices);
    this.forwarder.receive(tenant, notices);
  }

  async stop(): Promise<void> {
    this.dispatcher.stop();
    await this.forwarder.stop();
    await this.outbox.stop();
    this.dedup.flush();
  }
}
