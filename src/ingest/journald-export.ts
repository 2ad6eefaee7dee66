// The Journal Export Format (systemd.io/JOURNAL_EXPORT_FORMATS, "Journal Export Format"), as systemd-journal-upload
// and `journalctl -o export` write it, parsed incrementally: chunks of any size in, batches of records out, memory
// bounded by limits.max_line_bytes per field whatever the body's length. Mapping: MESSAGE → line,
// __REALTIME_TIMESTAMP → timestamp, unit/identifier → label `service`, _HOSTNAME → `host`, PRIORITY → `level`,
// the other fields → structured metadata (lower-cased, leading underscores stripped).

import { isUtf8 } from 'node:buffer';
import type { Labels, Metadata, StreamEntries } from '../model/record.ts';
import { labelsToString } from '../model/record.ts';
import type { AdapterResult } from './adapter.ts';
import { checkEntry, checkLabels, timestampWindow, type IngestLimits } from './limits.ts';
import { SEVERITY_LEVELS } from './syslog.ts';

/** journald's field names: upper-case letters, digits and `_`, not starting with a digit, at most 64 characters. */
const FIELD_NAME = /^[A-Z_][A-Z0-9_]{0,63}$/;
const NEWLINE = 0x0a;
const EQUALS = 0x3d;
/** the name's length bound plus `=`: a line longer than this plus the value cap cannot be a field we keep */
const NAME_ROOM = 65;
const UNKNOWN_SERVICE = 'unknown_service';

const enum Mode {
  /** at the start of a line (a field, or the empty line that ends an entry) */
  Line,
  /** skipping the rest of a text field whose value is over the cap */
  SkipLine,
  /** reading the 8-byte little-endian size of a binary field */
  BinarySize,
  /** reading a binary field's value */
  BinaryData,
  /** skipping a binary field's value that is over the cap */
  SkipBinary,
  /** expecting the newline that follows a binary value */
  BinaryEnd,
}

/** How a field's value was kept. */
const enum Kind {
  Text,
  /** not valid UTF-8: kept as base64 under `<name>_base64` */
  Base64,
  /** over limits.max_line_bytes: a placeholder saying so */
  Omitted,
}

/**
 * Parses one request body (or any byte stream) of export-format entries into one tenant's batches. Call push() per
 * chunk, take() whenever a batch should be committed, and end() when the body is complete. A framing error that
 * cannot be resynchronised sets `fatal` (with the byte offset); the entries completed before it stay in the batch.
 */
export class JournalExportParser {
  /** set once the stream cannot be read further; names the byte offset and what was expected */
  fatal: string | undefined;
  /** entries seen so far (stored or refused) */
  entriesSeen = 0;

  private readonly valueCap: number;
  private readonly maxFieldBytes: number;
  private mode = Mode.Line;
  /** absolute offset of the current chunk's first byte */
  private offset = 0;
  /** the start of a line split across chunks */
  private carry: Buffer[] = [];
  private carryLen = 0;
  private carryAt = 0;
  /** the field being read over several chunks */
  private fieldName = '';
  private fieldAt = 0;
  private fieldSize = 0;
  private readonly sizeBytes = Buffer.alloc(8);
  private sizeFill = 0;
  private value: Buffer | undefined;
  private valueFill = 0;
  private skipLeft = 0;
  private skipped = 0;

  // the entry being read: fields in order, as decoded values
  private names: string[] = [];
  private values: string[] = [];
  private kinds: Kind[] = [];
  private fieldsSeen = 0;
  private realtime: string | undefined;
  private problem: string | undefined;
  private messageOmitted = 0;
  private messageInvalidUtf8 = false;

  private result!: AdapterResult;
  private streams!: Map<string, StreamEntries>;
  private windowAtMs = Number.NaN;
  private window = { minNs: 0n, maxNs: 0n };

  constructor(private readonly tenant: string, private readonly limits: IngestLimits) {
    this.valueCap = limits.maxLineBytes;
    this.maxFieldBytes = limits.maxBodyBytes;
    this.reset();
  }

