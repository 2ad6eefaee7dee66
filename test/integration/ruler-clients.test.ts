// Real and replayed clients of the ruler API on a real server. The Prometheus Go API client (client_golang v1.25.0,
// built from test/fixtures/go/prom-rules-client) calls Rules() and Alerts() and must decode every field; then the
// exact requests Grafana's alerting UI sends for a Loki data source with rule management on (the ruler probe, the
// Prometheus-style rule list with and without type=alert, the rule-detail filters file/rule_group/rule_name,
// list-view pagination with group_limit/group_next_token, the YAML ruler endpoints) are replayed and their answers
// checked field for field against the Prometheus HTTP API reference and Loki's ruler API.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { getJson, nowNs, push, REPO, tempDir, withServer } from './harness.ts';
import { run as runClient, waitFor } from './alerting-harness.ts';

const FIXTURE = path.join(REPO, 'test', 'fixtures', 'go', 'prom-rules-client');

/** The client binary: built by .ci/run into the CI Go cache, else built here; undefined without a Go toolchain. */
function goClient(): { bin?: string; why?: string; builtIn?: string } {
  const cached = path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'sightline-ci', 'go-bin', 'prom-rules-client');
  if (process.env.SIGHTLINE_PROM_RULES_CLIENT_BIN && existsSync(process.env.SIGHTLINE_PROM_RULES_CLIENT_BIN)) return { bin: process.env.SIGHTLINE_PROM_RULES_CLIENT_BIN };
  // the CI build, unless main.go changed since
  if (existsSync(cached) && statSync(cached).mtimeMs >= statSync(path.join(FIXTURE, 'main.go')).mtimeMs) return { bin: cached };
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
  } catch {
    return { why: 'no Go toolchain (go) to build test/fixtures/go/prom-rules-client' };
  }
  const dir = tempDir('sightline-go-');
  const out = path.join(dir, 'prom-rules-client');
  try {
    execFileSync('go', ['build', '-o', out, '.'], { cwd: FIXTURE, stdio: ['ignore', 'ignore', 'pipe'], timeout: 600_000 });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    return { why: `building the Go client failed (module proxy unreachable?): ${String((e as { stderr?: Buffer }).stderr ?? e).slice(0, 300)}` };
  }
  return { bin: out, builtIn: dir };
}

const GROUPS = `groups:
  - name: errors
    interval: 1s
    rules:
      - alert: ServiceErrors
        expr: sum by (service) (count_over_time({level="error"}[1m])) > 2
        for: 0s
        labels:
          severity: page
        annotations:
          summary: "{{ $labels.service }} logged {{ $value }} errors"
      - record: service:errors:count1m
        expr: sum by (service) (count_over_time({level="error"}[1m]))
  - name: quiet
    interval: 1m
    rules:
      - alert: NeverFires
        expr: sum(count_over_time({service="none"}[1m])) > 1000
        for: 5m
        labels:
          severity: info
`;

async function post(url: string, body: string): Promise<number> {
  return (await fetch(url, { method: 'POST', body, headers: { 'Content-Type': 'application/yaml' } })).status;
}

/** A server with two namespaces (three groups), an alert firing for service "payment". */
async function withFiringServer(fn: (url: string) => Promise<void>): Promise<void> {
  await withServer({}, async (s) => {
    const doc = parseYaml(GROUPS) as { groups: unknown[] };
    for (const g of doc.groups) assert.equal(await post(`${s.url}/loki/api/v1/rules/team-a`, toYaml(g)), 202);
    assert.equal(await post(`${s.url}/loki/api/v1/rules/team-b`, 'name: other\ninterval: 1m\nrules:\n  - record: x:count\n    expr: sum(count_over_time({service="x"}[1m]))\n'), 202);
    const t = nowNs();
    await push(s.url, [{ stream: { service: 'payment', level: 'error' }, values: [0, 1, 2].map((i) => [String(t + BigInt(i)), `error ${i}`]) }]);
    await waitFor('the alert to fire', async () => (await getJson(s.url, '/prometheus/api/v1/alerts')).body.data.alerts.length > 0);
    await fn(s.url);
  });
}

