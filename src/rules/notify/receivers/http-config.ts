// The `http_config` of HTTP receivers, as Alertmanager spells it: `authorization` (type + credentials, default type
// Bearer) or `basic_auth` (username + password), each secret inline, as `_file` or as `_env`; plus `timeout`.

import type { ConfigNode } from '../../../config/config-node.ts';
import { secretOf } from '../secret-value.ts';

export interface HttpOptions {
  headers(): Record<string, string>;
  timeoutMs: number;
}

export function httpOptions(receiver: ConfigNode): HttpOptions {
  const timeoutMs = receiver.get('timeout').durationMs(10_000);
  const hc = receiver.get('http_config');
  if (!hc.exists) return { headers: () => ({}), timeoutMs };
  hc.onlyKeys(['authorization', 'basic_auth']);
  const authz = hc.get('authorization');
  const basic = hc.get('basic_auth');
  if (authz.exists && basic.exists) basic.fail('give either authorization or basic_auth, not both');
  if (authz.exists) {
    authz.onlyKeys(['type', 'credentials', 'credentials_file', 'credentials_env']);
    const type = authz.get('type').string('Bearer');
    const creds = secretOf(authz, 'credentials') ?? authz.fail('needs credentials, credentials_file or credentials_env');
    return { headers: () => ({ Authorization: `${type} ${creds()}` }), timeoutMs };
  }
  if (basic.exists) {
    basic.onlyKeys(['username', 'password', 'password_file', 'password_env']);
    const user = basic.get('username').string();
    const pass = secretOf(basic, 'password') ?? (() => '');
    return { headers: () => ({ Authorization: 'Basic ' + Buffer.from(`${user}:${pass()}`).toString('base64') }), timeoutMs };
  }
  return { headers: () => ({}), timeoutMs };
}
