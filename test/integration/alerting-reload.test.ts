// Live reload of the alerting config on a real server process: a malformed file is refused with file:line (log,
// status API, metric) while the previous config keeps delivering; a good file replaces receivers and routes without a
// restart; notifications queued for a receiver that stays are delivered once it is back up; those of a receiver the
// reload removed are recorded as failed with the reason; SIGHUP reloads too.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getJson, nowNs, push, spawnServer } from './harness.ts';
import { alertingDirs, alertRuleFile, captureServer, reEscape, sightline, waitFor } from './alerting-harness.ts';

test('the alerting config reloads on change and SIGHUP; a bad file keeps the old one; queued notifications are kept or failed with a reason', async () => {
  // receivers a and b start down (503)
  const hook = await captureServer<{ alerts: { labels: Record<string, string> }[] }>();
  hook.down.add('/a').add('/b');
  const received = () => hook.received.map((r) => ({ path: r.path, services: r.body.alerts.map((a) => a.labels.service) }));
  const fx = alertingDirs({ rules: { r: alertRuleFile({ alert: 'Errors', expr: 'sum by (service) (count_over_time({level="error"}[10m])) > 0' }) } });
  const file = fx.alertingConfigFile;
  const config = (receivers: string[], authTo: string) =>
    `route:\n  receiver: a\n  group_by: [alertname, service]\n  group_wait: 0s\n  group_interval: 1s\n  routes:\n    - matchers: ['service="auth"']\n      receiver: ${authTo}\n` +
    `receivers:\n${receivers.map((r) => `  - name: ${r}\n    webhook_configs:\n      - url: ${hook.base}/${r}\n`).join('')}outbox:\n  min_backoff: 200ms\n  max_backoff: 200ms\n`;
  fx.writeAlertingConfig(config(['a', 'b'], 'b'));
  const server = await spawnServer(fx.dataDir, fx.args);
  let stderr = '';
  server.proc.stderr!.on('data', (d) => (stderr += d));
  const status = async () => (await getJson(server.url, '/api/v1/alerting/status')).body.data;
  const history = async (q: string) => (await getJson(server.url, `/api/v1/alerting/notifications?${q}`)).body.data.notifications as { receiver: string; result: string; error?: string; groupKey: string }[];
  const metric = async (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(await (await fetch(`${server.url}/metrics`)).text())?.[1]);
  try {
    assert.deepEqual(await status(), {
      configFile: file, reloadable: true, lastReloadSuccessful: true, loadedAt: (await status()).loadedAt, lastError: null,
      reloads: { success: 0, failure: 0 }, receivers: ['a', 'b'], pending: 0,
    });
    const t = nowNs();
    await push(server.url, [
      { stream: { service: 'auth', level: 'error' }, values: [[String(t), 'denied']] },
      { stream: { service: 'payment', level: 'error' }, values: [[String(t), 'timeout']] },
    ]);
    // both receivers are down: one notification each waits in the outbox, retried
    await waitFor('a and b retrying', async () => {
      const h = await history('result=retrying');
      return h.some((r) => r.receiver === 'a') && h.some((r) => r.receiver === 'b');
    });

    // a malformed file: refused with file:line, the old config keeps running
    fx.writeAlertingConfig(config(['a', 'b'], 'b').replace('  group_wait: 0s\n', '  group_wait: 0s\n  group_by_label: oops\n'));
    const failed = await waitFor('the failed reload', async () => {
      const s = await status();
      return !s.lastReloadSuccessful && s;
    });
    assert.equal(failed.lastError, `${file}:5: route.group_by_label: unknown key (expected one of receiver, group_by, group_wait, group_interval, repeat_interval, matchers, match, match_re, continue, mute_time_intervals, active_time_intervals, routes)`);
    assert.deepEqual(failed.reloads, { success: 0, failure: 1 });
    assert.deepEqual(failed.receivers, ['a', 'b']);
    assert.equal(await metric('sightline_alerting_config_last_reload_successful'), 0);
    assert.equal(await metric('sightline_alerting_config_reload_failures_total'), 1);
    assert.match(stderr, new RegExp(`reload of the alerting config ${reEscape(file)} \\(file changed\\) failed, the previous config keeps running: .*alerting\\.yaml:5: route\\.group_by_label: unknown key`));
    assert.ok((await status()).pending >= 2, 'nothing queued was lost');
    const cliFailed = await sightline(['alerts', 'status', '--server', server.url], 60_000);
    assert.equal(cliFailed.code, 1, 'alerts status exits 1 while the file on disk does not load');
    assert.match(cliFailed.stdout, /^receivers  a, b; \d+ waiting in the outbox$/m);
    assert.match(cliFailed.stdout, /last reload FAILED, the previous config keeps running:\n.*alerting\.yaml:5: route\.group_by_label: unknown key/);

    // a good file: b is removed, auth now goes to c; a stays (and is still down)
    fx.writeAlertingConfig(config(['a', 'c'], 'c'));
    const ok = await waitFor('the successful reload', async () => {
      const s = await status();
      return s.lastReloadSuccessful && s.reloads.success === 1 && s;
    });
    assert.equal(ok.lastError, null);
    assert.deepEqual(ok.receivers, ['a', 'c']);
    assert.equal(await metric('sightline_alerting_config_last_reload_successful'), 1);
    const cliOk = await sightline(['alerts', 'status', '--server', server.url], 60_000);
    assert.equal(cliOk.code, 0, cliOk.stdout + cliOk.stderr);
    assert.match(cliOk.stdout, /^loaded at  \S+; reloads: 1 ok, 1 failed$/m);
    const bFailed = await waitFor('b recorded as failed', async () => (await history('receiver=b&result=failed'))[0]);
    assert.match(bFailed.error ?? '', /^receiver "b" \(webhook\[0\]\) was removed from the alerting config by a reload \(file changed\)$/);
    assert.equal(bFailed.groupKey, '{}/{service="auth"}:{alertname="Errors", service="auth"}');
    await waitFor('auth re-routed to c', () => received().some((r) => r.path === '/c' && r.services.includes('auth')));
    assert.ok(!received().some((r) => r.path === '/a'), 'a is still down');
    hook.down.delete('/a');
    await waitFor('the notification queued for a before the reload, delivered', () => received().some((r) => r.path === '/a' && r.services.includes('payment')));
    assert.equal(received().filter((r) => r.path === '/a').length, 1, 'once');
    assert.ok(!received().some((r) => r.path === '/b'));

    // SIGHUP reloads the unchanged file too (the watcher would not)
    server.proc.kill('SIGHUP');
    await waitFor('the SIGHUP reload', async () => (await status()).reloads.success === 2);
    assert.match(stderr, /reloaded the alerting config .*alerting\.yaml \(SIGHUP\): 2 receivers \(a, c\)/);
    // unchanged routes and receivers: nobody hears again what they were told
    const before = hook.received.length;
    const evals = await metric('sightline_rule_group_evaluations_total');
    // three more evaluations, each handing the firing alerts over, with group_interval 1s: flushes have run
    await waitFor('three more evaluations', async () => (await metric('sightline_rule_group_evaluations_total')) >= evals + 3);
    assert.equal(hook.received.length, before, 'no re-notification after a reload that changed nothing');
  } finally {
    await server.stop();
    hook.close();
    fx.remove();
  }
});
