// The Fluent Forward listener (Forward Protocol Specification v1 over TCP or TLS): frames msgpack messages, runs the
// shared-key handshake, commits each batch durably before acking its chunks, and pauses reading while a batch
// commits or the store is busy. A connection that breaks the protocol is closed alone; the listener keeps serving.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import tls from 'node:tls';
import { encode } from '@msgpack/msgpack';
import { decodeForwardFrame, decodeHandshakeFrame, mapForwardMessages, type ForwardBatchResult } from '../../ingest/fluent-forward.ts';
import { FrameError, MsgpackFramer } from '../../ingest/msgpack-framing.ts';
import { StoreBusyError } from '../../store/store.ts';
import { AuthError } from '../auth.ts';
import type { ForwardConfig } from '../config.ts';
import type { ServerDeps } from '../http-server.ts';
import { commitAdapterResult } from '../ingest-handler.ts';
import { listenError, type ListenerStarter, type SocketListener } from './socket-listener.ts';

const PROTOCOL = 'fluent_forward';
/** a client that does not answer HELO with PING within this time is dropped */
const HANDSHAKE_TIMEOUT_MS = 10_000;
/** frames decoded into one batch (one commit) at most; a single larger message is still taken whole */
const BATCH_BYTES = 4 * 1024 * 1024;

type Warn = (message: string) => void;

const defaultWarn: Warn = (m) => process.stderr.write(`sightline: ${m}\n`);

/** Starts the listener when `config.forward` is set. */
export const startForwardListener: ListenerStarter = async (deps) => {
  const cfg = deps.config.forward;
  if (!cfg) return [];
  const listener = new ForwardListener(deps, cfg, defaultWarn);
  await listener.listen();
  return [listener];
};

export class ForwardListener implements SocketListener {
  readonly name = 'forward';
  private readonly server: net.Server;
  private readonly connections = new Set<ForwardConnection>();
  private bound: AddressInfo | undefined;
  closing = false;
  /** the name this server gives in PONG */
  readonly serverHostname = hostname();

  constructor(readonly deps: ServerDeps, readonly cfg: ForwardConfig, readonly warn: Warn) {
    const onSocket = (socket: net.Socket) => {
      if (this.closing) {
        socket.destroy();
        return;
      }
      const conn = new ForwardConnection(this, socket);
      this.connections.add(conn);
      socket.once('close', () => this.connections.delete(conn));
    };
    if (cfg.tls) {
      const read = (file: string, key: string) => {
        try {
          return readFileSync(file);
        } catch (e) {
          throw new Error(`Fluent Forward: cannot read forward.tls.${key} ${file}: ${(e as Error).message}`);
        }
      };
      const options: tls.TlsOptions = { cert: read(cfg.tls.certFile, 'cert_file'), key: read(cfg.tls.keyFile, 'key_file'), allowHalfOpen: true };
      if (cfg.tls.clientCaFile) Object.assign(options, { ca: read(cfg.tls.clientCaFile, 'client_ca_file'), requestCert: true, rejectUnauthorized: true });
      const server = tls.createServer(options, onSocket);
      server.on('tlsClientError', (e, socket) => this.warn(`Fluent Forward: TLS handshake with ${peerOf(socket)} failed: ${e.message}`));
      this.server = server;
    } else {
      this.server = net.createServer({ allowHalfOpen: true }, onSocket);
    }
  }

