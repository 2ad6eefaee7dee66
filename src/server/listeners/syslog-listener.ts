// Syslog listeners: UDP (RFC 5426, one message per datagram) and TCP (RFC 6587) on `syslog.port`, TLS (RFC 5425)
// on `syslog.tlsPort`. Messages are committed in batches (whatever arrived while the previous commit ran); streams
// stop being read while the store is behind, UDP (which has no flow control) drops past a bounded queue and counts it.

import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { SyslogBatchBuilder, type SyslogNotice } from '../../ingest/syslog.ts';
import { newFramerOutput, SyslogFramer, type FramerOutput } from '../../ingest/syslog-framing.ts';
import { StoreBusyError } from '../../store/store.ts';
import type { SyslogConfig, TlsFiles } from '../config.ts';
import type { ServerDeps } from '../http-server.ts';
import { commitAdapterResult } from '../ingest-handler.ts';
import { listenError, type ListenerStarter, type SocketListener } from './socket-listener.ts';

/** Room for HEADER and STRUCTURED-DATA on top of the longest accepted line, in a frame's size limit. */
export const SYSLOG_HEADER_ALLOWANCE = 8192;
/** Stream sockets stop being read while this much line text waits for the store. */
const STREAM_PAUSE_BYTES = 4 * 1024 * 1024;
/** UDP datagrams past this much waiting line text are dropped (and counted): UDP cannot be asked to slow down. */
export const UDP_QUEUE_BYTES = 16 * 1024 * 1024;
/** Asked of the kernel for the UDP receive buffer (it caps the request at net.core.rmem_max). */
const UDP_RECV_BUFFER = 8 * 1024 * 1024;
const PROTOCOL = 'syslog';
/** At most this many warnings per listener per window; the rest are counted and summarized. */
const WARNINGS_PER_WINDOW = 20;
const WARNING_WINDOW_MS = 10_000;
/** While closing, a store that stays busy is retried this many times before the batch is given up (and reported). */
const CLOSING_RETRIES = 30;

export const startSyslogListeners: ListenerStarter = async (deps) => {
  const cfg = deps.config.syslog;
  if (!cfg) return [];
  const started: SocketListener[] = [];
  try {
    if (cfg.port !== undefined) started.push(...(await startPlain(deps, cfg, cfg.port)));
    if (cfg.tlsPort !== undefined) started.push(await startTls(deps, cfg, cfg.tlsPort));
  } catch (e) {
    for (const l of started.reverse()) await l.close();
    throw e;
  }
  return started;
};

/** One-line warnings to stderr, at most WARNINGS_PER_WINDOW per window so a flood of bad input cannot flood the log. */
class Warnings {
  private windowStart = 0;
  private shown = 0;
  private suppressed = 0;

  constructor(private readonly listener: string) {}

  warn(text: string): void {
    const now = Date.now();
    if (now - this.windowStart >= WARNING_WINDOW_MS) {
      if (this.suppressed > 0) console.warn(`sightline: ${this.listener}: ${this.suppressed} more warnings in the last ${WARNING_WINDOW_MS / 1000}s were not shown`);
      this.windowStart = now;
      this.shown = 0;
      this.suppressed = 0;
    }
    if (this.shown < WARNINGS_PER_WINDOW) {
      this.shown++;
      console.warn(`sightline: ${this.listener}: ${text}`);
    } else {
      this.suppressed++;
    }
  }
}

/**
 * Commits one listener's messages: everything added while a commit runs goes into the next one. A busy store is
 * retried after the delay it asks for (what was read is never dropped); `stalled` is true meanwhile.
 */
class BatchCommitter {
  readonly builder: SyslogBatchBuilder;
  stalled = false;
  private scheduled = false;
  private running: Promise<void> | undefined;
  private closing = false;

  constructor(
    private readonly deps: ServerDeps,
    tenant: string,
    private readonly warnings: Warnings,
    /** called after every commit (and give-up), so paused sources can resume */
    private readonly onProgress: () => void,
  ) {
    this.builder = new SyslogBatchBuilder(tenant, deps.config.limits);
  }

