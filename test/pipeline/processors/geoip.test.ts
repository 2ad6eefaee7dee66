// The geoip processor: exact results from small MMDB files built here (GeoIP2 City and ASN layouts, IPv4 and IPv6
// trees), private ranges tagged without look-up, the default DB-IP database on the OpenSSH addresses of the loghub
// Linux sample, caching, and config errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigNode } from '../../../src/config/config-node.ts';
import type { FieldValue, PipelineEvent } from '../../../src/pipeline/event.ts';
import type { Processor } from '../../../src/pipeline/processor.ts';
import { geoipProcessor } from '../../../src/pipeline/processors/geoip.ts';
import { buildMmdb } from './mmdb-fixture.ts';

const warnings: string[] = [];
const ctx = { nowMs: 0, warn: (m: string): void => void warnings.push(m) };

function ev(fields: Record<string, FieldValue>): PipelineEvent {
  return { tenant: 't', ts: 0n, line: '', labels: {}, fields };
}

function fixtureDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'geoip-'));
  writeFileSync(
    join(dir, 'City.mmdb'),
    buildMmdb(
      [
        ['81.2.69.0/24', { country: { iso_code: 'GB', names: { en: 'United Kingdom', de: 'Vereinigtes Königreich' } }, subdivisions: [{ iso_code: 'ENG', names: { en: 'England' } }], city: { names: { en: 'London' } }, location: { latitude: 51.51420001, longitude: -0.0931 } }],
        ['175.16.199.0/24', { country: { iso_code: 'CN', names: { en: 'China' } }, city: { names: { en: 'Changchun' } }, location: { latitude: 43.88, longitude: 125.3228 } }],
        ['2a02:cf40::/29', { country: { iso_code: 'NO', names: { en: 'Norway' } } }],
      ],
      { ipVersion: 6, databaseType: 'GeoIP2-City' },
    ),
  );
  writeFileSync(
    join(dir, 'ASN.mmdb'),
    buildMmdb([['81.2.69.0/23', { autonomous_system_number: 20712, autonomous_system_organization: 'Andrews & Arnold Ltd' }]], { ipVersion: 4, databaseType: 'GeoLite2-ASN' }),
  );
  // ip-location-db's flat layout
  writeFileSync(
    join(dir, 'flat.mmdb'),
    buildMmdb([['211.234.0.0/16', { country_code: 'KR', state1: 'Gyeonggi-do', city: 'Anyang-si', latitude: 37.3881, longitude: 126.9359 }]], { ipVersion: 4, databaseType: 'city ipv4' }),
  );
  return dir;
}

function build(yaml: string, configDir: string): Processor {
  return geoipProcessor.build(ConfigNode.parse(`type: geoip\n${yaml}`, 'test.yaml'), { configDir });
}

test('GeoIP2 City + ASN files: every property, merged from both, IPv4 and IPv6', () => {
  const dir = fixtureDir();
  const p = build('field: client_ip\ndatabase: [City.mmdb, ASN.mmdb]\n', dir);
  const events = [ev({ client_ip: '81.2.69.160' }), ev({ client_ip: '[2a02:cf40::7]:443' }), ev({ client_ip: '175.16.199.1:5000' }), ev({ client_ip: '1.1.1.1' })];
  p.process(events, ctx);
  assert.deepEqual(events[0]!.fields, {
    client_ip: '81.2.69.160',
    'geo.country': 'United Kingdom',
    'geo.country_code': 'GB',
    'geo.region': 'England',
    'geo.city': 'London',
    'geo.lat': 51.5142,
    'geo.lon': -0.0931,
    'geo.asn': 20712,
    'geo.as_org': 'Andrews & Arnold Ltd',
  });
  assert.deepEqual(events[1]!.fields, { client_ip: '[2a02:cf40::7]:443', 'geo.country': 'Norway', 'geo.country_code': 'NO' });
  assert.equal(events[2]!.fields['geo.city'], 'Changchun');
  assert.equal(events[2]!.fields['geo.asn'], undefined);
  assert.deepEqual(events[3]!.fields, { client_ip: '1.1.1.1' }); // not in the databases
});

