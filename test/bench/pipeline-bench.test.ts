// The pipeline benchmark's corpora (deterministic, in the formats the example pipelines parse) and its
// measurement on a small run: every event accounted for as stored, archived or dropped.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { appJsonLines, loghubJsonLines, measureCorpus, nginxLines } from '../../src/bench/pipeline-bench.ts';

const REPO = path.resolve(import.meta.dirname, '..', '..');

test('corpora are deterministic and well-formed', () => {
  const nginx = nginxLines(2000);
  assert.deepEqual(nginx, nginxLines(2000));
  for (const l of nginx) assert.match(l, /^\d+\.\d+\.\d+\.\d+ - - \[\d\d\/[A-Z][a-z]{2}\/2024:\d\d:\d\d:\d\d \+0000\] "(GET|POST|PUT) \S+ HTTP\/1\.1" \d{3} \d+ "-" "[^"]+"$/);
  const health = nginx.filter((l) => / \/(healthz|readyz) /.test(l)).length;
  assert.ok(health > 50 && health < 150, `about 5% health checks, got ${health}`);
  const app = appJsonLines(1000).map((l) => JSON.parse(l));
  assert.ok(app.every((o) => typeof o.time === 'string' && typeof o.lvl === 'string' && typeof o.msg === 'string'));
  const nova = loghubJsonLines(path.join(REPO, '..', 'shared', 'data', 'loghub'), 2500).map((l) => JSON.parse(l));
  assert.equal(nova.length, 2500);
  assert.deepEqual(Object.keys(nova[0]), ['timestamp', 'level', 'logger', 'pid', 'request', 'msg']);
  assert.equal(nova[0].timestamp, '2017-05-16T00:00:00.008Z');
});

test('a small measured run accounts for every event', () => {
  const lines = nginxLines(3000);
  const r = measureCorpus(path.join(REPO, 'examples', 'pipeline', 'web-and-app.yaml'), { name: 'nginx', labels: { service: 'nginx' }, lines }, 500);
  assert.equal(r.events, 3000);
  const health = lines.filter((l) => / \/(healthz|readyz) /.test(l)).length;
  assert.equal(r.dropped, health, 'only the health checks are dropped');
  assert.equal(r.stored + r.archived + r.dropped, 3000);
  assert.ok(r.alerted > 0 && r.eventsPerCpuSecond > 0);
});
