// Silences and the notification log on a real server, through the Alertmanager v2 API and the `sightline alerts`
// CLI: a silenced alert is listed as suppressed and not notified, expiring the silence notifies it, bad silences are
// refused with the reason, and the notification log shows what was sent to whom; Alertmanager's amtool as a client.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getJson, nowNs, push, withServer } from './harness.ts';
import { alertingDirs, alertRuleFile, captureServer, findGoTool, run, sightline, waitFor, webhookAlertingConfig } from './alerting-harness.ts';

const cli = (args: string[]) => sightline(['alerts', ...args], 60_000);

test('silences through the API and the CLI; the notification log', async () => {
  const hook = await captureServer<{ status: string; alerts: { labels: Record<string, string> }[] }>();
  const received = hook.received;
  const fx = alertingDirs({
    rules: { r: alertRuleFile({ alert: 'Errors', expr: 'sum by (service) (count_over_time({level="error"}[10m])) > 0', annotations: { summary: '{{ $labels.service }} errors' } }) },
    alerting: webhookAlertingConfig(`${hook.base}/hook`),
  });
  try {
    await withServer(fx.config, async (s) => {
      const common = ['--server', s.url];
      const add = await cli(['silence', 'add', 'service="auth"', '--duration', '1h', '--comment', 'auth maintenance', '--author', 'ops@example.com', ...common]);
      assert.equal(add.code, 0, add.stderr);
      const id = add.stdout.trim();
      assert.match(id, /^[0-9a-f-]{36}$/);

      const t = nowNs();
      await push(s.url, [
        { stream: { service: 'auth', level: 'error' }, values: [[String(t), 'denied']] },
        { stream: { service: 'payment', level: 'error' }, values: [[String(t), 'timeout']] },
      ]);
      await waitFor('the payment notification', () => received.length > 0);
      const listed = await waitFor('both alerts listed', async () => {
        const { body } = await getJson(s.url, '/alertmanager/api/v2/alerts');
        return body.length === 2 && body;
      });
      const auth = listed.find((a: { labels: { service: string } }) => a.labels.service === 'auth');
      assert.deepEqual(auth.status, { state: 'suppressed', silencedBy: [id], inhibitedBy: [] });
      assert.deepEqual(auth.receivers, [{ name: 'hook' }]);
      assert.match(auth.fingerprint, /^[0-9a-f]{16}$/);
      assert.equal((await getJson(s.url, '/alertmanager/api/v2/alerts?silenced=false')).body.length, 1);
      assert.equal((await getJson(s.url, `/alertmanager/api/v2/alerts?filter=${encodeURIComponent('service="auth"')}`)).body.length, 1);

      const list = await cli(['list', ...common]);
      assert.match(list.stdout, /^suppressed since \S+ \{alertname="Errors", service="auth"\} → hook  auth errors$/m);
      assert.match(list.stdout, /^active +since \S+ \{alertname="Errors", service="payment"\} → hook  payment errors$/m);

      const silences = await cli(['silence', 'list', ...common]);
      assert.match(silences.stdout, new RegExp(`^${id} active +until \\S+ \\{service="auth"\\} by ops@example\\.com: auth maintenance$`, 'm'));
      const one = await getJson(s.url, `/alertmanager/api/v2/silence/${id}`);
      assert.equal(one.body.status.state, 'active');
      assert.deepEqual(one.body.matchers, [{ name: 'service', value: 'auth', isRegex: false, isEqual: true }]);
      assert.equal(one.body.createdBy, 'ops@example.com');

      assert.deepEqual(received.flatMap((n) => n.body.alerts.map((a) => a.labels.service)), ['payment'], 'the silenced alert was not notified');
      const expire = await cli(['silence', 'expire', id, ...common]);
      assert.equal(expire.code, 0, expire.stderr);
      await waitFor('the auth notification once unsilenced', () => received.some((n) => n.body.alerts.some((a) => a.labels.service === 'auth')));
      assert.match((await cli(['silence', 'list', '--expired', ...common])).stdout, new RegExp(`^${id} expired`, 'm'));
      assert.equal((await cli(['silence', 'list', ...common])).stdout, '');

      // refused silences say why
      const bad = await fetch(`${s.url}/alertmanager/api/v2/silences`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ matchers: [{ name: 'service', value: '.*', isRegex: true }], endsAt: new Date(Date.now() + 3600_000).toISOString(), createdBy: 'x', comment: 'y' }) });
      assert.equal(bad.status, 400);
      assert.match(((await bad.json()) as { error: string }).error, /at least one matcher must not match the empty string/);
      const noComment = await cli(['silence', 'add', 'service="x"', '--duration', '1h', ...common]);
      assert.equal(noComment.code, 2);
      assert.match(noComment.stderr, /needs --comment/);
      assert.equal((await cli(['silence', 'expire', 'no-such-id', ...common])).code, 1);

      const log = await cli(['notifications', '--receiver', 'hook', ...common]);
      assert.equal(log.code, 0, log.stderr);
      const lines = log.stdout.trimEnd().split('\n');
      assert.match(lines[0], /^\S+ sent +hook\/webhook\[0\] firing 1 alert \{\}:\{alertname="Errors", service="auth"\} \(attempt 1\)$/);
      assert.match(lines[1], /^\S+ sent +hook\/webhook\[0\] firing 1 alert \{\}:\{alertname="Errors", service="payment"\} \(attempt 1\)$/);
      assert.equal(lines.at(-1), '0 waiting in the outbox');
    });
  } finally {
    hook.close();
    fx.remove();
  }
});

test("Alertmanager's own amtool manages silences on Sightline", async (t) => {
  const amtool = findGoTool('amtool', 'SIGHTLINE_AMTOOL_BIN');
  if (!amtool) {
    t.skip('no amtool: go install github.com/prometheus/alertmanager/cmd/amtool@v0.27.0 (or set SIGHTLINE_AMTOOL_BIN)');
    return;
  }
  await withServer({}, async (s) => {
    const url = `--alertmanager.url=${s.url}/alertmanager`;
    const add = await run(amtool, [url, 'silence', 'add', 'service=payment', '--comment=provider maintenance', '--duration=1h', '--author=alice']);
    assert.equal(add.code, 0, add.stderr);
    const id = add.stdout.trim();
    const query = await run(amtool, [url, 'silence', 'query']);
    assert.match(query.stdout, new RegExp(`^${id}\\s+service="payment"\\s+.+\\s+alice\\s+provider maintenance\\s*$`, 'm'));
    assert.equal((await run(amtool, [url, 'silence', 'expire', id])).code, 0);
    assert.equal((await run(amtool, [url, 'silence', 'query', '-q'])).stdout.trim(), '');
    assert.equal((await run(amtool, [url, 'alert', 'query'])).code, 0);
  });
});
