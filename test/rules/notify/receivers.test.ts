// The receivers against local peers: Slack (Block Kit), PagerDuty (Events API v2) and the generic webhook
// (Alertmanager payload v4) against a capture HTTP server, their bodies checked against the documented constraints of
// each format; email against a real SMTP server (the smtp-server package) with STARTTLS and AUTH; secrets from files
// and environment variables, never in error messages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { parseAlertingConfig } from '../../../src/rules/notify/alerting-config.ts';
import { alertFingerprint, type Notification } from '../../../src/rules/notify/notification.ts';
import { DeliveryError, type Integration } from '../../../src/rules/notify/receivers/integration.ts';
import { pagerDutyDedupKey } from '../../../src/rules/notify/receivers/pagerduty.ts';

interface Captured {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

let server: http.Server;
let base = '';
const captured: Captured[] = [];
let nextStatus: number[] = [];
let dir = '';

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'sightline-receivers-'));
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      captured.push({ path: req.url ?? '', headers: req.headers, body: JSON.parse(body) });
      const status = nextStatus.shift() ?? (req.url?.startsWith('/pagerduty') ? 202 : 200);
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(req.url?.startsWith('/pagerduty') ? JSON.stringify({ status: 'success', message: 'Event processed', dedup_key: 'x' }) : status === 200 ? 'ok' : `{"error":"status ${status}"}`);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

function notification(status: 'firing' | 'resolved', n = 1): Notification {
  const alerts = Array.from({ length: n }, (_, i) => {
    const labels = { alertname: 'HighErrorRate', service: i === 0 ? 'payment' : `svc-${i}`, severity: 'warning' };
    return {
      status,
      labels,
      annotations: { summary: `${labels.service}: 7.3% of lines are errors`, description: 'More than 5% <of> lines & more' },
      startsAt: '2024-05-01T12:00:00Z',
      endsAt: status === 'firing' ? '0001-01-01T00:00:00Z' : '2024-05-01T12:10:00Z',
      generatorURL: 'http://127.0.0.1:3100/loki/api/v1/query_range?query=sum%28rate%28%7Blevel%3D%22error%22%7D%5B5m%5D%29%29',
      fingerprint: alertFingerprint(labels),
      value: 0.0734,
    };
  });
  return {
    tenant: 'default',
    receiver: 'team',
    status,
    alerts,
    groupLabels: { alertname: 'HighErrorRate' },
    commonLabels: n === 1 ? alerts[0].labels : { alertname: 'HighErrorRate', severity: 'warning' },
    commonAnnotations: {},
    externalURL: 'http://127.0.0.1:3100',
    groupKey: '{}:{alertname="HighErrorRate"}',
    truncatedAlerts: 0,
  };
}

function integrations(yaml: string): Integration[] {
  const cfg = parseAlertingConfig(yaml, 'alerting.yaml');
  return cfg.receivers.get('team')!;
}

const signal = () => AbortSignal.timeout(5000);

