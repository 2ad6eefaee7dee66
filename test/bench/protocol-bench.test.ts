// `sightline bench --protocols` end to end on a small corpus: one protocol of each transport (HTTP, gRPC, Fluent
// Forward with acks, syslog TCP and UDP) against real `bin/sightline server` children; every run must store exactly
// the lines sent (UDP: at most), counted through the Loki API, and the results file must say so.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { committedEntries, protocolBench, type ProtocolBenchResults } from '../../src/bench/protocol-bench.ts';

test('the committed-entries counter sums every series of sightline_ingest_entries_total', () => {
  const text = [
    '# HELP sightline_ingest_entries_total Log entries accepted and committed, by tenant and protocol.',
    'sightline_ingest_entries_total{tenant="default",protocol="syslog"} 120',
    'sightline_ingest_entries_total{tenant="b",protocol="loki"} 3',
    'sightline_ingest_bytes_total{tenant="b",protocol="loki"} 999',
  ].join('\n');
  assert.equal(committedEntries(text), 123);
});

test('unknown protocols are refused by name', async () => {
  await assert.rejects(protocolBench(['--only', 'carrier-pigeon']), /--only: unknown protocol "carrier-pigeon"; known: loki-json, /);
});

test('each transport stores exactly what it sent', { timeout: 240_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'protocol-bench-test-'));
  try {
    const out = join(dir, 'results.json');
    const only = ['loki-protobuf', 'otlp-grpc', 'fluent-forward', 'syslog-tcp', 'syslog-udp', 'splunk-hec-raw'];
    const code = await protocolBench(['--lines', '3000', '--only', only.join(','), '--udp-rate', '3000', '--concurrency', '2', '--cache-dir', join(dir, 'cache'), '--out', out]);
    const r = JSON.parse(readFileSync(out, 'utf8')) as ProtocolBenchResults;
    assert.equal(code, 0, JSON.stringify(r.checks));
    assert.deepEqual(Object.keys(r.protocols), only);
    assert.equal(r.corpus.lines, 3000);
    for (const name of only) {
      const p = r.protocols[name];
      if (name === 'syslog-udp') {
        assert.equal(p.sent, 3000);
        assert.ok(p.stored > 0 && p.stored <= p.sent, `udp stored ${p.stored}`);
        assert.equal(p.lost, p.sent - p.stored);
      } else if (name === 'splunk-hec-raw') {
        assert.ok(p.sent >= 3000, 'multi-line entries count one event per line');
        assert.equal(p.stored, p.sent);
      } else {
        assert.equal(p.sent, 3000, name);
        assert.equal(p.stored, 3000, name);
      }
      assert.ok(p.linesPerSecond > 0 && p.wireBytes > 0 && p.seconds > 0, name);
    }
    // one acked PackedForward message per pod and batch
    assert.ok(r.protocols['fluent-forward'].requests >= r.corpus.batches);
    assert.ok(r.checks.every((c) => c.ok));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
