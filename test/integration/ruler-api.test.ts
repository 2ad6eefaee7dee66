// The ruler on a real server: Loki's ruler API (POST a group, read it back in Loki's YAML and Prometheus' JSON shapes,
// delete it), alerts firing after error lines are pushed, recording rules read back with LogQL, tenancy, reload on
// file change with a malformed file keeping its last good version, and alert state kept across kill -9 (no second
// firing notification, the resolve that happened while down still delivered).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { getJson, nowNs, push, spawnServer, withServer } from './harness.ts';
import { alertingDirs, alertRuleFile, captureServer, waitFor, webhookAlertingConfig } from './alerting-harness.ts';

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

    // a round evaluates the group's rules in order: wait for one in which the recording rule has run too
    const rules = await waitFor('a round with both rules evaluated', async () => {
      const { body } = await getJson(s.url, '/prometheus/api/v1/rules');
      return body.data.groups[0]?.rules.every((r: { health: string }) => r.health !== 'unknown') && body;
    });
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
  const fx = alertingDirs();
  const one = (yaml: string) => fx.writeRules('one', yaml);
  const logged: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    logged.push(String(chunk));
    return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stderr.write;
  try {
    await withServer(fx.config, async (s) => {
      const groupsOf = async () => (await getJson(s.url, '/prometheus/api/v1/rules')).body.data.groups as { name: string; file: string; lastEvaluation: string }[];
      one(`groups:\n  - name: g1\n    interval: 1s\n    rules:\n      - alert: A\n        expr: count_over_time({app="x"}[1m]) > 0\n`);
      fx.writeRules('two', `groups:\n  - name: g2\n    interval: 1s\n    rules:\n      - alert: B\n        expr: count_over_time({app="y"}[1m]) > 0\n`);
      await waitFor('both files to load', async () => (await groupsOf()).length === 2);
      // break one file: an error naming file:line is logged, its group keeps running, the other file is untouched
      one(`groups:\n  - name: g1\n    interval: 1s\n    rules:\n      - alert: A\n        expr: count_over_time({app="x"}[1m]) >\n`);
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
      one(`groups:\n  - name: g1b\n    interval: 1s\n    rules:\n      - alert: A\n        expr: count_over_time({app="x"}[1m]) > 0\n`);
      rmSync(path.join(fx.rulesDir, 'default', 'two.yaml'));
      await waitFor('the reload', async () => JSON.stringify((await groupsOf()).map((g) => g.name)) === '["g1b"]');
    });
  } finally {
    process.stderr.write = write;
    fx.remove();
  }
});

test('SIGHUP reloads the rule files: an edit the file watcher cannot see is picked up', async () => {
  // the rule file is a symlink to a file in a folder the ruler does not watch: editing the target raises no event in
  // the rules dir, so only SIGHUP can bring the edit in
  const fx = alertingDirs();
  const target = path.join(fx.dir, 'elsewhere', 'team.yaml');
  mkdirSync(path.dirname(target));
  const rule = (alert: string) => ({ alert, expr: 'count_over_time({app="x"}[1m]) > 0' });
  writeFileSync(target, alertRuleFile(rule('Before')));
  mkdirSync(path.join(fx.rulesDir, 'default'));
  symlinkSync(target, path.join(fx.rulesDir, 'default', 'team.yaml'));
  const server = await spawnServer(fx.dataDir, fx.args);
  const ruleNames = async () => (await getJson(server.url, '/prometheus/api/v1/rules')).body.data.groups.flatMap((g: { rules: { name: string }[] }) => g.rules.map((r) => r.name));
  const evaluations = async () => Number(/^sightline_rule_group_evaluations_total (\d+)/m.exec(await (await fetch(`${server.url}/metrics`)).text())?.[1] ?? 0);
  try {
    assert.deepEqual(await ruleNames(), ['Before']);
    writeFileSync(target, alertRuleFile(rule('After')));
    // the control: two evaluations of the 1s group later (well past the watcher's 200 ms debounce) the old rule runs on
    const n = await evaluations();
    await waitFor('two more evaluations', async () => (await evaluations()) >= n + 2);
    assert.deepEqual(await ruleNames(), ['Before'], 'the file watcher did not see the edit (else this test proves nothing)');

    server.proc.kill('SIGHUP');
    await waitFor('the edited rule after SIGHUP', async () => JSON.stringify(await ruleNames()) === '["After"]');
    const yaml = await fetch(`${server.url}/loki/api/v1/rules/team`);
    assert.deepEqual(parseYaml(await yaml.text()), { team: [{ name: 'g', interval: '1s', rules: [rule('After')] }] }, "Loki's ruler API shows the new rule");
  } finally {
    await server.stop();
    fx.remove();
  }
});

interface Received {
  status: string;
  alerts: { status: string; labels: Record<string, string> }[];
}

/** One 1s-interval rule "Burst" over a `window` of error lines, its alerts sent to a capture server. */
async function burstSetup(window: string) {
  const hook = await captureServer<Received>();
  const fx = alertingDirs({
    rules: { r: alertRuleFile({ alert: 'Burst', expr: `sum by (service) (count_over_time({level="error"}[${window}])) > 0` }) },
    alerting: webhookAlertingConfig(`${hook.base}/hook`, ['alertname']),
  });
  return { hook, fx, statuses: () => hook.received.map((n) => n.body.status) };
}

