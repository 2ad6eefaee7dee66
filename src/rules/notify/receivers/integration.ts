// The receiver seam: an integration (one `slack_configs` entry, one `webhook_configs` entry...) turns a notification
// into its own protocol and delivers it. A failed delivery throws DeliveryError saying whether a retry can help
// (network errors, timeouts, 408, 429, 5xx) or not (other 4xx: the payload or the credentials are wrong).

import type { ConfigNode } from '../../../config/config-node.ts';
import type { Notification } from '../notification.ts';

export class DeliveryError extends Error {
  constructor(message: string, readonly retry: boolean) {
    super(message);
  }
}

export interface Integration {
  /** the receiver type, e.g. `slack` */
  type: string;
  /** the receiver's name in the config */
  receiver: string;
  /** position within the receiver's list of this type */
  index: number;
  sendResolved: boolean;
  /** how long one delivery attempt may take */
  timeoutMs: number;
  /** resolves once the peer accepted the notification */
  send(n: Notification, signal: AbortSignal): Promise<void>;
}

/** Defaults from the config's `global` section (Alertmanager's names). */
export interface GlobalSettings {
  slackApiUrl?: () => string;
  pagerdutyUrl: string;
  smtp: {
    from?: string;
    smarthost?: string;
    hello?: string;
    authUsername?: string;
    authPassword?: () => string;
    requireTls: boolean;
  };
}

/** A receiver type: the key of its list in a receiver (`slack_configs`) and how to build one entry. */
export interface ReceiverType {
  type: string;
  configKey: string;
  build(node: ConfigNode, ctx: { receiver: string; index: number; global: GlobalSettings }): Integration;
}
