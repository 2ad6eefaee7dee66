// Tests of the stream catalogue: ids from resolve and load, identity by tenant + label set, forget, time bounds
// from touch, and select by tenants, matchers and time range.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamRegistry, type RegisteredStream } from '../../src/store/stream-registry.ts';
import type { Matcher } from '../../src/query/ast.ts';

const m = (name: string, op: Matcher['op'], value: string): Matcher => ({ name, op, value });
const ids = (streams: RegisteredStream[]): number[] => streams.map((s) => s.id).sort((a, b) => a - b);

test('resolve creates a stream once per tenant and label set', () => {
  const reg = new StreamRegistry();
  const a = reg.resolve('acme', { app: 'api', env: 'prod' });
  assert.equal(a.created, true);
  assert.equal(a.stream.id, 1);
  assert.deepEqual(
    { id: a.stream.id, tenant: a.stream.tenant, labels: a.stream.labels, key: a.stream.key, minTs: a.stream.minTs, maxTs: a.stream.maxTs, hasEntries: a.stream.hasEntries },
    { id: 1, tenant: 'acme', labels: { app: 'api', env: 'prod' }, key: 'acme\u0000{app="api", env="prod"}', minTs: 0n, maxTs: 0n, hasEntries: false },
  );
  const again = reg.resolve('acme', { env: 'prod', app: 'api' }); // same set, other key order
  assert.equal(again.created, false);
  assert.equal(again.stream, a.stream);
  const b = reg.resolve('acme', { app: 'api' });
  assert.deepEqual([b.created, b.stream.id], [true, 2]);
  const c = reg.resolve('globex', { app: 'api', env: 'prod' }); // same labels, other tenant
  assert.deepEqual([c.created, c.stream.id], [true, 3]);
  assert.equal(reg.size, 3);
  assert.equal(reg.get(3), c.stream);
  assert.equal(reg.get(99), undefined);
  assert.deepEqual([...reg.all()].map((s) => s.id), [1, 2, 3]);
});

test('stored labels are a sorted copy, independent of the caller\'s object', () => {
  const reg = new StreamRegistry();
  const input = { zone: 'b', app: 'api', mid: 'x' };
  const { stream } = reg.resolve('acme', input);
  assert.deepEqual(Object.keys(stream.labels), ['app', 'mid', 'zone']);
  input.app = 'changed';
  assert.equal(stream.labels.app, 'api');
  assert.equal(reg.resolve('acme', { zone: 'b', app: 'api', mid: 'x' }).created, false);
});

test('label values that differ only in escaping or emptiness are different streams', () => {
  const reg = new StreamRegistry();
  const sets: Record<string, string>[] = [{}, { a: '' }, { a: 'x' }, { a: 'x"' }, { a: 'x\\' }, { 'a': 'x', b: '' }, { ab: 'x' }];
  const got = sets.map((l) => reg.resolve('t', l));
  assert.deepEqual(got.map((g) => g.created), sets.map(() => true));
  assert.equal(new Set(got.map((g) => g.stream.id)).size, sets.length);
  assert.deepEqual(sets.map((l) => reg.resolve('t', { ...l }).created), sets.map(() => false));
});

test('tenant names cannot collide with label text', () => {
  const reg = new StreamRegistry();
  const a = reg.resolve('a', { b: 'c' });
  const b = reg.resolve('a{', { b: 'c' });
  assert.notEqual(a.stream.id, b.stream.id);
});

test('load registers persisted streams and moves the next id past them', () => {
  const reg = new StreamRegistry();
  reg.load(7, 'acme', { env: 'prod', app: 'api' });
  reg.load(3, 'acme', { app: 'web' });
  assert.equal(reg.size, 2);
  assert.deepEqual(reg.get(7)?.labels, { app: 'api', env: 'prod' });
  assert.equal(reg.get(7)?.hasEntries, false);
  const same = reg.resolve('acme', { app: 'api', env: 'prod' });
  assert.deepEqual([same.created, same.stream.id], [false, 7]);
  const fresh = reg.resolve('acme', { app: 'new' });
  assert.deepEqual([fresh.created, fresh.stream.id], [true, 8]);
});

