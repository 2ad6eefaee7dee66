// The grok parser and its built-in library: every line of the Loghub Linux, Apache, ZooKeeper and OpenStack samples
// checked against Loghub's own structured parse, user patterns (config and files) on HDFS/Spark/Android, the web
// server, Java, Python and Go layouts on crafted lines, base patterns, types, failures and config errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FieldValue } from '../../../src/pipeline/event.ts';
import { build, buildError, loghubLines, loghubStructuredLines, one, run } from './parse-harness.ts';

type Fields = Record<string, FieldValue>;

/** Runs a built-in pattern over a Loghub sample and compares each line with Loghub's structured CSV row. */
function againstLoghub(system: string, pattern: string, compare: (got: Fields, want: Fields) => void): { failed: number[] } {
  const out = run(build(`type: grok\npattern: "${pattern}"`), loghubLines(system));
  const expected = run(build('type: csv\nheader: read'), loghubStructuredLines(system));
  assert.equal(out.length, expected.length);
  const failed: number[] = [];
  for (let i = 0; i < out.length; i++) {
    if (out[i].error !== undefined) {
      assert.equal(out[i].error, 'GrokParserErr');
      failed.push(i);
      continue;
    }
    compare(out[i].fields, expected[i].fields);
  }
  return { failed };
}

test('%{SYSLOGLINE} on Loghub Linux: program, pid, host and message of every line', () => {
  const { failed } = againstLoghub('Linux', '%{SYSLOGLINE}', (got, want) => {
    assert.equal(got.program, want.Component);
    assert.equal(got.pid ?? '', want.PID);
    assert.equal(got.logsource, want.Level); // Loghub's column holds the host name here
    assert.equal(String(got.message).trim(), want.Content);
    assert.equal(got.timestamp, `${want.Month} ${String(want.Date).padStart(2, ' ')} ${want.Time}`);
  });
  // the only misses: tags that are not syslog tags (a space in `syslogd 1.4.1`, a leading `--`)
  assert.deepEqual(failed, [145, 373, 713, 898, 1085, 1363, 1753, 1907]);
  const line = loghubLines('Linux')[145];
  const e = one(build('type: grok\npattern: "%{SYSLOGLINE}"'), line);
  assert.equal(e.errorDetails, 'no match for %{SYSLOGLINE}');
});

test('%{APACHE_ERROR} on Loghub Apache: every line, level, client and message', () => {
  const { failed } = againstLoghub('Apache', '%{APACHE_ERROR}', (got, want) => {
    assert.equal(got.timestamp, want.Time);
    assert.equal(got.level, want.Level);
    assert.equal((got.client !== undefined ? `[client ${got.client}] ` : '') + String(got.message), want.Content);
  });
  assert.deepEqual(failed, []);
});

test('%{JAVA_LOG} on Loghub ZooKeeper (log4j `%d{ISO8601} - %-5p [%t] - %m`): every line', () => {
  const { failed } = againstLoghub('Zookeeper', '%{JAVA_LOG}', (got, want) => {
    assert.equal(got.timestamp, `${want.Date} ${want.Time}`);
    assert.equal(got.level, want.Level);
    assert.equal(String(got.message).trim(), want.Content);
    assert.equal(got.thread, `${want.Node}:${want.Component}@${want.Id}`);
  });
  assert.deepEqual(failed, []);
});

test('%{PYTHON_LOG} on Loghub OpenStack (oslo.log): every line, pid, level, logger, request context', () => {
  const { failed } = againstLoghub('OpenStack', '%{PYTHON_LOG}', (got, want) => {
    assert.equal(got.timestamp, `${want.Date} ${want.Time}`);
    assert.equal(got.pid, want.Pid);
    assert.equal(got.level, want.Level);
    assert.equal(got.logger, want.Component);
    assert.equal(got.context, want.ADDR);
    assert.equal(got.message, want.Content);
  });
  assert.deepEqual(failed, []);
});

