// Table-driven tests of ingest timestamp parsing: RFC 3339 / ISO 8601 with nanoseconds and offsets, Unix epochs
// whose unit is told by magnitude, and the values that must be refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTimestampNs } from '../../src/ingest/timestamp.ts';

const S = 1_000_000_000n;
const BASE = 1705320000n * S; // 2024-01-15T12:00:00Z

test('RFC 3339 / ISO 8601 strings', async (t) => {
  const cases: [string, bigint][] = [
    ['2024-01-15T12:00:00Z', BASE],
    ['2024-01-15T12:00:00z', BASE],
    ['2024-01-15 12:00:00Z', BASE],
    ['2024-01-15T12:00:00', BASE], // no zone: UTC
    ['2024-01-15T12:00:00.5Z', BASE + 500_000_000n],
    ['2024-01-15T12:00:00.123Z', BASE + 123_000_000n],
    ['2024-01-15T12:00:00.123456Z', BASE + 123_456_000n],
    ['2024-01-15T12:00:00.123456789Z', BASE + 123_456_789n],
    ['2024-01-15T12:00:00.000000001Z', BASE + 1n],
    ['2024-01-15T12:00:00,25Z', BASE + 250_000_000n],
    ['2024-01-15T14:00:00+02:00', BASE],
    ['2024-01-15T17:30:00.000000007+05:30', BASE + 7n],
    ['2024-01-15T17:30:00+0530', BASE],
    ['2024-01-15T04:00:00-08:00', BASE],
    ['2024-01-15T07:00:00.999999999-05:00', BASE + 999_999_999n],
    ['2024-01-15T12:00:00+00:00', BASE],
    ['2024-01-16T00:30:00+12:30', BASE],
    ['1970-01-01T00:00:00Z', 0n],
    ['1969-12-31T23:59:59Z', -S],
    ['2000-02-29T00:00:00Z', 951782400n * S],
    ['  2024-01-15T12:00:00Z  ', BASE],
  ];
  for (const [input, expected] of cases) {
    await t.test(JSON.stringify(input), () => assert.equal(parseTimestampNs(input), expected));
  }
});

test('other date strings Date.parse understands, with an explicit zone', () => {
  assert.equal(parseTimestampNs('Mon, 15 Jan 2024 12:00:00 GMT'), BASE);
  assert.equal(parseTimestampNs('Mon, 15 Jan 2024 13:00:00 +0100'), BASE);
});

test('Unix epochs as numbers: the unit follows the magnitude', async (t) => {
  const cases: [number, bigint][] = [
    [0, 0n],
    [1, S],
    [1705320000, BASE],
    [1705320000.5, BASE + 500_000_000n],
    [-1, -S],
    [-1.5, -1_500_000_000n],
    [100_000_000_000, 100_000_000_000n * 1_000_000n], // smallest milliseconds value
    [1705320000000, BASE],
    [1705320000000000, BASE], // microseconds
    [1705320000000000000, BASE], // nanoseconds (exactly representable)
  ];
  for (const [input, expected] of cases) {
    await t.test(String(input), () => assert.equal(parseTimestampNs(input), expected));
  }
});

test('the unit boundaries: below 1e11 is seconds, below 1e14 milliseconds, below 1e17 microseconds', () => {
  // compared after truncating to the unit, so the test holds whatever the rounding (see the precision test below)
  assert.equal(parseTimestampNs(99_999_999_999)! / S, 99_999_999_999n);
  assert.equal(parseTimestampNs(100_000_000_000)! / 1_000_000n, 100_000_000_000n);
  assert.equal(parseTimestampNs(99_999_999_999_999)! / 1_000_000n, 99_999_999_999_999n);
  assert.equal(parseTimestampNs(100_000_000_000_000)! / 1_000n, 100_000_000_000_000n);
  assert.equal(parseTimestampNs(9_000_000_000_000_000), 9_000_000_000_000_000_000n);
  assert.ok(parseTimestampNs(99_999_999_999_999_984)! > 10n ** 19n, 'just below 1e17 is still microseconds');
  assert.equal(parseTimestampNs(1e17), 100_000_000_000_000_000n);
});

test('Unix epochs as digit strings', async (t) => {
  const cases: [string, bigint][] = [
    ['1705320000', BASE],
    ['1705320000.5', BASE + 500_000_000n],
    ['1705320000000', BASE],
    ['1705320000000000', BASE],
    ['1705320000000000000', BASE],
    ['1705320000123456789', BASE + 123_456_789n],
    ['9223372036854775807', 9223372036854775807n],
    ['-1', -S],
    [' 1705320000 ', BASE],
  ];
  for (const [input, expected] of cases) {
    await t.test(JSON.stringify(input), () => assert.equal(parseTimestampNs(input), expected));
  }
});

test('values that are not timestamps are refused', async (t) => {
  const cases: unknown[] = ['', '   ', 'abc', 'yesterday', 'not a 2024-01-15T12:00:00Z date', '12.34.56', '1e9', '0x10', NaN, Infinity, -Infinity, true, false, null, undefined, {}, [], [1705320000], { s: 1 }];
  for (const input of cases) {
    await t.test(String(JSON.stringify(input)), () => assert.equal(parseTimestampNs(input), undefined));
  }
});

// Epoch milliseconds (what Date.now() and most JS loggers emit) and microseconds are multiplied as doubles,
// so the product above 2^53 is rounded to a multiple of 64..256 ns.
test('integer epoch milliseconds and microseconds convert exactly', () => {
  assert.equal(parseTimestampNs(1705320000123), 1705320000123000000n);
  assert.equal(parseTimestampNs('1705320000123'), 1705320000123000000n);
  assert.equal(parseTimestampNs(1700000000123), 1700000000123000000n);
  assert.equal(parseTimestampNs(1705320000123457), 1705320000123457000n);
  assert.equal(parseTimestampNs('1705320000123457'), 1705320000123457000n);
  // exactly representable fractional seconds too
  assert.equal(parseTimestampNs(1705320000.25), BASE + 250_000_000n);
});

test('epoch seconds given as a string with nine fraction digits keep nanosecond precision', () => {
  assert.equal(parseTimestampNs('1700000000.123456789'), 1700000000123456789n);
  assert.equal(parseTimestampNs('1705320000.000000001'), BASE + 1n);
});

test('out-of-range calendar fields are refused, not rolled over', () => {
  for (const input of ['2024-13-01T00:00:00Z', '2024-00-10T00:00:00Z', '2024-01-32T00:00:00Z', '2023-02-29T00:00:00Z', '2024-01-15T24:30:00Z', '2024-01-15T12:60:00Z']) {
    assert.equal(parseTimestampNs(input), undefined, input);
  }
});
