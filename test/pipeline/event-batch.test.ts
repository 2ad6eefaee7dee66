// Ingest batches to events and back: fields become metadata strings, errors become pipeline_error, changed
// labels move events to their new streams, and the tenant is kept.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batchToEvents, eventMetadata, eventsToBatches } from '../../src/pipeline/event-batch.ts';
import type { IngestBatch } from '../../src/model/record.ts';

const batch: IngestBatch = {
  tenant: 'acme',
  entries: 3,
  bytes: 6,
  streams: [
    { labels: { service: 'web' }, ts: [1n, 2n], lines: ['a1', 'a2'], metadata: [{ trace_id: 't1' }, undefined] },
    { labels: { service: 'db' }, ts: [3n], lines: ['b1'], metadata: [undefined] },
  ],
};

test('a batch becomes one event per entry, each with its own labels and fields', () => {
  const events = batchToEvents(batch);
  assert.deepEqual(
    events.map((e) => [e.tenant, e.ts, e.line, e.labels, e.fields]),
    [
      ['acme', 1n, 'a1', { service: 'web' }, { trace_id: 't1' }],
      ['acme', 2n, 'a2', { service: 'web' }, {}],
      ['acme', 3n, 'b1', { service: 'db' }, {}],
    ],
  );
  events[0].labels.service = 'changed';
  events[0].fields.x = 1;
  assert.equal(events[1].labels.service, 'web');
  assert.deepEqual(batch.streams[0].labels, { service: 'web' }, 'the batch is not modified');
  assert.deepEqual(batch.streams[0].metadata[0], { trace_id: 't1' });
});

test('fields become metadata strings; null is left out; errors are kept under pipeline_error', () => {
  assert.deepEqual(eventMetadata({ tenant: 't', ts: 0n, line: '', labels: {}, fields: { s: 'x', n: 200, f: 1.5, b: false, z: null } }), { s: 'x', n: '200', f: '1.5', b: 'false' });
  assert.equal(eventMetadata({ tenant: 't', ts: 0n, line: '', labels: {}, fields: { z: null } }), undefined);
  assert.deepEqual(eventMetadata({ tenant: 't', ts: 0n, line: '', labels: {}, fields: {}, error: 'JSONParserErr', errorDetails: 'at byte 3' }), {
    pipeline_error: 'JSONParserErr',
    pipeline_error_details: 'at byte 3',
  });
});

test('metadata keeps the fields\' order; an error is added after them; a __proto__ field is left out as before', () => {
  const fields = { z: 'last?', a: 1, m: true, '7': 'seven' };
  const md = eventMetadata({ tenant: 't', ts: 0n, line: '', labels: {}, fields, error: 'GrokParserErr', errorDetails: 'no match' });
  assert.deepEqual(Object.entries(md!), [['7', 'seven'], ['z', 'last?'], ['a', '1'], ['m', 'true'], ['pipeline_error', 'GrokParserErr'], ['pipeline_error_details', 'no match']]);
  assert.deepEqual(fields, { z: 'last?', a: 1, m: true, '7': 'seven' }, 'the event is not changed');
  const proto = JSON.parse('{"a":"x","__proto__":"p","b":2}') as Record<string, string | number>;
  const out = eventMetadata({ tenant: 't', ts: 0n, line: '', labels: {}, fields: proto });
  assert.deepEqual(Object.entries(out!), [['a', 'x'], ['b', '2']]);
  assert.equal(Object.getPrototypeOf(out), Object.prototype);
});

test('events go back grouped by tenant and stream; changed labels move an event to its new stream', () => {
  const events = batchToEvents(batch);
  events[1].labels.level = 'error';
  events[2].labels.service = 'web';
  events.push({ tenant: 'other', ts: 9n, line: 'o', labels: { service: 'web', empty: '' }, fields: { n: 1 } });
  const batches = eventsToBatches(events);
  assert.deepEqual(
    batches.map((b) => ({ tenant: b.tenant, entries: b.entries, bytes: b.bytes, streams: b.streams.map((s) => [s.labels, s.ts, s.lines, s.metadata]) })),
    [
      {
        tenant: 'acme',
        entries: 3,
        bytes: 6,
        streams: [
          [{ service: 'web' }, [1n, 3n], ['a1', 'b1'], [{ trace_id: 't1' }, undefined]],
          [{ service: 'web', level: 'error' }, [2n], ['a2'], [undefined]],
        ],
      },
      { tenant: 'other', entries: 1, bytes: 1, streams: [[{ service: 'web' }, [9n], ['o'], [{ n: '1' }]]] },
    ],
  );
});
