// The agent's non-file sources end to end, into a file sink: a command's output, and journald through the real
// journalctl (reading a journal file made by systemd-journal-remote), resumed from its cursor after a restart.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { Agent } from '../../src/agent/agent.ts';
import { loadAgentConfig } from '../../src/agent/agent-config.ts';
import { REPO, tempDir } from './harness.ts';

const JOURNAL_REMOTE = '/usr/lib/systemd/systemd-journal-remote';

async function outputLines(file: string, atLeast: number, timeoutMs = 10_000): Promise<any[]> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (existsSync(file)) {
      const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
      if (lines.length >= atLeast) return lines;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`fewer than ${atLeast} events in ${file}: ${existsSync(file) ? readFileSync(file, 'utf8') : 'no file'}`);
}

test('exec: a command\'s output lines, with labels, and the command restarted when it exits', async (t) => {
  const dir = tempDir('sightline-agent-src-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'agent.yaml'), [
    'data_dir: ./data',
    'labels: {job: exec}',
    'sources:',
    '  cmd:',
    '    type: exec',
    `    command: [${JSON.stringify(process.execPath)}, -e, "console.log('one'); console.log('two')"]`,
    '    restart_delay: 100ms',
    '    labels: {service: printer}',
    'sinks:',
    '  out: {type: file, path: out.ndjson}',
    '',
  ].join('\n'));
  const agent = new Agent(loadAgentConfig(path.join(dir, 'agent.yaml')), undefined, () => {});
  await agent.start();
  try {
    const got = await outputLines(path.join(dir, 'out.ndjson'), 4);
    assert.deepEqual(got.slice(0, 4).map((e) => e.line), ['one', 'two', 'one', 'two'], 'ran twice: restarted after exiting');
    assert.equal(got[0].labels.job, 'exec');
    assert.equal(got[0].labels.service, 'printer');
    assert.match(got[0].ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
  } finally {
    await agent.stop();
  }
});

