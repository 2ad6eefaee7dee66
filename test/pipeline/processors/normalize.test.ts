// The normalize processor: timestamp/level/message aliases coalesced with no configuration, the level value mapping
// (aligned with OTLP and syslog ingest), zones and custom formats, rename, keep, sections turned off, message to
// line, parse failures (TimestampParserErr), and grok + normalize over Loghub samples.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build, buildError, ev, loghubLines, one, run } from './parse-harness.ts';

const MS = 1_000_000n;
const utc = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): bigint => BigInt(Date.UTC(y, mo - 1, d, h, mi, s, ms)) * MS;

test('without configuration: ts/level/msg of a JSON app log become the event time, `level` and `message`', () => {
  const json = build('type: json');
  const norm = build('type: normalize');
  const [e] = norm.process(run(json, ['{"ts":"2024-01-15T12:00:00.123456789Z","lvl":"WARN","msg":"disk almost full","disk":"/data"}']), { nowMs: 0, warn() {} });
  assert.equal(e.ts, utc(2024, 1, 15, 12) + 123_456_789n);
  assert.deepEqual(e.fields, { level: 'warn', message: 'disk almost full', disk: '/data' });
  assert.equal(e.error, undefined);
});

test('each alias is recognised; the first present (non-empty) one wins', async (t) => {
  const norm = build('type: normalize');
  const cases: [Record<string, string | number>, bigint, Record<string, string | number>][] = [
    [{ timestamp: '2024-01-15T12:00:00Z', level: 'info', message: 'm' }, utc(2024, 1, 15, 12), { level: 'info', message: 'm' }],
    [{ time: 1705320000123, severity: 'ERROR', msg: 'pino-style ms epoch' }, utc(2024, 1, 15, 12, 0, 0, 123), { level: 'error', message: 'pino-style ms epoch' }],
    [{ '@timestamp': '2024-01-15T12:00:00.000Z', 'log_level': 'debug', message: 'ECS' }, utc(2024, 1, 15, 12), { level: 'debug', message: 'ECS' }],
    [{ '@t': '2024-01-15T12:00:00Z', '@l': 'Warning', '@mt': 'Hello, {User}', User: 'nblumhardt' }, utc(2024, 1, 15, 12), { level: 'warn', message: 'Hello, {User}', User: 'nblumhardt' }],
    [{ asctime: '2024-01-15 12:00:00,250', levelname: 'CRITICAL', message: 'python' }, utc(2024, 1, 15, 12, 0, 0, 250), { level: 'error', message: 'python' }],
    // level and message aliases are coalesced (the others removed); of the time fields only the one used goes
    [{ timestamp: '2024-01-15T12:00:00Z', ts: 'other', level: 'info', lvl: 'error', msg: 'first', message: '' }, utc(2024, 1, 15, 12), { ts: 'other', level: 'info', message: 'first' }],
  ];
  for (const [fields, ts, expected] of cases) {
    await t.test(JSON.stringify(fields), () => {
      const e = one(norm, ev('x', fields));
      assert.equal(e.ts, ts);
      assert.deepEqual(e.fields, expected);
      assert.equal(e.error, undefined);
    });
  }
});

test('level values map to trace/debug/info/warn/error/fatal', async (t) => {
  const norm = build('type: normalize');
  const cases: [string | number, string][] = [
    ['WARN', 'warn'], ['warning', 'warn'], ['W', 'warn'], ['Warn', 'warn'],
    ['ERR', 'error'], ['E', 'error'], ['error', 'error'], ['ERRO', 'error'], ['SEVERE', 'error'],
    ['crit', 'error'], ['CRITICAL', 'error'], ['alert', 'error'], // OpenTelemetry's syslog table, as syslog ingest maps them
    ['FATAL', 'fatal'], ['emerg', 'fatal'], ['panic', 'fatal'], ['F', 'fatal'], ['DPANIC', 'fatal'],
    ['INFO', 'info'], ['I', 'info'], ['information', 'info'], ['Informational', 'info'], ['notice', 'info'],
    ['DEBUG', 'debug'], ['D', 'debug'], ['dbg', 'debug'], ['FINE', 'debug'],
    ['TRACE', 'trace'], ['V', 'trace'], ['finest', 'trace'],
    [30, 'info'], [40, 'warn'], [50, 'error'], [60, 'fatal'], [10, 'trace'], // pino/bunyan
    ['3', 'error'], [4, 'warn'], [7, 'debug'], [0, 'fatal'], // syslog severity codes
    [' Info ', 'info'], ['AUDIT', 'audit'],
  ];
  for (const [raw, level] of cases) {
    await t.test(`${JSON.stringify(raw)} → ${level}`, () => assert.equal(one(norm, ev('x', { level: raw })).fields.level, level));
  }
});