test('the Prometheus Go API client (client_golang v1.25.0) decodes Rules() and Alerts(), with match[] selectors', async (t) => {
  const { bin, why, builtIn } = goClient();
  if (!bin) return t.skip(why);
  if (builtIn) t.after(() => rmSync(builtIn, { recursive: true, force: true }));
  await withFiringServer(async (url) => {
    const run = await runClient(bin, ['-url', `${url}/prometheus`]);
    assert.equal(run.code, 0, run.stderr);
    const got = JSON.parse(run.stdout);
    assert.equal(got.rulesError, undefined);
    assert.deepEqual(got.groups.map((g: { file: string; name: string; interval: number }) => [g.file, g.name, g.interval]), [['team-a', 'errors', 1], ['team-a', 'quiet', 60], ['team-b', 'other', 60]]);
    const [alerting, recording] = got.groups[0].rules;
    assert.equal(alerting.kind, 'alerting', 'decoded as v1.AlertingRule');
    assert.equal(alerting.name, 'ServiceErrors');
    assert.equal(alerting.query, 'sum by (service) (count_over_time({level="error"}[1m])) > 2');
    assert.deepEqual(alerting.labels, { severity: 'page' });
    assert.deepEqual(alerting.annotations, { summary: '{{ $labels.service }} logged {{ $value }} errors' });
    assert.equal(alerting.health, 'ok');
    assert.equal(alerting.state, 'firing');
    assert.equal(alerting.lastError, '');
    assert.ok(Date.parse(alerting.lastEvaluation) > Date.now() - 60_000, 'lastEvaluation decoded as a recent time.Time');
    assert.equal(typeof alerting.evaluationTime, 'number');
    assert.deepEqual(alerting.alerts.map((a: { labels: object; state: string; value: string; annotations: object }) => [a.labels, a.state, a.value, a.annotations]), [
      [{ alertname: 'ServiceErrors', service: 'payment', severity: 'page' }, 'firing', '3e+00', { summary: 'payment logged 3 errors' }],
    ]);
    assert.ok(Date.parse(alerting.alerts[0].activeAt) > Date.now() - 60_000);
    assert.equal(recording.kind, 'recording', 'decoded as v1.RecordingRule');
    assert.equal(recording.name, 'service:errors:count1m');
    assert.equal(got.groups[1].rules[0].duration, 300, 'for: 5m as seconds');
    assert.equal(got.groups[1].rules[0].state, 'inactive');
    assert.deepEqual(got.alerts.map((a: { labels: object; state: string; value: string }) => [a.labels, a.state, a.value]), [[{ alertname: 'ServiceErrors', service: 'payment', severity: 'page' }, 'firing', '3e+00']]);

    // match[] (Prometheus 2.54+): rules whose configured labels satisfy any selector
    const paged = JSON.parse((await runClient(bin, ['-url', `${url}/prometheus`, '-match', '{severity="page"}', '-match', '{severity=~"in.*"}'])).stdout);
    assert.deepEqual(paged.groups.map((g: { name: string; rules: { name: string }[] }) => [g.name, g.rules.map((r) => r.name)]), [['errors', ['ServiceErrors']], ['quiet', ['NeverFires']]]);
    const none = JSON.parse((await runClient(bin, ['-url', `${url}/prometheus`, '-match', '{severity="none"}'])).stdout);
    assert.deepEqual(none.groups, []);
    // a refused request reaches the client as Prometheus' error shape (errorType: error text)
    const bad = JSON.parse((await runClient(bin, ['-url', `${url}/prometheus`, '-match', 'severity="page"'])).stdout);
    assert.equal(bad.rulesError, 'bad_data: invalid parameter "match[]": "severity=\\"page\\"": expected a label selector such as {severity="page"}');
    // another tenant's client sees its own (empty) ruler
    const other = JSON.parse((await runClient(bin, ['-url', `${url}/prometheus`, '-tenant', 'someone-else'])).stdout);
    assert.deepEqual([other.groups, other.alerts], [[], []]);
  });
});

const GROUP_KEYS = ['evaluationTime', 'file', 'interval', 'lastEvaluation', 'limit', 'name', 'rules'];
const ALERTING_KEYS = ['alerts', 'annotations', 'duration', 'evaluationTime', 'health', 'keepFiringFor', 'labels', 'lastEvaluation', 'name', 'query', 'state', 'type'];
const RECORDING_KEYS = ['evaluationTime', 'health', 'labels', 'lastEvaluation', 'name', 'query', 'type'];
const ALERT_KEYS = ['activeAt', 'annotations', 'labels', 'state', 'value'];
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