  /** Entries in the batch not yet taken. */
  get entries(): number {
    return this.result.batch.entries;
  }

  /** Bytes of line text in the batch not yet taken. */
  get bytes(): number {
    return this.result.batch.bytes;
  }

  /** Hands over the batch built so far (entries and refusals) and starts a new one. */
  take(): AdapterResult {
    const r = this.result;
    this.reset();
    return r;
  }

  /** Parses the next bytes of the stream; `nowMs` is the arrival time (for the timestamp window and missing times). */
  push(chunk: Buffer, nowMs: number): void {
    const n = chunk.length;
    let i = 0;
    while (i < n && this.fatal === undefined) {
      switch (this.mode) {
        case Mode.Line: {
          const nl = chunk.indexOf(NEWLINE, i);
          if (nl === -1) {
            if (this.carryLen === 0) this.carryAt = this.offset + i;
            this.carry.push(chunk.subarray(i));
            this.carryLen += n - i;
            i = n;
            if (this.carryLen > this.valueCap + NAME_ROOM) this.lineTooLong();
            break;
          }
          if (this.carryLen > 0) {
            this.carry.push(chunk.subarray(i, nl));
            const line = Buffer.concat(this.carry);
            this.carry = [];
            this.carryLen = 0;
            this.onLine(line, 0, line.length, this.carryAt, nowMs);
          } else {
            // the common case works on the chunk in place: no Buffer per line
            this.onLine(chunk, i, nl, this.offset + i, nowMs);
          }
          i = nl + 1;
          break;
        }
        case Mode.SkipLine: {
          const nl = chunk.indexOf(NEWLINE, i);
          const end = nl === -1 ? n : nl;
          this.skipped += end - i;
          i = nl === -1 ? n : nl + 1;
          if (nl !== -1) {
            if (this.fieldName !== '') this.addOmitted(this.fieldName, this.skipped);
            this.mode = Mode.Line;
          }
          break;
        }
        case Mode.BinarySize: {
          const take = Math.min(8 - this.sizeFill, n - i);
          chunk.copy(this.sizeBytes, this.sizeFill, i, i + take);
          this.sizeFill += take;
          i += take;
          if (this.sizeFill === 8) this.onBinarySize();
          break;
        }
        case Mode.BinaryData: {
          const take = Math.min(this.fieldSize - this.valueFill, n - i);
          chunk.copy(this.value!, this.valueFill, i, i + take);
          this.valueFill += take;
          i += take;
          if (this.valueFill === this.fieldSize) this.mode = Mode.BinaryEnd;
          break;
        }
        case Mode.SkipBinary: {
          const take = Math.min(this.skipLeft, n - i);
          this.skipLeft -= take;
          i += take;
          if (this.skipLeft === 0) this.mode = Mode.BinaryEnd;
          break;
        }
        case Mode.BinaryEnd: {
          if (chunk[i] !== NEWLINE) {
            this.fatal = `byte ${this.offset + i}: expected the newline that ends binary field ${this.fieldName} (started at byte ${this.fieldAt}, ${this.fieldSize} bytes), found 0x${chunk[i].toString(16).padStart(2, '0')}`;
            break;
          }
          i++;
          if (this.value) this.addField(this.fieldName, this.value, 0, this.value.length);
          else this.addOmitted(this.fieldName, this.fieldSize);
          this.value = undefined;
          this.mode = Mode.Line;
          break;
        }
      }
    }
    this.offset += n;
  }

  /** The stream is complete: a last entry without its closing empty line is kept; one cut inside a field is fatal. */
  end(nowMs: number): void {
    if (this.fatal !== undefined) return;
    if (this.mode === Mode.BinaryData || this.mode === Mode.SkipBinary || this.mode === Mode.BinaryEnd || this.mode === Mode.BinarySize) {
      const got = this.mode === Mode.BinarySize ? `${this.sizeFill} of its 8 size bytes` : `${this.mode === Mode.BinaryData ? this.valueFill : this.fieldSize - this.skipLeft} of ${this.fieldSize} bytes`;
      this.fatal = `byte ${this.offset}: the body ended inside binary field ${this.fieldName} (started at byte ${this.fieldAt}; ${got})`;
      return;
    }
    if (this.carryLen > 0 || this.mode === Mode.SkipLine) {
      this.fatal = `byte ${this.offset}: the body ended inside a field (the line starting at byte ${this.carryLen > 0 ? this.carryAt : this.fieldAt} has no newline)`;
      return;
    }
    if (this.fieldsSeen > 0 || this.problem !== undefined) this.finishEntry(nowMs);
  }

