// Syslog listeners against real clients: util-linux `logger` (UDP, TCP with LF and octet counting, RFC 5424 with
// structured data, RFC 3164), rsyslog (imfile → omfwd, octet-counted TCP and mutual TLS through gtls), syslog-ng
// (syslog() driver); raw sockets for bad input, back-pressure and UDP overload. What arrived is read back through
// the Loki API.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, readdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { hostname, homedir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { DEFAULT_LIMITS } from '../../src/ingest/limits.ts';
import { StoreBusyError } from '../../src/store/store.ts';
import type { RunningServer } from '../../src/server/sightline-server.ts';
import { getJson, rangeQuery, tempDir, withServer } from './harness.ts';

const TENANT = 'netops';
const HOST = hostname();

interface Entry {
  ts: bigint;
  line: string;
  /** labels and structured metadata, as the Loki API returns them */
  stream: Record<string, string>;
}

function entries(body: { data: { result: { stream: Record<string, string>; values: string[][] }[] } }): Entry[] {
  const out: Entry[] = [];
  for (const s of body.data.result) for (const [ts, line] of s.values) out.push({ ts: BigInt(ts), line, stream: s.stream });
  return out.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : a.line < b.line ? -1 : 1));
}

async function query(s: RunningServer, logql: string): Promise<Entry[]> {
  const r = await getJson(s.url, rangeQuery(logql, { limit: '5000' }), { tenant: TENANT });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return entries(r.body);
}

