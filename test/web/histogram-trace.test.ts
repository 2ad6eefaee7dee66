// The histogram's bucket grid and stacking, and the trace view's merge and lanes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alignedRange, histogramData, stacked } from '../../web/src/explore/histogram-data.ts';
import { rowsFromStreams } from '../../web/src/explore/log-rows.ts';
import { offsetLabel, traceFlow } from '../../web/src/explore/trace-flow.ts';

test('histogram: aligned buckets, empty ones zero, levels most severe first, stacked sums', () => {
  assert.deepEqual(alignedRange(1_000_015_500, 1_000_075_100, 30), { startS: 999_990, endS: 1_000_080 });
  const d = histogramData(
    [
      { metric: { level: 'info' }, values: [[100, '3'], [160, '1']] },
      { metric: {}, values: [[130, '2']] },
      { metric: { level: 'ERROR' }, values: [[130, '5']] },
    ],
    100,
    160,
    30,
  );
  assert.deepEqual(d.x, [100, 130, 160]);
  assert.deepEqual(d.levels, ['error', 'info', 'unknown']);
  assert.deepEqual(d.counts, [[0, 5, 0], [3, 0, 1], [0, 2, 0]]);
  assert.deepEqual(d.totals, [5, 4, 2]);
  assert.equal(d.total, 11);
  assert.deepEqual(stacked(d.counts), [[0, 5, 0], [3, 5, 1], [3, 7, 1]]);
});

test('trace flow: merged without duplicates, in time order, one lane per service with its errors', () => {
  const a = rowsFromStreams([
    { stream: { service: 'gw' }, values: [['1000000000', 'start t=1'], ['1300000000', 'end t=1']] },
    { stream: { service: 'pay', level: 'error' }, values: [['1200000000', 'declined']] },
  ]);
  const b = rowsFromStreams([{ stream: { service: 'gw' }, values: [['1000000000', 'start t=1']] }, { stream: { app: 'db' }, values: [['1100000000', 'select']] }], 'backward', 'b');
  const flow = traceFlow([a, b]);
  assert.deepEqual(flow.rows.map((r) => r.line), ['start t=1', 'select', 'declined', 'end t=1']);
  assert.deepEqual(flow.lanes.map((l) => [l.service, l.rows.length, l.errors, l.firstMs, l.lastMs]), [
    ['gw', 2, 0, 1000, 1300],
    ['db', 1, 0, 1100, 1100],
    ['pay', 1, 1, 1200, 1200],
  ]);
  assert.equal(offsetLabel(12.5), '+12.500 ms');
  assert.equal(offsetLabel(1500), '+1.500 s');
});
