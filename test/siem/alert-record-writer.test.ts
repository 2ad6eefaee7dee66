// Alerts as log records: labels, structured metadata and line of one alert; oversized alerts shortened by their
// events; one batch per tenant; a failing store retried without losing alerts; what is queued flushed at close.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IngestBatch } from '../../src/model/record.ts';
import type { SiemAlert } from '../../src/siem/alert.ts';
import { alertBatches, alertRecord, AlertRecordWriter } from '../../src/siem/alert-record-writer.ts';
import { StoreBusyError } from '../../src/store/store.ts';

function alert(over: Partial<SiemAlert> = {}): SiemAlert {
  return {
    alert_id: 'a1b2c3d4e5f60718293a',
    tenant: 'acme',
    kind: 'native',
    rule: 'brute_force_then_escalation',
    title: 'account takeover suspected',
    severity: 'high',
    group: { user_id: 'admin', 'src.ip': '198.51.100.23' },
    first_ts: '1714586400000000000',
    last_ts: '1714587000000000000',
    event_count: 2,
    events: [
      { ts: '1714586400000000000', labels: { service: 'sshd' }, stream: '{service="sshd"}', line: 'Failed password for admin from 198.51.100.23 port 40001 ssh2', step: 'login_failed' },
      { ts: '1714587000000000000', labels: { service: 'usermod' }, stream: '{service="usermod"}', line: "add 'admin' to group 'sudo'", step: 'privilege_change' },
    ],
    entities: { user: ['admin'], ip: ['198.51.100.23'], host: [] },
    tags: ['attack.t1110'],
    notify: true,
    incident_id: 'inc-a1b2c3d4e5f60718',
    created_ms: 0,
    ...over,
  };
}

test('an alert record: low-cardinality labels, ids and group as metadata, the detect JSON as line', () => {
  const r = alertRecord(alert());
  assert.deepEqual(r.labels, { source: 'sightline', stream: 'detections', rule: 'brute_force_then_escalation', severity: 'high' });
  assert.equal(r.tsNs, 1714587000000000000n);
  assert.deepEqual(r.metadata, {
    alert_id: 'a1b2c3d4e5f60718293a',
    title: 'account takeover suspected',
    kind: 'native',
    event_count: '2',
    incident_id: 'inc-a1b2c3d4e5f60718',
    group_user_id: 'admin',
    group_src_ip: '198.51.100.23',
  });
  const line = JSON.parse(r.line);
  assert.equal(line.first_ts, '2024-05-01T18:00:00Z');
  assert.equal(line.events[1].line, "add 'admin' to group 'sudo'");
  assert.equal(line.incident_id, 'inc-a1b2c3d4e5f60718');
  assert.equal(line.events_omitted, undefined);
});

test('an alert too long for one line keeps its first events and counts the others', () => {
  const events = Array.from({ length: 200 }, (_, i) => ({ ts: String(1714586400000000000n + BigInt(i)), labels: { service: 'sshd' }, stream: '{service="sshd"}', line: 'x'.repeat(1000), step: 'login_failed' }));
  const r = alertRecord(alert({ events, event_count: 5000 }), 64 * 1024);
  assert.ok(Buffer.byteLength(r.line) <= 64 * 1024, `line is ${Buffer.byteLength(r.line)} bytes`);
  const line = JSON.parse(r.line);
  assert.equal(line.events.length, 50);
  assert.equal(line.events_omitted, 150);
  assert.equal(line.event_count, 5000);
});

test('one batch per tenant, one stream per rule and severity', () => {
  const batches = alertBatches([alert(), alert({ alert_id: 'x2', severity: 'critical' }), alert({ alert_id: 'x3', tenant: 'beta' }), alert({ alert_id: 'x4' })]);
  assert.deepEqual(batches.map((b) => [b.tenant, b.entries, b.streams.map((s) => `${s.labels.severity}:${s.lines.length}`).join(' ')]), [
    ['acme', 3, 'high:2 critical:1'],
    ['beta', 1, 'high:1'],
  ]);
});

test('a busy store is retried: no alert is lost, the retry is counted and logged', async () => {
  const stored: IngestBatch[] = [];
  const logs: string[] = [];
  let fail = 2;
  const w = new AlertRecordWriter({
    append: async (b) => {
      if (fail-- > 0) throw new StoreBusyError('ingest queue is full (1 bytes waiting for commit)', 1);
      stored.push(b);
    },
    log: (m) => logs.push(m),
    retryMs: 5,
  });
  w.add(alert());
  w.add(alert({ alert_id: 'second' }));
  const deadline = Date.now() + 5000;
  while (stored.length === 0 && Date.now() < deadline) {
    await w.idle();
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.equal(stored.length, 1);
  assert.deepEqual(stored[0]!.streams[0]!.metadata.map((m) => m?.alert_id), ['a1b2c3d4e5f60718293a', 'second']);
  assert.equal(w.counters.retries, 2);
  assert.equal(w.counters.written, 2);
  assert.match(logs[0]!, /2 detection alert record\(s\) of tenant acme not stored yet, retrying: ingest queue is full/);
  assert.match(w.renderMetrics(), /sightline_siem_alert_records_written_total 2\n/);
  await w.close();
});

test('close appends what is queued', async () => {
  const stored: IngestBatch[] = [];
  const w = new AlertRecordWriter({ append: async (b) => void stored.push(b) });
  w.add(alert());
  await w.close();
  assert.equal(stored.length, 1);
  assert.equal(stored[0]!.entries, 1);
});
