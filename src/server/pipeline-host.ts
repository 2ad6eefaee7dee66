// The pipelines inside the server: runs every ingested batch through them and delivers what comes out to the
// store, the archive and the alert stream; releases held events on a timer; reloads the file on SIGHUP and when
// it changes (the new file is built completely before it replaces the old; a bad one is logged and ignored).

import { ConfigFileWatch, fileDigest } from '../config/config-file-watch.ts';
import path from 'node:path';
import type { IngestBatch } from '../model/record.ts';
import { batchToEvents, eventsToBatches } from '../pipeline/event-batch.ts';
import type { PipelineEvent } from '../pipeline/event.ts';
import { splitByOutput } from '../pipeline/outputs.ts';
import { loadPipelinesFile } from '../pipeline/pipeline-config.ts';
import { PipelineMetrics } from '../pipeline/pipeline-metrics.ts';
import { PipelineRunner } from '../pipeline/runner.ts';
import type { Store } from '../store/store.ts';
import { AlertStream } from './alert-stream.ts';
import { ArchiveSink } from './archive-sink.ts';

export interface PipelineHostOptions {
  file: string;
  dataDir: string;
  store: Pick<Store, 'append'>;
  log?: (message: string) => void;
  /** reload when the file changes (default true) */
  watch?: boolean;
  /** how often held events are checked for release (default 1000 ms) */
  flushIntervalMs?: number;
}

export interface ReloadResult {
  ok: boolean;
  /** the error that kept the old pipelines running */
  error?: string;
}


export class PipelineHost {
  readonly metrics = new PipelineMetrics();
  readonly alerts: AlertStream;
  readonly archive: ArchiveSink;
  private runner: PipelineRunner;
  private loadedDigest: string | undefined;
  /** content that failed to load: not retried on every change in the directory, only when it changes again */
  private failedDigest: string | undefined;
  /** released events whose delivery failed (store busy): retried on the timer */
  private pending: PipelineEvent[] = [];
  private readonly timer: NodeJS.Timeout;
  private ticking: Promise<void> | undefined;
  private watcher: ConfigFileWatch | undefined;
  private readonly waiters: ((r: ReloadResult) => void)[] = [];
  private readonly onSighup = () => void this.reload('SIGHUP');
  private readonly log: (message: string) => void;
  private closed = false;

  /** Loads and builds the file (throws ConfigError: the server should not start with a bad file). */
  constructor(private readonly options: PipelineHostOptions) {
    this.log = options.log ?? ((m) => process.stderr.write(`sightline: pipelines: ${m}\n`));
    this.alerts = new AlertStream(this.log);
    this.archive = new ArchiveSink(path.join(options.dataDir, 'archive'));
    this.loadedDigest = fileDigest(options.file);
    this.runner = this.build(loadPipelinesFile(options.file));
    this.timer = setInterval(() => void this.tick(), options.flushIntervalMs ?? 1000);
    this.timer.unref();
    process.on('SIGHUP', this.onSighup);
    if (options.watch !== false) this.watch();
  }

  get file(): string {
    return this.options.file;
  }

  /** Runs a batch through the pipelines and resolves once its results are durable (store and archive). */
  async commit(batch: IngestBatch): Promise<void> {
    const events = batchToEvents(batch);
    const out = this.runner.process(events, Date.now());
    try {
      await this.deliver(out);
    } catch (err) {
      // the caller will have its own events sent again; events released from earlier pushes (multiline, dedupe)
      // that came out with them would not be, so they wait for the timer instead
      const own = new Set(events);
      for (const e of out) if (!own.has(e)) this.pending.push(e);
      throw err;
    }
  }

  /** Resolves with the outcome of the next reload (for tests and tools). */
  nextReload(): Promise<ReloadResult> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Loads the file again; on success swaps the pipelines and delivers the old ones' held events. */
  async reload(reason: string): Promise<ReloadResult> {
    if (this.closed) return { ok: false, error: 'closed' };
    let next: PipelineRunner;
    const digest = fileDigest(this.options.file);
    try {
      next = this.build(loadPipelinesFile(this.options.file));
    } catch (err) {
      this.metrics.reloads.failure++;
      this.failedDigest = digest;
      const error = (err as Error).message;
      this.log(`reload of ${this.options.file} (${reason}) failed, the previous pipelines keep running: ${error}`);
      return this.settle({ ok: false, error });
    }
    const old = this.runner;
    this.runner = next;
    this.loadedDigest = digest;
    // what the old pipelines hold finishes its way through them and is delivered: nothing is dropped
    const held = old.flush(Date.now(), true);
    old.close();
    for (const e of held) this.pending.push(e);
    this.metrics.reloads.success++;
    this.log(`reloaded ${this.options.file} (${reason}): ${next.config.pipelines.length} pipelines`);
    await this.tick();
    return this.settle({ ok: true });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    process.off('SIGHUP', this.onSighup);
    clearInterval(this.timer);
    this.watcher?.close();
    await this.ticking;
    const held = this.runner.flush(Date.now(), true);
    this.runner.close();
    for (const e of held) this.pending.push(e);
    const last = this.pending.splice(0);
    try {
      await this.deliver(last);
    } catch (err) {
      this.log(`could not deliver ${last.length} held events at shutdown: ${(err as Error).message}`);
    }
    await this.archive.close();
  }

  private build(config: ReturnType<typeof loadPipelinesFile>): PipelineRunner {
    return new PipelineRunner(config, { metrics: this.metrics, warn: this.log });
  }

  private settle(result: ReloadResult): ReloadResult {
    for (const w of this.waiters.splice(0)) w(result);
    return result;
  }

  private async deliver(events: PipelineEvent[]): Promise<void> {
    if (events.length === 0) return;
    const routed = splitByOutput(events);
    this.metrics.countOutput('store', routed.store.length);
    this.metrics.countOutput('archive', routed.archive.length);
    this.metrics.countOutput('alert', routed.alert.length);
    this.metrics.countOutput('drop', routed.dropped);
    const work: Promise<void>[] = [];
    if (routed.store.length > 0) for (const b of eventsToBatches(routed.store)) work.push(this.options.store.append(b));
    if (routed.archive.length > 0) work.push(this.archive.write(routed.archive));
    await Promise.all(work);
    this.alerts.publish(routed.alert);
  }

  /** Releases held events whose time is up and retries failed deliveries. One at a time. */
  private tick(): Promise<void> {
    if (this.ticking) return this.ticking;
    const run = async () => {
      const released = this.runner.holdsEvents ? this.runner.flush(Date.now(), false) : [];
      const batch = this.pending.length > 0 ? this.pending.splice(0).concat(released) : released;
      if (batch.length === 0) return;
      try {
        await this.deliver(batch);
      } catch (err) {
        this.pending = batch.concat(this.pending);
        this.log(`delivering ${batch.length} released events failed, retrying: ${(err as Error).message}`);
      }
    };
    this.ticking = run().finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  private watch(): void {
    this.watcher = new ConfigFileWatch({
      file: this.options.file,
      known: () => ({ loaded: this.loadedDigest, failed: this.failedDigest }),
      onChange: () => void this.reload('file changed'),
      what: 'the pipelines',
      log: this.log,
    });
  }
}
