// The ruler on a real server: Loki's ruler API (POST a group, read it back in Loki's YAML and Prometheus' JSON shapes,
// delete it), alerts firing after error lines are pushed, recording rules read back with LogQL, tenancy, reload on
// file change with a malformed file keeping its last good version, and alert state kept across kill -9 (no second
// firing notification, the resolve that happened while down still delivered).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { getJson, nowNs, push, spawnServer, tempDir, withServer } from './harness.ts';

/** Polls `fn` until it returns a truthy value (the observable event), failing after `ms`. */
async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function request(url: string, method: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string; type: string }> {
  const res = await fetch(url, { method, body, headers: { 'Content-Type': 'application/yaml', ...headers } });
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') ?? '' };
}

const GROUP = `name: fast
interval: 1s
rules:
  - alert: ServiceErrors
    expr: sum by (service) (count_over_time({level="error"}[1m])) > 2
    labels:
      severity: page
    annotations:
      summary: "{{ $labels.service }} logged {{ $value }} errors"
  - record: service:errors:count1m
    expr: sum by (service) (count_over_time({level="error"}[1m]))
`;

function errorLines(n: number, service = 'payment'): { stream: Record<string, string>; values: string[][] }[] {
  const t = nowNs();
  return [{ stream: { service, level: 'error' }, values: Array.from({ length: n }, (_, i) => [String(t + BigInt(i)), `error ${i}`]) }];
}