/** Block Kit constraints from Slack's reference (blocks, section, header, context, actions, button, divider). */
function checkSlackMessage(m: Record<string, unknown>): void {
  assert.equal(typeof m.text, 'string');
  const blocks = m.blocks as Record<string, unknown>[];
  assert.ok(Array.isArray(blocks) && blocks.length >= 1 && blocks.length <= 50, 'a message holds 1 to 50 blocks');
  const textObject = (t: unknown, max: number, kinds = ['plain_text', 'mrkdwn']) => {
    const o = t as { type: string; text: string };
    assert.ok(kinds.includes(o.type), `text object type ${o.type}`);
    assert.ok(typeof o.text === 'string' && o.text.length >= 1 && o.text.length <= max, `text of 1..${max} characters`);
    assert.deepEqual(Object.keys(o).sort(), ['text', 'type']);
  };
  for (const b of blocks) {
    switch (b.type) {
      case 'header':
        assert.deepEqual(Object.keys(b).sort(), ['text', 'type']);
        textObject(b.text, 150, ['plain_text']);
        break;
      case 'section': {
        assert.ok(b.text !== undefined || b.fields !== undefined);
        for (const k of Object.keys(b)) assert.ok(['type', 'text', 'fields', 'block_id', 'accessory'].includes(k), `section key ${k}`);
        if (b.text !== undefined) textObject(b.text, 3000);
        const fields = (b.fields ?? []) as unknown[];
        assert.ok(fields.length <= 10, 'at most 10 fields');
        for (const f of fields) textObject(f, 2000);
        break;
      }
      case 'context': {
        const els = b.elements as unknown[];
        assert.ok(els.length >= 1 && els.length <= 10, 'context holds 1 to 10 elements');
        for (const e of els) textObject(e, 3000);
        break;
      }
      case 'actions': {
        const els = b.elements as Record<string, unknown>[];
        assert.ok(els.length >= 1 && els.length <= 25);
        for (const e of els) {
          assert.equal(e.type, 'button');
          textObject(e.text, 75, ['plain_text']);
          assert.ok(typeof e.url === 'string' && (e.url as string).length <= 3000 && /^https?:\/\//.test(e.url as string));
        }
        break;
      }
      case 'divider':
        assert.deepEqual(Object.keys(b), ['type']);
        break;
      default:
        assert.fail(`unexpected block type ${String(b.type)}`);
    }
  }
}

test('slack: a Block Kit message with the summary, labels, value and a link to the query, from a secret file', async () => {
  const urlFile = path.join(dir, 'slack-url');
  writeFileSync(urlFile, `${base}/slack/T000/B000/XXXXsecretXXXX\n`);
  const [slack] = integrations(`route:\n  receiver: team\nreceivers:\n  - name: team\n    slack_configs:\n      - api_url_file: ${urlFile}\n        channel: '#alerts'\n`);
  assert.equal(slack.sendResolved, false, "Alertmanager's default for Slack");
  captured.length = 0;
  await slack.send(notification('firing'), signal());
  const [c] = captured;
  assert.equal(c.path, '/slack/T000/B000/XXXXsecretXXXX');
  assert.equal(c.headers['content-type'], 'application/json');
  const m = c.body as Record<string, unknown>;
  checkSlackMessage(m);
  assert.equal(m.channel, '#alerts');
  assert.equal(m.text, '[FIRING:1] HighErrorRate');
  const blocks = m.blocks as Record<string, any>[];
  assert.equal(blocks[0].text.text, '[FIRING:1] HighErrorRate');
  assert.equal(blocks[1].text.text, ':red_circle: *payment: 7.3% of lines are errors*\nMore than 5% &lt;of&gt; lines &amp; more');
  assert.deepEqual(blocks[1].fields.map((f: { text: string }) => f.text), ['*service*\npayment', '*severity*\nwarning']);
  assert.equal(blocks[2].elements[1].text, 'value 0.0734');
  assert.equal(blocks[3].elements[0].url, notification('firing').alerts[0].generatorURL);

  // many alerts still make a valid message: what does not fit is counted
  captured.length = 0;
  await slack.send(notification('firing', 30), signal());
  const big = captured[0].body as Record<string, any>;
  checkSlackMessage(big);
  assert.match(big.blocks.at(-1).elements[0].text, /^…and 18 more alerts$/);
});

test('pagerduty: Events API v2 trigger and resolve with the same dedup_key, key from the environment', async () => {
  process.env.SIGHTLINE_TEST_PD_KEY = 'R0UT1NGK3Y0123456789abcdefabcdef';
  const [pd] = integrations(`route:\n  receiver: team\nreceivers:\n  - name: team\n    pagerduty_configs:\n      - routing_key_env: SIGHTLINE_TEST_PD_KEY\n        url: ${base}/pagerduty/v2/enqueue\n`);
  captured.length = 0;
  await pd.send(notification('firing'), signal());
  await pd.send(notification('resolved'), signal());
  const [trigger, resolve] = captured.map((c) => c.body as Record<string, any>);
  const dedup = pagerDutyDedupKey('default:{}:{alertname="HighErrorRate"}');
  assert.match(dedup, /^[0-9a-f]{64}$/);
  // the documented trigger event: routing_key, event_action, dedup_key (<= 255), payload.summary (<= 1024), source, severity
  assert.equal(trigger.routing_key, 'R0UT1NGK3Y0123456789abcdefabcdef');
  assert.equal(trigger.event_action, 'trigger');
  assert.equal(trigger.dedup_key, dedup);
  assert.ok(trigger.dedup_key.length <= 255);
  assert.equal(trigger.payload.summary, '[FIRING:1] HighErrorRate: payment: 7.3% of lines are errors');
  assert.ok(trigger.payload.summary.length <= 1024);
  assert.equal(trigger.payload.source, 'payment');
  assert.equal(trigger.payload.severity, 'warning', 'the common severity label, being one PagerDuty knows');
  assert.ok(['critical', 'error', 'warning', 'info'].includes(trigger.payload.severity));
  assert.equal(trigger.payload.timestamp, '2024-05-01T12:00:00Z');
  assert.equal(trigger.payload.custom_details.num_firing, 1);
  assert.equal(trigger.client, 'Sightline');
  assert.equal(trigger.client_url, 'http://127.0.0.1:3100');
  assert.deepEqual(trigger.links, [{ href: notification('firing').alerts[0].generatorURL, text: 'LogQL query' }]);
  assert.deepEqual(resolve, { routing_key: 'R0UT1NGK3Y0123456789abcdefabcdef', event_action: 'resolve', dedup_key: dedup });
});

test('webhook: the Alertmanager payload version 4, with bearer credentials from a file and max_alerts', async () => {
  const cred = path.join(dir, 'token');
  writeFileSync(cred, 's3cr3t-token');
  const [hook] = integrations(`route:\n  receiver: team\nreceivers:\n  - name: team\n    webhook_configs:\n      - url: ${base}/hook\n        max_alerts: 2\n        http_config:\n          authorization:\n            credentials_file: ${cred}\n`);
  captured.length = 0;
  await hook.send(notification('firing', 3), signal());
  const [c] = captured;
  assert.equal(c.headers.authorization, 'Bearer s3cr3t-token');
  const p = c.body as Record<string, any>;
  assert.deepEqual(Object.keys(p).sort(), ['alerts', 'commonAnnotations', 'commonLabels', 'externalURL', 'groupKey', 'groupLabels', 'receiver', 'status', 'truncatedAlerts', 'version']);
  assert.equal(p.version, '4');
  assert.equal(p.status, 'firing');
  assert.equal(p.receiver, 'team');
  assert.equal(p.groupKey, '{}:{alertname="HighErrorRate"}');
  assert.equal(p.truncatedAlerts, 1);
  assert.equal(p.alerts.length, 2);
  assert.deepEqual(Object.keys(p.alerts[0]).sort(), ['annotations', 'endsAt', 'fingerprint', 'generatorURL', 'labels', 'startsAt', 'status']);
  assert.match(p.alerts[0].fingerprint, /^[0-9a-f]{16}$/);
});

test('delivery errors: retryable or not, and never carrying a secret', async () => {
  const [slack] = integrations(`route:\n  receiver: team\nreceivers:\n  - name: team\n    slack_configs:\n      - api_url: ${base}/slack/T1/B1/TOPSECRETPATH\n`);
  nextStatus = [503];
  await assert.rejects(slack.send(notification('firing'), signal()), (e: unknown) => e instanceof DeliveryError && e.retry && /HTTP 503/.test(e.message) && !e.message.includes('TOPSECRETPATH'));
  nextStatus = [400];
  await assert.rejects(slack.send(notification('firing'), signal()), (e: unknown) => e instanceof DeliveryError && !e.retry && /HTTP 400/.test(e.message));
  // a port nothing listens on
  const closed = http.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  const [down] = integrations(`route:\n  receiver: team\nreceivers:\n  - name: team\n    webhook_configs:\n      - url: http://127.0.0.1:${port}/TOPSECRETPATH\n`);
  await assert.rejects(down.send(notification('firing'), signal()), (e: unknown) => e instanceof DeliveryError && e.retry && /ECONNREFUSED/.test(e.message) && !e.message.includes('TOPSECRETPATH'));
});

test('email: over SMTP with STARTTLS and AUTH to a real SMTP server', async () => {
  const cert = path.join(dir, 'smtp.crt');
  const key = path.join(dir, 'smtp.key');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const messages: { from: string; to: string[]; user?: string; secure: boolean; data: string }[] = [];
  const smtp = new SMTPServer({
    key: readFileSync(key),
    cert: readFileSync(cert),
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, cb) {
      if (auth.username === 'alerts@example.com' && auth.password === 'mail-pass') cb(null, { user: auth.username });
      else cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onData(stream, session, cb) {
      let data = '';
      stream.on('data', (d: Buffer) => (data += d.toString('utf8')));
      stream.on('end', () => {
        messages.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), user: session.user as string | undefined, secure: session.secure, data });
        cb();
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
  const port = (smtp.server.address() as AddressInfo).port;
  const pass = path.join(dir, 'smtp-pass');
  writeFileSync(pass, 'mail-pass\n');
  try {
    const [mail] = integrations(`global:\n  smtp_from: sightline@example.com\n  smtp_smarthost: 127.0.0.1:${port}\nroute:\n  receiver: team\nreceivers:\n  - name: team\n    email_configs:\n      - to: oncall@example.com\n        auth_username: alerts@example.com\n        auth_password_file: ${pass}\n        tls_config:\n          ca_file: ${cert}\n`);
    await mail.send(notification('firing'), signal());
    assert.equal(messages.length, 1);
    const m = messages[0];
    assert.equal(m.secure, true, 'upgraded with STARTTLS');
    assert.equal(m.user, 'alerts@example.com', 'authenticated');
    assert.equal(m.from, 'sightline@example.com');
    assert.deepEqual(m.to, ['oncall@example.com']);
    assert.match(m.data, /^Subject: \[FIRING:1\] HighErrorRate$/m);
    // the bodies are quoted-printable (RFC 2045 §6.7): undo soft line breaks and =XX escapes
    const text = m.data.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
    assert.match(text, /\[FIRING\] payment: 7\.3% of lines are errors \(value 0\.0734\)\r\n  labels: alertname=HighErrorRate, service=payment, severity=warning/);
    assert.match(text, /<a href="http:\/\/127\.0\.0\.1:3100\/loki\/api\/v1\/query_range\?query=[^"]+">Open the query<\/a>/);

    const [wrong] = integrations(`route:\n  receiver: team\nreceivers:\n  - name: team\n    email_configs:\n      - to: oncall@example.com\n        from: s@example.com\n        smarthost: 127.0.0.1:${port}\n        auth_username: alerts@example.com\n        auth_password: wrong-password-value\n        tls_config:\n          ca_file: ${cert}\n`);
    await assert.rejects(wrong.send(notification('firing'), signal()), (e: unknown) => e instanceof DeliveryError && !e.retry && /535/.test(e.message) && !e.message.includes('wrong-password-value'));
  } finally {
    await new Promise<void>((r) => smtp.close(() => r()));
  }
});

test('config errors name the file, line and key', () => {
  const err = (yaml: string) => {
    try {
      parseAlertingConfig(yaml, 'alerting.yaml');
    } catch (e) {
      return (e as Error).message;
    }
    return 'no error';
  };
  assert.equal(err('route:\n  receiver: nobody\nreceivers: []\n'), 'alerting.yaml:2: route.receiver: receiver "nobody" is not defined in receivers');
  assert.equal(err('receivers:\n  - name: a\n    slack_configs:\n      - channel: x\n'), 'alerting.yaml:4: receivers[0].slack_configs[0]: needs api_url, api_url_file or api_url_env (or global.slack_api_url)');
  assert.equal(err('route:\n  receiver: a\n  routes:\n    - matchers: [\'severity=~"("\']\nreceivers:\n  - name: a\n'), 'alerting.yaml:4: route.routes[0].matchers[0]: invalid regular expression "(": error parsing regexp: missing closing ): `(`');
  assert.match(err('receivers:\n  - name: a\n    webhook_configs:\n      - url_env: SIGHTLINE_SURELY_UNSET_VAR\n'), /^alerting\.yaml:4: receivers\[0\]\.webhook_configs\[0\]\.url_env: environment variable SIGHTLINE_SURELY_UNSET_VAR is not set$/);
  assert.equal(err('route:\n  receiver: a\nreceivers:\n  - name: a\n    opsgenie_configs: []\n'), 'alerting.yaml:5: receivers[0].opsgenie_configs: unknown key (expected one of name, slack_configs, pagerduty_configs, webhook_configs, email_configs, log_configs)');
});
