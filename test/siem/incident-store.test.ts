// The incident store: alerts open incidents or join them (extension, repeats within the suppression window), closed
// incidents are not reopened, updates are validated, and everything survives a reopen (torn lines, compaction).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { IncidentStore } from '../../src/siem/incident-store.ts';
import type { SiemAlert } from '../../src/siem/alert.ts';

const MIN_NS = 60_000_000_000n;
let n = 0;
function alert(over: Partial<SiemAlert> = {}, at = 0n): SiemAlert {
  n++;
  return {
    alert_id: `a${n}`,
    tenant: 'default',
    kind: 'native',
    rule: 'r1',
    title: 'T',
    severity: 'medium',
    group: { user_id: 'admin' },
    first_ts: String(1_000n * MIN_NS + at),
    last_ts: String(1_000n * MIN_NS + at + MIN_NS),
    event_count: 2,
    events: [{ ts: String(1_000n * MIN_NS + at), labels: { service: 'sshd' }, stream: '{service="sshd"}', line: 'x', step: 's' }],
    entities: { user: ['admin'], ip: ['10.0.0.1'], host: [] },
    tags: [],
    notify: true,
    created_ms: 0,
    ...over,
  };
}

test('an alert opens an incident; a repeat within the suppression window joins it, later ones open a new one', () => {
  const s = new IncidentStore(undefined);
  const first = s.record(alert(), 'k', 600_000);
  assert.equal(first.merged, false);
  assert.equal(first.incident.id, 'inc-a' + String(n));
  const again = alert({ severity: 'high' }, 5n * MIN_NS);
  const r2 = s.record(again, 'k', 600_000);
  assert.equal(r2.merged, true);
  assert.equal(again.notify, false, 'folded repeats notify nobody');
  assert.equal(r2.incident.severity, 'high', 'the highest severity of its alerts');
  assert.equal(r2.incident.event_count, 4);
  const late = s.record(alert({}, 30n * MIN_NS), 'k', 600_000);
  assert.equal(late.merged, false);
  assert.equal(s.list('default').length, 2);
});

test('extensions join the incident of the alert they extend and still notify', () => {
  const s = new IncidentStore(undefined);
  const a = alert();
  s.record(a, 'k', 0);
  const ext = alert({ extends: a.alert_id, group: { user_id: 'admin' } }, 50n * MIN_NS);
  const r = s.record(ext, 'other-key', 0);
  assert.equal(r.merged, true);
  assert.equal(ext.notify, true);
  assert.equal(ext.incident_id, a.incident_id);
});

test('a resolved or false-positive incident is not reopened; a replayed alert is a duplicate', () => {
  const s = new IncidentStore(undefined);
  const a = alert();
  const { incident } = s.record(a, 'k', 3_600_000);
  s.update('default', incident.id, { status: 'false_positive' });
  assert.equal(s.record(alert({}, MIN_NS), 'k', 3_600_000).merged, false);
  assert.equal(s.record({ ...a }, 'k', 3_600_000).duplicate, true);
});

test('updates: status, assignee, notes; invalid ones are refused with the reason; tenants are apart', () => {
  const s = new IncidentStore(undefined, () => 42);
  const { incident } = s.record(alert(), 'k', 0);
  s.update('default', incident.id, { status: 'triaged', assignee: 'kim', note: { text: 'looks real', author: 'kim' } });
  assert.deepEqual([incident.status, incident.assignee, incident.notes], ['triaged', 'kim', [{ ts_ms: 42, author: 'kim', text: 'looks real' }]]);
  s.update('default', incident.id, { assignee: null });
  assert.equal(incident.assignee, undefined);
  assert.throws(() => s.update('default', incident.id, { status: 'done' }), /status: expected one of new, triaged, in_progress, resolved, false_positive, got "done"/);
  assert.throws(() => s.update('default', incident.id, { note: { text: '  ' } }), /note: text must not be empty/);
  assert.throws(() => s.get('other-tenant', incident.id), /no incident/);
  assert.throws(() => s.list('default', { severity: 'huge' }), /severity: expected informational, low, medium, high or critical/);
  assert.deepEqual(s.list('default', { status: 'triaged', entity: '10.0.0.1' }).map((i) => i.id), [incident.id]);
  assert.deepEqual(s.list('default', { entity: 'nobody' }), []);
  assert.deepEqual(s.list('other-tenant'), []);
});

test('incidents and recent alerts survive a reopen; a torn last line is ignored; the file is compacted', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'incidents-'));
  try {
    const s = new IncidentStore(dir);
    const { incident } = s.record(alert(), 'k', 0);
    for (let i = 0; i < 1100; i++) s.update('default', incident.id, { assignee: `a${i}` });
    appendFileSync(path.join(dir, 'incidents.jsonl'), '{"id": "inc-torn", "tena');
    const again = new IncidentStore(dir);
    assert.equal(again.get('default', incident.id).assignee, 'a1099');
    assert.equal(again.size, 1);
    assert.equal(readFileSync(path.join(dir, 'incidents.jsonl'), 'utf8').trim().split('\n').length, 1, 'compacted to one line per incident');
    assert.equal(again.alerts('default').length, 1);
    assert.equal(again.hasAlert(incident.alerts[0]!), true);
    // repeats linked by suppression are written at the next flush, not once per record
    const size = readFileSync(path.join(dir, 'incidents.jsonl'), 'utf8').length;
    for (let i = 0; i < 50; i++) again.link('default', incident.id, [{ ts: String(i), labels: {}, stream: '{}', line: 'r', step: 's' }], incident.alerts[0]!);
    assert.equal(readFileSync(path.join(dir, 'incidents.jsonl'), 'utf8').length, size);
    again.flush();
    assert.equal(readFileSync(path.join(dir, 'incidents.jsonl'), 'utf8').trim().split('\n').length, 2);
    assert.equal(new IncidentStore(dir).get('default', incident.id).event_count, 52);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
