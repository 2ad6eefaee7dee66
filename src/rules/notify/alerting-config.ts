// The alerting config file (`--alerting-config FILE` / `alerting_config:`): where alerts go, in Alertmanager's own
// layout so an existing alertmanager.yml mostly carries over: `global`, `route` (tree with matchers, group_by,
// group_wait, group_interval, repeat_interval, continue), `receivers` (slack_configs, pagerduty_configs,
// webhook_configs, email_configs, log_configs), `inhibit_rules`; plus Sightline's `external_url`, `alertmanagers`
// (forward raw alerts to external Alertmanagers) and `outbox` (delivery retries). Errors are `file:line: path: why`.

import type { ConfigNode } from '../../config/config-node.ts';
import { ConfigNode as Config } from '../../config/config-node.ts';
import { MatcherError, makeMatcher, parseMatcher, type LabelMatcher } from './label-matchers.ts';
import { ROUTE_DEFAULTS, routeKey, type Route } from './route-tree.ts';
import type { GlobalSettings, Integration } from './receivers/integration.ts';
import { RECEIVER_TYPES } from './receivers/registry.ts';
import { secretOf } from './secret-value.ts';
import { httpOptions, type HttpOptions } from './receivers/http-config.ts';
import { parseTimeIntervals, type TimeInterval } from './time-intervals.ts';

export interface InhibitRule {
  source: LabelMatcher[];
  target: LabelMatcher[];
  equal: string[];
}

export interface AlertmanagerTarget {
  url: string;
  http: HttpOptions;
}

export interface OutboxSettings {
  /** a notification older than this is given up (and logged as dropped) */
  maxAgeMs: number;
  minBackoffMs: number;
  maxBackoffMs: number;
}

export interface AlertingConfig {
  file: string;
  externalURL?: string;
  route?: Route;
  receivers: Map<string, Integration[]>;
  inhibitRules: InhibitRule[];
  /** named time intervals (`time_intervals` and `mute_time_intervals`) the routes refer to */
  timeIntervals: Map<string, TimeInterval>;
  alertmanagers: AlertmanagerTarget[];
  outbox: OutboxSettings;
}

/** The config in force when there is no file: no receivers, nothing sent. */
export function emptyAlertingConfig(file = ''): AlertingConfig {
  return { file, receivers: new Map(), inhibitRules: [], timeIntervals: new Map(), alertmanagers: [], outbox: { ...OUTBOX_DEFAULTS } };
}

export const OUTBOX_DEFAULTS: OutboxSettings = { maxAgeMs: 24 * 3_600_000, minBackoffMs: 1000, maxBackoffMs: 5 * 60_000 };

function matcherList(node: ConfigNode): LabelMatcher[] {
  const out: LabelMatcher[] = [];
  const m = node.get('matchers');
  if (m.exists) {
    for (const item of m.items()) {
      try {
        out.push(parseMatcher(item.string()));
      } catch (e) {
        if (e instanceof MatcherError) item.fail(e.message);
        throw e;
      }
    }
  }
  // Alertmanager's older forms: match (equality) and match_re (regex)
  for (const [key, op] of [['match', '='], ['match_re', '=~']] as const) {
    const n = node.get(key);
    if (!n.exists) continue;
    for (const [name, v] of n.entries()) {
      try {
        out.push(makeMatcher(name, op, v.string()));
      } catch (e) {
        if (e instanceof MatcherError) v.fail(e.message);
        throw e;
      }
    }
  }
  return out;
}

const ROUTE_KEYS = [
  'receiver', 'group_by', 'group_wait', 'group_interval', 'repeat_interval', 'matchers', 'match', 'match_re', 'continue',
  'mute_time_intervals', 'active_time_intervals', 'routes',
];

function intervalNames(node: ConfigNode, isRoot: boolean, intervals: Map<string, TimeInterval>): string[] {
  if (!node.exists) return [];
  if (isRoot) node.fail('the root route cannot have mute or active time intervals (it receives every alert)');
  if (!node.isList) node.fail('expected a list of time interval names');
  const names = node.stringList();
  node.items().forEach((item, i) => {
    if (!intervals.has(names[i])) item.fail(`time interval ${JSON.stringify(names[i])} is not defined in time_intervals or mute_time_intervals`);
  });
  return names;
}

