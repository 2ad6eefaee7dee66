// STIX 2.1 indicator lists in the threat_intel processor: the patterning subset (single values, OR, IN, ISSUBSET,
// escapes) and the reasons others are skipped; a bundle written for this test (versions, revocation, validity, other
// pattern types, non-indicator objects) matched with its name/labels/confidence in the tag; bad bundles named by object.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigNode } from '../../../src/config/config-node.ts';
import type { FieldValue, PipelineEvent } from '../../../src/pipeline/event.ts';
import { threatIntelProcessor } from '../../../src/pipeline/processors/threat-intel.ts';
import { patternValues, StixPatternError } from '../../../src/pipeline/processors/threat-intel-feeds/stix-pattern.ts';

const SHA256 = '5d41402abc4b2a76b9719d911017c592aa7b1c1f5ea1b63ad3c5e0e3ab5f1c3e';
const MD5 = '098f6bcd4621d373cade4e832627b4f6';
const SHA1 = 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3';

test('patterns: single values, OR inside and between observations, IN, ISSUBSET, quoted hash names, escapes', () => {
  const cases: [string, string[]][] = [
    ["[ipv4-addr:value = '198.51.100.7']", ['ip 198.51.100.7']],
    ["[ipv6-addr:value = '2001:db8:bad::/48']", ['ip 2001:db8:bad::/48']],
    ["[domain-name:value = 'c2.evil.example']", ['domain c2.evil.example']],
    ["[url:value = 'https://evil.example/drop/a.exe']", ['url https://evil.example/drop/a.exe']],
    [`[file:hashes.'SHA-256' = '${SHA256}']`, [`hash ${SHA256}`]],
    [`[file:hashes.MD5 = '${MD5}' OR file:hashes.'SHA-1' = '${SHA1}']`, [`hash ${MD5}`, `hash ${SHA1}`]],
    ["[ipv4-addr:value = '203.0.113.1'] OR [domain-name:value = 'x.example']", ['ip 203.0.113.1', 'domain x.example']],
    ["([ipv4-addr:value = '203.0.113.1'] OR ([ipv4-addr:value = '203.0.113.2']))", ['ip 203.0.113.1', 'ip 203.0.113.2']],
    ["[ipv4-addr:value IN ('192.0.2.1', '192.0.2.2')]", ['ip 192.0.2.1', 'ip 192.0.2.2']],
    ["[ipv4-addr:value ISSUBSET '198.51.100.0/24']", ['ip 198.51.100.0/24']],
    ["[url:value = 'http://x.example/it\\'s\\\\here']", ["url http://x.example/it's\\here"]],
  ];
  for (const [pattern, want] of cases) assert.deepEqual(patternValues(pattern).map((v) => `${v.kind} ${v.value}`), want, pattern);
});

test('patterns: valid STIX that cannot be single values is unsupported, with the reason; bad syntax is an error', () => {
  const unsupported: [string, RegExp][] = [
    ["[ipv4-addr:value = '1.2.3.4' AND domain-name:value = 'a.example']", /AND of comparisons/],
    ["[ipv4-addr:value = '1.2.3.4'] AND [domain-name:value = 'a.example']", /AND of observations/],
    ["[ipv4-addr:value = '1.2.3.4'] FOLLOWEDBY [domain-name:value = 'a.example']", /FOLLOWEDBY/],
    ["[ipv4-addr:value = '1.2.3.4'] WITHIN 600 SECONDS", /the WITHIN qualifier/],
    ["[ipv4-addr:value = '1.2.3.4'] REPEATS 5 TIMES", /the REPEATS qualifier/],
    ["[ipv4-addr:value = '1.2.3.4'] START t'2024-01-01T00:00:00Z' STOP t'2024-02-01T00:00:00Z'", /START\/STOP/],
    ["[process:name = 'mimikatz.exe']", /the object path process:name/],
    ["[network-traffic:dst_ref.value = '1.2.3.4']", /network-traffic:dst_ref\.value/],
    ["[file:hashes.'SHA-512' = 'ab']", /the hash algorithm SHA-512/],
    ["[domain-name:value LIKE '%.evil.example']", /the operator LIKE/],
    ["[ipv4-addr:value NOT = '1.2.3.4']", /NOT =/],
    ["[file:name MATCHES '^x$']", /file:name/],
  ];
  for (const [pattern, why] of unsupported) {
    assert.throws(() => patternValues(pattern), (e: unknown) => e instanceof StixPatternError && e.unsupported && why.test(e.message), pattern);
  }
  const bad: [string, RegExp][] = [
    ["[ipv4-addr:value = '1.2.3.4'", /expected "\]" to close the observation expression, found the end of the pattern/],
    ["[ipv4-addr:value = '1.2.3.4]", /unterminated string starting at offset 19/],
    ["ipv4-addr:value = '1.2.3.4'", /expected "\[" or "\(" to start an observation expression/],
    ["[ipv4-addr:value == '1.2.3.4']", /expected a constant/],
    ["[ipv4-addr:value = '1.2.3.4'] OR", /expected "\[" or "\(".*found the end/],
    ["[url:value = 'a\\nb']", /bad escape "\\n" at offset 15/],
    [`[file:hashes.MD5 = '${SHA1}']`, /is not 16 bytes of hex/],
  ];
  for (const [pattern, why] of bad) {
    assert.throws(() => patternValues(pattern), (e: unknown) => e instanceof StixPatternError && !e.unsupported && why.test(e.message), pattern);
  }
});

