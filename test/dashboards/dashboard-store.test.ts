// The dashboard store on disk: seeding the Overview once per tenant, versions kept and pruned, atomic files (no
// temporary file left), the per-tenant limit, and a store reopened on the same directory reading what was saved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { DashboardStore } from '../../src/dashboards/dashboard-store.ts';
import { DashboardError, validateDashboard, type Dashboard } from '../../src/dashboards/dashboard-model.ts';
import { tempDir } from '../integration/harness.ts';

function dash(uid: string, title = uid): Dashboard {
  return validateDashboard({ uid, title, panels: [{ id: 1, title: 'n', type: 'stat', query: 'sum(count_over_time({a="b"}[$__range]))', grid: { x: 0, y: 0, w: 6, h: 4 } }] });
}

async function rejects(p: Promise<unknown>, status: number, message: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof DashboardError && e.status === status && message.test(e.message));
}

test('versions are kept up to the limit, the newest is current; a reopened store reads them', async () => {
  const dir = tempDir();
  try {
    const store = new DashboardStore({ dataDir: dir, maxVersions: 3, seedOverview: false });
    let v = 0;
    for (let i = 1; i <= 5; i++) v = (await store.save('t1', dash('d', `title ${i}`), v || undefined)).version;
    assert.equal(v, 5);
    assert.deepEqual(readdirSync(path.join(dir, 'dashboards', 't1', 'd')).sort(), ['3.json', '4.json', '5.json']);
    const reopened = new DashboardStore({ dataDir: dir, seedOverview: false });
    assert.equal((await reopened.get('t1', 'd')).dashboard.title, 'title 5');
    assert.deepEqual((await reopened.versions('t1', 'd')).map((x) => x.version), [5, 4, 3]);
    await rejects(reopened.version('t1', 'd', 1), 404, /has no version 1/);
    await rejects(reopened.save('t1', dash('d'), 4), 409, /is at version 5, this edit started from version 4/);
    await rejects(reopened.save('t1', dash('e'), 2), 404, /not found \(version 2 was given/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the Overview is seeded once per tenant, and a tenant has at most maxDashboards', async () => {
  const dir = tempDir();
  try {
    const store = new DashboardStore({ dataDir: dir, maxDashboards: 2 });
    // two first requests at once: one Overview
    const [a, b] = await Promise.all([store.list('t1'), store.list('t1')]);
    assert.deepEqual([a.map((d) => d.uid), b.map((d) => d.uid)], [['overview'], ['overview']]);
    assert.deepEqual(readdirSync(path.join(dir, 'dashboards')), ['t1']);
    await store.save('t1', dash('x'), undefined);
    await rejects(store.save('t1', dash('y'), undefined), 413, /already has 2 dashboards, the limit/);
    await store.delete('t1', 'overview');
    assert.deepEqual((await store.list('t1')).map((d) => d.uid), ['x']);
    assert.deepEqual((await store.list('t2')).map((d) => d.uid), ['overview']);
    assert.deepEqual(readdirSync(path.join(dir, 'dashboards', 't1')), ['x']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
