// Table-driven tests of Loki's query parameters: timestamps (RFC 3339, float seconds, integer epochs told apart
// by length), steps (Prometheus durations or float seconds) and the default step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ParamError, defaultStepNs, parseLokiTime, parseStep } from '../../src/server/loki-params.ts';

const S = 1_000_000_000n;
const BASE = 1705320000n * S; // 2024-01-15T12:00:00Z
const FALLBACK = 42n;

test('parseLokiTime: accepted forms', async (t) => {
  const cases: [string, bigint][] = [
    // RFC 3339 without and with fraction, Z and offsets
    ['2024-01-15T12:00:00Z', BASE],
    ['2024-01-15T12:00:00.5Z', BASE + 500_000_000n],
    ['2024-01-15T12:00:00.123Z', BASE + 123_000_000n],
    ['2024-01-15T12:00:00.123456789Z', BASE + 123_456_789n],
    ['2024-01-15T12:00:00.000000001Z', BASE + 1n],
    ['2024-01-15T14:00:00+02:00', BASE],
    ['2024-01-15T07:00:00.25-05:00', BASE + 250_000_000n],
    ['2024-01-15T17:30:00.000000123+05:30', BASE + 123n],
    ['1969-12-31T23:59:59.5Z', -500_000_000n],
    // float seconds
    ['1705320000.5', BASE + 500_000_000n],
    ['1705320000.123456789', BASE + 123_456_789n],
    ['1705320000.1234567891', BASE + 123_456_789n], // beyond ns: truncated
    ['1705320000.0', BASE],
    ['.5', 500_000_000n],
    ['0.000000001', 1n],
    ['-1.5', -1_500_000_000n],
    ['-0.5', -500_000_000n],
    // integer seconds (≤ 10 digits) and nanoseconds (longer)
    ['1705320000', BASE],
    ['0', 0n],
    ['1', S],
    ['9999999999', 9999999999n * S],
    ['-1705320000', -BASE],
    ['17053200001', 17053200001n], // 11 digits: nanoseconds
    ['1705320000000000000', BASE],
    ['1705320000123456789', BASE + 123_456_789n],
    ['  1705320000  ', BASE],
  ];
  for (const [input, expected] of cases) {
    await t.test(JSON.stringify(input), () => assert.equal(parseLokiTime(input, FALLBACK, 'start'), expected));
  }
});

test('parseLokiTime: absent or empty values take the fallback', () => {
  assert.equal(parseLokiTime(undefined, FALLBACK, 'start'), FALLBACK);
  assert.equal(parseLokiTime('', FALLBACK, 'end'), FALLBACK);
});

test('parseLokiTime: invalid values throw a ParamError naming the parameter and value', async (t) => {
  const cases = [
    'abc',
    'now',
    '1h',
    '2024-01-15',
    '2024-01-15T12:00:00', // no zone
    '2024-01-15 12:00:00Z', // space instead of T
    '2024-01-15T12:00:00z',
    '2024-01-15T12:00:00.Z',
    '2024-01-15T12:00:00.1234567890Z', // 10 fraction digits
    '2024-13-15T12:00:00Z',
    '2024-01-15T25:00:00Z',
    '2024-01-15T12:00:00+0200',
    '1.5e9',
    '1705320000.',
    '--1',
    '1 2',
    '0x10',
  ];
  for (const input of cases) {
    await t.test(JSON.stringify(input), () => {
      assert.throws(
        () => parseLokiTime(input, FALLBACK, 'start'),
        (e: unknown) => e instanceof ParamError && e.message === `invalid parameter "start": cannot parse "${input}" as a timestamp (RFC 3339, Unix seconds or nanoseconds)`,
      );
    });
  }
  await t.test('whitespace only', () => assert.throws(() => parseLokiTime('   ', FALLBACK, 'end'), ParamError));
});

// Go's strconv.ParseFloat (which Loki uses) accepts "-.5"; here the float branch calls BigInt("-"), so a SyntaxError
// escapes and the HTTP layer answers 500 instead of 200/400.
test('parseLokiTime: a negative float without a leading zero', () => {
  assert.equal(parseLokiTime('-.5', FALLBACK, 'start'), -500_000_000n);
});

test('parseLokiTime: nothing but ParamError escapes, whatever the input', () => {
  for (const input of ['-', '.', '-.', '+1', '1_000', '١٢٣', '2024-01-15T12:00:00.Z', '\u0000', 'NaN', 'Infinity']) {
    assert.throws(() => parseLokiTime(input, FALLBACK, 'start'), ParamError, input);
  }
});

test('parseStep: durations and float seconds', async (t) => {
  const cases: [string, bigint][] = [
    ['15s', 15n * S],
    ['60000ms', 60n * S],
    ['1h30m', 5400n * S],
    ['1h', 3600n * S],
    ['5m', 300n * S],
    ['1d', 86_400n * S],
    ['1w', 604_800n * S],
    ['1y', 31_536_000n * S],
    ['500us', 500_000n],
    ['500µs', 500_000n],
    ['250ns', 250n],
    ['1m30s', 90n * S],
    ['2h0m5s', 7205n * S],
    ['1s500ms', 1_500_000_000n],
    ['1h1m1s1ms1us1ns', 3661n * S + 1_001_001n],
    ['0.5', 500_000_000n],
    ['15', 15n * S],
    ['0', 0n],
    ['0.001', 1_000_000n],
    ['60.25', 60_250_000_000n],
    [' 30s ', 30n * S],
  ];
  for (const [input, expected] of cases) {
    await t.test(JSON.stringify(input), () => assert.equal(parseStep(input), expected));
  }
});

test('parseStep: invalid values throw a ParamError naming the parameter and value', async (t) => {
  const cases = ['', '  ', 'abc', '1.5h', '-15s', '15 s', '1h 30m', 's', '10x', '1h30', '15S', '-1', '1e3'];
  for (const input of cases) {
    await t.test(JSON.stringify(input), () => {
      assert.throws(
        () => parseStep(input),
        (e: unknown) => e instanceof ParamError && e.message === `invalid parameter "step": cannot parse "${input}" as a duration or number of seconds`,
      );
    });
  }
  await t.test('the parameter name is the one given', () => {
    assert.throws(() => parseStep('bogus', 'interval'), { message: 'invalid parameter "interval": cannot parse "bogus" as a duration or number of seconds' });
  });
});

test('defaultStepNs: the range over 250 points, floored to whole seconds, at least 1s', async (t) => {
  const cases: [bigint, bigint, bigint][] = [
    [0n, 3600n * S, 14n * S], // 3600/250 = 14.4
    [0n, 86_400n * S, 345n * S], // 86400/250 = 345.6
    [0n, 250n * S, S],
    [0n, 500n * S, 2n * S],
    [0n, 249n * S, S],
    [0n, 0n, S],
    [BASE, BASE + 7n * 86_400n * S, 2419n * S], // 604800/250 = 2419.2
    [BASE, BASE + 3600n * S + 999_999_999n, 14n * S],
  ];
  for (const [start, end, expected] of cases) {
    await t.test(`${end - start}ns`, () => assert.equal(defaultStepNs(start, end), expected));
  }
});
