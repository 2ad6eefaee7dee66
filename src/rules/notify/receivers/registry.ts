// The receiver types by their config key (`slack_configs`...). Adding one = a file exporting a ReceiverType + a line here.

import type { ReceiverType } from './integration.ts';
import { emailReceiver } from './email.ts';
import { logReceiver } from './log.ts';
import { pagerDutyReceiver } from './pagerduty.ts';
import { slackReceiver } from './slack.ts';
import { webhookReceiver } from './webhook.ts';

export const RECEIVER_TYPES: readonly ReceiverType[] = [slackReceiver, pagerDutyReceiver, webhookReceiver, emailReceiver, logReceiver];
