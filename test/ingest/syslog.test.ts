// The syslog parser and record mapping: RFC 5424 §6.5's examples and grammar edges (STRUCTURED-DATA escapes, BOM,
// timestamps), RFC 3164 §5.4's examples and the variants senders really emit (no hostname, ISO time, Cisco, ASA,
// BSD, macOS), malformed input, and two loghub BSD-syslog corpora checked against their published field split.
process.env.TZ = 'America/New_York'; // 3164 times without a zone are in the server's zone: pin one for the tests

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FACILITY_NAMES, parseSyslog, SEVERITY_LEVELS, SyslogBatchBuilder, type SyslogMessage, type SyslogRejection } from '../../src/ingest/syslog.ts';
import { DEFAULT_LIMITS } from '../../src/ingest/limits.ts';

const NOW_MS = Date.UTC(2024, 9, 12, 12, 0, 0); // 2024-10-12T12:00:00Z
const MS = 1_000_000n;

function parse(text: string | Buffer, nowMs = NOW_MS): SyslogMessage {
  const r = parseSyslog(typeof text === 'string' ? Buffer.from(text, 'utf8') : text, nowMs);
  if ('rejected' in r) assert.fail(`rejected: ${r.rejected.message}`);
  return r as SyslogMessage;
}

function reject(text: string | Buffer): SyslogRejection['rejected'] {
  const r = parseSyslog(typeof text === 'string' ? Buffer.from(text, 'utf8') : text, NOW_MS);
  assert.ok('rejected' in r, `accepted: ${JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`);
  return (r as SyslogRejection).rejected;
}

const iso = (s: string): bigint => BigInt(Date.parse(s)) * MS;

/** The fields a test compares (undefined ones left out). */
function fields(m: SyslogMessage): Record<string, unknown> {
  const out: Record<string, unknown> = { format: m.format, facility: m.facility, severity: m.severity };
  for (const k of ['tsNs', 'hostname', 'appName', 'procId', 'msgId', 'problem'] as const) if (m[k] !== undefined) out[k] = m[k];
  if (Object.keys(m.metadata).length > 0) out.metadata = m.metadata;
  if (m.utf8Replaced) out.utf8Replaced = true;
  out.msg = m.msg;
  return out;
}

test('RFC 5424 §6.5 example 1: no STRUCTURED-DATA, BOM before MSG, millisecond UTC time', () => {
  const m = parse(Buffer.concat([Buffer.from('<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - '), Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("'su root' failed for lonvick on /dev/pts/8")]));
  assert.deepEqual(fields(m), {
    format: 'rfc5424', facility: 4, severity: 2, tsNs: iso('2003-10-11T22:14:15.003Z'), hostname: 'mymachine.example.com', appName: 'su', msgId: 'ID47',
    msg: "'su root' failed for lonvick on /dev/pts/8",
  });
});

test('RFC 5424 §6.5 example 2: microseconds and a negative offset, no BOM', () => {
  const m = parse("<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.");
  assert.deepEqual(fields(m), {
    format: 'rfc5424', facility: 20, severity: 5, tsNs: iso('2003-08-24T12:14:15Z') + 3000n, hostname: '192.0.2.1', appName: 'myproc', procId: '8710',
    msg: "%% It's time to make the do-nuts.",
  });
});

test('RFC 5424 §6.5 examples 3 and 4: SD-ELEMENTs become `<sd-id>_<param>` metadata; MSG may be absent', () => {
  const m3 = parse('<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] \uFEFFAn application event log entry...');
  assert.deepEqual(m3.metadata, { exampleSDID_32473_iut: '3', exampleSDID_32473_eventSource: 'Application', exampleSDID_32473_eventID: '1011' });
  assert.equal(m3.msg, 'An application event log entry...');
  assert.equal(m3.msgId, 'ID47');
  const m4 = parse('<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"]');
  assert.deepEqual(m4.metadata, { exampleSDID_32473_iut: '3', exampleSDID_32473_eventSource: 'Application', exampleSDID_32473_eventID: '1011', examplePriority_32473_class: 'high' });
  assert.equal(m4.msg, '');
  assert.equal(m4.problem, undefined);
});