  /** Commits what was added, once this event-loop turn is over (so one commit covers everything read in it). */
  schedule(): void {
    if (this.scheduled || this.running || this.builder.isEmpty) return;
    this.scheduled = true;
    setImmediate(this.start);
  }

  /** Commits everything added so far; resolves when nothing is left. */
  async drain(): Promise<void> {
    this.closing = true;
    this.start();
    while (this.running) await this.running;
  }

  private readonly start = (): void => {
    this.scheduled = false;
    if (!this.running && !this.builder.isEmpty) this.running = this.run();
  };

  private async run(): Promise<void> {
    try {
      while (!this.builder.isEmpty) await this.commit(this.builder.take());
    } finally {
      this.running = undefined;
    }
  }

  private async commit(result: ReturnType<SyslogBatchBuilder['take']>): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await commitAdapterResult(this.deps, result, PROTOCOL);
        break;
      } catch (e) {
        if (e instanceof StoreBusyError && !(this.closing && attempt >= CLOSING_RETRIES)) {
          this.stalled = true;
          await new Promise((resolve) => setTimeout(resolve, Math.max(100, e.retryAfterSeconds * 1000)));
          continue;
        }
        this.deps.metrics.ingestRejected.inc({ reason: 'store_error', protocol: PROTOCOL }, result.batch.entries);
        this.warnings.warn(`${result.batch.entries} messages could not be stored: ${(e as Error).message}`);
        break;
      }
    }
    this.stalled = false;
    this.onProgress();
  }
}

/** `::ffff:10.0.0.1` (an IPv4 peer of a dual-stack socket) → `10.0.0.1`. */
function peerIp(address: string | undefined): string {
  if (!address) return '';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

function peerName(ip: string, port: number | undefined): string {
  return ip.includes(':') ? `[${ip}]:${port ?? '?'}` : `${ip}:${port ?? '?'}`;
}

function noticeText(n: SyslogNotice, at: number): string {
  return `byte ${at}: ${n.message}${n.stored ? ' (stored, with the unparsed part as the line)' : ' (dropped)'}`;
}

function reportNotice(deps: ServerDeps, warnings: Warnings, peer: string, n: SyslogNotice, at: number): void {
  // refusals for limits are counted by commitAdapterResult; input that is not syslog at all is counted here
  if (n.reason === 'malformed') deps.metrics.ingestRejected.inc({ reason: 'malformed', protocol: PROTOCOL });
  warnings.warn(`${peer}: ${noticeText(n, at)}`);
}

// ---- UDP and TCP on one port ------------------------------------------------------------------------------------

async function startPlain(deps: ServerDeps, cfg: SyslogConfig, port: number): Promise<SocketListener[]> {
  const host = deps.config.host;
  // port 0: any free port, the same number for UDP and TCP (retried when UDP's is taken)
  for (let attempt = 0; ; attempt++) {
    const tcp = new StreamListener(deps, cfg, 'syslog_tcp', net.createServer({ pauseOnConnect: false }), 'TCP');
    await tcp.listen(host, port, '--syslog-port', 'syslog over TCP');
    const udp = new UdpListener(deps, cfg);
    try {
      await udp.listen(host, tcp.address.port);
    } catch (e) {
      udp.discard();
      await tcp.close();
      if (port === 0 && (e as NodeJS.ErrnoException).code === 'EADDRINUSE' && attempt < 10) continue;
      throw listenError('syslog over UDP', tcp.address.port, '--syslog-port', e as Error);
    }
    return [udp, tcp];
  }
}

class UdpListener implements SocketListener {
  readonly name = 'syslog_udp';
  address!: AddressInfo;
  private readonly socket: dgram.Socket;
  private readonly warnings = new Warnings(this.name);
  private readonly committer: BatchCommitter;
  private dropped = 0;

  constructor(private readonly deps: ServerDeps, cfg: SyslogConfig) {
    this.committer = new BatchCommitter(deps, cfg.tenant, this.warnings, () => undefined);
    this.socket = dgram.createSocket({ type: net.isIPv6(deps.config.host) ? 'udp6' : 'udp4' });
    this.socket.on('message', this.onMessage);
    this.socket.on('error', (e) => this.warnings.warn(`socket error: ${e.message}`));
  }

  listen(host: string, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      this.socket.once('error', onError);
      this.socket.bind(port, host, () => {
        this.socket.off('error', onError);
        this.address = this.socket.address();
        try {
          this.socket.setRecvBufferSize(UDP_RECV_BUFFER);
        } catch {
          // the kernel's default buffer then; bursts beyond it are lost in the kernel (UDP is lossy by nature)
        }
        resolve();
      });
    });
  }

  /** RFC 5426 §3.1: each datagram holds exactly one message. */
  private readonly onMessage = (msg: Buffer, rinfo: dgram.RemoteInfo): void => {
    const b = this.committer.builder;
    if (b.bytes >= UDP_QUEUE_BYTES) {
      this.dropped++;
      this.deps.metrics.ingestRejected.inc({ reason: 'udp_queue_full', protocol: PROTOCOL });
      this.warnings.warn(`${peerName(rinfo.address, rinfo.port)}: datagram dropped: ${UDP_QUEUE_BYTES} bytes are already waiting for the store (${this.dropped} dropped so far; use TCP for back-pressure)`);
      return;
    }
    const ip = peerIp(rinfo.address);
    const notice = b.add(msg, ip, Date.now());
    if (notice) reportNotice(this.deps, this.warnings, peerName(ip, rinfo.port), notice, notice.offset);
    this.committer.schedule();
  };

  /** Releases a socket that never got bound. */
  discard(): void {
    try {
      this.socket.close();
    } catch {
      // not open: nothing to release
    }
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
    await this.committer.drain();
  }
}

