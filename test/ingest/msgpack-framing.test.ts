// The msgpack framer: complete top-level objects however the stream is split, and early refusal of bytes that are
// not msgpack arrays, of the never-used byte 0xc1, and of messages that announce more than the size limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decode, encode } from '@msgpack/msgpack';
import { FrameError, MsgpackFramer } from '../../src/ingest/msgpack-framing.ts';

const messages: unknown[] = [
  ['app.web', 1700000000, { log: 'GET / 200', n: -5, f: 1.5, ok: true, nil: null }],
  ['app.db', [[1700000001, { message: 'x'.repeat(300) }], [1700000002, { big: 2 ** 40, neg: -(2 ** 40) }]], { chunk: 'abc' }],
  ['packed', Buffer.alloc(70_000, 7), { size: 1, compressed: 'gzip' }],
  ['m', { nested: { deeper: [1, 2, { k: 'v'.repeat(40) }] }, s16: 'y'.repeat(1000) }],
];
const stream = Buffer.concat(messages.map((m) => encode(m)));

function drain(f: MsgpackFramer): unknown[] {
  const out: unknown[] = [];
  // decoded bin values are views of the frame, which the next push() may overwrite: copy (the listener maps first)
  for (let frame = f.next(); frame; frame = f.next()) out.push(decode(Buffer.from(frame)));
  return out;
}

test('frames come out whole whatever the chunking: byte by byte, odd sizes, all at once', () => {
  for (const size of [1, 2, 3, 7, 100, 4096, stream.length]) {
    const f = new MsgpackFramer({ maxFrameBytes: 1 << 20, requireArray: true });
    const got: unknown[] = [];
    for (let i = 0; i < stream.length; i += size) {
      f.push(stream.subarray(i, i + size));
      got.push(...drain(f));
    }
    assert.deepEqual(got, messages, `chunk size ${size}`);
    assert.equal(f.buffered, 0);
  }
});

test('a partial frame is held until it completes, and buffered counts it', () => {
  const one = encode(messages[1]);
  const f = new MsgpackFramer({ maxFrameBytes: 1 << 20 });
  f.push(one.subarray(0, 20));
  assert.equal(f.next(), undefined);
  assert.equal(f.buffered, 20);
  f.push(one.subarray(20));
  assert.deepEqual(decode(f.next()!), messages[1]);
  assert.equal(f.next(), undefined);
});

test('bytes that do not start a msgpack array are refused at once, with a text hint', () => {
  const f = new MsgpackFramer({ maxFrameBytes: 1 << 20, requireArray: true });
  f.push(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
  assert.throws(() => f.next(), (e: unknown) => e instanceof FrameError && e.code === 'not_an_array' && /starts with byte 0x47 \(text "GET \/ HTTP\/1\.1…"\)$/.test(e.message));
  const g = new MsgpackFramer({ maxFrameBytes: 1 << 20, requireArray: true });
  g.push(Buffer.from([0x00, 0x01]));
  assert.throws(() => g.next(), /starts with byte 0x00$/);
});

test('the never-used byte 0xc1 inside a message is refused with its offset', () => {
  const f = new MsgpackFramer({ maxFrameBytes: 1 << 20, requireArray: true });
  f.push(Buffer.from([0x93, 0xa1, 0x61, 0xc1, 0x00]));
  assert.throws(() => f.next(), (e: unknown) => e instanceof FrameError && e.code === 'invalid_byte' && e.message === 'invalid MessagePack byte 0xc1 at offset 3 of the message');
});

test('a message announcing more than the limit is refused from its header, before the payload arrives', () => {
  const f = new MsgpackFramer({ maxFrameBytes: 1024 });
  // [tag, bin32 of 1 GiB …]: only the headers have arrived
  f.push(Buffer.from([0x92, 0xa1, 0x74, 0xc6, 0x40, 0x00, 0x00, 0x00]));
  assert.throws(() => f.next(), (e: unknown) => e instanceof FrameError && e.code === 'too_large' && /^a message of at least 1073741832 bytes, over the limit of 1024 bytes$/.test(e.message));
  // an array32 announcing a billion elements: each takes at least a byte
  const g = new MsgpackFramer({ maxFrameBytes: 1024 });
  g.push(Buffer.from([0xdd, 0x3b, 0x9a, 0xca, 0x00]));
  assert.throws(() => g.next(), /, over the limit of 1024 bytes$/);
  // exactly at the limit is fine
  const exact = encode(['t', 'x'.repeat(100)]);
  const h = new MsgpackFramer({ maxFrameBytes: exact.length });
  h.push(exact);
  assert.deepEqual(decode(h.next()!), ['t', 'x'.repeat(100)]);
});

test('every fixed-size and ext format is skipped by its length', () => {
  const ext = Buffer.from([
    0x9c, // fixarray of 12
    0xd4, 0x01, 0xaa, // fixext1
    0xd5, 0x01, 0, 0, // fixext2
    0xd6, 0x01, 0, 0, 0, 0, // fixext4
    0xd7, 0x00, 0, 0, 0, 1, 0, 0, 0, 2, // fixext8 (EventTime)
    0xd8, 0x01, ...new Array(16).fill(0), // fixext16
    0xc7, 0x03, 0x05, 1, 2, 3, // ext8
    0xc8, 0x00, 0x02, 0x05, 1, 2, // ext16
    0xc9, 0x00, 0x00, 0x00, 0x01, 0x05, 9, // ext32
    0xcb, 0, 0, 0, 0, 0, 0, 0, 0, // float64
    0xcf, 0, 0, 0, 0, 0, 0, 0, 1, // uint64
    0xde, 0x00, 0x01, 0xa1, 0x6b, 0xc0, // map16 {k: nil}
    0xc5, 0x00, 0x01, 0xff, // bin16
  ]);
  for (const size of [1, 5, ext.length]) {
    const f = new MsgpackFramer({ maxFrameBytes: 1 << 20, requireArray: true });
    let frame: Buffer | undefined;
    for (let i = 0; i < ext.length; i += size) {
      f.push(ext.subarray(i, i + size));
      frame = f.next() ?? frame;
    }
    assert.equal(frame?.length, ext.length, `chunk size ${size}`);
    assert.equal(f.buffered, 0);
  }
});
