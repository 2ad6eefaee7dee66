// The TCP/TLS framer: RFC 6587 octet counting and LF (non-transparent) framing chosen per message, frames split at
// every possible chunk boundary, the frame size limit, and each error with its stream byte offset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newFramerOutput, SyslogFramer, type FramingError } from '../../src/ingest/syslog-framing.ts';

interface Run {
  frames: string[];
  offsets: number[];
  errors: FramingError[];
  alive: boolean;
}

/** Feeds `chunks` then (unless `open`) the end of the stream. */
function frame(chunks: (string | Buffer)[], max = 1000, open = false): Run {
  const f = new SyslogFramer(max);
  const out = newFramerOutput();
  let alive = true;
  for (const c of chunks) if (alive) alive = f.push(typeof c === 'string' ? Buffer.from(c, 'latin1') : c, out);
  if (!open && alive) f.end(out);
  return { frames: out.frames.map((b) => b.toString('latin1')), offsets: out.offsets, errors: out.errors, alive };
}

/** Every way to cut `text` in two, plus byte by byte: all must frame like the whole. */
function everySplit(text: string, max = 1000): Run[] {
  const runs = [frame([text], max)];
  for (let i = 1; i < text.length; i++) runs.push(frame([text.slice(0, i), text.slice(i)], max));
  runs.push(frame([...text], max));
  return runs;
}

test('LF framing: one message per line, CR LF and NUL trailers, blank lines skipped, the last line without LF kept', () => {
  const text = '<13>one\n<13>two\r\n\n<13>three\0<13>four';
  for (const r of everySplit(text)) {
    assert.deepEqual(r.frames, ['<13>one', '<13>two\r', '<13>three', '<13>four']);
    assert.deepEqual(r.offsets, [0, 8, 18, 28]);
    assert.deepEqual(r.errors, []);
  }
});

test('octet counting (RFC 6587 §3.4.1): MSG-LEN SP MSG, LF inside a message kept, frames back to back', () => {
  const a = '<13>1 - h a - - - line one\nline two';
  const b = '<14>x';
  const text = `${a.length} ${a}${b.length} ${b}`;
  for (const r of everySplit(text)) {
    assert.deepEqual(r.frames, [a, b]);
    assert.deepEqual(r.offsets, [0, a.length + 3]);
    assert.deepEqual(r.errors, []);
  }
});

test('framing is chosen per message: octet-counted and LF-terminated frames on one stream, LF after a counted frame', () => {
  const text = '5 <13>a\n<13>b\n11 <13>c\nc\nc\nc\n';
  for (const r of everySplit(text)) assert.deepEqual(r.frames, ['<13>a', '<13>b', '<13>c\nc\nc\nc']);
});

test('digits not followed by SP start a line (a message without PRI), not an octet count', () => {
  for (const r of everySplit('2024-10-12 12:00:00 started\n1\n')) {
    assert.deepEqual(r.frames, ['2024-10-12 12:00:00 started', '1']);
    assert.deepEqual(r.errors, []);
  }
  assert.deepEqual(frame(['123']).frames, ['123']);
});

test('a declared length over the limit is fatal: error at the frame start, nothing more is read', () => {
  const r = frame(['5 <13>a', '1001 <13>…', '5 <13>b'], 1000);
  assert.deepEqual(r.frames, ['<13>a']);
  assert.equal(r.alive, false);
  assert.deepEqual(r.errors, [{ offset: 7, message: 'frame declares 1001 octets, more than the limit of 1000; octet counting cannot resynchronize, closing the connection', fatal: true }]);
  const digits = frame(['<13>ok\n', '12345678901 x'], 1000);
  assert.deepEqual(digits.frames, ['<13>ok']);
  assert.deepEqual(digits.errors, [{ offset: 7, message: 'octet count of more than 10 digits; octet counting cannot resynchronize, closing the connection', fatal: true }]);
  // at the limit exactly is fine
  assert.deepEqual(frame([`10 ${'x'.repeat(10)}`], 10).frames, ['x'.repeat(10)]);
});

test('a stream that ends inside an octet-counted frame reports the truncation with the frame offset', () => {
  const r = frame(['4 <13>', '50 <13>1 - h a'], 1000);
  assert.deepEqual(r.frames, ['<13>']);
  assert.deepEqual(r.errors, [{ offset: 6, message: 'connection closed after 11 of the 50 octets the frame declares: the truncated frame is dropped', fatal: true }]);
});

test('an over-long LF line is skipped up to the next LF, whatever the chunking; the next line is kept', () => {
  const text = `<13>short\n<13>${'y'.repeat(30)}\n<13>next\n`;
  for (const r of everySplit(text, 20)) {
    assert.deepEqual(r.frames, ['<13>short', '<13>next']);
    assert.deepEqual(r.errors, [{ offset: 10, message: 'line of more than 20 bytes without LF: skipped to the next LF', fatal: false }]);
    assert.equal(r.alive, true);
  }
  // never terminated: skipped to the end, one error, memory not held
  const f = new SyslogFramer(20);
  const out = newFramerOutput();
  for (let i = 0; i < 100; i++) f.push(Buffer.from('z'.repeat(15)), out);
  assert.equal(out.errors.length, 1);
  assert.equal(f.buffered, 0);
});

test('frames and offsets over a long stream cut into uneven chunks', () => {
  let text = '';
  const want: string[] = [];
  const offsets: number[] = [];
  for (let i = 0; i < 500; i++) {
    const msg = `<${i % 192}>1 - host app ${i} - - message number ${i} ${'p'.repeat(i % 37)}`;
    offsets.push(text.length);
    text += i % 3 === 0 ? `${msg}\n` : `${Buffer.byteLength(msg)} ${msg}`;
    want.push(msg);
  }
  const chunks: string[] = [];
  for (let i = 0, n = 1; i < text.length; i += n, n = (n * 7 + 3) % 97 + 1) chunks.push(text.slice(i, i + n));
  const r = frame(chunks, 1000);
  assert.deepEqual(r.frames, want);
  assert.deepEqual(r.offsets, offsets);
  assert.deepEqual(r.errors, []);
});
