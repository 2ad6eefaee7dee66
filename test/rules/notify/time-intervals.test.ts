// Alertmanager's time intervals against hand-worked instants: business hours in a zone with daylight saving time, a
// zone east of UTC where the local weekday differs, negative and clamped days_of_month across month lengths and leap
// years, months and years, several specs, the DST gap; and config errors with file:line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAlertingConfig } from '../../../src/rules/notify/alerting-config.ts';
import { intervalContains } from '../../../src/rules/notify/time-intervals.ts';

function interval(specsYaml: string, key = 'time_intervals') {
  const cfg = parseAlertingConfig(`${key}:\n  - name: ti\n    time_intervals:\n${specsYaml}`, 'alerting.yaml');
  const ti = cfg.timeIntervals.get('ti')!;
  return (iso: string) => intervalContains(ti, Date.parse(iso));
}

test('business hours in Europe/Berlin: start inclusive, end exclusive, winter and summer offsets, weekends out', () => {
  const inHours = interval(`      - times:\n          - start_time: '09:00'\n            end_time: '17:00'\n        weekdays: ['monday:friday']\n        location: Europe/Berlin\n`);
  // Monday 15 January 2024, CET = UTC+1
  assert.equal(inHours('2024-01-15T07:59:00Z'), false, '08:59 CET');
  assert.equal(inHours('2024-01-15T08:00:00Z'), true, '09:00 CET');
  assert.equal(inHours('2024-01-15T15:59:59Z'), true, '16:59:59 CET');
  assert.equal(inHours('2024-01-15T16:00:00Z'), false, '17:00 CET: the end is exclusive');
  // Monday 15 July 2024, CEST = UTC+2
  assert.equal(inHours('2024-07-15T07:00:00Z'), true, '09:00 CEST');
  assert.equal(inHours('2024-07-15T06:59:00Z'), false, '08:59 CEST');
  assert.equal(inHours('2024-07-15T15:00:00Z'), false, '17:00 CEST');
  // Saturday 13 January 2024 at 11:00 CET; Friday 19 January at 16:30 CET
  assert.equal(inHours('2024-01-13T10:00:00Z'), false);
  assert.equal(inHours('2024-01-19T15:30:00Z'), true);
  // the same spec without location is UTC
  const utc = interval(`      - times: [{start_time: '09:00', end_time: '17:00'}]\n        weekdays: ['Monday:Friday']\n`);
  assert.equal(utc('2024-01-15T08:00:00Z'), false, '08:00 UTC');
  assert.equal(utc('2024-01-15T16:59:00Z'), true, '16:59 UTC');
});

test('the local date decides: Sydney is already Monday when UTC is still Sunday', () => {
  const monday = interval(`      - weekdays: [monday]\n        location: Australia/Sydney\n`);
  // 2024-01-14 is a Sunday in UTC; 23:00Z is 10:00 AEDT (UTC+11) on Monday 15 January
  assert.equal(monday('2024-01-14T23:00:00Z'), true);
  assert.equal(monday('2024-01-14T12:59:00Z'), false, '23:59 AEDT Sunday');
  assert.equal(monday('2024-01-14T13:00:00Z'), true, '00:00 AEDT Monday');
  // and New York is still on the last day of February when UTC has reached 1 March
  const first = interval(`      - days_of_month: ['1']\n        location: America/New_York\n`);
  assert.equal(first('2024-03-01T03:00:00Z'), false, '22:00 EST on 29 February');
  assert.equal(first('2024-03-01T05:00:00Z'), true, '00:00 EST on 1 March');
});

test('days_of_month: negative days count from the end, ranges are clamped to the month, leap years count', () => {
  const last = interval(`      - days_of_month: ['-1']\n`);
  assert.equal(last('2024-02-29T12:00:00Z'), true, 'leap February ends on the 29th');
  assert.equal(last('2024-02-28T12:00:00Z'), false);
  assert.equal(last('2023-02-28T12:00:00Z'), true);
  assert.equal(last('2024-04-30T00:00:00Z'), true);
  assert.equal(last('2024-01-30T23:59:59Z'), false);
  const lastWeek = interval(`      - days_of_month: ['-7:-1']\n`);
  assert.equal(lastWeek('2024-01-24T23:59:00Z'), false, '31 − 7 + 1 = 25');
  assert.equal(lastWeek('2024-01-25T00:00:00Z'), true);
  assert.equal(lastWeek('2023-02-21T12:00:00Z'), false, '28 − 7 + 1 = 22');
  assert.equal(lastWeek('2023-02-22T12:00:00Z'), true);
  const whole = interval(`      - days_of_month: ['1:31']\n`);
  assert.equal(whole('2023-02-28T12:00:00Z'), true, '1:31 in February is clamped to the 28th');
  const lateFeb = interval(`      - days_of_month: ['30:31']\n`);
  assert.equal(lateFeb('2024-02-29T12:00:00Z'), false, 'a range starting after the month ends matches nothing in it');
  assert.equal(lateFeb('2024-03-30T12:00:00Z'), true);
  const mixed = interval(`      - days_of_month: ['25:-1']\n`);
  assert.equal(mixed('2024-02-25T00:00:00Z'), true);
  assert.equal(mixed('2024-02-29T00:00:00Z'), true);
  assert.equal(mixed('2024-02-24T23:59:00Z'), false);
  const firstThree = interval(`      - days_of_month: ['-31:-29']\n`);
  assert.equal(firstThree('2024-01-01T00:00:00Z'), true, 'in a 31-day month −31:−29 is 1 to 3');
  assert.equal(firstThree('2024-01-03T23:00:00Z'), true);
  assert.equal(firstThree('2024-01-04T00:00:00Z'), false);
  assert.equal(firstThree('2023-02-01T00:00:00Z'), false, 'in a 28-day month −31:−29 lies before the 1st');
});