// A bundle written for these tests: every indicator kind, a superseded version, a revoked and an expired indicator,
// one not yet valid, a YARA rule, an AND pattern, and objects that are not indicators.
const DAY = 86_400_000;
const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
function indicator(id: string, pattern: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'indicator', spec_version: '2.1', id: `indicator--${id}`, created: '2025-01-01T00:00:00Z', modified: '2025-01-01T00:00:00Z',
    pattern, pattern_type: 'stix', valid_from: '2025-01-01T00:00:00Z', ...extra,
  };
}
const BUNDLE = {
  type: 'bundle',
  id: 'bundle--6f4c2f2e-3b1a-4d6e-9c1f-000000000001',
  objects: [
    { type: 'identity', spec_version: '2.1', id: 'identity--00000000-0000-4000-8000-00000000000a', created: '2025-01-01T00:00:00Z', modified: '2025-01-01T00:00:00Z', name: 'Test CERT', identity_class: 'organization' },
    indicator('00000000-0000-4000-8000-000000000001', "[ipv4-addr:value = '198.51.100.7'] OR [ipv4-addr:value = '203.0.113.0/25']", { name: 'Botnet C2', labels: ['malicious-activity', 'c2'], confidence: 85 }),
    indicator('00000000-0000-4000-8000-000000000002', "[domain-name:value = 'c2.evil.example']", { name: 'C2 domain' }),
    indicator('00000000-0000-4000-8000-000000000003', "[url:value = 'https://Files.Evil.example:443/drop/a.exe']", { name: 'dropper URL' }),
    indicator('00000000-0000-4000-8000-000000000004', `[file:hashes.'SHA-256' = '${SHA256}' OR file:hashes.MD5 = '${MD5}']`, { name: 'loader' }),
    // version 1 of ...05 listed 192.0.2.50; the newer version (later in `modified`, earlier in the list) lists .51
    indicator('00000000-0000-4000-8000-000000000005', "[ipv4-addr:value = '192.0.2.51']", { modified: '2025-03-01T00:00:00Z', name: 'scanner v2' }),
    indicator('00000000-0000-4000-8000-000000000005', "[ipv4-addr:value = '192.0.2.50']", { modified: '2025-02-01T00:00:00Z', name: 'scanner v1' }),
    indicator('00000000-0000-4000-8000-000000000006', "[ipv4-addr:value = '192.0.2.60']", { revoked: true }),
    indicator('00000000-0000-4000-8000-000000000007', "[ipv4-addr:value = '192.0.2.70']", { valid_until: iso(NOW - DAY) }),
    indicator('00000000-0000-4000-8000-000000000008', "[ipv4-addr:value = '192.0.2.80']", { valid_from: iso(NOW + DAY) }),
    indicator('00000000-0000-4000-8000-000000000009', "[ipv4-addr:value = '192.0.2.90']", { valid_until: iso(NOW + DAY) }),
    indicator('00000000-0000-4000-8000-00000000000b', 'rule x { condition: true }', { pattern_type: 'yara' }),
    indicator('00000000-0000-4000-8000-00000000000c', "[ipv4-addr:value = '192.0.2.100' AND network-traffic:dst_port = 4444]"),
    { type: 'malware', spec_version: '2.1', id: 'malware--00000000-0000-4000-8000-0000000000a1', created: '2025-01-01T00:00:00Z', modified: '2025-01-01T00:00:00Z', name: 'Loader', is_family: true },
    { type: 'relationship', spec_version: '2.1', id: 'relationship--00000000-0000-4000-8000-0000000000b1', created: '2025-01-01T00:00:00Z', modified: '2025-01-01T00:00:00Z', relationship_type: 'indicates', source_ref: 'indicator--00000000-0000-4000-8000-000000000004', target_ref: 'malware--00000000-0000-4000-8000-0000000000a1' },
  ],
};

