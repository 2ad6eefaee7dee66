// The `file` source: globs of paths, re-scanned while running so new files are picked up; one tailer per file
// identity (dev:ino), resumed from its checkpoint when its fingerprint still matches. Files renamed out of the
// globs or deleted are read to their end and closed after `rotate_wait`.

import { fstatSync, openSync, closeSync, statSync } from 'node:fs';
import type { PipelineEvent } from '../../pipeline/event.ts';
import type { Checkpoints, FileCheckpoint, FileIdentity } from '../checkpoints.ts';
import { FileTailer, type TailedLines, type TailerOptions } from './file-tailer.ts';
import { GzipTailer, gzipPrefix, sha1 } from './gzip-tailer.ts';
import type { AgentSource, ArrivalClock, SourceBatch } from './source.ts';
import { FileGlob } from './glob-files.ts';
import type { SightlineBodyWriter } from '../sinks/sightline-body-writer.ts';

export interface FileSourceConfig {
  include: string[];
  exclude: string[];
  /** where files found at the first scan start when they have no checkpoint; files appearing later start at 0 */
  startAt: 'beginning' | 'end';
  maxLineBytes: number;
  encoding: 'utf8' | 'latin1';
  /** how often the globs are re-scanned */
  globIntervalMs: number;
  /** how long a file that left the globs is kept open after its last data */
  rotateWaitMs: number;
  /** gzip files: `auto` = names ending in .gz; true = every file; false = none (read as they are) */
  compressed: 'auto' | boolean;
}

export const DEFAULT_FILE_SOURCE: Omit<FileSourceConfig, 'include'> = {
  exclude: [],
  startAt: 'beginning',
  maxLineBytes: 256 * 1024,
  encoding: 'utf8',
  globIntervalMs: 1000,
  rotateWaitMs: 5000,
  compressed: 'auto',
};

const READ_BYTES = 1024 * 1024;

export class FileSource implements AgentSource {
  private readonly tailers = new Map<FileIdentity, FileTailer | GzipTailer>();
  /** compressed files read to their end in this run (their checkpoint says so too): not looked at again */
  private readonly doneCompressed = new Set<FileIdentity>();
  /** where compressed files that ended early (still being written?) were read up to, and their size then */
  private readonly resumeCompressed = new Map<FileIdentity, { offset: number; size: number }>();
  /** plain files closed in this run: how far they were read, for a compressed copy of one to skip that part */
  private readonly closedPlain: { fingerprint: string; fingerprintBytes: number; offset: number }[] = [];
  private firstScan = true;
  private lastScanMs = -Infinity;
  private readonly glob: FileGlob;
  /** round-robin start, so one busy file does not starve the others */
  private next = 0;
  /** lines cut at max_line_bytes so far */
  truncatedLines = 0;
  /** one read-only labels object shared by every event (see unshareEvents) */
  readonly labels: Readonly<Record<string, string>>;
  /** the byte fast path, when the agent set one up (see `useBodyWriter`) */
  private writer: SightlineBodyWriter | undefined;
  /** the slow encoder for lines of compressed files on the fast path */
  private encodeEvents: ((events: PipelineEvent[]) => Buffer) | undefined;

  constructor(
    readonly name: string,
    readonly config: FileSourceConfig,
    labels: Record<string, string>,
    private readonly checkpoints: Checkpoints,
    private readonly clock: ArrivalClock,
    private readonly log: (m: string) => void = () => {},
  ) {
    this.labels = Object.freeze({ ...labels });
    this.glob = new FileGlob(config.include, config.exclude);
  }

  /** Files being tailed, for metrics and tests: path → offset. */
  positions(): { path: string; offset: number }[] {
    return [...this.tailers.values()].map((t) => ({ path: t.path, offset: t.offset }));
  }

  close(): void {
    for (const t of this.tailers.values()) t.close();
    this.tailers.clear();
  }

  /**
   * The byte fast path: batches come as the sightline sink's request bodies, made from the read buffer with no
   * string or event per line. Only for UTF-8 files shipped to one sightline sink with no pipeline (the agent checks).
   * `encode` is the sink's own encoder, for lines of compressed files (read as strings).
   */
  useBodyWriter(writer: SightlineBodyWriter, encode: (events: PipelineEvent[]) => Buffer): void {
    this.writer = writer;
    this.encodeEvents = encode;
  }

  /** True when this source makes request bodies itself (the byte fast path). */
  get encodesBodies(): boolean {
    return this.writer !== undefined;
  }

