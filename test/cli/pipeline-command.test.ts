// `sightline pipeline` as a user runs it (a child process): the file's own tests with exit codes and diffs,
// config errors with file:line, an input file shown before/after or as JSON, and the processor list.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const BIN = path.resolve(import.meta.dirname, '..', '..', 'bin', 'sightline');

function run(args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BIN, ...args], (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    if (stdin !== undefined) child.stdin!.end(stdin);
  });
}

const CONFIG = `pipelines:
  web:
    if: 'labels.service == "nginx"'
    processors:
      - type: drop
        if: 'line =~ "GET /health"'
      - type: set
        fields:
          status: 'to_number(fields.code)'
  all:
    processors:
      - type: route
        routes:
          - if: 'line =~ "(?i)error"'
            outputs: [store, alert]
          - if: 'labels.level == "debug"'
            outputs: [drop]
tests:
  - name: health checks are dropped
    input: {labels: {service: nginx}, line: 'GET /health 200'}
    expect: {dropped: true}
  - name: errors are stored and alerted
    input: {labels: {service: nginx}, line: 'ERROR upstream', fields: {code: '502'}}
    expect:
      fields: {status: 502}
      outputs: [store, alert]
`;

function withFiles<T>(files: Record<string, string>, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sightline-pipeline-cli-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return fn(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

test('pipeline test runs the file\'s tests: PASS lines, exit 0; a failure prints the differences and exits 1', async () => {
  const failing = CONFIG + `  - name: wrong expectation
    input: {labels: {service: nginx}, line: 'fine', fields: {code: '200'}}
    expect:
      fields: {status: '200', missing: null}
      outputs: [archive]
`;
  await withFiles({ 'ok.yaml': CONFIG, 'bad.yaml': failing }, async (dir) => {
    const ok = await run(['pipeline', 'test', '--config', path.join(dir, 'ok.yaml')]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, 'PASS health checks are dropped\nPASS errors are stored and alerted\n2 tests: 2 passed, 0 failed\n');
    const bad = await run(['pipeline', 'test', '--config', path.join(dir, 'bad.yaml')]);
    assert.equal(bad.code, 1);
    const lines = bad.stdout.split('\n');
    assert.deepEqual(lines.slice(0, 5), [
      'PASS health checks are dropped',
      'PASS errors are stored and alerted',
      `FAIL wrong expectation (${path.join(dir, 'bad.yaml')}:27)`,
      '  fields.status: expected "200" (string), got 200 (number)',
      '  outputs: expected [archive], got [store]',
    ]);
    const got = JSON.parse(lines[5].replace(/^ {2}got: /, ''));
    assert.deepEqual([got.line, got.fields, got.outputs], ['fine', { code: '200', status: 200 }, ['store']]);
    assert.equal(lines[6], '3 tests: 2 passed, 1 failed');
  });
});

test('an invalid file exits 2 with file:line: key: what was expected', async () => {
  await withFiles({ 'p.yaml': 'pipelines:\n  web:\n    processors:\n      - type: grock\n' }, async (dir) => {
    const r = await run(['pipeline', 'test', '--config', path.join(dir, 'p.yaml')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, new RegExp(`^sightline pipeline: ${path.join(dir, 'p.yaml')}:4: pipelines\\.web\\.processors\\[0\\]\\.type: unknown processor type "grock" \\(known types: .*drop.*\\)\\n$`));
    const usage = await run(['pipeline', 'test']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /test needs --config FILE/);
  });
});

test('--input: text shows each event before and after; json prints surviving events for scripts', async () => {
  const input = [
    'GET /health 200',
    'ERROR upstream timed out',
    '{"ts":"2024-05-01T12:00:00.123456789Z","labels":{"service":"nginx","level":"info"},"line":"GET /api 200","metadata":{"code":"200"}}',
    '{"ts":"1714564800000000000","labels":{"service":"app","level":"debug"},"line":"noise"}',
    '{not json at all',
  ].join('\n');
  await withFiles({ 'p.yaml': CONFIG, 'in.log': input }, async (dir) => {
    const text = await run(['pipeline', 'test', '--config', path.join(dir, 'p.yaml'), '--input', path.join(dir, 'in.log'), '--label', 'service=nginx']);
    assert.equal(text.code, 0, text.stderr);
    const lines = text.stdout.split('\n');
    assert.match(lines[0], /^#1 in: {3}\S+Z \{service="nginx"\} GET \/health 200$/);
    assert.equal(lines[1], '  dropped');
    assert.match(lines[2], /^#2 in: {3}\S+ \{service="nginx"\} ERROR upstream timed out$/);
    assert.match(lines[3], /^ {2}out: {2}\S+ \{service="nginx"\} ERROR upstream timed out$/);
    assert.equal(lines[4], '          outputs: store, alert');
    assert.equal(lines[5], '#3 in:   2024-05-01T12:00:00.123456789Z {level="info", service="nginx"} GET /api 200');
    assert.equal(lines[6], '  out:  2024-05-01T12:00:00.123456789Z {level="info", service="nginx"} GET /api 200');
    assert.equal(lines[7], '          fields: code=200 status=200');
    assert.equal(lines[8], '#4 in:   2024-05-01T12:00:00Z {level="debug", service="app"} noise');
    assert.match(lines[9], /^ {2}dropped \(routed to no output\): {2}2024-05-01T12:00:00Z \{level="debug", service="app"\} noise$/);

    const json = await run(['pipeline', 'test', '--config', path.join(dir, 'p.yaml'), '--input', '-', '--label', 'service=nginx', '--output', 'json'], input);
    assert.equal(json.code, 0, json.stderr);
    const events = json.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(
      events.map((e) => [e.labels, e.line, e.fields, e.outputs]),
      [
        [{ service: 'nginx' }, 'ERROR upstream timed out', {}, ['store', 'alert']],
        [{ service: 'nginx', level: 'info' }, 'GET /api 200', { code: '200', status: 200 }, ['store']],
        [{ service: 'nginx' }, '{not json at all', {}, ['store']],
      ],
    );
    assert.equal(events[1].ts, '2024-05-01T12:00:00.123456789Z');
    assert.match(events[0].ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/);
  });
});

test('pipeline processors lists the registered types', async () => {
  const r = await run(['pipeline', 'processors']);
  assert.equal(r.code, 0);
  for (const type of ['drop', 'sample', 'rate_limit', 'dedupe', 'route', 'set', 'remove', 'promote']) assert.match(r.stdout, new RegExp(`^${type} +\\S.*$`, 'm'));
});
