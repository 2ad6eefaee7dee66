// The server's pipeline host with a stand-in store: outputs are delivered where routed, a store that is busy
// fails the push but does not lose events released from earlier pushes, held events are delivered at close.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { IngestBatch } from '../../src/model/record.ts';
import { PipelineHost } from '../../src/server/pipeline-host.ts';
import { StoreBusyError } from '../../src/store/store.ts';

function batch(lines: string[], labels: Record<string, string> = { service: 'batch' }): IngestBatch {
  return { tenant: 'default', entries: lines.length, bytes: 0, streams: [{ labels, ts: lines.map((_, i) => BigInt(i + 1)), lines, metadata: lines.map(() => undefined) }] };
}

class FakeStore {
  appended: IngestBatch[] = [];
  failNext = 0;
  async append(b: IngestBatch): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new StoreBusyError('busy', 1);
    }
    this.appended.push(b);
  }
  lines(): string[] {
    return this.appended.flatMap((b) => b.streams.flatMap((s) => s.lines));
  }
}

test('held events released during a push that fails are kept and delivered later; nothing is lost at close', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sightline-host-'));
  const file = path.join(dir, 'p.yaml');
  // dedupe with max_held 1: each new line releases the previous one
  writeFileSync(file, 'pipelines:\n  p:\n    processors:\n      - type: dedupe\n        window: 1h\n        max_held: 1\n');
  const store = new FakeStore();
  const logs: string[] = [];
  const host = new PipelineHost({ file, dataDir: dir, store, watch: false, log: (m) => logs.push(m) });
  try {
    await host.commit(batch(['a', 'a']));
    assert.deepEqual(store.lines(), [], 'held');
    store.failNext = 1;
    // `b` releases `a` (from the earlier push); the store is busy: this push fails, `a` must not be lost
    await assert.rejects(host.commit(batch(['b'])), StoreBusyError);
    await host.commit(batch(['c']));
    assert.deepEqual(store.lines(), ['b']);
    await host.close();
    assert.deepEqual(store.lines().sort(), ['a', 'b', 'c']);
    const a = store.appended.flatMap((b) => b.streams.flatMap((s) => s.lines.map((l, i) => [l, s.metadata[i]])));
    assert.deepEqual(a.find(([l]) => l === 'a'), ['a', { repeat_count: '2' }]);
  } finally {
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('archive and alert outputs; a reload with a bad file keeps the old pipelines', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sightline-host-'));
  const file = path.join(dir, 'p.yaml');
  writeFileSync(file, "pipelines:\n  p:\n    processors:\n      - type: route\n        routes:\n          - if: 'line == \"x\"'\n            outputs: [archive, alert]\n");
  const store = new FakeStore();
  const host = new PipelineHost({ file, dataDir: dir, store, watch: false, log: () => {} });
  const alerts: string[] = [];
  host.alerts.subscribe((events) => alerts.push(...events.map((e) => e.line)));
  host.alerts.subscribe(() => {
    throw new Error('a broken subscriber');
  });
  try {
    await host.commit(batch(['x', 'y']));
    assert.deepEqual(store.lines(), ['y']);
    assert.deepEqual(alerts, ['x']);
    writeFileSync(file, 'pipelines:\n  p:\n    processors:\n      - type: nope\n');
    const r = await host.reload('test');
    assert.equal(r.ok, false);
    assert.match(r.error!, /p\.yaml:4: pipelines\.p\.processors\[0\]\.type: unknown processor type "nope"/);
    await host.commit(batch(['x']));
    assert.deepEqual(alerts, ['x', 'x'], 'the old route still runs');
    assert.match(host.metrics.render(), /sightline_pipeline_reloads_total\{result="failure"\} 1/);
  } finally {
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
