// The mask processor: every kind of secret on crafted lines with its near-misses, the three actions (redact, hash
// joinable under a key, partial), fields and field names, user RE2 patterns, config errors, and the real loghub
// samples (what it masks there, and that it masks nothing else).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigNode } from '../../../src/config/config-node.ts';
import type { FieldValue, PipelineEvent } from '../../../src/pipeline/event.ts';
import type { Processor } from '../../../src/pipeline/processor.ts';
import { maskProcessor } from '../../../src/pipeline/processors/mask.ts';

const ctx = { nowMs: 0, warn: (): void => {} };

function build(yaml: string, configDir = '.'): Processor {
  return maskProcessor.build(ConfigNode.parse(`type: mask\n${yaml}`, 'test.yaml'), { configDir });
}

function ev(line: string, fields: Record<string, FieldValue> = {}): PipelineEvent {
  return { tenant: 't', ts: 0n, line, labels: {}, fields };
}

function maskLine(p: Processor, line: string): string {
  return p.process([ev(line)], ctx)[0]!.line;
}

const defaults = build('');

function table(cases: [string, string][], p = defaults): void {
  for (const [input, want] of cases) assert.equal(maskLine(p, input), want, input);
}

test('card numbers: Luhn-valid 13–19 digits keep their last 4 by default; near-misses stay', () => {
  table([
    ['paid with 4111 1111 1111 1111 today', 'paid with **** **** **** 1111 today'],
    ['card=4111-1111-1111-1111', 'card=****-****-****-1111'],
    ['{"pan":"5555555555554444"}', '{"pan":"************4444"}'],
    ['amex 378282246310005 ok', 'amex ***********0005 ok'],
    ['amex 3782 822463 10005', 'amex **** ****** *0005'],
    ['/cards/4012888888881881/charge', '/cards/************1881/charge'],
    ['2023-10-10 4111111111111111', '2023-10-10 ************1111'],
    // near-misses
    ['card=4111-1111-1111-1112', 'card=4111-1111-1111-1112'], // fails Luhn
    ['order 4111111111111112 shipped', 'order 4111111111111112 shipped'],
    ['order 1234567890123452', 'order 1234567890123452'], // Luhn-valid but no card network starts with 1
    ['zeros 0000000000000000', 'zeros 0000000000000000'],
    ['fours 4444444444444444', 'fours 4444444444444444'], // one repeated digit
    ['ts 1697040000123 ns 1697040000123456789', 'ts 1697040000123 ns 1697040000123456789'],
    ['blk_-4111111111111111 done', 'blk_-4111111111111111 done'], // part of an identifier
    ['id4111111111111111', 'id4111111111111111'],
    ['4111111111111111111111', '4111111111111111111111'], // 22 digits: no card
    ['v 4111.1111.1111.1111', 'v 4111.1111.1111.1111'], // dots are not a card separator
  ]);
});

test('secrets in JSON, key=value, headers and escaped JSON', () => {
  table([
    ['{"user":"bob","password":"hunter2","ok":true}', '{"user":"bob","password":"[REDACTED:secret]","ok":true}'],
    ['{"password" : "a \\"quoted\\" one", "n": 1}', '{"password" : "[REDACTED:secret]", "n": 1}'],
    ['{"pin":1234,"client_secret":"abc","apiKey":"k-1"}', '{"pin":"[REDACTED:secret]","client_secret":"[REDACTED:secret]","apiKey":"[REDACTED:secret]"}'],
    ['{"access_token":"t1","refresh_token":"t2","id_token":"t3"}', '{"access_token":"[REDACTED:secret]","refresh_token":"[REDACTED:secret]","id_token":"[REDACTED:secret]"}'],
    ['{"password":null,"secret":false,"token":{"a":1}}', '{"password":null,"secret":false,"token":{"a":1}}'],
    ['login user=bob password=s3cr3t! from 10.0.0.1', 'login user=bob password=[REDACTED:secret] from 10.0.0.1'],
    ['DB_PASSWORD=pa55 PWD=x1 passwd=y2', 'DB_PASSWORD=[REDACTED:secret] PWD=[REDACTED:secret] passwd=[REDACTED:secret]'],
    ["conf secret='x y z' token = abc", "conf secret='[REDACTED:secret]' token = [REDACTED:secret]"],
    ['X-Api-Key: abcdef123456', 'X-Api-Key: [REDACTED:secret]'],
    ['Cookie: sessionid=abc; csrftoken=def', 'Cookie: [REDACTED:secret]; csrftoken=[REDACTED:secret]'],
    ['msg="login {\\"password\\":\\"x1\\",\\"pin\\":42}"', 'msg="login {\\"password\\":\\"[REDACTED:secret]\\",\\"pin\\":\\"[REDACTED:secret]\\"}"'],
    ['"Authorization": "Basic dXNlcjpwYXNz"', '"Authorization": "Basic [REDACTED:secret]"'],
    // near-misses: keys that merely contain a word, counts, already masked values
    ['{"password_length":12,"max_tokens":100,"token_count":3}', '{"password_length":12,"max_tokens":100,"token_count":3}'],
    ['Failed password for root from 218.188.2.4 port 22', 'Failed password for root from 218.188.2.4 port 22'],
    ['password=[REDACTED:secret]', 'password=[REDACTED:secret]'],
    ['a==b secret==c', 'a==b secret==c'],
  ]);
});

