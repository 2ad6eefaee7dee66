// The pipelines inside a real server: pushes through the Loki API are dropped, promoted, routed to the archive
// (not queryable, but in the archive file) and de-duplicated; the file is reloaded on change and on SIGHUP, a bad
// new file is refused while the old pipelines keep running, and held events are delivered across a reload.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { configFromArgs } from '../../src/cli/server-command.ts';
import { DEFAULT_CONFIG, loadConfigFile } from '../../src/server/config.ts';
import path from 'node:path';
import { getJson, lines, nowNs, push, rangeQuery, tempDir, withServer } from './harness.ts';

const FIRST = `pipelines:
  web:
    if: 'labels.service == "nginx"'
    processors:
      - type: drop
        if: 'line =~ "GET /health"'
      - type: promote
        fields: [status]
        max_values: 2
  all:
    processors:
      - type: route
        routes:
          - if: 'labels.level == "debug"'
            outputs: [archive]
          - if: 'labels.level == "error"'
            outputs: [store, alert]
`;

// the second version: health checks are kept and tagged, and repeats are collapsed
const SECOND = `pipelines:
  web:
    if: 'labels.service == "nginx"'
    processors:
      - type: set
        fields: {version: 2}
  batch:
    if: 'labels.service == "batch"'
    processors:
      - type: dedupe
        window: 1h
`;

const query = async (url: string, q: string) => {
  const r = await getJson(url, rangeQuery(q, { limit: '1000' }));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
};

