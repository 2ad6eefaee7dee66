// Alertmanager-style dispatch over a driven clock, with in-memory receivers: group_wait batching, group_interval,
// repeat_interval, send_resolved, the route tree (matchers, continue, defaults), silences, inhibition, and the dedup
// log that keeps a restarted dispatcher from notifying twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseAlertingConfig, type AlertingConfig } from '../../../src/rules/notify/alerting-config.ts';
import { Dispatcher } from '../../../src/rules/notify/dispatcher.ts';
import { DedupLog } from '../../../src/rules/notify/dedup-log.ts';
import { Outbox } from '../../../src/rules/notify/outbox.ts';
import { NotificationHistory } from '../../../src/rules/notify/notification-history.ts';
import { SilenceStore } from '../../../src/rules/notify/silences.ts';
import type { Integration } from '../../../src/rules/notify/receivers/integration.ts';
import type { Notification } from '../../../src/rules/notify/notification.ts';
import type { AlertNotice } from '../../../src/rules/alert-notice.ts';
import { FakeClock, settle } from '../fake-clock.ts';

const MIN = 60_000;

interface Harness {
  clock: FakeClock;
  dispatcher: Dispatcher;
  sent: Map<string, Notification[]>;
  silences: SilenceStore;
  dedup: DedupLog;
  dir: string;
  /** one rule evaluation's alerts for the default tenant */
  eval(notices: AlertNotice[]): Promise<void>;
  /** "receiver: STATUS alertname/service..." per notification sent */
  log(): string[];
  cleanup(): void;
}

