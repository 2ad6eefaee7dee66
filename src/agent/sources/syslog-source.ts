// The `syslog` source: a listener on UDP (RFC 5426, a message per datagram), TCP (RFC 6587: octet counting or LF
// framing, per message) or TLS (RFC 5425), parsed by the server's own parsers (RFC 5424 and RFC 3164). Labels and
// metadata as the server maps them: service, host, level, facility; procid, msgid, severity, SD-PARAMs, peer.
// Senders cannot re-send: a full queue pauses TCP/TLS senders (their back-pressure) and drops UDP datagrams (counted).

import dgram from 'node:dgram';
import net from 'node:net';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { FACILITY_NAMES, parseSyslog, SEVERITY_LEVELS } from '../../ingest/syslog.ts';
import { newFramerOutput, SyslogFramer, type FramerOutput } from '../../ingest/syslog-framing.ts';
import type { FieldValue, PipelineEvent } from '../../pipeline/event.ts';
import type { AgentSource, ArrivalClock, SourceBatch } from './source.ts';

export interface SyslogSourceConfig {
  mode: 'udp' | 'tcp' | 'tls';
  host: string;
  port: number;
  /** longest message taken (framing included in neither); longer octet-counted frames close the connection */
  maxMessageBytes: number;
  /** PEM contents for `tls` mode; `ca` makes client certificates required (mutual TLS) */
  tls?: { cert: Buffer; key: Buffer; ca?: Buffer };
}

/** A line as long as a file source takes (256 KiB), plus room for HEADER and STRUCTURED-DATA, as the server allows. */
export const DEFAULT_SYSLOG_MESSAGE_BYTES = 256 * 1024 + 8192;
/** Senders are paused past this much queued line text; UDP datagrams past it are dropped. */
const MAX_QUEUED_BYTES = 8 * 1024 * 1024;
/** At most this many warnings per window, so a flood of bad input cannot flood the agent's log. */
const WARNINGS_PER_WINDOW = 20;
const WARNING_WINDOW_MS = 10_000;

export class SyslogSource implements AgentSource {
  private queue: PipelineEvent[] = [];
  private queuedBytes = 0;
  private udp: dgram.Socket | undefined;
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private readonly paused = new Set<net.Socket>();
  private readonly out: FramerOutput = newFramerOutput();
  private readonly labels: Readonly<Record<string, string>>;
  private warnWindowStart = 0;
  private warnings = 0;
  /** messages that were not syslog at all, and UDP datagrams dropped on a full queue */
  rejected = 0;
  dropped = 0;

  constructor(readonly name: string, private readonly cfg: SyslogSourceConfig, labels: Record<string, string>, private readonly clock: ArrivalClock, private readonly log: (m: string) => void) {
    this.labels = Object.freeze({ ...labels });
  }

  /** Where it listens (once started). */
  address: AddressInfo | undefined;

