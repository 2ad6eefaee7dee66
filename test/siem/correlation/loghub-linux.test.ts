// Real data: the Loghub Linux sample (2000 syslog lines from 2005, CRLF) through the Sigma correlations of
// examples/detections/failed-logons-single-source.yml. The brute-force event_count fires for every remote host with
// ten PAM authentication failures within 10 minutes, and repeats fold into one incident per attack; the value_count
// rewrite of SigmaHQ's legacy rule stays silent, as every failure in the sample targets root or an unknown user.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DetectionEngine } from '../../../src/siem/detection-engine.ts';
import { IncidentStore } from '../../../src/siem/incident-store.ts';
import { loadRulePaths } from '../../../src/siem/rule-set.ts';
import { parseMapping } from '../../../src/siem/sigma/logsource-mapping.ts';
import type { SiemAlert } from '../../../src/siem/alert.ts';
import type { StreamEntries } from '../../../src/model/record.ts';

const LOGHUB = path.resolve(import.meta.dirname, '../../../../shared/data/loghub/Linux/Linux_2k.log');
const RULES = path.resolve(import.meta.dirname, '../../../examples/detections/failed-logons-single-source.yml');
const MAPPING = `logsources:\n  - logsource: {product: linux, service: auth}\n    query: '{facility=~"auth|authpriv"} | logfmt'\n`;

/** The sample as the RFC 3164 syslog listener stores it: service = TAG, host; PAM programs on facility authpriv. */
function records(): StreamEntries[] {
  const streams = new Map<string, StreamEntries>();
  let seq = 0;
  for (const l of readFileSync(LOGHUB, 'utf8').split(/\r?\n/)) {
    const m = /^(\w{3})\s+(\d+) ([\d:]{8}) (\S+) ([^[:]+)(?:\[\d+\])?: (.*)$/.exec(l);
    if (!m) continue;
    const labels = { host: m[4]!, service: m[5]!, facility: m[5]!.includes('pam') ? 'authpriv' : 'daemon' };
    const key = JSON.stringify(labels);
    let s = streams.get(key);
    if (!s) streams.set(key, (s = { labels, ts: [], lines: [], metadata: [] }));
    // whole seconds in the sample: the line's order breaks ties
    s.ts.push(BigInt(Date.parse(`${m[1]} ${m[2]} 2005 ${m[3]} UTC`)) * 1_000_000n + BigInt(seq++));
    s.lines.push(m[6]!);
    s.metadata.push(undefined);
  }
  return [...streams.values()];
}

test('Loghub Linux: brute force from single sources found, repeats folded into incidents', () => {
  const streams = records();
  assert.equal(streams.reduce((n, s) => n + s.ts.length, 0), 2000);
  const set = loadRulePaths([RULES], parseMapping(MAPPING, 'mapping.yaml'));
  assert.deepEqual(set.failures, []);
  const alerts: SiemAlert[] = [];
  const incidents = new IncidentStore(undefined);
  const e = new DetectionEngine({ rules: set, clockWatermark: false, reorderWindowMs: 0, incidents, onAlert: (a) => alerts.push(a) });
  e.onCommitted({ tenant: 'default', streams, entries: 2000, bytes: 0 });
  e.flush();
  assert.ok(alerts.every((a) => a.title === 'SSH Brute Force from a Single Source - Linux'), 'the value_count rule stays silent');
  assert.equal(alerts.length, 37);
  const top = alerts.filter((a) => a.group.rhost === '150.183.249.110');
  assert.equal(top.length, 8, '80 failures from it: one alert per ten (reset after each)');
  assert.ok(top.every((a) => a.incident_id === top[0]!.incident_id && a.event_count === 10));
  assert.equal(new Date(Number(BigInt(top[0]!.first_ts) / 1_000_000n)).toISOString(), '2005-07-10T16:01:43.000Z');
  assert.equal(incidents.list('default', { limit: 1000 }).length, 28);
  const [byRule, ...more] = incidents.list('default', { entity: '150.183.249.110' });
  assert.equal(more.length, 0);
  assert.equal(byRule!.event_count, 80);
  assert.equal(byRule!.alerts.length, 8);
  assert.equal(byRule!.severity, 'high');
  assert.equal(byRule!.sigma?.author, 'Sightline');
});
