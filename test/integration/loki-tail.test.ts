// /loki/api/v1/tail over a real WebSocket client: look-back, live lines, filters, tenant isolation, bad queries.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { nowNs, push, withServer } from './harness.ts';

interface Frame {
  streams: { stream: Record<string, string>; values: [string, string][] }[];
  dropped_entries: unknown;
}

/** Opens a tail and collects its frames; `until` resolves once the received lines satisfy the predicate. */
function openTail(url: string, params: Record<string, string>, headers: Record<string, string> = {}) {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/loki/api/v1/tail?${new URLSearchParams(params)}`, { headers });
  const frames: Frame[] = [];
  const waiters: (() => void)[] = [];
  ws.on('message', (data) => {
    frames.push(JSON.parse(String(data)) as Frame);
    for (const w of waiters.splice(0)) w();
  });
  const lines = () => frames.flatMap((f) => f.streams.flatMap((s) => s.values.map(([, l]) => l)));
  const until = (pred: (lines: string[]) => boolean, ms = 8000) =>
    new Promise<string[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out; got ${JSON.stringify(lines())}`)), ms);
      const check = () => {
        if (pred(lines())) {
          clearTimeout(timer);
          resolve(lines());
        } else waiters.push(check);
      };
      check();
    });
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
  return { ws, frames, lines, until, opened, closed };
}

test('tail sends the look-back, then new matching lines of its tenant only', async () => {
  await withServer({}, async (s) => {
    assert.equal((await push(s.url, [{ stream: { app: 'tail' }, values: [[String(nowNs(-10_000)), 'keep: before connect']] }], { tenant: 'a' })).status, 204);
    const tail = openTail(s.url, { query: '{app="tail"} |= "keep"', start: String(nowNs(-60_000)) }, { 'X-Scope-OrgID': 'a' });
    await tail.opened;
    await tail.until((l) => l.includes('keep: before connect'));
    assert.deepEqual(tail.frames[0].streams[0].stream, { app: 'tail' });
    assert.equal(tail.frames[0].dropped_entries, null);

    // another tenant's line, pushed before ours: had it leaked, it would arrive no later than ours
    assert.equal((await push(s.url, [{ stream: { app: 'tail' }, values: [[String(nowNs()), 'keep: tenant b secret']] }], { tenant: 'b' })).status, 204);
    const t = nowNs();
    assert.equal((await push(s.url, [{ stream: { app: 'tail' }, values: [[String(t), 'keep: live one'], [String(t + 1n), 'drop me'], [String(t + 2n), 'keep: live two']] }], { tenant: 'a' })).status, 204);
    const got = await tail.until((l) => l.includes('keep: live two'));
    assert.deepEqual(got, ['keep: before connect', 'keep: live one', 'keep: live two']);
    for (const f of tail.frames) for (const st of f.streams) for (const [ts] of st.values) assert.match(ts, /^\d{19}$/);

    // lines keep coming in later frames, each sent once
    const t2 = nowNs();
    await push(s.url, [{ stream: { app: 'tail', pod: 'p2' }, values: [[String(t2), 'keep: later']] }], { tenant: 'a' });
    assert.deepEqual(await tail.until((l) => l.includes('keep: later')), ['keep: before connect', 'keep: live one', 'keep: live two', 'keep: later']);
    tail.ws.close();
    await tail.closed;
  });
});

test('tail with several tenants, pipelines, and the server closing the session', async () => {
  await withServer({}, async (s) => {
    const tail = openTail(s.url, { query: '{job="x"} | logfmt | level="error"', limit: '10' }, { 'X-Scope-OrgID': 'a|b' });
    await tail.opened;
    const t = nowNs();
    await push(s.url, [{ stream: { job: 'x' }, values: [[String(t), 'level=error msg=a']] }], { tenant: 'a' });
    await push(s.url, [{ stream: { job: 'x' }, values: [[String(t), 'level=info msg=b'], [String(t + 1n), 'level=error msg=b']] }], { tenant: 'b' });
    const got = await tail.until((l) => l.length >= 2);
    assert.deepEqual(got.sort(), ['level=error msg=a', 'level=error msg=b']);
    // extracted labels show in the frame's stream labels, as in Loki
    assert.equal(tail.frames.flatMap((f) => f.streams).every((st) => st.stream.level === 'error' && st.stream.msg !== undefined), true);
    // the server ends open tails on shutdown with "going away"
    const closing = tail.closed;
    await s.close();
    assert.equal((await closing).code, 1001);
  });
});

test('a bad tail request is closed with a reason, or refused before the handshake', async () => {
  await withServer({ tenantKeys: { a: ['key-a'] } }, async (s) => {
    const auth = { Authorization: 'Bearer key-a' };
    const metric = openTail(s.url, { query: 'sum(rate({app="x"}[1m]))' }, auth);
    const c1 = await metric.closed;
    assert.equal(c1.code, 1008);
    assert.match(c1.reason, /log query/);
    const syntax = openTail(s.url, { query: '{app=' }, auth);
    assert.equal((await syntax.closed).code, 1008);
    const delay = openTail(s.url, { query: '{app="x"}', delay_for: '6' }, auth);
    assert.match((await delay.closed).reason, /delay_for can't be greater than 5/);

    const unauthenticated = new WebSocket(`${s.url.replace(/^http/, 'ws')}/loki/api/v1/tail?query=%7Bapp%3D%22x%22%7D`);
    unauthenticated.on('error', () => {});
    const status = await new Promise<number>((resolve) =>
      unauthenticated.once('unexpected-response', (req, res) => {
        resolve(res.statusCode ?? 0);
        req.destroy();
      }),
    );
    assert.equal(status, 401);

    const plain = await fetch(`${s.url}/loki/api/v1/tail?query=%7Bapp%3D%22x%22%7D`, { headers: auth });
    assert.equal(plain.status, 400);
    assert.match(((await plain.json()) as { message: string }).message, /WebSocket/);
  });
});
