// Table-driven tests of the pipeline's timestamp parsing: every automatically recognised format, zones (fixed, IANA
// with daylight saving), year inference for syslog-style times, Unix epochs by magnitude, and strftime-like formats.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileTimeFormat, epochToNs, parseTimestamp, parseWithFormat, resolveTimeZone, TimeFormatError, UTC, type TimeZone } from '../../src/pipeline/time-parse.ts';

const S = 1_000_000_000n;
const MS = 1_000_000n;
/** 2024-01-15T12:00:00Z */
const BASE = 1705320000n * S;
/** the clock for year inference: 2024-03-15T12:00:00Z */
const NOW = Date.UTC(2024, 2, 15, 12, 0, 0);
const utc = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0): bigint => BigInt(Date.UTC(y, mo - 1, d, h, mi, s)) * MS;

function zone(name: string): TimeZone {
  const z = resolveTimeZone(name);
  assert.ok(z, `zone ${name}`);
  return z;
}

test('RFC 3339 / ISO 8601 and the Go, Java and Python defaults', async (t) => {
  const cases: [string, bigint][] = [
    ['2024-01-15T12:00:00Z', BASE],
    ['2024-01-15t12:00:00z', BASE],
    ['2024-01-15T12:00:00.123456789Z', BASE + 123_456_789n],
    ['2024-01-15T12:00:00.5Z', BASE + 500_000_000n],
    ['2024-01-15T12:00:00.1234567891234Z', BASE + 123_456_789n], // digits past ns are dropped
    ['2024-01-15T14:00:00+02:00', BASE],
    ['2024-01-15T14:00:00+0200', BASE],
    ['2024-01-15T14:00:00+02', BASE],
    ['2024-01-15T07:00:00.000000001-05:00', BASE + 1n],
    ['2024-01-15 12:00:00 UTC', BASE],
    ['2024-01-15T12:00', BASE], // no seconds
    ['2024-01-15', utc(2024, 1, 15)],
    ['2024-01-15 12:00:00', BASE], // no zone: the default zone (UTC)
    ['2024/01/15 12:00:00', BASE], // Go's log package
    ['2024/01/15 12:00:00.000123', BASE + 123_000n], // log.Lmicroseconds
    ['2024-01-15 12:00:00,123', BASE + 123_000_000n], // Python logging / log4j ISO8601
    ['2017-05-16 00:00:00.008', utc(2017, 5, 16) + 8_000_000n], // OpenStack (Loghub)
    ['  2024-01-15T12:00:00Z ', BASE],
    ['2000-02-29T00:00:00Z', utc(2000, 2, 29)],
  ];
  for (const [input, expected] of cases) await t.test(input, () => assert.equal(parseTimestamp(input, UTC, NOW), expected));
});

test('impossible or unknown dates are refused', async (t) => {
  for (const input of ['2023-02-29T00:00:00Z', '2024-13-01T00:00:00Z', '2024-01-32', '2024-01-15T24:00:00Z', '2024-01-15T12:60:00Z', '2024-01-15T12:00:00+25:00', 'yesterday', '', '   ', '12:00', '2024-01-15T12:00:00 CEST', 'Foo, 15 Jan 2024 12:00:00 GMT', '32/Jan/2024:00:00:00 +0000']) {
    await t.test(JSON.stringify(input), () => assert.equal(parseTimestamp(input, UTC, NOW), undefined));
  }
});

