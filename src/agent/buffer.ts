// A sink's buffer: batches waiting for delivery, bounded in events and bytes. `memory` holds them in the
// process; `disk` writes each batch to its own file (fsync + rename) before accepting it, so accepted batches
// survive a restart and a dead destination does not hold the sources back until the disk budget is used.

import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { PipelineEvent } from '../pipeline/event.ts';
import { decodeEvent, encodeEvent } from './event-record.ts';

export interface BufferConfig {
  type: 'memory' | 'disk';
  maxEvents: number;
  maxBytes: number;
  /** `block` holds the sources back (nothing lost); `drop_newest` refuses new batches and counts them */
  whenFull: 'block' | 'drop_newest';
}

// small by default: a memory buffer only needs to keep the next batches ready (the files are the real buffer)
export const DEFAULT_BUFFER: BufferConfig = { type: 'memory', maxEvents: 10_000, maxBytes: 4 * 1024 * 1024, whenFull: 'block' };

/** A request body made ahead by the sink (`Sink.encode`) for `events` events. */
export interface EncodedPiece {
  body: Buffer;
  events: number;
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

  /**
   * Appends encoded pieces to the newest batch when it is not being sent yet (index ≥ `started`) and stays within
   * `maxEvents`, so small reads still make full-sized requests (each one a commit at the destination); else pushes
   * a new batch. Returns the batch that holds them.
   */
  pushEncoded(pieces: EncodedPiece[], started: number, maxEvents: number): BufferedBatch {
    const last = this.queue[this.queue.length - 1];
    let count = 0;
    let bytes = 0;
    for (const p of pieces) {
      count += p.events;
      bytes += p.body.length;
    }
    const tail = last?.pieces?.[last.pieces.length - 1];
    if (tail && this.queue.length - 1 >= started && pieces.length === 1 && tail.events + count <= maxEvents) {
      last!.pieces![last!.pieces!.length - 1] = { body: Buffer.concat([tail.body, pieces[0].body]), events: tail.events + count };
      last!.count += count;
      last!.bytes += bytes;
      this.events += count;
      this.bytes += bytes;
      return last!;
    }
    this.push([], bytes, pieces);
    return this.queue[this.queue.length - 1];
  }

  events = 0;
  bytes = 0;
  constructor(private readonly cfg: BufferConfig) {}

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
