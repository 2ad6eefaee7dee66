// A sink's buffer: batches waiting for delivery, bounded in events and bytes. `memory` holds them in the
// process; `disk` writes each batch to its own file (fsync + rename) before accepting it, so accepted batches
// survive a restart and a dead destination does not hold the sources back until the disk budget is used.
// A memory buffer of a gzip destination holds each batch as one gzipped request body (level 1, compressed as it
// arrives, joined when sealed: full, followed by a newer batch, or being sent); the sink sends it as is.

import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { gzip, gzipSync } from 'node:zlib';
import { promisify } from 'node:util';
import type { PipelineEvent } from '../pipeline/event.ts';
import { decodeEvent, encodeEvent } from './event-record.ts';

export interface BufferConfig {
  type: 'memory' | 'disk';
  maxEvents: number;
  maxBytes: number;
  /** `block` holds the sources back (nothing lost); `drop_newest` refuses new batches and counts them */
  whenFull: 'block' | 'drop_newest';
}

// a memory buffer only needs to keep the next batches ready (the files are the real buffer): room for the default
// `batch.concurrency` (4) batches of `batch.max_events` (10,000) on the wire plus one filling. Held gzipped, 50,000
// typical lines take about 2 MB; the byte bound caps bodies still being compressed (raw) and unusual lines.
export const DEFAULT_BUFFER: BufferConfig = { type: 'memory', maxEvents: 50_000, maxBytes: 8 * 1024 * 1024, whenFull: 'block' };

// compression runs on libuv's thread pool, off the agent's main thread
const gzipAsync = promisify(gzip);

/** A request body made ahead by the sink (`Sink.encode`) for `events` events. */
export interface EncodedPiece {
  body: Buffer;
  events: number;
  /** the body is gzip already (its batch was sealed) */
  gzipped?: boolean;
  /** a body lent from a pool (the fast path's write buffers): called once, when nothing reads it any more */
  release?: () => void;
}

export interface BufferedBatch {
  events: PipelineEvent[];
  /** when set, the batch as the sink's request bodies (`events` is then empty: only bytes wait in memory) */
  pieces?: EncodedPiece[];
  /** events in the batch */
  count: number;
  bytes: number;
  /** the disk file holding it, when the buffer is on disk */
  file?: string;
  /** memory buffers: what to call once it is delivered (one per batch accepted into it) */
  dones?: (() => void)[];
  /** memory buffers: set once the batch takes no more events; resolves when `pieces` is ready to send */
  sealed?: Promise<void>;
  /** compressing memory buffers, until sealed: the batch's gzip members in order (undefined while compressing) */
  members?: (Buffer | undefined)[];
  compressing?: Promise<void>[];
}

export interface SinkBuffer {
  readonly events: number;
  readonly bytes: number;
  /** True when a batch of this size fits now. An empty buffer always takes one batch, however large. */
  fits(events: number, bytes: number): boolean;
  /** Stores a batch (durably, for disk); a memory buffer may take it already encoded (`pieces`). */
  push(events: PipelineEvent[], bytes: number, pieces?: EncodedPiece[]): void;
  /** The `index`-th oldest batch (0 = the oldest), not removed until acknowledged. */
  peek(index?: number): BufferedBatch | undefined;
  /** Removes the oldest batch. */
  ack(): void;
}

export function batchBytes(events: PipelineEvent[]): number {
  let n = 0;
  for (const e of events) n += e.line.length + 64;
  return n;
}

export class MemoryBuffer implements SinkBuffer {
  private readonly queue: BufferedBatch[] = [];
  events = 0;
  bytes = 0;

  /**
   * `compress`: the sink takes gzip bodies, so each batch is one request body held gzipped; `onSpace`: called when
   * compression made room.
   */
  constructor(private readonly cfg: BufferConfig, private readonly compress = false, private readonly onSpace?: () => void) {}

  /**
   * Takes request bodies made ahead by the sink. They join the newest batch when it is not being sent yet (index ≥
   * `started`), not sealed, and stays within `maxEvents`, so small reads still make full-sized requests (each one a
   * commit at the destination); else they start a new batch. Returns the newest batch that holds them.
   */
  pushEncoded(pieces: EncodedPiece[], started: number, maxEvents: number): BufferedBatch {
    if (this.compress) {
      for (const p of pieces) this.addCompressed(p, started, maxEvents);
      return this.queue[this.queue.length - 1];
    }
    const last = this.queue[this.queue.length - 1];
    let count = 0;
    let bytes = 0;
    for (const p of pieces) {
      count += p.events;
      bytes += p.body.length;
    }
    const tail = last?.pieces?.[last.pieces.length - 1];
    if (tail && !last!.sealed && this.queue.length - 1 >= started && pieces.length === 1 && tail.events + count <= maxEvents) {
      last!.pieces![last!.pieces!.length - 1] = { body: Buffer.concat([tail.body, pieces[0].body]), events: tail.events + count };
      pieces[0].release?.();
      last!.count += count;
      last!.bytes += bytes;
      this.events += count;
      this.bytes += bytes;
      return last!;
    }
    // a body lent from a pool is copied: it may wait here, and sending does not say when it is done with it
    const own = pieces.map((p) => (p.release ? (p.release(), { body: Buffer.from(p.body), events: p.events }) : p));
    this.push([], bytes, own);
    return this.queue[this.queue.length - 1];
  }

