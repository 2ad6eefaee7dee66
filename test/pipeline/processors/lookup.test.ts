// The lookup processor: CSV tables with RFC 4180 quoting, chosen columns, prefixes, case folding, reloads when the
// file changes (a bad new file keeps the old table), and errors naming file and line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigNode } from '../../../src/config/config-node.ts';
import type { FieldValue, PipelineEvent } from '../../../src/pipeline/event.ts';
import type { Processor } from '../../../src/pipeline/processor.ts';
import { lookupProcessor } from '../../../src/pipeline/processors/lookup.ts';

function ev(fields: Record<string, FieldValue>): PipelineEvent {
  return { tenant: 't', ts: 0n, line: '', labels: {}, fields };
}

function setup(csv: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'lookup-'));
  writeFileSync(join(dir, 'users.csv'), csv);
  return dir;
}

function build(yaml: string, dir: string): Processor {
  return lookupProcessor.build(ConfigNode.parse(`type: lookup\n${yaml}`, 'test.yaml'), { configDir: dir });
}

const USERS = 'id,name,team,note\r\n42,"Kim, Min-jun",payments,"says ""hi""\nand more"\n7,Lee,search,\n\n42,Duplicate,x,y\n';

test('adds the row of the matching key: quoted values, empty cells skipped, first row of a key wins', () => {
  const dir = setup(USERS);
  const p = build('file: users.csv\nfield: user_id\ntarget: user\n', dir);
  const events = p.process([ev({ user_id: '42' }), ev({ user_id: 7 }), ev({ user_id: '8' }), ev({ other: '42' })], { nowMs: 0, warn: () => {} });
  assert.deepEqual(events[0]!.fields, { user_id: '42', 'user.name': 'Kim, Min-jun', 'user.team': 'payments', 'user.note': 'says "hi"\nand more' });
  assert.deepEqual(events[1]!.fields, { user_id: 7, 'user.name': 'Lee', 'user.team': 'search' });
  assert.deepEqual(events[2]!.fields, { user_id: '8' });
  assert.deepEqual(events[3]!.fields, { other: '42' });
});

test('key column, chosen columns, case folding and overwrite', () => {
  const dir = setup('team,owner,channel\nPayments,kim,#pay\n');
  const p = build('file: users.csv\nfield: team\nkey_column: team\ncolumns: [channel]\nignore_case: true\noverwrite: false\n', dir);
  const [a, b] = p.process([ev({ team: 'payments' }), ev({ team: 'PAYMENTS', channel: 'mine' })], { nowMs: 0, warn: () => {} });
  assert.deepEqual(a!.fields, { team: 'payments', channel: '#pay' });
  assert.deepEqual(b!.fields, { team: 'PAYMENTS', channel: 'mine' });
});

test('reloads a changed file on the next check; a broken file keeps the old table and warns', () => {
  const dir = setup('id,name\n1,one\n');
  const warnings: string[] = [];
  const ctx = (nowMs: number) => ({ nowMs, warn: (m: string) => void warnings.push(m) });
  const p = build('file: users.csv\nfield: id\nreload_interval: 10s\n', dir);
  assert.equal(p.process([ev({ id: '1' })], ctx(0))[0]!.fields.name, 'one');
  writeFileSync(join(dir, 'users.csv'), 'id,name\n1,uno\n2,dos\n');
  utimesSync(join(dir, 'users.csv'), new Date(), new Date(Date.now() + 5000));
  assert.equal(p.process([ev({ id: '1' })], ctx(5_000))[0]!.fields.name, 'one'); // not yet due
  assert.equal(p.process([ev({ id: '1' })], ctx(10_000))[0]!.fields.name, 'uno');
  writeFileSync(join(dir, 'users.csv'), 'id,name\n1,"broken\n');
  utimesSync(join(dir, 'users.csv'), new Date(), new Date(Date.now() + 10000));
  assert.equal(p.process([ev({ id: '2' })], ctx(20_000))[0]!.fields.name, 'dos');
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /^lookup: .*users\.csv: not reloaded, keeping the previous contents: .*users\.csv:2: unterminated quoted field \(opened on line 2\)$/);
});

test('errors name the file, line and problem', () => {
  const dir = setup('id,name\n1,"open\n');
  assert.throws(() => build('file: users.csv\nfield: id\n', dir), /test\.yaml:2: file: .*users\.csv:2: unterminated quoted field/);
  writeFileSync(join(dir, 'users.csv'), 'id,name\n1,a\n');
  assert.throws(() => build('file: users.csv\nfield: id\nkey_column: uid\n', dir), /users\.csv:1: no column "uid" in the header \(columns: id, name\)/);
  assert.throws(() => build('file: users.csv\nfield: id\ncolumns: [name, team]\n', dir), /no column "team"/);
  assert.throws(() => build('file: missing.csv\nfield: id\n', dir), /test\.yaml:2: file: cannot read .*missing\.csv: ENOENT/);
  assert.throws(() => build('file: users.csv\n', dir), /test\.yaml:1: field: is required/);
});
