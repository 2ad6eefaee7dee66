// The demo's feed against a real server with the demo's SIEM config (examples/detections): 45 minutes of the shop and
// of attack plays every 4 minutes, pushed through the Loki push API in 30-second slices as `sightline demo` does. Each
// played takeover raises exactly one HIGH incident for its user (a mass download extends it); near misses raise none.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DemoFeed } from '../../src/demo/demo-feed.ts';
import { writeDemoSiemConfig } from '../../src/demo/demo-siem.ts';
import { getJson, tempDir, withServer } from '../integration/harness.ts';

interface Incident { id: string; rule: string; title: string; severity: string; group: Record<string, string>; alerts: string[]; event_count: number; entities: { user: string[]; ip: string[] } }
interface Alert { rule: string; group: Record<string, string>; extends?: string; incident_id: string }

test('demo: every played takeover raises one HIGH incident, near misses none', { timeout: 120_000 }, async () => {
  const dataDir = tempDir('sightline-demo-attack-');
  await withServer({ dataDir, siemFile: writeDemoSiemConfig(dataDir) }, async (server) => {
    // the slices end 20 s in the past: every event is behind the reorder watermark and applied on arrival
    const end = Date.now() - 20_000;
    const start = end - 45 * 60_000;
    const feed = new DemoFeed({ seed: 4242, linesPerSecond: 4, attack: { firstMs: start + 30_000, everyMs: 4 * 60_000 } });
    let pushed = 0;
    for (let t = start; t < end; t += 30_000) {
      const streams = feed.produce(t, Math.min(t + 30_000, end));
      const res = await fetch(`${server.url}/loki/api/v1/push`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ streams }) });
      assert.equal(res.status, 204, await res.text());
      pushed += streams.reduce((n, s) => n + s.values.length, 0);
    }
    const plays = feed.attacks!.plays(start, end);
    const complete = plays.filter((p) => p.privilegeMs <= end);
    assert.equal(plays.length, 12);
    assert.ok(complete.length >= 10, `${complete.length} complete plays`);
    assert.ok(complete.some((p) => p.lateEscalationMs !== undefined && p.lateEscalationMs <= end), 'a late escalation is in range');

    const rule = 'brute_force_then_escalation';
    let incidents: Incident[] = [];
    // alerts are raised as batches commit; poll briefly for the last one rather than sleeping
    for (const deadline = Date.now() + 15_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
      incidents = (await getJson(server.url, `/api/v1/siem/incidents?rule=${rule}&limit=1000`)).body.incidents;
      if (incidents.length >= complete.length) break;
    }
    assert.deepEqual(incidents.map((i) => i.group.user_id).sort(), complete.map((p) => p.user).sort(), `pushed ${pushed} lines`);
    const alerts: Alert[] = (await getJson(server.url, `/api/v1/siem/alerts?rule=${rule}&limit=1000`)).body.alerts;
    for (const p of complete) {
      const inc = incidents.find((i) => i.group.user_id === p.user)!;
      assert.equal(inc.title, 'account takeover suspected');
      assert.equal(inc.severity, 'high');
      assert.ok(inc.entities.ip.includes(p.attackerIp), JSON.stringify(inc.entities));
      assert.ok(inc.event_count >= p.failures + 2, `${inc.event_count} events for ${p.user}`);
      const mine = alerts.filter((a) => a.group.user_id === p.user);
      const extended = p.downloadMs !== undefined && p.downloadMs <= end;
      assert.equal(mine.filter((a) => a.extends === undefined).length, 1, `one alert for ${p.user}`);
      assert.equal(mine.filter((a) => a.extends !== undefined).length, extended ? 1 : 0, `mass download of ${p.user}`);
      assert.ok(mine.every((a) => a.incident_id === inc.id));
      assert.equal(inc.alerts.length, extended ? 2 : 1);
    }
    const nearMiss = new Set(plays.flatMap((p) => [p.fourFailures, p.failedUser, p.otherUser, p.lateEscalation ?? '']));
    assert.ok(alerts.every((a) => !nearMiss.has(a.group.user_id!)));

    // the lines are stored as sent: the failures of one takeover, counted through LogQL
    const p = complete[0]!;
    const q = `count_over_time({service="sshd", host="bastion-1"} |= "Failed password for ${p.user} from" [2h])`;
    const r = await getJson(server.url, `/loki/api/v1/query?query=${encodeURIComponent(q)}&time=${Math.floor(end / 1000) + 1}`);
    assert.equal(Number(r.body.data.result[0].value[1]), p.failures);

    // what an Overview dashboard reads from the gateway's nginx lines: method, path, status and rt= (request time, s)
    const slow = String.raw`topk(3, avg by (path) (avg_over_time({service="api-gateway"} | regexp "\"(?P<method>[A-Z]+) (?P<path>[^ ?\"]+)[^\"]*\" (?P<status>\\d{3}) .* rt=(?P<rt>[0-9.]+)" | unwrap rt [1h])))`;
    const s = await getJson(server.url, `/loki/api/v1/query?query=${encodeURIComponent(slow)}&time=${Math.floor(end / 1000) + 1}`);
    assert.equal(s.status, 200, JSON.stringify(s.body));
    const top: { metric: { path: string }; value: [number, string] }[] = s.body.data.result;
    assert.equal(top.length, 3);
    for (const x of top) assert.ok(x.metric.path.startsWith('/') && Number(x.value[1]) > 0.01, JSON.stringify(x));
  });
});
