// The benchmark's push loop: Retry-After parsing, retries on 429/503, and failing fast on other answers.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pushBodies, retryAfterMs, LoadError } from '../../src/bench/load.ts';

test('Retry-After is read as seconds or an HTTP date, clamped to 50 ms … 30 s', () => {
  assert.equal(retryAfterMs('2'), 2000);
  assert.equal(retryAfterMs('0'), 50);
  assert.equal(retryAfterMs('3600'), 30_000);
  assert.equal(retryAfterMs(undefined), 1000);
  assert.equal(retryAfterMs(new Date(10_000 + 5000).toUTCString(), 10_000), 5000);
});

async function withServer(answer: (n: number) => { status: number; headers?: Record<string, string> }, fn: (url: string, received: () => number) => Promise<void>): Promise<void> {
  let n = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const a = answer(n++);
      res.writeHead(a.status, a.headers).end(a.status >= 400 ? 'nope' : '');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  try {
    await fn(`http://127.0.0.1:${port}/loki/api/v1/push`, () => n);
  } finally {
    server.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'load-test-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const bodies = [0, 1, 2, 3, 4].map((i) => {
  const file = `b${i}.json`;
  writeFileSync(join(dir, file), '{"streams":[]}');
  return { file, lines: 10, bytes: 14 };
});

test('every body is sent once successfully; 429 and 503 are waited out and retried', async () => {
  await withServer((n) => (n === 1 ? { status: 429, headers: { 'Retry-After': '0' } } : n === 3 ? { status: 503, headers: { 'Retry-After': '0' } } : { status: 204 }), async (url, received) => {
    const r = await pushBodies({ url, dir, bodies, concurrency: 2, deadlineMs: Date.now() + 30_000 });
    assert.equal(r.lines, 50);
    assert.equal(r.bodies, 5);
    assert.equal(r.throttled, 2);
    assert.equal(received(), 7);
  });
});

test('another error answer stops the load with the status and the server text', async () => {
  await withServer(() => ({ status: 400 }), async (url) => {
    await assert.rejects(pushBodies({ url, dir, bodies, concurrency: 2, deadlineMs: Date.now() + 30_000 }), (e: unknown) => e instanceof LoadError && e.status === 400 && /answered 400: nope/.test(e.message));
  });
});

test('a server that keeps throttling is given up on after maxAttempts', async () => {
  await withServer(() => ({ status: 429, headers: { 'Retry-After': '0' } }), async (url) => {
    await assert.rejects(pushBodies({ url, dir, bodies: bodies.slice(0, 1), concurrency: 1, deadlineMs: Date.now() + 30_000, maxAttempts: 3 }), /still refused after 3 attempts/);
  });
});