test('the common RFC 3339 shape (read without the regex) agrees with the general ISO reading at its edges', async (t) => {
  const d99 = new Date(Date.UTC(2000, 0, 15, 12));
  d99.setUTCFullYear(99);
  const year99 = BigInt(d99.getTime()) * MS;
  const cases: [string, bigint | undefined][] = [
    ['2024-01-15T12:00:00', BASE],
    ['2024-01-15T12:00:00.', undefined], // a dot without digits
    ['2024-01-15T12:00:00,5', BASE + 500_000_000n],
    ['2024-01-15T12:00:00.000000000Z', BASE],
    ['2024-01-15T13:00:00+01:00', BASE],
    ['2024-01-15T13:30:00+0130', BASE],
    ['2024-01-15T12:00:00-00', BASE],
    ['2024-01-15T12:00:00+24:00', undefined], // no such offset
    ['2024-01-15T12:00:00+01:60', undefined],
    ['2024-01-15T12:00:00+1', undefined],
    ['2024-01-15T12:00:00Zx', undefined],
    ['2024-01-15T12:00:00 Z', BASE], // a space before the zone: the ISO regex's reading
    ['2024-01-15T12:00:00GMT', BASE],
    ['2024-1-15T12:00:00Z', undefined],
    ['2024-01-15X12:00:00Z', undefined],
    ['2024-02-30T12:00:00Z', undefined],
    ['0099-01-15T12:00:00Z', year99], // the year 99, not 1999
  ];
  for (const [input, expected] of cases) await t.test(input, () => assert.equal(parseTimestamp(input, UTC, NOW), expected));
  // without an offset the default zone applies
  assert.equal(parseTimestamp('2024-01-15T13:00:00.25', zone('+01:00'), NOW), BASE + 250_000_000n);
  assert.equal(parseTimestamp('2024-07-15T14:00:00', zone('Europe/Paris'), NOW), utc(2024, 7, 15, 12));
});

test('nginx/Apache access-log dates', () => {
  assert.equal(parseTimestamp('10/Oct/2000:13:55:36 -0700', UTC, NOW), 971211336n * S);
  assert.equal(parseTimestamp('17/May/2015:08:05:32 +0000', UTC, NOW), utc(2015, 5, 17, 8, 5, 32));
  assert.equal(parseTimestamp('17/may/2015:08:05:32 +0000', UTC, NOW), utc(2015, 5, 17, 8, 5, 32));
  assert.equal(parseTimestamp('1/Feb/2024:00:00:00.250 +0100', UTC, NOW), utc(2024, 1, 31, 23) + 250_000_000n);
});

test('RFC 2822, HTTP dates (RFC 7231 §7.1.1.1 IMF-fixdate, RFC 850, asctime) and the Apache error log', () => {
  // the three forms RFC 7231 gives for the same instant
  assert.equal(parseTimestamp('Sun, 06 Nov 1994 08:49:37 GMT', UTC, NOW), 784111777n * S);
  assert.equal(parseTimestamp('Sunday, 06-Nov-94 08:49:37 GMT', UTC, NOW), 784111777n * S);
  assert.equal(parseTimestamp('Sun Nov  6 08:49:37 1994', UTC, NOW), 784111777n * S);
  assert.equal(parseTimestamp('Mon, 15 Jan 2024 13:00:00 +0100', UTC, NOW), BASE);
  assert.equal(parseTimestamp('15 Jan 2024 07:00:00 EST', UTC, NOW), BASE);
  assert.equal(parseTimestamp('Mon, 15 Jan 2024 05:00 PDT', UTC, NOW), BASE);
  assert.equal(parseTimestamp('Sun Dec 04 04:47:44 2005', UTC, NOW), utc(2005, 12, 4, 4, 47, 44)); // Apache 2.2 (Loghub)
  assert.equal(parseTimestamp('Wed Oct 11 14:32:52.123456 2000', UTC, NOW), utc(2000, 10, 11, 14, 32, 52) + 123_456_000n); // Apache 2.4
  assert.equal(parseTimestamp('Wed Oct 11 14:32:52 UTC 2000', UTC, NOW), utc(2000, 10, 11, 14, 32, 52)); // date(1)
  assert.equal(parseTimestamp('Xyz Oct 11 14:32:52 2000', UTC, NOW), undefined);
});

