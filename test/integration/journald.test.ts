// journald export ingestion (POST /upload) against a real server with systemd's own tools: systemd-journal-upload
// (from stdin and from a real journal file written by systemd-journal-remote), `journalctl -o export`; plus errors,
// gzip, and a long streamed upload committed in several batches. Needs Debian's systemd-journal-remote package.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { RunningServer } from '../../src/server/sightline-server.ts';
import { getJson, rangeQuery, tempDir, withServer } from './harness.ts';

const UPLOAD = '/lib/systemd/systemd-journal-upload';
const REMOTE = '/lib/systemd/systemd-journal-remote';
const JOURNALCTL = '/usr/bin/journalctl';
const missing = [UPLOAD, REMOTE, JOURNALCTL].filter((f) => !existsSync(f));
const skip = missing.length > 0 ? `needs ${missing.join(', ')} (apt-get install systemd-journal-remote)` : false;

const KEYS = { tenantKeys: { acme: ['key-acme'] } };
const NOW_US = BigInt(Date.now()) * 1000n;

interface Entry {
  ts: bigint;
  line: string;
  stream: Record<string, string>;
}

async function stored(s: RunningServer, query: string, key?: string): Promise<Entry[]> {
  const q = await getJson(s.url, rangeQuery(query, { limit: '5000', direction: 'forward' }), { key });
  assert.equal(q.status, 200, JSON.stringify(q.body));
  const out: Entry[] = [];
  for (const st of q.body.data.result) for (const [ts, line] of st.values) out.push({ ts: BigInt(ts), line, stream: st.stream });
  return out.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
}

