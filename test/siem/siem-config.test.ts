// The SIEM config file: the example config loads every rule it names; bad keys and values fail with file:line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadSiemConfig, parseSiemConfig } from '../../src/siem/siem-config.ts';
import { loadedCount, loadRulePaths } from '../../src/siem/rule-set.ts';
import { SiemService } from '../../src/siem/siem-service.ts';

const EXAMPLE = path.resolve(import.meta.dirname, '../../examples/siem/siem.yaml');

test('the example config loads the guide rule, the example correlations and every SigmaHQ linux/web/AWS rule', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'siem-config-'));
  const logs: string[] = [];
  try {
    const config = loadSiemConfig(EXAMPLE);
    assert.equal(config.reorderWindowMs, 10_000);
    assert.equal(config.mapping, path.resolve(path.dirname(EXAMPLE), 'sigma-mapping.yaml'));
    const s = new SiemService({ dataDir: dir, config, log: (m) => logs.push(m) });
    const st = s.ruleStatus();
    assert.deepEqual(st.failures, []);
    // 262 SigmaHQ rules and every rule in examples/detections (other examples come and go: counted from the folder)
    const examples = loadedCount(loadRulePaths([path.resolve(path.dirname(EXAMPLE), '../detections')]));
    assert.equal(st.loaded, 262 + examples);
    assert.ok(examples >= 6, `${examples} example rules`);
    assert.deepEqual(logs, []);
    assert.match(s.metrics.render(), /sightline_siem_records_evaluated_total 0/);
    await s.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('config errors name the file, line and key', () => {
  assert.throws(() => parseSiemConfig('rules: [a]\nreorder: 5s\n', '/etc/siem.yaml'), /\/etc\/siem\.yaml:2: reorder: unknown key \(expected one of rules, mapping/);
  assert.throws(() => parseSiemConfig('rules: [a]\nreorder_window: soon\n', 'siem.yaml'), /siem\.yaml:2: reorder_window: expected a duration like 500ms, 30s, 5m, 12h or 7d, got "soon"/);
  assert.throws(() => parseSiemConfig('mapping: m.yaml\n', 'siem.yaml'), /siem\.yaml:1: rules: is required/);
  assert.throws(() => loadSiemConfig('/nonexistent/siem.yaml'), /\/nonexistent\/siem\.yaml: cannot read the SIEM config/);
});

test('enrichment threat_intel_lists: files resolve against the config, URLs are kept, not both in one entry', () => {
  const c = parseSiemConfig(
    'rules: [r]\nenrichment:\n  threat_intel_lists:\n    - {name: local, file: iocs.txt}\n    - {name: cert, url: "https://intel.example/bundle.json", headers_env: {Authorization: INTEL_AUTH}}\n',
    '/etc/sightline/siem.yaml',
  );
  assert.deepEqual(c.threatIntelLists, [
    { name: 'local', file: '/etc/sightline/iocs.txt' },
    { name: 'cert', url: 'https://intel.example/bundle.json', headers_env: { Authorization: 'INTEL_AUTH' } },
  ]);
  assert.throws(
    () => parseSiemConfig('rules: [r]\nenrichment:\n  threat_intel_lists:\n    - {file: a.txt, url: "https://x.example/a"}\n', 's.yaml'),
    /s\.yaml:4: enrichment\.threat_intel_lists\[0\]: expected either file: or url:/,
  );
});