test('ruler API: a POSTed group reads back in Loki and Prometheus shapes, fires, records and deletes', async () => {
  await withServer({}, async (s) => {
    const posted = await request(`${s.url}/loki/api/v1/rules/team-a`, 'POST', GROUP);
    assert.equal(posted.status, 202);
    assert.deepEqual(JSON.parse(posted.text), { status: 'success', data: null, errorType: '', error: '' });

    const all = await request(`${s.url}/loki/api/v1/rules`, 'GET');
    assert.equal(all.status, 200);
    assert.match(all.type, /application\/yaml/);
    const expectedGroup = {
      name: 'fast',
      interval: '1s',
      rules: [
        { alert: 'ServiceErrors', expr: 'sum by (service) (count_over_time({level="error"}[1m])) > 2', labels: { severity: 'page' }, annotations: { summary: '{{ $labels.service }} logged {{ $value }} errors' } },
        { record: 'service:errors:count1m', expr: 'sum by (service) (count_over_time({level="error"}[1m]))' },
      ],
    };
    assert.deepEqual(parseYaml(all.text), { 'team-a': [expectedGroup] });
    assert.deepEqual(parseYaml((await request(`${s.url}/loki/api/v1/rules/team-a`, 'GET')).text), { 'team-a': [expectedGroup] });
    assert.deepEqual(parseYaml((await request(`${s.url}/loki/api/v1/rules/team-a/fast`, 'GET')).text), expectedGroup);
    assert.deepEqual(parseYaml((await request(`${s.url}/api/prom/rules/team-a/fast`, 'GET')).text), expectedGroup, 'the legacy prefix too');
    const missingNs = await request(`${s.url}/loki/api/v1/rules/nope`, 'GET');
    assert.equal(missingNs.status, 404);
    assert.match(missingNs.text, /no rule groups found/);
    assert.match((await request(`${s.url}/loki/api/v1/rules/team-a/nope`, 'GET')).text, /group does not exist/);
    // the namespace is a file in the tenant's directory
    const file = path.join(s.ruler.manager.rulesDir, 'default', 'team-a.yaml');
    assert.ok(existsSync(file));
    assert.deepEqual(parseYaml(readFileSync(file, 'utf8')), { groups: [expectedGroup] });

    const bad = await request(`${s.url}/loki/api/v1/rules/team-a`, 'POST', 'name: broken\nrules:\n  - alert: X\n    expr: sum(rate({a="b"}[1m]) >\n');
    assert.equal(bad.status, 400);
    assert.match(JSON.parse(bad.text).error, /^invalid rule group: request body:4: rules\[0\]\.expr: parse error at line 1, col/);

    assert.equal((await push(s.url, errorLines(3))).status, 204);
    const alerts = await waitFor('the alert to fire', async () => {
      const { body } = await getJson(s.url, '/prometheus/api/v1/alerts');
      return body.data.alerts.length > 0 && body.data.alerts;
    });
    assert.equal(alerts.length, 1);
    assert.deepEqual(alerts[0].labels, { alertname: 'ServiceErrors', service: 'payment', severity: 'page' });
    assert.deepEqual(alerts[0].annotations, { summary: 'payment logged 3 errors' });
    assert.equal(alerts[0].state, 'firing');
    assert.equal(alerts[0].value, '3e+00');
    assert.match(alerts[0].activeAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);

    const { body: rules } = await getJson(s.url, '/prometheus/api/v1/rules');
    assert.equal(rules.status, 'success');
    const [g] = rules.data.groups;
    assert.equal(g.name, 'fast');
    assert.equal(g.file, 'team-a');
    assert.equal(g.interval, 1);
    assert.equal(typeof g.evaluationTime, 'number');
    assert.match(g.lastEvaluation, /Z$/);
    const [alertRule, recordRule] = g.rules;
    assert.equal(alertRule.type, 'alerting');
    assert.equal(alertRule.state, 'firing');
    assert.equal(alertRule.health, 'ok');
    assert.equal(alertRule.duration, 0);
    assert.equal(alertRule.query, 'sum by (service) (count_over_time({level="error"}[1m])) > 2');
    assert.equal(alertRule.alerts.length, 1);
    assert.equal(recordRule.type, 'recording');
    assert.equal(recordRule.name, 'service:errors:count1m');
    assert.equal(recordRule.health, 'ok');
    const onlyRecord = (await getJson(s.url, '/prometheus/api/v1/rules?type=record')).body.data.groups[0].rules;
    assert.deepEqual(onlyRecord.map((r: { name: string }) => r.name), ['service:errors:count1m']);

    // the recording rule's samples read back with LogQL
    const q = new URLSearchParams({ query: 'last_over_time({__name__="service:errors:count1m"} | unwrap value [1m])' });
    const recorded = await waitFor('the recorded series', async () => {
      const { body } = await getJson(s.url, `/loki/api/v1/query?${q}`);
      return body.data.result.length > 0 && body.data.result;
    });
    assert.deepEqual(recorded[0].metric, { __name__: 'service:errors:count1m', service: 'payment' });
    assert.equal(recorded[0].value[1], '3');

    assert.equal((await request(`${s.url}/loki/api/v1/rules/team-a/fast`, 'DELETE')).status, 202);
    assert.equal((await request(`${s.url}/loki/api/v1/rules/team-a/fast`, 'GET')).status, 404);
    assert.equal(existsSync(file), false, 'the last group gone removes the namespace file');
    assert.equal((await request(`${s.url}/loki/api/v1/rules/team-a/fast`, 'DELETE')).status, 404);
    assert.deepEqual((await getJson(s.url, '/prometheus/api/v1/alerts')).body.data.alerts, []);
    assert.equal((await request(`${s.url}/loki/api/v1/rules`, 'GET')).text.trim(), '{}');
  });
});

test('ruler API: tenants see only their own rules; authentication is required when configured', async () => {
  await withServer({ tenantKeys: { a: ['key-a'], b: ['key-b'] } }, async (s) => {
    const auth = (k: string) => ({ Authorization: `Bearer ${k}` });
    assert.equal((await request(`${s.url}/loki/api/v1/rules/ns`, 'POST', GROUP, auth('key-a'))).status, 202);
    assert.deepEqual(Object.keys(parseYaml((await request(`${s.url}/loki/api/v1/rules`, 'GET', undefined, auth('key-a'))).text)), ['ns']);
    assert.equal((await request(`${s.url}/loki/api/v1/rules`, 'GET', undefined, auth('key-b'))).text.trim(), '{}');
    assert.equal((await request(`${s.url}/loki/api/v1/rules/ns/fast`, 'DELETE', undefined, auth('key-b'))).status, 404);
    assert.equal((await request(`${s.url}/loki/api/v1/rules`, 'GET')).status, 401);
    assert.equal((await request(`${s.url}/loki/api/v1/rules/ns`, 'POST', GROUP, { ...auth('key-a'), 'X-Scope-OrgID': 'b' })).status, 403);
    assert.equal((await getJson(s.url, '/prometheus/api/v1/rules', { key: 'key-b' })).body.data.groups.length, 0);
    assert.equal((await getJson(s.url, '/prometheus/api/v1/rules', { key: 'key-a' })).body.data.groups.length, 1);
    assert.ok(existsSync(path.join(s.ruler.manager.rulesDir, 'a', 'ns.yaml')));
  });
});