test('values, default, from and to are configurable', () => {
  const norm = build(`type: normalize
level:
  from: [sev, level]
  to: severity
  values: { critical: fatal, AUDIT: info }
  default: info`);
  assert.equal(one(norm, ev('x', { sev: 'CRITICAL' })).fields.severity, 'fatal');
  assert.equal(one(norm, ev('x', { level: 'audit' })).fields.severity, 'info');
  assert.equal(one(norm, ev('x', { level: 'warn' })).fields.severity, 'warn');
  assert.deepEqual(one(norm, ev('x', {})).fields, { severity: 'info' });
});

test('timestamp: zone, custom formats, auto, keep and on_error', () => {
  const paris = build(`type: normalize
timestamp:
  from: [when]
  zone: Europe/Paris
  formats: ['%d/%m/%Y %H:%M:%S', auto]
  keep: true`);
  const a = one(paris, ev('x', { when: '15/01/2024 13:00:00' }));
  assert.equal(a.ts, utc(2024, 1, 15, 12));
  assert.equal(a.fields.when, '15/01/2024 13:00:00');
  assert.equal(one(paris, ev('x', { when: '2024-07-15 14:00:00' })).ts, utc(2024, 7, 15, 12));
  const strict = build("type: normalize\ntimestamp:\n  formats: ['%y%m%d %H%M%S']");
  assert.equal(one(strict, ev('x', { timestamp: '081109 203615' })).ts, utc(2008, 11, 9, 20, 36, 15));
  const bad = one(strict, ev('x', { timestamp: '2024-01-15T12:00:00Z' }));
  assert.equal(bad.error, 'TimestampParserErr');
  assert.equal(bad.errorDetails, 'field timestamp: unrecognized timestamp "2024-01-15T12:00:00Z"');
  assert.equal(bad.ts, 1n, 'the time is left as it was');
  assert.equal(bad.fields.timestamp, '2024-01-15T12:00:00Z', 'the field is kept when it did not parse');
  const quiet = one(build('type: normalize\ntimestamp:\n  on_error: ignore'), ev('x', { ts: 'soon' }));
  assert.equal(quiet.error, undefined);
});

test('rename first, sections can be turned off, message_to_line', () => {
  const p = build(`type: normalize
rename: { req_path: path, lvl: severity }
level: false
timestamp: false
message_to_line: true`);
  const e = one(p, ev('{"raw":1}', { req_path: '/a', lvl: 'WARN', ts: '2024-01-15T12:00:00Z', msg: 'hello' }));
  assert.equal(e.line, 'hello');
  assert.equal(e.ts, 1n);
  assert.deepEqual(e.fields, { path: '/a', severity: 'WARN', ts: '2024-01-15T12:00:00Z' });
});

test('removed aliases leave the other fields in their order; renames and overlapping names too', () => {
  const e = one(build('type: normalize'), ev('x', { a: 1, time: '2024-01-15T12:00:00Z', b: 2, lvl: 'WARN', c: 3, msg: 'm', d: 4 }));
  assert.deepEqual(Object.keys(e.fields), ['a', 'b', 'c', 'd', 'level', 'message']);
  // a rename, and a level written to a name the message rule reads: removals happen in the order written
  const p = build(`type: normalize
rename: { lvl: severity }
level: { from: [severity], to: msg }
timestamp: false`);
  const f = one(p, ev('x', { lvl: 'E', msg: 'hello', z: 1 }));
  assert.deepEqual(Object.entries(f.fields), [['z', 1], ['message', 'error']]);
});

