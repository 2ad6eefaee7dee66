// The detections API on a real server: the guide's scenario pushed over the Loki API becomes a stored alert on
// GET /api/v1/detections/alerts (filters, tenant scope, RFC 3339 times); POST /api/v1/detections/backtest runs loaded
// rules by name and inline native/Sigma rules over stored records, narrowed by a selector, bounded, notifying
// nobody; GET /api/v1/detections/coverage lists ATT&CK techniques, also through `sightline rules coverage --server`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { nsToRfc3339 } from '../../src/pipeline/time-text.ts';
import { getJson, nowNs, push, REPO, tempDir, withServer } from './harness.ts';

function siemConfig(dir: string): string {
  mkdirSync(path.join(dir, 'detections'));
  copyFileSync(path.join(REPO, 'examples', 'detections', 'brute-force-then-escalation.yaml'), path.join(dir, 'detections', 'rule.yaml'));
  const file = path.join(dir, 'siem.yaml');
  writeFileSync(file, 'rules:\n  - detections\nreorder_window: 1s\n');
  return file;
}

async function post(url: string, pathname: string, body: unknown, tenant?: string): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (tenant) headers['X-Scope-OrgID'] = tenant;
  const res = await fetch(url + pathname, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) };
  } catch {
    return { status: res.status, body: text };
  }
}

/** Polls the alerts route until `want` alerts are stored (the engine fires after its reorder window). */
async function storedAlerts(url: string, want: number): Promise<any[]> {
  const deadline = Date.now() + 15_000;
  let last: { status: number; body: any } | undefined;
  while (Date.now() < deadline) {
    last = await getJson(url, '/api/v1/detections/alerts');
    if (last.status === 200 && last.body.data.alerts.length >= want) return last.body.data.alerts;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`expected ${want} stored alert(s), last answer ${last?.status}: ${JSON.stringify(last?.body).slice(0, 300)}`);
}

const THRESHOLD_RULE = `rule: many_sudo_failures
title: sudo authentication failures
severity: medium
tags: [attack.privilege_escalation, attack.t1548.003]
events:
  sudo_fail: '{service="sudo"} |= "authentication failure" | regexp "user=(?P<user_id>\\\\S+)"'
sequence:
  - event: sudo_fail
    count: ">= 3"
    within: 5m
    group_by: user_id
`;

const SIGMA_RULE = `title: Sudo Authentication Failure
id: 5d1a9c3e-2f4b-4c6d-8e7f-a1b2c3d4e5f6
author: Jane Analyst
references:
    - https://example.org/sudo
tags:
    - attack.credential_access
    - attack.t1110
logsource:
    product: linux
    service: sudo
detection:
    keywords:
        - 'authentication failure'
    condition: keywords
level: low
`;