/** Every group, rule and alert has exactly the fields and types of the Prometheus HTTP API reference (/api/v1/rules). */
function checkRulesShape(body: any): void {
  assert.deepEqual(Object.keys(body).sort(), ['data', 'status']);
  assert.equal(body.status, 'success');
  for (const g of body.data.groups) {
    assert.deepEqual(Object.keys(g).sort(), GROUP_KEYS);
    assert.equal(typeof g.interval, 'number');
    assert.equal(typeof g.limit, 'number');
    assert.equal(typeof g.evaluationTime, 'number');
    assert.match(g.lastEvaluation, RFC3339);
    for (const r of g.rules) {
      if (r.type === 'alerting') {
        assert.deepEqual(Object.keys(r).sort(), ALERTING_KEYS);
        assert.ok(['inactive', 'pending', 'firing'].includes(r.state));
        assert.equal(typeof r.duration, 'number');
        assert.equal(typeof r.keepFiringFor, 'number');
        for (const a of r.alerts) {
          assert.deepEqual(Object.keys(a).sort(), ALERT_KEYS);
          assert.match(a.activeAt, RFC3339);
          assert.equal(typeof a.value, 'string');
        }
      } else {
        assert.equal(r.type, 'recording');
        assert.deepEqual(Object.keys(r).sort(), RECORDING_KEYS);
      }
      assert.ok(['ok', 'err', 'unknown'].includes(r.health));
      assert.equal(typeof r.query, 'string');
      assert.equal(typeof r.labels, 'object');
    }
  }
}