function run(cmd: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * systemd-journal-upload reading export-format bytes from a file (its positional FILE argument). Not from a pipe:
 * given a pipe that is already closed, it can take the hang-up before reading and exit 0 having sent nothing.
 */
async function upload(url: string, body: Buffer, extra: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const dir = tempDir('sightline-journald-upload-');
  try {
    const file = path.join(dir, 'entries.export');
    writeFileSync(file, body);
    return await run(UPLOAD, ['-u', url, ...extra, file]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function text(name: string, value: string): string {
  return `${name}=${value}\n`;
}

function binary(name: string, value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  const size = Buffer.alloc(8);
  size.writeBigUInt64LE(BigInt(bytes.length));
  return Buffer.concat([Buffer.from(name + '\n'), size, bytes, Buffer.from('\n')]);
}

/** Three entries as journald would export them: plain text fields, a multi-line (binary) MESSAGE, two hosts. */
function sampleExport(): Buffer {
  return Buffer.concat([
    Buffer.from(text('__REALTIME_TIMESTAMP', String(NOW_US - 3000n)) + text('_BOOT_ID', '6c7c6013a8b34d5c8da9a4b3a6c4e24a') + text('PRIORITY', '6') +
      text('SYSLOG_IDENTIFIER', 'sshd') + text('MESSAGE', 'Accepted publickey for deploy') + text('_PID', '811') + text('_SYSTEMD_UNIT', 'ssh.service') +
      text('_HOSTNAME', 'web-1') + '\n'),
    Buffer.from(text('__REALTIME_TIMESTAMP', String(NOW_US - 2000n)) + text('PRIORITY', '3') + text('SYSLOG_IDENTIFIER', 'app')),
    binary('MESSAGE', 'Traceback (most recent call last):\n  File "app.py", line 1'),
    Buffer.from(text('_SYSTEMD_UNIT', 'app.service') + text('_HOSTNAME', 'web-1') + text('CODE_FILE', 'app.py') + '\n'),
    Buffer.from(text('__REALTIME_TIMESTAMP', String(NOW_US - 1000n)) + text('PRIORITY', '4') + text('SYSLOG_IDENTIFIER', 'kernel') +
      text('MESSAGE', 'TCP: request_sock_TCP: Possible SYN flooding on port 443') + text('_HOSTNAME', 'db-1') + text('_TRANSPORT', 'kernel') + '\n'),
  ]);
}

function uploadUrl(s: RunningServer, key?: string): string {
  const u = new URL(s.url);
  if (key) {
    // systemd-journal-upload has no header option: libcurl sends URL credentials as HTTP Basic (key as password)
    u.username = 'journal';
    u.password = key;
  }
  return u.toString().replace(/\/$/, '');
}

test('systemd-journal-upload from an export file: labels, metadata, multi-line message, microsecond time; key via URL credentials', { skip }, async () => {
  await withServer(KEYS, async (s) => {
    const r = await upload(uploadUrl(s, 'key-acme'), sampleExport());
    assert.equal(r.code, 0, r.stderr);
    const got = await stored(s, '{service=~".+"}', 'key-acme');
    assert.deepEqual(got.map((e) => e.line), [
      'Accepted publickey for deploy',
      'Traceback (most recent call last):\n  File "app.py", line 1',
      'TCP: request_sock_TCP: Possible SYN flooding on port 443',
    ]);
    assert.deepEqual(got.map((e) => e.ts), [3000n, 2000n, 1000n].map((d) => (NOW_US - d) * 1000n));
    assert.deepEqual(got[0].stream, { service: 'ssh.service', host: 'web-1', level: 'info', boot_id: '6c7c6013a8b34d5c8da9a4b3a6c4e24a', priority: '6', syslog_identifier: 'sshd', pid: '811' });
    assert.deepEqual(got[1].stream, { service: 'app.service', host: 'web-1', level: 'error', priority: '3', syslog_identifier: 'app', code_file: 'app.py' });
    assert.deepEqual(got[2].stream, { service: 'kernel', host: 'db-1', level: 'warn', priority: '4', transport: 'kernel' });
    // queryable as labels and as metadata
    assert.deepEqual((await stored(s, '{host="web-1", level="error"} | code_file="app.py"', 'key-acme')).length, 1);
  });
});

test('systemd-journal-upload with a bad key fails and prints the reason; nothing stored', { skip }, async () => {
  await withServer(KEYS, async (s) => {
    let r = await upload(uploadUrl(s, 'nope'), sampleExport());
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Upload to http:\/\/journal:nope@127\.0\.0\.1:\d+\/upload failed with code 401: invalid API key/);
    r = await upload(uploadUrl(s), sampleExport());
    assert.equal(r.code, 1);
    assert.match(r.stderr, /failed with code 401: authentication required/);
    assert.deepEqual(await stored(s, '{service=~".+"}', 'key-acme'), []);
  });
});

test('a real journal file: systemd-journal-remote writes it, systemd-journal-upload --file sends it and saves its cursor; journalctl -o export agrees', { skip }, async () => {
  const dir = tempDir('sightline-journald-');
  try {
    const exportFile = path.join(dir, 'in.export');
    const journal = path.join(dir, 'remote.journal');
    writeFileSync(exportFile, sampleExport());
    let r = await run(REMOTE, ['-o', journal, exportFile]);
    assert.equal(r.code, 0, r.stderr);
    // what journalctl exports from it carries journald's own address fields (__CURSOR, __MONOTONIC_TIMESTAMP…)
    const exported = await run(JOURNALCTL, ['--file', journal, '-o', 'export']);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stdout, /^__CURSOR=s=/);
    await withServer({}, async (s) => {
      const state = path.join(dir, 'state');
      r = await run(UPLOAD, ['-u', uploadUrl(s), '--file', journal, '--follow=no', `--save-state=${state}`]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(readFileSync(state, 'utf8'), /^LAST_CURSOR=s=.*;i=3;/m, 'the uploader recorded the last entry as delivered');
      const got = await stored(s, '{service=~".+"}');
      assert.equal(got.length, 3);
      assert.equal(got[1].line, 'Traceback (most recent call last):\n  File "app.py", line 1');
      assert.equal(got[0].stream.cursor, undefined, '__CURSOR is not kept');
      assert.equal(got[0].stream.boot_id, '6c7c6013a8b34d5c8da9a4b3a6c4e24a');
      // journalctl's export of the same file, posted over plain HTTP into another tenant, gives the same records
      const res = await fetch(`${s.url}/upload`, { method: 'POST', headers: { 'Content-Type': 'application/vnd.fdo.journal', 'X-Scope-OrgID': 'copy' }, body: exported.stdout });
      assert.equal(res.status, 202);
      assert.equal(await res.text(), 'OK.\n');
      const q = await getJson(s.url, rangeQuery('{service=~".+"}', { limit: '100', direction: 'forward' }), { tenant: 'copy' });
      const copied = q.body.data.result.flatMap((st: { stream: Record<string, string>; values: string[][] }) => st.values.map((v) => ({ ts: BigInt(v[0]), line: v[1], stream: st.stream })));
      copied.sort((a: Entry, b: Entry) => (a.ts < b.ts ? -1 : 1));
      assert.deepEqual(copied, got);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('HTTPS: systemd-journal-upload verifies the server with --trust and presents the client pair it insists on', { skip }, async () => {
  const dir = tempDir('sightline-journald-tls-');
  try {
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    await withServer({ ...KEYS, tls: { certFile: cert, keyFile: key } }, async (s) => {
      assert.match(s.url, /^https:/);
      // without a client pair it fails before connecting (it reads its default /etc/ssl paths)
      let r = await upload(uploadUrl(s, 'key-acme'), sampleExport(), [`--trust=${cert}`, '--key=/nonexistent/key.pem', '--cert=/nonexistent/cert.pem']);
      assert.equal(r.code, 1);
      r = await upload(uploadUrl(s, 'key-acme'), sampleExport(), [`--trust=${cert}`, `--key=${key}`, `--cert=${cert}`]);
      assert.equal(r.code, 0, r.stderr);
      const q = await getJson(s.url.replace('https:', 'http:'), '/ready').catch(() => undefined);
      assert.equal(q, undefined, 'the main port speaks only TLS');
      const res = await new Promise<string>((resolve, reject) => {
        const req = https.get(`${s.url}${rangeQuery('{host="web-1"}', { direction: 'forward' })}`, { ca: readFileSync(cert), headers: { Authorization: 'Bearer key-acme' } }, (m) => {
          let text = '';
          m.on('data', (d) => (text += d));
          m.on('end', () => resolve(text));
        });
        req.on('error', reject);
      });
      const lines = JSON.parse(res).data.result.flatMap((st: { values: string[][] }) => st.values.map((v) => v[1])).sort();
      assert.deepEqual(lines, ['Accepted publickey for deploy', 'Traceback (most recent call last):\n  File "app.py", line 1']);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad input over HTTP: 415 for another type, 400 naming the byte with the entries before it kept, gzip accepted, refusals listed', async () => {
  await withServer({}, async (s) => {
    const post = (body: Buffer | string, headers: Record<string, string> = {}) =>
      fetch(`${s.url}/upload`, { method: 'POST', headers: { 'Content-Type': 'application/vnd.fdo.journal', ...headers }, body: typeof body === 'string' ? body : new Uint8Array(body) });
    let res = await post('MESSAGE=x\n\n', { 'Content-Type': 'text/plain' });
    assert.equal(res.status, 415);
    assert.equal(await res.text(), 'Content-Type: application/vnd.fdo.journal is required (got "text/plain")\n');

    const good = `__REALTIME_TIMESTAMP=${NOW_US}\nMESSAGE=before the damage\nSYSLOG_IDENTIFIER=app\n\n`;
    res = await post(Buffer.concat([Buffer.from(good), Buffer.from('MESSAGE\nPRIORITY=6\n\n')]));
    assert.equal(res.status, 400);
    assert.match(await res.text(), new RegExp(`^malformed journal export at byte ${good.length}: binary field MESSAGE declares \\d+ bytes, more than limits\\.max_body_bytes \\(\\d+\\); 1 entries before it were stored\\n$`));
    assert.deepEqual((await stored(s, '{service="app"}')).map((e) => e.line), ['before the damage']);

    res = await post(gzipSync(`__REALTIME_TIMESTAMP=${NOW_US + 1n}\nMESSAGE=zipped\nSYSLOG_IDENTIFIER=app\n\n`), { 'Content-Encoding': 'gzip' });
    assert.equal(res.status, 202);
    res = await post('not gzip', { 'Content-Encoding': 'gzip' });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /^could not decompress the gzip body: /);
    res = await post('MESSAGE=x\n\n', { 'Content-Encoding': 'zstd' });
    assert.equal(res.status, 415);

    // entries refused by limits do not fail the upload (the uploader would only resend them), but are named
    res = await post(`__REALTIME_TIMESTAMP=1000000\nMESSAGE=ancient\nSYSLOG_IDENTIFIER=app\n\n__REALTIME_TIMESTAMP=${NOW_US + 2n}\nMESSAGE=fresh\nSYSLOG_IDENTIFIER=app\n\n`);
    assert.equal(res.status, 202);
    assert.match(await res.text(), /^OK\. 1 entries stored, 1 refused:\nentry 0 of \{service="app"\}: timestamp 1970-01-01T00:00:01\.000Z is older than the accepted window .* \(timestamp_too_old\)\n$/);
    assert.deepEqual((await stored(s, '{service="app"}')).map((e) => e.line), ['before the damage', 'zipped', 'fresh']);
  });
});

test('a long upload streams: 20,000 entries from systemd-journal-upload committed in several batches, all stored', { skip }, async () => {
  await withServer({}, async (s) => {
    const parts: Buffer[] = [];
    for (let i = 0; i < 20_000; i++) {
      parts.push(Buffer.from(`__REALTIME_TIMESTAMP=${NOW_US - 100_000n + BigInt(i)}\nPRIORITY=${i % 8}\nSYSLOG_IDENTIFIER=bulk\n_HOSTNAME=h${i % 3}\nMESSAGE=bulk entry ${i} ${'x'.repeat(100)}\n_PID=${1000 + (i % 50)}\n\n`));
    }
    const body = Buffer.concat(parts);
    const commitsBefore = s.store.counters.commits;
    const r = await upload(uploadUrl(s), body);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(s.store.counters.commits - commitsBefore >= 4, `committed in batches (${s.store.counters.commits - commitsBefore} commits)`);
    const q = await getJson(s.url, `/loki/api/v1/query?${new URLSearchParams({ query: 'sum(count_over_time({service="bulk"}[1h]))', time: String(BigInt(Date.now()) * 1_000_000n) })}`);
    assert.equal(q.status, 200);
    assert.equal(q.body.data.result[0].value[1], '20000');
    const levels = await getJson(s.url, '/loki/api/v1/label/level/values');
    assert.deepEqual([...levels.body.data].sort(), ['debug', 'error', 'fatal', 'info', 'warn']);
  });
});
