// TLS on the main listener (a throwaway self-signed certificate made with openssl) and the `sightline` CLI
// (query in text and JSON, errors, the exposure guard) run as real child processes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import https from 'node:https';
import path from 'node:path';
import { readFileSync, rmSync } from 'node:fs';
import { nowNs, push, REPO, tempDir, withServer } from './harness.ts';

function selfSignedCert(dir: string): { cert: string; key: string } {
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  return { cert, key };
}

function httpsGet(url: string, ca: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https.get(url, { ca }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

test('the server speaks TLS when given a certificate and key', async () => {
  const dir = tempDir();
  try {
    const { cert, key } = selfSignedCert(dir);
    await withServer({ tls: { certFile: cert, keyFile: key } }, async (s) => {
      assert.match(s.url, /^https:\/\//);
      const r = await httpsGet(`${s.url}/ready`, readFileSync(cert));
      assert.equal(r.status, 200);
      assert.equal(r.body, 'ready\n');
      // a client that does not trust the certificate is refused
      await assert.rejects(httpsGet(`${s.url}/ready`, Buffer.from('')), /certificate|self[- ]signed/i);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Runs the CLI asynchronously: the in-process server under test shares this event loop. */
function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(REPO, 'bin', 'sightline'), ...args], { encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ status: err ? ((err as NodeJS.ErrnoException & { code?: number }).code as unknown as number) ?? 1 : 0, stdout, stderr });
    });
  });
}

test('sightline query prints log lines and metrics; errors are explained', async () => {
  await withServer({}, async (s) => {
    const t = nowNs(-30_000);
    await push(s.url, [
      { stream: { service: 'payment', level: 'error' }, values: [[String(t), 'payment provider timeout'], [String(t + 1000n), 'payment retry failed']] },
      { stream: { service: 'order', level: 'info' }, values: [[String(t), 'order created']] },
    ]);
    let r = await cli(['query', '{service="payment"}', '--server', s.url, '--since', '10m']);
    assert.equal(r.status, 0, r.stderr);
    const out = r.stdout.trim().split('\n');
    assert.equal(out.length, 2);
    assert.match(out[0], /^\d{4}-\d{2}-\d{2}T\S+Z \{level="error", service="payment"\} payment retry failed$/);
    assert.match(out[1], /payment provider timeout$/);

    r = await cli(['query', 'sum by (service) (count_over_time({}[10m]))', '--server', s.url, '--since', '10m', '--step', '10m', '--output', 'json']);
    assert.equal(r.status, 0, r.stderr);
    const data = JSON.parse(r.stdout);
    assert.equal(data.resultType, 'matrix');
    const totals = Object.fromEntries(data.result.map((x: any) => [x.metric.service, Math.max(...x.values.map((v: any) => Number(v[1])))]));
    assert.deepEqual(totals, { order: 1, payment: 2 });

    r = await cli(['query', '{service="payment"', '--server', s.url]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /parse error at line 1, col \d+/);

    r = await cli(['query', '{}', '--server', 'http://127.0.0.1:1']);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /cannot reach http:\/\/127\.0\.0\.1:1/);
  });
});

test('sightline server refuses 0.0.0.0 without auth and explains bad flags', async () => {
  let r = await cli(['server', '--host', '0.0.0.0', '--port', '0', '--data-dir', path.join(tempDir(), 'd')]);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /refusing to listen on 0\.0\.0\.0 without authentication/);
  r = await cli(['server', '--port', 'abc']);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /--port: expected 0-65535/);
  r = await cli(['nonsense']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown command "nonsense"/);
});
