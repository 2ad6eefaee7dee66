// Explore's state in the URL: round trips, defaults left out, bad values ignored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_STATE, decodeState, encodeState, type ExploreState } from '../../web/src/state/url-state.ts';
import { describeRange, resolveRange, resolveTime, stepFor } from '../../web/src/state/time-range.ts';

test('the default state is an empty query string', () => {
  assert.equal(encodeState(DEFAULT_STATE), '');
  assert.deepEqual(decodeState(''), DEFAULT_STATE);
});

test('every field round-trips', () => {
  const s: ExploreState = {
    query: '{app="shop"} |= "a&b=c"',
    from: '1764064800000',
    to: '2026-11-25T11:00:00Z',
    limit: 5000,
    view: 'table',
    columns: ['status', 'method'],
    live: true,
    wrap: true,
    tenant: 'team-a|ops',
    trace: { id: '4bf92f35', atNs: '1764064800000000001' },
    context: { atNs: '1764064800000000001', stream: '{app="shop"}', search: 'timeout' },
    field: 'status',
  };
  const encoded = encodeState(s);
  assert.match(encoded, /^q=%7Bapp%3D%22shop%22%7D\+%7C%3D\+%22a%26b%3Dc%22&from=1764064800000&to=2026-11-25T11%3A00%3A00Z&limit=5000&view=table&cols=status%2Cmethod/);
  assert.deepEqual(decodeState(encoded), s);
  assert.deepEqual(decodeState(`?${encoded}`), s);
});

test('unreadable values fall back to defaults', () => {
  const s = decodeState('from=yesterday&to=now&limit=-4&view=pie&cols=ok,bad-name&ctx=notns&cstream={a="b"}&field=a.b&trace=t1&tat=x');
  assert.equal(s.from, DEFAULT_STATE.from);
  assert.equal(s.limit, DEFAULT_STATE.limit);
  assert.equal(s.view, 'logs');
  assert.deepEqual(s.columns, ['ok']);
  assert.equal(s.context, undefined);
  assert.equal(s.field, undefined);
  assert.deepEqual(s.trace, { id: 't1', atNs: '' });
});

test('time expressions, ranges and steps', () => {
  const now = Date.UTC(2026, 10, 25, 12, 0, 0);
  assert.equal(resolveTime('now', now), now);
  assert.equal(resolveTime('now-15m', now), now - 15 * 60_000);
  assert.equal(resolveTime('now-2d', now), now - 2 * 86_400_000);
  assert.equal(resolveTime('1764064800000', now), 1764064800000);
  assert.equal(resolveTime('2026-11-25T11:00:00Z', now), Date.UTC(2026, 10, 25, 11));
  assert.equal(resolveTime('soon', now), undefined);
  assert.deepEqual(resolveRange({ from: 'now', to: 'now-1h' }, now), { fromMs: now - 3_600_000, toMs: now });
  assert.equal(stepFor(3_600_000), 30);
  assert.equal(stepFor(5 * 60_000), 5);
  assert.equal(stepFor(7 * 86_400_000), 7200);
  assert.equal(describeRange({ from: 'now-15m', to: 'now' }), 'Last 15 minutes');
  assert.equal(describeRange({ from: 'now-90m', to: 'now' }), 'Last 90m');
  assert.equal(describeRange({ from: '1764064800000', to: '1764068400000' }, 'UTC'), '2025-11-25 10:00:00 → 2025-11-25 11:00:00');
});
