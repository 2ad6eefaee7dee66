// Reads one gzip-compressed file (a rotated log, e.g. app.log.1.gz) once to its end, in whole lines, from an offset
// in *uncompressed* bytes. Its fingerprint is that of its uncompressed first bytes, so a file compressed after the
// agent read it as plain text is recognized (same fingerprint) and only its unread rest is read. Decompression
// streams on libuv's pool; at most QUEUE_BYTES of lines wait, the stream is paused beyond that.

import { createReadStream, type ReadStream } from 'node:fs';
import { createHash } from 'node:crypto';
import { constants, createGunzip, gunzipSync, type Gunzip } from 'node:zlib';
import { closeSync, openSync, readSync } from 'node:fs';
import type { FileIdentity } from '../checkpoints.ts';
import { FINGERPRINT_BYTES, type TailedLines, type TailerOptions } from './file-tailer.ts';

const QUEUE_BYTES = 1024 * 1024;
/** compressed bytes read to find the first uncompressed FINGERPRINT_BYTES (plenty for any real compression ratio) */
const PREFIX_COMPRESSED_BYTES = 64 * 1024;

/** The first uncompressed bytes of a gzip file (up to `bytes`); undefined when it cannot be told yet (empty, being
 * written); 'not gzip' when its first bytes are not a gzip header. */
export function gzipPrefix(path: string, bytes = FINGERPRINT_BYTES): Buffer | 'not gzip' | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const buf = Buffer.alloc(PREFIX_COMPRESSED_BYTES);
    const n = readSync(fd, buf, 0, buf.length, 0);
    if (n >= 2 && (buf[0] !== 0x1f || buf[1] !== 0x8b)) return 'not gzip'; // RFC 1952 §2.3.1: ID1 ID2
    if (n < 18) return undefined; // a header and trailer are at least 18 bytes
    // a prefix of the stream: flush what it decodes to instead of failing on the missing end
    return gunzipSync(buf.subarray(0, n), { finishFlush: constants.Z_SYNC_FLUSH }).subarray(0, bytes);
  } catch {
    return undefined; // still being written by the compressor, or not gzip after all
  } finally {
    closeSync(fd);
  }
}

export function sha1(buf: Buffer): string {
  return createHash('sha1').update(buf).digest('hex');
}

export class GzipTailer {
  /** uncompressed bytes consumed (whole lines), the checkpoint once delivered */
  offset: number;
  gone = false;
  lastDataMs: number;
  /** the whole file has been decompressed and handed out */
  finished = false;
  readonly fingerprint: string;
  readonly fingerprintBytes: number;
  private readonly file: ReadStream;
  private readonly gunzip: Gunzip;
  private lines: string[] = [];
  private queuedBytes = 0;
  private lineBytes = 0;
  private partial: Buffer | undefined;
  /** uncompressed offset of the next byte the stream delivers */
  private streamOffset = 0;
  private ended = false;
  private error: string | undefined;
  private truncated = 0;
  /** after cutting an overlong line, the rest of it up to the next newline is skipped */
  private skipping = false;
  /** the compressed file ended early (still being written by the compressor?): read the rest later */
  incomplete = false;

  constructor(readonly id: FileIdentity, public path: string, prefix: Buffer, private readonly startOffset: number, private readonly opts: TailerOptions, nowMs: number, private readonly log: (m: string) => void) {
    this.offset = startOffset;
    this.lastDataMs = nowMs;
    this.fingerprint = sha1(prefix);
    this.fingerprintBytes = prefix.length;
    this.file = createReadStream(path);
    this.gunzip = createGunzip();
    this.file.on('error', (e) => this.fail(e.message));
    this.gunzip.on('error', (e) => this.fail(e.message));
    this.gunzip.on('data', (chunk: Buffer) => this.onData(chunk));
    this.gunzip.on('end', () => this.onEnd());
    this.file.pipe(this.gunzip);
  }

  /** The next lines; the last call (after the end) carries `complete`, with or without lines, to checkpoint it. */
  read(nowMs: number): TailedLines | undefined {
    if (this.finished) return undefined;
    const last = this.ended && !this.incomplete;
    if (this.lines.length === 0 && !last) return undefined;
    if (last) this.finished = true;
    const lines = this.lines;
    const bytes = this.lineBytes;
    this.lines = [];
    this.lineBytes = 0;
    this.queuedBytes = 0;
    this.offset += bytes;
    this.lastDataMs = nowMs;
    if (this.gunzip.isPaused()) this.gunzip.resume();
    const truncated = this.truncated;
    this.truncated = 0;
    return { id: this.id, path: this.path, lines, bytes, endOffset: this.offset, fingerprint: this.fingerprint, fingerprintBytes: this.fingerprintBytes, truncated, complete: last };
  }

  atEnd(): boolean {
    return this.ended && this.lines.length === 0;
  }

  /** Uncompressed bytes not yet handed out is unknown before the end; what waits in memory is reported. */
  lagBytes(): number {
    return this.queuedBytes;
  }

  close(): void {
    this.file.destroy();
    this.gunzip.destroy();
  }

  private onData(chunk: Buffer): void {
    const base = this.streamOffset;
    this.streamOffset += chunk.length;
    if (this.streamOffset <= this.startOffset) return; // read before (checkpoint, or the same file while still plain)
    let data = base < this.startOffset ? chunk.subarray(this.startOffset - base) : chunk;
    if (this.partial) {
      data = Buffer.concat([this.partial, data]);
      this.partial = undefined;
    }
    let start = 0;
    const max = this.opts.maxLineBytes;
    for (;;) {
      const nl = data.indexOf(10, start);
      if (nl < 0) break;
      if (this.skipping) {
        this.skipping = false;
        this.lineBytes += nl + 1 - start; // consumed, so the offset stays exact
      } else {
        this.push(data, start, nl, nl + 1 - start);
      }
      start = nl + 1;
    }
    if (this.skipping) {
      this.lineBytes += data.length - start;
    } else if (data.length - start > max) {
      // an overlong line: its head now, the rest of it up to the next newline skipped
      this.push(data, start, data.length, data.length - start);
      this.skipping = true;
    } else if (start < data.length) {
      this.partial = Buffer.from(data.subarray(start));
    }
    if (this.queuedBytes >= QUEUE_BYTES) this.gunzip.pause();
  }

  private push(data: Buffer, start: number, end: number, consumed: number): void {
    if (end > start && data[end - 1] === 13) end--;
    if (end - start > this.opts.maxLineBytes) {
      end = start + this.opts.maxLineBytes;
      this.truncated++;
    }
    this.lines.push(data.toString(this.opts.encoding, start, end));
    this.lineBytes += consumed;
    this.queuedBytes += consumed;
  }

  private onEnd(): void {
    // the compressed file is complete: a last line without a newline will never get one
    if (this.partial && this.partial.length > 0) this.push(this.partial, 0, this.partial.length, this.partial.length);
    this.partial = undefined;
    this.ended = true;
  }

  private fail(message: string): void {
    if (this.error) return;
    this.error = message;
    this.ended = true;
    this.partial = undefined;
    // a compressor still writing the file looks like a truncated stream: that part is read again once it is whole
    if (/unexpected end of file/i.test(message)) this.incomplete = true;
    else this.log(`${this.path}: cannot decompress: ${message}; read up to uncompressed byte ${this.offset + this.lineBytes}`);
  }
}
