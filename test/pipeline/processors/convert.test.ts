// The convert processor: int, float, bool, string, duration (Go syntax) and bytes (go-humanize) conversions, values
// already typed, and failures (ConvertErr, the value left as it was).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBytes, parseDurationSeconds } from '../../../src/pipeline/processors/convert.ts';
import { build, buildError, ev, one } from './parse-harness.ts';

test('fields convert to typed values', () => {
  const p = build(`type: convert
fields:
  status: int
  took: float
  cached: bool
  latency: duration
  latency_ms: duration_ms
  size: bytes
  code: string
  absent: int`);
  const e = one(p, ev('x', { status: '502', took: '0.25', cached: 'TRUE', latency: '1m30.5s', latency_ms: '250ms', size: '1.5 KiB', code: 404 }));
  assert.equal(e.error, undefined);
  assert.deepEqual(e.fields, { status: 502, took: 0.25, cached: true, latency: 90.5, latency_ms: 250, size: 1536, code: '404' });
});

test('Go durations and go-humanize byte sizes', () => {
  assert.equal(parseDurationSeconds('1h2m3s'), 3723);
  assert.equal(parseDurationSeconds('-1.5s'), -1.5);
  assert.equal(parseDurationSeconds('300ms'), 0.3);
  assert.equal(parseDurationSeconds('2us'), 2e-6);
  assert.equal(parseDurationSeconds('2µs'), 2e-6);
  assert.equal(parseDurationSeconds('10ns'), 1e-8);
  assert.equal(parseDurationSeconds('1d'), 86400);
  assert.equal(parseDurationSeconds('42'), 42);
  assert.equal(parseDurationSeconds('1h 2m'), undefined);
  assert.equal(parseDurationSeconds('fast'), undefined);
  assert.equal(parseDurationSeconds('-'), undefined);
  assert.equal(parseBytes('512'), 512);
  assert.equal(parseBytes('10KB'), 10_000);
  assert.equal(parseBytes('10kb'), 10_000);
  assert.equal(parseBytes('10 KiB'), 10_240);
  assert.equal(parseBytes('1.5M'), 1_500_000);
  assert.equal(parseBytes('2GiB'), 2 * 1024 ** 3);
  assert.equal(parseBytes('3 B'), 3);
  assert.equal(parseBytes('1iB'), undefined);
  assert.equal(parseBytes('ten KB'), undefined);
  assert.equal(parseBytes('-5KB'), undefined);
});

test('typed values pass or convert where it makes sense', () => {
  const p = build('type: convert\nfields: { a: int, b: float, c: bool, d: int, e: duration_ms, f: bool }');
  assert.deepEqual(one(p, ev('x', { a: 7, b: 7, c: true, d: false, e: 1.5, f: 0 })).fields, { a: 7, b: 7, c: true, d: 0, e: 1500, f: false });
});

test('a value that does not convert is kept and marks the event (unless on_error: keep)', () => {
  const p = build('type: convert\nfields: { status: int, took: float, ok: bool }');
  const e = one(p, ev('x', { status: '5xx', took: 'NaN', ok: 'maybe' }));
  assert.equal(e.error, 'ConvertErr');
  assert.equal(e.errorDetails, 'field status: cannot convert "5xx" to int');
  assert.deepEqual(e.fields, { status: '5xx', took: 'NaN', ok: 'maybe' });
  assert.equal(one(p, ev('x', { status: 12.5 })).error, 'ConvertErr');
  const quiet = build('type: convert\non_error: keep\nfields: { status: int }');
  assert.equal(one(quiet, ev('x', { status: 'x' })).error, undefined);
});

test('config errors', () => {
  assert.match(buildError('type: convert'), /^test\.yaml:1: fields: is required/);
  assert.match(buildError('type: convert\nfields: { a: integer }'), /^test\.yaml:2: fields\.a: expected one of int, float, bool, string, duration, duration_ms, bytes, got "integer"/);
});
