// Slack incoming-webhook receiver: a Block Kit message per notification: a header with the title, then per alert a
// section with its summary and description, its labels as fields, its value and start time, and a button linking to
// the query; `text` carries the title for notifications and clients without blocks. Slack's limits are respected
// (50 blocks, header 150 chars, section text 3000, 10 fields of 2000, button text 75, URL 3000); alerts past what
// fits are counted in a closing line. Keys: api_url (or api_url_file / api_url_env, or global slack_api_url),
// channel, username, icon_emoji, icon_url, send_resolved (default false, as in Alertmanager), timeout, http_config.

import type { Labels } from '../../../model/record.ts';
import type { ReceiverType } from './integration.ts';
import { secretOf } from '../secret-value.ts';
import { notificationTitle, type Notification, type NotificationAlert } from '../notification.ts';
import { httpOptions } from './http-config.ts';
import { g4 } from '../../humanize.ts';
import { postJson } from './http-post.ts';

const MAX_BLOCKS = 50;
const BLOCKS_PER_ALERT = 4;

function clip(s: string, max: number): string {
  return s.length <= max ? s : s.slice(0, max - 1) + '…';
}

/** Slack mrkdwn's three control characters. */
function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function alertBlocks(a: NotificationAlert): Record<string, unknown>[] {
  const { alertname, ...rest } = a.labels;
  const summary = a.annotations.summary ?? alertname ?? 'alert';
  const description = a.annotations.description ?? a.annotations.message ?? '';
  const icon = a.status === 'firing' ? ':red_circle:' : ':large_green_circle:';
  const fields = Object.entries(rest as Labels)
    .slice(0, 10)
    .map(([k, v]) => ({ type: 'mrkdwn', text: clip(`*${esc(k)}*\n${esc(v)}`, 2000) }));
  const section: Record<string, unknown> = {
    type: 'section',
    text: { type: 'mrkdwn', text: clip(`${icon} *${esc(summary)}*${description ? '\n' + esc(description) : ''}`, 3000) },
  };
  if (fields.length > 0) section.fields = fields;
  const context = [`*${a.status === 'firing' ? 'Firing' : 'Resolved'}* since ${a.status === 'firing' ? a.startsAt : a.endsAt}`];
  if (a.value !== undefined && a.status === 'firing') context.push(`value ${g4(a.value)}`);
  const blocks: Record<string, unknown>[] = [section, { type: 'context', elements: context.map((t) => ({ type: 'mrkdwn', text: clip(t, 2000) })) }];
  if (a.generatorURL && a.generatorURL.length <= 3000 && /^https?:\/\//.test(a.generatorURL)) {
    blocks.push({ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open the query' }, url: a.generatorURL }] });
  }
  blocks.push({ type: 'divider' });
  return blocks;
}

/** The Block Kit message of a notification. */
export function slackMessage(n: Notification, extra: Record<string, string> = {}): Record<string, unknown> {
  const title = notificationTitle(n);
  const blocks: Record<string, unknown>[] = [{ type: 'header', text: { type: 'plain_text', text: clip(title, 150) } }];
  const room = Math.floor((MAX_BLOCKS - 2) / BLOCKS_PER_ALERT);
  const shown = n.alerts.slice(0, room);
  for (const a of shown) blocks.push(...alertBlocks(a));
  const hidden = n.alerts.length - shown.length + n.truncatedAlerts;
  if (hidden > 0) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `…and ${hidden} more alert${hidden === 1 ? '' : 's'}` }] });
  return { ...extra, text: title, blocks };
}

export const slackReceiver: ReceiverType = {
  type: 'slack',
  configKey: 'slack_configs',
  build(node, { receiver, index, global }) {
    node.onlyKeys(['api_url', 'api_url_file', 'api_url_env', 'channel', 'username', 'icon_emoji', 'icon_url', 'send_resolved', 'timeout', 'http_config']);
    const url = secretOf(node, 'api_url') ?? global.slackApiUrl ?? node.fail('needs api_url, api_url_file or api_url_env (or global.slack_api_url)');
    const extra: Record<string, string> = {};
    for (const k of ['channel', 'username', 'icon_emoji', 'icon_url']) {
      const v = node.get(k).optionalString();
      if (v !== undefined) extra[k] = v;
    }
    const http = httpOptions(node);
    return {
      type: 'slack',
      receiver,
      index,
      sendResolved: node.get('send_resolved').boolean(false),
      timeoutMs: http.timeoutMs,
      async send(n, signal) {
        await postJson(url(), slackMessage(n, extra), http.headers(), signal, `slack ${receiver}[${index}]`);
      },
    };
  },
};