// ---- TCP and TLS --------------------------------------------------------------------------------------------------

/** One accepted stream: its framer and where it is. */
interface Connection {
  socket: net.Socket;
  framer: SyslogFramer;
  ip: string;
  peer: string;
  paused: boolean;
  sawData: boolean;
}

class StreamListener implements SocketListener {
  address!: AddressInfo;
  private readonly warnings: Warnings;
  private readonly committer: BatchCommitter;
  private readonly connections = new Set<Connection>();
  private readonly out: FramerOutput = newFramerOutput();
  private readonly maxFrameBytes: number;
  private closing = false;

  constructor(
    private readonly deps: ServerDeps,
    cfg: SyslogConfig,
    readonly name: string,
    private readonly server: net.Server,
    private readonly transport: 'TCP' | 'TLS',
  ) {
    this.warnings = new Warnings(name);
    this.committer = new BatchCommitter(deps, cfg.tenant, this.warnings, this.resumeIfRoom);
    this.maxFrameBytes = deps.config.limits.maxLineBytes + SYSLOG_HEADER_ALLOWANCE;
    server.on(transport === 'TLS' ? 'secureConnection' : 'connection', this.onConnection);
    if (transport === 'TLS') {
      server.on('tlsClientError', (e: Error, s: tls.TLSSocket) => this.warnings.warn(`${peerName(peerIp(s.remoteAddress), s.remotePort)}: TLS handshake failed: ${e.message}`));
    }
  }