function ev(fields: Record<string, FieldValue>, line = ''): PipelineEvent {
  return { tenant: 't', ts: 0n, line, labels: {}, fields };
}

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'stix-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function build(yaml: string, dir: string) {
  return threatIntelProcessor.build(ConfigNode.parse(`type: threat_intel\n${yaml}`, 'test.yaml'), { configDir: dir });
}

test('a STIX bundle: every kind matched and tagged with the indicator\'s name, labels, confidence and id', () => {
  const dir = dirWith({ 'feed.json': JSON.stringify(BUNDLE, null, 2) });
  const p = build('lists:\n  - { name: cert, file: feed.json }\nfields: [ip, host, url, sha]\nline: true\n', dir);
  const warnings: string[] = [];
  const ctx = { nowMs: NOW, warn: (m: string) => warnings.push(m) };
  const tag = (e: PipelineEvent) => (e.fields['threat.matched'] === true ? `${e.fields['threat.type']} ${e.fields['threat.indicator']} ${e.fields['threat.name'] ?? '-'}` : 'none');
  const out = p.process(
    [
      ev({ ip: '198.51.100.7' }),
      ev({ ip: '203.0.113.99' }),
      ev({ ip: '203.0.113.200' }),
      ev({ host: 'www.c2.evil.example' }),
      ev({ url: 'HTTPS://files.evil.example/drop/a.exe' }),
      ev({ url: 'https://files.evil.example/drop/b.exe' }),
      ev({ sha: SHA256.toUpperCase() }),
      ev({}, `downloaded ${MD5} from somewhere`),
      ev({}, 'GET https://files.evil.example/drop/a.exe, 200'),
      ev({ ip: '192.0.2.51' }),
      ev({ ip: '192.0.2.50' }),
      ev({ ip: '192.0.2.60' }),
      ev({ ip: '192.0.2.70' }),
      ev({ ip: '192.0.2.80' }),
      ev({ ip: '192.0.2.90' }),
      ev({ ip: '192.0.2.100' }),
    ],
    ctx,
  );
  assert.deepEqual(out.map(tag), [
    'ip 198.51.100.7 Botnet C2',
    'ip 203.0.113.0/25 Botnet C2',
    'none',
    'domain c2.evil.example C2 domain',
    'url https://files.evil.example/drop/a.exe dropper URL',
    'none',
    `hash ${SHA256} loader`,
    `hash ${MD5} loader`,
    'url https://files.evil.example/drop/a.exe dropper URL',
    'ip 192.0.2.51 scanner v2',
    'none', // superseded version
    'none', // revoked
    'none', // expired
    'none', // not valid yet
    'ip 192.0.2.90 -',
    'none', // AND pattern: skipped
  ]);
  const first = out[0]!.fields;
  assert.equal(first['threat.labels'], 'malicious-activity,c2');
  assert.equal(first['threat.confidence'], 85);
  assert.equal(first['threat.stix_id'], 'indicator--00000000-0000-4000-8000-000000000001');
  assert.equal(first['threat.list'], 'cert');
  assert.equal(out[8]!.fields['threat.field'], 'line');
  // skipped indicators are counted and named in one warning
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /^threat_intel: list cert: 3 entries not used: /);
  assert.match(warnings[0]!, /objects\[7\] \(indicator--00000000-0000-4000-8000-000000000006\): revoked/);
  assert.match(warnings[0]!, /objects\[11\] \(indicator--00000000-0000-4000-8000-00000000000b\): pattern_type "yara" is not read \(only stix\)/);
  assert.match(warnings[0]!, /objects\[12\] \(indicator--00000000-0000-4000-8000-00000000000c\): unsupported: AND of comparisons/);

  // validity follows the clock: a day later 192.0.2.80 is valid and 192.0.2.90 has expired
  const later = p.process([ev({ ip: '192.0.2.80' }), ev({ ip: '192.0.2.90' })], { nowMs: NOW + DAY + 1, warn: () => {} });
  assert.deepEqual(later.map(tag), ['ip 192.0.2.80 -', 'none']);
});

