// IP text parsing as found in logs (ports, brackets, forwarded lists, IPv6 compression) and the special-purpose
// ranges of the IANA registries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ipToString, parseIPv4, parseIPv6, parseIp, specialRange } from '../../src/pipeline/ip-address.ts';

test('IPv4 text', () => {
  assert.equal(parseIPv4('1.2.3.4'), 0x01020304);
  assert.equal(parseIPv4('255.255.255.255'), 0xffffffff);
  for (const bad of ['1.2.3', '1.2.3.4.5', '256.1.1.1', '1..2.3', '1.2.3.4.', 'a.b.c.d', '1234.1.1.1', '']) assert.equal(parseIPv4(bad), -1, bad);
});

test('IPv6 text', () => {
  assert.equal(parseIPv6('::1'), 1n);
  assert.equal(parseIPv6('::'), 0n);
  assert.equal(parseIPv6('2001:db8::1'), (0x20010db8n << 96n) | 1n);
  assert.equal(parseIPv6('2001:0db8:0000:0000:0000:0000:0000:0001'), (0x20010db8n << 96n) | 1n);
  assert.equal(parseIPv6('::ffff:1.2.3.4'), (0xffffn << 32n) | 0x01020304n);
  assert.equal(parseIPv6('fe80::1%eth0'), (0xfe80n << 112n) | 1n);
  for (const bad of ['1::2::3', '12345::1', 'g::1', '1:2:3:4:5:6:7:8:9', '1:2:3']) assert.equal(parseIPv6(bad), null, bad);
});

test('addresses as logs write them', () => {
  assert.equal(ipToString(parseIp('203.0.113.9')!), '203.0.113.9');
  assert.equal(ipToString(parseIp('203.0.113.9:443')!), '203.0.113.9');
  assert.equal(ipToString(parseIp(' 198.51.100.7, 10.0.0.1')!), '198.51.100.7');
  assert.equal(ipToString(parseIp('[2001:db8::1]:8080')!), '2001:db8:0:0:0:0:0:1');
  assert.equal(ipToString(parseIp('::ffff:192.0.2.1')!), '192.0.2.1');
  assert.equal(parseIp('::ffff:192.0.2.1')!.version, 4);
  for (const no of ['-', 'zummit.com', 'n219076184117.netvigator.com', '1.2.3.4:x', '']) assert.equal(parseIp(no), null, no);
});

test('special-purpose ranges', () => {
  const cases: [string, string | null][] = [
    ['10.1.2.3', 'private'], ['172.16.0.1', 'private'], ['172.31.255.255', 'private'], ['172.32.0.1', null],
    ['192.168.1.1', 'private'], ['127.0.0.1', 'loopback'], ['169.254.1.1', 'link_local'], ['100.64.0.1', 'shared'],
    ['100.128.0.1', null], ['192.0.2.5', 'documentation'], ['198.51.100.5', 'documentation'], ['203.0.113.5', 'documentation'],
    ['198.18.0.1', 'benchmarking'], ['224.0.0.1', 'multicast'], ['255.255.255.255', 'reserved'], ['0.0.0.0', 'unspecified'],
    ['8.8.8.8', null], ['218.188.2.4', null],
    ['::1', 'loopback'], ['fd00::1', 'private'], ['fe80::1', 'link_local'], ['ff02::1', 'multicast'],
    ['2001:db8::1', 'documentation'], ['2001:4860:4860::8888', null],
  ];
  for (const [ip, want] of cases) assert.equal(specialRange(parseIp(ip)!), want, ip);
});
