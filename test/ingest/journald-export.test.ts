// Journal Export Format parser: the mapping onto labels/metadata/line/timestamp, framing edge cases (binary fields,
// chunk boundaries anywhere, blank lines, truncation), limits, and errors that name the byte offset.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JournalExportParser, parseJournalExport } from '../../src/ingest/journald-export.ts';
import { DEFAULT_LIMITS, type IngestLimits } from '../../src/ingest/limits.ts';
import type { AdapterResult } from '../../src/ingest/adapter.ts';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const NOW_US = BigInt(NOW) * 1000n;

/** `KEY=value\n` for a text field. */
function text(name: string, value: string): Buffer {
  return Buffer.from(`${name}=${value}\n`, 'utf8');
}

/** `KEY\n<u64 LE size><bytes>\n` for a binary field (spec: "Journal Export Format"). */
function binary(name: string, value: Buffer | string): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  const size = Buffer.alloc(8);
  size.writeBigUInt64LE(BigInt(bytes.length));
  return Buffer.concat([Buffer.from(name + '\n'), size, bytes, Buffer.from('\n')]);
}

function entry(...fields: Buffer[]): Buffer {
  return Buffer.concat([...fields, Buffer.from('\n')]);
}

interface Row {
  labels: Record<string, string>;
  ts: bigint;
  line: string;
  meta: Record<string, string> | undefined;
}

function rows(r: AdapterResult): Row[] {
  const out: Row[] = [];
  for (const s of r.batch.streams) for (let i = 0; i < s.ts.length; i++) out.push({ labels: s.labels, ts: s.ts[i], line: s.lines[i], meta: s.metadata[i] });
  return out.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : a.line < b.line ? -1 : 1));
}

function parse(body: Buffer, limits: IngestLimits = DEFAULT_LIMITS): AdapterResult {
  return parseJournalExport(body, 'acme', limits, NOW);
}

const SSHD = entry(
  text('__CURSOR', 's=739ad463348b4ceca5a9e69c95a3c93f;i=4ece7;b=6c7c6013a8b34d5c8da9a4b3a6c4e24a;m=2cd1e8d0c;t=5d5f1a3b3c7e1;x=7f4c8b1bb38d3d2c'),
  text('__REALTIME_TIMESTAMP', String(NOW_US - 5_000_000n)),
  text('__MONOTONIC_TIMESTAMP', '12034432268'),
  text('_BOOT_ID', '6c7c6013a8b34d5c8da9a4b3a6c4e24a'),
  text('PRIORITY', '6'),
  text('SYSLOG_FACILITY', '4'),
  text('SYSLOG_IDENTIFIER', 'sshd'),
  text('SYSLOG_PID', '1234'),
  text('MESSAGE', 'Accepted publickey for deploy from 10.0.0.7 port 52814 ssh2'),
  text('_PID', '1234'),
  text('_UID', '0'),
  text('_COMM', 'sshd'),
  text('_EXE', '/usr/sbin/sshd'),
  text('_SYSTEMD_UNIT', 'ssh.service'),
  text('_HOSTNAME', 'web-1'),
  text('_TRANSPORT', 'syslog'),
  text('_SOURCE_REALTIME_TIMESTAMP', String(NOW_US - 5_000_100n)),
);

test('maps a typical entry: unit → service, hostname → host, priority → level, the rest → metadata', () => {
  const r = parse(SSHD);
  assert.equal(r.fatal, undefined);
  assert.deepEqual(r.errors, []);
  assert.equal(r.batch.tenant, 'acme');
  assert.deepEqual(rows(r), [{
    labels: { service: 'ssh.service', host: 'web-1', level: 'info' },
    ts: (NOW_US - 5_000_000n) * 1000n,
    line: 'Accepted publickey for deploy from 10.0.0.7 port 52814 ssh2',
    meta: {
      // address fields (__CURSOR, __MONOTONIC_TIMESTAMP) are dropped; trusted fields lose their underscore
      boot_id: '6c7c6013a8b34d5c8da9a4b3a6c4e24a', pid: '1234', uid: '0', comm: 'sshd', exe: '/usr/sbin/sshd', transport: 'syslog',
      source_realtime_timestamp: String(NOW_US - 5_000_100n),
      priority: '6', syslog_facility: '4', syslog_identifier: 'sshd', syslog_pid: '1234',
    },
  }]);
});

