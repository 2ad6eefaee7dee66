// The secret scanner's shortcuts find what a full scan finds: short text (read by one character loop for anchors),
// numbers found after digit runs that are no cluster, key names passed over on their last two characters (and the
// one-character secret keys that must not be), and findings in the order the detectors always gave them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MASK_KINDS, SecretScanner, type Finding } from '../../src/pipeline/secret-scanner.ts';

const all = new SecretScanner({ kinds: new Set(MASK_KINDS) });

/** `kind:text` of each finding, in the order found. */
function found(text: string, scanner = all): string[] {
  const out: Finding[] = [];
  scanner.scan(text, out);
  return out.map((f) => `${f.kind}:${text.slice(f.start, f.end)}`);
}

test('short text: each kind is found in its shortest forms, text without an anchor holds nothing', () => {
  const cases: [string, string[]][] = [
    ['pin=1234', ['secret:1234']],
    ['ab=c', []], // a two-character key that names no secret
    ['"pwd":"x"', ['secret:x']],
    ['a@b.cc', ['email:a@b.cc']],
    ['x://u:p@h', ['url:p']],
    ['Bearer abcdefgh', ['bearer:abcdefgh']],
    ['eyJhbGciOi.eyJ.sig', ['jwt:eyJhbGciOi.eyJ.sig']],
    ['AKIAIOSFODNN7EXAMPLE', ['cloud_key:AKIAIOSFODNN7EXAMPLE']],
    [`ghp_${'a'.repeat(36)}`, [`cloud_key:ghp_${'a'.repeat(36)}`]], // 40 characters: still the short path
    ['xoxb-1234567890', ['cloud_key:xoxb-1234567890']],
    ['sk_live_1234567890', ['cloud_key:sk_live_1234567890']],
    ['4111 1111 1111 1111', ['card:4111 1111 1111 1111']],
    ['+82 10-1234-5678', ['phone:+82 10-1234-5678']],
    ['(02) 123-4567', ['phone:(02) 123-4567']],
    ['(415)555-2671', ['phone:(415)555-2671']],
    ['900101-1234568', ['kr_rrn:900101-1234568']],
    // no anchor at all
    ['GET', []],
    ['London', []],
    ['/api/v1/orders/89280', []],
    ['1234567', []],
    ['1.2.3.4.5.6.7', []],
    ['Mozilla/5.0 (X11)', []],
  ];
  for (const [text, want] of cases) assert.deepEqual(found(text), want, text);
});

test('numbers: clusters are found after digit runs that hold none, however they are joined', () => {
  const card = '4111 1111 1111 1111';
  const long = 'x'.repeat(60); // past the short-text loop
  for (const before of ['', 'id 12345 ', '2024-05-01T12:00:00.123Z ', '1-2-3 ', '10.11.10.1 ', '7) ', 'a1b2c3 ', '12--34 ', '5 ) 6 ', long + ' ']) {
    assert.deepEqual(found(`${before}${card} end`), [`card:${card}`], before);
    assert.deepEqual(found(`${before}call (415) 555-2671`), ['phone:(415) 555-2671'], before);
    assert.deepEqual(found(`${before}rrn 900101-1234568`), ['kr_rrn:900101-1234568'], before);
  }
  // a cluster glued to a word stays an identifier, wherever the scan comes to it
  assert.deepEqual(found(`${long} blk_-4111111111111111 id4111111111111111`), []);
  // 8+ digits that are no card or phone, then one that is
  assert.deepEqual(found(`${long} 2017-05-16 0.2477829 a692162415ae 4012888888881881`), ['card:4012888888881881']);
});

test('keys: names are passed over on their last two characters, separators and case ignored', () => {
  assert.deepEqual(found('{"time":"t","level":"l","db_password":"p1","X-Api-Key":"k1"}'), ['secret:p1', 'secret:k1']);
  // (after `&` a secret is a URL parameter)
  assert.deepEqual(found('client.secret=s1&Session_Id=s2&api.key=s3 status: 200 len: 1893'), ['secret:s1', 'url:s2', 'url:s3']);
  assert.deepEqual(found('aws_secret_access_key = AbC/dEf+ghI'), ['cloud_key:AbC/dEf+ghI']);
  // configured keys, a one-character one too: it has no second character to be passed over on
  const extra = new SecretScanner({ kinds: new Set(['secret']), extraSecretKeys: ['k', 'Order-Ref'] });
  assert.deepEqual(found('x _k=hunter2 order_ref: 42 ok=1', extra), ['secret:hunter2', 'secret:42']);
  assert.deepEqual(found('x kk=hunter2', extra), []);
});

test('findings come in the order the detectors give them (equal ranges keep that order when masking)', () => {
  const text = 'https://u:pw@h/?token=abc&mail=a@b.io Authorization: Bearer abcdefgh12 card 4111111111111111';
  // userinfo, then key/value pairs (`token=`, `Authorization:`), then the bare bearer token, e-mail, card
  assert.deepEqual(found(text), ['url:pw', 'url:abc', 'bearer:abcdefgh12', 'bearer:abcdefgh12', 'email:a@b.io', 'card:4111111111111111']);
});

test('only the enabled kinds are looked for', () => {
  const cards = new SecretScanner({ kinds: new Set(['card']) });
  assert.deepEqual(found('password=x a@b.io 4111 1111 1111 1111 Bearer abcdefgh12', cards), ['card:4111 1111 1111 1111']);
  const jwt = new SecretScanner({ kinds: new Set(['jwt']) });
  assert.deepEqual(found('token=eyJhbGciOi.eyJzdWIi.c2ln 4111111111111111', jwt), ['jwt:eyJhbGciOi.eyJzdWIi.c2ln']);
});