  /** One line, `buf[start, end)` without its newline, starting at absolute byte `at`. */
  private onLine(buf: Buffer, start: number, end: number, at: number, nowMs: number): void {
    if (start === end) {
      // the empty line that ends an entry; extra ones between entries are harmless
      if (this.fieldsSeen > 0 || this.problem !== undefined) this.finishEntry(nowMs);
      return;
    }
    // a valid name is at most 64 bytes, so `=` can only be among the first NAME_ROOM bytes
    let eq = -1;
    const scanEnd = Math.min(end, start + NAME_ROOM);
    for (let j = start; j < scanEnd; j++) {
      if (buf[j] === EQUALS) {
        eq = j;
        break;
      }
    }
    const name = buf.toString('latin1', start, eq === -1 ? scanEnd : eq);
    if ((!KEY_CACHE.has(name) && !FIELD_NAME.test(name)) || (eq === -1 && end - start >= NAME_ROOM)) {
      this.noteProblem(at, buf.subarray(start, end));
      return;
    }
    if (eq !== -1) {
      this.addField(name, buf, eq + 1, end);
      return;
    }
    // a name alone on its line: a binary field follows (size as u64 little-endian, the bytes, a newline)
    this.fieldName = name;
    this.fieldAt = at;
    this.sizeFill = 0;
    this.mode = Mode.BinarySize;
  }

  private onBinarySize(): void {
    const size = this.sizeBytes.readBigUInt64LE(0);
    if (size > BigInt(this.maxFieldBytes)) {
      // cannot be skipped safely: the size is as likely garbage as a real field this large
      this.fatal = `byte ${this.fieldAt}: binary field ${this.fieldName} declares ${size} bytes, more than limits.max_body_bytes (${this.maxFieldBytes})`;
      return;
    }
    this.fieldSize = Number(size);
    if (this.fieldSize > this.valueCap) {
      this.value = undefined;
      this.skipLeft = this.fieldSize;
      this.mode = this.fieldSize === 0 ? Mode.BinaryEnd : Mode.SkipBinary;
    } else {
      this.value = Buffer.allocUnsafe(this.fieldSize);
      this.valueFill = 0;
      this.mode = this.fieldSize === 0 ? Mode.BinaryEnd : Mode.BinaryData;
    }
  }

  /** A line without a newline past the cap: a text field whose value is too long is skipped to its end. */
  private lineTooLong(): void {
    const head = Buffer.concat(this.carry).subarray(0, NAME_ROOM);
    const eq = head.indexOf(EQUALS);
    const name = eq > 0 ? head.toString('latin1', 0, eq) : '';
    if (name !== '' && FIELD_NAME.test(name)) {
      this.fieldName = name;
      this.skipped = this.carryLen - eq - 1;
    } else {
      this.noteProblem(this.carryAt, head);
      this.fieldName = '';
    }
    this.fieldAt = this.carryAt;
    this.carry = [];
    this.carryLen = 0;
    this.mode = Mode.SkipLine;
  }

  private noteProblem(at: number, line: Buffer): void {
    this.fieldsSeen++;
    if (this.problem !== undefined) return;
    const preview = line.toString('utf8', 0, Math.min(line.length, 40));
    this.problem = `byte ${at}: ${JSON.stringify(preview)}${line.length > 40 ? '…' : ''} is not a field (expected NAME=value, or NAME alone on its line before a binary value)`;
  }

