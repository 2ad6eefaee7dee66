// Reads one file from a byte offset in whole lines. The file is followed by its open descriptor, so a rename
// (logrotate's default) keeps being read to its end; a shrinking size means copytruncate and restarts at 0.
// The offset only ever points just after a newline (or a line cut at max_line_bytes), so it can be checkpointed.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { createHash } from 'node:crypto';
import type { FileIdentity } from '../checkpoints.ts';

/** How many leading bytes identify a file beside its inode (inodes are reused after deletion). */
export const FINGERPRINT_BYTES = 256;

export interface TailedLines {
  id: FileIdentity;
  path: string;
  lines: string[];
  /** bytes of the lines, newlines included */
  bytes: number;
  /** offset just after the last byte these lines consumed: the checkpoint once they are delivered */
  endOffset: number;
  fingerprint: string;
  fingerprintBytes: number;
  /** lines cut at max_line_bytes in this read */
  truncated: number;
  /** a compressed file read to its end: it is never read again */
  complete?: boolean;
}

export interface TailerOptions {
  maxLineBytes: number;
  /** bytes read per call (at least max_line_bytes + 1 so a line always fits) */
  readBytes: number;
  encoding: 'utf8' | 'latin1';
}

/** Takes a tailer's lines as byte ranges of its read buffer. */
export interface LineTarget {
  /** a new read: `buf[0, n)` holds whole lines (and maybe the head of an unfinished one) */
  chunk(buf: Buffer, n: number): void;
  /** one line, without its newline (and CR); `cut` when it was cut at max_line_bytes (maybe inside a character) */
  line(buf: Buffer, start: number, end: number, cut: boolean): void;
}

const NO_LINES: string[] = [];

/** The string path: each line decoded to a string. */
class StringLines implements LineTarget {
  readonly lines: string[] = [];
  constructor(private readonly encoding: 'utf8' | 'latin1') {}
  chunk(): void {}
  line(buf: Buffer, start: number, end: number): void {
    this.lines.push(buf.toString(this.encoding, start, end));
  }
}

export class FileTailer {
  offset: number;
  path: string;
  /** the path no longer leads to this file (renamed away or deleted): read to the end, then close */
  gone = false;
  /** when a read last returned data (or when the tailer opened), ms */
  lastDataMs: number;
  readonly fd: number;
  /** sha1 (hex) of the first `fingerprintBytes` bytes */
  fingerprint = '';
  fingerprintBytes = 0;
  /** after cutting an overlong line, the rest of it up to the next newline is skipped */
  private skipping = false;
  private buffer: Buffer;

  constructor(readonly id: FileIdentity, path: string, fd: number, offset: number, private readonly opts: TailerOptions, nowMs: number) {
    this.path = path;
    this.fd = fd;
    this.offset = offset;
    this.lastDataMs = nowMs;
    this.buffer = Buffer.allocUnsafe(Math.max(opts.readBytes, opts.maxLineBytes + 1));
    this.refreshFingerprint();
  }

  /** Opens a file for tailing; undefined when it vanished in between. */
  static open(id: FileIdentity, path: string, offset: number, opts: TailerOptions, nowMs: number): FileTailer | undefined {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch {
      return undefined;
    }
    return new FileTailer(id, path, fd, offset, opts, nowMs);
  }

  /** sha1 of the first `bytes` bytes of an open file (fewer when it is shorter). */
  static fingerprintOf(fd: number, bytes = FINGERPRINT_BYTES): { fingerprint: string; bytes: number } {
    const buf = Buffer.alloc(bytes);
    const n = readSync(fd, buf, 0, bytes, 0);
    return { fingerprint: createHash('sha1').update(buf.subarray(0, n)).digest('hex'), bytes: n };
  }

  /**
   * Reads the next whole lines (up to the read size). At the end of a file that is gone, a last line without a
   * newline is returned too. Undefined when there is nothing new.
   */
  read(nowMs: number): TailedLines | undefined {
    const collect = new StringLines(this.opts.encoding);
    const chunk = this.readInto(nowMs, collect);
    if (!chunk) return undefined;
    chunk.lines = collect.lines;
    return chunk;
  }

  /**
   * Like `read`, but hands each line to `target` as a byte range of the read buffer (valid only during the call):
   * the byte fast path makes no string per line. The chunk's `lines` is empty.
   */
  readInto(nowMs: number, target: LineTarget): TailedLines | undefined {
    const size = fstatSync(this.fd).size;
    if (size < this.offset) {
      // copytruncate: the file was emptied in place and is being written again from the start
      this.offset = 0;
      this.skipping = false;
      this.fingerprintBytes = 0;
    }
    if (this.fingerprintBytes < FINGERPRINT_BYTES && size > this.fingerprintBytes) this.refreshFingerprint();
    if (size === this.offset) return undefined;
    const buf = this.buffer;
    const n = readSync(this.fd, buf, 0, Math.min(buf.length, size - this.offset), this.offset);
    if (n === 0) return undefined;
    target.chunk(buf, n);
    let truncated = 0;
    let start = 0;
    const max = this.opts.maxLineBytes;
    for (;;) {
      const nl = buf.indexOf(10, start);
      if (nl < 0 || nl >= n) break;
      if (this.skipping) {
        this.skipping = false;
      } else {
        let end = nl > start && buf[nl - 1] === 13 ? nl - 1 : nl;
        let cut = false;
        if (end - start > max) {
          end = start + max;
          truncated++;
          cut = true;
        }
        target.line(buf, start, end, cut);
      }
      start = nl + 1;
    }
    let consumed = start;
    const rest = n - start;
    if (this.skipping && start === 0) {
      consumed = n; // still inside the overlong line
    } else if (rest > max) {
      // a line longer than the limit with no newline yet: keep its head, skip the rest
      target.line(buf, start, start + max, true);
      truncated++;
      this.skipping = true;
      consumed = n;
    } else if (this.gone && rest > 0 && this.offset + n === size) {
      // the writer is done with this file: its last line will never get a newline
      target.line(buf, start, n, false);
      consumed = n;
    }
    if (consumed === 0) return undefined;
    const bytes = consumed;
    this.offset += consumed;
    this.lastDataMs = nowMs;
    return {
      id: this.id,
      path: this.path,
      lines: NO_LINES,
      bytes,
      endOffset: this.offset,
      fingerprint: this.fingerprint,
      fingerprintBytes: this.fingerprintBytes,
      truncated,
    };
  }

  /** Bytes written but not yet read. */
  lagBytes(): number {
    return Math.max(0, fstatSync(this.fd).size - this.offset);
  }

  /** True when everything written so far has been read. */
  atEnd(): boolean {
    try {
      return fstatSync(this.fd).size <= this.offset;
    } catch {
      return true;
    }
  }

  close(): void {
    closeSync(this.fd);
  }

  private refreshFingerprint(): void {
    const { fingerprint, bytes } = FileTailer.fingerprintOf(this.fd);
    this.fingerprint = fingerprint;
    this.fingerprintBytes = bytes;
  }
}
