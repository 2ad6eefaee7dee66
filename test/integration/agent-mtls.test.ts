// The agent shipping to a Sightline server that requires client certificates (tls.client_ca_file): certificates
// made with openssl; without its client certificate the agent is refused with a clear error in its log and in
// /metrics, keeps the lines, and delivers every one of them once its config is fixed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { Agent } from '../../src/agent/agent.ts';
import { loadAgentConfig } from '../../src/agent/agent-config.ts';
import { nowNs, tempDir, withServer } from './harness.ts';

function makeCertificates(dir: string): void {
  const ssl = (args: string[]) => execFileSync('openssl', args, { stdio: 'pipe', cwd: dir });
  ssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=sightline test ca']);
  for (const [who, ext] of [['server', 'subjectAltName=IP:127.0.0.1'], ['client', 'extendedKeyUsage=clientAuth']]) {
    ssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${who}.key`, '-out', `${who}.csr`, '-subj', `/CN=${who}`]);
    writeFileSync(path.join(dir, `${who}.ext`), ext + '\n');
    ssl(['x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${who}.pem`, '-days', '1', '-extfile', `${who}.ext`]);
  }
}

/** GET over HTTPS with the client certificate (the server asks every client for one). */
function httpsJson(url: string, dir: string): Promise<any> {
  return new Promise((resolve, reject) => {
    const read = (f: string) => readFileSync(path.join(dir, f));
    https
      .get(url, { ca: read('ca.pem'), cert: read('client.pem'), key: read('client.key') }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body)) : reject(new Error(`${res.statusCode}: ${body}`))));
      })
      .on('error', reject);
  });
}

async function storedLines(base: string, dir: string): Promise<string[]> {
  const q = new URLSearchParams({ query: '{job="mtls"}', start: String(nowNs(-3_600_000)), end: String(nowNs(60_000)), limit: '1000', direction: 'forward' });
  const body = await httpsJson(`${base}/loki/api/v1/query_range?${q}`, dir);
  return body.data.result.flatMap((s: { values: [string, string][] }) => s.values).sort((a: [string, string], b: [string, string]) => (BigInt(a[0]) < BigInt(b[0]) ? -1 : 1)).map((v: [string, string]) => v[1]);
}

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('agent → server with mutual TLS: refused without a client certificate (log, /metrics), every line delivered once it has one', async (t) => {
  const dir = tempDir('sightline-agent-mtls-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  makeCertificates(dir);
  const lines = Array.from({ length: 50 }, (_, i) => `payment ${i} settled`);
  writeFileSync(path.join(dir, 'app.log'), lines.join('\n') + '\n');
  const f = (n: string) => path.join(dir, n);
  await withServer({ tls: { certFile: f('server.pem'), keyFile: f('server.key'), clientCaFile: f('ca.pem') } }, async (s) => {
    assert.match(s.url, /^https:/);
    const config = (tls: string) =>
      ['data_dir: ./data', 'labels: {job: mtls}', 'api: {port: 0}', 'sources:', '  app: {type: file, include: [app.log]}', 'sinks:', '  sightline:', '    type: sightline', `    url: "${s.url}"`, `    tls: ${tls}`, '    retry: {initial_backoff: 50ms, max_backoff: 200ms}', ''].join('\n');

    // no client certificate: the server refuses the handshake
    writeFileSync(f('agent.yaml'), config('{ca_file: ca.pem}'));
    const log: string[] = [];
    let agent = new Agent(loadAgentConfig(f('agent.yaml')), undefined, (m) => log.push(m));
    await agent.start();
    try {
      const failure = await until('the refusal in the agent log', () => log.find((l) => /sink sightline: delivery failed/.test(l)));
      assert.match(failure, /certificate/i, failure);
      assert.match(failure, /tls\.cert_file/, 'the message says what to configure');
      const metrics = await until('retries in /metrics', async () => {
        const text = await (await fetch(`http://127.0.0.1:${agent.apiAddress!.port}/metrics`)).text();
        return /sightline_agent_sink_retries_total\{sink="sightline"\} [1-9]/.test(text) ? text : undefined;
      });
      assert.match(metrics, /sightline_agent_sink_failures_total\{sink="sightline",reason="tls_client_certificate_required"\} [1-9]/);
      assert.doesNotMatch(metrics, /sightline_agent_sink_events_total\{sink="sightline"\} [1-9]/);
      assert.deepEqual(await storedLines(s.url, dir), []);
    } finally {
      await agent.stop(200);
    }

    // fixed: the client certificate; the lines held back by the refused batch all arrive, once
    writeFileSync(f('agent.yaml'), config('{ca_file: ca.pem, cert_file: client.pem, key_file: client.key}'));
    agent = new Agent(loadAgentConfig(f('agent.yaml')), undefined, (m) => log.push(m));
    await agent.start();
    try {
      const got = await until('every line stored', async () => {
        const stored = await storedLines(s.url, dir);
        return stored.length >= lines.length ? stored : undefined;
      });
      assert.deepEqual(got, lines);
    } finally {
      await agent.stop();
    }
  });
});
