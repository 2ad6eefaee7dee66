// Tests of request-body reading: identity, gzip, deflate and brotli bodies, the size cap before and after
// decompression (a gzip bomb fails alone with 413), unsupported encodings (415) and corrupt bodies (400).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { BodyError, readBody } from '../../src/ingest/body-decoding.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const PAYLOAD = readFileSync(`${HERE}../../../shared/data/loghub/OpenStack/OpenStack_2k.log`);

/** A request-like stream delivering `buf` in chunks of `size` bytes. */
const stream = (buf: Buffer, size = 16 * 1024): Readable => {
  const chunks: Buffer[] = [];
  for (let o = 0; o < buf.length; o += size) chunks.push(buf.subarray(o, o + size));
  return Readable.from(chunks);
};

async function bodyError(p: Promise<unknown>): Promise<BodyError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof BodyError, `expected a BodyError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected readBody to reject');
}

test('identity bodies are returned byte for byte, whatever the chunking', async (t) => {
  for (const encoding of [undefined, '', 'identity', ' Identity ', 'IDENTITY']) {
    for (const size of [1, 7, 1000, PAYLOAD.length]) {
      await t.test(`${JSON.stringify(encoding)} in chunks of ${size}`, async () => {
        const src = size < 100 ? PAYLOAD.subarray(0, 3000) : PAYLOAD; // tiny chunks: a smaller body keeps the test fast
        const out = await readBody(stream(src, size), encoding, 64 * 1024 * 1024);
        assert.ok(out.equals(src));
      });
    }
  }
});

test('an empty body is an empty buffer', async () => {
  const out = await readBody(Readable.from([]), undefined, 10);
  assert.equal(out.length, 0);
  const gz = await readBody(stream(gzipSync(Buffer.alloc(0))), 'gzip', 100);
  assert.equal(gz.length, 0);
});

test('compressed bodies are decompressed', async (t) => {
  const SMALL = PAYLOAD.subarray(0, 20_000);
  const cases: [string, Buffer][] = [
    ['gzip', gzipSync(PAYLOAD)],
    ['gzip (small body)', gzipSync(SMALL)],
    ['x-gzip', gzipSync(PAYLOAD)],
    ['GZIP', gzipSync(PAYLOAD)],
    [' gzip ', gzipSync(PAYLOAD)],
    ['deflate', deflateSync(PAYLOAD)],
    ['Deflate', deflateSync(PAYLOAD)],
    ['br', brotliCompressSync(PAYLOAD)],
  ];
  for (const [encoding, compressed] of cases) {
    const plain = encoding.includes('small') ? SMALL : PAYLOAD;
    const enc = encoding.replace(' (small body)', '');
    for (const size of [encoding.includes('small') ? 5 : 512, 4096, compressed.length]) {
      await t.test(`${JSON.stringify(encoding)} in chunks of ${size}`, async () => {
        const out = await readBody(stream(compressed, size), enc, 64 * 1024 * 1024);
        assert.equal(out.length, plain.length);
        assert.ok(out.equals(plain));
      });
    }
  }
});

test('concatenated gzip members decompress to the concatenation', async () => {
  const a = Buffer.from('first member\n');
  const b = Buffer.from('second member\n');
  const out = await readBody(stream(Buffer.concat([gzipSync(a), gzipSync(b)])), 'gzip', 1024);
  assert.equal(out.toString(), 'first member\nsecond member\n');
});

test('unsupported encodings are refused with 415', async (t) => {
  for (const encoding of ['compress', 'zstd', 'gzip, deflate', 'snappy', 'base64']) {
    await t.test(encoding, async () => {
      const e = await bodyError(readBody(stream(Buffer.from('x')), encoding, 1024));
      assert.equal(e.status, 415);
      assert.equal(e.message, `unsupported Content-Encoding "${encoding}": use gzip, deflate, br or none`);
    });
  }
});

test('identity bodies over the cap fail with 413; the cap itself is allowed', async () => {
  const ok = await readBody(stream(Buffer.alloc(1000, 0x61), 100), undefined, 1000);
  assert.equal(ok.length, 1000);
  const e = await bodyError(readBody(stream(Buffer.alloc(1001, 0x61), 100), undefined, 1000));
  assert.equal(e.status, 413);
  assert.equal(e.message, 'request body exceeds 1000 bytes');
});

test('a gzip bomb fails with 413 once the decompressed size passes the cap', async (t) => {
  const bomb = gzipSync(Buffer.alloc(16 * 1024 * 1024)); // 16 MiB of zeros in ~16 KiB
  assert.ok(bomb.length < 32 * 1024);
  for (const [encoding, body] of [['gzip', bomb], ['deflate', deflateSync(Buffer.alloc(16 * 1024 * 1024))], ['br', brotliCompressSync(Buffer.alloc(16 * 1024 * 1024))]] as const) {
    await t.test(encoding, async () => {
      const e = await bodyError(readBody(stream(body, 1024), encoding, 1024 * 1024));
      assert.equal(e.status, 413);
      assert.equal(e.message, 'request body exceeds 1048576 bytes after decompression');
    });
  }
  await t.test('a small gzip body that decompresses to exactly the cap passes', async () => {
    const out = await readBody(stream(gzipSync(Buffer.alloc(4096, 0x62))), 'gzip', 4096);
    assert.equal(out.length, 4096);
  });
});

test('corrupt compressed bodies fail with 400 naming the encoding', async (t) => {
  const gz = gzipSync(PAYLOAD);
  const cases: [string, string, Buffer, RegExp][] = [
    ['truncated gzip (trailer cut)', 'gzip', gz.subarray(0, gz.length - 8), /^could not read gzip body: unexpected end of file$/],
    ['truncated gzip (half)', 'gzip', gz.subarray(0, gz.length >> 1), /^could not read gzip body: unexpected end of file$/],
    ['not gzip at all', 'gzip', Buffer.from('{"streams":[]}'), /^could not read gzip body: incorrect header check$/],
    ['gzip with a corrupted CRC', 'gzip', Buffer.concat([gz.subarray(0, gz.length - 8), Buffer.from([1, 2, 3, 4]), gz.subarray(gz.length - 4)]), /^could not read gzip body: incorrect data check$/],
    ['truncated deflate', 'deflate', deflateSync(PAYLOAD).subarray(0, 100), /^could not read deflate body: unexpected end of file$/],
    ['not deflate', 'deflate', Buffer.from('plain text body'), /^could not read deflate body: /],
    ['not brotli', 'br', Buffer.from('plain text body, definitely not brotli'), /^could not read br body: /],
  ];
  for (const [name, encoding, body, message] of cases) {
    await t.test(name, async () => {
      const e = await bodyError(readBody(stream(body, 512), encoding, 64 * 1024 * 1024));
      assert.equal(e.status, 400);
      assert.match(e.message, message);
    });
  }
});

test('an error of the request stream itself becomes a 400', async (t) => {
  const failing = (): Readable =>
    new Readable({
      read() {
        this.push(Buffer.from('partial'));
        this.destroy(new Error('socket hang up'));
      },
    });
  await t.test('identity', async () => {
    const e = await bodyError(readBody(failing(), undefined, 1024));
    assert.equal(e.status, 400);
    assert.equal(e.message, 'could not read request body: socket hang up');
  });
  await t.test('gzip', async () => {
    const e = await bodyError(readBody(failing(), 'gzip', 1024));
    assert.equal(e.status, 400);
    assert.match(e.message, /^could not read gzip body: /);
  });
});

// The doc comment promises the cap on "the compressed and the decompressed size". A deflate stream of empty
// stored blocks is arbitrarily long and decompresses to nothing, so only a compressed-size cap can stop it.
function gzipOfEmptyStoredBlocks(blocks: number): Buffer {
  const header = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xff]);
  const empty = Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]); // BFINAL=0 BTYPE=00, LEN=0, NLEN=0xFFFF
  const last = Buffer.from([0x01, 0x00, 0x00, 0xff, 0xff]); // BFINAL=1
  const trailer = Buffer.alloc(8); // CRC32 of nothing = 0, ISIZE = 0
  return Buffer.concat([header, ...Array.from({ length: blocks }, () => empty), last, trailer]);
}

test('the empty-stored-blocks gzip helper is a valid empty gzip body', async () => {
  const out = await readBody(stream(gzipOfEmptyStoredBlocks(10)), 'gzip', 1024);
  assert.equal(out.length, 0);
});

test('a compressed body larger than the cap is refused even if it decompresses to little', async () => {
  const body = gzipOfEmptyStoredBlocks(2000); // ~10 KB compressed, 0 bytes decompressed
  const e = await bodyError(readBody(stream(body, 1000), 'gzip', 2048));
  assert.equal(e.status, 413);
});