/** Polls the Loki API until `count` entries match (the clients send asynchronously and report nothing back). */
async function arrived(s: RunningServer, logql: string, count: number, why: () => string = () => ''): Promise<Entry[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const got = await query(s, logql);
    if (got.length >= count) return got;
    if (Date.now() > deadline) assert.fail(`waited 30s for ${count} entries of ${logql}, got ${got.length}: ${JSON.stringify(got.map((e) => e.line))} ${why()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Collects the server's warnings (it runs in this process) and lets a test await one. */
function captureWarnings(): { lines: string[]; next(re: RegExp): Promise<string>; restore(): void } {
  const original = console.warn;
  const lines: string[] = [];
  const waiting: { re: RegExp; resolve: (l: string) => void }[] = [];
  console.warn = (...args: unknown[]) => {
    const line = args.map(String).join(' ');
    lines.push(line);
    for (let i = waiting.length - 1; i >= 0; i--) {
      if (waiting[i].re.test(line)) waiting.splice(i, 1)[0].resolve(line);
    }
  };
  return {
    lines,
    next(re) {
      const seen = lines.find((l) => re.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiting.push({ re, resolve }));
    },
    restore() {
      console.warn = original;
    },
  };
}

function run(cmd: string, args: string[], input?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { timeout: 20_000 }, (err, _stdout, stderr) => (err ? reject(new Error(`${cmd} ${args.join(' ')}: ${err.message} ${stderr}`)) : resolve()));
    if (input !== undefined) child.stdin!.end(input);
  });
}

/** Opens a TCP (or TLS) connection; `closed` resolves when the server (or we) closed it. */
async function connect(port: number, opts?: tls.ConnectionOptions): Promise<{ socket: net.Socket; closed: Promise<void> }> {
  const socket = opts
    ? tls.connect({ host: '127.0.0.1', port, ...opts })
    : net.connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    socket.once(opts ? 'secureConnect' : 'connect', () => resolve());
    socket.once('error', reject);
  });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, closed };
}

async function sendAndClose(port: number, data: string | Buffer, opts?: tls.ConnectionOptions): Promise<void> {
  const c = await connect(port, opts);
  c.socket.end(data);
  await c.closed;
}

function sendUdp(port: number, messages: (string | Buffer)[]): Promise<void> {
  const sock = dgram.createSocket('udp4');
  return new Promise((resolve, reject) => {
    let i = 0;
    const next = () => {
      if (i === messages.length) {
        sock.close();
        resolve();
        return;
      }
      sock.send(messages[i++], port, '127.0.0.1', (e) => (e ? reject(e) : setImmediate(next)));
    };
    next();
  });
}

const nsIso = (iso: string): bigint => BigInt(Date.parse(iso)) * 1_000_000n;

// ---- certificates: a throwaway CA, a server certificate for localhost/127.0.0.1, a client certificate -------------

interface Pki {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

function makePki(dir: string): Pki {
  const p = (f: string) => path.join(dir, f);
  const ssl = (args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  ssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('ca.key'), '-out', p('ca.pem'), '-days', '2', '-subj', '/CN=Sightline Test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  const leaf = (name: string, cn: string, ext: string) => {
    writeFileSync(p(`${name}.ext`), ext);
    ssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', p(`${name}.key`), '-out', p(`${name}.csr`), '-subj', `/CN=${cn}`]);
    ssl(['x509', '-req', '-in', p(`${name}.csr`), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-CAcreateserial', '-out', p(`${name}.pem`), '-days', '2', '-extfile', p(`${name}.ext`)]);
  };
  leaf('server', 'localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n');
  leaf('client', 'syslog-client', 'subjectAltName=DNS:syslog-client\nextendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n');
  return { ca: p('ca.pem'), serverCert: p('server.pem'), serverKey: p('server.key'), clientCert: p('client.pem'), clientKey: p('client.key') };
}

// ---- util-linux logger ------------------------------------------------------------------------------------------

test('logger over UDP, RFC 5424 with structured data: labels, metadata, microsecond time', async () => {
  await withServer({ syslog: { port: 0, tenant: TENANT } }, async (s) => {
    const port = String(s.listeners.syslog_udp.port);
    assert.equal(s.listeners.syslog_tcp.port, s.listeners.syslog_udp.port);
    const before = BigInt(Date.now() - 1000) * 1_000_000n;
    await run('logger', ['--server', '127.0.0.1', '--port', port, '--udp', '--rfc5424', '-t', 'billing', '-p', 'local3.err', '--id=4242', '--msgid', 'PAY7',
      '--sd-id', 'order@32473', '--sd-param', 'id="A-17"', '--sd-param', 'amount="12.50"', 'payment declined: card expired']);
    const [e] = await arrived(s, '{service="billing"}', 1);
    const after = BigInt(Date.now() + 1000) * 1_000_000n;
    assert.equal(e.line, 'payment declined: card expired');
    assert.equal(e.stream.service, 'billing');
    assert.equal(e.stream.host, HOST);
    assert.equal(e.stream.level, 'error');
    assert.equal(e.stream.facility, 'local3');
    assert.equal(e.stream.severity, '3');
    assert.equal(e.stream.procid, '4242');
    assert.equal(e.stream.msgid, 'PAY7');
    assert.equal(e.stream.order_32473_id, 'A-17');
    assert.equal(e.stream.order_32473_amount, '12.50');
    assert.equal(e.stream.timeQuality_tzKnown, '1'); // logger's own SD-ELEMENT
    assert.equal(e.stream.peer, '127.0.0.1');
    assert.ok(e.ts > before && e.ts < after, `${e.ts} within the send window`);
    assert.equal(e.ts % 1000n, 0n, 'logger sends microseconds');
    // the metadata is queryable as fields
    assert.equal((await query(s, '{facility="local3"} | order_32473_id="A-17"')).length, 1);
  });
});

test('logger over TCP: RFC 3164 with LF framing, RFC 5424 with octet counting, several messages per connection', async () => {
  await withServer({ syslog: { port: 0, tenant: TENANT } }, async (s) => {
    const port = String(s.listeners.syslog_tcp.port);
    // logger sends one message per stdin line over a single connection
    await run('logger', ['--server', '127.0.0.1', '--port', port, '--tcp', '--rfc3164', '-t', 'legacy', '-p', 'user.warning'], 'disk 91% full\nfan speed high\nback to normal\n');
    await run('logger', ['--server', '127.0.0.1', '--port', port, '--tcp', '--octet-count', '--rfc5424', '-t', 'counted', '-p', 'daemon.debug'], 'one\ntwo with  spaces  \nthree [not sd]\n');
    const legacy = await arrived(s, '{service="legacy"}', 3);
    assert.deepEqual(legacy.map((e) => e.line).sort(), ['back to normal', 'disk 91% full', 'fan speed high']);
    for (const e of legacy) {
      assert.deepEqual([e.stream.host, e.stream.level, e.stream.facility, e.stream.severity], [HOST, 'warn', 'user', '4']);
      // 3164 time: whole seconds in the server's zone (the same zone as logger's here)
      assert.equal(e.ts % 1_000_000_000n, 0n);
      assert.ok(Math.abs(Number(e.ts / 1_000_000n) - Date.now()) < 60_000);
    }
    const counted = await arrived(s, '{service="counted"}', 3);
    assert.deepEqual(counted.map((e) => e.line).sort(), ['one', 'three [not sd]', 'two with  spaces  ']);
    for (const e of counted) assert.deepEqual([e.stream.level, e.stream.facility], ['debug', 'daemon']);
  });
});

// ---- rsyslog ----------------------------------------------------------------------------------------------------

const RSYSLOGD = ['/usr/sbin/rsyslogd', '/sbin/rsyslogd'].find((p) => existsSync(p));
const GTLS = existsSync('/usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_gtls.so') || readdirSafe('/usr/lib').some((d) => existsSync(`/usr/lib/${d}/rsyslog/lmnsd_gtls.so`));
const NO_RSYSLOG = RSYSLOGD ? false : 'rsyslogd is not installed: apt-get install rsyslog rsyslog-gnutls (.ci/run does)';

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Runs rsyslogd in the foreground with `config` until `fn` is done. */
async function withRsyslog<T>(dir: string, config: string, fn: (stderr: () => string) => Promise<T>): Promise<T> {
  const conf = path.join(dir, 'rsyslog.conf');
  writeFileSync(conf, config);
  execFileSync(RSYSLOGD!, ['-N1', '-f', conf], { stdio: 'pipe' }); // config check: fail here with rsyslog's message
  const child: ChildProcess = spawn(RSYSLOGD!, ['-n', '-f', conf, '-i', path.join(dir, 'rsyslogd.pid')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stdout!.on('data', (d) => (stderr += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    return await fn(() => stderr);
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

test('rsyslog: imfile → omfwd over TCP, octet-counted RFC 5424 (RSYSLOG_SyslogProtocol23Format)', { skip: NO_RSYSLOG }, async () => {
  const dir = tempDir('sightline-rsyslog-');
  try {
    await withServer({ syslog: { port: 0, tenant: TENANT } }, async (s) => {
      const input = path.join(dir, 'app.log');
      writeFileSync(input, 'first line from a file\nsecond line: with "quotes" and ] brackets\nthird line, ünïcödé\n');
      const config = `
global(workDirectory="${dir}")
module(load="imfile")
input(type="imfile" file="${input}" tag="fileapp" facility="local4" severity="warning" ruleset="toSightline")
ruleset(name="toSightline") {
  action(type="omfwd" target="127.0.0.1" port="${s.listeners.syslog_tcp.port}" protocol="tcp"
         tcp_framing="octet-counted" template="RSYSLOG_SyslogProtocol23Format")
}
`;
      const got = await withRsyslog(dir, config, (stderr) => arrived(s, '{service="fileapp"}', 3, stderr));
      assert.deepEqual(got.map((e) => e.line), ['first line from a file', 'second line: with "quotes" and ] brackets', 'third line, ünïcödé']);
      for (const e of got) {
        assert.deepEqual([e.stream.host, e.stream.level, e.stream.facility, e.stream.severity, e.stream.peer], [HOST, 'warn', 'local4', '4', '127.0.0.1']);
        assert.ok(Math.abs(Number(e.ts / 1_000_000n) - Date.now()) < 60_000);
      }
      // rsyslog's RFC 3339 timestamps carry microseconds: they are kept
      assert.ok(got.some((e) => e.ts % 1_000_000n !== 0n), 'sub-millisecond precision kept');
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('rsyslog: omfwd over mutual TLS with gtls (RFC 5425, octet counting), RSYSLOG_ForwardFormat; clients without a certificate refused', { skip: NO_RSYSLOG || (GTLS ? false : 'the rsyslog TLS driver is missing: apt-get install rsyslog-gnutls (.ci/run does)') }, async () => {
  const dir = tempDir('sightline-rsyslog-tls-');
  const warnings = captureWarnings();
  try {
    const pki = makePki(dir);
    await withServer({ syslog: { tlsPort: 0, tenant: TENANT, tls: { certFile: pki.serverCert, keyFile: pki.serverKey, clientCaFile: pki.ca } } }, async (s) => {
      assert.equal(s.listeners.syslog_udp, undefined, 'no plain listeners without syslog.port');
      const input = path.join(dir, 'secure.log');
      writeFileSync(input, 'Accepted publickey for deploy from 10.1.2.3 port 50522\nsession opened for user deploy\n');
      const config = `
global(
  workDirectory="${dir}"
  defaultNetstreamDriver="gtls"
  defaultNetstreamDriverCAFile="${pki.ca}"
  defaultNetstreamDriverCertFile="${pki.clientCert}"
  defaultNetstreamDriverKeyFile="${pki.clientKey}"
)
module(load="imfile")
input(type="imfile" file="${input}" tag="sshd:" facility="authpriv" severity="notice" ruleset="toSightline")
ruleset(name="toSightline") {
  action(type="omfwd" target="127.0.0.1" port="${s.listeners.syslog_tls.port}" protocol="tcp"
         streamDriver="gtls" streamDriverMode="1" streamDriverAuthMode="x509/name" streamDriverPermittedPeers="localhost"
         tcp_framing="octet-counted" template="RSYSLOG_ForwardFormat")
}
`;
      const got = await withRsyslog(dir, config, (stderr) => arrived(s, '{service="sshd"}', 2, stderr));
      assert.deepEqual(got.map((e) => e.line), ['Accepted publickey for deploy from 10.1.2.3 port 50522', 'session opened for user deploy']);
      for (const e of got) assert.deepEqual([e.stream.host, e.stream.level, e.stream.facility], [HOST, 'info', 'authpriv']);
      // RFC 3339 in a 3164 header: the fraction is kept
      assert.ok(got.some((e) => e.ts % 1_000_000n !== 0n));

      // without a client certificate the handshake fails and nothing is stored
      const refused = connect(s.listeners.syslog_tls.port, { ca: readFileSync(pki.ca), servername: 'localhost' }).then(
        async (c) => {
          c.socket.write('<13>1 - - intruder - - - should not arrive\n');
          await c.closed;
        },
        () => undefined,
      );
      await refused;
      await warnings.next(/syslog_tls: 127\.0\.0\.1:\d+: TLS handshake failed/);
      assert.equal((await query(s, '{service="intruder"}')).length, 0);
    });
  } finally {
    warnings.restore();
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---- syslog-ng ---------------------------------------------------------------------------------------------------

/** syslog-ng conflicts with rsyslog as a Debian package: .ci/run unpacks its .deb into a cache directory instead. */
function findSyslogNg(): { bin: string; env: NodeJS.ProcessEnv; args: string[] } | undefined {
  if (existsSync('/usr/sbin/syslog-ng')) return { bin: '/usr/sbin/syslog-ng', env: process.env, args: [] };
  const root = process.env.SIGHTLINE_SYSLOG_NG_ROOT ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'sightline-ci', 'syslog-ng');
  const bin = path.join(root, 'usr/sbin/syslog-ng');
  if (!existsSync(bin)) return undefined;
  const libs = [path.join(root, 'usr/lib/syslog-ng')];
  for (const base of ['usr/lib', 'lib']) for (const d of readdirSafe(path.join(root, base))) if (d.endsWith('-linux-gnu')) libs.push(path.join(root, base, d));
  const modules = readdirSafe(path.join(root, 'usr/lib/syslog-ng')).find((d) => /^\d+\.\d+$/.test(d));
  if (!modules) return undefined;
  return {
    bin,
    env: { ...process.env, LD_LIBRARY_PATH: [...libs, process.env.LD_LIBRARY_PATH ?? ''].filter(Boolean).join(':') },
    args: [`--module-path=${path.join(root, 'usr/lib/syslog-ng', modules)}`],
  };
}

const SYSLOG_NG = findSyslogNg();

test('syslog-ng: file source → syslog() destination (RFC 5424, octet-counted TCP) and over TLS', { skip: SYSLOG_NG ? false : 'syslog-ng not found: .ci/run unpacks syslog-ng-core into ~/.cache/sightline-ci/syslog-ng' }, async () => {
  const dir = tempDir('sightline-syslog-ng-');
  try {
    const pki = makePki(dir);
    await withServer({ syslog: { port: 0, tlsPort: 0, tenant: TENANT, tls: { certFile: pki.serverCert, keyFile: pki.serverKey } } }, async (s) => {
      const input = path.join(dir, 'in.log');
      writeFileSync(input, 'ng line one\nng line two\n');
      const config = `@version: 3.38
options { keep-hostname(yes); stats-freq(0); };
source s_file { file("${input}" follow-freq(0.1) flags(no-parse) program-override("ngapp") default-facility(local5) default-priority(err)); };
destination d_tcp { syslog("127.0.0.1" port(${s.listeners.syslog_tcp.port}) transport("tcp")); };
destination d_tls { syslog("127.0.0.1" port(${s.listeners.syslog_tls.port}) transport("tls") tls(ca-file("${pki.ca}") peer-verify(required-trusted))); };
log { source(s_file); destination(d_tcp); destination(d_tls); };
`;
      writeFileSync(path.join(dir, 'ng.conf'), config);
      const child = spawn(SYSLOG_NG!.bin, ['-F', '--no-caps', '-f', path.join(dir, 'ng.conf'), `--persist-file=${dir}/ng.persist`, `--pidfile=${dir}/ng.pid`, `--control=${dir}/ng.ctl`, ...SYSLOG_NG!.args], {
        env: SYSLOG_NG!.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr!.on('data', (d) => (stderr += d));
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      try {
        const got = await arrived(s, '{service="ngapp"}', 4, () => stderr);
        assert.deepEqual(got.map((e) => e.line).sort(), ['ng line one', 'ng line one', 'ng line two', 'ng line two']);
        for (const e of got) assert.deepEqual([e.stream.host, e.stream.level, e.stream.facility, e.stream.severity], [HOST, 'error', 'local5', '3']);
        // syslog-ng's own SD-ELEMENT
        assert.deepEqual(got.map((e) => e.stream.meta_sequenceId).sort(), ['1', '1', '2', '2']);
      } finally {
        child.kill('SIGTERM');
        await exited;
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---- raw sockets: exact bytes, bad input, back-pressure ---------------------------------------------------------

test('exact timestamps and fields from raw UDP and TCP, 3164 variants side by side', async () => {
  await withServer({ syslog: { port: 0, tenant: TENANT } }, async (s) => {
    const t = new Date(Date.now() - 60_000);
    const stamp = t.toISOString().slice(0, 19);
    await sendUdp(s.listeners.syslog_udp.port, [
      `<134>1 ${stamp}.123456789Z edge-1 nginx 77 ACCESS [http@1 status="503" path="/a\\]b"] GET /a]b 503\n`,
      `<11>1 ${new Date(t.getTime() + 2 * 3600_000).toISOString().slice(0, 19)}+02:00 - - - - - no host, no app`,
    ]);
    await sendAndClose(s.listeners.syslog_tcp.port, `<30>${stamp.slice(0, 4)}-${stamp.slice(5)}.5Z core-sw CRON[9]: iso 3164\n<189>12: *Mar  1 00:00:01.002: %LINK-3-UPDOWN: Interface Gi0/1, changed state to down\n`);
    const got = await arrived(s, '{facility=~".+"}', 4);
    const by = new Map(got.map((e) => [e.line, e]));
    const nginx = by.get('GET /a]b 503')!;
    assert.equal(nginx.ts, nsIso(`${stamp}Z`) + 123_456_789n);
    assert.deepEqual(nginx.stream, { service: 'nginx', host: 'edge-1', level: 'info', facility: 'local0', procid: '77', msgid: 'ACCESS', http_1_status: '503', http_1_path: '/a]b', severity: '6', peer: '127.0.0.1' });
    const anon = by.get('no host, no app')!;
    assert.equal(anon.ts, nsIso(`${stamp}Z`));
    assert.deepEqual(anon.stream, { host: '127.0.0.1', level: 'error', facility: 'user', severity: '3', peer: '127.0.0.1' });
    assert.equal(by.get('iso 3164')!.ts, nsIso(`${stamp}.5Z`));
    assert.deepEqual(by.get('iso 3164')!.stream, { service: 'CRON', host: 'core-sw', level: 'info', facility: 'daemon', procid: '9', severity: '6', peer: '127.0.0.1' });
    const cisco = by.get('Interface Gi0/1, changed state to down')!;
    // "*": a clock never set since boot, months behind: stored at arrival, with the time it claimed
    let claimed = new Date(new Date().getFullYear(), 2, 1, 0, 0, 1, 2);
    if (claimed.getTime() - Date.now() > 31 * 86_400_000) claimed = new Date(claimed.getFullYear() - 1, 2, 1, 0, 0, 1, 2);
    assert.deepEqual(cisco.stream, {
      service: 'LINK', host: '127.0.0.1', level: 'info', facility: 'local7', msgid: 'LINK-3-UPDOWN', sequence: '12', severity: '5', peer: '127.0.0.1',
      original_timestamp: claimed.toISOString(),
    });
    assert.ok(Math.abs(Number(cisco.ts / 1_000_000n) - Date.now()) < 60_000);
  });
});

test('bad input: garbage, over-long and truncated frames, TLS on the plain port: warned with peer and offset, others unaffected', async () => {
  const warnings = captureWarnings();
  try {
    await withServer({ syslog: { port: 0, tenant: TENANT }, limits: { ...DEFAULT_LIMITS, maxLineBytes: 1000 } }, async (s) => {
      const udp = s.listeners.syslog_udp.port;
      const tcp = s.listeners.syslog_tcp.port;

      // UDP: a datagram of binary noise is refused, the next one is stored
      await sendUdp(udp, [Buffer.from([0x00, 0xff, 0x13, 0x37]), '<13>1 - - udp-ok - - - after the noise']);
      await warnings.next(/^sightline: syslog_udp: 127\.0\.0\.1:\d+: byte 0: not a syslog message: no <PRI> and byte 0x00 is not text \(dropped\)$/);
      await arrived(s, '{service="udp-ok"}', 1);

      // TCP, LF framing: a garbage line and an over-long line are skipped, the connection goes on
      const lf = await connect(tcp);
      const good = (n: number) => `<13>Oct 11 22:14:15 h lf-ok: line ${n}\n`;
      lf.socket.write(good(1) + '\x01\x02 binary junk\n' + good(2));
      lf.socket.write(`<13>${'x'.repeat(10_000)}\n` + good(3));
      const skipped = await warnings.next(/syslog_tcp: .*line of more than/);
      assert.match(skipped, new RegExp(`^sightline: syslog_tcp: 127\\.0\\.0\\.1:${lf.socket.localPort}: byte ${good(1).length * 2 + 15}: line of more than 9192 bytes without LF: skipped to the next LF$`));
      assert.match(await warnings.next(/binary junk|0x01/), new RegExp(`syslog_tcp: 127\\.0\\.0\\.1:${lf.socket.localPort}: byte ${good(1).length}: not a syslog message: no <PRI> and byte 0x01 is not text \\(dropped\\)`));

      // TCP, octet counting: a frame longer than the limit closes that connection only
      const other = await connect(tcp);
      const bad = await connect(tcp);
      const badPort = bad.socket.localPort;
      const first = '<13>1 - - oc-ok - - - counted 1';
      bad.socket.write(`${first.length} ${first}99999 <13>1 - - …`);
      await bad.closed;
      assert.match(await warnings.next(/declares 99999 octets/), new RegExp(`^sightline: syslog_tcp: 127\\.0\\.0\\.1:${badPort}: byte ${first.length + 3}: frame declares 99999 octets, more than the limit of 9192; octet counting cannot resynchronize, closing the connection$`));
      const second = '<13>1 - - oc-ok - - - counted 2';
      other.socket.end(`${second.length} ${second}`);
      lf.socket.end(good(4));
      await Promise.all([other.closed, lf.closed]);
      assert.deepEqual((await arrived(s, '{service="oc-ok"}', 2)).map((e) => e.line), ['counted 1', 'counted 2']);
      assert.deepEqual((await arrived(s, '{service="lf-ok"}', 4)).map((e) => e.line), ['line 1', 'line 2', 'line 3', 'line 4']);

      // a connection that ends inside a counted frame
      await sendAndClose(tcp, '40 <13>1 - - cut - - - only part');
      assert.match(await warnings.next(/truncated/), /syslog_tcp: 127\.0\.0\.1:\d+: byte 0: connection closed after 29 of the 40 octets the frame declares: the truncated frame is dropped/);

      // a TLS client on the plain port
      const hello = await connect(tcp);
      hello.socket.write(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00]));
      await hello.closed;
      assert.match(await warnings.next(/TLS handshake on the plain/), /byte 0: this is a TLS handshake on the plain TCP port; send syslog over TLS to syslog.tls_port/);

      assert.equal((await query(s, '{service="cut"}')).length, 0);
      const metrics = await (await fetch(`${s.url}/metrics`)).text();
      assert.match(metrics, /sightline_ingest_rejected_entries_total\{(?=[^}]*reason="malformed")(?=[^}]*protocol="syslog")[^}]*\} 2\n/);
      assert.match(metrics, /sightline_ingest_rejected_entries_total\{(?=[^}]*reason="framing")(?=[^}]*protocol="syslog")[^}]*\} 4\n/);
      assert.match(metrics, /sightline_ingest_entries_total\{(?=[^}]*tenant="netops")(?=[^}]*protocol="syslog")[^}]*\} 7\n/);
    });
  } finally {
    warnings.restore();
  }
});

test('a busy store: TCP reads stop (the sender backs up) and every message read is retried until stored', async () => {
  await withServer({ syslog: { port: 0, tenant: TENANT } }, async (s) => {
    const append = s.store.append.bind(s.store);
    let busy = true;
    let refusals = 0;
    s.store.append = (batch) => {
      if (!busy) return append(batch);
      refusals++;
      return Promise.reject(new StoreBusyError('test: ingest queue is full', 0.1));
    };
    // 24 MiB: more than the listener's pause threshold and both kernels' socket buffers together
    const pad = 'p'.repeat(2000);
    const count = 12_000;
    const parts: string[] = [];
    for (let i = 0; i < count; i++) parts.push(`<14>1 - - busy - - - ${String(i).padStart(5, '0')} ${pad}\n`);
    const c = await connect(s.listeners.syslog_tcp.port);
    c.socket.write(parts.join(''));
    while (refusals < 3) await new Promise((r) => setTimeout(r, 50));
    const stuck = c.socket.writableLength;
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(c.socket.writableLength > 0 && c.socket.writableLength === stuck, `the sender is held back (${c.socket.writableLength} bytes unsent)`);
    busy = false;
    c.socket.end();
    await c.closed;
    const deadline = Date.now() + 60_000;
    let n = 0;
    while (n < count && Date.now() < deadline) {
      const r = await getJson(s.url, `/loki/api/v1/query?${new URLSearchParams({ query: 'sum(count_over_time({service="busy"}[1h]))' })}`, { tenant: TENANT });
      n = Number(r.body.data.result[0]?.value[1] ?? 0);
      if (n < count) await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(n, count, 'every message read was stored once');
    const first = await query(s, '{service="busy"} |= "00000 "');
    const last = await query(s, `{service="busy"} |= "${count - 1} "`);
    assert.deepEqual([first.length, last.length], [1, 1]);
  });
});

test('UDP past the in-memory queue: datagrams dropped and counted, the rest stored', async () => {
  const warnings = captureWarnings();
  try {
    await withServer({ syslog: { port: 0, tenant: TENANT } }, async (s) => {
      const append = s.store.append.bind(s.store);
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      s.store.append = async (batch) => {
        await gate;
        return append(batch);
      };
      const big = 'z'.repeat(60_000);
      const messages: string[] = [];
      for (let i = 0; i < 300; i++) messages.push(`<13>1 - - flood - - - ${String(i).padStart(3, '0')} ${big}`);
      await sendUdp(s.listeners.syslog_udp.port, messages);
      assert.match(await warnings.next(/datagram dropped/), /syslog_udp: 127\.0\.0\.1:\d+: datagram dropped: 16777216 bytes are already waiting for the store \(\d+ dropped so far; use TCP for back-pressure\)/);
      release();
      const metrics = async () => (await (await fetch(`${s.url}/metrics`)).text());
      const dropped = Number(/sightline_ingest_rejected_entries_total\{(?=[^}]*reason="udp_queue_full")[^}]*\} (\d+)/.exec(await metrics())![1]);
      const stored = (await arrived(s, '{service="flood"}', 300 - dropped)).length;
      assert.ok(dropped > 0 && dropped <= 300 - 279, `dropped ${dropped}`);
      // the kernel may drop some too (its buffer is the only other queue): never more arrive than were sent
      assert.equal(stored + dropped, 300);
    });
  } finally {
    warnings.restore();
  }
});

test('listener errors name the port and the flag; TLS without a certificate is refused by the config check', async () => {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
  const port = (blocker.address() as net.AddressInfo).port;
  try {
    await assert.rejects(withServer({ syslog: { port, tenant: TENANT } }, async () => undefined), new RegExp(`syslog over TCP cannot listen on port ${port}: the port is in use; choose another with --syslog-port N, or turn it off with --syslog-port 0`));
    await assert.rejects(withServer({ syslog: { tlsPort: 0, tenant: TENANT } }, async () => undefined), /syslog.tls_port needs a certificate/);
  } finally {
    blocker.close();
  }
});
