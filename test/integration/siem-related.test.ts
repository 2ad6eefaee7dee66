// The `related` enrichment on a real server: the guide's account takeover pushed over the Loki API, with other records
// of the tenant that share the attacker's IP, the user or the login's trace_id (in the line or as structured metadata),
// near-misses (another address with the same prefix, outside the window, another tenant); the incident's `related`
// holds exactly the records the test computes on its own from what it pushed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { getJson, nowNs, push, REPO, tempDir, withServer, type PushStream } from './harness.ts';

const MIN = 60_000_000_000n;
const SEC = 1_000_000_000n;
const IP = '203.0.113.77';
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

/** The shipped guide rule, with the guide's wording of the related-records enrichment. */
function guideRule(): string {
  const shipped = readFileSync(path.join(REPO, 'examples/detections/brute-force-then-escalation.yaml'), 'utf8');
  const rule = shipped.replace('  - enrich: add geo_ip, threat_intel lookup\n', '  - enrich: add geo_ip, threat_intel lookup, related records\n');
  assert.notEqual(rule, shipped, 'the shipped rule\'s enrich action moved: update this test');
  return rule;
}

async function until<T>(what: string, f: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + 20_000;
  while (Date.now() < end) {
    const v = await f();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

interface Pushed {
  ts: bigint;
  labels: Record<string, string>;
  line: string;
  metadata?: Record<string, string>;
}

function streamsOf(recs: Pushed[]): PushStream[] {
  const by = new Map<string, PushStream>();
  for (const r of recs) {
    const k = JSON.stringify(r.labels);
    let s = by.get(k);
    if (s === undefined) by.set(k, (s = { stream: r.labels, values: [] }));
    s.values.push(r.metadata ? [String(r.ts), r.line, r.metadata] : [String(r.ts), r.line]);
  }
  return [...by.values()];
}

/** Independent of the implementation: the value as a whole word of the line, or a label/metadata value under the key. */
function carries(r: Pushed, key: string, value: string): boolean {
  const esc = value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|\\W)${esc}(\\W|$)`).test(r.line) || r.labels[key] === value || r.metadata?.[key] === value;
}

test('the related enrichment attaches the records sharing the attacker\'s IP, the user and the trace_id', async (t) => {
  const dir = tempDir('sightline-siem-related-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(path.join(dir, 'rules'));
  writeFileSync(path.join(dir, 'rules', 'takeover.yaml'), guideRule());
  writeFileSync(path.join(dir, 'siem.yaml'), 'rules: [rules]\nreorder_window: 1s\n');

  const t0 = nowNs(-40 * 60_000);
  const sshd = { service: 'sshd', host: 'web-1' };
  const at = (m: bigint, s = 0n) => t0 + m * MIN + s * SEC;
  const attack: Pushed[] = [
    ...[0n, 1n, 2n, 3n, 4n].map((m) => ({ ts: at(m), labels: sshd, line: `Failed password for admin from ${IP} port ${40000 + Number(m)} ssh2` })),
    { ts: at(6n), labels: sshd, line: `Accepted password for admin from ${IP} port 52222 ssh2`, metadata: { trace_id: TRACE } },
    { ts: at(10n), labels: { service: 'usermod', host: 'web-1' }, line: `add 'admin' to group 'sudo'` },
  ];
  const web = { service: 'nginx', host: 'web-1' };
  const api = { service: 'billing-api', host: 'app-1' };
  const others: Pushed[] = [
    { ts: at(-14n), labels: web, line: `GET /login 200 client=${IP}` }, // the IP, inside the window
    { ts: at(-16n), labels: web, line: `GET /robots.txt 200 client=${IP}` }, // the IP, before the window (first - 15m)
    { ts: at(2n, 30n), labels: web, line: `GET /admin 200 client=${IP}` }, // the IP and the user
    { ts: at(3n, 30n), labels: web, line: `GET / 200 client=${IP}1` }, // a longer address with the IP as its prefix
    { ts: at(7n), labels: api, line: 'export requested rows=120000', metadata: { trace_id: TRACE } }, // the trace, metadata only
    { ts: at(7n, 5n), labels: api, line: `span finished trace=${TRACE} status=ok` }, // the trace, in the line
    { ts: at(8n), labels: api, line: 'export requested rows=10', metadata: { trace_id: '0af7651916cd43dd8448eb211c80319c' } }, // another trace
    { ts: at(9n), labels: { service: 'vpn', host: 'gw-1' }, line: 'login ok', metadata: { src_ip: IP } }, // the IP as metadata only
    { ts: at(12n), labels: web, line: 'GET /health 200 client=10.1.2.3' }, // nothing shared
    { ts: at(24n), labels: { service: 'sudo', host: 'web-1' }, line: 'admin : TTY=pts/0 ; COMMAND=/bin/cat /etc/shadow' }, // the user, inside (last + 15m)
    { ts: at(26n), labels: { service: 'sudo', host: 'web-1' }, line: 'admin : TTY=pts/0 ; COMMAND=/bin/ls' }, // the user, after the window
  ];

  await withServer({ siemFile: path.join(dir, 'siem.yaml') }, async (s) => {
    // the other tenant's records share everything and must never show up
    assert.equal((await push(s.url, streamsOf(others.map((r) => ({ ...r, line: `${r.line} tenant=other` }))), { tenant: 'other' })).status, 204);
    // the surrounding records are stored before the attack completes, so the search at alert time finds them
    assert.equal((await push(s.url, streamsOf(others), { tenant: 'acme' })).status, 204);
    assert.equal((await push(s.url, streamsOf(attack), { tenant: 'acme' })).status, 204);

    const incident = await until('the incident with its related records', async () => {
      const list = await getJson(s.url, '/api/v1/siem/incidents', { tenant: 'acme' });
      const id = list.body.incidents?.[0]?.id as string | undefined;
      if (id === undefined) return undefined;
      const one = await getJson(s.url, `/api/v1/siem/incidents/${id}`, { tenant: 'acme' });
      return one.body.incident.related !== undefined ? one.body : undefined;
    });
    assert.equal(incident.incident.rule, 'brute_force_then_escalation');
    assert.equal(incident.incident.event_count, 7);
    const related = incident.incident.related as { key: string; value: string; count: number; truncated: boolean; records: { ts: string; labels: Record<string, string>; line: string }[]; error?: string }[];

    // expected, computed from what was pushed: ±15m (the default window) around the first and last linked event
    const from = attack[0]!.ts - 15n * MIN;
    const to = attack.at(-1)!.ts + 15n * MIN;
    const own = new Set(attack.map((r) => `${r.ts} ${r.line}`));
    const expected = (key: string, value: string) =>
      [...attack, ...others]
        .filter((r) => r.ts >= from && r.ts <= to && !own.has(`${r.ts} ${r.line}`) && carries(r, key, value))
        .sort((a, b) => (a.ts < b.ts ? -1 : 1))
        .map((r) => `${r.ts} ${r.line}`);
    // the default keys in order (trace_id, user_id, user, src_ip, client_ip); values of the group, then the events
    assert.deepEqual(related.map((g) => [g.key, g.value]), [['trace_id', TRACE], ['user_id', 'admin'], ['src_ip', IP]]);
    for (const g of related) {
      const want = expected(g.key, g.value);
      assert.deepEqual(g.records.map((r) => `${r.ts} ${r.line}`), want, `${g.key}=${g.value}`);
      assert.deepEqual([g.count, g.truncated, g.error], [want.length, false, undefined], `${g.key}=${g.value}`);
    }
    // spot checks of the expectation itself, so a wrong oracle cannot pass silently
    assert.deepEqual(expected('trace_id', TRACE).length, 2);
    assert.deepEqual(expected('src_ip', IP).length, 3);
    assert.deepEqual(expected('user_id', 'admin').length, 2);
    const vpn = related.find((g) => g.key === 'src_ip')!.records.find((r) => r.line === 'login ok');
    assert.deepEqual(vpn?.labels, { service: 'vpn', host: 'gw-1' });

    // the alert carries the same, and its actions say what the search did
    const alert = incident.alerts.find((a: { related?: unknown }) => a.related !== undefined);
    assert.deepEqual(alert.related, related);
    const outcome = alert.actions.find((a: { name?: string }) => a.name === 'related');
    assert.deepEqual([outcome.status, outcome.detail], ['done', 'related: 7 records for 3 values']);
  });
});
