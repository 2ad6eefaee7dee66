// The "done when", end to end on a running server: a user drops the guide's example rule
// (examples/rules/error-rate.yaml, its interval and `for` shortened for the test) into the rules directory of a server
// that is not restarted, error lines arrive, and a Slack incoming-webhook message (Block Kit) reaches a local capture
// server at the secret URL, naming the service, its error share and a link to the query; the secret stays out of
// the notification log.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { getJson, nowNs, push, REPO, withServer } from './harness.ts';
import { alertingDirs, captureServer, waitFor } from './alerting-harness.ts';

interface SlackMessage {
  text: string;
  blocks: { type: string; text?: { type: string; text: string }; fields?: { text: string }[]; elements?: { type: string; text: unknown; url?: string }[] }[];
}

test('a rule file added to a running server: the Slack message arrives, nothing restarted', async () => {
  const slack = await captureServer<SlackMessage>();
  const messages = slack.received;
  const secretPath = '/services/T0000/B0000/XXXXsecretXXXX';
  const fx = alertingDirs(); // no rules yet
  const slackUrlFile = path.join(fx.dir, 'slack-url');
  writeFileSync(slackUrlFile, `${slack.base}${secretPath}\n`);
  fx.writeAlertingConfig(`route:\n  receiver: slack\n  group_by: [alertname, service]\n  group_wait: 0s\n  group_interval: 1s\nreceivers:\n  - name: slack\n    slack_configs:\n      - api_url_file: ${slackUrlFile}\n        channel: '#alerts'\n`);
  try {
    await withServer(fx.config, async (s) => {
      assert.deepEqual((await getJson(s.url, '/prometheus/api/v1/rules')).body.data.groups, []);
      const t = nowNs(-1000);
      const lines = (service: string, errors: number) => ({
        stream: { service, level: 'info' },
        values: Array.from({ length: 100 - errors }, (_, i) => [String(t + BigInt(i)), `ok ${i}`]),
      });
      const errs = (service: string, n: number) => ({ stream: { service, level: 'error' }, values: Array.from({ length: n }, (_, i) => [String(t + BigInt(i)), `failed ${i}`]) });
      // payment: 10 errors in 100 lines (10%, above 5%); auth: 1 in 100 (1%)
      assert.equal((await push(s.url, [lines('payment', 10), errs('payment', 10), lines('auth', 1), errs('auth', 1)])).status, 204);

      const example = readFileSync(path.join(REPO, 'examples', 'rules', 'error-rate.yaml'), 'utf8');
      const fast = example.replace('interval: 30s', 'interval: 1s').replace('for: 1m', 'for: 0s');
      assert.notEqual(fast, example);
      fx.writeRules('error-rate', fast);

      const [msg] = await waitFor('the Slack message', () => messages.length > 0 && messages);
      assert.equal(msg.path, secretPath);
      assert.equal(msg.body.text, '[FIRING:1] HighErrorRate (payment)');
      assert.equal((msg.body as unknown as { channel: string }).channel, '#alerts');
      const [header, section, context, actions] = msg.body.blocks;
      assert.deepEqual(header, { type: 'header', text: { type: 'plain_text', text: '[FIRING:1] HighErrorRate (payment)' } });
      assert.match(section.text!.text, /^:red_circle: \*payment: 10% of lines are errors\*\nMore than 5% of the lines payment wrote over the last 5 minutes are at level error \(10%\)\.$/);
      assert.deepEqual(section.fields!.map((f) => f.text), ['*service*\npayment', '*severity*\nwarning']);
      assert.equal(context.type, 'context');
      assert.equal(actions.type, 'actions');
      const link = new URL(actions.elements![0].url!);
      assert.equal(link.origin, s.url, 'the button opens the query on this server');
      assert.match(link.searchParams.get('query') ?? link.hash, /count_over_time\(\{level="error"\}\[5m\]\)/);
      assert.ok(!messages.some((m) => JSON.stringify(m.body).includes('auth')), 'auth (1%) does not fire');

      const log = await waitFor('the notification log', async () => {
        const { body } = await getJson(s.url, '/api/v1/alerting/notifications?receiver=slack');
        return body.data.notifications.length > 0 && body.data.notifications;
      });
      assert.equal(log[0].result, 'sent');
      assert.equal(log[0].integration, 'slack[0]');
      assert.equal(JSON.stringify(log).includes('XXXXsecretXXXX'), false, 'the webhook URL (a secret) is not in the log');
    });
  } finally {
    slack.close();
    fx.remove();
  }
});
