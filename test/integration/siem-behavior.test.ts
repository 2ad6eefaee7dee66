// New-value rules and allow-lists in a real server (`siem:` config): logins pushed over the Loki API with
// structured metadata (`geo.country`, as the pipeline's geoip processor stores it) raise an alert for a user's new
// country, not for a known one nor for an allowed account; /metrics counts what the allow-list kept out.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { getJson, nowNs, push, tempDir, withServer } from './harness.ts';

const RULE = `
rule: new_country_login
title: first login of a user from a new country
events:
  login: '{service="sshd"} |= "Accepted " | regexp "Accepted \\\\S+ for (?P<user_id>\\\\S+) from (?P<src_ip>\\\\S+)"'
new_value:
  event: login
  group_by: user_id
  fields: [geo.country]
  history: 30d
  learning: 1h
`;

interface Alert {
  title: string;
  group: Record<string, string>;
}

async function alertsWhen(url: string, ok: (alerts: Alert[]) => boolean): Promise<Alert[]> {
  const end = Date.now() + 15_000;
  let last: { status: number; body: unknown } | undefined;
  while (Date.now() < end) {
    last = await getJson(url, '/api/v1/siem/alerts');
    const body = last.body as Alert[] | { alerts?: Alert[] };
    const list = Array.isArray(body) ? body : (body.alerts ?? []);
    if (last.status === 200 && ok(list)) return list;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`alerts never as expected; last answer ${last?.status}: ${JSON.stringify(last?.body).slice(0, 300)}`);
}

test('a user\'s first login from a new country raises one alert; known countries and allowed users do not', async (t) => {
  const dir = tempDir('sightline-siem-behavior-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(path.join(dir, 'detections'));
  writeFileSync(path.join(dir, 'detections', 'new-country.yaml'), RULE);
  const siemFile = path.join(dir, 'siem.yaml');
  writeFileSync(siemFile, 'rules: [detections]\nreorder_window: 1s\nallow:\n  - field: user_id\n    values: [backup]\n');
  await withServer({ siemFile }, async (s) => {
    const t0 = nowNs(-3 * 3_600_000);
    const at = (min: number) => String(t0 + BigInt(min) * 60_000_000_000n);
    const login = (min: number, user: string, country: string) => [at(min), `Accepted publickey for ${user} from 203.0.113.7 port 22 ssh2`, { 'geo.country': country }];
    const values = [
      login(0, 'alice', 'DE'), // learning (the first hour)
      login(90, 'alice', 'DE'), // known
      login(100, 'alice', 'BR'), // new → the alert
      login(101, 'backup', 'CN'), // allowed
      login(110, 'alice', 'BR'), // known now
    ];
    assert.equal((await push(s.url, [{ stream: { service: 'sshd' }, values }])).status, 204);
    // every record evaluated and none left in the reorder buffer: whatever would fire has fired
    const end = Date.now() + 15_000;
    let metrics = '';
    while (Date.now() < end) {
      metrics = await fetch(`${s.url}/metrics`).then((r) => r.text());
      if (/sightline_siem_records_evaluated_total 5\n/.test(metrics) && /sightline_siem_reorder_buffered 0\n/.test(metrics)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.match(metrics, /sightline_siem_reorder_buffered 0\n/);
    const alerts = await alertsWhen(s.url, () => true);
    assert.equal(alerts.length, 1, JSON.stringify(alerts).slice(0, 400));
    assert.deepEqual(alerts[0]!.group, { user_id: 'alice', 'geo.country': 'BR' });
    assert.equal(alerts[0]!.title, 'first login of a user from a new country');
    assert.match(metrics, /sightline_siem_allowed_total 1\n/);
  });
});