test('PARAM-VALUE escapes (§6.3.3): \\" \\\\ \\] unescaped, any other backslash kept; UTF-8 values; repeated params', () => {
  const m = parse('<13>1 - - - - - [x@1 a="q\\"b\\\\s\\]e\\n" u="héllo ✓" empty=""][x@1 a="again"] msg');
  assert.deepEqual(m.metadata, { x_1_a: JSON.stringify(['q"b\\s]e\\n', 'again']), x_1_u: 'héllo ✓', x_1_empty: '' });
  assert.equal(m.msg, 'msg');
  // an unescaped "]" inside the quotes is taken as part of the value (lenient, as rsyslog is)
  assert.deepEqual(parse('<13>1 - - - - - [a b="x]y"] m').metadata, { a_b: 'x]y' });
});

test('NILVALUEs everywhere: no time, host, app, procid, msgid, SD; timestamp offsets and 9-digit fractions', () => {
  assert.deepEqual(fields(parse('<0>1 - - - - - -')), { format: 'rfc5424', facility: 0, severity: 0, msg: '' });
  assert.equal(parse('<14>1 2024-10-12T13:30:00.123456789+05:30 h a - - - m').tsNs, iso('2024-10-12T08:00:00Z') + 123_456_789n);
  assert.equal(parse('<14>1 2024-10-12t13:30:00z h a - - - m').tsNs, iso('2024-10-12T13:30:00Z'));
  // §6.2.3 allows 1-6 fraction digits; up to 9 are read, more are refused
  assert.match(parse('<14>1 2024-10-12T13:30:00.1234567890Z h a - - - m').problem!.message, /TIMESTAMP: expected TIME/);
});

test('a malformed 5424 message is kept: fields before the fault, the raw rest as the line, the fault and its byte offset', () => {
  const badTime = parse('<13>1 2003-13-11T22:14:15Z host app - - - month 13');
  assert.deepEqual(badTime.problem, { offset: 11, message: 'RFC 5424 TIMESTAMP: expected a month 01-12 and "-" at byte 11' });
  assert.equal(badTime.msg, '2003-13-11T22:14:15Z host app - - - month 13');
  const noZone = parse('<13>1 2003-10-11T22:14:15 host app - - - m');
  assert.equal(noZone.problem?.message, 'RFC 5424 TIMESTAMP: expected TIME-OFFSET ("Z", +hh:mm or -hh:mm) at byte 25');
  const sd = parse('<13>1 - host app 12 ID [a b="x] unterminated');
  assert.deepEqual(fields(sd), {
    format: 'rfc5424', facility: 1, severity: 5, hostname: 'host', appName: 'app', procId: '12', msgId: 'ID',
    problem: { offset: 28, message: `RFC 5424 STRUCTURED-DATA: the value of b in [a] has no closing '"' at byte 28` }, msg: '[a b="x] unterminated',
  });
  const sdName = parse('<13>1 - host app - - [a b] m');
  assert.equal(sdName.problem?.message, 'RFC 5424 STRUCTURED-DATA: expected "=" after b in [a] at byte 25');
  assert.deepEqual(sdName.metadata, {});
  assert.match(parse('<13>1 - host app - - x m').problem!.message, /STRUCTURED-DATA: expected "-" or "\[" at byte 21/);
  assert.match(parse(Buffer.from('<13>1 - ho\x01st app - - - m', 'latin1')).problem!.message, /HOSTNAME: byte 0x01 is not printable US-ASCII at byte 10/);
  assert.match(parse(`<13>1 - h ${'a'.repeat(49)} - - - m`).problem!.message, /APP-NAME is 49 characters, more than 48/);
  assert.match(parse('<13>1 - host').problem!.message, /expected SP before APP-NAME at byte 12/);
});