  /** New lines as events (`file` field = the path); acknowledging them moves the files' checkpoints. */
  read(nowMs: number, maxBytes: number): SourceBatch | undefined {
    this.scan(nowMs);
    const chunks = this.readChunks(nowMs, maxBytes);
    if (chunks.length === 0) return undefined;
    if (this.writer) return this.encodedBatch(chunks);
    const events: PipelineEvent[] = [];
    let bytes = 0;
    // what the acknowledgement needs, without the lines (they must not stay alive until delivery)
    const positions: { id: FileIdentity; cp: Omit<FileCheckpoint, 'updatedMs'> }[] = [];
    for (const c of chunks) {
      bytes += c.bytes;
      this.truncatedLines += c.truncated;
      // events of a chunk share frozen labels and fields: no copies per line, and sinks reuse their JSON
      const fields = Object.freeze({ file: c.path });
      for (const line of c.lines) events.push({ tenant: '', ts: this.clock.next(), line, labels: this.labels, fields });
      const cp = { path: c.path, offset: c.endOffset, fingerprint: c.fingerprint, fingerprintBytes: c.fingerprintBytes };
      positions.push({ id: c.id, cp: c.complete ? { ...cp, complete: true } : cp });
    }
    return {
      events,
      bytes,
      acknowledge: () => {
        for (const p of positions) this.checkpoints.advance(p.id, p.cp);
      },
    };
  }

  /** The fast path's batch: the bodies were written while reading; compressed files' lines are encoded here. */
  private encodedBatch(chunks: TailedLines[]): SourceBatch {
    const writer = this.writer!;
    let bytes = 0;
    const positions: { id: FileIdentity; cp: Omit<FileCheckpoint, 'updatedMs'> }[] = [];
    for (const c of chunks) {
      bytes += c.bytes;
      this.truncatedLines += c.truncated;
      const cp = { path: c.path, offset: c.endOffset, fingerprint: c.fingerprint, fingerprintBytes: c.fingerprintBytes };
      positions.push({ id: c.id, cp: c.complete ? { ...cp, complete: true } : cp });
    }
    const { pieces, count } = writer.finish();
    return {
      events: [],
      pieces,
      count,
      bytes,
      acknowledge: () => {
        for (const p of positions) this.checkpoints.advance(p.id, p.cp);
      },
    };
  }

  /** Bytes written but not yet read, per file (for the lag metric). */
  lag(): { path: string; lag: number }[] {
    const out: { path: string; lag: number }[] = [];
    for (const t of this.tailers.values()) {
      try {
        out.push({ path: t.path, lag: t.lagBytes() });
      } catch {
        // closed meanwhile
      }
    }
    return out;
  }

  /** Re-scans the globs when due: opens new files, notices files that left. */
  scan(nowMs: number, force = false): void {
    if (!force && nowMs - this.lastScanMs < this.config.globIntervalMs) return;
    this.lastScanMs = nowMs;
    const paths = this.glob.files();
    const seen = new Set<FileIdentity>();
    for (const p of paths) {
      let st;
      try {
        st = statSync(p);
      } catch {
        continue; // vanished between glob and stat
      }
      const id: FileIdentity = `${st.dev}:${st.ino}`;
      seen.add(id);
      const existing = this.tailers.get(id);
      if (existing) {
        existing.path = p;
        existing.gone = false;
        continue;
      }
      if (this.doneCompressed.has(id)) continue;
      if (this.config.compressed === true || (this.config.compressed === 'auto' && p.endsWith('.gz'))) {
        const tailer = this.openCompressed(id, p, nowMs);
        if (tailer) this.tailers.set(id, tailer);
        continue;
      }
      const offset = this.startOffset(id, p, st.size);
      if (offset === undefined) continue;
      const tailer = FileTailer.open(id, p, offset, this.tailerOptions(), nowMs);
      if (tailer) this.tailers.set(id, tailer);
    }
    for (const [id, t] of this.tailers) if (!seen.has(id)) t.gone = true;
    this.firstScan = false;
  }

