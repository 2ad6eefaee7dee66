// Built-in console receiver: writes each notification to the server's standard output, one line per alert
// (`ALERT FIRING HighErrorRate {service="payment"} payment: 7.3% of lines are errors`), or one JSON object per
// notification with `format: json`. What `sightline demo` uses; handy while writing rules.

import type { ReceiverType } from './integration.ts';
import { webhookPayload } from '../notification.ts';
import { labelsToString } from '../../../model/record.ts';

export const logReceiver: ReceiverType = {
  type: 'log',
  configKey: 'log_configs',
  build(node, { receiver, index }) {
    if (node.exists) node.onlyKeys(['send_resolved', 'format']);
    const format = node.exists ? node.get('format').oneOf(['text', 'json'] as const, 'text') : 'text';
    return {
      type: 'log',
      receiver,
      index,
      sendResolved: node.exists ? node.get('send_resolved').boolean(true) : true,
      timeoutMs: 1000,
      async send(n) {
        if (format === 'json') {
          process.stdout.write(JSON.stringify(webhookPayload(n)) + '\n');
          return;
        }
        let out = '';
        for (const a of n.alerts) {
          const { alertname, ...rest } = a.labels;
          const text = a.annotations.summary ?? a.annotations.description ?? '';
          out += `ALERT ${a.status.toUpperCase()} ${alertname ?? ''} ${labelsToString(rest)}${text ? ' ' + text : ''}\n`;
        }
        process.stdout.write(out);
      },
    };
  },
};