test('binary fields: multi-line MESSAGE, a size with a newline byte in it, an empty value, non-UTF-8 values', () => {
  const tenBytes = 'line1\nline2'; // 11 bytes
  const body = Buffer.concat([
    entry(text('__REALTIME_TIMESTAMP', String(NOW_US)), binary('MESSAGE', tenBytes), text('SYSLOG_IDENTIFIER', 'cron'), text('PRIORITY', '3')),
    // a size of 10 is the byte 0x0a: the parser must read 8 size bytes, not look for a line
    entry(text('__REALTIME_TIMESTAMP', String(NOW_US + 1n)), binary('MESSAGE', 'ten bytes!'), binary('EMPTY', ''), text('SYSLOG_IDENTIFIER', 'cron')),
    entry(text('__REALTIME_TIMESTAMP', String(NOW_US + 2n)), binary('MESSAGE', Buffer.from([0x62, 0x61, 0x64, 0xff, 0x21])), binary('BLOB', Buffer.from([0, 1, 0xfe, 0xff])), text('SYSLOG_IDENTIFIER', 'cron')),
  ]);
  const r = parse(body);
  assert.equal(r.fatal, undefined);
  const got = rows(r);
  assert.deepEqual(got.map((e) => e.line), ['line1\nline2', 'ten bytes!', 'bad\uFFFD!']);
  assert.deepEqual(got[0].labels, { service: 'cron', level: 'error' });
  assert.deepEqual(got[1].labels, { service: 'cron' }, 'no PRIORITY: no level');
  assert.deepEqual(got[1].meta, { empty: '' });
  assert.deepEqual(got[2].meta, { blob_base64: 'AAH+/w==', invalid_utf8: 'true' });
});

test('the result does not depend on where chunks split the body (every split point, and one byte at a time)', () => {
  const body = Buffer.concat([
    SSHD,
    entry(text('__REALTIME_TIMESTAMP', String(NOW_US)), binary('MESSAGE', 'two\nlines'), binary('DATA', Buffer.from([10, 10, 0, 10])), text('_HOSTNAME', 'db-2'), text('SYSLOG_IDENTIFIER', 'pg')),
    Buffer.from('\n\n'),
    entry(text('__REALTIME_TIMESTAMP', String(NOW_US + 7n)), text('MESSAGE', 'last'), text('_SYSTEMD_UNIT', 'app.service'), text('PRIORITY', '4')),
  ]);
  const whole = rows(parse(body));
  assert.equal(whole.length, 3);
  for (let cut = 1; cut < body.length; cut++) {
    const p = new JournalExportParser('acme', DEFAULT_LIMITS);
    p.push(body.subarray(0, cut), NOW);
    p.push(body.subarray(cut), NOW);
    p.end(NOW);
    assert.equal(p.fatal, undefined, `split at ${cut}`);
    assert.deepEqual(rows(p.take()), whole, `split at ${cut}`);
  }
  const p = new JournalExportParser('acme', DEFAULT_LIMITS);
  for (let i = 0; i < body.length; i++) p.push(body.subarray(i, i + 1), NOW);
  p.end(NOW);
  assert.deepEqual(rows(p.take()), whole);
});

test('service: unit, except scopes → syslog identifier → process name → unknown_service; the label source leaves the metadata', () => {
  const body = Buffer.concat([
    entry(text('__REALTIME_TIMESTAMP', String(NOW_US)), text('MESSAGE', 'a'), text('_SYSTEMD_UNIT', 'session-42.scope'), text('SYSLOG_IDENTIFIER', 'sudo'), text('_COMM', 'sudo')),
    entry(text('__REALTIME_TIMESTAMP', String(NOW_US + 1n)), text('MESSAGE', 'b'), text('_COMM', 'bash')),
    entry(text('__REALTIME_TIMESTAMP', String(NOW_US + 2n)), text('MESSAGE', 'c'), text('_SYSTEMD_UNIT', 'docker-0123abcd.scope')),
    entry(text('__REALTIME_TIMESTAMP', String(NOW_US + 3n)), text('MESSAGE', 'd'), text('_SYSTEMD_UNIT', 'nginx.service'), text('SYSLOG_IDENTIFIER', 'nginx')),
  ]);
  const got = rows(parse(body));
  assert.deepEqual(got.map((e) => [e.labels.service, e.meta]), [
    ['sudo', { systemd_unit: 'session-42.scope', comm: 'sudo' }],
    ['bash', undefined],
    ['unknown_service', { systemd_unit: 'docker-0123abcd.scope' }],
    ['nginx.service', { syslog_identifier: 'nginx' }],
  ]);
});

test('every syslog priority maps to the level names the syslog adapter uses; a bad PRIORITY gives no level', () => {
  const body = Buffer.concat(['0', '1', '2', '3', '4', '5', '6', '7', '9', 'x', '12'].map((p, i) =>
    entry(text('__REALTIME_TIMESTAMP', String(NOW_US + BigInt(i))), text('MESSAGE', `p${p}`), text('SYSLOG_IDENTIFIER', 'k'), text('PRIORITY', p))));
  const got = rows(parse(body));
  assert.deepEqual(got.map((e) => e.labels.level ?? '-'), ['fatal', 'error', 'error', 'error', 'warn', 'info', 'info', 'debug', '-', '-', '-']);
  assert.equal(got[8].meta!.priority, '9');
});