test('URLs: passwords in userinfo and secret query parameters', () => {
  table([
    ['connect postgres://app:pa55w0rd@db.internal:5432/main', 'connect postgres://app:[REDACTED:url]@db.internal:5432/main'],
    ['GET /cb?code=1&access_token=abc.def&x=1 HTTP/1.1', 'GET /cb?code=1&access_token=[REDACTED:url]&x=1 HTTP/1.1'],
    ['GET /dl?X-Amz-Credential=AK%2F1&X-Amz-Signature=deadbeef&y=2', 'GET /dl?X-Amz-Credential=[REDACTED:url]&X-Amz-Signature=[REDACTED:url]&y=2'],
    ['https://h/?password=p&sig=s', 'https://h/?password=[REDACTED:url]&sig=[REDACTED:url]'],
    // a user name alone is no credential
    ['akka.tcp://sparkExecutor@mesos-slave-07:55904', 'akka.tcp://sparkExecutor@mesos-slave-07:55904'],
    ['GET /search?q=token&page=2', 'GET /search?q=token&page=2'],
  ]);
});

test('bearer tokens and bare JWTs', () => {
  const jwt = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
  table([
    [`Authorization: Bearer ${jwt}`, 'Authorization: Bearer [REDACTED:bearer]'],
    ['curl -H "Authorization: Bearer 0123456789abcdef"', 'curl -H "Authorization: Bearer [REDACTED:bearer]"'],
    ['sent bearer abc.def-ghi_jkl~mno', 'sent bearer [REDACTED:bearer]'],
    [`id_token ${jwt} issued`, 'id_token [REDACTED:jwt] issued'],
    [`{"t":"${jwt}"}`, '{"t":"[REDACTED:jwt]"}'],
    ['unsigned eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.', 'unsigned [REDACTED:jwt]'],
    // near-misses
    ['the bearer token expired', 'the bearer token expired'],
    ['eyJhbGciOiJIUzI1NiJ9 alone', 'eyJhbGciOiJIUzI1NiJ9 alone'],
    ['keyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.x', 'keyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.x'],
  ]);
});

