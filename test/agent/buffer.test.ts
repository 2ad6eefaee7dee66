// The compressing memory buffer: bodies join the newest batch up to max_events, each is gzipped as it arrives
// (its pooled buffer released once read), and a sealed batch is one gzip body of the members in arrival order.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { MemoryBuffer, type EncodedPiece } from '../../src/agent/buffer.ts';

const CFG = { type: 'memory' as const, maxEvents: 1000, maxBytes: 1 << 20, whenFull: 'block' as const };

function piece(tag: string, events: number, released: string[]): EncodedPiece {
  let text = '';
  for (let i = 0; i < events; i++) text += `{"line":"${tag}-${i}"}\n`;
  return { body: Buffer.from(text), events, release: () => released.push(tag) };
}

test('members join up to max_events, are compressed once, and a sealed batch gunzips to them in order', async () => {
  let spaced = 0;
  const buf = new MemoryBuffer(CFG, true, () => spaced++);
  const released: string[] = [];
  const raw: Buffer[] = [];
  for (const [tag, n] of [['a', 40], ['b', 30], ['c', 30], ['d', 50]] as const) {
    const p = piece(tag, n, released);
    raw.push(Buffer.from(p.body));
    buf.pushEncoded([p], 0, 100);
  }
  // a, b, c fill the first batch (100 events: sealed at once); d starts the second
  assert.equal(buf.length, 2);
  assert.equal(buf.events, 150);
  const rawBytes = raw.reduce((n, b) => n + b.length, 0);
  const [first, second] = [buf.peek(0)!, buf.peek(1)!];
  await buf.seal(first);
  await buf.seal(second);
  assert.deepEqual(released.sort(), ['a', 'b', 'c', 'd']);
  assert.ok(spaced >= 4);
  assert.equal(first.count, 100);
  assert.equal(first.pieces!.length, 1);
  assert.equal(first.pieces![0].gzipped, true);
  assert.equal(first.pieces![0].events, 100);
  assert.deepEqual(gunzipSync(first.pieces![0].body), Buffer.concat(raw.slice(0, 3)));
  assert.deepEqual(gunzipSync(second.pieces![0].body), raw[3]);
  // the buffer now counts compressed bytes only
  assert.equal(buf.bytes, first.pieces![0].body.length + second.pieces![0].body.length);
  assert.ok(buf.bytes < rawBytes / 3, `${buf.bytes} compressed of ${rawBytes}`);
  buf.ack();
  buf.ack();
  assert.equal(buf.events, 0);
  assert.equal(buf.bytes, 0);
});

test('a batch being sent (index < started) takes no more members; without compression lent bodies are copied', async () => {
  const buf = new MemoryBuffer(CFG, true);
  const released: string[] = [];
  buf.pushEncoded([piece('a', 10, released)], 0, 100);
  buf.pushEncoded([piece('b', 10, released)], 1, 100); // the worker started sending batch 0
  assert.equal(buf.length, 2);
  await buf.seal(buf.peek(1)!);
  assert.equal(gunzipSync(buf.peek(1)!.pieces![0].body).toString().split('\n')[0], '{"line":"b-0"}');

  const plain = new MemoryBuffer(CFG, false);
  const p = piece('c', 5, released);
  plain.pushEncoded([p], 0, 100);
  assert.ok(released.includes('c'), 'released at once: the buffer holds its own copy');
  p.body.fill(0x78); // the pool reuses it
  assert.match(plain.peek(0)!.pieces![0].body.toString(), /^\{"line":"c-0"\}\n/);
});
