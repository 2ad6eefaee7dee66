// Forwarding to a real Prometheus Alertmanager: Sightline's ruler fires, the alerting config's `alertmanagers:` list
// POSTs the alert to Alertmanager's /api/v2/alerts, and Alertmanager groups it and calls its own webhook receiver (a
// capture server here). The Alertmanager binary comes from the Go module proxy (see docs/alerting.md); without it
// the test is skipped and says how to get it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { nowNs, push, withServer } from './harness.ts';
import { alertingDirs, alertRuleFile, captureServer, findGoTool, waitFor } from './alerting-harness.ts';

async function freePort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

test('alerts forwarded to a real Alertmanager are grouped and notified by it', async (t) => {
  const bin = findGoTool('alertmanager', 'SIGHTLINE_ALERTMANAGER_BIN');
  if (!bin) {
    t.skip('no alertmanager binary: go install github.com/prometheus/alertmanager/cmd/alertmanager@v0.27.0 (or set SIGHTLINE_ALERTMANAGER_BIN)');
    return;
  }
  const hook = await captureServer<{ version: string; status: string; groupLabels: Record<string, string>; alerts: { labels: Record<string, string>; generatorURL: string }[] }>();
  const amPort = await freePort();
  const fx = alertingDirs({
    rules: { r: alertRuleFile({ alert: 'PaymentErrors', expr: 'sum by (service) (count_over_time({level="error"}[1m])) > 1', labels: { severity: 'critical' }, annotations: { summary: '{{ $labels.service }}: {{ $value }} errors' } }) },
    alerting: `alertmanagers:\n  - url: http://127.0.0.1:${amPort}\n`,
  });
  const amConfig = path.join(fx.dir, 'am.yml');
  writeFileSync(amConfig, `route:\n  receiver: hook\n  group_by: [alertname]\n  group_wait: 1s\n  group_interval: 1s\nreceivers:\n  - name: hook\n    webhook_configs:\n      - url: ${hook.base}/am\n`);
  const am = spawn(bin, [`--config.file=${amConfig}`, `--storage.path=${path.join(fx.dir, 'am-data')}`, `--web.listen-address=127.0.0.1:${amPort}`, '--cluster.listen-address='], { stdio: ['ignore', 'ignore', 'pipe'] });
  let amLog = '';
  am.stderr!.on('data', (d) => (amLog += d));
  try {
    await waitFor('Alertmanager to be ready', async () => (await fetch(`http://127.0.0.1:${amPort}/-/ready`).catch(() => undefined))?.ok);
    await withServer(fx.config, async (s) => {
      const t0 = nowNs();
      assert.equal((await push(s.url, [{ stream: { service: 'payment', level: 'error' }, values: [[String(t0), 'e1'], [String(t0 + 1n), 'e2']] }])).status, 204);
      const n = await waitFor('Alertmanager to notify', () => hook.received[0]?.body);
      assert.equal(n.version, '4');
      assert.equal(n.status, 'firing');
      assert.deepEqual(n.groupLabels, { alertname: 'PaymentErrors' });
      assert.deepEqual(n.alerts[0].labels, { alertname: 'PaymentErrors', service: 'payment', severity: 'critical' });
      assert.match(n.alerts[0].generatorURL, /\/loki\/api\/v1\/query_range\?query=sum%20by/);
      const listed = (await (await fetch(`http://127.0.0.1:${amPort}/api/v2/alerts`)).json()) as { annotations: Record<string, string>; status: { state: string } }[];
      assert.equal(listed.length, 1);
      assert.deepEqual(listed[0].annotations, { summary: 'payment: 2 errors' });
      assert.equal(listed[0].status.state, 'active');
    });
  } catch (e) {
    throw new Error(`${(e as Error).message}\nalertmanager log:\n${amLog.slice(-2000)}`);
  } finally {
    am.kill();
    hook.close();
    fx.remove();
  }
});