  /** Reads whole lines from the files in turn until about `maxBytes` are gathered. */
  readChunks(nowMs: number, maxBytes: number): TailedLines[] {
    const out: TailedLines[] = [];
    let bytes = 0;
    const list = [...this.tailers.values()];
    for (let i = 0; i < list.length && bytes < maxBytes; i++) {
      const t = list[(this.next + i) % list.length];
      let chunk: TailedLines | undefined;
      try {
        if (this.writer && t instanceof FileTailer) {
          this.writer.file(t.path);
          chunk = t.readInto(nowMs, this.writer);
        } else {
          chunk = t.read(nowMs);
          if (chunk && this.writer) {
            // fast path, compressed file: its lines were decoded by the gzip tailer; encoded the slow way, in order
            this.writer.settleClock();
            const fields = Object.freeze({ file: chunk.path });
            const events: PipelineEvent[] = [];
            for (const line of chunk.lines) events.push({ tenant: '', ts: this.clock.next(), line, labels: this.labels, fields });
            this.writer.encoded(this.encodeEvents!(events), events.length);
          }
        }
      } catch {
        chunk = undefined; // the descriptor went bad (file system unmounted…): treat as ended
        t.gone = true;
      }
      if (chunk) {
        out.push(chunk);
        bytes += chunk.bytes;
      } else if (t instanceof GzipTailer) {
        if (t.finished || (t.incomplete && t.atEnd())) {
          t.close();
          this.tailers.delete(t.id);
          if (t.finished) this.doneCompressed.add(t.id);
          else this.resumeCompressed.set(t.id, { offset: t.offset, size: sizeOf(t.path) });
        }
      } else if (t.gone && nowMs - t.lastDataMs >= this.config.rotateWaitMs && t.atEnd()) {
        t.close();
        this.tailers.delete(t.id);
        this.closedPlain.push({ fingerprint: t.fingerprint, fingerprintBytes: t.fingerprintBytes, offset: t.offset });
      }
    }
    this.next = list.length === 0 ? 0 : (this.next + 1) % list.length;
    return out;
  }


  /**
   * A compressed file: read once, from its own checkpoint, else from how far the same content was read as a plain
   * file (matched by the fingerprint of the uncompressed first bytes: logrotate's `app.log` → `app.log.1` →
   * `app.log.1.gz`). Waits while that plain file is still open here, so nothing is read twice.
   */
  private openCompressed(id: FileIdentity, p: string, nowMs: number): GzipTailer | undefined {
    const prefix = gzipPrefix(p);
    if (prefix === undefined) return undefined; // too short to tell (being written): looked at again at the next scan
    if (prefix === 'not gzip') {
      this.log(`source ${this.name}: ${p}: not gzip (no gzip header), skipped; set compressed: false to read such files as text`);
      this.doneCompressed.add(id);
      return undefined;
    }
    const matches = (fingerprint: string, bytes: number) => bytes <= prefix.length && sha1(prefix.subarray(0, bytes)) === fingerprint;
    const resume = this.resumeCompressed.get(id);
    if (resume) {
      const size = sizeOf(p);
      if (size === resume.size) {
        // it did not grow since it ended early: wait for a compressor still at work, then say it is cut short
        if (nowMs - mtimeOf(p) < this.config.rotateWaitMs) return undefined;
        this.log(`source ${this.name}: ${p}: the compressed stream ends early (cut short?); read up to uncompressed byte ${resume.offset}, the rest is skipped`);
        this.doneCompressed.add(id);
        return undefined;
      }
    }
    let start = resume?.offset ?? 0;
    const own = this.checkpoints.get(id);
    if (own && matches(own.fingerprint, own.fingerprintBytes)) {
      if (own.complete) {
        this.doneCompressed.add(id);
        return undefined;
      }
      start = Math.max(start, own.offset);
    } else {
      for (const t of this.tailers.values()) if (t instanceof FileTailer && t.fingerprintBytes > 0 && matches(t.fingerprint, t.fingerprintBytes)) return undefined;
      for (const cp of this.checkpoints.all()) if (!cp.complete && matches(cp.fingerprint, cp.fingerprintBytes)) start = Math.max(start, cp.offset);
      for (const c of this.closedPlain) if (matches(c.fingerprint, c.fingerprintBytes)) start = Math.max(start, c.offset);
    }
    return new GzipTailer(id, p, prefix, start, this.tailerOptions(), nowMs, (m) => this.log(`source ${this.name}: ${m}`));
  }

  private tailerOptions(): TailerOptions {
    return { maxLineBytes: this.config.maxLineBytes, readBytes: READ_BYTES, encoding: this.config.encoding };
  }

  /** The checkpointed offset when the file is the one checkpointed; else the start_at rule. */
  private startOffset(id: FileIdentity, p: string, size: number): number | undefined {
    const cp = this.checkpoints.get(id);
    if (cp) {
      let fd: number;
      try {
        fd = openSync(p, 'r');
      } catch {
        return undefined;
      }
      try {
        const { fingerprint } = FileTailer.fingerprintOf(fd, cp.fingerprintBytes);
        // same inode, same first bytes: the file we were reading; a smaller size means it was truncated since
        if (fingerprint === cp.fingerprint) return cp.offset <= fstatSync(fd).size ? cp.offset : 0;
      } finally {
        closeSync(fd);
      }
      return 0; // the inode was reused by a new file
    }
    return this.firstScan && this.config.startAt === 'end' ? size : 0;
  }
}

function sizeOf(p: string): number {
  try {
    return statSync(p).size;
  } catch {
    return -1;
  }
}

function mtimeOf(p: string): number {
  try {
    return statSync(p).mtimeMs;
  } catch {
    return 0;
  }
}