test('a timestamp text seen twice in a batch parses once; the next batch reads it against its own clock', () => {
  const norm = build('type: normalize');
  const batch = (nowMs: number) => norm.process([ev('a', { ts: 'Dec 31 23:59:59' }), ev('b', { ts: 'Dec 31 23:59:59' }), ev('c', { ts: 'soon' }), ev('d', { ts: 'soon' })], { nowMs, warn() {} });
  // no year written: the latest year that does not put the time over a month ahead of the clock
  const january = batch(Date.UTC(2025, 0, 5));
  assert.deepEqual(january.map((e) => e.ts), [utc(2024, 12, 31, 23, 59, 59), utc(2024, 12, 31, 23, 59, 59), 1n, 1n]);
  assert.deepEqual(january.map((e) => e.error), [undefined, undefined, 'TimestampParserErr', 'TimestampParserErr']);
  const december = batch(Date.UTC(2025, 11, 31, 12));
  assert.deepEqual(december.map((e) => e.ts).slice(0, 2), [utc(2025, 12, 31, 23, 59, 59), utc(2025, 12, 31, 23, 59, 59)]);
});

test('grok + normalize over Loghub samples: times, levels and messages become canonical', () => {
  const norm = build('type: normalize');
  const parse = (system: string, pattern: string) => norm.process(run(build(`type: grok\npattern: "${pattern}"`), loghubLines(system).slice(0, 300)), { nowMs: Date.UTC(2024, 2, 15, 12), warn() {} });
  const openstack = parse('OpenStack', '%{PYTHON_LOG}');
  assert.equal(openstack[0].ts, utc(2017, 5, 16, 0, 0, 0, 8));
  assert.equal(openstack[0].fields.level, 'info');
  assert.equal(openstack.filter((e) => e.error !== undefined).length, 0);
  const zookeeper = parse('Zookeeper', '%{JAVA_LOG}');
  assert.equal(zookeeper[0].ts, utc(2015, 7, 29, 17, 41, 44, 747));
  assert.deepEqual([...new Set(zookeeper.map((e) => e.fields.level))].sort(), ['info', 'warn']);
  const apache = parse('Apache', '%{APACHE_ERROR}');
  assert.equal(apache[0].ts, utc(2005, 12, 4, 4, 47, 44));
  assert.deepEqual([...new Set(apache.map((e) => e.fields.level))].sort(), ['error', 'info']); // notice → info
  const linux = parse('Linux', '%{SYSLOGLINE}');
  assert.equal(linux[0].ts, utc(2023, 6, 14, 15, 16, 1), 'no year in syslog: the latest one not ahead of now');
  assert.equal(linux[0].fields.message, 'authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=218.188.2.4 ');
  assert.equal(linux[0].fields.timestamp, undefined);
});

test('config errors', () => {
  assert.match(buildError('type: normalize\ntimestamp:\n  zone: Mars/Olympus'), /^test\.yaml:3: timestamp\.zone: unknown time zone "Mars\/Olympus"/);
  assert.match(buildError("type: normalize\ntimestamp:\n  formats: ['%Y-%Q']"), /^test\.yaml:3: timestamp\.formats\[0\]: format "%Y-%Q" has an unknown directive %Q/);
  assert.match(buildError('type: normalize\nlevel: 5'), /^test\.yaml:2: level: expected a mapping, or false to turn this part off/);
  assert.match(buildError('type: normalize\nlevel:\n  form: [x]'), /^test\.yaml:3: level\.form: unknown key \(expected one of from, to, keep, values, default\)/);
  assert.match(buildError('type: normalize\nmessage: false\nmessage_to_line: true'), /^test\.yaml:3: message_to_line: needs the message section/);
  assert.match(buildError('type: normalize\ntimestamp:\n  on_error: drop'), /^test\.yaml:3: timestamp\.on_error: expected one of mark, ignore, got "drop"/);
});