test('cloud and SaaS keys', () => {
  table([
    ['key AKIAIOSFODNN7EXAMPLE used', 'key [REDACTED:cloud_key] used'],
    ['sts ASIAY34FZKBOKMUTVV7A', 'sts [REDACTED:cloud_key]'],
    ['aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'aws_secret_access_key=[REDACTED:cloud_key]'],
    ['{"SecretAccessKey":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}', '{"SecretAccessKey":"[REDACTED:cloud_key]"}'],
    ['gcp AIzaSyA1234567890abcdefghijklmnopqrstuv', 'gcp [REDACTED:cloud_key]'],
    ['gh ghp_abcdefghijklmnopqrstuvwxyz0123456789 x', 'gh [REDACTED:cloud_key] x'],
    ['github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVW', '[REDACTED:cloud_key]'],
    ['slack xoxb-1234567890-abcdefghij ok', 'slack [REDACTED:cloud_key] ok'],
    ['stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc and rk_live_abcdefghij123', 'stripe [REDACTED:cloud_key] and [REDACTED:cloud_key]'],
    // near-misses
    ['AKIAIOSFODNN7EXAMPLEX too long', 'AKIAIOSFODNN7EXAMPLEX too long'],
    ['AKIA1234 short', 'AKIA1234 short'],
    ['publishable pk_live_abcdefghij1234567890', 'publishable pk_live_abcdefghij1234567890'],
    ['ghp_short', 'ghp_short'],
  ]);
});

test('e-mail addresses', () => {
  table([
    ['mail john.doe+tag@example.co.kr now', 'mail [REDACTED:email] now'],
    ['user: Bob@Example.COM', 'user: [REDACTED:email]'],
    ['<alice_b@mail.example.org>', '<[REDACTED:email]>'],
    // near-misses
    ['img /static/logo@2x.png', 'img /static/logo@2x.png'],
    ['npm i @babel/core@7.22.0', 'npm i @babel/core@7.22.0'],
    ['x@y and a@b.c', 'x@y and a@b.c'],
  ]);
});

test('phone numbers: E.164 and national formats with separators; bare digit runs are not phones', () => {
  table([
    ['call +82 10-1234-5678 now', 'call [REDACTED:phone] now'],
    ['sms +14155552671', 'sms [REDACTED:phone]'],
    ['tel:+442079460958', 'tel:[REDACTED:phone]'],
    ['010-1234-5678', '[REDACTED:phone]'],
    ['seoul 02-123-4567 gyeonggi 031-123-4567', 'seoul [REDACTED:phone] gyeonggi [REDACTED:phone]'],
    ['uk 020 7946 0958', 'uk [REDACTED:phone]'],
    ['us (415) 555-2671 or 415.555.2671 or 1-800-555-1212', 'us [REDACTED:phone] or [REDACTED:phone] or [REDACTED:phone]'],
    // near-misses
    ['order 4155552671 id 123-456-7890', 'order 4155552671 id 123-456-7890'],
    ['ORD-555-123-4567', 'ORD-555-123-4567'],
    ['at 2023-10-10 12:00:01 from 192.168.100.200', 'at 2023-10-10 12:00:01 from 192.168.100.200'],
    ['tz +0900 and +12 items', 'tz +0900 and +12 items'],
  ]);
});

test('Korean resident registration numbers', () => {
  table([
    ['rrn 900101-1234568 ok', 'rrn [REDACTED:kr_rrn] ok'],
    ['{"jumin":"851231-2123455"}', '{"jumin":"[REDACTED:kr_rrn]"}'],
    ['born 2021: 210315-4987654', 'born 2021: [REDACTED:kr_rrn]'], // post-2020 numbers have no check digit
    // near-misses
    ['rrn 900101-1234567', 'rrn 900101-1234567'], // wrong check digit
    ['ref 901301-1234567', 'ref 901301-1234567'], // month 13
    ['range 123456-1234567', 'range 123456-1234567'], // month 34
  ]);
  const lenient = build('kr_rrn_checksum: false\n');
  assert.equal(maskLine(lenient, 'rrn 900101-1234567'), 'rrn [REDACTED:kr_rrn]');
});

test('one line with everything', () => {
  const line = 'user=kim email=kim@example.kr phone=010-9876-5432 rrn=900101-1234568 card=4111111111111111 password=pw1 ' +
    'url=https://u:p@h.example/x?token=t1 auth="Bearer abcdefgh12345678" key=AKIAIOSFODNN7EXAMPLE';
  assert.equal(
    maskLine(defaults, line),
    'user=kim email=[REDACTED:email] phone=[REDACTED:phone] rrn=[REDACTED:kr_rrn] card=************1111 password=[REDACTED:secret] ' +
      'url=https://u:[REDACTED:url]@h.example/x?token=[REDACTED:url] auth="Bearer [REDACTED:bearer]" key=[REDACTED:cloud_key]',
  );
});

test('kinds and line/fields selection', () => {
  const onlyCards = build('kinds: [card]\n');
  assert.equal(maskLine(onlyCards, 'a@b.example 4111111111111111 password=x'), 'a@b.example ************1111 password=x');
  const noLine = build('line: false\nfields: [msg]\n');
  const [e] = noLine.process([ev('password=x', { msg: 'mail a@b.example', other: 'mail c@d.example', password: 'zz' })], ctx);
  assert.equal(e!.line, 'password=x');
  assert.equal(e!.fields.msg, 'mail [REDACTED:email]');
  assert.equal(e!.fields.other, 'mail c@d.example');
  assert.equal(e!.fields.password, 'zz');
});

test('fields: values are scanned, and a field named like a secret is masked whole', () => {
  const [e] = defaults.process(
    [ev('x', { 'user.password': 'hunter2', api_key: 'k1', pin: 1234, email: 'a@b.example', note: 'card 4111 1111 1111 1111', token_count: 3, empty: '', n: null, auth: 'bob', passwd: '-' })],
    ctx,
  );
  assert.deepEqual(e!.fields, {
    'user.password': '[REDACTED:secret]',
    api_key: '[REDACTED:secret]',
    pin: '[REDACTED:secret]',
    email: '[REDACTED:email]',
    note: 'card **** **** **** 1111',
    token_count: 3,
    empty: '',
    n: null,
    auth: 'bob', // the Apache/nginx user (`%u`) as grok names it
    passwd: '-', // the access-log placeholder for "none"
  });
});

test('error details are masked too (they quote the input)', () => {
  const e = ev('{"password":"x"');
  e.error = 'JSONParserErr';
  e.errorDetails = 'unexpected end at 15 in {"password":"x"';
  defaults.process([e], ctx);
  assert.equal(e.errorDetails, 'unexpected end at 15 in {"password":"[REDACTED:secret]"');
});

const KEY = 'a-test-key-of-32-bytes-0123456789';

function hmac(value: string): string {
  return createHmac('sha256', KEY).update(value).digest('hex').slice(0, 16);
}

test('hash: truncated HMAC-SHA256, equal values stay joinable however they are written', () => {
  process.env.SIGHTLINE_TEST_MASK_KEY = KEY;
  const p = build('action: hash\nhash_key_env: SIGHTLINE_TEST_MASK_KEY\n');
  assert.equal(maskLine(p, 'card 4111 1111 1111 1111'), `card [HASH:card:${hmac('4111111111111111')}]`);
  assert.equal(maskLine(p, 'card 4111-1111-1111-1111'), `card [HASH:card:${hmac('4111111111111111')}]`);
  assert.equal(maskLine(p, 'from Bob@Example.com'), `from [HASH:email:${hmac('bob@example.com')}]`);
  assert.equal(maskLine(p, 'password=hunter2'), `password=[HASH:secret:${hmac('hunter2')}]`);
  const [e] = p.process([ev('x', { password: 'hunter2' })], ctx);
  assert.equal(e!.fields.password, `[HASH:secret:${hmac('hunter2')}]`);
  // another key, another digest
  process.env.SIGHTLINE_TEST_MASK_KEY = 'another-key-of-at-least-16-bytes';
  const q = build('action: hash\nhash_key_env: SIGHTLINE_TEST_MASK_KEY\nhash_length: 32\n');
  const other = maskLine(q, 'password=hunter2');
  assert.match(other, /^password=\[HASH:secret:[0-9a-f]{32}\]$/);
  assert.notEqual(other.slice(21, 37), hmac('hunter2'));
  delete process.env.SIGHTLINE_TEST_MASK_KEY;
});

test('hash key from a file; a missing or short key fails the build without showing it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mask-key-'));
  writeFileSync(join(dir, 'mask.key'), `${KEY}\n`);
  const p = build('actions: { email: hash }\nhash_key_file: mask.key\n', dir);
  assert.equal(maskLine(p, 'a@b.example'), `[HASH:email:${hmac('a@b.example')}]`);
  assert.equal(maskLine(p, 'password=x'), 'password=[REDACTED:secret]');

  delete process.env.SIGHTLINE_MASK_KEY;
  assert.throws(() => build('action: hash\n'), /test\.yaml:1: the hash action needs a key: set the environment variable SIGHTLINE_MASK_KEY/);
  process.env.SIGHTLINE_TEST_SHORT = 'short-secret';
  assert.throws(
    () => build('action: hash\nhash_key_env: SIGHTLINE_TEST_SHORT\n'),
    (e: Error) => /hash_key_env: the hash key in SIGHTLINE_TEST_SHORT is shorter than 16 bytes/.test(e.message) && !e.message.includes('short-secret'),
  );
  delete process.env.SIGHTLINE_TEST_SHORT;
  assert.throws(() => build('action: hash\nhash_key_file: nope.key\n', dir), /hash_key_file: cannot read the hash key file .*nope\.key: ENOENT/);
  // no key needed when nothing hashes
  assert.equal(maskLine(build('action: redact\n'), 'a@b.example'), '[REDACTED:email]');
});