test('user patterns from config, with types: Loghub HDFS and Spark', () => {
  const hdfs = build(String.raw`type: grok
pattern_definitions:
  HDFS_TIME: '\d{6} \d{6}'
pattern: '^%{HDFS_TIME:timestamp} %{INT:pid:int} %{LOGLEVEL:level} %{NOTSPACE:component}: %{GREEDYDATA:message}$'`);
  const out = run(hdfs, loghubLines('HDFS'));
  assert.equal(out.filter((e) => e.error !== undefined).length, 0);
  assert.deepEqual(out[2].fields, {
    timestamp: '081109 204005', pid: 35, level: 'INFO', component: 'dfs.FSNamesystem',
    message: 'BLOCK* NameSystem.addStoredBlock: blockMap updated: 10.251.73.220:50010 is added to blk_7128370237687728475 size 67108864',
  });
  const spark = build(String.raw`type: grok
pattern: '^(?<timestamp>%{YEAR}/%{MONTHNUM2}/%{MONTHDAY} %{TIME}) %{LOGLEVEL:level} %{JAVACLASS:logger}: %{GREEDYDATA:message}'`);
  const sparkOut = run(spark, loghubLines('Spark'));
  assert.equal(sparkOut.filter((e) => e.error !== undefined).length, 0);
  assert.deepEqual(sparkOut[0].fields, { timestamp: '17/06/09 20:10:40', level: 'INFO', logger: 'executor.CoarseGrainedExecutorBackend', message: 'Registered signal handlers for [TERM, HUP, INT]' });
});

