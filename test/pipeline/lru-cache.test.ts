// The look-up cache: never more than its capacity, what was used recently is kept, hits return the stored value,
// set replaces, capacity 0 stores nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LruCache } from '../../src/pipeline/lru-cache.ts';

test('at most `capacity` entries, whatever the key sequence', () => {
  for (const capacity of [1, 2, 3, 10, 101]) {
    const c = new LruCache<number, string>(capacity);
    for (let i = 0; i < 5000; i++) {
      const k = (i * 7919) % 997;
      if (c.get(k) === undefined) c.set(k, `v${k}`);
      assert.ok(c.size <= capacity, `capacity ${capacity}: size ${c.size}`);
    }
  }
});

test('an entry used within the last capacity/2 insertions is kept; values and replacements are returned', () => {
  const c = new LruCache<string, number>(100);
  c.set('hot', 1);
  for (let i = 0; i < 10_000; i++) {
    c.set(`k${i}`, i);
    if (i % 40 === 0) assert.equal(c.get('hot'), 1, `after ${i} insertions`);
  }
  assert.equal(c.get('k9999'), 9999);
  assert.equal(c.get('k0'), undefined, 'an old, unused entry is gone');
  c.set('hot', 2);
  assert.equal(c.get('hot'), 2);
  c.clear();
  assert.equal(c.size, 0);
  assert.equal(c.get('hot'), undefined);
});

test('capacity 0 stores nothing', () => {
  const c = new LruCache<string, number>(0);
  c.set('a', 1);
  assert.equal(c.get('a'), undefined);
  assert.equal(c.size, 0);
});
