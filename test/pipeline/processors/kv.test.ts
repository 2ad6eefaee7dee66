// The kv parser: key=value pairs in free text with configurable delimiters, quotes and trimming, on real Loghub
// lines (Linux sshd, Android PowerManagerService) and crafted input; unterminated quotes marked KVParserErr.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build, buildError, loghubLines, one } from './parse-harness.ts';

test('Loghub Linux sshd line: words without `=` are skipped, empty values dropped unless keep_empty', () => {
  const line = loghubLines('Linux')[0];
  assert.deepEqual(one(build('type: kv'), line).fields, { uid: '0', euid: '0', tty: 'NODEVssh', rhost: '218.188.2.4' });
  assert.deepEqual(one(build('type: kv\nkeep_empty: true'), line).fields, { logname: '', uid: '0', euid: '0', tty: 'NODEVssh', ruser: '', rhost: '218.188.2.4' });
});

test('Loghub Android line: comma-separated pairs, a quoted value with a space', () => {
  // Android_2k.log line 2: "... D PowerManagerService: acquire lock=233570404, flags=0x1, tag="View Lock", name=com.android.systemui, ws=null, uid=10037, pid=2227"
  const line = loghubLines('Android')[1];
  const expected = { lock: '233570404', flags: '0x1', tag: 'View Lock', name: 'com.android.systemui', ws: 'null', uid: '10037', pid: '2227' };
  assert.deepEqual(one(build('type: kv\ntrim_value: ","'), line).fields, expected);
  // the same with `, ` as the field delimiter: the words before `lock` are not part of its key
  assert.deepEqual(one(build('type: kv\nfield_delimiter: ", "'), line).fields, expected);
});

test('custom delimiters, single quotes, escapes, trim_key and prefix', () => {
  assert.deepEqual(one(build('type: kv\nfield_delimiter: "&"\nprefix: q_'), 'a=1&b=two%20words&c=&d').fields, { q_a: '1', q_b: 'two%20words' });
  assert.deepEqual(one(build('type: kv\nvalue_delimiter: ":"'), "user:'Jane Doe' role:\"admin \\\"root\\\"\" id:7").fields, { user: 'Jane Doe', role: 'admin "root"', id: '7' });
  assert.deepEqual(one(build('type: kv\nfield_delimiter: ";"\nvalue_delimiter: "=>"\ntrim_key: "[]"'), '[a]=>1; [b] => 2').fields, { a: '1', b: '2' });
  assert.deepEqual(one(build('type: kv\nquotes: ""'), 'a="x y" b=2').fields, { a: '"x', b: '2' });
});

test('an unterminated quote marks the event and keeps the pairs before it', () => {
  const e = one(build('type: kv'), 'ok=1 msg="never closed b=2');
  assert.equal(e.error, 'KVParserErr');
  assert.equal(e.errorDetails, 'unterminated quoted value at offset 9 near "\\"never closed b="');
  assert.deepEqual(e.fields, { ok: '1' });
});

test('config errors', () => {
  assert.match(buildError('type: kv\nvalue_delimiter: ""'), /^test\.yaml:2: value_delimiter: expected a non-empty delimiter/);
  assert.match(buildError('type: kv\nfield_delimiter: "="'), /^test\.yaml:1: value_delimiter: expected a delimiter different from field_delimiter "="/);
});