test('partial: cards and phones keep 4 digits, e-mail its domain, RRN its birth date; others are redacted', () => {
  const p = build('action: partial\n');
  table(
    [
      ['4111-1111-1111-1111', '****-****-****-1111'],
      ['010-1234-5678', '***-****-5678'],
      ['+82 10-1234-5678', '+** **-****-5678'],
      ['john@example.com', 'j***@example.com'],
      ['900101-1234568', '900101-1******'],
      ['password=x', 'password=[REDACTED:secret]'],
    ],
    p,
  );
  const redactCards = build('actions: { card: redact }\n');
  assert.equal(maskLine(redactCards, '4111111111111111'), '[REDACTED:card]');
});

test('user-defined RE2 patterns, whole match or one group, with a literal pre-check', () => {
  const p = build(
    'kinds: []\npatterns:\n' +
      "  - { name: employee_id, regex: '\\bEMP-[0-9]{6}\\b' }\n" +
      "  - { name: session, regex: 'sess=([a-f0-9]{8})', group: 1, contains: 'sess=' }\n",
  );
  assert.equal(maskLine(p, 'by EMP-123456 and EMP-1234567'), 'by [REDACTED:employee_id] and EMP-1234567');
  assert.equal(maskLine(p, 'x sess=deadbeef y sess=cafebabe'), 'x sess=[REDACTED:session] y sess=[REDACTED:session]');
  assert.equal(maskLine(p, 'ünïcode EMP-000001 €'), 'ünïcode [REDACTED:employee_id] €');
});

