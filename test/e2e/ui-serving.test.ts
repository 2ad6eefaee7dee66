// Serving the UI on the main port: `GET /` answers browsers with the page and everything else (shippers, the
// official Elasticsearch client) with the cluster info; assets are content-hashed, immutable, compressed and
// revalidated by ETag; /ui/api/session tells the page whether it needs a key and which tenants the key serves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { Client } from '@elastic/elasticsearch';
import { withServer } from '../integration/harness.ts';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8';

async function get(url: string, headers: Record<string, string> = {}, method = 'GET') {
  const res = await fetch(url, { headers, method });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

test('GET / negotiates: browsers get the UI, everything else the Elasticsearch cluster info', async () => {
  await withServer({}, async (s) => {
    const page = await get(`${s.url}/`, { Accept: BROWSER_ACCEPT });
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.match(page.body.toString(), /<title>Sightline<\/title>/);
    assert.match(page.body.toString(), /<script type="module" src="\/ui\/assets\/app-[A-Z0-9]+\.js"><\/script>/);
    assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    assert.equal(page.headers.get('cache-control'), 'no-cache');
    assert.match(page.headers.get('vary') ?? '', /Accept/);
    assert.equal(page.headers.get('x-elastic-product'), null);

    for (const accept of [undefined, '*/*', 'application/json', 'application/vnd.elasticsearch+json; compatible-with=8', 'text/html;q=0.5, application/json']) {
      const r = await get(`${s.url}/`, accept ? { Accept: accept } : {});
      assert.equal(r.status, 200, String(accept));
      assert.equal(r.headers.get('x-elastic-product'), 'Elasticsearch', String(accept));
      assert.equal(JSON.parse(r.body.toString()).tagline, 'You Know, for Search', String(accept));
      assert.match(r.headers.get('vary') ?? '', /Accept/);
    }
    // the official client's product check still passes
    const es = new Client({ node: s.url });
    const info = await es.info();
    assert.equal(info.version.number, '8.11.0');
    await es.close();

    const head = await get(`${s.url}/`, { Accept: BROWSER_ACCEPT }, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    assert.equal(head.headers.get('content-type'), 'text/html; charset=utf-8');
  });
});

test('the page is also served under /ui/, and assets are immutable, compressed and revalidated', async () => {
  await withServer({}, async (s) => {
    for (const p of ['/ui', '/ui/explore', '/ui/explore?q=%7Ba%3D%22b%22%7D']) {
      const r = await get(`${s.url}${p}`);
      assert.equal(r.status, 200, p);
      assert.match(r.body.toString(), /<div id="app"><\/div>/, p);
    }
    const html = (await get(`${s.url}/ui`)).body.toString();
    const js = /src="(\/ui\/assets\/app-[A-Z0-9]+\.js)"/.exec(html)![1];
    const css = /href="(\/ui\/assets\/app-[A-Z0-9]+\.css)"/.exec(html)![1];

    const plain = await get(`${s.url}${js}`, { 'Accept-Encoding': 'identity' });
    assert.equal(plain.status, 200);
    assert.equal(plain.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(plain.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(plain.headers.get('content-encoding'), null);
    assert.ok(plain.body.length > 10_000);

    const br = await fetchRaw(`${s.url}${js}`, 'br, gzip');
    assert.equal(br.encoding, 'br');
    assert.deepEqual(brotliDecompressSync(br.body), plain.body);
    const gz = await fetchRaw(`${s.url}${js}`, 'gzip');
    assert.equal(gz.encoding, 'gzip');
    assert.deepEqual(gunzipSync(gz.body), plain.body);
    // the first load stays well under the 300 kB (compressed) budget
    const cssBr = await fetchRaw(`${s.url}${css}`, 'br');
    assert.ok(br.body.length + cssBr.body.length < 300_000, `${br.body.length + cssBr.body.length} bytes`);

    const etag = plain.headers.get('etag')!;
    const again = await get(`${s.url}${js}`, { 'If-None-Match': etag });
    assert.equal(again.status, 304);
    assert.equal(again.body.length, 0);

    const gone = await get(`${s.url}/ui/assets/app-OLD.js`);
    assert.equal(gone.status, 404);
    assert.match(JSON.parse(gone.body.toString()).message, /no UI asset app-OLD\.js: reload the page/);
  });
});

/** fetch() decompresses; node:http does not, so the bytes on the wire can be checked. */
async function fetchRaw(url: string, acceptEncoding: string): Promise<{ encoding: string | undefined; body: Buffer }> {
  const http = await import('node:http');
  return new Promise((resolve, reject) => {
    http.get(url, { headers: { 'Accept-Encoding': acceptEncoding } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

test('/ui/api/session: open without keys; with keys, 401 until a valid key, then its tenants', async () => {
  await withServer({}, async (s) => {
    const r = await get(`${s.url}/ui/api/session`);
    assert.deepEqual(JSON.parse(r.body.toString()), { authRequired: false, tenants: [] });
  });
  await withServer({ tenantKeys: { 'team-a': ['key-a', 'key-both'], ops: ['key-both'] } }, async (s) => {
    const none = await get(`${s.url}/ui/api/session`);
    assert.equal(none.status, 401);
    assert.match(JSON.parse(none.body.toString()).message, /authentication required/);
    const wrong = await get(`${s.url}/ui/api/session`, { Authorization: 'Bearer nope' });
    assert.equal(wrong.status, 401);
    assert.match(JSON.parse(wrong.body.toString()).message, /invalid API key/);
    const one = await get(`${s.url}/ui/api/session`, { Authorization: 'Bearer key-a' });
    assert.deepEqual(JSON.parse(one.body.toString()), { authRequired: true, tenants: ['team-a'] });
    const both = await get(`${s.url}/ui/api/session`, { Authorization: 'Bearer key-both' });
    assert.deepEqual(JSON.parse(both.body.toString()), { authRequired: true, tenants: ['ops', 'team-a'] });
    // the page itself needs no key (it asks for one); the cluster info at / still does
    assert.equal((await get(`${s.url}/`, { Accept: BROWSER_ACCEPT })).status, 200);
    assert.equal((await get(`${s.url}/`, { Accept: 'application/json' })).status, 401);
  });
});
