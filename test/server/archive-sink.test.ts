// The archive output: NDJSON per tenant and UTC day, appended (never overwritten), a new file when the day
// changes, tenant names that cannot escape the archive directory.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ArchiveSink, tenantDirName } from '../../src/server/archive-sink.ts';
import type { PipelineEvent } from '../../src/pipeline/event.ts';

const ev = (tenant: string, line: string, extra: Partial<PipelineEvent> = {}): PipelineEvent => ({ tenant, ts: 1_714_564_800_123_456_789n, line, labels: { service: 's' }, fields: { n: 1 }, ...extra });

test('appends one JSON object per event to <tenant>/<day>.ndjson, a new file each UTC day', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sightline-archive-'));
  let now = Date.UTC(2024, 4, 1, 23, 59, 59);
  const sink = new ArchiveSink(dir, () => now);
  try {
    await Promise.all([sink.write([ev('acme', 'one'), ev('beta', 'b1')]), sink.write([ev('acme', 'two', { error: 'JSONParserErr', errorDetails: 'at 3' })])]);
    now += 2000;
    await sink.write([ev('acme', 'three')]);
    await sink.close();
    const read = (f: string) => readFileSync(path.join(dir, f), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const first = read('acme/2024-05-01.ndjson');
    assert.deepEqual(first[0], { ts: '2024-05-01T12:00:00.123456789Z', ts_ns: '1714564800123456789', tenant: 'acme', labels: { service: 's' }, line: 'one', fields: { n: 1 } });
    assert.deepEqual(first.map((o) => [o.line, o.error, o.error_details]), [
      ['one', undefined, undefined],
      ['two', 'JSONParserErr', 'at 3'],
    ]);
    assert.deepEqual(read('acme/2024-05-02.ndjson').map((o) => o.line), ['three']);
    assert.deepEqual(read('beta/2024-05-01.ndjson').map((o) => o.line), ['b1']);
    await assert.rejects(sink.write([ev('acme', 'late')]), /archive is closed/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tenant names become one safe path segment', () => {
  assert.equal(tenantDirName('team-a'), 'team-a');
  assert.equal(tenantDirName('..'), '%2E%2E');
  assert.equal(tenantDirName('a/../../etc'), 'a%2F%2E%2E%2F%2E%2E%2Fetc');
  assert.equal(tenantDirName(''), '%00');
  assert.equal(decodeURIComponent(tenantDirName('x.y/z')), 'x.y/z');
});