  /** A field whose value is `buf[start, end)`. */
  private addField(name: string, buf: Buffer, start: number, end: number): void {
    if (name.charCodeAt(0) === 0x5f && name.charCodeAt(1) === 0x5f) {
      this.fieldsSeen++;
      // address fields (__CURSOR, __MONOTONIC_TIMESTAMP, __SEQNUM…) describe the sender's journal file, not the
      // entry; the spec says to skip the ones a reader does not know. Only the wall-clock time is kept.
      if (name === '__REALTIME_TIMESTAMP') this.realtime = buf.toString('latin1', start, end);
      return;
    }
    if (end - start > this.valueCap) {
      this.addOmitted(name, end - start);
      return;
    }
    this.fieldsSeen++;
    let kind = Kind.Text;
    let value = buf.toString('utf8', start, end);
    // decoding replaces invalid sequences with U+FFFD: only then is the (rarer) exact check needed
    if (value.includes('\uFFFD') && !isUtf8(buf.subarray(start, end))) {
      if (name === 'MESSAGE') this.messageInvalidUtf8 = true;
      else {
        value = buf.toString('base64', start, end);
        kind = Kind.Base64;
      }
    }
    this.names.push(name);
    this.values.push(value);
    this.kinds.push(kind);
  }

  private addOmitted(name: string, size: number): void {
    this.fieldsSeen++;
    if (name === 'MESSAGE') this.messageOmitted = Math.max(this.messageOmitted, size);
    this.names.push(name);
    this.values.push(`[${size} bytes not stored: more than limits.max_line_bytes]`);
    this.kinds.push(Kind.Omitted);
  }

  /** Maps the entry read so far onto a record of the batch (or a refusal), then clears it. */
  private finishEntry(nowMs: number): void {
    const entry = this.entriesSeen++;
    if (nowMs !== this.windowAtMs) {
      this.window = timestampWindow(this.limits, nowMs);
      this.windowAtMs = nowMs;
    }
    const { names, values, kinds } = this;
    let line: string | undefined;
    let unit: string | undefined;
    let identifier: string | undefined;
    let comm: string | undefined;
    let hostname: string | undefined;
    let priority: string | undefined;
    let sourceRealtime: string | undefined;
    for (let f = 0; f < names.length; f++) {
      if (kinds[f] !== Kind.Text) continue;
      switch (names[f]) {
        case 'MESSAGE': line = line === undefined ? values[f] : line + '\n' + values[f]; break;
        case '_SYSTEMD_UNIT': unit ??= values[f]; break;
        case 'SYSLOG_IDENTIFIER': identifier ??= values[f]; break;
        case '_COMM': comm ??= values[f]; break;
        case '_HOSTNAME': hostname ??= values[f]; break;
        case 'PRIORITY': priority ??= values[f]; break;
        case '_SOURCE_REALTIME_TIMESTAMP': sourceRealtime ??= values[f]; break;
      }
    }
    // service: the unit, except scopes (sessions, containers: one per login or container, too many for a label),
    // then the syslog identifier, then the process name
    let serviceField: string | undefined;
    let service: string;
    if (unit !== undefined && unit !== '' && !unit.endsWith('.scope')) {
      service = unit;
      serviceField = '_SYSTEMD_UNIT';
    } else if (identifier !== undefined && identifier !== '') {
      service = identifier;
      serviceField = 'SYSLOG_IDENTIFIER';
    } else if (comm !== undefined && comm !== '') {
      service = comm;
      serviceField = '_COMM';
    } else service = UNKNOWN_SERVICE;
    const labels: Labels = { service };
    if (hostname !== undefined && hostname !== '') labels.host = hostname;
    const level = priority !== undefined && priority.length === 1 ? SEVERITY_LEVELS[priority.charCodeAt(0) - 48] : undefined;
    if (level !== undefined) labels.level = level;

    // metadata: journald's trusted fields (one leading `_`) keep the plain name; a client field that collides with
    // one (PID vs _PID) is kept as user_<name>
    const meta: Metadata = {};
    let untrusted: Metadata | undefined;
    for (let f = 0; f < names.length; f++) {
      const name = names[f];
      if (name === 'MESSAGE' || name === serviceField || (name === '_HOSTNAME' && labels.host !== undefined)) continue;
      const trusted = name.charCodeAt(0) === 0x5f;
      let key = metadataKey(name);
      if (kinds[f] === Kind.Base64) key += '_base64';
      const into = trusted ? meta : (untrusted ??= {});
      const prev = into[key];
      into[key] = prev === undefined ? values[f] : prev + '\n' + values[f];
    }
    if (untrusted) for (const key in untrusted) meta[key in meta ? 'user_' + key : key] = untrusted[key];
    if (this.problem !== undefined) meta.parse_error = this.problem;
    if (this.messageInvalidUtf8) meta.invalid_utf8 = 'true';

    const micros = parseMicros(this.realtime) ?? parseMicros(sourceRealtime);
    const ts = micros !== undefined ? micros * 1000n : BigInt(nowMs) * 1_000_000n;
    const text = line ?? '';
    const omittedMessage = this.messageOmitted;
    this.clearEntry();

    const labelError = checkLabels(labels, this.limits);
    if (labelError) {
      this.result.errors.push({ stream: labelsToString(labels), entry, reason: 'invalid_labels', message: labelError });
      return;
    }
    if (omittedMessage > 0) {
      this.result.errors.push({ stream: labelsToString(labels), entry, reason: 'line_too_long', message: `line is ${omittedMessage} bytes, more than the limit of ${this.limits.maxLineBytes}` });
      return;
    }
    const problem = checkEntry(labels, entry, ts, text, this.limits, this.window, false);
    if (problem) {
      this.result.errors.push(problem);
      return;
    }
    const key = level === undefined ? `${service}\0${labels.host ?? ''}` : `${service}\0${labels.host ?? ''}\0${level}`;
    let stream = this.streams.get(key);
    if (!stream) {
      stream = { labels, ts: [], lines: [], metadata: [] };
      this.streams.set(key, stream);
      this.result.batch.streams.push(stream);
    }
    stream.ts.push(ts);
    stream.lines.push(text);
    stream.metadata.push(hasKeys(meta) ? meta : undefined);
    this.result.batch.entries++;
    this.result.batch.bytes += text.length;
  }