  listen(host: string, port: number, flag: string, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (e: Error) => reject(listenError(what, port, flag, e));
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        this.address = this.server.address() as AddressInfo;
        resolve();
      });
    });
  }

  private readonly onConnection = (socket: net.Socket): void => {
    const ip = peerIp(socket.remoteAddress);
    const c: Connection = { socket, framer: new SyslogFramer(this.maxFrameBytes), ip, peer: peerName(ip, socket.remotePort), paused: false, sawData: false };
    this.connections.add(c);
    // long-lived, often idle connections: keep-alive finds peers that vanished
    socket.setKeepAlive(true, 60_000);
    socket.on('data', (chunk: Buffer) => this.onData(c, chunk));
    socket.on('end', () => this.onEnd(c));
    socket.on('error', () => undefined); // resets are normal; 'close' follows
    socket.on('close', () => this.connections.delete(c));
  };

  private onData(c: Connection, chunk: Buffer): void {
    if (!c.sawData) {
      c.sawData = true;
      // a TLS ClientHello (record type 22, version 3.x) sent to the plain port
      if (this.transport === 'TCP' && chunk.length > 1 && chunk[0] === 0x16 && chunk[1] === 0x03) {
        this.deps.metrics.ingestRejected.inc({ reason: 'framing', protocol: PROTOCOL });
        this.warnings.warn(`${c.peer}: byte 0: this is a TLS handshake on the plain TCP port; send syslog over TLS to syslog.tls_port (--syslog-tls-port); closing the connection`);
        c.socket.destroy();
        return;
      }
    }
    const ok = c.framer.push(chunk, this.out);
    this.takeFrames(c);
    if (!ok) {
      c.socket.destroy();
      return;
    }
    if (this.committer.builder.bytes >= STREAM_PAUSE_BYTES || this.committer.stalled) {
      c.paused = true;
      c.socket.pause();
    }
  }

  private onEnd(c: Connection): void {
    c.framer.end(this.out);
    this.takeFrames(c);
  }

  /** Frames (and framing errors) out of the framer into the batch. */
  private takeFrames(c: Connection): void {
    const { frames, offsets, errors } = this.out;
    if (frames.length > 0) {
      const now = Date.now();
      const b = this.committer.builder;
      for (let i = 0; i < frames.length; i++) {
        const notice = b.add(frames[i], c.ip, now);
        if (notice) reportNotice(this.deps, this.warnings, c.peer, notice, offsets[i] + notice.offset);
      }
      frames.length = 0;
      offsets.length = 0;
      this.committer.schedule();
    }
    for (const e of errors) {
      this.deps.metrics.ingestRejected.inc({ reason: 'framing', protocol: PROTOCOL });
      this.warnings.warn(`${c.peer}: byte ${e.offset}: ${e.message}`);
    }
    errors.length = 0;
  }

  private readonly resumeIfRoom = (): void => {
    if (this.closing || this.committer.builder.bytes >= STREAM_PAUSE_BYTES || this.committer.stalled) return;
    for (const c of this.connections) {
      if (c.paused) {
        c.paused = false;
        c.socket.resume();
      }
    }
  };

  async close(): Promise<void> {
    this.closing = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const c of this.connections) c.socket.pause();
    await this.committer.drain();
    for (const c of this.connections) c.socket.destroy();
    await closed;
  }
}

function readTls(files: TlsFiles): tls.TlsOptions {
  const read = (file: string, key: string): Buffer => {
    try {
      return readFileSync(file);
    } catch (e) {
      throw new Error(`syslog.tls.${key}: cannot read ${file}: ${(e as Error).message}`);
    }
  };
  const opts: tls.TlsOptions = { cert: read(files.certFile, 'cert_file'), key: read(files.keyFile, 'key_file'), minVersion: 'TLSv1.2' };
  if (files.clientCaFile) {
    // mutual TLS (RFC 5425 §5.1): only clients with a certificate from this CA get in
    opts.ca = read(files.clientCaFile, 'client_ca_file');
    opts.requestCert = true;
    opts.rejectUnauthorized = true;
  }
  return opts;
}

async function startTls(deps: ServerDeps, cfg: SyslogConfig, port: number): Promise<SocketListener> {
  const files = cfg.tls ?? deps.config.tls;
  if (!files) throw new Error('syslog.tls_port needs a certificate: set syslog.tls (or the server tls) with cert_file and key_file');
  const l = new StreamListener(deps, cfg, 'syslog_tls', tls.createServer(readTls(files)), 'TLS');
  await l.listen(deps.config.host, port, '--syslog-tls-port', 'syslog over TLS');
  return l;
}