test('a bad bundle fails the build naming the object; on_invalid: skip leaves it out', () => {
  const bad = (objects: unknown[]) => JSON.stringify({ type: 'bundle', id: 'bundle--1', objects });
  const ok = indicator('00000000-0000-4000-8000-000000000001', "[ipv4-addr:value = '198.51.100.7']");
  const dir = dirWith({
    'broken.json': '{"type": "bundle", "objects": [',
    'notbundle.json': '{"type": "indicator"}',
    'nofrom.json': bad([ok, { ...indicator('00000000-0000-4000-8000-000000000002', "[ipv4-addr:value = '198.51.100.8']"), valid_from: undefined }]),
    'syntax.json': bad([ok, indicator('00000000-0000-4000-8000-000000000003', "[ipv4-addr:value = '1.2.3.4'")]),
    'badip.json': bad([indicator('00000000-0000-4000-8000-000000000004', "[ipv4-addr:value = '300.1.1.1']")]),
    'noid.json': bad([ok, { type: 'indicator' }]),
    'until.json': bad([indicator('00000000-0000-4000-8000-000000000005', "[ipv4-addr:value = '1.2.3.4']", { valid_until: '2024-01-01T00:00:00Z' })]),
  });
  const fails = (file: string, re: RegExp) => assert.throws(() => build(`lists:\n  - { file: ${file} }\nfields: [ip]\n`, dir), re, file);
  fails('broken.json', /lists\[0\]\.file: .*broken\.json: not a STIX bundle: malformed JSON/);
  fails('notbundle.json', /notbundle\.json: not a STIX bundle: expected a JSON object with "type": "bundle"/);
  fails('nofrom.json', /nofrom\.json: objects\[1\] \(indicator--00000000-0000-4000-8000-000000000002\): valid_from: expected an RFC 3339 UTC timestamp \(2024-05-01T00:00:00Z\), got nothing/);
  fails('syntax.json', /syntax\.json: objects\[1\] \(indicator--00000000-0000-4000-8000-000000000003\): pattern: expected "\]" to close the observation expression/);
  fails('badip.json', /objects\[0\] \(indicator--00000000-0000-4000-8000-000000000004\): pattern: "300\.1\.1\.1" is not a valid IP address or CIDR network/);
  fails('noid.json', /noid\.json: objects\[1\]: expected a STIX object with string "type" and "id"/);
  fails('until.json', /valid_until: must be later than valid_from/);
  // skipped instead: the good indicator still matches, the bad one is reported
  const warnings: string[] = [];
  const p = build('lists:\n  - { file: nofrom.json, on_invalid: skip }\nfields: [ip]\n', dir);
  const out = p.process([ev({ ip: '198.51.100.7' }), ev({ ip: '198.51.100.8' })], { nowMs: NOW, warn: (m) => warnings.push(m) });
  assert.deepEqual(out.map((e) => e.fields['threat.matched'] === true), [true, false]);
  assert.match(warnings.join('\n'), /1 entries not used: .*objects\[1\] \(indicator--00000000-0000-4000-8000-000000000002\): invalid, skipped: valid_from/);
});

test('format: stix is read whatever the file is called; a CSV column cannot be combined with it', () => {
  const dir = dirWith({ 'feed.txt': JSON.stringify(BUNDLE) });
  const p = build('lists:\n  - { name: cert, file: feed.txt, format: stix }\nfields: [ip]\n', dir);
  assert.equal(p.process([ev({ ip: '198.51.100.7' })], { nowMs: NOW, warn: () => {} })[0]!.fields['threat.matched'], true);
  assert.throws(() => build('lists:\n  - { file: feed.txt, format: stix, column: x }\nfields: [ip]\n', dir), /lists\[0\]\.column: a STIX bundle has no columns/);
});