test('syslog times without a year take the latest year not over a month ahead', async (t) => {
  const cases: [string, number, bigint][] = [
    ['Mar 15 11:00:00', NOW, utc(2024, 3, 15, 11)],
    ['Oct 11 22:14:15', NOW, utc(2023, 10, 11, 22, 14, 15)], // October 2024 is months ahead: last year
    ['Apr 10 00:00:00', NOW, utc(2024, 4, 10)], // 26 days ahead: a clock running early, same year
    ['Jun 14 15:16:01', NOW, utc(2023, 6, 14, 15, 16, 1)], // Loghub Linux
    ['Oct  1 22:14:15', NOW, utc(2023, 10, 1, 22, 14, 15)], // space-padded day
    ['Dec 31 23:59:59', Date.UTC(2024, 0, 1, 0, 0, 30), utc(2023, 12, 31, 23, 59, 59)],
    ['Jan  1 00:00:10', Date.UTC(2023, 11, 31, 23, 59), utc(2024, 1, 1, 0, 0, 10)],
    ['Feb 29 12:00:00', Date.UTC(2025, 2, 1), utc(2024, 2, 29, 12)], // only a leap year has it
    ['Oct 11 2022 22:14:15.5 UTC', NOW, utc(2022, 10, 11, 22, 14, 15) + 500_000_000n],
    ['Oct 11 22:14:15 +02:00', NOW, utc(2023, 10, 11, 20, 14, 15)],
  ];
  for (const [input, now, expected] of cases) await t.test(input, () => assert.equal(parseTimestamp(input, UTC, now), expected));
  assert.equal(parseTimestamp('Abc 11 22:14:15', UTC, NOW), undefined);
});

test('month-day times without a year: Android logcat and klog', () => {
  assert.equal(parseTimestamp('03-17 16:13:38.811', UTC, NOW), utc(2024, 3, 17, 16, 13, 38) + 811_000_000n); // Loghub Android
  assert.equal(parseTimestamp('0115 12:00:00.123456', UTC, NOW), BASE + 123_456_000n);
  assert.equal(parseTimestamp('13-01 00:00:00', UTC, NOW), undefined);
});

test('Unix epochs are told apart by magnitude, exactly for digit strings', () => {
  assert.equal(parseTimestamp('1705320000', UTC, NOW), BASE);
  assert.equal(parseTimestamp('1705320000.25', UTC, NOW), BASE + 250_000_000n);
  assert.equal(parseTimestamp('1705320000123', UTC, NOW), BASE + 123_000_000n);
  assert.equal(parseTimestamp('1705320000123456', UTC, NOW), BASE + 123_456_000n);
  assert.equal(parseTimestamp('1705320000123456789', UTC, NOW), BASE + 123_456_789n);
  assert.equal(parseTimestamp(1705320000, UTC, NOW), BASE);
  assert.equal(parseTimestamp(1705320000.5, UTC, NOW), BASE + 500_000_000n);
  assert.equal(parseTimestamp(1705320000123, UTC, NOW), BASE + 123_000_000n);
  assert.equal(parseTimestamp(0, UTC, NOW), 0n);
  // short digit strings are clock parts (HDFS `203615`), not 1970 epochs
  assert.equal(parseTimestamp('203615', UTC, NOW), undefined);
  assert.equal(epochToNs('-1'), -S);
  assert.equal(epochToNs(Number.NaN), undefined);
});

test('times without an offset are read in the default zone, through Intl for IANA names', () => {
  const paris = zone('Europe/Paris');
  assert.equal(parseTimestamp('2024-01-15 13:00:00', paris, NOW), BASE); // CET, +1
  assert.equal(parseTimestamp('2024-07-15 14:00:00', paris, NOW), utc(2024, 7, 15, 12)); // CEST, +2
  assert.equal(parseTimestamp('2024-07-15T14:00:00Z', paris, NOW), utc(2024, 7, 15, 14)); // an explicit zone wins
  const ny = zone('America/New_York');
  assert.equal(parseTimestamp('2024-01-15 07:00:00', ny, NOW), BASE);
  assert.equal(parseTimestamp('2024-07-01 12:00:00', ny, NOW), utc(2024, 7, 1, 16));
  // the day after the spring-forward change and the day before the fall-back one
  assert.equal(parseTimestamp('2024-03-11 00:30:00', ny, NOW), utc(2024, 3, 11, 4, 30));
  assert.equal(parseTimestamp('2024-11-02 23:30:00', ny, NOW), utc(2024, 11, 3, 3, 30));
  assert.equal(parseTimestamp('2024-01-15 21:00:00', zone('Asia/Seoul'), NOW), BASE);
  assert.equal(parseTimestamp('2024-01-15 17:30:00', zone('+05:30'), NOW), BASE);
  assert.equal(parseTimestamp('15/Jan/2024:13:00:00', paris, NOW), BASE);
  assert.equal(parseTimestamp('Mar 15 13:00:00', paris, NOW), utc(2024, 3, 15, 12));
  assert.equal(resolveTimeZone('Mars/Olympus_Mons'), undefined);
  assert.ok(resolveTimeZone('local'));
  assert.equal(resolveTimeZone('utc'), UTC);
});