test('forget removes a stream everywhere; ids are not reused', () => {
  const reg = new StreamRegistry();
  const a = reg.resolve('acme', { app: 'a' }).stream;
  const b = reg.resolve('acme', { app: 'b' }).stream;
  reg.touch(a.id, 10n, 20n);
  reg.touch(b.id, 10n, 20n);
  reg.forget(a.id);
  assert.equal(reg.size, 1);
  assert.equal(reg.get(a.id), undefined);
  assert.deepEqual([...reg.all()].map((s) => s.id), [b.id]);
  assert.deepEqual(ids(reg.select(['acme'], [], 0n, 100n)), [b.id]);
  const again = reg.resolve('acme', { app: 'a' });
  assert.deepEqual([again.created, again.stream.id], [true, 3]);
  reg.forget(12345); // unknown: no-op
  assert.equal(reg.size, 2);
  reg.forget(again.stream.id);
  reg.forget(again.stream.id); // twice: still a no-op, the other stream stays
  assert.deepEqual(ids(reg.select(['acme'], [], 0n, 100n)), [b.id]);
});

test('touch widens the time bounds and marks the stream as having entries', () => {
  const reg = new StreamRegistry();
  const s = reg.resolve('acme', { app: 'a' }).stream;
  reg.touch(s.id, 500n, 600n);
  assert.deepEqual([s.minTs, s.maxTs, s.hasEntries], [500n, 600n, true]);
  reg.touch(s.id, 550n, 580n); // inside: unchanged
  assert.deepEqual([s.minTs, s.maxTs], [500n, 600n]);
  reg.touch(s.id, 100n, 200n);
  assert.deepEqual([s.minTs, s.maxTs], [100n, 600n]);
  reg.touch(s.id, 700n, 900n);
  assert.deepEqual([s.minTs, s.maxTs], [100n, 900n]);
  reg.touch(999, 0n, 1n); // unknown: no-op
  const neg = reg.resolve('acme', { app: 'b' }).stream;
  reg.touch(neg.id, -50n, -10n); // the first touch sets bounds even below the 0n placeholder
  assert.deepEqual([neg.minTs, neg.maxTs], [-50n, -10n]);
});

function populated(): { reg: StreamRegistry; id: Record<string, number> } {
  const reg = new StreamRegistry();
  const id: Record<string, number> = {};
  const add = (name: string, tenant: string, labels: Record<string, string>, from?: bigint, to?: bigint) => {
    id[name] = reg.resolve(tenant, labels).stream.id;
    if (from !== undefined && to !== undefined) reg.touch(id[name], from, to);
  };
  add('apiProd', 'acme', { app: 'api', env: 'prod', level: 'error' }, 100n, 200n);
  add('apiDev', 'acme', { app: 'api', env: 'dev' }, 150n, 300n);
  add('web', 'acme', { app: 'web', env: 'prod' }, 400n, 500n);
  add('noEnv', 'acme', { app: 'cron' }, 100n, 500n);
  add('empty', 'acme', { app: 'idle', env: 'prod' }); // no entries yet
  add('globexApi', 'globex', { app: 'api', env: 'prod', level: 'error' }, 100n, 200n);
  return { reg, id };
}

