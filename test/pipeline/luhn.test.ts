// The Luhn check on published test card numbers, their one-digit corruptions, and separators.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { luhnValid } from '../../src/pipeline/luhn.ts';

test('published test card numbers pass, a changed digit fails', () => {
  const valid = ['4111111111111111', '5555555555554444', '378282246310005', '6011111111111117', '3530111333300000', '4012888888881881', '79927398713'];
  for (const n of valid) {
    assert.equal(luhnValid(n), true, n);
    const last = Number(n[n.length - 1]);
    assert.equal(luhnValid(n.slice(0, -1) + String((last + 1) % 10)), false, `${n} with a wrong check digit`);
  }
});

test('separators are skipped and ranges are honoured', () => {
  assert.equal(luhnValid('4111 1111 1111 1111'), true);
  assert.equal(luhnValid('4111-1111-1111-1111'), true);
  assert.equal(luhnValid('card 4111111111111111 ok', 5, 21), true);
  assert.equal(luhnValid('card 4111111111111111 ok', 5, 20), false);
});

test('fewer than two digits never pass', () => {
  assert.equal(luhnValid(''), false);
  assert.equal(luhnValid('0'), false);
  assert.equal(luhnValid('00'), true); // a sum of 0 is valid: callers reject repeated digits themselves
});