test('MSG: bytes that are not UTF-8 are replaced and flagged, a message with a PRI is never refused for them', () => {
  const m = parse(Buffer.concat([Buffer.from('<13>1 - h a - - - caf'), Buffer.from([0xe9, 0x20, 0xff])]));
  assert.equal(m.msg, 'caf\uFFFD \uFFFD');
  assert.equal(m.utf8Replaced, true);
  // a real U+FFFD is not a replacement
  assert.equal(parse('<13>1 - h a - - - \uFFFD ok').utf8Replaced, false);
});

test('RFC 3164 §5.4 examples', () => {
  assert.deepEqual(fields(parse("<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8")), {
    format: 'rfc3164', facility: 4, severity: 2, tsNs: iso('2024-10-12T02:14:15Z'), hostname: 'mymachine', appName: 'su', msg: "'su root' failed for lonvick on /dev/pts/8",
  });
  assert.deepEqual(fields(parse('<13>Feb  5 17:32:18 10.0.0.99 Use the BFG!')), {
    format: 'rfc3164', facility: 1, severity: 5, tsNs: iso('2024-02-05T22:32:18Z'), hostname: '10.0.0.99', msg: 'Use the BFG!',
  });
  // no valid TIMESTAMP: the whole rest is the content (§4.3.2)
  assert.deepEqual(fields(parse("<0>1990 Oct 22 10:52:01 TZ-6 scapegoat.dmz.example.org 10.1.2.3 sched[0]: That's All Folks!")), {
    format: 'rfc3164', facility: 0, severity: 0, msg: "1990 Oct 22 10:52:01 TZ-6 scapegoat.dmz.example.org 10.1.2.3 sched[0]: That's All Folks!",
  });
});

test('3164 as sent in practice: no hostname, TAG[pid], ISO time, PRI only, no PRI, trailing NUL/CR/LF', () => {
  assert.deepEqual(fields(parse('<30>Oct  1 09:05:00 sshd[4242]: Accepted publickey for root\r\n\0')), {
    format: 'rfc3164', facility: 3, severity: 6, tsNs: iso('2024-10-01T13:05:00Z'), appName: 'sshd', procId: '4242', msg: 'Accepted publickey for root',
  });
  assert.deepEqual(fields(parse('<13>Oct 11 22:14:15 web-1 postfix/smtpd[123]: connect from unknown[10.0.0.1]')), {
    format: 'rfc3164', facility: 1, severity: 5, tsNs: iso('2024-10-12T02:14:15Z'), hostname: 'web-1', appName: 'postfix/smtpd', procId: '123', msg: 'connect from unknown[10.0.0.1]',
  });
  // rsyslog's RSYSLOG_ForwardFormat: 3164 with an RFC 3339 time; without an offset the server's zone applies
  assert.deepEqual(fields(parse('<86>2024-10-12T09:59:58.123456+02:00 db-2 CRON[77]: (root) CMD (run-parts)')), {
    format: 'rfc3164', facility: 10, severity: 6, tsNs: iso('2024-10-12T07:59:58.123Z') + 456_000n, hostname: 'db-2', appName: 'CRON', procId: '77', msg: '(root) CMD (run-parts)',
  });
  assert.equal(parse('<13>2024-10-12T07:59:58 h app: x').tsNs, iso('2024-10-12T11:59:58Z'));
  assert.deepEqual(fields(parse('<13>just a message')), { format: 'rfc3164', facility: 1, severity: 5, msg: 'just a message' });
  assert.deepEqual(fields(parse('<11>myapp: disk full')), { format: 'rfc3164', facility: 1, severity: 3, appName: 'myapp', msg: 'disk full' });
  // no PRI: user.notice (RFC 3164 §4.3.3), the header still read when there is one
  assert.deepEqual(fields(parse('Oct 11 22:14:15 host tag: text')), { format: 'rfc3164', facility: 1, severity: 5, tsNs: iso('2024-10-12T02:14:15Z'), hostname: 'host', appName: 'tag', msg: 'text' });
  assert.deepEqual(fields(parse('plain words')), { format: 'rfc3164', facility: 1, severity: 5, msg: 'plain words' });
  // an invalid PRI is no PRI: kept in the content
  assert.deepEqual(fields(parse('<192>Oct 11 22:14:15 host tag: x')), { format: 'rfc3164', facility: 1, severity: 5, msg: '<192>Oct 11 22:14:15 host tag: x' });
  // "name[pid]" without the colon (BSD), spaces in a macOS process name
  assert.deepEqual(fields(parse('<13>Oct 11 22:14:15 h sandboxd[129] ([31211]): deny')), {
    format: 'rfc3164', facility: 1, severity: 5, tsNs: iso('2024-10-12T02:14:15Z'), hostname: 'h', appName: 'sandboxd', procId: '129', msg: '([31211]): deny',
  });
  assert.equal(parse('<13>Oct 11 22:14:15 h Microsoft Word[14463]: Cocoa error').appName, 'Microsoft Word');
  // IPv6 host
  assert.equal(parse('<13>Oct 11 22:14:15 2001:db8::7 app: x').hostname, '2001:db8::7');
});