test('field names: a client field colliding with a trusted one is kept as user_<name>; repeated fields are joined by newlines', () => {
  const body = entry(text('__REALTIME_TIMESTAMP', String(NOW_US)), text('PID', 'claimed'), text('MESSAGE', 'first'), text('TAG', 'a'), text('TAG', 'b'), text('MESSAGE', 'second'), text('_PID', '77'), text('SYSLOG_IDENTIFIER', 'x'));
  const [e] = rows(parse(body));
  assert.equal(e.line, 'first\nsecond');
  assert.deepEqual(e.meta, { pid: '77', user_pid: 'claimed', tag: 'a\nb' });
});

test('timestamps: __REALTIME_TIMESTAMP, else _SOURCE_REALTIME_TIMESTAMP, else arrival; outside the window → refused, the rest kept', () => {
  const body = Buffer.concat([
    entry(text('MESSAGE', 'source time'), text('_SOURCE_REALTIME_TIMESTAMP', String(NOW_US - 9n)), text('SYSLOG_IDENTIFIER', 'x')),
    entry(text('MESSAGE', 'arrival'), text('SYSLOG_IDENTIFIER', 'x')),
    entry(text('__REALTIME_TIMESTAMP', 'garbage'), text('MESSAGE', 'bad realtime'), text('SYSLOG_IDENTIFIER', 'x')),
    entry(text('__REALTIME_TIMESTAMP', '1000000'), text('MESSAGE', 'too old'), text('SYSLOG_IDENTIFIER', 'x')),
    entry(text('__REALTIME_TIMESTAMP', String(NOW_US + 3_600_000_000n)), text('MESSAGE', 'too new'), text('SYSLOG_IDENTIFIER', 'x')),
  ]);
  const r = parse(body);
  assert.deepEqual(rows(r).map((e) => [e.line, e.ts]), [
    ['source time', (NOW_US - 9n) * 1000n],
    ['arrival', BigInt(NOW) * 1_000_000n],
    ['bad realtime', BigInt(NOW) * 1_000_000n],
  ].sort((a, b) => ((a[1] as bigint) < (b[1] as bigint) ? -1 : (a[1] as bigint) > (b[1] as bigint) ? 1 : (a[0] as string) < (b[0] as string) ? -1 : 1)));
  assert.deepEqual(r.errors.map((e) => [e.entry, e.reason, e.stream]), [[3, 'timestamp_too_old', '{service="x"}'], [4, 'timestamp_too_new', '{service="x"}']]);
  assert.match(r.errors[0].message, /^timestamp 1970-01-01T00:00:01\.000Z is older than the accepted window/);
});

test('limits: an oversize MESSAGE (text or binary) refuses its entry; another oversize field becomes a placeholder; memory stays bounded', () => {
  const limits = { ...DEFAULT_LIMITS, maxLineBytes: 100 };
  const body = Buffer.concat([
    entry(text('__REALTIME_TIMESTAMP', String(NOW_US)), text('MESSAGE', 'x'.repeat(5000)), text('SYSLOG_IDENTIFIER', 'big')),
    entry(text('__REALTIME_TIMESTAMP', String(NOW_US + 1n)), binary('MESSAGE', 'y'.repeat(300)), text('SYSLOG_IDENTIFIER', 'big')),
    entry(text('__REALTIME_TIMESTAMP', String(NOW_US + 2n)), text('MESSAGE', 'small'), binary('COREDUMP', Buffer.alloc(1000)), text('NOTE', 'z'.repeat(400)), text('SYSLOG_IDENTIFIER', 'big')),
  ]);
  // in 64-byte chunks so the long text line crosses many of them
  const p = new JournalExportParser('acme', limits);
  for (let i = 0; i < body.length; i += 64) p.push(body.subarray(i, i + 64), NOW);
  p.end(NOW);
  assert.equal(p.fatal, undefined);
  const r = p.take();
  assert.deepEqual(r.errors.map((e) => [e.entry, e.reason, e.message]), [
    [0, 'line_too_long', 'line is 5000 bytes, more than the limit of 100'],
    [1, 'line_too_long', 'line is 300 bytes, more than the limit of 100'],
  ]);
  assert.deepEqual(rows(r).map((e) => [e.line, e.meta]), [['small', {
    coredump: '[1000 bytes not stored: more than limits.max_line_bytes]',
    note: '[400 bytes not stored: more than limits.max_line_bytes]',
  }]]);
});