test('custom strftime-like formats', async (t) => {
  const cases: [string, string, bigint][] = [
    ['%d/%b/%Y:%H:%M:%S %z', '10/Oct/2000:13:55:36 -0700', 971211336n * S],
    ['%y%m%d %H%M%S', '081109 203615', utc(2008, 11, 9, 20, 36, 15)], // HDFS (Loghub)
    ['%y/%m/%d %H:%M:%S', '17/06/09 20:10:40', utc(2017, 6, 9, 20, 10, 40)], // Spark (Loghub)
    ['%Y-%m-%d %H:%M:%S,%L', '2015-07-29 17:41:44,747', utc(2015, 7, 29, 17, 41, 44) + 747_000_000n], // ZooKeeper
    ['%Y-%m-%dT%H:%M:%S.%f%z', '2024-01-15T14:00:00.123456789+02:00', BASE + 123_456_789n],
    ['%FT%T%z', '2024-01-15T12:00:00Z', BASE],
    ['%a %b %e %T %Y', 'Sun Nov  6 08:49:37 1994', 784111777n * S],
    ['%b %d %H:%M:%S', 'Jun 14 15:16:01', utc(2023, 6, 14, 15, 16, 1)], // no year: inferred
    ['%m-%d %H:%M:%S.%L', '03-17 16:13:38.811', utc(2024, 3, 17, 16, 13, 38) + 811_000_000n],
    ['%d.%m.%Y %I:%M:%S %p', '15.01.2024 12:00:00 PM', BASE],
    ['%d.%m.%Y %I:%M:%S %p', '15.01.2024 12:30:00 am', utc(2024, 1, 15, 0, 30)],
    ['%s', '1705320000', BASE],
    ['%s.%f', '1705320000.000000007', BASE + 7n],
    ['%Y %j %H:%M', '2024 075 12:00', utc(2024, 3, 15, 12)],
    ['%Y-%m-%d %H:%M:%S %Z', '2024-01-15 13:00:00 Europe/Paris', BASE],
    ['%Y-%m-%d %H:%M:%S %Z', '2024-01-15 07:00:00 EST', BASE],
    ['%D %R', '01/15/24 12:00', BASE],
    ['%H:%M:%S.%L', '11:59:00.500', utc(2024, 3, 15, 11, 59) + 500_000_000n], // logback default: today
    ['%H:%M:%S', '23:00:00', utc(2024, 3, 14, 23)], // later than now + 1h: yesterday
    ['100%% %Y', '100% 2024', utc(2024, 1, 1)],
  ];
  for (const [format, input, expected] of cases) {
    await t.test(`${format} ← ${input}`, () => assert.equal(parseWithFormat(input, compileTimeFormat(format), UTC, NOW), expected));
  }
});

test('custom formats refuse what does not fit, and unknown directives at compile time', () => {
  const f = compileTimeFormat('%Y-%m-%d %H:%M:%S');
  assert.equal(parseWithFormat('2024-01-15 12:00:00 trailing', f, UTC, NOW), undefined);
  assert.equal(parseWithFormat('2024-01-15', f, UTC, NOW), undefined);
  assert.equal(parseWithFormat('24-01-15 12:00:00', f, UTC, NOW), undefined);
  assert.equal(parseWithFormat('2024-02-30 12:00:00', f, UTC, NOW), undefined);
  assert.equal(parseWithFormat('2024-01-15 13:00:00', compileTimeFormat('%Y-%m-%d %I:%M:%S'), UTC, NOW), undefined);
  assert.equal(parseWithFormat('Xyz', compileTimeFormat('%b'), UTC, NOW), undefined);
  assert.throws(() => compileTimeFormat('%Y-%Q'), (e: unknown) => e instanceof TimeFormatError && /unknown directive %Q/.test(e.message));
  assert.throws(() => compileTimeFormat('%Y%'), /lone %/);
});
