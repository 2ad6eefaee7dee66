// Alert enrichment with the pipeline's processors: GeoIP from the bundled DB-IP City Lite database, threat
// intelligence from an indicator list file, and the threat.* fields the pipeline already set on linked records.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Enricher } from '../../../src/siem/actions/enrichment.ts';
import { renderTemplate, checkTemplate } from '../../../src/siem/actions/payload-template.ts';
import type { SiemAlert } from '../../../src/siem/alert.ts';

const alert = (ips: string[]): SiemAlert => ({
  alert_id: 'x', tenant: 'default', kind: 'native', rule: 'r', title: 't', severity: 'high', group: {}, first_ts: '0', last_ts: '0', event_count: 1,
  events: [{ ts: '1', labels: {}, stream: '{}', line: 'l', step: 's', fields: { 'threat.indicator': 'evil.example', 'threat.type': 'domain', 'threat.list': 'feeds', 'threat.value': 'cdn.evil.example' } }],
  entities: { user: [], ip: ips, host: [] }, tags: [], notify: true, created_ms: 0,
});

test('geo_ip and threat_intel enrich the alert\'s addresses', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'enrich-'));
  try {
    writeFileSync(path.join(dir, 'bad-ips.txt'), '# test list\n198.51.100.0/24\n');
    const e = new Enricher({ configDir: dir, threatLists: [{ name: 'bad-ips', file: 'bad-ips.txt' }] });
    const out = e.enrich(alert(['8.8.8.8', '198.51.100.23']), ['geo_ip', 'threat_intel']);
    const geo = out.geo_ip as Record<string, Record<string, unknown>>;
    assert.equal(geo['8.8.8.8']!.country_code, 'US');
    assert.equal(geo['198.51.100.23']!.private, true, 'documentation range: tagged, not looked up');
    const ti = out.threat_intel as { checked: number; matches: Record<string, unknown>[] };
    assert.equal(ti.checked, 2);
    assert.deepEqual(ti.matches[0], { value: '198.51.100.23', indicator: '198.51.100.0/24', type: 'ip', list: 'bad-ips' });
    assert.equal(ti.matches[1]!.indicator, 'evil.example');
    const none = new Enricher({ configDir: dir }).enrich(alert(['1.1.1.1']), ['threat_intel']);
    assert.match(String((none.threat_intel as { note: string }).note), /no indicator lists configured/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('webhook payload templates escape values inside JSON and refuse unknown placeholders', () => {
  const data = { group: { user_id: 'ad"min' }, entities: { ip: ['1.2.3.4', '5.6.7.8'] }, incident: { id: 'inc-1' } };
  assert.equal(renderTemplate('{"u": "{{group.user_id}}", "ips": "{{ entities.ip }}", "i": "{{incident.id}}", "x": "{{group.none}}"}', data, true), '{"u": "ad\\"min", "ips": "1.2.3.4,5.6.7.8", "i": "inc-1", "x": ""}');
  assert.equal(renderTemplate('http://h/users/{{group.user_id}}', { group: { user_id: 'bob' } }, false), 'http://h/users/bob');
  assert.throws(() => checkTemplate('{{user}}'), /unknown placeholder \{\{user\}\}/);
});
