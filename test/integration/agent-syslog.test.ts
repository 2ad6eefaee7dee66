// The agent's syslog source against real senders: Debian's `logger` over UDP and TCP (RFC 5424 with octet counting,
// RFC 3164 with LF framing) and `openssl s_client` over TLS, through the agent into a real Sightline server.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Agent } from '../../src/agent/agent.ts';
import { loadAgentConfig } from '../../src/agent/agent-config.ts';
import { getJson, nowNs, tempDir, withServer } from './harness.ts';

const LOGGER = '/usr/bin/logger';

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const v = await fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Entries for a LogQL selector: stream labels (with structured metadata merged in, as the API returns them) and line. */
async function entries(url: string, query: string): Promise<{ labels: Record<string, string>; line: string }[]> {
  const q = new URLSearchParams({ query, start: String(nowNs(-3_600_000)), end: String(nowNs(60_000)), limit: '1000', direction: 'forward' });
  const r = await getJson(url, `/loki/api/v1/query_range?${q}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const out: { labels: Record<string, string>; line: string }[] = [];
  for (const s of r.body.data.result) for (const [, line] of s.values) out.push({ labels: s.stream, line });
  return out;
}

function logger(args: string[]): void {
  execFileSync(LOGGER, args, { stdio: 'pipe' });
}

test('syslog source: logger over UDP and TCP (RFC 5424 octet-counted, RFC 3164 LF-framed) reaches the server with its fields', { skip: !existsSync(LOGGER) && 'logger is not installed' }, async (t) => {
  const dir = tempDir('sightline-agent-syslog-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await withServer({}, async (s) => {
    writeFileSync(path.join(dir, 'agent.yaml'), [
      'data_dir: ./data',
      'labels: {job: sys}',
      'api: {port: 0}',
      'sources:',
      '  udp: {type: syslog, mode: udp, port: 0}',
      '  tcp: {type: syslog, mode: tcp, port: 0, labels: {via: tcp}}',
      'sinks:',
      `  out: {type: sightline, url: "${s.url}"}`,
      '',
    ].join('\n'));
    const logs: string[] = [];
    const agent = new Agent(loadAgentConfig(path.join(dir, 'agent.yaml')), undefined, (m) => logs.push(m));
    await agent.start();
    try {
      const udp = agent.sourceAddress('udp')!;
      const tcp = agent.sourceAddress('tcp')!;
      assert.equal(udp.address, '127.0.0.1', 'binds 127.0.0.1 by default');
      logger(['--server', '127.0.0.1', '--port', String(udp.port), '--udp', '--rfc5424', '-t', 'billing', '-p', 'local3.err', '--msgid', 'PAY', '--sd-id', 'order@32473', '--sd-param', 'id="17"', 'charge declined']);
      logger(['--server', '127.0.0.1', '--port', String(tcp.port), '--tcp', '--rfc5424', '--octet-count', '-t', 'shipping', '-p', 'daemon.info', 'parcel 9 left the depot']);
      // LF framing: one connection, two messages
      const two = path.join(dir, 'two.txt');
      writeFileSync(two, 'first of two\nsecond of two\n');
      logger(['--server', '127.0.0.1', '--port', String(tcp.port), '--tcp', '--rfc3164', '-t', 'cron', '-p', 'cron.warning', '-f', two]);

      const billing = await until('the UDP message', async () => (await entries(s.url, '{job="sys", service="billing"}'))[0]);
      assert.equal(billing.line, 'charge declined');
      assert.equal(billing.labels.level, 'error');
      assert.equal(billing.labels.facility, 'local3');
      assert.equal(billing.labels.msgid, 'PAY');
      assert.equal(billing.labels.severity, '3');
      assert.equal(billing.labels.order_32473_id, '17');
      assert.equal(billing.labels.peer, '127.0.0.1');

      const shipping = await until('the octet-counted TCP message', async () => (await entries(s.url, '{job="sys", service="shipping", via="tcp"}'))[0]);
      assert.equal(shipping.line, 'parcel 9 left the depot');
      assert.equal(shipping.labels.level, 'info');
      assert.equal(shipping.labels.facility, 'daemon');

      const cron = await until('both LF-framed RFC 3164 messages', async () => {
        const got = await entries(s.url, '{job="sys", service="cron"}');
        return got.length >= 2 ? got : undefined;
      });
      assert.deepEqual(cron.map((e) => e.line), ['first of two', 'second of two']);
      assert.equal(cron[0].labels.level, 'warn');
      assert.equal(cron[0].labels.facility, 'cron');

      // an empty datagram is no syslog message: skipped, said in the log, counted in /metrics
      const sock = createSocket('udp4');
      await new Promise<void>((resolve) => sock.send(Buffer.alloc(0), udp.port, '127.0.0.1', () => resolve()));
      sock.close();
      await until('the malformed datagram in /metrics', async () => {
        const text = await (await fetch(`http://127.0.0.1:${agent.apiAddress!.port}/metrics`)).text();
        return /sightline_agent_source_dropped_total\{source="udp",reason="malformed"\} 1/.test(text) ? true : undefined;
      });
      assert.ok(logs.some((l) => /source udp: 127\.0\.0\.1: byte 0: not a syslog message, skipped: empty message/.test(l)), logs.join('\n'));
    } finally {
      await agent.stop();
    }
  });
});