test('a line that is not a field: the entry is kept with parse_error naming the byte, parsing goes on', () => {
  const first = entry(text('__REALTIME_TIMESTAMP', String(NOW_US)), text('MESSAGE', 'kept'), Buffer.from('not a field at all\n'), text('lower=case', 'x'), text('SYSLOG_IDENTIFIER', 'app'));
  const body = Buffer.concat([first, entry(text('__REALTIME_TIMESTAMP', String(NOW_US + 1n)), text('MESSAGE', 'next'), text('SYSLOG_IDENTIFIER', 'app'))]);
  const r = parse(body);
  assert.equal(r.fatal, undefined);
  const got = rows(r);
  assert.deepEqual(got.map((e) => e.line), ['kept', 'next']);
  const at = first.indexOf('not a field');
  assert.equal(got[0].meta!.parse_error, `byte ${at}: "not a field at all" is not a field (expected NAME=value, or NAME alone on its line before a binary value)`);
  assert.equal(got[1].meta, undefined);
});

test('fatal framing errors name the byte; the entries before them are kept', () => {
  const good = entry(text('__REALTIME_TIMESTAMP', String(NOW_US)), text('MESSAGE', 'before'), text('SYSLOG_IDENTIFIER', 'app'));
  // a binary size far past limits.max_body_bytes (what `NAME\n` followed by text looks like)
  let r = parse(Buffer.concat([good, Buffer.from('MESSAGE\nPRIORITY=6\nMORE=1\n\n')]));
  assert.deepEqual(rows(r).map((e) => e.line), ['before']);
  assert.match(r.fatal!, new RegExp(`^byte ${good.length}: binary field MESSAGE declares \\d+ bytes, more than limits\\.max_body_bytes \\(${DEFAULT_LIMITS.maxBodyBytes}\\)$`));
  // no newline after a binary value
  const bad = Buffer.concat([good, binary('MESSAGE', 'abc').subarray(0, 19), Buffer.from('X\n\n')]);
  r = parse(bad);
  assert.deepEqual(rows(r).map((e) => e.line), ['before']);
  assert.equal(r.fatal, `byte ${good.length + 19}: expected the newline that ends binary field MESSAGE (started at byte ${good.length}, 3 bytes), found 0x58`);
  // the body ends inside a binary value, inside a line
  r = parse(Buffer.concat([good, binary('MESSAGE', 'abcdef').subarray(0, 18)]));
  assert.equal(r.fatal, `byte ${good.length + 18}: the body ended inside binary field MESSAGE (started at byte ${good.length}; 2 of 6 bytes)`);
  r = parse(Buffer.concat([good, Buffer.from('MESSAGE=x\nPRIORITY=1')]));
  assert.equal(r.fatal, `byte ${good.length + 20}: the body ended inside a field (the line starting at byte ${good.length + 10} has no newline)`);
  assert.deepEqual(rows(r).map((e) => e.line), ['before']);
  // a last entry without its closing empty line is complete
  r = parse(Buffer.concat([good, Buffer.from('MESSAGE=last\nSYSLOG_IDENTIFIER=app\n')]));
  assert.equal(r.fatal, undefined);
  assert.deepEqual(rows(r).map((e) => e.line), ['before', 'last']);
});

test('streams group by service/host/level; take() hands over batches and starts afresh', () => {
  const p = new JournalExportParser('acme', DEFAULT_LIMITS);
  const one = (msg: string, ident: string, prio: string, i: number) => entry(text('__REALTIME_TIMESTAMP', String(NOW_US + BigInt(i))), text('MESSAGE', msg), text('SYSLOG_IDENTIFIER', ident), text('PRIORITY', prio), text('_HOSTNAME', 'h'));
  p.push(Buffer.concat([one('a', 'x', '6', 0), one('b', 'x', '6', 1), one('c', 'x', '3', 2), one('d', 'y', '6', 3)]), NOW);
  assert.equal(p.entries, 4);
  const first = p.take();
  assert.deepEqual(first.batch.streams.map((s) => [s.labels, s.lines]), [
    [{ service: 'x', host: 'h', level: 'info' }, ['a', 'b']],
    [{ service: 'x', host: 'h', level: 'error' }, ['c']],
    [{ service: 'y', host: 'h', level: 'info' }, ['d']],
  ]);
  assert.equal(p.entries, 0);
  p.push(one('e', 'x', '6', 4), NOW);
  p.end(NOW);
  assert.deepEqual(p.take().batch.streams.map((s) => s.lines), [['e']]);
  assert.equal(p.entriesSeen, 5);
});
