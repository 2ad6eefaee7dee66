// Where each tailed file has been read up to, persisted so a restart neither skips nor repeats more than the
// batch that was in flight. A file is known by its device and inode, checked against a fingerprint of its first
// bytes (inodes are reused). Saved atomically (write, fsync, rename) and only for positions the sinks have acked.

import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import path from 'node:path';

export interface FileCheckpoint {
  /** last path the file was seen at (informational: identity is dev:ino + fingerprint) */
  path: string;
  /** byte offset just after the last acknowledged line */
  offset: number;
  /** sha1 (hex) of the first `fingerprintBytes` bytes */
  fingerprint: string;
  fingerprintBytes: number;
  /** a compressed file read to its end (it is never read again) */
  complete?: boolean;
  /** when this checkpoint last moved, ms; stale ones are pruned */
  updatedMs: number;
}

/** `dev:ino` */
export type FileIdentity = string;

const PRUNE_AFTER_MS = 7 * 86_400_000;

export class Checkpoints {
  private readonly entries = new Map<FileIdentity, FileCheckpoint>();
  /** opaque positions of other sources (a journald cursor), by source name */
  private readonly cursors = new Map<string, string>();
  private dirty = false;
  private readonly file: string;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.file = path.join(dataDir, 'checkpoints.json');
    let text: string | undefined;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      return; // first start
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new Error(`${this.file}: corrupt checkpoint file (${(e as Error).message}); move it away to start over`);
    }
    const { files = {}, cursors = {} } = parsed as { files?: Record<string, FileCheckpoint>; cursors?: Record<string, string> };
    for (const [id, cp] of Object.entries(files)) this.entries.set(id, cp);
    for (const [name, cursor] of Object.entries(cursors)) this.cursors.set(name, cursor);
  }

  get(id: FileIdentity): FileCheckpoint | undefined {
    return this.entries.get(id);
  }

  /** Records an acknowledged position (kept in memory until `save`). */
  advance(id: FileIdentity, cp: Omit<FileCheckpoint, 'updatedMs'>, nowMs = Date.now()): void {
    const prev = this.entries.get(id);
    if (prev && prev.fingerprint === cp.fingerprint && prev.offset > cp.offset && cp.offset !== 0) return;
    this.entries.set(id, { ...cp, updatedMs: nowMs });
    this.dirty = true;
  }

  /** Every file checkpoint (for finding a file by fingerprint under another identity: a rotated, compressed copy). */
  all(): IterableIterator<FileCheckpoint> {
    return this.entries.values();
  }

  cursor(source: string): string | undefined {
    return this.cursors.get(source);
  }

  setCursor(source: string, cursor: string): void {
    this.cursors.set(source, cursor);
    this.dirty = true;
  }

  forget(id: FileIdentity): void {
    if (this.entries.delete(id)) this.dirty = true;
  }

  /** The checkpoints as written to disk, pruned of files not seen for a long time; clears the dirty mark. */
  private snapshot(nowMs: number): string {
    for (const [id, cp] of this.entries) if (nowMs - cp.updatedMs > PRUNE_AFTER_MS) this.entries.delete(id);
    this.dirty = false;
    return JSON.stringify({ version: 1, files: Object.fromEntries(this.entries), cursors: Object.fromEntries(this.cursors) });
  }

  /**
   * Writes the checkpoints durably if they changed, off the main thread: the agent calls it on every acknowledgement
   * (one save at a time, the next one covering every ack that came meanwhile), so a kill -9 repeats at most what was
   * in flight plus the acks of one save's duration. Never runs beside save() (the agent awaits it before stopping).
   */
  async saveAsync(nowMs = Date.now()): Promise<void> {
    if (!this.dirty) return;
    const text = this.snapshot(nowMs);
    const tmp = this.file + '.tmp';
    try {
      const fh = await open(tmp, 'w');
      try {
        await fh.writeFile(text);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, this.file);
      const dir = await open(path.dirname(this.file), 'r');
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
    } catch (e) {
      this.dirty = true; // written next time
      throw e;
    }
  }

  /** Writes the checkpoints durably if they changed. */
  save(nowMs = Date.now()): void {
    if (!this.dirty) return;
    const text = this.snapshot(nowMs);
    const tmp = this.file + '.tmp';
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
    const dirFd = openSync(path.dirname(this.file), 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  }
}