test('Cisco IOS and ASA: sequence numbers, "*" clocks, milliseconds, years, UTC, %FAC-SEV-MNEMONIC tags', () => {
  assert.deepEqual(fields(parse('<189>34: *Oct  1 00:04:15.123: %LINK-3-UPDOWN: Interface Gi0/1, changed state to up')), {
    format: 'rfc3164', facility: 23, severity: 5, tsNs: iso('2024-10-01T04:04:15.123Z'), appName: 'LINK', msgId: 'LINK-3-UPDOWN', metadata: { sequence: '34' },
    msg: 'Interface Gi0/1, changed state to up',
  });
  assert.deepEqual(fields(parse('<189>35: router1: Mar  1 2024 00:04:15.123 UTC: %SYS-5-CONFIG_I: Configured from console by vty0 (10.0.0.1)')), {
    format: 'rfc3164', facility: 23, severity: 5, tsNs: iso('2024-03-01T00:04:15.123Z'), hostname: 'router1', appName: 'SYS', msgId: 'SYS-5-CONFIG_I', metadata: { sequence: '35' },
    msg: 'Configured from console by vty0 (10.0.0.1)',
  });
  // a zone Cisco prints but that is not UTC: the server's zone is used
  assert.equal(parse('<189>36: Oct  1 2024 00:04:15 CEST: %SYS-5-RESTART: x').tsNs, iso('2024-10-01T04:04:15Z'));
  assert.deepEqual(fields(parse('<166>Jan 05 2024 12:00:00: %ASA-6-302013: Built inbound TCP connection 1')), {
    format: 'rfc3164', facility: 20, severity: 6, tsNs: iso('2024-01-05T17:00:00Z'), appName: 'ASA', msgId: 'ASA-6-302013', msg: 'Built inbound TCP connection 1',
  });
  assert.deepEqual(fields(parse('<166>Jan 05 2024 12:00:00 fw01 : %ASA-6-302013: Built')), {
    format: 'rfc3164', facility: 20, severity: 6, tsNs: iso('2024-01-05T17:00:00Z'), hostname: 'fw01', appName: 'ASA', msgId: 'ASA-6-302013', msg: 'Built',
  });
});

test('3164 has no year: this year, last year for a December time read in January, next year across New Year the other way', () => {
  const jan1 = Date.UTC(2025, 0, 1, 5, 30); // 00:30 on Jan 1st in New York
  assert.equal(parse('<13>Dec 31 23:59:58 h a: x', jan1).tsNs, iso('2025-01-01T04:59:58Z'));
  const dec31 = Date.UTC(2025, 0, 1, 4, 59, 0); // 23:59 on Dec 31st 2024 in New York; the sender's clock is ahead
  assert.equal(parse('<13>Jan  1 00:00:30 h a: x', dec31).tsNs, iso('2025-01-01T05:00:30Z'));
  assert.equal(parse('<13>Jun 15 08:00:00 h a: x').tsNs, iso('2024-06-15T12:00:00Z'));
});