test('months, years, several specs (any), an empty spec (always) and the DST gap', () => {
  const m = interval(`      - months: ['1:3', 'may:August', 'december']\n        years: ['2020:2022', '2030']\n`, 'mute_time_intervals');
  assert.equal(m('2021-02-10T00:00:00Z'), true);
  assert.equal(m('2021-04-10T00:00:00Z'), false, 'April');
  assert.equal(m('2022-08-31T23:59:00Z'), true);
  assert.equal(m('2022-12-01T00:00:00Z'), true);
  assert.equal(m('2023-12-01T00:00:00Z'), false, '2023');
  assert.equal(m('2030-01-01T00:00:00Z'), true);
  const either = interval(`      - weekdays: [saturday, sunday]\n      - times: [{start_time: '00:00', end_time: '06:00'}]\n`);
  assert.equal(either('2024-01-13T12:00:00Z'), true, 'Saturday noon');
  assert.equal(either('2024-01-15T05:59:00Z'), true, 'Monday early');
  assert.equal(either('2024-01-15T06:00:00Z'), false, 'Monday 06:00');
  const always = interval(`      - {}\n`);
  assert.equal(always('1999-12-31T23:59:59Z'), true);
  const cfg = parseAlertingConfig(`time_intervals:\n  - name: never\n`, 'a.yaml');
  assert.equal(intervalContains(cfg.timeIntervals.get('never')!, Date.now()), false, 'no specs: nothing matches');
  // 31 March 2024 in Berlin: 02:00 CET jumps to 03:00 CEST, so 02:00–03:00 does not occur that day
  const gap = interval(`      - times: [{start_time: '02:00', end_time: '03:00'}]\n        location: Europe/Berlin\n`);
  assert.equal(gap('2024-03-31T00:59:00Z'), false, '01:59 CET');
  assert.equal(gap('2024-03-31T01:00:00Z'), false, '03:00 CEST');
  assert.equal(gap('2024-03-30T01:30:00Z'), true, '02:30 CET the day before');
  const toMidnight = interval(`      - times: [{start_time: '22:00', end_time: '24:00'}]\n`);
  assert.equal(toMidnight('2024-01-01T23:59:59Z'), true);
  assert.equal(toMidnight('2024-01-02T00:00:00Z'), false);
});

test('time interval and route errors name the file, line and what was expected', () => {
  const bad = (yaml: string, re: RegExp) => assert.throws(() => parseAlertingConfig(yaml, 'alerting.yaml'), re);
  const spec = (s: string) => `time_intervals:\n  - name: ti\n    time_intervals:\n      - ${s}\n`;
  bad(spec(`times: [{start_time: '9:00', end_time: '17:00'}]`), /alerting\.yaml:4: time_intervals\[0\]\.time_intervals\[0\]\.times\[0\]\.start_time: expected a time of day HH:MM from 00:00 to 23:59, got "9:00"/);
  bad(spec(`times: [{start_time: '17:00', end_time: '09:00'}]`), /alerting\.yaml:4: .*times\[0\]: start_time must be before end_time/);
  bad(spec(`times: [{start_time: '10:00', end_time: '24:01'}]`), /end_time: expected a time of day HH:MM from 00:00 to 24:00/);
  bad(spec(`weekdays: [funday]`), /alerting\.yaml:4: .*weekdays\[0\]: expected a weekday or a range weekday:weekday, got "funday"/);
  bad(spec(`weekdays: ['friday:monday']`), /weekdays\[0\]: the start of the range "friday:monday" is after its end/);
  bad(spec(`days_of_month: ['0']`), /days_of_month\[0\]: expected a day of month or a range/);
  bad(spec(`days_of_month: ['32']`), /days_of_month\[0\]: expected a day of month/);
  bad(spec(`days_of_month: ['-1:-7']`), /the start of the range "-1:-7" is after its end/);
  bad(spec(`days_of_month: ['-5:3']`), /a range from a day counted from the end to a day counted from the start/);
  bad(spec(`months: ['13']`), /months\[0\]: expected a month/);
  bad(spec(`location: Mars/Olympus_Mons`), /alerting\.yaml:4: .*location: unknown time zone "Mars\/Olympus_Mons"/);
  bad(spec(`minutes: [1]`), /unknown key \(expected one of times, weekdays, days_of_month, months, years, location\)/);
  bad(`time_intervals:\n  - name: a\nmute_time_intervals:\n  - name: a\n`, /alerting\.yaml:4: mute_time_intervals\[0\]\.name: time interval "a" is defined twice/);
  const routes = (r: string) => `time_intervals:\n  - name: night\n    time_intervals: [{times: [{start_time: '00:00', end_time: '06:00'}]}]\nreceivers:\n  - name: x\nroute:\n  receiver: x\n${r}`;
  bad(routes(`  mute_time_intervals: [night]\n`), /alerting\.yaml:8: route\.mute_time_intervals: the root route cannot have mute or active time intervals/);
  bad(routes(`  routes:\n    - matchers: ['a="b"']\n      active_time_intervals: [night, day]\n`), /alerting\.yaml:10: route\.routes\[0\]\.active_time_intervals\[1\]: time interval "day" is not defined/);
  const ok = parseAlertingConfig(routes(`  routes:\n    - matchers: ['a="b"']\n      mute_time_intervals: [night]\n      routes:\n        - matchers: ['c="d"']\n`), 'alerting.yaml');
  assert.deepEqual(ok.route!.routes[0].muteTimeIntervals, ['night']);
  assert.deepEqual(ok.route!.routes[0].routes[0].muteTimeIntervals, [], 'not inherited, as in Alertmanager');
});