test('linear time on hostile lines; long number lists are still searched', () => {
  const hostile = [
    'password="'.repeat(20_000),
    'password='.repeat(20_000),
    '\\"password\\":'.repeat(20_000),
    'a'.repeat(200_000) + '=x',
    '@a'.repeat(50_000),
    'eyJ' + 'a'.repeat(100_000),
    '1 '.repeat(100_000),
    '://'.repeat(50_000),
  ];
  for (const line of hostile) {
    const t0 = performance.now();
    maskLine(defaults, line);
    const ms = performance.now() - t0;
    assert.ok(ms < 1000, `${line.slice(0, 20)}…: ${ms.toFixed(0)} ms`);
  }
  const many = Array.from({ length: 60 }, (_, i) => String(i)).join(' ');
  assert.equal(maskLine(defaults, `${many} 4111 1111 1111 1111 end`), `${many} **** **** **** 1111 end`);
});

test('config errors name the file, line and key', () => {
  assert.throws(() => build('kinds: [card, iban]\n'), /test\.yaml:2: kinds\[1\]: unknown kind "iban" \(expected one of card, secret/);
  assert.throws(() => build('action: scramble\n'), /test\.yaml:2: action: expected one of redact, hash, partial, got "scramble"/);
  assert.throws(() => build('actions: { phone: blur }\n'), /actions\.phone: expected one of redact, hash, partial/);
  assert.throws(() => build('patterns:\n  - { name: x, regex: "(a" }\n'), /test\.yaml:3: patterns\[0\]\.regex: invalid RE2 regular expression/);
  assert.throws(() => build('patterns:\n  - { name: x, regex: "a(?=b)" }\n'), /invalid RE2 regular expression/);
  assert.throws(() => build('patterns:\n  - { name: x, regex: "a", group: 2 }\n'), /group: the regex has 0 capture group\(s\), got group 2/);
  assert.throws(() => build('colour: red\n'), /test\.yaml:2: colour: unknown key \(expected one of type, name, if, kinds/);
});

test('loghub samples: what is masked is a secret-shaped value, and nothing else changes', () => {
  const root = join(import.meta.dirname, '../../../../shared/data/loghub');
  const counts: Record<string, number> = {};
  const examples: string[] = [];
  for (const d of ['Android', 'Apache', 'BGL', 'HDFS', 'Linux', 'Mac', 'OpenStack', 'Spark', 'Windows', 'Zookeeper']) {
    const lines = readFileSync(join(root, d, `${d}_2k.log`), 'utf8').split('\n').filter((l) => l.length > 0);
    const events = lines.map((l) => ev(l));
    defaults.process(events, ctx);
    counts[d] = 0;
    for (let i = 0; i < lines.length; i++) {
      if (events[i]!.line !== lines[i]) {
        counts[d]++;
        examples.push(events[i]!.line);
      }
    }
  }
  // Documented: the compiler's e-mail in a kernel banner, mail addresses and a userinfo in macOS URLs, Android
  // window `token=` values and ZooKeeper `sessionid:` values (keys named as secrets).
  assert.deepEqual(counts, { Android: 6, Apache: 0, BGL: 0, HDFS: 0, Linux: 1, Mac: 4, OpenStack: 0, Spark: 0, Windows: 0, Zookeeper: 48 });
  assert.ok(examples.some((l) => l.includes('Linux version 2.6.5-1.358 ([REDACTED:email])')));
  assert.ok(examples.some((l) => l.includes('sessionid: [REDACTED:secret]')));
  assert.ok(examples.some((l) => l.includes('token=[REDACTED:secret]')));
});
