// The agent's runtime: reads its sources in turn, runs the pipeline, hands each batch to every sink that takes
// it, and moves a file's checkpoint only once every such sink has the batch (delivered, or written to its disk
// buffer). So a restart repeats at most what was in flight, and a full `block` buffer holds the sources back.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PipelineEvent } from '../pipeline/event.ts';
import { Counter, Gauge } from '../metrics/prometheus.ts';
import { Checkpoints } from './checkpoints.ts';
import { buildSource } from './sources/registry.ts';
import { ArrivalClock, unshareEvents, type AgentSource } from './sources/source.ts';
import { batchBytes } from './buffer.ts';
import { SinkWorker, sinkMetrics } from './sink-worker.ts';
import { FileSource } from './sources/file-source.ts';
import { SightlineSink } from './sinks/sightline-sink.ts';
import { SightlineBodyWriter } from './sinks/sightline-body-writer.ts';
import type { AgentConfig } from './agent-config.ts';

/** The pipeline as the agent uses it (the same library as the server's). */
export interface AgentPipeline {
  process(events: PipelineEvent[], nowMs: number): PipelineEvent[];
  /** held events (multiline, dedupe) whose time is up; all of them when `final` */
  flush(nowMs: number, final: boolean): PipelineEvent[];
}

/** A batch handed to the sinks, waiting for all of them before its source may checkpoint it. */
interface InFlight {
  acknowledge: () => void;
  remaining: number;
}

// one round reads about this much from each source: enough to fill a request, small enough that little is held
const READ_BYTES_PER_ROUND = 256 * 1024;

export class Agent {
  private readonly checkpoints: Checkpoints;
  private readonly sources: AgentSource[];
  readonly workers: SinkWorker[];
  private readonly inFlight: InFlight[] = [];
  private running = false;
  private loop: Promise<void> | undefined;
  private api: http.Server | undefined;
  /** the checkpoint save in progress, and whether acks came while it ran */
  private saving: Promise<void> | undefined;
  private saveAgain = false;
  readonly metrics = {
    linesRead: new Counter('sightline_agent_source_lines_total', 'Lines read, by source.'),
    bytesRead: new Counter('sightline_agent_source_bytes_total', 'Bytes read, by source.'),
    ...sinkMetrics(),
  };

  constructor(readonly config: AgentConfig, private readonly pipeline?: AgentPipeline, private readonly log: (m: string) => void = (m) => process.stderr.write(`agent: ${m}\n`)) {
    this.checkpoints = new Checkpoints(config.dataDir);
    const clock = new ArrivalClock();
    this.sources = config.sources.map((s) => buildSource(s, { ...config.labels, ...s.labels }, this.checkpoints, clock, log));
    this.workers = config.sinks.map(
      (s) => new SinkWorker(s.sink, s.inputs, s.buffer, `${config.dataDir}/buffers/${s.sink.name}`, s.batchMaxEvents, s.concurrency, s.retry, this.metrics, log),
    );
    if (!pipeline) for (const s of this.sources) this.setUpFastPath(s, clock, config);
  }

  /**
   * The byte fast path (docs/agent.md, "Memory and speed"): a UTF-8 file source whose only sink is a sightline sink
   * with a memory buffer, and no pipeline (so no processor or multiline), goes from read buffer to request body.
   */
  private setUpFastPath(source: AgentSource, clock: ArrivalClock, config: AgentConfig): void {
    if (!(source instanceof FileSource) || source.config.encoding !== 'utf8') return;
    const takers = this.workers.filter((w) => !w.inputs || w.inputs.includes(source.name));
    if (takers.length !== 1) return;
    const w = takers[0];
    const spec = config.sinks.find((s) => s.sink === w.sink)!;
    if (!(w.sink instanceof SightlineSink) || spec.buffer.type !== 'memory') return;
    const sink = w.sink;
    source.useBodyWriter(new SightlineBodyWriter(source.labels, clock, spec.batchMaxEvents), (events) => sink.encode(events));
  }