test('input that is not syslog at all is refused with the offset of the first bad byte', () => {
  assert.deepEqual(reject(Buffer.from([0x16, 0x03, 0x01, 0x00])), { offset: 0, message: 'not a syslog message: no <PRI> and byte 0x16 is not text' });
  assert.deepEqual(reject(Buffer.from('hello \x00world', 'latin1')), { offset: 6, message: 'not a syslog message: no <PRI> and byte 0x00 is not text' });
  assert.deepEqual(reject(Buffer.concat([Buffer.from('caf\u00e9 '), Buffer.from([0xc3, 0x28])])), { offset: 6, message: 'not a syslog message: no <PRI> and byte 0xc3 is not text' });
  assert.deepEqual(reject('\r\n\0'), { offset: 0, message: 'empty message' });
  // with a PRI, anything goes (the bytes are the MSG)
  assert.equal(parse(Buffer.from('<13>\x01\x02', 'latin1')).msg, '\x01\x02');
});

const LIMITS = { ...DEFAULT_LIMITS, maxLineBytes: 100 };

test('records: labels service/host/level/facility, the rest structured metadata, one stream per label set', () => {
  const b = new SyslogBatchBuilder('acme', LIMITS);
  const nowNs = BigInt(NOW_MS) * MS;
  assert.equal(b.add(Buffer.from('<165>1 2024-10-12T11:59:00.5Z web-1 api 812 REQ [req@1 path="/x" status="500"] GET /x'), '10.0.0.9', NOW_MS), undefined);
  assert.equal(b.add(Buffer.from('<165>1 2024-10-12T11:59:01Z web-1 api 812 - - second'), '10.0.0.9', NOW_MS), undefined);
  assert.equal(b.add(Buffer.from('<13>disk ok'), '10.0.0.7', NOW_MS), undefined);
  const r = b.take();
  assert.equal(b.isEmpty, true);
  assert.deepEqual(r.errors, []);
  assert.equal(r.batch.tenant, 'acme');
  assert.equal(r.batch.entries, 3);
  assert.deepEqual(r.batch.streams, [
    {
      labels: { service: 'api', host: 'web-1', level: 'info', facility: 'local4' },
      ts: [iso('2024-10-12T11:59:00.5Z'), iso('2024-10-12T11:59:01Z')],
      lines: ['GET /x', 'second'],
      metadata: [
        { req_1_path: '/x', req_1_status: '500', procid: '812', msgid: 'REQ', severity: '5', peer: '10.0.0.9' },
        { procid: '812', severity: '5', peer: '10.0.0.9' },
      ],
    },
    // no hostname: the sender's address; no TAG: no service label; no time: arrival
    { labels: { host: '10.0.0.7', level: 'info', facility: 'user' }, ts: [nowNs], lines: ['disk ok'], metadata: [{ severity: '5', peer: '10.0.0.7' }] },
  ]);
});

test('records: every severity and facility name; level follows OpenTelemetry\'s syslog mapping', () => {
  assert.deepEqual(SEVERITY_LEVELS, ['fatal', 'error', 'error', 'error', 'warn', 'info', 'info', 'debug']);
  const b = new SyslogBatchBuilder('t', LIMITS);
  for (let pri = 0; pri < 192; pri++) b.add(Buffer.from(`<${pri}>1 - h a - - - m`), '', NOW_MS);
  const r = b.take();
  assert.equal(r.batch.entries, 192);
  assert.equal(r.batch.streams.length, 24 * 5);
  const s = r.batch.streams.find((x) => x.labels.facility === 'local7' && x.labels.level === 'error')!;
  assert.deepEqual(s.metadata.map((m) => m!.severity), ['1', '2', '3']);
  assert.deepEqual(new Set(r.batch.streams.map((x) => x.labels.facility)), new Set(FACILITY_NAMES));
});