function harness(yaml: string, opts: { dir?: string; clock?: FakeClock; sendResolved?: boolean } = {}): Harness {
  const dir = opts.dir ?? mkdtempSync(path.join(tmpdir(), 'sightline-dispatch-'));
  const clock = opts.clock ?? new FakeClock(1_000 * MIN);
  const cfg: AlertingConfig = parseAlertingConfig(yaml, 'alerting.yaml');
  const sent = new Map<string, Notification[]>();
  const order: string[] = [];
  for (const name of cfg.receivers.keys()) {
    const fake: Integration = {
      type: 'webhook',
      receiver: name,
      index: 0,
      sendResolved: opts.sendResolved ?? true,
      timeoutMs: 1000,
      async send(n) {
        sent.set(name, [...(sent.get(name) ?? []), n]);
        order.push(`${name}: ${n.status.toUpperCase()} ${n.alerts.map((a) => `${a.labels.alertname}/${a.labels.service}${a.status === 'resolved' ? '(resolved)' : ''}`).join(' ')}`);
      },
    };
    cfg.receivers.set(name, [fake]);
  }
  const history = new NotificationHistory(path.join(dir, 'notifications.log'));
  const outbox = new Outbox(path.join(dir, 'outbox'), cfg.outbox, (r) => cfg.receivers.get(r)?.[0], history, clock);
  outbox.start();
  const dedup = new DedupLog(path.join(dir, 'nflog.json'));
  dedup.load();
  const silences = new SilenceStore(path.join(dir, 'silences.json'));
  silences.load();
  const dispatcher = new Dispatcher(cfg, { outbox, dedup, silences, externalURL: () => 'http://sightline', clock, log: (m) => assert.fail(m) });
  return {
    clock,
    dispatcher,
    sent,
    silences,
    dedup,
    dir,
    async eval(notices) {
      dispatcher.receive('default', notices);
      await settle();
    },
    log: () => order,
    cleanup() {
      dispatcher.stop();
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

function firing(clock: FakeClock, service: string, extra: Record<string, string> = {}, alertname = 'HighErrorRate', startsAtMs = clock.now()): AlertNotice {
  return { labels: { alertname, service, ...extra }, annotations: {}, state: 'firing', startsAtMs, endsAtMs: clock.now() + 4 * MIN, generatorURL: '', value: 1 };
}

function resolved(clock: FakeClock, service: string, startsAtMs: number, extra: Record<string, string> = {}, alertname = 'HighErrorRate'): AlertNotice {
  return { labels: { alertname, service, ...extra }, annotations: {}, state: 'resolved', startsAtMs, endsAtMs: clock.now(), generatorURL: '', value: 1 };
}

const BASIC = `route:
  receiver: team
  group_by: [alertname]
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 4h
receivers:
  - name: team
`;

test('group_wait batches a group, group_interval paces changes, repeat_interval repeats, resolves are sent', async () => {
  const h = harness(BASIC);
  const { clock } = h;
  try {
    const t0 = clock.now();
    await h.eval([firing(clock, 'payment')]);
    await clock.advance(10_000);
    await h.eval([firing(clock, 'payment', {}, 'HighErrorRate', t0), firing(clock, 'auth')]);
    assert.deepEqual(h.log(), [], 'nothing before group_wait');
    await clock.advance(20_000);
    assert.deepEqual(h.log(), ['team: FIRING HighErrorRate/payment HighErrorRate/auth'], 'one notification for both');
    // a third alert joins: told at the next group_interval, not before (the ruler re-sends firing alerts each minute)
    const tOrder = clock.now();
    const three = () => [firing(clock, 'payment', {}, 'HighErrorRate', t0), firing(clock, 'auth', {}, 'HighErrorRate', t0), firing(clock, 'order', {}, 'HighErrorRate', tOrder)];
    for (let i = 0; i < 4; i++) {
      await h.eval(three());
      await clock.advance(MIN);
    }
    assert.equal(h.log().length, 1);
    await h.eval(three());
    await clock.advance(1 * MIN);
    assert.equal(h.log()[1], 'team: FIRING HighErrorRate/payment HighErrorRate/auth HighErrorRate/order');
    // nothing changes for a while: silence until repeat_interval has passed since the last notification
    const lastNotified = clock.now();
    while (clock.now() < lastNotified + 4 * 60 * MIN - MIN) {
      await h.eval(three());
      await clock.advance(MIN);
    }
    assert.equal(h.log().length, 2, 'no repeat before 4h');
    for (let i = 0; i < 6; i++) {
      await h.eval(three());
      await clock.advance(MIN);
    }
    assert.equal(h.log().length, 3, 'repeated after 4h');
    assert.equal(h.log()[2], h.log()[1]);
    // one resolves: with send_resolved the receiver hears of it at the next flush
    for (let i = 0; i < 5; i++) {
      await h.eval([resolved(clock, 'auth', t0), firing(clock, 'payment', {}, 'HighErrorRate', t0), firing(clock, 'order', {}, 'HighErrorRate', tOrder)]);
      await clock.advance(MIN);
    }
    assert.equal(h.log()[3], 'team: FIRING HighErrorRate/payment HighErrorRate/order HighErrorRate/auth(resolved)');
    // all resolve: a resolved notification, and re-sent resolved alerts notify nobody again
    for (let i = 0; i < 10; i++) {
      await h.eval([resolved(clock, 'payment', t0), resolved(clock, 'order', tOrder)]);
      await clock.advance(MIN);
    }
    assert.deepEqual(h.log().slice(4), ['team: RESOLVED HighErrorRate/payment(resolved) HighErrorRate/order(resolved)']);
    const n = h.sent.get('team')!.at(-1)!;
    assert.equal(n.groupKey, '{}:{alertname="HighErrorRate"}');
    assert.deepEqual(n.groupLabels, { alertname: 'HighErrorRate' });
    assert.equal(n.externalURL, 'http://sightline');
  } finally {
    h.cleanup();
  }
});

test('without send_resolved a partial resolve is not sent, but the end of all alerts is recorded', async () => {
  const h = harness(BASIC, { sendResolved: false });
  const { clock } = h;
  try {
    const t0 = clock.now();
    await h.eval([firing(clock, 'a'), firing(clock, 'b')]);
    await clock.advance(30_000);
    await h.eval([resolved(clock, 'a', t0), firing(clock, 'b', {}, 'HighErrorRate', t0)]);
    await clock.advance(5 * MIN);
    await h.eval([resolved(clock, 'b', t0)]);
    await clock.advance(5 * MIN);
    assert.deepEqual(h.log(), ['team: FIRING HighErrorRate/a HighErrorRate/b']);
    // firing again later is news
    await h.eval([firing(clock, 'b')]);
    await clock.advance(5 * MIN);
    assert.equal(h.log().length, 2);
  } finally {
    h.cleanup();
  }
});

test('the route tree: first matching child, continue, and the root as default', async () => {
  const h = harness(`route:
  receiver: default
  group_wait: 0s
  routes:
    - matchers: ['severity="critical"']
      receiver: pager
      continue: true
    - matchers: ['service=~"pay.*"']
      receiver: payments
    - matchers: ['service=~"pay.*"']
      receiver: never
receivers:
  - name: default
  - name: pager
  - name: payments
  - name: never
`);
  const { clock } = h;
  try {
    await h.eval([firing(clock, 'payment', { severity: 'critical' }, 'A'), firing(clock, 'payment', {}, 'B'), firing(clock, 'auth', {}, 'C')]);
    await clock.advance(1000);
    assert.deepEqual([...h.sent.keys()].sort(), ['default', 'pager', 'payments']);
    assert.deepEqual(h.sent.get('pager')!.flatMap((n) => n.alerts.map((a) => a.labels.alertname)), ['A']);
    assert.deepEqual(h.sent.get('payments')!.flatMap((n) => n.alerts.map((a) => a.labels.alertname)).sort(), ['A', 'B']);
    assert.deepEqual(h.sent.get('default')!.flatMap((n) => n.alerts.map((a) => a.labels.alertname)), ['C']);
  } finally {
    h.cleanup();
  }
});

test('silences mute matching alerts until they expire; inhibition mutes warnings under a critical alert', async () => {
  const h = harness(`route:
  receiver: team
  group_by: [alertname, service]
  group_wait: 0s
  group_interval: 1m
receivers:
  - name: team
inhibit_rules:
  - source_matchers: ['severity="critical"']
    target_matchers: ['severity="warning"']
    equal: [service]
`);
  const { clock } = h;
  try {
    const id = h.silences.upsert('default', { matchers: [{ name: 'service', value: 'auth', isRegex: false, isEqual: true }], endsAt: new Date(clock.now() + 10 * MIN).toISOString(), createdBy: 'ops', comment: 'maintenance' }, clock.now());
    const t0 = clock.now();
    const all = () => [
      firing(clock, 'auth', {}, 'Down', t0),
      firing(clock, 'payment', { severity: 'critical' }, 'Down', t0),
      firing(clock, 'payment', { severity: 'warning' }, 'Slow', t0),
      firing(clock, 'order', { severity: 'warning' }, 'Slow', t0),
    ];
    await h.eval(all());
    await clock.advance(1000);
    assert.deepEqual(h.log().sort(), ['team: FIRING Down/payment', 'team: FIRING Slow/order']);
    const statuses = h.dispatcher.alertStatuses('default');
    const auth = statuses.find((s) => s.alert.labels.service === 'auth')!;
    assert.deepEqual([auth.state, auth.silencedBy], ['suppressed', [id]]);
    const slowPay = statuses.find((s) => s.alert.labels.alertname === 'Slow' && s.alert.labels.service === 'payment')!;
    assert.equal(slowPay.state, 'suppressed');
    assert.equal(slowPay.inhibitedBy.length, 1);
    // the silence is expired by hand: the auth alert is news at the next flush
    h.silences.expire('default', id, clock.now());
    await h.eval(all());
    await clock.advance(MIN);
    assert.ok(h.log().includes('team: FIRING Down/auth'));
    assert.equal(h.log().filter((l) => l.includes('Slow/payment')).length, 0, 'still inhibited');
  } finally {
    h.cleanup();
  }
});

test('a restarted dispatcher (same data dir) does not notify again what it already queued', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sightline-dispatch-'));
  const clock = new FakeClock(1_000 * MIN);
  try {
    const t0 = clock.now();
    const first = harness(BASIC, { dir, clock });
    await first.eval([firing(clock, 'payment')]);
    await clock.advance(30_000);
    assert.equal(first.log().length, 1);
    first.dedup.flush();
    first.dispatcher.stop();
    const second = harness(BASIC, { dir, clock });
    await clock.advance(MIN);
    await second.eval([firing(clock, 'payment', {}, 'HighErrorRate', t0)]);
    await clock.advance(1000);
    assert.equal(second.dispatcher.groupCount, 1);
    assert.deepEqual(second.log(), [], 'the group re-forms and flushes at once (its alert is old), but the receiver was already told');
    await second.eval([resolved(clock, 'payment', t0)]);
    await clock.advance(10 * MIN);
    assert.deepEqual(second.log(), ['team: RESOLVED HighErrorRate/payment(resolved)']);
    second.cleanup();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('mute_time_intervals hold a route silent during the interval, active_time_intervals outside it; nothing is lost', async () => {
  const yaml = `time_intervals:
  - name: evenings
    time_intervals:
      - times: [{start_time: '18:00', end_time: '24:00'}]
        location: Europe/Berlin
mute_time_intervals:
  - name: office-hours
    time_intervals:
      - times: [{start_time: '09:00', end_time: '18:00'}]
        weekdays: ['monday:friday']
        location: Europe/Berlin
route:
  receiver: team
  group_by: [alertname]
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 24h
  routes:
    - matchers: ['severity="page"']
      receiver: oncall
      mute_time_intervals: [evenings]
      continue: true
    - matchers: ['severity="page"']
      receiver: office
      active_time_intervals: [office-hours]
receivers:
  - name: team
  - name: oncall
  - name: office
`;
  // Monday 15 January 2024, 17:50 in Berlin (CET, UTC+1)
  const clock = new FakeClock(Date.parse('2024-01-15T16:50:00Z'));
  const h = harness(yaml, { clock });
  try {
    const tA = clock.now();
    await h.eval([firing(clock, 'payment', { severity: 'page' }, 'Down')]);
    await clock.advance(30_000);
    assert.deepEqual(h.log(), ['oncall: FIRING Down/payment', 'office: FIRING Down/payment'], 'before 18:00 both routes send');
    // 18:05: a second alert joins; 18:20: the first resolves (the ruler re-sends a resolve for 15 minutes, then stops)
    let tB = 0;
    const minutes = (iso: string) => (Date.parse(iso) - clock.now()) / MIN;
    for (let i = 0, n = minutes('2024-01-15T22:58:00Z'); i < n; i++) {
      const now = clock.now();
      if (now >= Date.parse('2024-01-15T17:05:00Z') && tB === 0) tB = now;
      const alerts: AlertNotice[] = [];
      if (now < Date.parse('2024-01-15T17:20:00Z')) alerts.push(firing(clock, 'payment', { severity: 'page' }, 'Down', tA));
      else if (now < Date.parse('2024-01-15T17:35:00Z')) alerts.push(resolved(clock, 'payment', tA, { severity: 'page' }, 'Down'));
      if (tB) alerts.push(firing(clock, 'auth', { severity: 'page' }, 'Down', tB));
      await h.eval(alerts);
      await clock.advance(MIN);
    }
    assert.deepEqual(h.log().length, 2, 'oncall is muted from 18:00 and office inactive: nothing sent all evening');
    // past midnight Berlin time the evening mute ends: oncall hears of both changes in one notification
    for (let i = 0; i < 10; i++) {
      await h.eval([firing(clock, 'auth', { severity: 'page' }, 'Down', tB)]);
      await clock.advance(MIN);
    }
    assert.deepEqual(h.log().slice(2), ['oncall: FIRING Down/auth Down/payment(resolved)'], 'the resolve made during the mute is not lost');
    // office hours start at 09:00 on Tuesday (08:00 UTC): then office hears of it too
    while (clock.now() < Date.parse('2024-01-16T08:10:00Z')) {
      await h.eval([firing(clock, 'auth', { severity: 'page' }, 'Down', tB)]);
      await clock.advance(MIN);
    }
    assert.deepEqual(h.log().slice(3), ['office: FIRING Down/auth Down/payment(resolved)']);
    assert.ok(!h.log().some((l) => l.startsWith('team:')), 'matched routes handle the alerts, not the root');
  } finally {
    h.cleanup();
  }
});
