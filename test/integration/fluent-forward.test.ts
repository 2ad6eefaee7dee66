// The Fluent Forward listener against a real client (the fluent-logger npm package: Message, PackedForward and
// CompressedPackedForward modes, acks, the shared-key handshake with user auth, TLS) and against raw sockets sending
// garbage, truncated, oversized and gzip-bomb messages. What arrived is read back through the Loki API.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { gzipSync } from 'node:zlib';
import { decode, encode } from '@msgpack/msgpack';
import fluentLogger from 'fluent-logger';
import { EventTime, FORWARD_EXTENSION_CODEC } from '../../src/ingest/fluent-forward.ts';
import { MsgpackFramer } from '../../src/ingest/msgpack-framing.ts';
import { DEFAULT_LIMITS } from '../../src/ingest/limits.ts';
import type { ForwardConfig, ServerConfig } from '../../src/server/config.ts';
import type { RunningServer } from '../../src/server/sightline-server.ts';
import { StoreBusyError } from '../../src/store/store.ts';
import { getJson, rangeQuery, tempDir, withServer } from './harness.ts';

// ---- the fluent-logger client, typed for what these tests use ----

interface Sender {
  emit(label: string, data: Record<string, unknown>, time: unknown, cb: (err?: Error) => void): void;
  on(event: 'error', fn: (e: Error) => void): void;
  end(): void;
}
const createSender = fluentLogger.createFluentSender as unknown as (tag: string, options: Record<string, unknown>) => Sender;
const ClientEventTime = fluentLogger.EventTime as unknown as new (epoch: number, nano: number) => object;
const CLIENT_HOST = 'client.test';

function sender(port: number, opts: Record<string, unknown> = {}): Sender {
  const quiet = { info() {}, error() {} };
  // enableReconnect false: a failed test must not leave a 10-minute reconnect timer behind
  return createSender('app', { host: '127.0.0.1', port, requireAckResponse: true, ackResponseTimeout: 15_000, enableReconnect: false, internalLogger: quiet, ...opts });
}

/** Emits one event; with requireAckResponse the callback runs once the server acked it (i.e. it is committed). */
function emit(s: Sender, label: string, data: Record<string, unknown>, time: unknown): Promise<void> {
  return new Promise((resolve, reject) => s.emit(label, data, time, (e) => (e ? reject(e) : resolve())));
}

function nextError(s: Sender): Promise<Error> {
  return new Promise((resolve) => s.on('error', resolve));
}

// ---- helpers ----

/** a protocol bug would leave a client waiting for an ack: fail instead of hanging */
const T = 30_000;
const nowS = () => Math.floor(Date.now() / 1000) - 5;

function withForward<T>(forward: Partial<ForwardConfig>, fn: (s: RunningServer, port: number) => Promise<T>, overrides: Partial<ServerConfig> = {}): Promise<T> {
  return withServer({ forward: { port: 0, tenant: 'default', ...forward }, ...overrides }, (s) => fn(s, s.listeners.forward.port));
}

interface StreamResult {
  stream: Record<string, string>;
  values: [string, string][];
}

async function query(s: RunningServer, q: string, opts: { tenant?: string; key?: string } = {}): Promise<StreamResult[]> {
  const r = await getJson(s.url, rangeQuery(q, { limit: '1000', direction: 'forward' }), opts);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.data.result as StreamResult[];
}

async function storedLines(s: RunningServer, q: string, opts: { tenant?: string; key?: string } = {}): Promise<string[]> {
  const out: string[] = [];
  for (const r of await query(s, q, opts)) for (const [, line] of r.values) out.push(line);
  return out.sort();
}

