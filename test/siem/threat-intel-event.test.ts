// A threat-intelligence match as a rule's event: the pipeline's threat_intel processor tags records (`threat.*`
// structured metadata); a native rule's event selects them with `| threat_matched="true"` (the LogQL name of
// `threat.matched`). Over the loghub Linux sample, with counts checked independently against the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigNode } from '../../src/config/config-node.ts';
import { eventsToBatches } from '../../src/pipeline/event-batch.ts';
import type { PipelineEvent } from '../../src/pipeline/event.ts';
import { threatIntelProcessor } from '../../src/pipeline/processors/threat-intel.ts';
import { DetectionEngine } from '../../src/siem/detection-engine.ts';
import { formatFailure, loadRuleTexts } from '../../src/siem/rule-set.ts';
import type { SiemAlert } from '../../src/siem/alert.ts';

const LINUX = path.resolve(import.meta.dirname, '../../../shared/data/loghub/Linux/Linux_2k.log');

const RULE = `
rule: known_scanner
title: login attempts from a listed scanner
severity: high
events:
  ioc_hit: '{service="sshd"} | threat_matched="true"'
sequence:
  - event: ioc_hit
    count: ">= 3"
    within: 1h
    group_by: threat_value
`;

test('threat-intel match as a rule event: listed addresses tagged by the pipeline raise alerts per address', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'siem-ioc-'));
  try {
    writeFileSync(path.join(dir, 'scanners.txt'), '150.183.249.110\n218.188.2.0/24\n');
    const processor = threatIntelProcessor.build(ConfigNode.parse('type: threat_intel\nlists:\n  - { name: scanners, file: scanners.txt }\nfields: [rhost]\n', 'p.yaml'), { configDir: dir });
    const lines = readFileSync(LINUX, 'utf8').split('\n').filter((l) => l.length > 0);
    // one record per line, a second apart (the sample's own times lack a year), rhost as the pipeline's regex would set
    const t0 = BigInt(Date.UTC(2005, 5, 14)) * 1_000_000n;
    const events: PipelineEvent[] = lines.map((line, i) => {
      const m = /rhost=(\S+)/.exec(line);
      return { tenant: 'default', ts: t0 + BigInt(i) * 1_000_000_000n, line, labels: { service: 'sshd' }, fields: m ? { rhost: m[1]! } : ({} as Record<string, string>) };
    });
    const tagged = processor.process(events, { nowMs: 0, warn: () => {} });
    const set = loadRuleTexts([{ name: 'ioc.yaml', text: RULE }]);
    assert.deepEqual(set.failures.map(formatFailure), []);
    const alerts: SiemAlert[] = [];
    const e = new DetectionEngine({ rules: set, clockWatermark: false, reorderWindowMs: 0, onAlert: (a) => alerts.push(a) });
    for (const b of eventsToBatches(tagged)) e.onCommitted(b);
    e.flush();
    // independently: listed addresses among the rhost values, a match every line that has one
    const hits = lines.map((l) => /rhost=(\S+)/.exec(l)?.[1]).filter((ip): ip is string => ip === '150.183.249.110' || (ip !== undefined && ip.startsWith('218.188.2.')));
    assert.ok(hits.length >= 3, `the sample has ${hits.length} listed addresses`);
    assert.equal(e.metrics.detectionEvents, hits.length);
    const perIp = new Map<string, number>();
    for (const ip of hits) perIp.set(ip, (perIp.get(ip) ?? 0) + 1);
    // the sample spans 2000 s < 1 h: every third hit of an address completes the step, then its group starts over
    let expected = 0;
    for (const n of perIp.values()) expected += Math.floor(n / 3);
    assert.ok(expected > 0);
    assert.equal(alerts.length, expected);
    for (const a of alerts) {
      assert.equal(a.title, 'login attempts from a listed scanner');
      assert.ok(perIp.has(a.group.threat_value!), a.group.threat_value);
      for (const ev of a.events) assert.match(ev.line, new RegExp(`rhost=${a.group.threat_value!.replace(/\./g, '\\.')}`));
      assert.equal(a.events[0]!.fields?.['threat.list'], 'scanners');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