test('rule files reload on change; a malformed file is reported and keeps its last good version while others run', async () => {
  const dataDir = tempDir();
  const rulesDir = path.join(dataDir, 'rules');
  mkdirSync(path.join(rulesDir, 'default'), { recursive: true });
  const logged: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    logged.push(String(chunk));
    return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stderr.write;
  try {
    await withServer({ dataDir, rulesDir }, async (s) => {
      const groupsOf = async () => (await getJson(s.url, '/prometheus/api/v1/rules')).body.data.groups as { name: string; file: string; lastEvaluation: string }[];
      writeFileSync(path.join(rulesDir, 'default', 'one.yaml'), `groups:\n  - name: g1\n    interval: 1s\n    rules:\n      - alert: A\n        expr: count_over_time({app="x"}[1m]) > 0\n`);
      writeFileSync(path.join(rulesDir, 'default', 'two.yaml'), `groups:\n  - name: g2\n    interval: 1s\n    rules:\n      - alert: B\n        expr: count_over_time({app="y"}[1m]) > 0\n`);
      await waitFor('both files to load', async () => (await groupsOf()).length === 2);
      // break one file: an error naming file:line is logged, its group keeps running, the other file is untouched
      writeFileSync(path.join(rulesDir, 'default', 'one.yaml'), `groups:\n  - name: g1\n    interval: 1s\n    rules:\n      - alert: A\n        expr: count_over_time({app="x"}[1m]) >\n`);
      const message = await waitFor('the error to be logged', async () => logged.join('').match(/rule file \S+one\.yaml has errors; its previous version keeps running:\n\S+one\.yaml:6: groups\[0\]\.rules\[0\]\.expr: parse error at line 1, col \d+: [^\n]+/)?.[0]);
      assert.ok(message);
      const before = (await groupsOf()).find((g) => g.name === 'g2')!.lastEvaluation;
      await waitFor('g2 to keep evaluating', async () => (await groupsOf()).find((g) => g.name === 'g2')!.lastEvaluation > before);
      assert.deepEqual((await groupsOf()).map((g) => g.name), ['g1', 'g2']);
      // the API refuses to rewrite a namespace whose file is broken
      const refused = await request(`${s.url}/loki/api/v1/rules/one`, 'POST', GROUP);
      assert.equal(refused.status, 409);
      assert.match(JSON.parse(refused.text).error, /has errors; fix .*one\.yaml first/);
      // fixed and renamed: the new version replaces the old; a removed file takes its groups away
      writeFileSync(path.join(rulesDir, 'default', 'one.yaml'), `groups:\n  - name: g1b\n    interval: 1s\n    rules:\n      - alert: A\n        expr: count_over_time({app="x"}[1m]) > 0\n`);
      rmSync(path.join(rulesDir, 'default', 'two.yaml'));
      await waitFor('the reload', async () => JSON.stringify((await groupsOf()).map((g) => g.name)) === '["g1b"]');
    });
  } finally {
    process.stderr.write = write;
    rmSync(dataDir, { recursive: true, force: true });
  }
});

interface Received {
  status: string;
  alerts: { status: string; labels: Record<string, string> }[];
}

