// The Go value conventions the stages reproduce, tested directly: strconv number parsing and float printing,
// time.ParseDuration, humanized byte sizes, label-key sanitizing and Go time layouts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatGoFloat, parseGoFloat, parseGoIntBase0 } from '../../../src/query/stages/go-number.ts';
import { parseGoDuration } from '../../../src/query/stages/go-duration.ts';
import { parseByteSize } from '../../../src/query/stages/byte-size.ts';
import { sanitizeLabelKey, isValidLabelName } from '../../../src/query/stages/extracted-labels.ts';
import { formatGoTime, parseGoTime } from '../../../src/query/stages/template/go-time.ts';
import { utcTime } from '../../../src/query/stages/template/values.ts';

describe('Go number text', () => {
  const floats: [string, number | string][] = [
    ['1', 1], ['-2.5', -2.5], ['.5', 0.5], ['1.', 1], ['+3', 3], ['1e3', 1000], ['1E-2', 0.01], ['0x1p-2', 0.25], ['0x1.8p1', 3],
    ['Inf', Infinity], ['-infinity', -Infinity], ['', 'strconv.ParseFloat: parsing "": invalid syntax'],
    [' 1', 'strconv.ParseFloat: parsing " 1": invalid syntax'], ['1_000', 'strconv.ParseFloat: parsing "1_000": invalid syntax'],
    ['0x10', 'strconv.ParseFloat: parsing "0x10": invalid syntax'], ['1e309', 'strconv.ParseFloat: parsing "1e309": value out of range'],
  ];
  for (const [text, want] of floats) {
    it(`ParseFloat(${JSON.stringify(text)})`, () => {
      const r = parseGoFloat(text);
      assert.deepEqual(r, typeof want === 'number' ? { ok: true, value: want } : { ok: false, error: want });
    });
  }
  it('ParseFloat(NaN)', () => assert.ok(Number.isNaN((parseGoFloat('nan') as { value: number }).value)));

  const ints: [string, bigint | null][] = [
    ['42', 42n], ['-7', -7n], ['0x1f', 31n], ['0o17', 15n], ['017', 15n], ['0b101', 5n], ['0x_ff', 255n],
    ['9223372036854775807', 9223372036854775807n], ['9223372036854775808', null], ['1.5', null], ['', null], ['08', null],
  ];
  for (const [text, want] of ints) {
    it(`ParseInt(${JSON.stringify(text)}, 0, 64)`, () => assert.equal(parseGoIntBase0(text), want));
  }

  const printed: [number, string][] = [
    [0, '0'], [1, '1'], [-2.5, '-2.5'], [100000, '100000'], [1e6, '1e+06'], [1234567, '1.234567e+06'], [2 ** 30, '1.073741824e+09'],
    [0.0001, '0.0001'], [0.00001, '1e-05'], [1 / 3, '0.3333333333333333'], [1e21, '1e+21'], [1.5e-300, '1.5e-300'],
    [Infinity, '+Inf'], [-Infinity, '-Inf'], [NaN, 'NaN'],
  ];
  for (const [value, want] of printed) {
    it(`%v of ${value}`, () => assert.equal(formatGoFloat(value), want));
  }
});

describe('Go durations', () => {
  const cases: [string, bigint | string][] = [
    ['300ms', 300000000n], ['1.5h', 5400000000000n], ['2h45m', 9900000000000n], ['-1m30s', -90000000000n], ['+5s', 5000000000n],
    ['0', 0n], ['-0', 0n], ['1h1m1s1ms1us1ns', 3661001001001n], ['.5s', 500000000n], ['5.s', 5000000000n], ['1µs', 1000n], ['1μs', 1000n],
    ['0.1s', 100000000n], ['1.0000000001s', 1000000000n],
    ['', 'time: invalid duration ""'], ['1', 'time: missing unit in duration "1"'], ['1x', 'time: unknown unit "x" in duration "1x"'],
    ['s', 'time: invalid duration "s"'], ['.s', 'time: invalid duration ".s"'], ['1h-1m', 'time: unknown unit "h-" in duration "1h-1m"'],
    ['2562048h', 'time: invalid duration "2562048h"'],
  ];
  for (const [text, want] of cases) {
    it(`ParseDuration(${JSON.stringify(text)})`, () => {
      assert.deepEqual(parseGoDuration(text), typeof want === 'bigint' ? { ok: true, ns: want } : { ok: false, error: want });
    });
  }
});