  get address(): AddressInfo {
    return this.bound!;
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (e: Error) => reject(listenError('Fluent Forward', this.cfg.port, '--forward-port', e));
      this.server.once('error', onError);
      this.server.listen(this.cfg.port, this.deps.config.host, () => {
        this.server.off('error', onError);
        this.server.on('error', (e) => this.warn(`Fluent Forward: listener error: ${e.message}`));
        this.bound = this.server.address() as AddressInfo;
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // batches already being committed finish (and are acked); nothing new is read
    await Promise.all([...this.connections].map((c) => c.shutdown()));
    await closed;
  }
}

type ConnState = 'helo' | 'open' | 'closed';

/** One client connection: framing, handshake, batches, acks. */
class ForwardConnection {
  private state: ConnState;
  private readonly framer: MsgpackFramer;
  private readonly peer: string;
  private tenant: string;
  private nonce = Buffer.alloc(0);
  private authSalt = Buffer.alloc(0);
  private clientHost = '';
  /** the batch being committed, if any (reading is paused meanwhile) */
  private inflight: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private wakeRetry: (() => void) | undefined;
  /** the client has finished sending (half-close): end our side once everything it sent is handled */
  private ended = false;

  constructor(private readonly listener: ForwardListener, private readonly socket: net.Socket) {
    this.peer = peerOf(socket);
    this.tenant = listener.cfg.tenant;
    this.framer = new MsgpackFramer({ maxFrameBytes: listener.deps.config.limits.maxBodyBytes, requireArray: true });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      try {
        this.onData(chunk);
      } catch (e) {
        this.internalError(e);
      }
    });
    socket.on('end', () => {
      this.ended = true;
      try {
        this.pump();
      } catch (e) {
        this.internalError(e);
      }
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'ECONNRESET' && e.code !== 'EPIPE') this.listener.warn(`Fluent Forward: connection from ${this.who()}: ${e.message}`);
    });
    socket.on('close', () => {
      if (this.state !== 'closed' && this.framer.buffered > 0 && !this.listener.closing) {
        this.listener.deps.metrics.ingestRejected.inc({ reason: 'malformed_message', protocol: PROTOCOL });
        this.listener.warn(`Fluent Forward: ${this.who()} closed the connection in the middle of a message (${this.framer.buffered} bytes of a truncated message discarded)`);
      }
      this.state = 'closed';
      this.cancelRetry();
    });
    if (listener.cfg.sharedKey !== undefined) {
      this.state = 'helo';
      this.sendHelo();
    } else {
      this.state = 'open';
    }
  }

  /** Listener shutdown: let the batch in flight commit (and ack), then close. */
  async shutdown(): Promise<void> {
    this.cancelRetry();
    if (this.inflight) await this.inflight;
    if (this.socket.destroyed) return;
    this.state = 'closed';
    const socket = this.socket;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.end();
      // the acks just written get a moment to leave; a peer that does not close its side is cut off
      setTimeout(() => socket.destroy(), 500).unref();
    });
  }

  private who(): string {
    return this.clientHost ? `${this.peer} (host ${JSON.stringify(this.clientHost)})` : this.peer;
  }

  private onData(chunk: Buffer): void {
    if (this.state === 'closed') return;
    this.framer.push(chunk);
    this.pump();
  }

  /** A bug must cost one connection, never the server: the event handlers end here. */
  private internalError(e: unknown): void {
    this.listener.warn(`Fluent Forward: ${this.who()}: internal error: ${(e as Error).stack ?? String(e)}`);
    this.close();
  }

  /** Handles what is buffered: the handshake, then batches of messages, one commit at a time. */
  private pump(): void {
    if (this.state === 'closed' || this.inflight) return;
    if (this.state === 'helo') {
      let frame: Buffer | undefined;
      try {
        frame = this.framer.next();
      } catch (e) {
        this.fail(`sent data that is not a PING: ${(e as Error).message}`);
        return;
      }
      if (!frame) return this.endIfDone();
      this.onPing(frame);
      if ((this.state as ConnState) !== 'open') return;
    }
    const messages: unknown[] = [];
    let bytes = 0;
    let fatal: string | undefined;
    let fatalReason = 'malformed_message';
    while (bytes < BATCH_BYTES) {
      let frame: Buffer | undefined;
      try {
        frame = this.framer.next();
      } catch (e) {
        if (e instanceof FrameError && e.code === 'too_large') {
          fatalReason = 'message_too_large';
          fatal = `sent ${e.message} (limits.max_body_bytes)`;
        } else fatal = `sent data that is not Fluent Forward: ${(e as Error).message}`;
        break;
      }
      if (!frame) break;
      bytes += frame.length;
      try {
        messages.push(decodeForwardFrame(frame));
      } catch (e) {
        fatal = `sent a message that is not valid MessagePack: ${(e as Error).message}`;
        break;
      }
    }
    if (messages.length === 0) {
      if (fatal) {
        this.listener.deps.metrics.ingestRejected.inc({ reason: fatalReason, protocol: PROTOCOL });
        this.fail(fatal);
      } else this.endIfDone();
      return;
    }
    const deps = this.listener.deps;
    const result = mapForwardMessages(messages, { tenant: this.tenant, limits: deps.config.limits, nowMs: Date.now() });
    const last = result.messages[result.messages.length - 1];
    if (last.problem) {
      fatal = last.problem;
      if (last.events === 0) deps.metrics.ingestRejected.inc({ reason: 'malformed_message', protocol: PROTOCOL });
    } else if (fatal) {
      deps.metrics.ingestRejected.inc({ reason: fatalReason, protocol: PROTOCOL });
    }
    this.socket.pause();
    this.inflight = this.commit(result, fatal).catch((e: unknown) => {
      this.inflight = undefined;
      this.internalError(e);
    });
  }

  /** Commits (retrying while the store is busy), then acks every chunk of the batch, then reads on. */
  private async commit(result: ForwardBatchResult, fatal: string | undefined): Promise<void> {
    const committed = await this.commitWithRetry(result);
    this.inflight = undefined;
    if (this.state === 'closed') return;
    if (!committed) {
      // nothing of this batch is acked: the client resends it
      this.close();
      return;
    }
    for (const m of result.messages) {
      // an ack says the chunk is settled: its valid events are durable and the refused ones can never be stored
      if (m.chunk !== undefined) this.socket.write(encode({ ack: m.chunk }));
    }
    if (result.errors.length > 0) this.warnRefused(result);
    if (fatal) {
      this.fail(fatal);
      return;
    }
    if (!this.listener.closing) {
      this.socket.resume();
      this.pump();
    }
  }

  private async commitWithRetry(result: ForwardBatchResult): Promise<boolean> {
    const deps = this.listener.deps;
    for (;;) {
      try {
        await commitAdapterResult(deps, result, PROTOCOL);
        return true;
      } catch (e) {
        if (e instanceof StoreBusyError && !this.listener.closing && this.state !== 'closed') {
          // the protocol's back-pressure: keep the socket paused and the chunks unacked until the store catches up
          await new Promise<void>((resolve) => {
            this.wakeRetry = resolve;
            this.retryTimer = setTimeout(resolve, Math.max(1, e.retryAfterSeconds) * 1000);
          });
          this.wakeRetry = undefined;
          this.retryTimer = undefined;
          continue;
        }
        if (!(e instanceof StoreBusyError)) this.listener.warn(`Fluent Forward: ${this.who()}: cannot store ${result.batch.entries} events: ${(e as Error).message}; closing the connection without ack (the client resends)`);
        return false;
      }
    }
  }

  private cancelRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.wakeRetry?.();
  }

  private warnRefused(result: ForwardBatchResult): void {
    const total = result.batch.entries + result.errors.length;
    const shown = result.errors.slice(0, 3).map((e) => `${e.message} (${e.reason})`).join('; ');
    const more = result.errors.length > 3 ? `; … and ${result.errors.length - 3} more` : '';
    this.listener.warn(`Fluent Forward: ${this.who()}: refused ${result.errors.length} of ${total} events: ${shown}${more}`);
  }

  /** After the client's half-close, once nothing is left to handle, end our side too. */
  private endIfDone(): void {
    if (this.ended && !this.inflight && this.state !== 'closed') {
      if (this.framer.buffered > 0) {
        this.listener.deps.metrics.ingestRejected.inc({ reason: 'malformed_message', protocol: PROTOCOL });
        this.listener.warn(`Fluent Forward: ${this.who()} ended the connection in the middle of a message (${this.framer.buffered} bytes of a truncated message discarded)`);
      }
      this.close();
    }
  }

  /** One warning line naming the peer and the problem, then this connection (only) is closed. */
  private fail(what: string): void {
    this.listener.warn(`Fluent Forward: ${this.who()}: ${what}; closing the connection`);
    this.close();
  }

  private close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.cancelRetry();
    this.socket.end();
    // a peer that never reads its side must not keep the socket: destroy once the replies had their chance
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }

  // ---- handshake (Forward Protocol Specification v1, "Handshake Messages") ----

  private sendHelo(): void {
    this.nonce = randomBytes(16);
    // user authentication is asked for (a non-empty auth salt) when Sightline has API keys
    this.authSalt = this.listener.deps.auth.enabled ? randomBytes(16) : Buffer.alloc(0);
    this.socket.write(encode(['HELO', { nonce: this.nonce, auth: this.authSalt, keepalive: true }]));
    this.socket.setTimeout(HANDSHAKE_TIMEOUT_MS, () => {
      if (this.state === 'helo') this.fail(`did not answer HELO with PING within ${HANDSHAKE_TIMEOUT_MS / 1000}s`);
    });
  }

  /** PING: ['PING', client_hostname, shared_key_salt, shared_key_hexdigest, username, password_digest]. */
  private onPing(frame: Buffer): void {
    let ping: unknown;
    try {
      ping = decodeHandshakeFrame(frame);
    } catch (e) {
      this.fail(`sent invalid MessagePack instead of PING: ${(e as Error).message}`);
      return;
    }
    // strings arrive as bytes here (see decodeHandshakeFrame); all but the salt are text
    const fields = Array.isArray(ping) && ping.length === 6 && ping.every((v) => v instanceof Uint8Array) ? (ping as Uint8Array[]) : undefined;
    if (!fields || utf8(fields[0]) !== 'PING') {
      const isPing = Array.isArray(ping) && ping[0] instanceof Uint8Array && utf8(ping[0]) === 'PING';
      this.fail(isPing
        ? 'sent a malformed PING (expected hostname, salt, shared key digest, username, password digest)'
        : 'sent data before the handshake: this listener requires the shared-key handshake (HELO/PING/PONG); configure the client with the shared key');
      return;
    }
    const [, host, salt, digestBytes, userBytes, passwordBytes] = fields;
    const clientHost = utf8(host);
    const digest = utf8(digestBytes);
    const username = utf8(userBytes);
    const passwordDigest = utf8(passwordBytes);
    this.clientHost = clientHost;
    const sharedKey = this.listener.cfg.sharedKey!;
    if (!hexEqual(digest, sha512Hex(salt, host, this.nonce, sharedKey))) {
      this.refuse('shared_key mismatch', 'presented a wrong shared key');
      return;
    }
    const { auth, config } = this.listener.deps;
    try {
      if (auth.enabled) {
        // username = tenant, password = one of that tenant's API keys; the digest is checked against each key
        let key: string | undefined;
        const keys = Object.hasOwn(config.tenantKeys, username) ? config.tenantKeys[username] : [];
        for (const k of keys) {
          if (hexEqual(passwordDigest, sha512Hex(this.authSalt, userBytes, k))) key = k;
        }
        if (username === '' || key === undefined) {
          this.refuse('username/password mismatch: the username is a tenant, the password one of its API keys', `failed user authentication as ${JSON.stringify(username)}`);
          return;
        }
        this.tenant = auth.tenantForKey(key, username, this.listener.cfg.tenant);
      } else {
        this.tenant = auth.tenantForKey(undefined, username === '' ? undefined : username, this.listener.cfg.tenant);
      }
    } catch (e) {
      if (!(e instanceof AuthError)) throw e;
      this.refuse(e.message, e.message);
      return;
    }
    const server = this.listener.serverHostname;
    this.socket.write(encode(['PONG', true, '', server, sha512Hex(salt, server, this.nonce, sharedKey)]));
    this.socket.setTimeout(0);
    this.state = 'open';
  }

  /** PONG with auth_result false and the reason, then close (the spec's answer to a failed PING). */
  private refuse(reason: string, logged: string): void {
    this.socket.write(encode(['PONG', false, reason, this.listener.serverHostname, '']));
    this.fail(logged);
  }
}

function utf8(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');
}

function sha512Hex(...parts: (string | Uint8Array)[]): string {
  const h = createHash('sha512');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

/** Constant-time comparison of two hex digests (case-insensitive, as some clients upper-case them). */
function hexEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given.toLowerCase());
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function peerOf(socket: net.Socket): string {
  const addr = socket.remoteAddress ?? 'unknown';
  return `${addr.includes(':') ? `[${addr}]` : addr}:${socket.remotePort ?? '?'}`;
}
