// The `file` source: globs of paths, re-scanned while running so new files are picked up; one tailer per file
// identity (dev:ino), resumed from its checkpoint when its fingerprint still matches. Files renamed out of the
// globs or deleted are read to their end and closed after `rotate_wait`.

import { fstatSync, openSync, closeSync, statSync } from 'node:fs';
import { globSync } from 'tinyglobby';
import type { PipelineEvent } from '../../pipeline/event.ts';
import type { Checkpoints, FileIdentity } from '../checkpoints.ts';
import { FileTailer, type TailedLines, type TailerOptions } from './file-tailer.ts';
import type { AgentSource, ArrivalClock, SourceBatch } from './source.ts';

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
}

export const DEFAULT_FILE_SOURCE: Omit<FileSourceConfig, 'include'> = {
  exclude: [],
  startAt: 'beginning',
  maxLineBytes: 256 * 1024,
  encoding: 'utf8',
  globIntervalMs: 1000,
  rotateWaitMs: 5000,
};

const READ_BYTES = 1024 * 1024;

export class FileSource implements AgentSource {
  private readonly tailers = new Map<FileIdentity, FileTailer>();
  private firstScan = true;
  private lastScanMs = -Infinity;
  /** round-robin start, so one busy file does not starve the others */
  private next = 0;
  /** lines cut at max_line_bytes so far */
  truncatedLines = 0;

  constructor(
    readonly name: string,
    readonly config: FileSourceConfig,
    private readonly labels: Record<string, string>,
    private readonly checkpoints: Checkpoints,
    private readonly clock: ArrivalClock,
  ) {}

  /** Files being tailed, for metrics and tests: path → offset. */
  positions(): { path: string; offset: number }[] {
    return [...this.tailers.values()].map((t) => ({ path: t.path, offset: t.offset }));
  }

  close(): void {
    for (const t of this.tailers.values()) t.close();
    this.tailers.clear();
  }

  /** New lines as events (`file` field = the path); acknowledging them moves the files' checkpoints. */
  read(nowMs: number, maxBytes: number): SourceBatch | undefined {
    this.scan(nowMs);
    const chunks = this.readChunks(nowMs, maxBytes);
    if (chunks.length === 0) return undefined;
    const events: PipelineEvent[] = [];
    let bytes = 0;
    for (const c of chunks) {
      bytes += c.bytes;
      this.truncatedLines += c.truncated;
      for (const line of c.lines) events.push({ tenant: '', ts: this.clock.next(), line, labels: { ...this.labels }, fields: { file: c.path } });
    }
    return {
      events,
      bytes,
      acknowledge: () => {
        for (const c of chunks) this.checkpoints.advance(c.id, { path: c.path, offset: c.endOffset, fingerprint: c.fingerprint, fingerprintBytes: c.fingerprintBytes });
      },
    };
  }

  /** Bytes written but not yet read, per file (for the lag metric). */
  lag(): { path: string; lag: number }[] {
    const out: { path: string; lag: number }[] = [];
    for (const t of this.tailers.values()) {
      try {
        out.push({ path: t.path, lag: Math.max(0, fstatSync(t.fd).size - t.offset) });
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
    const paths = globSync(this.config.include, { ignore: this.config.exclude, absolute: true, onlyFiles: true, followSymbolicLinks: true, expandDirectories: false });
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
        chunk = t.read(nowMs);
      } catch {
        chunk = undefined; // the descriptor went bad (file system unmounted…): treat as ended
        t.gone = true;
      }
      if (chunk) {
        out.push(chunk);
        bytes += chunk.bytes;
      } else if (t.gone && nowMs - t.lastDataMs >= this.config.rotateWaitMs && t.atEnd()) {
        t.close();
        this.tailers.delete(t.id);
      }
    }
    this.next = list.length === 0 ? 0 : (this.next + 1) % list.length;
    return out;
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