describe('humanized byte sizes', () => {
  const cases: [string, number | string][] = [
    ['42', 42], ['42B', 42], ['42 MB', 42e6], ['42mib', 42 * 2 ** 20], ['1.5GB', 1.5e9], ['1KiB', 1024], ['2 k', 2000], ['1,024', 1024],
    ['0.5b', 0], ['5 TiB', 5 * 2 ** 40], ['1EB', 1e18],
    ['', 'strconv.ParseFloat: parsing "": invalid syntax'], ['-1KB', 'strconv.ParseFloat: parsing "": invalid syntax'],
    ['1..2KB', 'strconv.ParseFloat: parsing "1..2": invalid syntax'], ['12 parsecs', 'unhandled size name: parsecs'], ['100EB', 'too large: 100EB'],
  ];
  for (const [text, want] of cases) {
    it(`ParseBytes(${JSON.stringify(text)})`, () => {
      assert.deepEqual(parseByteSize(text), typeof want === 'number' ? { ok: true, bytes: want } : { ok: false, error: want });
    });
  }
});

describe('label names', () => {
  const cases: [string, boolean, string][] = [
    ['plain', true, 'plain'], ['User-Agent', true, 'User_Agent'], ['a.b.c', true, 'a_b_c'], ['1st', true, '_1st'], ['1st', false, '1st'],
    ['  padded  ', true, 'padded'], ['naïve', true, 'na_ve'], ['😀', true, '_'], ['a:b', true, 'a_b'], ['', true, ''],
  ];
  for (const [key, leading, want] of cases) {
    it(`sanitize ${JSON.stringify(key)}${leading ? '' : ' (nested)'}`, () => {
      const got = sanitizeLabelKey(key, leading);
      assert.equal(got, want);
      if (want.length > 0 && leading) assert.ok(isValidLabelName(got));
    });
  }
});

describe('Go time layouts', () => {
  const t = utcTime(1700000000123456789n);
  const formats: [string, string][] = [
    ['2006-01-02T15:04:05Z07:00', '2023-11-14T22:13:20Z'],
    ['2006-01-02T15:04:05.999999999Z07:00', '2023-11-14T22:13:20.123456789Z'],
    ['Mon, 02 Jan 2006 15:04:05 MST', 'Tue, 14 Nov 2023 22:13:20 UTC'],
    ['Jan _2 15:04:05.000000', 'Nov 14 22:13:20.123456'],
    ['06/1/2 3:4:5 pm', '23/11/14 10:13:20 pm'],
    ['15:04:05,000', '22:13:20,123'],
    ['_2006', '_2023'],
    ['__2 002', '318 318'],
  ];
  for (const [layout, want] of formats) {
    it(`Format(${JSON.stringify(layout)})`, () => assert.equal(formatGoTime(t, layout), want));
  }

  it('formats before 1970 and at year boundaries', () => {
    assert.equal(formatGoTime(utcTime(-1n), '2006-01-02 15:04:05.000000000'), '1969-12-31 23:59:59.999999999');
    assert.equal(formatGoTime(utcTime(951782400n * 1000000000n), '2006-01-02 Monday'), '2000-02-29 Tuesday');
  });

  const parses: [string, string, bigint | string][] = [
    ['2006-01-02', '2021-11-02', 1635811200000000000n],
    ['2006-01-02T15:04:05Z07:00', '2021-11-02T10:00:00-03:00', 1635858000000000000n],
    ['2006-01-02 15:04:05', '2021-11-02 10:00:00.25', 1635847200250000000n],
    ['02/Jan/2006:15:04:05 -0700', '10/Jun/2021:09:14:29 +0000', 1623316469000000000n],
    ['Mon Jan 2 15:04:05 2006', 'Sun Dec 4 04:47:44 2005', 1133671664000000000n],
    ['2006-01-02', '2021-02-30', 'parsing time "2021-02-30" as "2006-01-02": day out of range'],
    ['2006-01-02', '2021-1-02', 'parsing time "2021-1-02" as "2006-01-02": cannot parse "1-02" as "01"'],
    ['2006-01-02', '2021-11-02x', 'parsing time "2021-11-02x" as "2006-01-02": extra text: "x"'],
    ['15:04', '25:00', 'parsing time "25:00" as "15:04": hour out of range'],
  ];
  for (const [layout, value, want] of parses) {
    it(`Parse(${JSON.stringify(layout)}, ${JSON.stringify(value)})`, () => {
      const r = parseGoTime(layout, value, 'UTC');
      if (typeof want === 'bigint') assert.equal(r.ok && r.time.ns, want);
      else assert.deepEqual(r, { ok: false, error: want });
    });
  }
});