  async start(): Promise<void> {
    this.running = true;
    for (const w of this.workers) w.start();
    for (const s of this.sources) await s.start?.();
    if (this.config.api) this.api = await this.startApi(this.config.api.host, this.config.api.port);
    this.loop = this.run();
  }

  /** The metrics/health listener's address, when configured. */
  get apiAddress(): AddressInfo | undefined {
    return this.api?.address() as AddressInfo | undefined;
  }

  /** Where a listening source (syslog) listens, by source name. */
  sourceAddress(name: string): AddressInfo | undefined {
    return this.sources.find((s) => s.name === name)?.address;
  }

  /** Sources on the byte fast path (see setUpFastPath), for /health and tests. */
  fastPathSources(): string[] {
    return this.sources.filter((s) => s instanceof FileSource && s.encodesBodies).map((s) => s.name);
  }

  /** Files being tailed (path, offset), for health output and tests. */
  filePositions(): { source: string; path: string; offset: number }[] {
    return this.sources.flatMap((s) => (s.positions?.() ?? []).map((p) => ({ source: s.name, path: p.path, offset: p.offset })));
  }

  /** Stops reading, lets the sinks deliver what they hold for up to `drainMs`, saves checkpoints, closes. */
  async stop(drainMs = 5000): Promise<void> {
    this.running = false;
    await this.loop;
    if (this.pipeline) {
      const held = this.pipeline.flush(Date.now(), true);
      if (held.length > 0) await this.dispatch('', held, () => {});
    }
    await Promise.all(this.workers.map((w) => w.drained(drainMs)));
    await Promise.all(this.workers.map((w) => w.close()));
    while (this.saving) await this.saving;
    this.checkpoints.save();
    for (const s of this.sources) await s.close();
    if (this.api) await new Promise<void>((r) => this.api!.close(() => r()));
  }

  private async run(): Promise<void> {
    let idleRounds = 0;
    while (this.running) {
      const now = Date.now();
      let readAny = false;
      for (const s of this.sources) {
        const batch = s.read(now, READ_BYTES_PER_ROUND);
        if (!batch) continue;
        readAny = true;
        this.metrics.linesRead.inc({ source: s.name }, batch.count ?? batch.events.length);
        this.metrics.bytesRead.inc({ source: s.name }, batch.bytes);
        if (batch.pieces) {
          await this.dispatchEncoded(s.name, batch.pieces, batch.count ?? 0, batch.acknowledge);
          continue;
        }
        if (this.pipeline) unshareEvents(batch.events);
        const events = this.pipeline ? this.pipeline.process(batch.events, now) : batch.events;
        await this.dispatch(s.name, events, batch.acknowledge);
      }
      if (this.pipeline) {
        const held = this.pipeline.flush(now, false);
        if (held.length > 0) await this.dispatch('', held, () => {});
      }
      if (!readAny) {
        // back off gently when idle: 50 ms at first, up to 250 ms
        idleRounds++;
        await new Promise((r) => setTimeout(r, Math.min(250, 50 * idleRounds)));
      } else {
        idleRounds = 0;
      }
    }
  }

  /** Hands events to each sink that takes them; the positions are checkpointed once all of those have them. */
  private async dispatch(source: string, events: PipelineEvent[], acknowledge: () => void): Promise<void> {
    const entry: InFlight = { acknowledge, remaining: 0 };
    const targets: { worker: SinkWorker; events: PipelineEvent[] }[] = [];
    for (const w of this.workers) {
      if (source !== '' && w.inputs && !w.inputs.includes(source)) continue;
      const mine = events.filter((e) => !e.outputs || e.outputs.includes(w.sink.name));
      if (mine.length > 0) targets.push({ worker: w, events: mine });
    }
    entry.remaining = targets.length;
    this.inFlight.push(entry);
    if (targets.length === 0) this.settle();
    for (const t of targets) {
      await t.worker.accept(t.events, batchBytes(t.events), () => {
        entry.remaining--;
        this.settle();
      });
    }
  }