  private clearEntry(): void {
    this.names.length = 0;
    this.values.length = 0;
    this.kinds.length = 0;
    this.fieldsSeen = 0;
    this.realtime = undefined;
    this.problem = undefined;
    this.messageOmitted = 0;
    this.messageInvalidUtf8 = false;
  }

  private reset(): void {
    this.result = { batch: { tenant: this.tenant, streams: [], entries: 0, bytes: 0 }, errors: [] };
    this.streams = new Map();
  }
}

/** field name → metadata key; the same few dozen names repeat in every entry */
const KEY_CACHE = new Map<string, string>();
const KEY_CACHE_MAX = 4096;

/** `_SYSTEMD_UNIT` → `systemd_unit`, `SYSLOG_PID` → `syslog_pid` (the name is already known valid). */
function metadataKey(name: string): string {
  let key = KEY_CACHE.get(name);
  if (key === undefined) {
    key = (name.charCodeAt(0) === 0x5f ? name.slice(1) : name).toLowerCase();
    if (KEY_CACHE.size < KEY_CACHE_MAX) KEY_CACHE.set(name, key);
  }
  return key;
}

function hasKeys(o: Metadata): boolean {
  for (const _k in o) return true;
  return false;
}

/** Microseconds since the epoch as journald writes them (decimal), or undefined. */
function parseMicros(text: string | undefined): bigint | undefined {
  if (text === undefined || text.length === 0 || text.length > 19) return undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  return BigInt(text);
}

/** Parses a whole export-format body at once (tests, small uploads): one batch, or `fatal`. */
export function parseJournalExport(body: Buffer, tenant: string, limits: IngestLimits, nowMs: number): AdapterResult {
  const parser = new JournalExportParser(tenant, limits);
  parser.push(body, nowMs);
  parser.end(nowMs);
  const result = parser.take();
  if (parser.fatal !== undefined) result.fatal = parser.fatal;
  return result;
}