/** Collects this process's Fluent Forward warnings (the listener writes them to stderr). */
function captureWarnings() {
  const lines: string[] = [];
  const waiters: { re: RegExp; resolve: (line: string) => void }[] = [];
  const original = process.stderr.write;
  process.stderr.write = function (this: unknown, chunk: unknown, ...rest: unknown[]): boolean {
    const text = String(chunk);
    if (text.includes('Fluent Forward')) {
      for (const line of text.trim().split('\n')) {
        lines.push(line);
        for (let i = waiters.length - 1; i >= 0; i--) {
          if (waiters[i].re.test(line)) waiters.splice(i, 1)[0].resolve(line);
        }
      }
      return true;
    }
    return (original as (...a: unknown[]) => boolean).call(process.stderr, chunk, ...rest);
  } as typeof process.stderr.write;
  return {
    lines,
    waitFor(re: RegExp): Promise<string> {
      const seen = lines.find((l) => re.test(l));
      return seen ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ re, resolve }));
    },
    restore() {
      process.stderr.write = original;
    },
  };
}

/** A raw TCP client: sends bytes, reads msgpack replies, tells when the server closed the connection. */
class RawClient {
  private readonly framer = new MsgpackFramer({ maxFrameBytes: 1 << 20 });
  private readonly replies: unknown[] = [];
  private waiting: ((v: unknown) => void) | undefined;
  readonly closed: Promise<void>;
  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.framer.push(chunk);
      for (let f = this.framer.next(); f; f = this.framer.next()) {
        const reply = decode(Buffer.from(f));
        if (this.waiting) {
          const w = this.waiting;
          this.waiting = undefined;
          w(reply);
        } else this.replies.push(reply);
      }
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  send(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** The next reply, or 'closed' when the server closes first. */
  reply(): Promise<unknown> {
    if (this.replies.length > 0) return Promise.resolve(this.replies.shift());
    return Promise.race([new Promise((resolve) => (this.waiting = resolve)), this.closed.then(() => 'closed')]);
  }

  get received(): number {
    return this.replies.length;
  }
}

const pack = (v: unknown): Uint8Array => encode(v, { extensionCodec: FORWARD_EXTENSION_CODEC });

async function ready(s: RunningServer): Promise<void> {
  const r = await fetch(`${s.url}/ready`);
  assert.equal(r.status, 200);
}

function selfSignedCert(dir: string): { cert: string; key: string } {
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  return { cert, key };
}

// ---- fluent-logger ----

test('Message mode with acks: lines, tag and Kubernetes labels, metadata, EventTime to the nanosecond', { timeout: T }, async () => {
  await withForward({}, async (s, port) => {
    const client = sender(port);
    const t = nowS();
    await emit(client, 'web', { log: 'GET /orders 200', stream: 'stdout', http: { method: 'GET', status: 200 } }, new ClientEventTime(t, 123_456_789));
    await emit(client, 'web', { message: 'integer seconds', level: 'ERROR' }, t);
    await emit(client, 'kube', { log: 'from a pod', kubernetes: { namespace_name: 'shop', pod_name: 'cart-1', container_name: 'cart', labels: { app: 'cart' } } }, t);
    await emit(client, 'web', { cpu: 0.5, host: 'n1' }, t);
    client.end();

    const web = await query(s, '{tag="app.web"}');
    const byLine = new Map<string, { ts: string; stream: Record<string, string> }>();
    for (const r of web) for (const [ts, line] of r.values) byLine.set(line, { ts, stream: r.stream });
    assert.deepEqual([...byLine.keys()].sort(), ['GET /orders 200', 'integer seconds', '{"cpu":0.5,"host":"n1"}']);
    const first = byLine.get('GET /orders 200')!;
    assert.equal(first.ts, `${t}123456789`, 'EventTime keeps its nanoseconds');
    assert.deepEqual(first.stream, { tag: 'app.web', stream: 'stdout', http_method: 'GET', http_status: '200' });
    assert.equal(byLine.get('integer seconds')!.ts, `${t}000000000`);
    assert.equal(byLine.get('integer seconds')!.stream.level, 'error');
    // metadata is searchable like any label
    assert.deepEqual(await storedLines(s, '{tag="app.web"} | level="error"'), ['integer seconds']);

    const kube = await query(s, '{namespace="shop", pod="cart-1", container="cart"}');
    assert.equal(kube.length, 1);
    assert.deepEqual(kube[0].stream, { tag: 'app.kube', namespace: 'shop', pod: 'cart-1', container: 'cart', kubernetes_labels_app: 'cart' });
    assert.deepEqual(kube[0].values.map((v) => v[1]), ['from a pod']);
  });
});

test('PackedForward and CompressedPackedForward (fluent-logger eventMode) with acks', { timeout: T }, async () => {
  await withForward({}, async (s, port) => {
    const t = nowS();
    for (const eventMode of ['PackedForward', 'CompressedPackedForward']) {
      const client = sender(port, { eventMode, flushInterval: 10 });
      const sent: Promise<void>[] = [];
      for (let i = 0; i < 50; i++) sent.push(emit(client, eventMode, { log: `${eventMode} line ${i}`, i }, new ClientEventTime(t, i)));
      await Promise.all(sent);
      client.end();
      const stored = await query(s, `{tag="app.${eventMode}"}`);
      const values = stored.flatMap((r) => r.values);
      assert.equal(values.length, 50, eventMode);
      assert.deepEqual(values.map((v) => v[0]).sort(), Array.from({ length: 50 }, (_, i) => `${t}${String(i).padStart(9, '0')}`).sort());
      assert.ok(values.some((v) => v[1] === `${eventMode} line 49`));
    }
  });
});

test('shared-key handshake: the right key is accepted; a wrong key gets PONG false and nothing is stored', { timeout: T }, async () => {
  const warnings = captureWarnings();
  try {
    await withForward({ sharedKey: 'forward-secret-1' }, async (s, port) => {
      const good = sender(port, { security: { clientHostname: CLIENT_HOST, sharedKey: 'forward-secret-1', username: '', password: '' } });
      await emit(good, 'secure', { log: 'with the right key' }, nowS());
      good.end();
      assert.deepEqual(await storedLines(s, '{tag="app.secure"}'), ['with the right key']);

      const bad = sender(port, { security: { clientHostname: CLIENT_HOST, sharedKey: 'guessed-wrong', username: '', password: '' } });
      const failed = nextError(bad);
      bad.emit('secure', { log: 'with a wrong key' }, nowS(), () => {});
      assert.equal((await failed).message, 'Authentication failed: shared_key mismatch');
      const line = await warnings.waitFor(/wrong shared key/);
      assert.match(line, /^sightline: Fluent Forward: 127\.0\.0\.1:\d+ \(host "client\.test"\): presented a wrong shared key; closing the connection$/);
      assert.ok(!warnings.lines.some((l) => l.includes('forward-secret-1') || l.includes('guessed-wrong')), 'keys are never logged');
      bad.end();

      // a client that skips the handshake is told so and closed
      const plain = await RawClient.connect(port);
      const helo = (await plain.reply()) as [string, { nonce: Uint8Array; auth: Uint8Array; keepalive: boolean }];
      assert.equal(helo[0], 'HELO');
      assert.equal(helo[1].nonce.length, 16);
      assert.equal(helo[1].auth.length, 0, 'no user auth without API keys');
      plain.send(pack(['app.secure', nowS(), { log: 'no handshake' }]));
      await plain.closed;
      await warnings.waitFor(/sent data before the handshake/);
      assert.deepEqual(await storedLines(s, '{tag="app.secure"}'), ['with the right key']);
    });
  } finally {
    warnings.restore();
  }
});

test('with API keys, the handshake username (tenant) and password (API key) choose the tenant', { timeout: T }, async () => {
  const warnings = captureWarnings();
  try {
    await withForward({ sharedKey: 'k' }, async (s, port) => {
      const good = sender(port, { security: { clientHostname: CLIENT_HOST, sharedKey: 'k', username: 'acme', password: 'acme-key-1' } });
      await emit(good, 'tenant', { log: 'into acme' }, nowS());
      good.end();
      assert.deepEqual(await storedLines(s, '{tag="app.tenant"}', { key: 'acme-key-1' }), ['into acme']);
      assert.deepEqual(await storedLines(s, '{tag="app.tenant"}', { key: 'other-key' }), [], 'not in the other tenant');

      // another tenant's key, a wrong key, no user, and names that are not own properties of the key table
      for (const [username, password] of [['acme', 'other-key'], ['acme', 'wrong'], ['', ''], ['__proto__', 'x'], ['constructor', 'x']]) {
        const bad = sender(port, { security: { clientHostname: CLIENT_HOST, sharedKey: 'k', username, password } });
        const failed = nextError(bad);
        bad.emit('tenant', { log: `as ${username}/${password}` }, nowS(), () => {});
        assert.equal((await failed).message, 'Authentication failed: username/password mismatch: the username is a tenant, the password one of its API keys');
        bad.end();
      }
      await warnings.waitFor(/failed user authentication as "acme"/);
      assert.ok(!warnings.lines.some((l) => l.includes('other-key') || l.includes('acme-key-1')));
      assert.deepEqual(await storedLines(s, '{tag="app.tenant"}', { key: 'acme-key-1' }), ['into acme']);
    }, { tenantKeys: { acme: ['acme-key-1'], other: ['other-key'] } });
  } finally {
    warnings.restore();
  }
});

test('a PING written the way Fluent Bit writes it (16 random salt bytes as a str) passes the handshake', { timeout: T }, async () => {
  await withForward({ sharedKey: 'fb-key' }, async (s, port) => {
    const c = await RawClient.connect(port);
    const [kind, helo] = (await c.reply()) as [string, { nonce: Uint8Array; auth: Uint8Array }];
    assert.equal(kind, 'HELO');
    assert.equal(helo.auth.length, 16, 'user auth is asked for when the server has API keys');
    // bytes that are not UTF-8, as Fluent Bit's random salt usually is
    const salt = Buffer.from([0xff, 0xfe, 0x80, 0x00, 0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x28, 0x8c, 0xbc, 0x01]);
    const sha = (...parts: (string | Uint8Array)[]) => { const h = createHash('sha512'); for (const p of parts) h.update(p); return h.digest('hex'); };
    const str = (b: Buffer) => Buffer.concat([b.length < 32 ? Buffer.from([0xa0 | b.length]) : Buffer.from([0xd9, b.length]), b]);
    const host = Buffer.from('fluent-bit-1');
    const ping = Buffer.concat([
      Buffer.from([0x96]), str(Buffer.from('PING')), str(host), str(salt),
      str(Buffer.from(sha(salt, host, helo.nonce, 'fb-key'))), str(Buffer.from('acme')), str(Buffer.from(sha(helo.auth, 'acme', 'acme-key'))),
    ]);
    c.send(ping);
    const pong = (await c.reply()) as [string, boolean, string, string, string];
    assert.deepEqual(pong.slice(0, 3), ['PONG', true, '']);
    assert.equal(pong[4], sha(salt, pong[3], helo.nonce, 'fb-key'), 'the server proves it knows the key too');
    c.send(pack(['fb.tag', nowS(), { log: 'after a Fluent Bit handshake' }, { chunk: 'fb' }]));
    assert.deepEqual(await c.reply(), { ack: 'fb' });
    c.socket.end();
    assert.deepEqual(await storedLines(s, '{tag="fb.tag"}', { key: 'acme-key' }), ['after a Fluent Bit handshake']);
  }, { tenantKeys: { acme: ['acme-key'] } });
});

test('TLS: fluent-logger over TLS with the handshake; with client_ca_file a client without a certificate is refused', { timeout: T }, async () => {
  const dir = tempDir();
  const warnings = captureWarnings();
  try {
    const { cert, key } = selfSignedCert(dir);
    const ca = readFileSync(cert);
    await withForward({ sharedKey: 'tls-key', tls: { certFile: cert, keyFile: key } }, async (s, port) => {
      const client = sender(port, { tls: true, tlsOptions: { ca }, security: { clientHostname: CLIENT_HOST, sharedKey: 'tls-key', username: '', password: '' } });
      await emit(client, 'tls', { log: 'over TLS' }, new ClientEventTime(nowS(), 7));
      client.end();
      assert.deepEqual(await storedLines(s, '{tag="app.tls"}'), ['over TLS']);
      // plain TCP to the TLS port does not get through
      const raw = await RawClient.connect(port);
      raw.send(pack(['app.tls', nowS(), { log: 'plaintext' }]));
      await raw.closed;
      assert.deepEqual(await storedLines(s, '{tag="app.tls"}'), ['over TLS']);
    });
    // mutual TLS: the self-signed certificate is its own CA, and the client's certificate
    await withForward({ tls: { certFile: cert, keyFile: key, clientCaFile: cert } }, async (s, port) => {
      const withCert = sender(port, { tls: true, tlsOptions: { ca, cert: ca, key: readFileSync(key) } });
      await emit(withCert, 'mtls', { log: 'client certificate' }, nowS());
      withCert.end();
      assert.deepEqual(await storedLines(s, '{tag="app.mtls"}'), ['client certificate']);
      const refused = await new Promise<string>((resolve) => {
        const socket = tls.connect({ host: '127.0.0.1', port, ca }, () => socket.write(pack(['app.mtls', nowS(), { log: 'no cert' }])));
        socket.on('error', (e) => resolve(e.message));
        socket.on('close', () => resolve('closed'));
      });
      assert.match(refused, /certificate|closed|alert|reset|socket hang up/i);
      await warnings.waitFor(/TLS handshake with 127\.0\.0\.1:\d+ failed/);
      assert.deepEqual(await storedLines(s, '{tag="app.mtls"}'), ['client certificate']);
    });
  } finally {
    warnings.restore();
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---- raw sockets: bad input closes only the connection that sent it ----

test('garbage closes only its connection: the server and another connection carry on', { timeout: T }, async () => {
  const warnings = captureWarnings();
  try {
    await withForward({}, async (s, port) => {
      const other = await RawClient.connect(port);
      const bad = await RawClient.connect(port);
      bad.send(Buffer.from('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n'));
      await bad.closed;
      const line = await warnings.waitFor(/not Fluent Forward/);
      assert.match(line, /^sightline: Fluent Forward: 127\.0\.0\.1:\d+: sent data that is not Fluent Forward: expected a MessagePack array \(a Forward message\) but the message starts with byte 0x47 \(text "GET \/ HTTP\/1\.1…"\); closing the connection$/);

      const bad2 = await RawClient.connect(port);
      bad2.send(Buffer.from([0x93, 0xa1, 0x74, 0xc1]));
      await bad2.closed;
      await warnings.waitFor(/invalid MessagePack byte 0xc1 at offset 3/);

      await ready(s);
      other.send(pack(['raw.ok', nowS(), { log: 'still works' }, { chunk: 'c-1' }]));
      assert.deepEqual(await other.reply(), { ack: 'c-1' });
      assert.deepEqual(await storedLines(s, '{tag="raw.ok"}'), ['still works']);
      other.socket.end();
    });
  } finally {
    warnings.restore();
  }
});

test('a truncated message is discarded with a warning; complete ones before it are kept', { timeout: T }, async () => {
  const warnings = captureWarnings();
  try {
    await withForward({}, async (s, port) => {
      const c = await RawClient.connect(port);
      const whole = pack(['raw.trunc', nowS(), { log: 'complete' }]);
      const cut = pack(['raw.trunc', nowS(), { log: 'cut short' }]);
      c.send(Buffer.concat([whole, cut.subarray(0, cut.length - 4)]));
      c.socket.end();
      await c.closed;
      await warnings.waitFor(/ended the connection in the middle of a message \(\d+ bytes of a truncated message discarded\)/);
      assert.deepEqual(await storedLines(s, '{tag="raw.trunc"}'), ['complete']);
    });
  } finally {
    warnings.restore();
  }
});

test('an oversized message is refused from its header, unacked; a gzip bomb stops at the limit', { timeout: T }, async () => {
  const warnings = captureWarnings();
  const limits = { ...DEFAULT_LIMITS, maxBodyBytes: 64 * 1024 };
  try {
    await withForward({}, async (s, port) => {
      const big = await RawClient.connect(port);
      big.send(pack(['raw.big', nowS(), { log: 'x'.repeat(100 * 1024) }, { chunk: 'big' }]));
      assert.equal(await big.reply(), 'closed', 'closed without an ack');
      await warnings.waitFor(/: sent a message of at least \d+ bytes, over the limit of 65536 bytes \(limits\.max_body_bytes\); closing the connection$/);

      const bomb = await RawClient.connect(port);
      const entries = gzipSync(Buffer.alloc(50 * 1024 * 1024));
      assert.ok(entries.length < 64 * 1024);
      bomb.send(pack(['raw.bomb', entries, { compressed: 'gzip', chunk: 'bomb' }]));
      // the chunk is settled (acked: nothing in it can ever be stored), then the connection is closed
      assert.deepEqual(await bomb.reply(), { ack: 'bomb' });
      await bomb.closed;
      await warnings.waitFor(/gzip-compressed entries expand past the limit of 65536 bytes \(tag "raw\.bomb"\); closing the connection/);

      await ready(s);
      const ok = await RawClient.connect(port);
      ok.send(pack(['raw.ok', nowS(), { log: 'after the bomb' }, { chunk: 'ok' }]));
      assert.deepEqual(await ok.reply(), { ack: 'ok' });
      ok.socket.end();
      assert.deepEqual(await storedLines(s, '{tag=~"raw.*"}'), ['after the bomb']);
    }, { limits });
  } finally {
    warnings.restore();
  }
});

test('entries refused for limits are counted and warned; wrong types keep the valid entries and close', { timeout: T }, async () => {
  const warnings = captureWarnings();
  try {
    await withForward({}, async (s, port) => {
      const c = await RawClient.connect(port);
      const t = nowS();
      c.send(pack(['raw.mixed', [[t, { log: 'kept' }], [t - 30 * 86400, { log: 'too old' }]], { chunk: 'm1' }]));
      assert.deepEqual(await c.reply(), { ack: 'm1' });
      await warnings.waitFor(/refused 1 of 2 events: timestamp .* is older than the accepted window/);
      c.send(pack(['raw.mixed', [[t, { log: 'also kept' }], [t, 'not a map']], { chunk: 'm2' }]));
      assert.deepEqual(await c.reply(), { ack: 'm2' });
      await c.closed;
      await warnings.waitFor(/tag "raw\.mixed" entry 1: record must be a map, got string "not a map"; closing the connection/);
      assert.deepEqual(await storedLines(s, '{tag="raw.mixed"}'), ['also kept', 'kept']);
      const metrics = await (await fetch(`${s.url}/metrics`)).text();
      assert.match(metrics, /sightline_ingest_rejected_entries_total\{[^}]*reason="timestamp_too_old"[^}]*\} 1/);
      assert.match(metrics, /sightline_ingest_entries_total\{[^}]*protocol="fluent_forward"[^}]*\} 2/);
    });
  } finally {
    warnings.restore();
  }
});