test('records: out-of-window times are kept at arrival with the sent time; limits and garbage are reported, not stored', () => {
  const b = new SyslogBatchBuilder('t', LIMITS);
  assert.equal(b.add(Buffer.from('<13>1 2001-01-01T00:00:00Z h a - - - old clock'), '', NOW_MS), undefined);
  const long = b.add(Buffer.from(`<13>1 - h a - - - ${'x'.repeat(101)}`), '', NOW_MS);
  assert.deepEqual(long, { offset: 0, message: 'line is 101 bytes, more than the limit of 100', stored: false, reason: 'line_too_long' });
  assert.deepEqual(b.add(Buffer.from([0x00, 0x01]), '1.2.3.4', NOW_MS), { offset: 0, message: 'not a syslog message: no <PRI> and byte 0x00 is not text', stored: false, reason: 'malformed' });
  const partial = b.add(Buffer.from('<13>1 - h a - - [broken'), '', NOW_MS);
  assert.deepEqual(partial, { offset: 23, message: 'RFC 5424 STRUCTURED-DATA: expected SP or "]" in [broken] at byte 23', stored: true, reason: 'parse_error' });
  const bad = b.add(Buffer.concat([Buffer.from('<13>1 - h a - - - '), Buffer.from([0xff])]), '', NOW_MS);
  assert.equal(bad, undefined);
  const r = b.take();
  assert.deepEqual(r.errors.map((e) => e.reason), ['line_too_long']);
  assert.deepEqual(r.batch.streams[0].lines, ['old clock', '[broken', '\uFFFD']);
  assert.deepEqual(r.batch.streams[0].ts, [BigInt(NOW_MS) * MS, BigInt(NOW_MS) * MS, BigInt(NOW_MS) * MS]);
  assert.deepEqual(r.batch.streams[0].metadata, [
    { severity: '5', original_timestamp: '2001-01-01T00:00:00.000Z' },
    { severity: '5', parse_error: 'RFC 5424 STRUCTURED-DATA: expected SP or "]" in [broken] at byte 23' },
    { severity: '5', invalid_utf8: 'true' },
  ]);
});

// ---- real BSD syslog files (loghub), against the fields loghub's structured CSV gives for each line ----

const HERE = fileURLToPath(new URL('.', import.meta.url));

function csvRow(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let v = '';
      i++;
      while (i < line.length) {
        if (line[i] === '"' && line[i + 1] === '"') {
          v += '"';
          i += 2;
        } else if (line[i] === '"') {
          i++;
          break;
        } else v += line[i++];
      }
      out.push(v);
      i++;
    } else {
      const j = line.indexOf(',', i);
      const e = j < 0 ? line.length : j;
      out.push(line.slice(i, e));
      i = e + 1;
    }
  }
  return out;
}

for (const corpus of ['Linux', 'Mac'] as const) {
  test(`loghub ${corpus}_2k.log: host, TAG, pid and content of every line as loghub splits them`, () => {
    const dir = `${HERE}../../../shared/data/loghub/${corpus}/`;
    const logs = readFileSync(`${dir}${corpus}_2k.log`, 'utf8').split('\n').filter((l) => l !== '');
    const rows = readFileSync(`${dir}${corpus}_2k.log_structured.csv`, 'utf8').split('\n').filter((l) => l !== '').slice(1).map(csvRow);
    assert.equal(logs.length, 2000);
    const mismatched: string[] = [];
    for (let i = 0; i < logs.length; i++) {
      const m = parse(logs[i], Date.UTC(2024, 11, 1));
      const r = rows[i];
      const content = corpus === 'Mac' ? r[8] : r[7];
      const contentOk = corpus === 'Mac' && r[7] !== '' ? m.msg.endsWith(content.trim()) : m.msg.trim() === content.trim();
      if (m.hostname !== r[4] || m.appName !== r[5] || (m.procId ?? '') !== r[6] || !contentOk) mismatched.push(logs[i]);
      // month and day as written, the time in the server's zone
      const d = new Date(Number(m.tsNs! / MS));
      assert.equal(`${d.toLocaleString('en-US', { month: 'short' })} ${d.getDate()} ${d.toTimeString().slice(0, 8)}`, `${r[1]} ${Number(r[2])} ${r[3]}`);
    }
    // sysklogd's own "syslogd 1.4.1: restart." has a TAG with a space and no pid: it stays in the line
    if (corpus === 'Linux') assert.deepEqual(new Set(mismatched.map((l) => l.slice(16).trim())), new Set(['combo syslogd 1.4.1: restart.']));
    else assert.deepEqual(mismatched, []);
  });
}