test('syslog source over TLS with client certificates: openssl s_client with a certificate is heard, without one is refused', async (t) => {
  const dir = tempDir('sightline-agent-syslog-tls-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const f = (n: string) => path.join(dir, n);
  const ssl = (args: string[]) => execFileSync('openssl', args, { stdio: 'pipe', cwd: dir });
  ssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=test ca']);
  for (const who of ['server', 'client']) {
    ssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${who}.key`, '-out', `${who}.csr`, '-subj', `/CN=${who === 'server' ? '127.0.0.1' : 'sender'}`]);
    writeFileSync(f(`${who}.ext`), who === 'server' ? 'subjectAltName=IP:127.0.0.1\n' : 'extendedKeyUsage=clientAuth\n');
    ssl(['x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${who}.pem`, '-days', '1', '-extfile', `${who}.ext`]);
  }
  await withServer({}, async (s) => {
    writeFileSync(f('agent.yaml'), [
      'data_dir: ./data',
      'labels: {job: systls}',
      'sources:',
      '  tls: {type: syslog, mode: tls, port: 0, tls: {cert_file: server.pem, key_file: server.key, client_ca_file: ca.pem}}',
      'sinks:',
      `  out: {type: sightline, url: "${s.url}"}`,
      '',
    ].join('\n'));
    const logs: string[] = [];
    const agent = new Agent(loadAgentConfig(f('agent.yaml')), undefined, (m) => logs.push(m));
    await agent.start();
    try {
      const port = agent.sourceAddress('tls')!.port;
      // RFC 5425 §4.3: octet-counted frames over TLS
      const msg = `<134>1 ${new Date().toISOString()} web1 nginx 42 - - request served over tls`;
      const send = (withCert: boolean) =>
        new Promise<{ code: number | null; stderr: string }>((resolve) => {
          const args = ['s_client', '-connect', `127.0.0.1:${port}`, '-CAfile', 'ca.pem', '-quiet', '-no_ign_eof', '-verify_return_error'];
          if (withCert) args.push('-cert', 'client.pem', '-key', 'client.key');
          const child = spawn('openssl', args, { cwd: dir, stdio: ['pipe', 'ignore', 'pipe'] });
          let stderr = '';
          child.stderr.on('data', (d) => (stderr += d));
          child.on('exit', (code) => resolve({ code, stderr }));
          child.stdin.end(`${Buffer.byteLength(msg)} ${msg}\n`);
        });
      const sent = await send(true);
      assert.equal(sent.code, 0, sent.stderr);
      const got = await until('the TLS message', async () => (await entries(s.url, '{job="systls"}'))[0]).catch((e) => assert.fail(`${e.message}; agent log: ${logs.join(' | ')}; s_client: ${sent.stderr}`));
      assert.equal(got.line, 'request served over tls');
      assert.equal(got.labels.service, 'nginx');
      assert.equal(got.labels.host, 'web1');
      assert.equal(got.labels.procid, '42');

      await send(false);
      await until('the refused handshake in the agent log', async () => logs.find((l) => /TLS handshake failed/.test(l)));
      assert.equal((await entries(s.url, '{job="systls"}')).length, 1, 'nothing from the sender without a certificate');
    } finally {
      await agent.stop();
    }
  });
});
