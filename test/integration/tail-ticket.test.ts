// The tail ticket over HTTP and WebSocket (the `ws` client): issued only to a valid key, bound to the tenant it
// was asked for, single use; a refused upgrade is a 401 with WWW-Authenticate, never a silent close.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { nowNs, push, withServer } from './harness.ts';

const KEYS = { 'team-a': ['key-both'], 'team-b': ['key-both'] };

async function ticket(url: string, headers: Record<string, string>): Promise<{ status: number; body: { ticket?: string; message?: string }; cache: string | null }> {
  const res = await fetch(`${url}/ui/api/tail-ticket`, { method: 'POST', headers });
  return { status: res.status, body: (await res.json()) as { ticket?: string; message?: string }, cache: res.headers.get('cache-control') };
}

/** Opens the tail; resolves with the first frame's lines, or the refused handshake's status and headers. */
function tail(url: string, params: Record<string, string>): Promise<{ lines?: string[]; status?: number; wwwAuthenticate?: string; body?: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/loki/api/v1/tail?${new URLSearchParams(params)}`);
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { streams: { values: [string, string][] }[] };
      ws.close();
      resolve({ lines: frame.streams.flatMap((s) => s.values.map(([, l]) => l)) });
    });
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode, wwwAuthenticate: String(res.headers['www-authenticate']), body }));
    });
    ws.on('error', reject);
  });
}

test('a ticket opens one tail for the tenant it was issued for', async () => {
  await withServer({ tenantKeys: KEYS }, async (s) => {
    await push(s.url, [{ stream: { app: 'web' }, values: [[String(nowNs(-1000)), 'line of team b']] }], { key: 'key-both', tenant: 'team-b' });
    await push(s.url, [{ stream: { app: 'web' }, values: [[String(nowNs(-1000)), 'line of team a']] }], { key: 'key-both', tenant: 'team-a' });

    const noKey = await ticket(s.url, {});
    assert.equal(noKey.status, 401);
    assert.match(noKey.body.message!, /authentication required/);
    const wrong = await ticket(s.url, { Authorization: 'Bearer nope' });
    assert.equal(wrong.status, 401);
    // several tenants and none named: the same refusal as any query
    assert.equal((await ticket(s.url, { Authorization: 'Bearer key-both' })).status, 403);
    const forbidden = await ticket(s.url, { Authorization: 'Bearer key-both', 'X-Scope-OrgID': 'team-c' });
    assert.equal(forbidden.status, 403);
    assert.match(forbidden.body.message!, /may not access tenant "team-c"/);

    const ok = await ticket(s.url, { Authorization: 'Bearer key-both', 'X-Scope-OrgID': 'team-b' });
    assert.equal(ok.status, 200);
    assert.equal(ok.cache, 'no-store');
    const first = await tail(s.url, { query: '{app="web"}', ticket: ok.body.ticket! });
    assert.deepEqual(first.lines, ['line of team b']);

    // spent: the same ticket again is refused before the handshake, with the scheme to use
    const again = await tail(s.url, { query: '{app="web"}', ticket: ok.body.ticket! });
    assert.equal(again.status, 401);
    assert.equal(again.wwwAuthenticate, 'Bearer realm="sightline"');
    assert.match(again.body!, /invalid or expired tail ticket/);
    // no ticket and no key: 401 too
    const bare = await tail(s.url, { query: '{app="web"}' });
    assert.equal(bare.status, 401);
    assert.equal(bare.wwwAuthenticate, 'Bearer realm="sightline"');
  });
});

test('without authentication a ticket carries the tenant header a browser cannot send', async () => {
  await withServer({}, async (s) => {
    await push(s.url, [{ stream: { app: 'web' }, values: [[String(nowNs(-1000)), 'line of ops']] }], { tenant: 'ops' });
    const ok = await ticket(s.url, { 'X-Scope-OrgID': 'ops' });
    assert.equal(ok.status, 200);
    assert.deepEqual((await tail(s.url, { query: '{app="web"}', ticket: ok.body.ticket! })).lines, ['line of ops']);
  });
});
