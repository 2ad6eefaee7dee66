// The logfmt parser: bare and quoted values with escapes, standalone keys and empty values, prefix, a real syslog
// line from Loghub, and malformed input (LogfmtParserErr with the offset; pairs before the error kept).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build, buildError, loghubLines, one } from './parse-harness.ts';

test('a Heroku router line (the logfmt example everyone knows)', () => {
  const line = 'at=info method=GET path="/" host=myapp.herokuapp.com request_id=8601b555-6a83-4c12-8269-97c8e32cdb22 fwd="204.204.204.204" dyno=web.1 connect=1ms service=18ms status=200 bytes=13 protocol=https';
  const e = one(build('type: logfmt'), line);
  assert.equal(e.error, undefined);
  assert.deepEqual(e.fields, {
    at: 'info', method: 'GET', path: '/', host: 'myapp.herokuapp.com', request_id: '8601b555-6a83-4c12-8269-97c8e32cdb22',
    fwd: '204.204.204.204', dyno: 'web.1', connect: '1ms', service: '18ms', status: '200', bytes: '13', protocol: 'https',
  });
});

test('quoted values with escapes, bare values holding `=`, standalone keys and empty values', () => {
  const line = 'level=warn msg="disk \\"/data\\" at 91%\\nretrying" url=/q?a=1&b=2 flag empty= quoted_empty="" unicode="caf\\u00e9"';
  assert.deepEqual(one(build('type: logfmt'), line).fields, {
    level: 'warn', msg: 'disk "/data" at 91%\nretrying', url: '/q?a=1&b=2', unicode: 'café',
  });
  assert.deepEqual(one(build('type: logfmt\nkeep_empty: true\nprefix: lf_'), line).fields, {
    lf_level: 'warn', lf_msg: 'disk "/data" at 91%\nretrying', lf_url: '/q?a=1&b=2', lf_flag: '', lf_empty: '', lf_quoted_empty: '', lf_unicode: 'café',
  });
});

test('a Loghub Linux syslog message: the key=value part is extracted, prose words are not fields', () => {
  // Linux_2k.log line 1: "... sshd(pam_unix)[19939]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=218.188.2.4 "
  const message = loghubLines('Linux')[0].split(': ').slice(1).join(': ');
  const e = one(build('type: logfmt'), message);
  assert.equal(e.error, undefined);
  assert.deepEqual(e.fields, { uid: '0', euid: '0', tty: 'NODEVssh', rhost: '218.188.2.4' });
});

test('malformed logfmt marks the event, keeps it and the pairs before the error', async (t) => {
  const p = build('type: logfmt');
  const cases: [string, string, Record<string, string>][] = [
    ['a=1 b="unterminated', 'unterminated quoted value at offset 6 near "\\"unterminated"', { a: '1' }],
    ['a=1 =orphan', 'unexpected \'=\' (a pair needs a key) at offset 4 near "=orphan"', { a: '1' }],
    ['ke"y=1', 'unexpected \'"\' in a key at offset 2 near "\\"y=1"', {}],
    ['a="x"y b=2', 'expected a space after the quoted value at offset 5 near "y b=2"', {}],
    ['a="bad \\q escape"', 'invalid escape in quoted value at offset 2 near "\\"bad \\\\q escape\\""', {}],
  ];
  for (const [line, details, fields] of cases) {
    await t.test(line, () => {
      const e = one(p, line);
      assert.equal(e.error, 'LogfmtParserErr');
      assert.equal(e.errorDetails, details);
      assert.equal(e.line, line);
      assert.deepEqual(e.fields, fields);
    });
  }
});

test('config errors', () => {
  assert.match(buildError('type: logfmt\nkeep_empty: "yes"'), /^test\.yaml:2: keep_empty: expected true or false, got "yes"/);
});