  /**
   * Compressing buffers: the body joins the newest batch (or starts one) and is gzipped at once (level 1, on the
   * thread pool) as a gzip member of its own; a batch's members joined make its request body (RFC 1952 §2.2: a gzip
   * stream is a series of members). Its raw bytes count against `max_bytes` until compressed.
   */
  private addCompressed(p: EncodedPiece, started: number, maxEvents: number): void {
    let batch = this.queue[this.queue.length - 1];
    if (!batch || batch.sealed || this.queue.length - 1 < started || !batch.members || batch.count + p.events > maxEvents) {
      if (batch) void this.seal(batch);
      batch = { events: [], count: 0, bytes: 0, members: [], compressing: [] };
      this.queue.push(batch);
    }
    const members = batch.members!;
    const slot = members.length;
    members.push(undefined);
    batch.count += p.events;
    batch.bytes += p.body.length;
    this.events += p.events;
    this.bytes += p.body.length;
    const owner = batch;
    const raw = p.body.length;
    batch.compressing!.push(
      gzipAsync(p.body, { level: 1 })
        // the thread pool could not (out of memory?): once more here, so the batch is not lost
        .catch(() => gzipSync(p.body, { level: 1 }))
        .then((z) => {
        members[slot] = z;
        p.release?.();
        owner.bytes -= raw - z.length;
        // still held (a batch is only sent, then dropped, after its members are all compressed)
        this.bytes -= raw - z.length;
        this.onSpace?.();
      }),
    );
    if (batch.count >= maxEvents) void this.seal(batch);
  }

  /** Takes no more events into the batch; resolves once its request body is ready (gzipped when compressing). */
  seal(batch: BufferedBatch): Promise<void> {
    if (batch.sealed) return batch.sealed;
    if (!batch.members) return (batch.sealed = Promise.resolve());
    const members = batch.members;
    batch.sealed = Promise.all(batch.compressing!).then(() => {
      const parts = members as Buffer[];
      batch.pieces = [{ body: parts.length === 1 ? parts[0] : Buffer.concat(parts), events: batch.count, gzipped: true }];
      batch.members = undefined;
      batch.compressing = undefined;
    });
    return batch.sealed;
  }

  /** batches held */
  get length(): number {
    return this.queue.length;
  }

  fits(events: number, bytes: number): boolean {
    return this.queue.length === 0 || (this.events + events <= this.cfg.maxEvents && this.bytes + bytes <= this.cfg.maxBytes);
  }

  push(events: PipelineEvent[], bytes: number, pieces?: EncodedPiece[]): void {
    let count = events.length;
    if (pieces) {
      count = 0;
      bytes = 0;
      for (const p of pieces) {
        count += p.events;
        bytes += p.body.length;
      }
      events = [];
    }
    this.queue.push({ events, pieces, count, bytes });
    this.events += count;
    this.bytes += bytes;
  }

  peek(index = 0): BufferedBatch | undefined {
    return this.queue[index];
  }

  ack(): void {
    const b = this.queue.shift();
    if (b) {
      this.events -= b.count;
      this.bytes -= b.bytes;
    }
  }
}

export class DiskBuffer implements SinkBuffer {
  private readonly files: { file: string; events: number; bytes: number }[] = [];
  private nextSeq = 0;
  /** batches read back from disk while they are being sent, by file */
  private readonly loaded = new Map<string, BufferedBatch>();
  events = 0;
  bytes = 0;

  constructor(private readonly dir: string, private readonly cfg: BufferConfig) {
    mkdirSync(dir, { recursive: true });
    for (const name of readdirSync(dir).sort()) {
      const file = path.join(dir, name);
      if (name.endsWith('.tmp')) {
        rmSync(file, { force: true }); // a batch whose write never completed was never accepted
        continue;
      }
      const m = /^(\d{12})\.ndjson$/.exec(name);
      if (!m) continue;
      const size = statSync(file).size;
      const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').length;
      this.files.push({ file, events: lines, bytes: size });
      this.events += lines;
      this.bytes += size;
      this.nextSeq = Math.max(this.nextSeq, Number(m[1]) + 1);
    }
  }

  fits(events: number, bytes: number): boolean {
    return this.files.length === 0 || (this.events + events <= this.cfg.maxEvents && this.bytes + bytes <= this.cfg.maxBytes);
  }

  push(events: PipelineEvent[], _bytes: number): void {
    let text = '';
    for (const e of events) text += encodeEvent(e) + '\n';
    const file = path.join(this.dir, String(this.nextSeq++).padStart(12, '0') + '.ndjson');
    const tmp = file + '.tmp';
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
    const dirFd = openSync(this.dir, 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
    const bytes = Buffer.byteLength(text);
    this.files.push({ file, events: events.length, bytes });
    this.events += events.length;
    this.bytes += bytes;
  }

  peek(index = 0): BufferedBatch | undefined {
    const f = this.files[index];
    if (!f) return undefined;
    const cached = this.loaded.get(f.file);
    if (cached) return cached;
    const events: PipelineEvent[] = [];
    const lines = readFileSync(f.file, 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (lines[i] === '') continue;
      try {
        events.push(decodeEvent(lines[i]));
      } catch (e) {
        process.stderr.write(`agent: ${f.file}:${i + 1}: unreadable buffered event skipped (${(e as Error).message})\n`);
      }
    }
    const batch = { events, count: events.length, bytes: f.bytes, file: f.file };
    this.loaded.set(f.file, batch);
    return batch;
  }

  ack(): void {
    const f = this.files.shift();
    if (!f) return;
    this.loaded.delete(f.file);
    rmSync(f.file, { force: true });
    this.events -= f.events;
    this.bytes -= f.bytes;
  }
}
