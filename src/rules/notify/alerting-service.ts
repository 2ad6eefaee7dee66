// Notification as one component: the alerting config, the dispatcher (routes, groups, silences, inhibition, dedup),
// the outbox and its history, and the forwarder to external Alertmanagers, all kept under `<data_dir>/alerting/`.
// It is the ruler's alert sink. Without a config file, silences and the APIs still work and nothing is sent. The
// config file reloads live (on change, SIGHUP through the Ruler, or reload()); a bad file keeps the running config.

import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { ConfigFileWatch, fileDigest } from '../../config/config-file-watch.ts';
import type { AlertNotice, AlertSink } from '../alert-notice.ts';
import { emptyAlertingConfig, loadAlertingConfig, type AlertingConfig } from './alerting-config.ts';
import { AlertmanagerForwarder } from './alertmanager-forwarder.ts';
import { DedupLog } from './dedup-log.ts';
import { Dispatcher } from './dispatcher.ts';
import { NotificationHistory } from './notification-history.ts';
import { Outbox } from './outbox.ts';
import { SilenceStore } from './silences.ts';
import { systemClock, type Clock } from '../group-schedule.ts';

export interface AlertingServiceOptions {
  dataDir: string;
  /** the alerting config file; undefined = no receivers */
  configFile?: string;
  /** an already parsed config (tests, the demo); wins over configFile and is never reloaded */
  config?: AlertingConfig;
  /** the server's own URL, used when the config sets no external_url */
  serverURL: () => string;
  log: (message: string) => void;
  clock?: Clock;
  /** reload configFile when it changes (default true) */
  watch?: boolean;
  /** called after each successful reload (the ruler re-reads external_url) */
  onReloaded?: () => void;
}

/** What /metrics and `GET /api/v1/alerting/status` say about the config. */
export interface AlertingConfigStatus {
  file: string;
  /** false while the file on disk does not load (the previous config keeps running) */
  lastReloadSuccessful: boolean;
  /** when the config in force was loaded */
  loadedAtMs: number;
  /** the error of the last failed reload (`file:line: path: why`), cleared by a successful one */
  lastError?: string;
  reloads: { success: number; failure: number };
}

export interface AlertingReloadResult {
  ok: boolean;
  error?: string;
  /** queued notifications of removed receivers, recorded as failed */
  orphaned?: number;
}


export class AlertingService implements AlertSink {
  readonly silences: SilenceStore;
  readonly history: NotificationHistory;
  readonly outbox: Outbox;
  readonly dispatcher: Dispatcher;
  readonly forwarder: AlertmanagerForwarder;
  readonly status: AlertingConfigStatus;
  private readonly dedup: DedupLog;
  private config: AlertingConfig;
  private readonly clock: Clock;
  private loadedDigest: string | undefined;
  private failedDigest: string | undefined;
  private watcher: ConfigFileWatch | undefined;
  private readonly waiters: ((r: AlertingReloadResult) => void)[] = [];
  private stopped = false;

  constructor(private readonly opts: AlertingServiceOptions) {
    const dir = path.join(opts.dataDir, 'alerting');
    mkdirSync(dir, { recursive: true });
    this.clock = opts.clock ?? systemClock;
    const file = opts.config ? opts.config.file : opts.configFile;
    this.loadedDigest = !opts.config && file ? fileDigest(file) : undefined;
    this.config = opts.config ?? (opts.configFile ? loadAlertingConfig(opts.configFile) : emptyAlertingConfig());
    this.status = { file: file ?? '', lastReloadSuccessful: true, loadedAtMs: this.clock.now(), reloads: { success: 0, failure: 0 } };
    this.silences = new SilenceStore(path.join(dir, 'silences.json'));
    this.history = new NotificationHistory(path.join(dir, 'notifications.log'));
    this.dedup = new DedupLog(path.join(dir, 'nflog.json'));
    // the lookup reads the config in force, so a reload re-points queued notifications at the new integrations
    this.outbox = new Outbox(path.join(dir, 'outbox'), this.config.outbox, (r, t, i) => this.config.receivers.get(r)?.find((x) => x.type === t && x.index === i), this.history, this.clock);
    this.dispatcher = new Dispatcher(this.config, { outbox: this.outbox, dedup: this.dedup, silences: this.silences, externalURL: () => this.externalURL, clock: this.clock, log: opts.log });
    this.forwarder = new AlertmanagerForwarder(this.config.alertmanagers, opts.log, this.clock);
  }

  start(): void {
    this.silences.load();
    this.dedup.load();
    this.outbox.start();
    if (this.reloadable && this.opts.watch !== false) this.watch();
  }

  /** Whether there is a file to reload (not an in-memory config). */
  get reloadable(): boolean {
    return !this.opts.config && !!this.opts.configFile;
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

  /** Resolves with the outcome of the next reload (tests, tools). */
  nextReload(): Promise<AlertingReloadResult> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /**
   * Reads the config file again. A file that does not load changes nothing (logged with file:line, counted, kept in
   * status); one that loads replaces the config whole: routes, receivers, inhibitions, time intervals, Alertmanagers
   * and outbox settings. Queued notifications stay queued; those of receivers that are gone are recorded as failed.
   */
  reload(reason: string): AlertingReloadResult {
    if (!this.reloadable || this.stopped) return this.settle({ ok: false, error: this.stopped ? 'stopped' : 'no alerting config file to reload' });
    const file = this.opts.configFile!;
    const digest = fileDigest(file);
    let next: AlertingConfig;
    try {
      next = loadAlertingConfig(file);
    } catch (e) {
      const error = (e as Error).message;
      this.failedDigest = digest;
      this.status.lastReloadSuccessful = false;
      this.status.lastError = error;
      this.status.reloads.failure++;
      this.opts.log(`reload of the alerting config ${file} (${reason}) failed, the previous config keeps running: ${error}`);
      return this.settle({ ok: false, error });
    }
    this.config = next;
    this.loadedDigest = digest;
    this.failedDigest = undefined;
    this.outbox.setSettings(next.outbox);
    this.forwarder.setTargets(next.alertmanagers);
    this.dispatcher.setConfig(next);
    const orphaned = this.outbox.failOrphans((e) => `receiver ${JSON.stringify(e.receiver)} (${e.type}[${e.index}]) was removed from the alerting config by a reload (${reason})`);
    this.status.lastReloadSuccessful = true;
    this.status.lastError = undefined;
    this.status.loadedAtMs = this.clock.now();
    this.status.reloads.success++;
    const receivers = [...next.receivers.keys()];
    this.opts.log(
      `reloaded the alerting config ${file} (${reason}): ${receivers.length} receivers (${receivers.join(', ')}), ${next.inhibitRules.length} inhibit rules, ${next.timeIntervals.size} time intervals` +
        (orphaned > 0 ? `; ${orphaned} queued notifications of removed receivers recorded as failed` : ''),
    );
    this.opts.onReloaded?.();
    return this.settle({ ok: true, orphaned });
  }

  private settle(r: AlertingReloadResult): AlertingReloadResult {
    for (const w of this.waiters.splice(0)) w(r);
    return r;
  }

  private watch(): void {
    this.watcher = new ConfigFileWatch({
      file: this.opts.configFile!,
      known: () => ({ loaded: this.loadedDigest, failed: this.failedDigest }),
      onChange: () => void this.reload('file changed'),
      what: 'the alerting config',
      log: this.opts.log,
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.watcher?.close();
    this.dispatcher.stop();
    await this.forwarder.stop();
    await this.outbox.stop();
    this.dedup.flush();
  }
}
