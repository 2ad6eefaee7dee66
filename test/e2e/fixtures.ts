// Servers' data for the e2e tests of the Alerts and Detections pages (and the accessibility checks of them): an
// alert rule with a webhook receiver, the guide's account-takeover detection rule, and the scenario that fires it.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { getJson, nowNs, push, REPO, tempDir } from '../integration/harness.ts';

/** The alert rule's expression. */
export const EXPR = 'sum by (service) (count_over_time({level="error"}[10m])) > 0';

/** A data dir with one alert rule (ErrorsLogged in group service-health), an alerting config sending to `hookUrl`. */
export function alertingSetup(hookUrl: string): { dir: string; dataDir: string; alertingConfigFile: string } {
  const dir = tempDir('sightline-e2e-alerts-');
  const dataDir = path.join(dir, 'data');
  mkdirSync(path.join(dataDir, 'rules', 'default'), { recursive: true });
  writeFileSync(
    path.join(dataDir, 'rules', 'default', 'r.yaml'),
    `groups:\n  - name: service-health\n    interval: 1s\n    rules:\n      - alert: ErrorsLogged\n        expr: ${EXPR}\n        labels:\n          severity: page\n        annotations:\n          summary: "{{ $labels.service }} logs errors"\n`,
  );
  const alertingConfigFile = path.join(dir, 'alerting.yaml');
  writeFileSync(alertingConfigFile, `route:\n  receiver: oncall\n  group_by: [alertname, service]\n  group_wait: 0s\n  group_interval: 1s\nreceivers:\n  - name: oncall\n    webhook_configs:\n      - url: ${hookUrl}\n`);
  return { dir, dataDir, alertingConfigFile };
}

/** A SIEM config running the guide's brute-force-then-escalation rule (`related`: with related records searched). */
export function siemSetup(opts: { related?: boolean } = {}): { dir: string; siemFile: string } {
  const dir = tempDir('sightline-e2e-detections-');
  mkdirSync(path.join(dir, 'detections'));
  const rule = readFileSync(path.join(REPO, 'examples', 'detections', 'brute-force-then-escalation.yaml'), 'utf8');
  const enrich = '  - enrich: add geo_ip, threat_intel lookup\n';
  if (opts.related && !rule.includes(enrich)) throw new Error('the example rule no longer has the enrich action this fixture extends');
  writeFileSync(path.join(dir, 'detections', 'rule.yaml'), opts.related ? rule.replace(enrich, '  - enrich: add geo_ip, threat_intel lookup, related records\n') : rule);
  const siemFile = path.join(dir, 'siem.yaml');
  writeFileSync(siemFile, 'rules:\n  - detections\nreorder_window: 1s\n');
  return { dir, siemFile };
}

/** The guide's scenario: five failed logins for alice, a success, then alice added to sudo. */
export async function pushAttack(url: string): Promise<string> {
  const t0 = nowNs(-120_000);
  const at = (sec: number) => String(t0 + BigInt(sec) * 1_000_000_000n);
  const failed = Array.from({ length: 5 }, (_, i) => [at(i * 10), `Failed password for alice from 203.0.113.7 port ${40000 + i} ssh2`]);
  await push(url, [{ stream: { service: 'sshd', host: 'bastion' }, values: [...failed, [at(70), 'Accepted password for alice from 203.0.113.7 port 40100 ssh2']] }]);
  await push(url, [{ stream: { service: 'usermod', host: 'bastion' }, values: [[at(100), "add 'alice' to group 'sudo'"]] }]);
  for (let i = 0; i < 150; i++) {
    const { body } = await getJson(url, '/api/v1/siem/incidents');
    if (body.incidents?.length) return body.incidents[0].id as string;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no incident was raised');
}