test("Grafana's alerting UI requests for a Loki data source, replayed: shapes field for field", async () => {
  await withFiringServer(async (url) => {
    // the ruler probe Grafana sends to learn whether rules can be edited: 404 "group does not exist"
    const probe = await fetch(`${url}/loki/api/v1/rules/test/test`);
    assert.equal(probe.status, 404);
    assert.match(await probe.text(), /group does not exist/);

    // the rule list: Prometheus' JSON, all rules and alerting only
    const all = (await getJson(url, '/prometheus/api/v1/rules')).body;
    checkRulesShape(all);
    assert.deepEqual(all.data.groups.map((g: { name: string }) => g.name), ['errors', 'quiet', 'other']);
    const alertsOnly = (await getJson(url, '/prometheus/api/v1/rules?type=alert')).body;
    checkRulesShape(alertsOnly);
    assert.deepEqual(alertsOnly.data.groups.map((g: { name: string; rules: { name: string }[] }) => [g.name, g.rules.map((r) => r.name)]), [['errors', ['ServiceErrors']], ['quiet', ['NeverFires']]], 'groups left without rules are dropped');
    const firingRule = alertsOnly.data.groups[0].rules[0];
    assert.equal(firingRule.state, 'firing');
    assert.deepEqual(firingRule.alerts[0].labels, { alertname: 'ServiceErrors', service: 'payment', severity: 'page' });
    assert.deepEqual(firingRule.alerts[0].annotations, { summary: 'payment logged 3 errors' });
    assert.equal(firingRule.alerts[0].value, '3e+00');
    assert.equal(firingRule.alerts[0].state, 'firing');
    // the legacy prefix answers the same
    assert.deepEqual((await getJson(url, '/api/prom/api/v1/rules?type=alert')).body.data.groups.map((g: { name: string }) => g.name), ['errors', 'quiet']);

    // the rule detail page: one rule by namespace (file), group and name
    const one = (await getJson(url, '/prometheus/api/v1/rules?file=team-a&rule_group=errors&rule_name=ServiceErrors')).body;
    checkRulesShape(one);
    assert.deepEqual(one.data.groups.map((g: { file: string; name: string; rules: { name: string }[] }) => [g.file, g.name, g.rules.map((r) => r.name)]), [['team-a', 'errors', ['ServiceErrors']]]);
    const arrays = (await getJson(url, '/prometheus/api/v1/rules?file[]=team-b&rule_group[]=other')).body.data.groups;
    assert.deepEqual(arrays.map((g: { name: string }) => g.name), ['other'], 'the [] spellings of the Prometheus reference');
    assert.deepEqual((await getJson(url, '/prometheus/api/v1/rules?rule_name=NoSuchRule')).body.data.groups, []);
    const noAlerts = (await getJson(url, '/prometheus/api/v1/rules?type=alert&exclude_alerts=true')).body.data.groups[0].rules[0];
    assert.equal(noAlerts.alerts, undefined, 'exclude_alerts drops the alerts, not the rule');
    assert.equal(noAlerts.state, 'firing');

    // the paginated list view: group_limit pages, groupNextToken until the last page
    const page1 = (await getJson(url, '/prometheus/api/v1/rules?group_limit=2')).body;
    checkRulesShape({ status: page1.status, data: { groups: page1.data.groups } });
    assert.deepEqual(page1.data.groups.map((g: { name: string }) => g.name), ['errors', 'quiet']);
    assert.match(page1.data.groupNextToken, /^[0-9a-f]{40}$/);
    const page2 = (await getJson(url, `/prometheus/api/v1/rules?group_limit=2&group_next_token=${page1.data.groupNextToken}`)).body;
    assert.deepEqual(page2.data.groups.map((g: { name: string }) => g.name), ['other']);
    assert.equal(page2.data.groupNextToken, undefined, 'no token on the last page');
    const stale = await getJson(url, '/prometheus/api/v1/rules?group_limit=2&group_next_token=0000000000000000000000000000000000000000');
    assert.equal(stale.status, 400);
    assert.match(stale.body.error, /group_next_token/);
    assert.equal((await getJson(url, '/prometheus/api/v1/rules?group_limit=-1')).status, 400);

    // the alert list Grafana shows per data source
    const alerts = (await getJson(url, '/prometheus/api/v1/alerts')).body;
    assert.deepEqual(Object.keys(alerts.data), ['alerts']);
    for (const a of alerts.data.alerts) assert.deepEqual(Object.keys(a).sort(), ALERT_KEYS);

    // the ruler (YAML) side: list, namespace, group, as Loki's ruler API returns them
    const yamlAll = await fetch(`${url}/loki/api/v1/rules`);
    assert.match(yamlAll.headers.get('content-type') ?? '', /^application\/yaml/);
    const doc = parseYaml(await yamlAll.text());
    assert.deepEqual(Object.keys(doc), ['team-a', 'team-b']);
    assert.deepEqual(doc['team-a'].map((g: { name: string }) => g.name), ['errors', 'quiet']);
    assert.deepEqual(doc['team-a'][0].rules[0], { alert: 'ServiceErrors', expr: 'sum by (service) (count_over_time({level="error"}[1m])) > 2', labels: { severity: 'page' }, annotations: { summary: '{{ $labels.service }} logged {{ $value }} errors' } });
    assert.deepEqual(parseYaml(await (await fetch(`${url}/api/prom/rules/team-b`)).text()), { 'team-b': [{ name: 'other', interval: '1m', rules: [{ record: 'x:count', expr: 'sum(count_over_time({service="x"}[1m]))' }] }] });
    // Grafana saves a group into a namespace named after a folder (spaces and slashes percent-encoded), then reads it
    const ns = encodeURIComponent('Ops / Payments');
    assert.equal(await post(`${url}/loki/api/v1/rules/${ns}`, 'name: from-grafana\ninterval: 1m\nrules:\n  - alert: Edited\n    expr: sum(count_over_time({service="payment"}[5m])) > 100\n    for: 5m\n'), 202);
    assert.deepEqual(parseYaml(await (await fetch(`${url}/loki/api/v1/rules/${ns}/from-grafana`)).text()), { name: 'from-grafana', interval: '1m', rules: [{ alert: 'Edited', expr: 'sum(count_over_time({service="payment"}[5m])) > 100', for: '5m' }] });
    await waitFor('the saved group in the rule list', async () => (await getJson(url, '/prometheus/api/v1/rules?file=Ops%20%2F%20Payments')).body.data.groups.length === 1);
    assert.equal((await fetch(`${url}/loki/api/v1/rules/${ns}/from-grafana`, { method: 'DELETE' })).status, 202);
    assert.equal((await fetch(`${url}/loki/api/v1/rules/${ns}/from-grafana`)).status, 404);
  });
});