test('select by matchers within a tenant', async (t) => {
  const { reg, id } = populated();
  const cases: [string, Matcher[], string[]][] = [
    ['no matchers', [], ['apiProd', 'apiDev', 'web', 'noEnv']],
    ['app="api"', [m('app', '=', 'api')], ['apiProd', 'apiDev']],
    ['app!="api"', [m('app', '!=', 'api')], ['web', 'noEnv']],
    ['app=~"api|web"', [m('app', '=~', 'api|web')], ['apiProd', 'apiDev', 'web']],
    ['app=~"ap" is anchored', [m('app', '=~', 'ap')], []],
    ['app=~"a.*"', [m('app', '=~', 'a.*')], ['apiProd', 'apiDev']],
    ['app!~"api|web"', [m('app', '!~', 'api|web')], ['noEnv']],
    ['env="" matches streams without env', [m('env', '=', '')], ['noEnv']],
    ['env!="" needs env', [m('env', '!=', '')], ['apiProd', 'apiDev', 'web']],
    ['env=~".+"', [m('env', '=~', '.+')], ['apiProd', 'apiDev', 'web']],
    ['env!="prod" includes missing env', [m('env', '!=', 'prod')], ['apiDev', 'noEnv']],
    ['env!~"prod|dev"', [m('env', '!~', 'prod|dev')], ['noEnv']],
    ['two matchers', [m('app', '=', 'api'), m('env', '=', 'prod')], ['apiProd']],
    ['level="error"', [m('level', '=', 'error')], ['apiProd']],
    ['no such value', [m('app', '=', 'nope')], []],
  ];
  for (const [name, matchers, expected] of cases) {
    await t.test(name, () => assert.deepEqual(ids(reg.select(['acme'], matchers, 0n, 1000n)), expected.map((n) => id[n]).sort((a, b) => a - b)));
  }
});

test('select keeps tenants apart and can span several', () => {
  const { reg, id } = populated();
  const api = [m('app', '=', 'api'), m('env', '=', 'prod')];
  assert.deepEqual(ids(reg.select(['acme'], api, 0n, 1000n)), [id.apiProd]);
  assert.deepEqual(ids(reg.select(['globex'], api, 0n, 1000n)), [id.globexApi]);
  assert.deepEqual(ids(reg.select(['acme', 'globex'], api, 0n, 1000n)), [id.apiProd, id.globexApi].sort((a, b) => a - b));
  assert.deepEqual(ids(reg.select(['initech'], api, 0n, 1000n)), []);
  assert.deepEqual(ids(reg.select([], [], 0n, 1000n)), []);
  for (const s of reg.select(['globex'], [], 0n, 1000n)) assert.equal(s.tenant, 'globex');
});

test('select by time: streams overlapping [from, to), never ones without entries', async (t) => {
  const { reg, id } = populated();
  // apiProd [100,200], apiDev [150,300], web [400,500], noEnv [100,500]
  const cases: [bigint, bigint, string[]][] = [
    [0n, 100n, []], // to is exclusive: minTs 100 is not < 100
    [0n, 101n, ['apiProd', 'noEnv']],
    [200n, 201n, ['apiProd', 'apiDev', 'noEnv']], // maxTs 200 is within [200, 201)
    [201n, 400n, ['apiDev', 'noEnv']],
    [301n, 400n, ['noEnv']],
    [301n, 401n, ['web', 'noEnv']],
    [500n, 600n, ['web', 'noEnv']],
    [501n, 600n, []],
    [0n, 1_000_000n, ['apiProd', 'apiDev', 'web', 'noEnv']],
  ];
  for (const [from, to, expected] of cases) {
    await t.test(`[${from}, ${to})`, () => assert.deepEqual(ids(reg.select(['acme'], [], from, to)), expected.map((n) => id[n]).sort((a, b) => a - b)));
  }
  await t.test('a stream becomes selectable once touched', () => {
    assert.deepEqual(ids(reg.select(['acme'], [m('app', '=', 'idle')], 0n, 1000n)), []);
    reg.touch(id.empty, 10n, 10n);
    assert.deepEqual(ids(reg.select(['acme'], [m('app', '=', 'idle')], 0n, 1000n)), [id.empty]);
    assert.deepEqual(ids(reg.select(['acme'], [m('app', '=', 'idle')], 10n, 11n)), [id.empty]);
    assert.deepEqual(ids(reg.select(['acme'], [m('app', '=', 'idle')], 11n, 1000n)), []);
  });
});

test('loaded streams are selectable once touched', () => {
  const reg = new StreamRegistry();
  reg.load(5, 'acme', { app: 'api' });
  assert.deepEqual(ids(reg.select(['acme'], [], 0n, 1000n)), []);
  reg.touch(5, 1n, 2n);
  assert.deepEqual(ids(reg.select(['acme'], [m('app', '=~', 'a.i')], 0n, 1000n)), [5]);
});
