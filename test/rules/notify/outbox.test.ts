// The persistent outbox against a local webhook that is down, then up: nothing lost, nothing doubled, retries spaced
// by exponential backoff with jitter (driven clock), order kept per receiver, entries surviving a restart, permanent
// failures not retried, max_age giving up, and every outcome in the queryable notification history.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Outbox, backoffMs } from '../../../src/rules/notify/outbox.ts';
import { NotificationHistory } from '../../../src/rules/notify/notification-history.ts';
import { parseAlertingConfig } from '../../../src/rules/notify/alerting-config.ts';
import type { Notification } from '../../../src/rules/notify/notification.ts';
import { FakeClock } from '../fake-clock.ts';

const SETTINGS = { maxAgeMs: 60 * 60_000, minBackoffMs: 1000, maxBackoffMs: 60_000 };

/** A webhook that answers with the next queued status (default 200) and records what it got. */
async function peer(): Promise<{ url: string; bodies: { groupKey: string }[]; statuses: number[]; close(): void }> {
  const bodies: { groupKey: string }[] = [];
  const statuses: number[] = [];
  const s = http.createServer((req, res) => {
    let b = '';
    req.on('data', (d) => (b += d));
    req.on('end', () => {
      const status = statuses.shift() ?? 200;
      if (status === 200) bodies.push(JSON.parse(b));
      res.writeHead(status);
      res.end(status === 200 ? '' : 'try later');
    });
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/hook`, bodies, statuses, close: () => s.close() };
}

function note(groupKey: string): Notification {
  return { tenant: 'default', receiver: 'hook', status: 'firing', alerts: [], groupLabels: {}, commonLabels: {}, commonAnnotations: {}, externalURL: '', groupKey, truncatedAlerts: 0 };
}

/** Lets real I/O happen until `cond` holds. */
async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function setup(url: string, dir: string, clock: FakeClock) {
  const cfg = parseAlertingConfig(`route:\n  receiver: hook\nreceivers:\n  - name: hook\n    webhook_configs:\n      - url: ${url}\n`, 'alerting.yaml');
  const history = new NotificationHistory(path.join(dir, 'notifications.log'));
  const outbox = new Outbox(path.join(dir, 'outbox'), SETTINGS, (r, t, i) => cfg.receivers.get(r)?.find((x) => x.type === t && x.index === i), history, clock);
  outbox.start();
  return { outbox, history };
}

test('backoff doubles from min_backoff up to max_backoff, each wait drawn from half to all of it', () => {
  assert.equal(backoffMs(1, SETTINGS, () => 1), 1000);
  assert.equal(backoffMs(2, SETTINGS, () => 1), 2000);
  assert.equal(backoffMs(5, SETTINGS, () => 1), 16_000);
  assert.equal(backoffMs(10, SETTINGS, () => 1), 60_000);
  assert.equal(backoffMs(3, SETTINGS, () => 0), 2000);
  assert.equal(backoffMs(40, SETTINGS, () => 0.5), 45_000);
});

test('a receiver down for ten minutes, then up: every notification arrives once, in order', async () => {
  const p = await peer();
  const dir = mkdtempSync(path.join(tmpdir(), 'sightline-outbox-'));
  const clock = new FakeClock(1_000_000);
  try {
    const { outbox, history } = setup(p.url, dir, clock);
    p.statuses.push(...Array(1000).fill(503));
    outbox.enqueue('hook', 'webhook', 0, note('a'));
    outbox.enqueue('hook', 'webhook', 0, note('b'));
    for (let elapsed = 0; elapsed < 10 * 60_000; elapsed += 1000) {
      await clock.advance(1000);
      await until(() => !(outbox as unknown as { inflight: Set<unknown> }).inflight.size, 'the attempt to finish');
    }
    const retries = history.query({ tenant: 'default', limit: 1000, result: 'retrying' });
    assert.ok(retries.length >= 8 && retries.length <= 20, `about log2(600) attempts in ten minutes, got ${retries.length}`);
    assert.ok(retries.every((r) => r.groupKey === 'a'), 'b waits behind a: order is kept');
    assert.equal(readdirSync(path.join(dir, 'outbox')).length, 2, 'both still on disk');
    // the receiver comes back
    p.statuses.length = 0;
    await clock.advance(60_000);
    await until(() => p.bodies.length === 2, 'both deliveries');
    assert.deepEqual(p.bodies.map((b) => b.groupKey), ['a', 'b']);
    await clock.advance(120_000);
    assert.equal(p.bodies.length, 2, 'nothing doubled');
    assert.equal(readdirSync(path.join(dir, 'outbox')).length, 0);
    const sent = history.query({ tenant: 'default', limit: 10, result: 'sent' });
    assert.deepEqual(sent.map((r) => r.groupKey), ['b', 'a'], 'newest first');
    assert.equal(sent[1].receiver, 'hook');
    assert.equal(sent[1].integration, 'webhook[0]');
    assert.ok(sent[1].attempt > 8);
    await outbox.stop();
  } finally {
    p.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('queued notifications survive a restart; a 4xx is not retried; past max_age one is dropped', async () => {
  const p = await peer();
  const dir = mkdtempSync(path.join(tmpdir(), 'sightline-outbox-'));
  const clock = new FakeClock(1_000_000);
  try {
    const first = setup(p.url, dir, clock);
    p.statuses.push(503);
    first.outbox.enqueue('hook', 'webhook', 0, note('survivor'));
    await until(() => first.history.query({ tenant: 'default', limit: 5 }).length === 1, 'the failed attempt');
    await first.outbox.stop();
    // a new process: the entry is on disk and goes out once its backoff has passed
    const second = setup(p.url, dir, clock);
    assert.equal(second.outbox.pending, 1);
    await clock.advance(2000);
    await until(() => p.bodies.length === 1, 'the delivery after restart');
    assert.equal(p.bodies[0].groupKey, 'survivor');

    p.statuses.push(400);
    second.outbox.enqueue('hook', 'webhook', 0, note('rejected'));
    await until(() => second.history.query({ tenant: 'default', limit: 1, result: 'failed' }).length === 1, 'the permanent failure');
    const [failed] = second.history.query({ tenant: 'default', limit: 1, result: 'failed' });
    assert.equal(failed.groupKey, 'rejected');
    assert.match(failed.error ?? '', /HTTP 400: try later/);
    assert.ok(!(failed.error ?? '').includes(p.url), 'no URL in the log');

    p.statuses.push(...Array(100).fill(503));
    second.outbox.enqueue('hook', 'webhook', 0, note('too-old'));
    for (let i = 0; i < 70; i++) {
      await clock.advance(60_000);
      await until(() => !(second.outbox as unknown as { inflight: Set<unknown> }).inflight.size, 'the attempt to finish');
    }
    const [dropped] = second.history.query({ tenant: 'default', limit: 1, result: 'dropped' });
    assert.equal(dropped.groupKey, 'too-old');
    assert.match(dropped.error ?? '', /gave up after \d+ attempts over max_age: webhook hook\[0\]: HTTP 503/);
    assert.equal(second.outbox.pending, 0);
    await second.outbox.stop();
  } finally {
    p.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('after a reload removes a receiver, its queued notifications are recorded as failed with the reason; the rest stay queued', async () => {
  const p = await peer();
  const dir = mkdtempSync(path.join(tmpdir(), 'sightline-outbox-'));
  const clock = new FakeClock(1_000_000);
  let cfg = parseAlertingConfig(`route:\n  receiver: keep\nreceivers:\n  - name: keep\n    webhook_configs:\n      - url: ${p.url}\n  - name: gone\n    webhook_configs:\n      - url: ${p.url}\n`, 'alerting.yaml');
  const history = new NotificationHistory(path.join(dir, 'notifications.log'));
  const outbox = new Outbox(path.join(dir, 'outbox'), SETTINGS, (r, t, i) => cfg.receivers.get(r)?.find((x) => x.type === t && x.index === i), history, clock);
  outbox.start();
  try {
    // the peer is down: one notification for each receiver waits for its retry
    p.statuses.push(503, 503);
    outbox.enqueue('keep', 'webhook', 0, note('k1'));
    outbox.enqueue('gone', 'webhook', 0, note('g1'));
    await until(() => history.query({ tenant: 'default', limit: 10, result: 'retrying' }).length === 2, 'both retrying');
    outbox.enqueue('gone', 'webhook', 0, note('g2'));
    assert.equal(outbox.pending, 3);
    // the reload: `gone` is no longer in the config
    cfg = parseAlertingConfig(`route:\n  receiver: keep\nreceivers:\n  - name: keep\n    webhook_configs:\n      - url: ${p.url}\n`, 'alerting.yaml');
    assert.equal(outbox.failOrphans((e) => `receiver "${e.receiver}" was removed`), 2);
    assert.equal(outbox.pending, 1);
    const failed = history.query({ tenant: 'default', limit: 10, result: 'failed' });
    assert.deepEqual(failed.map((r) => [r.receiver, r.groupKey, r.error]).sort(), [['gone', 'g1', 'receiver "gone" was removed'], ['gone', 'g2', 'receiver "gone" was removed']]);
    assert.equal(outbox.counters.failed, 2);
    assert.equal(readdirSync(path.join(dir, 'outbox')).filter((f) => f.endsWith('.json')).length, 1, 'their files are gone, the kept one stays on disk');
    await clock.advance(SETTINGS.maxBackoffMs);
    await until(() => p.bodies.length === 1, 'the kept notification delivered');
    assert.equal(p.bodies[0].groupKey, 'k1');
    assert.equal(outbox.pending, 0);
  } finally {
    await outbox.stop();
    p.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