test('detections API: stored alerts with filters, backtests by name and inline, bounds, coverage', async (t) => {
  const dir = tempDir('sightline-detections-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await withServer({ siemFile: siemConfig(dir) }, async (s) => {
    const t0 = nowNs(-30 * 60_000);
    const at = (sec: number) => String(t0 + BigInt(sec) * 1_000_000_000n);
    const failed = Array.from({ length: 5 }, (_, i) => [at(i * 10), `Failed password for alice from 203.0.113.7 port ${40000 + i} ssh2`]);
    assert.equal((await push(s.url, [{ stream: { service: 'sshd', host: 'bastion' }, values: [...failed, [at(70), 'Accepted password for alice from 203.0.113.7 port 40100 ssh2']] }])).status, 204);
    assert.equal((await push(s.url, [{ stream: { service: 'usermod', host: 'bastion' }, values: [[at(100), "add 'alice' to group 'sudo'"]] }])).status, 204);
    // near miss: four failures for bob
    const bob = Array.from({ length: 4 }, (_, i) => [at(i * 10 + 1), `Failed password for bob from 198.51.100.9 port ${41000 + i} ssh2`]);
    assert.equal((await push(s.url, [{ stream: { service: 'sshd', host: 'bastion' }, values: [...bob, [at(75), 'Accepted password for bob from 198.51.100.9 port 41100 ssh2']] }])).status, 204);
    const sudo = Array.from({ length: 3 }, (_, i) => [at(200 + i), `pam_unix(sudo:auth): authentication failure; logname= uid=1000 euid=0 tty=/dev/pts/0 ruser=carol rhost= user=carol`]);
    assert.equal((await push(s.url, [{ stream: { service: 'sudo', host: 'web-1' }, values: sudo }])).status, 204);

    // the live engine's alert, stored, in the API's shape
    const [alert] = await storedAlerts(s.url, 1);
    assert.equal(alert.rule, 'brute_force_then_escalation');
    assert.equal(alert.title, 'account takeover suspected');
    assert.equal(alert.severity, 'high');
    assert.deepEqual(alert.group, { user_id: 'alice' });
    assert.equal(alert.first_ts, nsToRfc3339(BigInt(at(0))));
    assert.equal(alert.last_ts, nsToRfc3339(BigInt(at(100))));
    assert.equal(alert.event_count, 7);
    assert.deepEqual(alert.events[6], { ts: nsToRfc3339(BigInt(at(100))), labels: { host: 'bastion', service: 'usermod' }, line: "add 'alice' to group 'sudo'", step: 'privilege_change' });
    assert.match(alert.incident_id, /^inc-/);

    const q = async (query: string) => {
      const r = await getJson(s.url, `/api/v1/detections/alerts?${query}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body.data.alerts.length;
    };
    assert.equal(await q('severity=high'), 1);
    assert.equal(await q('severity=low,medium'), 0);
    assert.equal(await q('rule=brute_force_then_escalation'), 1);
    assert.equal(await q('rule=other'), 0);
    assert.equal(await q(`since=${encodeURIComponent(nsToRfc3339(BigInt(at(100))))}`), 1);
    assert.equal(await q(`since=${at(101)}`), 0);
    assert.equal(await q(`until=${at(100)}`), 0);
    assert.equal(await q('since=2h&limit=1'), 1);
    assert.equal((await getJson(s.url, '/api/v1/detections/alerts', { tenant: 'other' })).body.data.alerts.length, 0);
    const badSeverity = await getJson(s.url, '/api/v1/detections/alerts?severity=urgent');
    assert.equal(badSeverity.status, 400);
    assert.match(JSON.stringify(badSeverity.body), /severity: expected informational, low, medium, high or critical/);
    assert.equal((await getJson(s.url, '/api/v1/detections/alerts?limit=0')).status, 400);

    const range = { start: at(-60), end: at(600) };
    // a loaded rule by name: the same alert, nobody notified, nothing stored
    const byName = await post(s.url, '/api/v1/detections/backtest', { ...range, rules: ['brute_force_then_escalation'] });
    assert.equal(byName.status, 200, JSON.stringify(byName.body));
    assert.equal(byName.body.status, 'success');
    assert.equal(byName.body.data.alerts.length, 1);
    const b = byName.body.data.alerts[0];
    for (const k of ['rule', 'title', 'severity', 'group', 'first_ts', 'last_ts', 'event_count', 'events']) assert.deepEqual(b[k], alert[k], k);
    assert.equal(b.incident_id, undefined);
    assert.equal(byName.body.data.stats.records, 12, 'sshd and usermod records only: the sudo stream is not read');
    assert.equal((await getJson(s.url, '/api/v1/detections/alerts')).body.data.alerts.length, 1, 'a backtest stores no alert');

    // narrowed to a host with no such records: nothing read, nothing fired
    const narrowed = await post(s.url, '/api/v1/detections/backtest', { ...range, query: '{host="web-1"}' });
    assert.equal(narrowed.status, 200, JSON.stringify(narrowed.body));
    assert.equal(narrowed.body.data.alerts.length, 0);
    assert.equal(narrowed.body.data.stats.records, 0);
    assert.ok(narrowed.body.data.stats.queries.every((x: string) => x.includes('host="web-1"')), JSON.stringify(narrowed.body.data.stats.queries));

    // inline rules: a native threshold rule and a Sigma rule (id, author, references), with a line-filter narrowing
    const inline = await post(s.url, '/api/v1/detections/backtest', { ...range, query: '{host="web-1"} |= "carol"', rules: [{ name: 'sudo.yaml', text: THRESHOLD_RULE }, SIGMA_RULE] });
    assert.equal(inline.status, 200, JSON.stringify(inline.body));
    const byRule = Object.fromEntries(inline.body.data.alerts.map((a: any) => [a.rule, a]));
    assert.deepEqual(Object.keys(byRule).sort(), ['5d1a9c3e-2f4b-4c6d-8e7f-a1b2c3d4e5f6', 'many_sudo_failures']);
    assert.equal(byRule.many_sudo_failures.event_count, 3);
    assert.deepEqual(byRule.many_sudo_failures.group, { user_id: 'carol' });
    const sigma = byRule['5d1a9c3e-2f4b-4c6d-8e7f-a1b2c3d4e5f6'];
    assert.equal(sigma.id, '5d1a9c3e-2f4b-4c6d-8e7f-a1b2c3d4e5f6');
    assert.equal(sigma.author, 'Jane Analyst');
    assert.deepEqual(sigma.references, ['https://example.org/sudo']);
    assert.deepEqual(sigma.tags, ['attack.credential_access', 'attack.t1110']);
    assert.equal(inline.body.data.stats.rules.loaded, 2);

    // bounds and bad requests: each a 400 naming the problem
    const tooLong = await post(s.url, '/api/v1/detections/backtest', { start: '2024-01-01T00:00:00Z', end: '2024-03-01T00:00:00Z' });
    assert.equal(tooLong.status, 400);
    assert.match(JSON.stringify(tooLong.body), /covers 1440h, more than the 744h a backtest may/);
    const tooMany = await post(s.url, '/api/v1/detections/backtest', { ...range, max_records: 3 });
    assert.equal(tooMany.status, 400);
    assert.match(JSON.stringify(tooMany.body), /would read more than 3 records: narrow it with \\"query\\"/);
    const unknown = await post(s.url, '/api/v1/detections/backtest', { ...range, rules: ['brute_force_then_escalation', 'nope'] });
    assert.equal(unknown.status, 400);
    assert.match(JSON.stringify(unknown.body), /rules\[1\]: no loaded rule is named \\"nope\\"/);
    const stage = await post(s.url, '/api/v1/detections/backtest', { ...range, query: '{host="web-1"} | json' });
    assert.equal(stage.status, 400);
    assert.match(JSON.stringify(stage.body), /query: only a stream selector and line filters .* has a \| json stage/);
    const broken = await post(s.url, '/api/v1/detections/backtest', { ...range, rules: ['rule: x\nsequence: nope\n'] });
    assert.equal(broken.status, 400);
    assert.match(JSON.stringify(broken.body), /rules: no rule loaded: rules\[0\]/);

    // coverage of the running rules, and the CLI reading it from the server
    const cov = await getJson(s.url, '/api/v1/detections/coverage');
    assert.equal(cov.status, 200);
    assert.equal(cov.body.status, 'success');
    assert.deepEqual(cov.body.data.tactics[0], { id: 'reconnaissance', name: 'Reconnaissance' });
    assert.deepEqual(cov.body.data.techniques, [
      { id: 'T1098', subtechnique: null, name: 'Account Manipulation', tactics: ['privilege-escalation'], rules: [{ id: 'brute_force_then_escalation', title: 'account takeover suspected', source: 'native', level: 'high', enabled: true }] },
      { id: 'T1110', subtechnique: null, name: 'Brute Force', tactics: ['credential-access'], rules: [{ id: 'brute_force_then_escalation', title: 'account takeover suspected', source: 'native', level: 'high', enabled: true }] },
    ]);
    assert.equal(cov.body.data.rules_without_tags, 0);
    const cli = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const p = spawn(process.execPath, [path.join(REPO, 'bin', 'sightline'), 'rules', 'coverage', '--server', s.url, '--output', 'json'], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      p.stdout.on('data', (d) => (out += d));
      p.once('close', (code) => resolve({ code, out }));
    });
    assert.equal(cli.code, 0);
    assert.deepEqual(JSON.parse(cli.out), cov.body);
  });
});

test('detections API without a siem: config: empty alerts and coverage, inline backtests still run', async () => {
  await withServer({}, async (s) => {
    const t0 = nowNs(-10 * 60_000);
    const values = Array.from({ length: 3 }, (_, i) => [String(t0 + BigInt(i) * 1_000_000_000n), 'pam_unix(sudo:auth): authentication failure; user=dave']);
    assert.equal((await push(s.url, [{ stream: { service: 'sudo' }, values }])).status, 204);
    assert.deepEqual((await getJson(s.url, '/api/v1/detections/alerts')).body, { status: 'success', data: { alerts: [] } });
    const cov = (await getJson(s.url, '/api/v1/detections/coverage')).body.data;
    assert.deepEqual([cov.techniques, cov.rules_without_tags, cov.tactics.length], [[], 0, 15]);
    const named = await post(s.url, '/api/v1/detections/backtest', { rules: ['anything'] });
    assert.equal(named.status, 400);
    assert.match(JSON.stringify(named.body), /this server runs no detection rules/);
    const inline = await post(s.url, '/api/v1/detections/backtest', { rules: [THRESHOLD_RULE] });
    assert.equal(inline.status, 200, JSON.stringify(inline.body));
    assert.equal(inline.body.data.alerts.length, 1);
    assert.deepEqual(inline.body.data.alerts[0].group, { user_id: 'dave' });
  });
});