test('journald: entries through journalctl, mapped, and resumed after the last delivered cursor', { skip: !existsSync(JOURNAL_REMOTE) && 'systemd-journal-remote is not installed' }, async (t) => {
  const dir = tempDir('sightline-agent-src-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const journal = path.join(dir, 'test.journal');
  // journalctl --follow shows the current boot: the entries carry its id, as real ones do
  const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim().replace(/-/g, '');
  const entry = (us: number, msg: string, prio: number) => `__REALTIME_TIMESTAMP=${us}\nMESSAGE=${msg}\nPRIORITY=${prio}\nSYSLOG_IDENTIFIER=sshd\n_HOSTNAME=node-7\n_PID=4242\n_BOOT_ID=${boot}\n\n`;
  const write = (text: string) => {
    const r = spawnSync(JOURNAL_REMOTE, ['-o', journal, '-'], { input: text });
    assert.equal(r.status, 0, r.stderr.toString());
  };
  write(entry(1764064800123456, 'Failed password for root from 10.0.0.9', 4) + entry(1764064801000000, 'Accepted password for alice', 6));
  const config = path.join(dir, 'agent.yaml');
  writeFileSync(config, ['data_dir: ./data', 'sources:', '  journal:', '    type: journald', '    start_at: beginning', `    args: [--file, ${journal}]`, 'sinks:', '  out: {type: file, path: out.ndjson}', ''].join('\n'));
  let agent = new Agent(loadAgentConfig(config), undefined, () => {});
  await agent.start();
  let first: any[];
  try {
    first = await outputLines(path.join(dir, 'out.ndjson'), 2);
  } finally {
    await agent.stop();
  }
  assert.deepEqual(first.map((e) => e.line), ['Failed password for root from 10.0.0.9', 'Accepted password for alice']);
  assert.equal(first[0].ts, '2025-11-25T10:00:00.123456000Z');
  assert.deepEqual({ service: first[0].labels.service, host: first[0].labels.host, level: first[0].labels.level }, { service: 'sshd', host: 'node-7', level: 'warn' });
  assert.equal(first[0].fields.pid, '4242');
  assert.equal(first[1].labels.level, 'info');

  // one more entry, then a restart: only the new one arrives (the cursor was checkpointed)
  write(entry(1764064802000000, 'session closed', 6));
  agent = new Agent(loadAgentConfig(config), undefined, () => {});
  await agent.start();
  try {
    const all = await outputLines(path.join(dir, 'out.ndjson'), 3);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(readFileSync(path.join(dir, 'out.ndjson'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).line), [...first.map((e) => e.line), 'session closed']);
    assert.equal(all.length, 3);
  } finally {
    await agent.stop();
  }
});

test('kubernetes: CRI and Docker container logs unwrapped, partial lines joined, pod/namespace/container from the file name', async (t) => {
  const dir = tempDir('sightline-agent-src-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // laid out as the kubelet does: <dir>/containers/<pod>_<namespace>_<container>-<id>.log
  const containers = path.join(dir, 'containers');
  mkdirSync(containers);
  const cri = path.join(containers, `checkout-7d9f_shop_app-${'a'.repeat(64)}.log`);
  const docker = path.join(containers, `payment-5c4b_shop_worker-${'b'.repeat(64)}.log`);
  writeFileSync(cri, [
    '2026-11-25T10:00:00.123456789Z stdout F {"level":"info","msg":"order placed"}',
    '2026-11-25T10:00:01.000000000Z stderr P first half, ',
    '2026-11-25T10:00:01.000000001Z stderr F second half',
    '',
  ].join('\n'));
  writeFileSync(docker, [JSON.stringify({ log: 'charged card\n', stream: 'stdout', time: '2026-11-25T10:00:02.5Z' }), ''].join('\n'));
  writeFileSync(path.join(dir, 'agent.yaml'), ['data_dir: ./data', 'sources:', '  pods:', '    type: kubernetes', `    include: [${JSON.stringify(path.join(containers, '*.log'))}]`, 'sinks:', '  out: {type: file, path: out.ndjson}', ''].join('\n'));
  const agent = new Agent(loadAgentConfig(path.join(dir, 'agent.yaml')), undefined, () => {});
  await agent.start();
  try {
    const got = await outputLines(path.join(dir, 'out.ndjson'), 3);
    const byLine = Object.fromEntries(got.map((e) => [e.line, e]));
    assert.deepEqual(Object.keys(byLine).sort(), ['charged card', 'first half, second half', '{"level":"info","msg":"order placed"}']);
    const order = byLine['{"level":"info","msg":"order placed"}'];
    assert.equal(order.ts, '2026-11-25T10:00:00.123456789Z');
    assert.deepEqual([order.labels.namespace, order.labels.pod, order.labels.container], ['shop', 'checkout-7d9f', 'app']);
    const charged = byLine['charged card'];
    assert.deepEqual([charged.labels.namespace, charged.labels.pod, charged.labels.container], ['shop', 'payment-5c4b', 'worker']);
    assert.equal(charged.ts, '2026-11-25T10:00:02.500000000Z');
  } finally {
    await agent.stop();
  }
});

test('the agent runs the pipelines file (same format as the server): parse, drop health checks, mask a card', async (t) => {
  const dir = tempDir('sightline-agent-src-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'access.log'), [
    '10.0.0.1 - - [25/Nov/2026:10:00:00 +0000] "GET /health HTTP/1.1" 200 2 "-" "kube-probe/1.29"',
    '10.0.0.2 - - [25/Nov/2026:10:00:01 +0000] "GET /pay?card=4111111111111111 HTTP/1.1" 402 17 "-" "curl/8.5"',
    '',
  ].join('\n'));
  writeFileSync(path.join(dir, 'pipelines.yaml'), [
    'pipelines:',
    '  web:',
    '    processors:',
    '      - type: grok',
    "        pattern: '%{COMBINEDAPACHELOG}'",
    '      - type: drop',
    "        if: 'fields.request =~ \"^/health\"'",
    '      - type: mask',
    '',
  ].join('\n'));
  writeFileSync(path.join(dir, 'agent.yaml'), ['data_dir: ./data', 'pipelines: pipelines.yaml', 'sources:', '  web: {type: file, include: [access.log]}', 'sinks:', '  out: {type: file, path: out.ndjson}', ''].join('\n'));
  // as `sightline agent --config` does it, through the CLI process
  const child = spawn(process.execPath, [path.join(REPO, 'bin', 'sightline'), 'agent', '--config', path.join(dir, 'agent.yaml')], { stdio: 'ignore' });
  try {
    const got = await outputLines(path.join(dir, 'out.ndjson'), 1);
    await new Promise((r) => setTimeout(r, 300));
    const all = readFileSync(path.join(dir, 'out.ndjson'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    assert.equal(all.length, 1, 'the health check was dropped');
    assert.doesNotMatch(got[0].line, /4111111111111111/);
    assert.match(got[0].line, /1111/, 'the card keeps its last four digits');
    assert.equal(got[0].fields.response, '402');
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
});

test('agent --check validates the config and reaches each sink; /metrics and /health report the agent', async (t) => {
  const dir = tempDir('sightline-agent-src-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'app.log'), 'one\ntwo\n');
  writeFileSync(path.join(dir, 'ok.yaml'), ['data_dir: ./data', 'sources:', '  app: {type: file, include: [app.log]}', 'sinks:', '  out: {type: file, path: out.ndjson}', ''].join('\n'));
  const check = spawnSync(process.execPath, [path.join(REPO, 'bin', 'sightline'), 'agent', '--config', path.join(dir, 'ok.yaml'), '--check'], { encoding: 'utf8' });
  assert.equal(check.status, 0, check.stderr);
  assert.match(check.stdout, /config OK: 1 source\(s\), 1 sink\(s\)/);
  assert.match(check.stdout, /sink out: reachable/);
  writeFileSync(path.join(dir, 'dead.yaml'), ['data_dir: ./data', 'sources:', '  app: {type: file, include: [app.log]}', 'sinks:', '  down: {type: sightline, url: "http://127.0.0.1:1"}', ''].join('\n'));
  const dead = spawnSync(process.execPath, [path.join(REPO, 'bin', 'sightline'), 'agent', '--config', path.join(dir, 'dead.yaml'), '--check'], { encoding: 'utf8' });
  assert.equal(dead.status, 1);
  assert.match(dead.stdout, /sink down: FAILED: 127\.0\.0\.1:1: connect ECONNREFUSED/);

  writeFileSync(path.join(dir, 'api.yaml'), ['data_dir: ./data2', 'api: {port: 0}', 'sources:', '  app: {type: file, include: [app.log]}', 'sinks:', '  out: {type: file, path: out2.ndjson}', ''].join('\n'));
  const agent = new Agent(loadAgentConfig(path.join(dir, 'api.yaml')), undefined, () => {});
  await agent.start();
  try {
    await outputLines(path.join(dir, 'out2.ndjson'), 2);
    const base = `http://127.0.0.1:${agent.apiAddress!.port}`;
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /sightline_agent_source_lines_total\{source="app"\} 2/);
    assert.match(metrics, /sightline_agent_sink_events_total\{sink="out"\} 2/);
    assert.match(metrics, /sightline_agent_file_lag_bytes\{source="app",path="[^"]*app\.log"\} 0/);
    const health = await (await fetch(`${base}/health`)).json();
    assert.equal(health.status, 'ok');
    assert.equal(health.files[0].offset, 8);
  } finally {
    await agent.stop();
  }
});