test('user patterns from a pattern file (relative to the config directory): Loghub Android logcat', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sightline-grok-'));
  try {
    writeFileSync(join(dir, 'android.grok'), [
      '# logcat -v threadtime',
      '',
      'LOGCAT_TIME %{MONTHNUM2}-%{MONTHDAY} %{TIME}',
      'LOGCAT %{LOGCAT_TIME:timestamp} +%{INT:pid:int} +%{INT:tid:int} (?<level>[VDIWEFA]) %{DATA:tag}: %{GREEDYDATA:message}',
    ].join('\n'));
    const p = build('type: grok\npattern_files: [android.grok]\npattern: "%{LOGCAT}"', dir);
    const out = run(p, loghubLines('Android'));
    const expected = run(build('type: csv\nheader: read'), loghubStructuredLines('Android'));
    assert.equal(out.filter((e) => e.error !== undefined).length, 0);
    for (let i = 0; i < out.length; i++) {
      const got = out[i].fields;
      const want = expected[i].fields;
      assert.deepEqual([String(got.pid), String(got.tid), got.level, String(got.tag).trim()], [want.Pid, want.Tid, want.Level, want.Component], out[i].line);
    }
    assert.match(buildError('type: grok\npattern_files: [missing.grok]\npattern: "%{X:y}"'), /^test\.yaml:2: pattern_files\[0\]: cannot read grok pattern file .*missing\.grok/);
    writeFileSync(join(dir, 'bad.grok'), 'GOOD \\d+\nNAME-WITH-DASHES x\n');
    assert.throws(() => build('type: grok\npattern_files: [bad.grok]\npattern: "%{GOOD:n}"', dir), /bad\.grok:2: expected `NAME regex`/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('%{COMBINEDAPACHELOG} = nginx `combined`, and %{COMMONAPACHELOG}', () => {
  const p = build('type: grok\npattern: "%{COMBINEDAPACHELOG}"');
  // nginx's own example values; an IPv6 client, a logged-in user, a referrer
  const a = one(p, '93.180.71.3 - - [17/May/2015:08:05:32 +0000] "GET /downloads/product_1 HTTP/1.1" 304 0 "-" "Debian APT-HTTP/1.3 (0.8.16~exp12ubuntu10.21)"');
  assert.deepEqual(a.fields, {
    clientip: '93.180.71.3', ident: '-', auth: '-', timestamp: '17/May/2015:08:05:32 +0000', verb: 'GET', request: '/downloads/product_1',
    httpversion: '1.1', response: '304', bytes: '0', agent: 'Debian APT-HTTP/1.3 (0.8.16~exp12ubuntu10.21)',
  });
  const b = one(p, '2001:db8:85a3::8a2e:370:7334 - alice@example.com [10/Oct/2000:13:55:36 -0700] "POST /api/v1/orders?id=7&x=%20y HTTP/2.0" 201 2326 "https://shop.example.com/cart" "Mozilla/5.0 (X11; Linux x86_64) \\"quoted\\""');
  assert.equal(b.fields.clientip, '2001:db8:85a3::8a2e:370:7334');
  assert.equal(b.fields.auth, 'alice@example.com');
  assert.equal(b.fields.request, '/api/v1/orders?id=7&x=%20y');
  assert.equal(b.fields.httpversion, '2.0');
  assert.equal(b.fields.referrer, 'https://shop.example.com/cart');
  assert.equal(b.fields.agent, 'Mozilla/5.0 (X11; Linux x86_64) \\"quoted\\"');
  // a TLS handshake sent to a plain-HTTP port: nginx logs the raw bytes escaped, status 400, no body
  const c = one(p, '203.0.113.9 - - [17/May/2015:08:05:33 +0000] "\\x16\\x03\\x01\\x00\\xF4\\x01" 400 - "-" "-"');
  assert.deepEqual(c.fields, { clientip: '203.0.113.9', ident: '-', auth: '-', timestamp: '17/May/2015:08:05:33 +0000', rawrequest: '\\x16\\x03\\x01\\x00\\xF4\\x01', response: '400' });
  const common = one(build('type: grok\npattern: "^%{COMMONAPACHELOG}$"'), 'www.example.com - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326');
  assert.equal(common.fields.clientip, 'www.example.com');
  assert.equal(common.fields.bytes, '2326');
  assert.equal(one(p, 'not an access log line').error, 'GrokParserErr');
});

test('%{NGINX_ERROR}: the message and nginx\'s trailing context pairs', () => {
  const p = build('type: grok\npattern: "%{NGINX_ERROR}"');
  const e = one(p, '2023/10/10 13:55:36 [error] 1234#5678: *9 open() "/usr/share/nginx/html/x" failed (2: No such file or directory), client: 192.0.2.7, server: localhost, request: "GET /x HTTP/1.1", host: "localhost:8080", referrer: "http://localhost/"');
  assert.deepEqual(e.fields, {
    timestamp: '2023/10/10 13:55:36', level: 'error', pid: '1234', tid: '5678', connection_id: '9',
    message: 'open() "/usr/share/nginx/html/x" failed (2: No such file or directory)', client: '192.0.2.7', server: 'localhost',
    request: 'GET /x HTTP/1.1', host: 'localhost:8080', referrer: 'http://localhost/',
  });
  const startup = one(p, '2023/10/10 13:55:36 [notice] 1#1: start worker processes');
  assert.deepEqual(startup.fields, { timestamp: '2023/10/10 13:55:36', level: 'notice', pid: '1', tid: '1', message: 'start worker processes' });
});

test('%{APACHE_ERROR}: the Apache 2.4 layout', () => {
  const e = one(build('type: grok\npattern: "%{APACHE_ERROR}"'), '[Thu Jun 27 06:58:09.169510 2019] [proxy:error] [pid 2345:tid 140230] (111)Connection refused: [client 198.51.100.4:51234] AH00957: HTTP: attempt to connect to 127.0.0.1:8080 (*) failed');
  assert.deepEqual(e.fields, {
    timestamp: 'Thu Jun 27 06:58:09.169510 2019', module: 'proxy', level: 'error', pid: '2345', tid: '140230', errno: '111', errmsg: 'Connection refused',
    client: '198.51.100.4', client_port: '51234', errorcode: 'AH00957', message: 'HTTP: attempt to connect to 127.0.0.1:8080 (*) failed',
  });
});

test('%{SYSLOG5424LINE}: the RFC 5424 §6.5 examples', () => {
  const p = build('type: grok\npattern: "^%{SYSLOG5424LINE}$"');
  const a = one(p, "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - 'su root' failed for lonvick on /dev/pts/8");
  assert.deepEqual(a.fields, { priority: '34', version: '1', timestamp: '2003-10-11T22:14:15.003Z', logsource: 'mymachine.example.com', program: 'su', msgid: 'ID47', message: "'su root' failed for lonvick on /dev/pts/8" });
  const b = one(p, '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] An application event log entry...');
  assert.equal(b.fields.structured_data, '[exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"]');
  assert.equal(b.fields.message, 'An application event log entry...');
});

test('%{JAVA_LOG}: logback/log4j2 default, level-first and Spring Boot layouts', () => {
  const p = build('type: grok\npattern: "%{JAVA_LOG}"');
  assert.deepEqual(one(p, '12:00:01.123 [main] INFO  com.example.shop.App - Started in 2.1 s').fields, { timestamp: '12:00:01.123', thread: 'main', level: 'INFO', logger: 'com.example.shop.App', message: 'Started in 2.1 s' });
  assert.deepEqual(one(p, '2024-01-15 12:00:01,123 ERROR [http-nio-8080-exec-1] c.e.shop.OrderService - Payment declined').fields, { timestamp: '2024-01-15 12:00:01,123', level: 'ERROR', thread: 'http-nio-8080-exec-1', logger: 'c.e.shop.OrderService', message: 'Payment declined' });
  assert.deepEqual(one(p, '2024-01-15T12:00:01.123+01:00  WARN 4711 --- [shop] [           main] o.s.b.a.l.ConditionEvaluationReportLogger : Error starting ApplicationContext').fields, { timestamp: '2024-01-15T12:00:01.123+01:00', level: 'WARN', pid: '4711', application: 'shop', thread: 'main', logger: 'o.s.b.a.l.ConditionEvaluationReportLogger', message: 'Error starting ApplicationContext' });
  assert.equal(one(p, '\tat com.example.App.main(App.java:12)').error, 'GrokParserErr');
  const frame = one(build('type: grok\npattern: "^%{JAVASTACKTRACEPART}$"'), '\tat com.example.App$Inner.<init>(App.java:12)');
  assert.deepEqual(frame.fields, { class: 'com.example.App$Inner', method: '<init>', file: 'App.java', line: '12' });
});

test('%{PYTHON_LOG}: the logging default Formatter and basicConfig forms', () => {
  const p = build('type: grok\npattern: "%{PYTHON_LOG}"');
  assert.deepEqual(one(p, '2024-01-15 12:00:01,123 - shop.payments - WARNING - card declined: insufficient funds').fields, { timestamp: '2024-01-15 12:00:01,123', logger: 'shop.payments', level: 'WARNING', message: 'card declined: insufficient funds' });
  assert.deepEqual(one(p, 'ERROR:root:division by zero: x/0').fields, { level: 'ERROR', logger: 'root', message: 'division by zero: x/0' });
  assert.equal(one(p, 'hello ERROR:root:not at the start').error, 'GrokParserErr');
});

test('%{GO_LOG}: log, zap, logrus (text and terminal) and klog', () => {
  const p = build('type: grok\npattern: "%{GO_LOG}"');
  assert.deepEqual(one(p, '2024/01/15 12:00:01 server.go:87: listening on :8080').fields, { timestamp: '2024/01/15 12:00:01', file: 'server.go', line: '87', message: 'listening on :8080' });
  assert.deepEqual(one(p, '2024/01/15 12:00:01.123456 plain message').fields, { timestamp: '2024/01/15 12:00:01.123456', message: 'plain message' });
  assert.deepEqual(one(p, '2024-01-15T12:00:01.123Z\tERROR\tshop/pay.go:42\tcharge failed\t{"order": 7}').fields, { timestamp: '2024-01-15T12:00:01.123Z', level: 'ERROR', caller: 'shop/pay.go:42', message: 'charge failed', fields: '{"order": 7}' });
  assert.deepEqual(one(p, 'time="2024-01-15T12:00:01Z" level=warning msg="slow query" duration=2.5s').fields, { timestamp: '2024-01-15T12:00:01Z', level: 'warning', message: 'slow query', fields: 'duration=2.5s' });
  assert.deepEqual(one(p, 'time="2024-01-15T12:00:01Z" level=info msg=started').fields, { timestamp: '2024-01-15T12:00:01Z', level: 'info', message: 'started' });
  assert.deepEqual(one(p, 'WARN[0042] disk almost full                            free=3%').fields, { level: 'WARN', elapsed: '0042', message: 'disk almost full                            free=3%' });
  assert.deepEqual(one(p, 'E0115 12:00:01.123456    4711 controller.go:114] error syncing pod').fields, { level: 'E', timestamp: '0115 12:00:01.123456', pid: '4711', file: 'controller.go', line: '114', message: 'error syncing pod' });
});

test('base patterns accept what they name and refuse what they do not', async (t) => {
  const cases: [string, string[], string[]][] = [
    ['IPV4', ['0.0.0.0', '192.168.1.255', '8.8.8.8'], ['256.1.1.1', '1.2.3', '1.2.3.4.5', 'a.b.c.d']],
    ['IPV6', ['::1', '::', '2001:db8::ff00:42:8329', 'fe80::1%eth0', '2001:0db8:0000:0000:0000:ff00:0042:8329', '::ffff:192.0.2.128'], ['12:30:45', '2001:db8', 'g::1', '1:2:3:4:5:6:7:8:9']],
    ['IP', ['10.0.0.1', '::1'], ['localhost']],
    ['HOSTNAME', ['localhost', 'web-01.example.com', 'a.b.c.', 'my_host'], ['-bad', 'has space']],
    ['UUID', ['123e4567-e89b-12d3-a456-426614174000'], ['123e4567-e89b-12d3-a456-42661417400', 'not-a-uuid']],
    ['INT', ['42', '-7', '+3'], ['4.2', 'x']],
    ['NUMBER', ['42', '-7.5', '.5', '3.'], ['e5', '1,5']],
    ['POSINT', ['1', '907'], ['0', '-1']],
    ['WORD', ['hello_world', 'x1'], ['two words', '']],
    ['TIMESTAMP_ISO8601', ['2024-01-15T12:00:00Z', '2024-01-15 12:00:00,123', '2024-01-15T12:00:00.123456789+02:00', '2024-01-15T1200'], ['2024-01-15', '15/01/2024 12:00']],
    ['HTTPDATE', ['10/Oct/2000:13:55:36 -0700', '1/Jan/2024:00:00:00 +0000'], ['10/Oct/2000 13:55:36']],
    ['SYSLOGTIMESTAMP', ['Oct 11 22:14:15', 'Oct  1 22:14:15', 'Sep 30 00:00:00'], ['11 Oct 22:14:15']],
    ['LOGLEVEL', ['INFO', 'Warning', 'err', 'CRITICAL', 'emerg', 'debug'], ['verbose', 'I']],
    ['URIPATHPARAM', ['/a/b?c=d&e=f', '/', '/path/x.html'], ['no-slash']],
    ['URI', ['https://user:pw@example.com:8443/a/b?c=d', 'ftp://ftp.example.com/file'], ['example.com/path']],
    ['QS', ['"quoted \\" string"', "'single'", '`back`'], ['"unterminated']],
    ['EMAILADDRESS', ['jane.doe+tag@example.co.uk'], ['@example.com']],
    ['MAC', ['00:1A:2b:3c:4D:5e', '00-1A-2B-3C-4D-5E', '001a.2b3c.4d5e'], ['00:1A:2B:3C:4D']],
    ['PATH', ['/var/log/nginx/access.log', 'C:\\Windows\\System32'], ['relative/path']],
  ];
  for (const [name, good, bad] of cases) {
    await t.test(name, () => {
      const p = build(`type: grok\npattern: '^%{${name}:v}$'`);
      for (const g of good) assert.equal(one(p, g).fields.v, g, `${name} should match ${JSON.stringify(g)}`);
      for (const b of bad) assert.equal(one(p, b).error, 'GrokParserErr', `${name} should not match ${JSON.stringify(b)}`);
    });
  }
});

test('types, inline named groups, Logstash field references, empty captures and prefix', () => {
  const p = build(String.raw`type: grok
prefix: g_
pattern: '^%{INT:[http][status]:int} %{NUMBER:took:float} (?<word>\w*)-(?P<other>\w*)-%{NOTSPACE:count:int}$'`);
  assert.deepEqual(one(p, '200 0.25 -x-12').fields, { g_http_status: 200, g_took: 0.25, g_other: 'x', g_count: 12 });
  assert.deepEqual(one(p, '200 0.25 -x-n/a').fields, { g_http_status: 200, g_took: 0.25, g_other: 'x', g_count: 'n/a' }, 'a value that is not a number stays text');
  const keep = build("type: grok\nkeep_empty_captures: true\npattern: '^(?<a>\\w*)-(?<b>\\w*)$'");
  assert.deepEqual(one(keep, '-x').fields, { a: '', b: 'x' });
});

test('patterns are tried in order; a split alternation keeps leftmost-then-order semantics', () => {
  const p = build(`type: grok
patterns:
  - '^%{IP:ip} %{GREEDYDATA:rest}'
  - '^%{WORD:word} %{GREEDYDATA:rest}'`);
  assert.deepEqual(run(p, ['10.0.0.1 a b', 'hello a b', '!!']).map((e) => [e.fields, e.error ?? null]), [
    [{ ip: '10.0.0.1', rest: 'a b' }, null],
    [{ word: 'hello', rest: 'a b' }, null],
    [{}, 'GrokParserErr'],
  ]);
  assert.equal(run(p, ['!!'])[0].errorDetails, 'none of 2 patterns matched (^%{IP:ip} %{GREEDYDATA:rest}, ^%{WORD:word} %{GREEDYDATA:rest})');
  // `%{AB}` is compiled as two regexes; the alternation's meaning (leftmost match wins, then the first alternative)
  // is kept: on "abx", A matches only at offset 1 while B matches at 0, so B's fields win
  const ab = build(`type: grok
pattern_definitions:
  A: 'b(?<a>x)'
  B: '(?<b>a)b'
  AB: '%{A}|%{B}'
pattern: '%{AB}'`);
  assert.deepEqual(one(ab, 'abx').fields, { b: 'a' });
  assert.deepEqual(one(ab, 'zbx').fields, { a: 'x' });
});

test('user definitions override built-ins; source and keep_source', () => {
  const p = build("type: grok\nsource: raw\nkeep_source: false\npattern_definitions:\n  WORD: '[a-z]+'\npattern: '^%{WORD:w}$'");
  const e = one(p, { tenant: 't', ts: 1n, line: 'line', labels: {}, fields: { raw: 'abc' } });
  assert.deepEqual(e.fields, { w: 'abc' });
  assert.equal(one(p, { tenant: 't', ts: 1n, line: 'line', labels: {}, fields: { raw: 'ABC' } }).error, 'GrokParserErr');
});

test('config errors name the pattern and what is wrong', () => {
  assert.match(buildError('type: grok\npattern: "%{NOPE:x}"'), /^test\.yaml:2: pattern: unknown grok pattern %\{NOPE\}/);
  assert.match(buildError('type: grok\npattern_definitions:\n  A: "%{B}"\n  B: "x%{A}"\npattern: "%{A:a}"'), /^test\.yaml:5: pattern: pattern A refers to itself \(A → B → A\)/);
  assert.match(buildError('type: grok\npattern: "%{INT:n:long}"'), /^test\.yaml:2: pattern: %\{INT:n:long\}: unknown type "long" \(expected int or float\)/);
  assert.match(buildError('type: grok\npattern_definitions:\n  BAD: "(unclosed"\npattern: "%{BAD:x}"'), /^test\.yaml:4: pattern: invalid grok pattern: error parsing regexp: missing closing \)/);
  assert.match(buildError('type: grok\npattern: "%{IP} %{WORD}"'), /^test\.yaml:2: pattern: expected at least one named capture/);
  assert.match(buildError('type: grok\npattern: "%{ bad }"'), /^test\.yaml:2: pattern: malformed pattern reference/);
  assert.match(buildError('type: grok\npattern_definitions:\n  bad-name: x\npattern: "%{WORD:w}"'), /^test\.yaml:3: pattern_definitions\.bad-name: expected a pattern name of letters, digits and _/);
});