  async start(): Promise<void> {
    const { mode, host, port } = this.cfg;
    const what = `source ${this.name}: cannot listen on ${mode} ${host}:${port}`;
    if (mode === 'udp') {
      const socket = dgram.createSocket({ type: net.isIPv6(host) ? 'udp6' : 'udp4' });
      this.udp = socket;
      socket.on('message', (msg, rinfo) => this.onDatagram(msg, rinfo.address));
      await new Promise<void>((resolve, reject) => {
        socket.once('error', (e) => reject(new Error(`${what}: ${e.message}`)));
        socket.bind(port, host, () => resolve());
      });
      socket.on('error', (e) => this.warn(`socket error: ${e.message}`));
      this.address = socket.address();
      return;
    }
    const server =
      mode === 'tls'
        ? tls.createServer({ cert: this.cfg.tls!.cert, key: this.cfg.tls!.key, ...(this.cfg.tls!.ca ? { ca: this.cfg.tls!.ca, requestCert: true, rejectUnauthorized: true } : {}) })
        : net.createServer();
    this.server = server;
    server.on(mode === 'tls' ? 'secureConnection' : 'connection', (s: net.Socket) => this.onConnection(s));
    if (mode === 'tls') server.on('tlsClientError', (e: Error, s: tls.TLSSocket) => this.warn(`${s.remoteAddress}:${s.remotePort}: TLS handshake failed: ${e.message}`));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e) => reject(new Error(`${what}: ${e.message}`)));
      server.listen(port, host, () => resolve());
    });
    this.address = server.address() as AddressInfo;
  }

  read(_nowMs: number, maxBytes: number): SourceBatch | undefined {
    if (this.queue.length === 0) return undefined;
    let bytes = 0;
    let n = 0;
    while (n < this.queue.length && bytes < maxBytes) bytes += this.queue[n++].line.length + 1;
    const events = n === this.queue.length ? this.queue : this.queue.slice(0, n);
    this.queue = n === this.queue.length ? [] : this.queue.slice(n);
    this.queuedBytes -= bytes;
    if (this.queuedBytes < MAX_QUEUED_BYTES / 2 && this.paused.size > 0) {
      for (const s of this.paused) s.resume();
      this.paused.clear();
    }
    // a listener cannot ask its senders again: nothing to checkpoint
    return { events, bytes, acknowledge: () => {} };
  }

  drops(): Record<string, number> {
    return { malformed: this.rejected, udp_queue_full: this.dropped };
  }

  async close(): Promise<void> {
    if (this.udp) await new Promise<void>((resolve) => this.udp!.close(() => resolve()));
    if (this.server) {
      for (const s of this.sockets) s.destroy();
      await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    }
  }

  /** RFC 5426 §3.1: each datagram holds exactly one message. */
  private onDatagram(msg: Buffer, peer: string): void {
    if (this.queuedBytes >= MAX_QUEUED_BYTES) {
      this.dropped++;
      this.warn(`${peer}: datagram dropped: ${MAX_QUEUED_BYTES} bytes already wait for the sinks (${this.dropped} dropped so far; use tcp for back-pressure)`);
      return;
    }
    if (msg.length > this.cfg.maxMessageBytes) msg = msg.subarray(0, this.cfg.maxMessageBytes);
    this.add(msg, peer, 0);
  }

  private onConnection(socket: net.Socket): void {
    const peer = socket.remoteAddress ?? '';
    const framer = new SyslogFramer(this.cfg.maxMessageBytes);
    this.sockets.add(socket);
    socket.setKeepAlive(true, 60_000);
    socket.on('data', (chunk: Buffer) => {
      const alive = framer.push(chunk, this.out);
      this.takeFrames(peer);
      if (!alive) socket.destroy();
      else if (this.queuedBytes >= MAX_QUEUED_BYTES) {
        // TCP's own back-pressure: stop reading, the sender's window fills and it waits
        socket.pause();
        this.paused.add(socket);
      }
    });
    socket.on('end', () => {
      framer.end(this.out);
      this.takeFrames(peer);
    });
    socket.on('error', (e) => this.warn(`${peer}: ${e.message}`));
    socket.on('close', () => {
      this.sockets.delete(socket);
      this.paused.delete(socket);
    });
  }

  private takeFrames(peer: string): void {
    const out = this.out;
    for (const err of out.errors) this.warn(`${peer}: byte ${err.offset} of the stream: ${err.message}`);
    for (let i = 0; i < out.frames.length; i++) this.add(out.frames[i], peer, out.offsets[i]);
    out.frames.length = 0;
    out.offsets.length = 0;
    out.errors.length = 0;
  }

  /** One message → one event, mapped as the server's syslog input maps it. */
  private add(bytes: Buffer, peer: string, streamOffset: number): void {
    const nowMs = Date.now();
    const m = parseSyslog(bytes, nowMs);
    if ('rejected' in m) {
      this.rejected++;
      this.warn(`${peer}: byte ${streamOffset + m.rejected.offset}: not a syslog message, skipped: ${m.rejected.message}`);
      return;
    }
    const labels: Record<string, string> = { ...this.labels };
    if (m.appName !== undefined) labels.service = m.appName;
    const host = m.hostname ?? peer;
    if (host !== '') labels.host = host;
    labels.level = SEVERITY_LEVELS[m.severity];
    labels.facility = FACILITY_NAMES[m.facility];
    const fields: Record<string, FieldValue> = m.metadata;
    if (m.procId !== undefined) fields.procid = m.procId;
    if (m.msgId !== undefined) fields.msgid = m.msgId;
    fields.severity = String(m.severity);
    if (peer !== '') fields.peer = peer;
    if (m.utf8Replaced) fields.invalid_utf8 = 'true';
    if (m.problem) {
      // kept (the rest of the message is in the line), but said
      fields.parse_error = m.problem.message;
      this.warn(`${peer}: byte ${streamOffset + m.problem.offset}: ${m.problem.message} (message kept)`);
    }
    this.queue.push({ tenant: '', ts: m.tsNs ?? this.clock.next(), line: m.msg, labels, fields });
    this.queuedBytes += m.msg.length + 1;
  }

  private warn(text: string): void {
    const now = Date.now();
    if (now - this.warnWindowStart >= WARNING_WINDOW_MS) {
      if (this.warnings > WARNINGS_PER_WINDOW) this.log(`source ${this.name}: ${this.warnings - WARNINGS_PER_WINDOW} more warnings in the last ${WARNING_WINDOW_MS / 1000}s were not shown`);
      this.warnWindowStart = now;
      this.warnings = 0;
    }
    if (++this.warnings <= WARNINGS_PER_WINDOW) this.log(`source ${this.name}: ${text}`);
  }
}