function parseRoute(node: ConfigNode, parent: Route | undefined, id: string, receivers: Map<string, Integration[]>, intervals: Map<string, TimeInterval>): Route {
  node.onlyKeys(ROUTE_KEYS);
  const receiverNode = node.get('receiver');
  const receiver = receiverNode.exists ? receiverNode.string() : parent?.receiver ?? node.fail('the root route needs a receiver');
  if (!receivers.has(receiver)) (receiverNode.exists ? receiverNode : node).fail(`receiver ${JSON.stringify(receiver)} is not defined in receivers`);
  const matchers = matcherList(node);
  if (!parent && matchers.length > 0) node.get('matchers').fail('the root route must not have matchers (it receives every alert)');
  let groupBy = parent?.groupBy ?? [];
  let groupByAll = parent?.groupByAll ?? false;
  const gb = node.get('group_by');
  if (gb.exists) {
    groupBy = gb.stringList();
    groupByAll = groupBy.includes('...');
    if (groupByAll && groupBy.length > 1) gb.fail("'...' groups by all labels and cannot be combined with other names");
    if (groupByAll) groupBy = [];
  }
  const positive = (key: string, fallback: number) => {
    const n = node.get(key);
    const ms = n.durationMs(fallback);
    if (n.exists && ms <= 0 && key !== 'group_wait') n.fail('expected a duration greater than 0');
    return ms;
  };
  const route: Route = {
    id,
    key: routeKey(parent?.key, matchers),
    receiver,
    groupBy,
    groupByAll,
    groupWaitMs: positive('group_wait', parent?.groupWaitMs ?? ROUTE_DEFAULTS.groupWaitMs),
    groupIntervalMs: positive('group_interval', parent?.groupIntervalMs ?? ROUTE_DEFAULTS.groupIntervalMs),
    repeatIntervalMs: positive('repeat_interval', parent?.repeatIntervalMs ?? ROUTE_DEFAULTS.repeatIntervalMs),
    matchers,
    continue: node.get('continue').boolean(false),
    muteTimeIntervals: intervalNames(node.get('mute_time_intervals'), !parent, intervals),
    activeTimeIntervals: intervalNames(node.get('active_time_intervals'), !parent, intervals),
    routes: [],
  };
  if (!parent && route.continue) node.get('continue').fail('the root route cannot have continue');
  const children = node.get('routes');
  if (children.exists) children.items().forEach((c, i) => route.routes.push(parseRoute(c, route, `${id}.${i}`, receivers, intervals)));
  return route;
}

function parseGlobal(node: ConfigNode): GlobalSettings {
  const g: GlobalSettings = { pagerdutyUrl: 'https://events.pagerduty.com/v2/enqueue', smtp: { requireTls: true } };
  if (!node.exists) return g;
  node.onlyKeys([
    'slack_api_url', 'slack_api_url_file', 'slack_api_url_env', 'pagerduty_url', 'smtp_from', 'smtp_smarthost', 'smtp_hello',
    'smtp_auth_username', 'smtp_auth_password', 'smtp_auth_password_file', 'smtp_auth_password_env', 'smtp_require_tls', 'resolve_timeout',
  ]);
  g.slackApiUrl = secretOf(node, 'slack_api_url');
  g.pagerdutyUrl = node.get('pagerduty_url').string(g.pagerdutyUrl);
  g.smtp = {
    from: node.get('smtp_from').optionalString(),
    smarthost: node.get('smtp_smarthost').optionalString(),
    hello: node.get('smtp_hello').optionalString(),
    authUsername: node.get('smtp_auth_username').optionalString(),
    authPassword: secretOf(node, 'smtp_auth_password'),
    requireTls: node.get('smtp_require_tls').boolean(true),
  };
  return g;
}

/** Parses alerting config text; throws ConfigError (`file:line: path: why`) at the first problem. */
export function parseAlertingConfig(text: string, file: string): AlertingConfig {
  return alertingConfigFrom(Config.parse(text, file));
}

