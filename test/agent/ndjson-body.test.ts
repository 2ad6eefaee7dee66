// The agent's request bodies: NDJSON written straight into one Buffer, shared (frozen) label/field JSON reused,
// and the cached RFC 3339 timestamps, checked against JSON.parse and Date.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JsonOfShared, NdjsonBody } from '../../src/agent/ndjson-body.ts';
import { eventsToNdjson } from '../../src/agent/event-json.ts';
import { nsToRfc3339 } from '../../src/agent/event-encoding.ts';
import { unshareEvents } from '../../src/agent/sources/source.ts';
import type { PipelineEvent } from '../../src/pipeline/event.ts';

test('NdjsonBody grows past its estimate and keeps multi-byte text intact', () => {
  const body = new NdjsonBody(10);
  const parts: string[] = [];
  for (let i = 0; i < 5000; i++) {
    const s = `{"n":${i},"s":${JSON.stringify('zürich ✓ 𝄞 '.repeat(i % 7))}}\n`;
    parts.push(s);
    body.add(s);
  }
  const buf = body.finish();
  assert.equal(buf.toString('utf8'), parts.join(''));
  assert.equal(buf.length, Buffer.byteLength(parts.join('')));
});

test('JsonOfShared reuses the JSON of a frozen object only, so a mutated object is never sent stale', () => {
  const cache = new JsonOfShared();
  const frozen = Object.freeze({ app: 'a' });
  assert.equal(cache.of(frozen), '{"app":"a"}');
  assert.equal(cache.of(frozen), '{"app":"a"}');
  const mutable: Record<string, string> = { app: 'b' };
  assert.equal(cache.of(mutable), '{"app":"b"}');
  mutable.app = 'c';
  assert.equal(cache.of(mutable), '{"app":"c"}');
});

test('eventsToNdjson: one parseable line per event with shared and own labels, escapes, errors', () => {
  const labels = Object.freeze({ job: 'web' });
  const fields = Object.freeze({ file: '/var/log/a.log' });
  const events: PipelineEvent[] = [
    { tenant: '', ts: 1_764_064_800_123_456_789n, line: 'GET / "quoted" \\ tab\t', labels, fields },
    { tenant: '', ts: 1_764_064_800_999_999_999n, line: 'second', labels, fields },
    { tenant: '', ts: 1_764_064_801_000_000_001n, line: 'own', labels: { job: 'api' }, fields: { n: 3 }, error: 'JSONParserErr' },
  ];
  const lines = eventsToNdjson(events).toString('utf8').split('\n');
  assert.equal(lines.pop(), '');
  const parsed = lines.map((l) => JSON.parse(l));
  assert.deepEqual(parsed[0], { ts: '2025-11-25T10:00:00.123456789Z', labels: { job: 'web' }, line: 'GET / "quoted" \\ tab\t', fields: { file: '/var/log/a.log' } });
  assert.equal(parsed[1].ts, '2025-11-25T10:00:00.999999999Z');
  assert.deepEqual(parsed[2], { ts: '2025-11-25T10:00:01.000000001Z', labels: { job: 'api' }, line: 'own', fields: { n: 3 }, error: 'JSONParserErr' });
});

test('nsToRfc3339 matches Date across second boundaries and before 1970', () => {
  for (const ns of [0n, 1n, 999_999_999n, 1_000_000_000n, 1_764_064_799_999_999_999n, 1_764_064_800_000_000_000n, -1n, -1_000_000_001n]) {
    const ms = Number((ns - (((ns % 1_000_000n) + 1_000_000n) % 1_000_000n)) / 1_000_000n);
    const frac = String(((ns % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n).padStart(9, '0');
    assert.equal(nsToRfc3339(ns), new Date(ms).toISOString().slice(0, 19) + '.' + frac + 'Z', String(ns));
  }
});

test('unshareEvents gives each event its own labels and fields before processors change them', () => {
  const labels = Object.freeze({ job: 'web' });
  const fields = Object.freeze({ file: 'a.log' });
  const events: PipelineEvent[] = [1, 2].map((i) => ({ tenant: '', ts: BigInt(i), line: String(i), labels, fields }));
  unshareEvents(events);
  events[0].labels.level = 'error';
  events[0].fields.user = 'x';
  assert.deepEqual(events[1].labels, { job: 'web' });
  assert.deepEqual(events[1].fields, { file: 'a.log' });
  assert.notEqual(events[0].labels, events[1].labels);
});
