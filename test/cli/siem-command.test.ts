// `sightline siem check` over the SigmaHQ folders and the legacy ones, and `siem hunt --input` offline over a file of
// records in the native NDJSON shape (ts, labels, line), printing one alert per line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { siemCommand } from '../../src/cli/siem-command.ts';
import { takeover, download, T0, MIN } from '../siem/scenario.ts';

const REPO = path.resolve(import.meta.dirname, '../..');
const SIGMA = path.resolve(REPO, '../shared/data/sigma');
const RULE = path.join(REPO, 'examples/detections/brute-force-then-escalation.yaml');

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await siemCommand(args, { write: (t) => void (out += t) }, { write: (t) => void (err += t) });
  return { code, out, err };
}

test('siem check: the SigmaHQ linux, web and AWS rules all load with the example mapping', async () => {
  const r = await cli(['check', '--mapping', path.join(REPO, 'examples/siem/sigma-mapping.yaml'), path.join(SIGMA, 'rules/linux'), path.join(SIGMA, 'rules/web'), path.join(SIGMA, 'rules/cloud/aws'), RULE]);
  assert.equal(r.code, 0, r.out);
  assert.equal(r.out, 'loaded 263 of 263 rules (1 native, 262 Sigma, 0 Sigma correlations); 0 did not load\n');
});

test('siem check: rules that cannot load are listed with file:line and why, and the exit code is 1', async () => {
  const r = await cli(['check', path.join(SIGMA, 'correlation/legacy-unsupported/linux')]);
  assert.equal(r.code, 1);
  assert.match(r.out, /lnx_auth_susp_failed_logons_single_source\.yml:\d+: Failed Logins with Different Accounts from Single Source - Linux: Sigma 1\.x aggregation "\| count\(pam_user\) by pam_rhost > 3" is not supported/);
  assert.match(r.out, /loaded \d+ of 5 rules .*; \d+ did not load\n$/);
});

test('siem hunt --input: offline over a file of records, one JSON alert per line', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'siem-cli-'));
  try {
    const recs = [...takeover(), download('admin', T0 + 30n * MIN)];
    const file = path.join(dir, 'events.ndjson');
    // shuffled on purpose: the hunt sorts by time
    writeFileSync(file, recs.reverse().map((r) => JSON.stringify({ ts: r.ts.toString(), labels: r.labels, line: r.line })).join('\n') + '\n{"ts": "bad"}\n');
    const r = await cli(['hunt', '--rules', RULE, '--input', file]);
    assert.equal(r.code, 0, r.err);
    const alerts = r.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(alerts.length, 2);
    assert.equal(alerts[0]!.title, 'account takeover suspected');
    assert.equal(alerts[0]!.event_count, 7);
    assert.deepEqual(alerts[0]!.group, { user_id: 'admin' });
    assert.equal((alerts[0]!.events as unknown[]).length, 7);
    assert.equal(alerts[1]!.extends, alerts[0]!.alert_id);
    assert.match(r.err, /events\.ndjson:9: /, 'the bad line is reported with its line number');
    const text = await cli(['hunt', '--rules', RULE, '--input', file, '--output', 'text']);
    assert.match(text.out, /^2024-05-01T18:00:00\.000Z HIGH account takeover suspected \[brute_force_then_escalation\] user_id=admin events=7\n/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