/** A webhook receiver on 127.0.0.1 recording every notification body. */
async function captureHook(): Promise<{ url: string; received: Received[]; close(): void }> {
  const received: Received[] = [];
  const hook = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      received.push(JSON.parse(body));
      res.writeHead(200);
      res.end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`, received, close: () => hook.close() };
}

/** A data dir with one 1s-interval rule over a `window` of error lines, alerts to `hookUrl`; returns the server args. */
function alertingSetup(dataDir: string, window: string, hookUrl: string): string[] {
  const rulesDir = path.join(dataDir, 'rules');
  mkdirSync(path.join(rulesDir, 'default'), { recursive: true });
  writeFileSync(path.join(rulesDir, 'default', 'r.yaml'), `groups:\n  - name: g\n    interval: 1s\n    rules:\n      - alert: Burst\n        expr: sum by (service) (count_over_time({level="error"}[${window}])) > 0\n`);
  const alertingFile = path.join(dataDir, 'alerting.yaml');
  writeFileSync(alertingFile, `route:\n  receiver: hook\n  group_by: [alertname]\n  group_wait: 0s\n  group_interval: 1s\nreceivers:\n  - name: hook\n    webhook_configs:\n      - url: ${hookUrl}\n`);
  return ['--rules-dir', rulesDir, '--alerting-config', alertingFile];
}

test('restarted while an alert fires (kill -9): its state is restored and nobody is notified again', async () => {
  const hook = await captureHook();
  const dataDir = tempDir();
  const args = alertingSetup(dataDir, '10m', hook.url);
  let server = await spawnServer(dataDir, args);
  try {
    assert.equal((await push(server.url, errorLines(2))).status, 204);
    await waitFor('the firing notification', async () => hook.received.length >= 1);
    const firstActiveAt = (await getJson(server.url, '/prometheus/api/v1/alerts')).body.data.alerts[0].activeAt;
    assert.equal(await server.stop('SIGKILL'), null);
    server = await spawnServer(dataDir, args);
    const restartedAt = new Date().toISOString();
    // several evaluations and group flushes after the restart
    await waitFor('evaluations after the restart', async () => {
      const { body } = await getJson(server.url, '/prometheus/api/v1/rules');
      const g = body.data.groups[0];
      return g && g.lastEvaluation > restartedAt && Date.parse(g.lastEvaluation) - Date.parse(restartedAt) >= 3000;
    });
    const { body } = await getJson(server.url, '/prometheus/api/v1/alerts');
    assert.equal(body.data.alerts[0].state, 'firing');
    assert.equal(body.data.alerts[0].activeAt, firstActiveAt, 'the alert keeps the time it became active');
    assert.deepEqual(hook.received.map((n) => n.status), ['firing'], 'no second notification');
  } finally {
    await server.stop();
    hook.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('alert state survives kill -9: a resolve that happened while the server was down is sent', async () => {
  const hook = await captureHook();
  const { received } = hook;
  const hookUrl = hook.url;
  const dataDir = tempDir();
  const args = alertingSetup(dataDir, '4s', hookUrl);
  let server = await spawnServer(dataDir, args);
  try {
    assert.equal((await push(server.url, errorLines(2))).status, 204);
    await waitFor('the firing notification', async () => received.length >= 1);
    assert.equal(received[0].status, 'firing');
    assert.deepEqual(received[0].alerts[0].labels, { alertname: 'Burst', service: 'payment' });
    // the state file says firing (it is written right after the evaluation that changed it)
    await waitFor('the saved state', async () => {
      try {
        const saved = JSON.parse(readFileSync(path.join(dataDir, 'rules-state.json'), 'utf8'));
        const [alerts] = Object.values(saved.rules) as { state: string }[][];
        return alerts?.[0]?.state === 'firing';
      } catch {
        return false;
      }
    });
    assert.equal(await server.stop('SIGKILL'), null);

    // while it is down the errors age out of the 4s window: the first evaluation after the restart resolves the alert
    await new Promise((r) => setTimeout(r, 4500));
    server = await spawnServer(dataDir, args);
    await waitFor('the resolved notification', async () => received.some((n) => n.status === 'resolved'), 30_000).catch((e: Error) => {
      throw new Error(`${e.message}; notifications so far: ${JSON.stringify(received.map((n) => n.status))}`);
    });
    assert.deepEqual(received.map((n) => n.status), ['firing', 'resolved'], 'exactly one firing and one resolved notification');
    const log = await waitFor('the notification log', async () => {
      const { body } = await getJson(server.url, '/api/v1/alerting/notifications');
      return body.data.notifications.length >= 1 && body.data.notifications;
    });
    assert.equal(log[0].result, 'sent');
    assert.equal(log[0].status, 'resolved');
    assert.equal(log[0].receiver, 'hook');
    assert.equal(JSON.stringify(log).includes(hookUrl), false, 'the webhook URL (a secret) is not in the log');
  } finally {
    await server.stop();
    hook.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('kill -9 while 60 groups evaluate every second, three times: every alert keeps its state, nobody is notified twice', async () => {
  const hook = await captureHook();
  const dataDir = tempDir();
  const rulesDir = path.join(dataDir, 'rules');
  mkdirSync(path.join(rulesDir, 'default'), { recursive: true });
  // 60 one-second groups spread over the second (each has its own phase): some evaluation is nearly always in flight,
  // its query running, its alert state and recorded samples about to be written
  const groups = Array.from({ length: 60 }, (_, i) =>
    `  - name: g${i}\n    interval: 1s\n    rules:\n      - alert: Burst${i}\n        expr: sum by (service) (count_over_time({level="error"}[10m])) > 0\n      - record: errors:count${i}\n        expr: sum by (service) (count_over_time({level="error"}[10m]))\n`,
  ).join('');
  writeFileSync(path.join(rulesDir, 'default', 'many.yaml'), `groups:\n${groups}`);
  const alertingFile = path.join(dataDir, 'alerting.yaml');
  writeFileSync(alertingFile, `route:\n  receiver: hook\n  group_by: [alertname]\n  group_wait: 0s\n  group_interval: 1s\nreceivers:\n  - name: hook\n    webhook_configs:\n      - url: ${hook.url}\n`);
  const args = ['--rules-dir', rulesDir, '--alerting-config', alertingFile];
  let server = await spawnServer(dataDir, args);
  try {
    assert.equal((await push(server.url, errorLines(2))).status, 204);
    await waitFor('60 firing notifications', async () => hook.received.length >= 60);
    const activeAt = async () => {
      const { body } = await getJson(server.url, '/prometheus/api/v1/alerts');
      return new Map<string, string>(body.data.alerts.map((a: { labels: { alertname: string }; activeAt: string }) => [a.labels.alertname, a.activeAt]));
    };
    const before = await activeAt();
    assert.equal(before.size, 60);
    for (let round = 0; round < 3; round++) {
      // evaluations are running (the counter moves) when the kill lands
      const metric = async () => Number(/^sightline_rule_group_evaluations_total (\d+)/m.exec(await (await fetch(`${server.url}/metrics`)).text())?.[1] ?? 0);
      const n = await metric();
      await waitFor('evaluations in progress', async () => (await metric()) > n + 30);
      assert.equal(await server.stop('SIGKILL'), null);
      server = await spawnServer(dataDir, args);
      const restartedAt = Date.now();
      await waitFor('every group evaluated after the restart', async () => {
        const { body } = await getJson(server.url, '/prometheus/api/v1/rules?type=alert');
        return body.data.groups.length === 60 && body.data.groups.every((g: { lastEvaluation: string }) => Date.parse(g.lastEvaluation) > restartedAt + 1000);
      });
      const after = await activeAt();
      assert.deepEqual([...after.entries()].sort(), [...before.entries()].sort(), `round ${round}: every alert firing since the same instant`);
    }
    assert.equal(hook.received.length, 60, 'one firing notification per alert, none repeated after the restarts');
    assert.deepEqual(new Set(hook.received.map((n) => n.status)), new Set(['firing']));
  } finally {
    await server.stop();
    hook.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