  /** The fast path's batch: request bodies for the one sink that takes this source (see setUpFastPath). */
  private async dispatchEncoded(source: string, pieces: { body: Buffer; events: number }[], count: number, acknowledge: () => void): Promise<void> {
    const worker = this.workers.find((w) => !w.inputs || w.inputs.includes(source))!;
    const entry: InFlight = { acknowledge, remaining: count > 0 ? 1 : 0 };
    this.inFlight.push(entry);
    if (count === 0) {
      this.settle(); // only skipped bytes (the rest of an overlong line): nothing to send, the offset still moves
      return;
    }
    await worker.acceptEncoded(pieces, count, () => {
      entry.remaining--;
      this.settle();
    });
  }

  /** Acknowledges finished batches to their sources, oldest first, stopping at the first unfinished one. */
  private settle(): void {
    let moved = false;
    while (this.inFlight.length > 0 && this.inFlight[0].remaining === 0) {
      this.inFlight.shift()!.acknowledge();
      moved = true;
    }
    if (moved) this.saveCheckpoints();
  }

  /** Saves the acked positions now, or right after the save in progress (which then covers every ack since). */
  private saveCheckpoints(): void {
    if (this.saving) {
      this.saveAgain = true;
      return;
    }
    this.saveAgain = false;
    this.saving = this.checkpoints
      .saveAsync()
      .catch((e: unknown) => this.log(`cannot save checkpoints: ${(e as Error).message}`))
      .finally(() => {
        this.saving = undefined;
        if (this.saveAgain) this.saveCheckpoints();
      });
  }

  private async startApi(host: string, port: number): Promise<http.Server> {
    const gauges = [
      new Gauge('sightline_agent_buffer_events', 'Events waiting in sink buffers.', () => this.workers.reduce((n, w) => n + w.buffer.events, 0)),
      new Gauge('sightline_agent_buffer_bytes', 'Bytes waiting in sink buffers.', () => this.workers.reduce((n, w) => n + w.buffer.bytes, 0)),
      new Gauge('sightline_agent_files', 'Files being tailed.', () => this.filePositions().length),
      new Gauge('process_resident_memory_bytes', 'Resident memory of the agent.', () => process.memoryUsage.rss()),
    ];
    const server = http.createServer((req, res) => {
      if (req.url === '/metrics') {
        const m = this.metrics;
        let text = [m.linesRead, m.bytesRead, m.sent, m.retries, m.failures, m.dropped, ...gauges].map((x) => x.render()).join('');
        text += '# HELP sightline_agent_file_lag_bytes Bytes written to a file but not yet read.\n# TYPE sightline_agent_file_lag_bytes gauge\n';
        for (const s of this.sources) for (const p of s.lag?.() ?? []) text += `sightline_agent_file_lag_bytes{source=${JSON.stringify(s.name)},path=${JSON.stringify(p.path)}} ${p.lag}\n`;
        text += '# HELP sightline_agent_source_dropped_total Messages a source could not take, by reason (malformed, udp_queue_full).\n# TYPE sightline_agent_source_dropped_total counter\n';
        for (const s of this.sources) for (const [reason, n] of Object.entries(s.drops?.() ?? {})) text += `sightline_agent_source_dropped_total{source=${JSON.stringify(s.name)},reason=${JSON.stringify(reason)}} ${n}\n`;
        res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
        res.end(text);
      } else if (req.url === '/health') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ status: 'ok', files: this.filePositions(), fastPath: this.fastPathSources(), buffers: this.workers.map((w) => ({ sink: w.sink.name, events: w.buffer.events, bytes: w.buffer.bytes })) }));
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    return server;
  }
}
