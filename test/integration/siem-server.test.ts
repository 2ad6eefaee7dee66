// The SIEM wired into the server (`siem:` config): the guide's account-takeover scenario pushed through the Loki
// API becomes one HIGH incident on /api/v1/siem/incidents, linking every event; near misses make none.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { getJson, nowNs, push, REPO, tempDir, withServer } from './harness.ts';

function siemConfig(dir: string): string {
  mkdirSync(path.join(dir, 'detections'));
  copyFileSync(path.join(REPO, 'examples', 'detections', 'brute-force-then-escalation.yaml'), path.join(dir, 'detections', 'rule.yaml'));
  const file = path.join(dir, 'siem.yaml');
  writeFileSync(file, 'rules:\n  - detections\nreorder_window: 1s\n');
  return file;
}

async function incidents(url: string, want: number): Promise<any[]> {
  const end = Date.now() + 15_000;
  let last: any;
  while (Date.now() < end) {
    last = await getJson(url, '/api/v1/siem/incidents');
    const list = Array.isArray(last.body) ? last.body : (last.body.incidents ?? last.body.data ?? []);
    if (last.status === 200 && list.length >= want) return list;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`expected ${want} incident(s), last answer ${last?.status}: ${JSON.stringify(last?.body).slice(0, 300)}`);
}

test('the guide\'s scenario pushed over the Loki API raises one HIGH incident linking every event', async (t) => {
  const dir = tempDir('sightline-siem-server-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await withServer({ siemFile: siemConfig(dir) }, async (s) => {
    const t0 = nowNs(-120_000);
    const at = (sec: number) => String(t0 + BigInt(sec) * 1_000_000_000n);
    const failed = Array.from({ length: 5 }, (_, i) => [at(i * 10), `Failed password for alice from 203.0.113.7 port ${40000 + i} ssh2`]);
    assert.equal((await push(s.url, [{ stream: { service: 'sshd' }, values: [...failed, [at(70), 'Accepted password for alice from 203.0.113.7 port 40100 ssh2']] }])).status, 204);
    assert.equal((await push(s.url, [{ stream: { service: 'usermod' }, values: [[at(100), "add 'alice' to group 'sudo'"]] }])).status, 204);
    // a near miss for another user: four failures only
    const bob = Array.from({ length: 4 }, (_, i) => [at(i * 10 + 1), `Failed password for bob from 198.51.100.9 port ${41000 + i} ssh2`]);
    assert.equal((await push(s.url, [{ stream: { service: 'sshd' }, values: [...bob, [at(75), 'Accepted password for bob from 198.51.100.9 port 41100 ssh2']] }])).status, 204);
    const list = await incidents(s.url, 1);
    await new Promise((r) => setTimeout(r, 1500));
    const again = await incidents(s.url, 1);
    assert.equal(again.length, 1, `one incident, not ${again.length}: ${JSON.stringify(again).slice(0, 500)}`);
    const text = JSON.stringify(list[0]);
    assert.match(text, /HIGH|high/);
    assert.match(text, /alice/);
    assert.doesNotMatch(text, /bob/);
  });
});
