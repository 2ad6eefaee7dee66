// Generic webhook receiver: POSTs Alertmanager's webhook payload (version 4) as JSON, so anything written for
// Alertmanager's webhook_configs works unchanged. Keys: url (or url_file / url_env), send_resolved (default true),
// max_alerts (0 = all), timeout, http_config.

import type { ReceiverType } from './integration.ts';
import { secretOf } from '../secret-value.ts';
import { webhookPayload } from '../notification.ts';
import { httpOptions } from './http-config.ts';
import { postJson } from './http-post.ts';

export const webhookReceiver: ReceiverType = {
  type: 'webhook',
  configKey: 'webhook_configs',
  build(node, { receiver, index }) {
    node.onlyKeys(['url', 'url_file', 'url_env', 'send_resolved', 'max_alerts', 'timeout', 'http_config']);
    const url = secretOf(node, 'url') ?? node.fail('needs url, url_file or url_env');
    const maxAlerts = node.get('max_alerts').integer(0, 0);
    const http = httpOptions(node);
    return {
      type: 'webhook',
      receiver,
      index,
      sendResolved: node.get('send_resolved').boolean(true),
      timeoutMs: http.timeoutMs,
      async send(n, signal) {
        await postJson(url(), webhookPayload(n, maxAlerts), http.headers(), signal, `webhook ${receiver}[${index}]`);
      },
    };
  },
};
