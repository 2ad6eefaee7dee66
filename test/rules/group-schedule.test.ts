// Group scheduling as Prometheus aligns it: a stable per-group phase, evaluation times on the phase's grid, the first
// evaluation at the next grid point, and missed grid points skipped rather than caught up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GroupRunner, evalTimestampMs, groupOffsetMs } from '../../src/rules/group-schedule.ts';
import { FakeClock } from './fake-clock.ts';

test('the phase is stable per group, within the interval, and spreads groups', () => {
  const a = groupOffsetMs('["default","ns","a"]', 60_000);
  assert.equal(a, groupOffsetMs('["default","ns","a"]', 60_000));
  assert.ok(a >= 0 && a < 60_000);
  const phases = new Set(Array.from({ length: 50 }, (_, i) => groupOffsetMs(`group-${i}`, 60_000)));
  assert.ok(phases.size > 45, 'fifty groups get (nearly) fifty different phases');
});

test('evaluation timestamps sit on offset + k·interval', () => {
  assert.equal(evalTimestampMs(125_000, 60_000, 7_000), 67_000);
  assert.equal(evalTimestampMs(126_999, 60_000, 7_000), 127_000 - 60_000);
  assert.equal(evalTimestampMs(127_000, 60_000, 7_000), 127_000);
});

test('a runner evaluates at each grid point from the next one on, and skips what it missed', async () => {
  const clock = new FakeClock(1_000_000 + 123);
  const seen: number[] = [];
  let slow = false;
  const runner = new GroupRunner(10_000, 2_500, async (t) => {
    seen.push(t);
    if (slow) await clock.advance(35_000); // an evaluation that overruns three grid points
  }, clock);
  assert.equal(runner.nextEvaluationMs, 1_002_500, 'the first evaluation is the next grid point');
  runner.start();
  await clock.advance(25_000);
  assert.deepEqual(seen, [1_002_500, 1_012_500, 1_022_500]);
  slow = true;
  await clock.advance(10_000);
  slow = false;
  await clock.advance(30_000);
  // 1_032_500 ran until 1_067_500: 1_042_500..1_062_500 were missed, the next is the latest grid point then
  assert.deepEqual(seen.slice(3), [1_032_500, 1_062_500, 1_072_500, 1_082_500, 1_092_500]);
  assert.equal(runner.missed, 2);
  await runner.stop();
  const before = seen.length;
  await clock.advance(60_000);
  assert.equal(seen.length, before, 'nothing runs after stop');
});