test('restarted while an alert fires (kill -9): its state is restored and nobody is notified again', async () => {
  const { hook, fx, statuses } = await burstSetup('10m');
  let server = await spawnServer(fx.dataDir, fx.args);
  try {
    assert.equal((await push(server.url, errorLines(2))).status, 204);
    await waitFor('the firing notification', async () => hook.received.length >= 1);
    // and recorded as sent: a kill between the receiver's reply and that record is at-least-once's repeat, not ours
    await waitFor('the firing notification recorded as sent', async () => {
      const { body } = await getJson(server.url, '/api/v1/alerting/notifications');
      return body.data.notifications.some((n: { result: string; status: string }) => n.result === 'sent' && n.status === 'firing');
    });
    const firstActiveAt = (await getJson(server.url, '/prometheus/api/v1/alerts')).body.data.alerts[0].activeAt;
    assert.equal(await server.stop('SIGKILL'), null);
    server = await spawnServer(fx.dataDir, fx.args);
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
    assert.deepEqual(statuses(), ['firing'], 'no second notification');
  } finally {
    await server.stop();
    hook.close();
    fx.remove();
  }
});

test('alert state survives kill -9: a resolve that happened while the server was down is sent', async () => {
  const { hook, fx, statuses } = await burstSetup('4s');
  let server = await spawnServer(fx.dataDir, fx.args);
  try {
    assert.equal((await push(server.url, errorLines(2))).status, 204);
    await waitFor('the firing notification', async () => hook.received.length >= 1);
    // and recorded as sent: a kill between the receiver's reply and that record is at-least-once's repeat, not ours
    await waitFor('the firing notification recorded as sent', async () => {
      const { body } = await getJson(server.url, '/api/v1/alerting/notifications');
      return body.data.notifications.some((n: { result: string; status: string }) => n.result === 'sent' && n.status === 'firing');
    });
    assert.equal(hook.received[0].body.status, 'firing');
    assert.deepEqual(hook.received[0].body.alerts[0].labels, { alertname: 'Burst', service: 'payment' });
    // the state file says firing (it is written right after the evaluation that changed it)
    await waitFor('the saved state', async () => {
      try {
        const saved = JSON.parse(readFileSync(path.join(fx.dataDir, 'rules-state.json'), 'utf8'));
        const [alerts] = Object.values(saved.rules) as { state: string }[][];
        return alerts?.[0]?.state === 'firing';
      } catch {
        return false;
      }
    });
    assert.equal(await server.stop('SIGKILL'), null);

    // while it is down the errors age out of the 4s window: the first evaluation after the restart resolves the alert
    await new Promise((r) => setTimeout(r, 4500));
    server = await spawnServer(fx.dataDir, fx.args);
    await waitFor('the resolved notification', async () => statuses().includes('resolved'), 30_000).catch((e: Error) => {
      throw new Error(`${e.message}; notifications so far: ${JSON.stringify(statuses())}`);
    });
    assert.deepEqual(statuses(), ['firing', 'resolved'], 'exactly one firing and one resolved notification');
    const log = await waitFor('the notification log', async () => {
      const { body } = await getJson(server.url, '/api/v1/alerting/notifications');
      return body.data.notifications.length >= 1 && body.data.notifications;
    });
    assert.equal(log[0].result, 'sent');
    assert.equal(log[0].status, 'resolved');
    assert.equal(log[0].receiver, 'hook');
    assert.equal(JSON.stringify(log).includes(hook.base), false, 'the webhook URL (a secret) is not in the log');
  } finally {
    await server.stop();
    hook.close();
    fx.remove();
  }
});

test('kill -9 while 60 groups evaluate every second, three times: every alert keeps its state, nobody is notified twice', async () => {
  const hook = await captureServer<Received>();
  // 60 one-second groups spread over the second (each has its own phase): some evaluation is nearly always in flight,
  // its query running, its alert state and recorded samples about to be written
  const groups = Array.from({ length: 60 }, (_, i) =>
    `  - name: g${i}\n    interval: 1s\n    rules:\n      - alert: Burst${i}\n        expr: sum by (service) (count_over_time({level="error"}[10m])) > 0\n      - record: errors:count${i}\n        expr: sum by (service) (count_over_time({level="error"}[10m]))\n`,
  ).join('');
  const fx = alertingDirs({ rules: { many: `groups:\n${groups}` }, alerting: webhookAlertingConfig(`${hook.base}/hook`, ['alertname']) });
  let server = await spawnServer(fx.dataDir, fx.args);
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
      server = await spawnServer(fx.dataDir, fx.args);
      const restartedAt = Date.now();
      await waitFor('every group evaluated after the restart', async () => {
        const { body } = await getJson(server.url, '/prometheus/api/v1/rules?type=alert');
        return body.data.groups.length === 60 && body.data.groups.every((g: { lastEvaluation: string }) => Date.parse(g.lastEvaluation) > restartedAt + 1000);
      });
      const after = await activeAt();
      assert.deepEqual([...after.entries()].sort(), [...before.entries()].sort(), `round ${round}: every alert firing since the same instant`);
    }
    assert.equal(hook.received.length, 60, 'one firing notification per alert, none repeated after the restarts');
    assert.deepEqual(new Set(hook.received.map((n) => n.body.status)), new Set(['firing']));
  } finally {
    await server.stop();
    hook.close();
    fx.remove();
  }
});
