// `sightline rules check` and `sightline rules eval` as child processes: exit codes, each error as file:line: why,
// the shipped example passing, and the backtest's alert timeline (one JSON object per state change) over records
// with known error bursts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { rmSync, writeFileSync } from 'node:fs';
import { REPO, tempDir } from './harness.ts';
import { reEscape, sightline as cli } from './alerting-harness.ts';

test('rules check: the shipped example passes; broken files print file:line: why and exit 1', async () => {
  const dir = tempDir();
  try {
    const ok = await cli(['rules', 'check', path.join(REPO, 'examples', 'rules', 'error-rate.yaml')]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /error-rate\.yaml: SUCCESS: 1 group, 1 rule \(1 alerting, 0 recording\)\n$/);

    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, 'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: sum(rate({app="x"}[5m]) > 1\n        for: 5 minutes\n');
    const missing = path.join(dir, 'missing.yaml');
    const r = await cli(['rules', 'check', bad, missing]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trimEnd().split('\n');
    assert.match(lines[0], new RegExp(`^${reEscape(bad)}:5: groups\\[0\\]\\.rules\\[0\\]\\.expr: parse error at line 1, col \\d+: `));
    assert.equal(lines[1], `${bad}:6: groups[0].rules[0].for: expected a duration like 30s, 5m or 1h30m, got "5 minutes"`);
    assert.match(lines[2], new RegExp(`^${reEscape(missing)}: cannot read rule file: ENOENT`));
    assert.equal((await cli(['rules', 'check'])).code, 2, 'no file is a usage error');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('rules eval: the alert timeline of a backtest, one JSON line per state change', async () => {
  const dir = tempDir();
  try {
    const rules = path.join(dir, 'rules.yaml');
    writeFileSync(rules, `groups:
  - name: errors
    interval: 1m
    rules:
      - alert: ErrorBurst
        expr: sum by (service) (count_over_time({level="error"}[1m])) > 2
        for: 1m
        labels:
          severity: warning
`);
    // payment logs 3 errors per 10 s from 12:00:05 to 12:03:55; auth one error only (never above 2 per minute)
    const base = Date.parse('2024-05-01T12:00:00Z');
    let ndjson = '';
    for (let s = 5; s < 240; s += 10) {
      const ts = new Date(base + s * 1000).toISOString();
      for (let i = 0; i < 3; i++) ndjson += JSON.stringify({ ts, labels: { service: 'payment', level: 'error' }, line: `timeout ${i}` }) + '\n';
    }
    ndjson += JSON.stringify({ ts: '2024-05-01T12:00:30Z', labels: { service: 'auth', level: 'error' }, line: 'bad password' }) + '\n';
    ndjson += 'not json\n';
    ndjson += JSON.stringify({ ts: '2024-05-01T12:07:00Z', labels: { service: 'payment', level: 'info' }, line: 'quiet again' }) + '\n';
    const input = path.join(dir, 'events.ndjson');
    writeFileSync(input, ndjson);

    const r = await cli(['rules', 'eval', '--rules', rules, '--input', input, '--output', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const events = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    const labels = { alertname: 'ErrorBurst', service: 'payment', severity: 'warning' };
    assert.deepEqual(events, [
      { ts: '2024-05-01T12:01:00Z', alert: 'ErrorBurst', state: 'pending', labels, value: 18 },
      { ts: '2024-05-01T12:02:00Z', alert: 'ErrorBurst', state: 'firing', labels, value: 18 },
      { ts: '2024-05-01T12:05:00Z', alert: 'ErrorBurst', state: 'resolved', labels, value: 18 },
    ]);
    assert.match(r.stderr, new RegExp(`${reEscape(input)}:74: malformed JSON`), 'a bad record is reported with its line');
    assert.match(r.stderr, /74 records \(1 rejected\), 7 group evaluations from 2024-05-01T12:00:05Z to 2024-05-01T12:07:00Z, 3 state changes/);

    // a finer step sees the alert go pending sooner
    const fine = await cli(['rules', 'eval', '--rules', rules, '--input', input, '--step', '15s']);
    assert.equal(fine.code, 0, fine.stderr);
    const first = JSON.parse(fine.stdout.split('\n')[0]);
    assert.equal(first.ts, '2024-05-01T12:00:15Z');
    assert.equal(first.state, 'pending');

    const usage = await cli(['rules', 'eval', '--rules', rules]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--input EVENTS\.ndjson are required/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