test('the flat ip-location-db layout; target and properties are configurable', () => {
  const dir = fixtureDir();
  const p = build('field: ip\ndatabase: flat.mmdb\ntarget: client.geo\nproperties: [country_code, country, city]\n', dir);
  const [e] = p.process([ev({ ip: '211.234.10.20' })], ctx);
  assert.deepEqual(e!.fields, { ip: '211.234.10.20', 'client.geo.country_code': 'KR', 'client.geo.country': 'South Korea', 'client.geo.city': 'Anyang-si' });
});

test('private and reserved addresses are tagged without a look-up; non-addresses are left alone', () => {
  const dir = fixtureDir();
  const p = build('field: ip\ndatabase: City.mmdb\n', dir);
  const cases: [string, Record<string, FieldValue>][] = [
    ['10.0.0.1', { 'geo.private': true, 'geo.range': 'private' }],
    ['192.168.1.10:8080', { 'geo.private': true, 'geo.range': 'private' }],
    ['127.0.0.1', { 'geo.private': true, 'geo.range': 'loopback' }],
    ['100.64.1.1', { 'geo.private': true, 'geo.range': 'shared' }],
    ['fd12::1', { 'geo.private': true, 'geo.range': 'private' }],
    ['fe80::1%eth0', { 'geo.private': true, 'geo.range': 'link_local' }],
    ['zummit.com', {}],
    ['-', {}],
  ];
  for (const [ip, want] of cases) {
    const [e] = p.process([ev({ ip })], ctx);
    assert.deepEqual(e!.fields, { ip, ...want }, ip);
  }
  const [e] = p.process([ev({ other: '81.2.69.1' }), ev({ ip: 42 })], ctx);
  assert.deepEqual(e!.fields, { other: '81.2.69.1' });
});

test('the default database (DB-IP City Lite from npm) on the OpenSSH client addresses of the loghub Linux sample', () => {
  const p = build('field: rhost\n', '.');
  const text = readFileSync(join(import.meta.dirname, '../../../../shared/data/loghub/Linux/Linux_2k.log'), 'utf8');
  const events: PipelineEvent[] = [];
  for (const line of text.split('\n')) {
    const m = /rhost=(\S+)/.exec(line);
    if (m) events.push({ ...ev({ rhost: m[1]! }), line });
  }
  assert.equal(events.length, 489);
  const t0 = performance.now();
  p.process(events, ctx);
  const ms = performance.now() - t0;
  let located = 0;
  let hostNames = 0;
  for (const e of events) {
    const v = String(e.fields.rhost);
    if (/^[0-9.]+$/.test(v)) {
      assert.match(String(e.fields['geo.country_code']), /^[A-Z]{2}$/, v);
      assert.equal(typeof e.fields['geo.lat'], 'number');
      located++;
    } else {
      assert.equal(e.fields['geo.country_code'], undefined);
      hostNames++;
    }
  }
  assert.equal(located, 300);
  assert.equal(hostNames, 189);
  assert.ok(ms < 2000, `${ms} ms`);
  const [g] = p.process([ev({ rhost: '8.8.8.8' }), ev({ rhost: '2001:4860:4860::8888' })], ctx);
  assert.equal(g!.fields['geo.country_code'], 'US');
  assert.equal(g!.fields['geo.country'], 'United States');
  assert.equal(warnings.length, 0, warnings.join('\n'));
});

test('IPv6 with the default database opens the IPv6 file on first use', () => {
  const p = build('field: ip\n', '.');
  const [e] = p.process([ev({ ip: '2001:4860:4860::8888' })], ctx);
  assert.match(String(e!.fields['geo.country_code']), /^[A-Z]{2}$/);
});

test('config errors: missing field, unreadable or non-MMDB database, unknown property', () => {
  const dir = fixtureDir();
  writeFileSync(join(dir, 'not.mmdb'), 'hello, this is no database');
  assert.throws(() => build('database: City.mmdb\n', dir), /test\.yaml:1: field: is required/);
  assert.throws(() => build('field: ip\ndatabase: nope.mmdb\n', dir), /test\.yaml:3: database: cannot read the GeoIP database .*nope\.mmdb: ENOENT/);
  assert.throws(() => build('field: ip\ndatabase: [City.mmdb, not.mmdb]\n', dir), /test\.yaml:3: database\[1\]: .*not\.mmdb is not a MaxMind DB \(MMDB\) file/);
  assert.throws(() => build('field: ip\ndatabase: City.mmdb\nproperties: [country, postcode]\n', dir), /properties\[1\]: unknown property "postcode"/);
});