test('acks are withheld until the commit; a busy store pauses the connection and the batch is retried', { timeout: T }, async () => {
  await withForward({}, async (s, port) => {
    const store = s.store;
    const realAppend = store.append.bind(store);
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let called!: () => void;
    const firstCall = new Promise<void>((resolve) => (called = resolve));
    store.append = async (batch) => {
      calls++;
      if (calls === 1) {
        called();
        await gate;
        throw new StoreBusyError('test: the store is busy', 1);
      }
      return realAppend(batch);
    };
    try {
      const c = await RawClient.connect(port);
      c.send(pack(['raw.ack', new EventTime(nowS(), 1), { log: 'waits for the commit' }, { chunk: 'a1' }]));
      await firstCall;
      assert.equal(c.received, 0, 'no ack while the commit is pending');
      const started = Date.now();
      release();
      assert.deepEqual(await c.reply(), { ack: 'a1' });
      assert.ok(Date.now() - started >= 900, 'the batch was retried after Retry-After');
      assert.equal(calls, 2);
      assert.deepEqual(await storedLines(s, '{tag="raw.ack"}'), ['waits for the commit']);
      c.socket.end();
    } finally {
      store.append = realAppend;
    }
  });
});

test('a port in use is reported with the flag to change it', { timeout: T }, async () => {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as net.AddressInfo).port;
  try {
    await assert.rejects(
      withServer({ forward: { port, tenant: 'default' } }, async () => {}),
      new RegExp(`^Error: Fluent Forward cannot listen on port ${port}: the port is in use; choose another with --forward-port N, or turn it off with --forward-port 0$`),
    );
  } finally {
    blocker.close();
  }
});