function alertingConfigFrom(root: ConfigNode): AlertingConfig {
  const file = root.file;
  const cfg = emptyAlertingConfig(file);
  if (!root.exists) return cfg;
  root.onlyKeys(['global', 'route', 'receivers', 'inhibit_rules', 'time_intervals', 'mute_time_intervals', 'external_url', 'alertmanagers', 'outbox', 'templates']);
  if (root.get('templates').exists) root.get('templates').fail('notification templates are not supported: Sightline renders each receiver format itself');
  const ext = root.get('external_url').optionalString();
  if (ext !== undefined) {
    if (!/^https?:\/\/[^\s]+$/.test(ext)) root.get('external_url').fail(`expected an http(s) URL, got ${JSON.stringify(ext)}`);
    cfg.externalURL = ext.replace(/\/$/, '');
  }
  const global = parseGlobal(root.get('global'));
  const recv = root.get('receivers');
  if (recv.exists) {
    for (const r of recv.items()) {
      r.onlyKeys(['name', ...RECEIVER_TYPES.map((t) => t.configKey)]);
      const name = r.get('name').string();
      if (cfg.receivers.has(name)) r.get('name').fail(`receiver ${JSON.stringify(name)} is defined twice`);
      const integrations: Integration[] = [];
      for (const type of RECEIVER_TYPES) {
        const list = r.get(type.configKey);
        if (!list.exists) continue;
        list.items().forEach((item, index) => integrations.push(type.build(item, { receiver: name, index, global })));
      }
      cfg.receivers.set(name, integrations);
    }
  }
  // Alertmanager's two lists share one namespace; `mute_time_intervals` is the older name of `time_intervals`
  parseTimeIntervals(root.get('time_intervals'), cfg.timeIntervals);
  parseTimeIntervals(root.get('mute_time_intervals'), cfg.timeIntervals);
  const route = root.get('route');
  if (route.exists) cfg.route = parseRoute(route, undefined, '0', cfg.receivers, cfg.timeIntervals);
  else if (cfg.receivers.size > 0) root.fail("receivers are defined but there is no 'route' to reach them");
  const inhibit = root.get('inhibit_rules');
  if (inhibit.exists) {
    for (const rule of inhibit.items()) {
      rule.onlyKeys(['source_matchers', 'target_matchers', 'equal']);
      const parse = (key: string) =>
        rule.get(key).exists
          ? rule.get(key).items().map((i) => {
              try {
                return parseMatcher(i.string());
              } catch (e) {
                if (e instanceof MatcherError) i.fail(e.message);
                throw e;
              }
            })
          : [];
      const r: InhibitRule = { source: parse('source_matchers'), target: parse('target_matchers'), equal: rule.get('equal').stringList([]) };
      if (r.source.length === 0 || r.target.length === 0) rule.fail('an inhibition rule needs source_matchers and target_matchers');
      cfg.inhibitRules.push(r);
    }
  }
  const ams = root.get('alertmanagers');
  if (ams.exists) {
    for (const am of ams.items()) {
      am.onlyKeys(['url', 'timeout', 'http_config']);
      const url = am.get('url').string().replace(/\/$/, '');
      if (!/^https?:\/\//.test(url)) am.get('url').fail(`expected an http(s) URL of an Alertmanager, got ${JSON.stringify(url)}`);
      cfg.alertmanagers.push({ url, http: httpOptions(am) });
    }
  }
  const ob = root.get('outbox');
  if (ob.exists) {
    ob.onlyKeys(['max_age', 'min_backoff', 'max_backoff']);
    cfg.outbox = {
      maxAgeMs: ob.get('max_age').durationMs(OUTBOX_DEFAULTS.maxAgeMs),
      minBackoffMs: ob.get('min_backoff').durationMs(OUTBOX_DEFAULTS.minBackoffMs),
      maxBackoffMs: ob.get('max_backoff').durationMs(OUTBOX_DEFAULTS.maxBackoffMs),
    };
    if (cfg.outbox.minBackoffMs <= 0 || cfg.outbox.maxBackoffMs < cfg.outbox.minBackoffMs) ob.fail('expected 0 < min_backoff <= max_backoff');
  }
  return cfg;
}

export function loadAlertingConfig(file: string): AlertingConfig {
  return alertingConfigFrom(Config.read(file));
}
