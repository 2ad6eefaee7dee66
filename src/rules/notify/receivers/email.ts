// Email receiver over SMTP (nodemailer): STARTTLS is required by default (`require_tls: true`; port 465 means
// implicit TLS), with AUTH when a username is given. One message per notification, subject = the Alertmanager-style
// title, plain text and HTML bodies listing each alert's summary, labels, value and query link. Keys: to, from,
// smarthost (host:port), hello, auth_username, auth_password (or auth_password_file / auth_password_env),
// require_tls, tls_config (ca_file, server_name, insecure_skip_verify), headers, send_resolved (default false),
// timeout; from, smarthost, hello, auth_* and require_tls default to the global smtp_* settings.

import { readFileSync } from 'node:fs';
import { createTransport } from 'nodemailer';
import type { ReceiverType } from './integration.ts';
import { DeliveryError } from './integration.ts';
import { secretOf, redactSecrets } from '../secret-value.ts';
import { notificationTitle, type Notification } from '../notification.ts';
import { g4 } from '../../humanize.ts';

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function emailBodies(n: Notification): { text: string; html: string } {
  let text = `${notificationTitle(n)}\n`;
  let html = `<h2>${escapeHtml(notificationTitle(n))}</h2>\n`;
  for (const a of n.alerts) {
    const labels = Object.entries(a.labels).map(([k, v]) => `${k}=${v}`).join(', ');
    const summary = a.annotations.summary ?? a.labels.alertname ?? '';
    const value = a.value !== undefined && a.status === 'firing' ? ` (value ${g4(a.value)})` : '';
    text += `\n[${a.status.toUpperCase()}] ${summary}${value}\n  labels: ${labels}\n  since: ${a.status === 'firing' ? a.startsAt : a.endsAt}\n`;
    if (a.annotations.description) text += `  ${a.annotations.description}\n`;
    if (a.generatorURL) text += `  query: ${a.generatorURL}\n`;
    html += `<h3>[${a.status.toUpperCase()}] ${escapeHtml(summary)}${escapeHtml(value)}</h3>\n<p>${escapeHtml(labels)}</p>\n`;
    if (a.annotations.description) html += `<p>${escapeHtml(a.annotations.description)}</p>\n`;
    if (a.generatorURL) html += `<p><a href="${escapeHtml(a.generatorURL)}">Open the query</a></p>\n`;
  }
  return { text, html };
}

/** SMTP reply codes 4xx and connection problems are worth retrying; 5xx replies are not. */
function retryable(e: unknown): boolean {
  const code = (e as { responseCode?: number }).responseCode;
  return code === undefined || (code >= 400 && code < 500);
}

export const emailReceiver: ReceiverType = {
  type: 'email',
  configKey: 'email_configs',
  build(node, { receiver, index, global }) {
    node.onlyKeys(['to', 'from', 'smarthost', 'hello', 'auth_username', 'auth_password', 'auth_password_file', 'auth_password_env', 'require_tls', 'tls_config', 'headers', 'send_resolved', 'timeout']);
    const to = node.get('to').string();
    const from = node.get('from').optionalString() ?? global.smtp.from ?? node.fail('needs from (or global.smtp_from)');
    const smarthost = node.get('smarthost').optionalString() ?? global.smtp.smarthost ?? node.fail('needs smarthost host:port (or global.smtp_smarthost)');
    const m = /^(.+):(\d+)$/.exec(smarthost) ?? node.get('smarthost').fail(`expected host:port, got ${JSON.stringify(smarthost)}`);
    const host = m[1].replace(/^\[(.*)\]$/, '$1');
    const port = Number(m[2]);
    const user = node.get('auth_username').optionalString() ?? global.smtp.authUsername;
    const password = secretOf(node, 'auth_password') ?? global.smtp.authPassword;
    const requireTls = node.get('require_tls').boolean(global.smtp.requireTls);
    const tlsNode = node.get('tls_config');
    const tls: { ca?: Buffer; servername?: string; rejectUnauthorized?: boolean } = {};
    if (tlsNode.exists) {
      tlsNode.onlyKeys(['ca_file', 'server_name', 'insecure_skip_verify']);
      const ca = tlsNode.get('ca_file').optionalString();
      if (ca) {
        try {
          tls.ca = readFileSync(ca);
        } catch (e) {
          tlsNode.get('ca_file').fail(`cannot read ${ca}: ${(e as Error).message}`);
        }
      }
      tls.servername = tlsNode.get('server_name').optionalString();
      tls.rejectUnauthorized = !tlsNode.get('insecure_skip_verify').boolean(false);
    }
    const headers = node.get('headers').stringMap({});
    const timeoutMs = node.get('timeout').durationMs(30_000);
    const hello = node.get('hello').optionalString() ?? global.smtp.hello;
    return {
      type: 'email',
      receiver,
      index,
      sendResolved: node.get('send_resolved').boolean(false),
      timeoutMs,
      async send(n) {
        const transport = createTransport({
          host,
          port,
          secure: port === 465,
          requireTLS: requireTls && port !== 465,
          ignoreTLS: !requireTls && port !== 465 ? false : undefined,
          auth: user ? { user, pass: password ? password() : '' } : undefined,
          tls,
          name: hello,
          connectionTimeout: timeoutMs,
          greetingTimeout: timeoutMs,
          socketTimeout: timeoutMs,
        });
        const { text, html } = emailBodies(n);
        try {
          await transport.sendMail({ from, to, subject: headers.Subject ?? notificationTitle(n), text, html, headers: Object.fromEntries(Object.entries(headers).filter(([k]) => k !== 'Subject')) });
        } catch (e) {
          throw new DeliveryError(redactSecrets(`email ${receiver}[${index}]: ${(e as Error).message}`), retryable(e));
        } finally {
          transport.close();
        }
      },
    };
  },
};
