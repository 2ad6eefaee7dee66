// Korean resident registration numbers: date and gender-digit structure, the pre-2020 check digit, and the
// numbers (born from October 2020, foreign residents) accepted on structure alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { krRrnValid } from '../../src/pipeline/kr-rrn.ts';

/** The check digit per the published scheme, computed independently of the module. */
function withCheck(first12: string): string {
  const w = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5];
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(first12[i]) * w[i]!;
  const c = (11 - (sum % 11)) % 10;
  return `${first12.slice(0, 6)}-${first12.slice(6)}${c}`;
}

test('pre-2020 numbers need their check digit', () => {
  for (const body of ['900101123456', '851231212345', '010228323456', '991115154321']) {
    const good = withCheck(body);
    assert.equal(krRrnValid(good, 0), true, good);
    const bad = good.slice(0, 13) + String((Number(good[13]) + 1) % 10);
    assert.equal(krRrnValid(bad, 0), false, bad);
    assert.equal(krRrnValid(bad, 0, false), true, `${bad} with the checksum off`);
  }
  assert.equal(withCheck('900101123456'), '900101-1234568');
});

test('numbers of people born from October 2020 on and foreign residents are accepted on structure', () => {
  assert.equal(krRrnValid('201015-3456789', 0), true);
  assert.equal(krRrnValid('230301-4000000', 0), true);
  assert.equal(krRrnValid('200930-3456789', 0), withCheck('200930345678') === '200930-3456789');
  assert.equal(krRrnValid('900101-5234567', 0), true);
});

test('impossible dates, gender digits in the wrong place and bad shapes are refused', () => {
  assert.equal(krRrnValid('901301-1234567', 0, false), false); // month 13
  assert.equal(krRrnValid('900230-1234567', 0, false), false); // 30 February
  assert.equal(krRrnValid('900100-1234567', 0, false), false); // day 0
  assert.equal(krRrnValid('9001011234567', 0, false), false); // no dash
  assert.equal(krRrnValid('900101-123456', 0, false), false); // too short
  assert.equal(krRrnValid('id 900101-1234568', 3), true); // at an offset
});