test('drop, promote with its cardinality cap, archive-only and alert routes, through the Loki API', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'pipelines.yaml');
  writeFileSync(file, FIRST);
  try {
    await withServer({ pipelinesFile: file, dataDir: path.join(dir, 'data') }, async (s) => {
      assert.ok(s.pipeline);
      const alerted: string[] = [];
      s.pipeline.alerts.subscribe((events) => alerted.push(...events.map((e) => e.line)));
      const base = nowNs(-10_000);
      const t = (i: number) => String(base + BigInt(i));
      const res = await push(s.url, [
        {
          stream: { service: 'nginx' },
          values: [
            [t(1), 'GET /health 200', { status: '200' }],
            [t(2), 'GET /api/a 200', { status: '200' }],
            [t(3), 'GET /api/b 404', { status: '404' }],
            [t(4), 'GET /api/c 500', { status: '500' }],
            [t(5), 'GET /api/d 200', { status: '200' }],
          ],
        },
        { stream: { service: 'app', level: 'debug' }, values: [[t(6), 'cache miss for key 42']] },
        { stream: { service: 'app', level: 'error' }, values: [[t(7), 'payment declined']] },
      ]);
      assert.equal(res.status, 204, await res.text());

      const nginx = await query(s.url, '{service="nginx"}');
      assert.deepEqual(lines(nginx).sort(), ['GET /api/a 200', 'GET /api/b 404', 'GET /api/c 500', 'GET /api/d 200']);
      // promoted: status is a stream label now, capped at 2 distinct values
      const streams = nginx.data.result.map((r: { stream: Record<string, string>; values: string[][] }) => [r.stream.status, r.values.length]).sort();
      assert.deepEqual(streams, [
        ['200', 2],
        ['404', 1],
        ['__other__', 1],
      ]);
      assert.deepEqual(lines(await query(s.url, '{status="__other__"}')), ['GET /api/c 500']);
      const labels = await getJson(s.url, '/loki/api/v1/label/status/values');
      assert.deepEqual(labels.body.data.sort(), ['200', '404', '__other__']);

      // debug went to the archive only
      assert.deepEqual(lines(await query(s.url, '{service="app"}')), ['payment declined']);
      const day = new Date().toISOString().slice(0, 10);
      const archived = readFileSync(path.join(dir, 'data', 'archive', 'default', `${day}.ndjson`), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      assert.deepEqual(
        archived.map((a) => [a.tenant, a.labels, a.line, a.ts_ns]),
        [['default', { service: 'app', level: 'debug' }, 'cache miss for key 42', t(6)]],
      );
      assert.deepEqual(alerted, ['payment declined']);

      const metrics = await (await fetch(`${s.url}/metrics`)).text();
      assert.match(metrics, /sightline_pipeline_processor_events_dropped_total\{pipeline="web",processor="drop",type="drop"\} 1\n/);
      assert.match(metrics, /sightline_pipeline_output_events_total\{output="archive"\} 1\n/);
      assert.match(metrics, /sightline_pipeline_output_events_total\{output="alert"\} 1\n/);
      assert.match(metrics, /sightline_pipeline_output_events_total\{output="store"\} 5\n/);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('reload: a changed file takes effect, a bad one is refused and the old keeps running, SIGHUP reloads, held events survive', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'pipelines.yaml');
  writeFileSync(file, FIRST);
  try {
    await withServer({ pipelinesFile: file, dataDir: path.join(dir, 'data') }, async (s) => {
      const host = s.pipeline!;
      let n = 0;
      const pushLine = async (labels: Record<string, string>, line: string) => {
        const res = await push(s.url, [{ stream: labels, values: [[String(nowNs(-5000) + BigInt(n++)), line]] }]);
        assert.equal(res.status, 204);
      };
      await pushLine({ service: 'nginx' }, 'GET /health 200 (first)');
      assert.deepEqual(lines(await query(s.url, '{service="nginx"}')), []);

      // a good new file, picked up by the watcher
      let reloaded = host.nextReload();
      writeFileSync(file, SECOND);
      assert.deepEqual(await reloaded, { ok: true });
      await pushLine({ service: 'nginx' }, 'GET /health 200 (second)');
      assert.deepEqual(lines(await query(s.url, '{service="nginx"} | version="2"')), ['GET /health 200 (second)']);

      // repeats held by dedupe (a 1h window)
      for (let i = 0; i < 3; i++) await pushLine({ service: 'batch' }, 'job 7 retrying');
      await pushLine({ service: 'batch' }, 'job 8 done');
      assert.deepEqual(lines(await query(s.url, '{service="batch"}')), [], 'held, not yet written');

      // a bad file: refused, the running pipelines carry on (and keep holding)
      reloaded = host.nextReload();
      writeFileSync(file, SECOND.replace('type: set', 'type: sett'));
      const refused = await reloaded;
      assert.equal(refused.ok, false);
      assert.match(refused.error!, new RegExp(`^${file}:5: pipelines\\.web\\.processors\\[0\\]\\.type: unknown processor type "sett"`));
      await pushLine({ service: 'nginx' }, 'GET /health 200 (third)');
      assert.deepEqual(lines(await query(s.url, '{service="nginx"} | version="2"')), ['GET /health 200 (third)', 'GET /health 200 (second)']);
      assert.deepEqual(lines(await query(s.url, '{service="batch"}')), []);

      // SIGHUP with a good file again: the old pipelines' held events are delivered, collapsed
      writeFileSync(file, FIRST);
      reloaded = host.nextReload();
      process.kill(process.pid, 'SIGHUP');
      assert.deepEqual(await reloaded, { ok: true });
      const batch = await query(s.url, '{service="batch"}');
      assert.deepEqual(lines(batch).sort(), ['job 7 retrying', 'job 8 done']);
      assert.deepEqual(lines(await query(s.url, '{service="batch"} | repeat_count="3"')), ['job 7 retrying']);
      await pushLine({ service: 'nginx' }, 'GET /health 200 (fourth)');
      assert.deepEqual(lines(await query(s.url, '{service="nginx"} |= "fourth"')), [], 'the first file drops health checks again');

      const metrics = await (await fetch(`${s.url}/metrics`)).text();
      assert.match(metrics, /sightline_pipeline_reloads_total\{result="success"\} 2\n/);
      assert.match(metrics, /sightline_pipeline_reloads_total\{result="failure"\} 1\n/);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a server with a bad pipelines file does not start; the config key and the flag name the file', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'pipelines.yaml');
  writeFileSync(file, 'pipelines:\n  web:\n    processors:\n      - type: drop\n        if: "line =~"\n');
  try {
    await assert.rejects(withServer({ pipelinesFile: file, dataDir: path.join(dir, 'data') }, async () => undefined), (err: Error) =>
      err.message.startsWith(`${file}:5: pipelines.web.processors[0].if: invalid expression: column 8: expected a regular expression in quotes after =~`),
    );
    // `pipelines:` in the server config is relative to the config file; --pipelines is taken as given
    mkdirSync(path.join(dir, 'etc'));
    writeFileSync(path.join(dir, 'etc', 'sightline.yaml'), 'pipelines: pipelines.yaml\n');
    assert.equal(loadConfigFile(path.join(dir, 'etc', 'sightline.yaml'), DEFAULT_CONFIG).pipelinesFile, path.join(dir, 'etc', 'pipelines.yaml'));
    assert.equal(configFromArgs(['--pipelines', 'p.yaml'])!.pipelinesFile, 'p.yaml');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
