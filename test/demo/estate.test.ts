// The simulated shop: its pods and streams, traces that cross services in call order, determinism, and line formats.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Estate, LEVELS, NAMESPACE, SERVICES, type PushStream } from '../../src/demo/estate.ts';

const T0 = Date.UTC(2025, 4, 1, 12, 0, 0);

function entries(streams: PushStream[]): { labels: Record<string, string>; ts: string; line: string; meta?: Record<string, string> }[] {
  const out = [];
  for (const s of streams) for (const v of s.values) out.push({ labels: s.stream, ts: v[0], line: v[1], meta: v.length === 3 ? v[2] : undefined });
  return out;
}

test('the estate has six services and 17 pods with Kubernetes-style names, in namespace shop', () => {
  const e = new Estate({ seed: 1 });
  assert.equal(e.pods.length, 17);
  const perService = new Map<string, number>();
  for (const p of e.pods) {
    const svc = SERVICES[p.service].name;
    perService.set(svc, (perService.get(svc) ?? 0) + 1);
    assert.match(p.name, new RegExp(`^${svc}-[bcdfghjklmnpqrstvwxz2456789]{9,10}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
  }
  assert.deepEqual(Object.fromEntries(perService), { 'api-gateway': 3, auth: 2, order: 5, payment: 3, inventory: 2, notify: 2 });
  assert.equal(new Set(e.pods.map((p) => p.name)).size, 17);
  assert.equal(e.streams.length, 17 * LEVELS.length);
});

test('a few minutes of output use all 17 pods, only low-cardinality labels, and ascending ns timestamps per stream', () => {
  const e = new Estate({ seed: 2, linesPerSecond: 80 });
  const streams = e.produce(T0, T0 + 5 * 60_000);
  const pods = new Set<string>();
  const levels = new Set<string>();
  for (const s of streams) {
    assert.deepEqual(Object.keys(s.stream).sort(), ['level', 'namespace', 'pod', 'service']);
    assert.equal(s.stream.namespace, NAMESPACE);
    pods.add(s.stream.pod);
    levels.add(s.stream.level);
    let prev = 0n;
    for (const v of s.values) {
      assert.match(v[0], /^\d{19}$/);
      const ts = BigInt(v[0]);
      assert.ok(ts >= prev, `timestamps ascend in ${JSON.stringify(s.stream)}`);
      assert.ok(ts > BigInt(T0) * 1_000_000n && ts <= BigInt(T0 + 5 * 60_000) * 1_000_000n, 'inside (from, to]');
      prev = ts;
    }
  }
  assert.equal(pods.size, 17);
  assert.deepEqual([...levels].sort(), ['debug', 'error', 'info', 'warn']);
});

test('the rate of lines follows linesPerSecond', () => {
  const e = new Estate({ seed: 3, linesPerSecond: 20 });
  const n = e.records(T0, T0 + 1_800_000).length;
  assert.ok(n > 20 * 1800 * 0.85 && n < 20 * 1800 * 1.15, `${n} lines in half an hour at 20/s`);
});

test('trace ids are 32 hex, shared by lines of at least three services, in call order, with one span id per service', () => {
  const e = new Estate({ seed: 4, linesPerSecond: 60 });
  const byTrace = new Map<string, { service: string; ts: bigint; span: string; line: string }[]>();
  for (const x of entries(e.produce(T0, T0 + 10 * 60_000))) {
    if (x.meta?.trace_id === undefined) continue;
    assert.match(x.meta.trace_id, /^[0-9a-f]{32}$/);
    assert.match(x.meta.span_id, /^[0-9a-f]{16}$/);
    const list = byTrace.get(x.meta.trace_id) ?? [];
    list.push({ service: x.labels.service, ts: BigInt(x.ts), span: x.meta.span_id, line: x.line });
    byTrace.set(x.meta.trace_id, list);
  }
  const wide = [...byTrace.entries()].filter(([, l]) => new Set(l.map((x) => x.service)).size >= 3);
  assert.ok(wide.length > 50, `${wide.length} traces cross ≥ 3 services`);
  const found = wide.find(([, l]) => new Set(l.map((x) => x.service)).size >= 5);
  assert.ok(found !== undefined, 'some trace crosses five services (a checkout)');
  const [traceId, checkout] = found;
  checkout.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
  const first = (svc: string): number => checkout.findIndex((x) => x.service === svc);
  assert.ok(first('auth') < first('order') && first('order') < first('payment'), 'auth before order before payment');
  for (const svc of ['auth', 'order', 'payment', 'inventory']) {
    const spans = new Set(checkout.filter((x) => x.service === svc).map((x) => x.span));
    assert.ok(spans.size <= 1, `${svc} keeps one span id within a trace`);
  }
  // the id is in the text too, so a line filter finds the whole trace
  for (const x of checkout) {
    if (!x.line.startsWith('Unhandled rejection')) assert.ok(x.line.includes(traceId), x.line);
  }
});

test('the same seed gives the same logs, however the time range is cut; another seed gives others', () => {
  const a = new Estate({ seed: 9, linesPerSecond: 30 }).produce(T0, T0 + 120_000);
  const b = new Estate({ seed: 9, linesPerSecond: 30 }).produce(T0, T0 + 120_000);
  assert.deepEqual(a, b);
  const e = new Estate({ seed: 9, linesPerSecond: 30 });
  const pieces = [...entries(e.produce(T0, T0 + 45_000)), ...entries(e.produce(T0 + 45_000, T0 + 46_000)), ...entries(e.produce(T0 + 46_000, T0 + 120_000))];
  const key = (x: { ts: string; line: string }): string => x.ts + ' ' + x.line;
  assert.deepEqual(pieces.map(key).sort(), entries(a).map(key).sort());
  const c = new Estate({ seed: 10, linesPerSecond: 30 }).produce(T0, T0 + 120_000);
  assert.notDeepEqual(entries(c).map(key), entries(a).map(key));
});

test('each service writes its own format', () => {
  const e = new Estate({ seed: 5, linesPerSecond: 100 });
  const all = entries(e.produce(T0, T0 + 120_000));
  const of = (svc: string): string[] => all.filter((x) => x.labels.service === svc).map((x) => x.line);
  const nginx = /^\S+ - - \[\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000\] "(GET|POST|DELETE|PUT) \S+ HTTP\/[12]\.[01]" \d{3} \d+ "[^"]*" "[^"]*" rt=\d+\.\d{3} urt=(\d+\.\d{3}|-) trace_id=([0-9a-f]{32}|-)$/;
  const gw = of('api-gateway').filter((l) => !l.includes('[error]'));
  assert.ok(gw.length > 100);
  for (const l of gw) assert.match(l, nginx);
  for (const svc of ['auth', 'order', 'payment']) {
    for (const l of of(svc)) {
      if (l.startsWith('Unhandled rejection')) continue; // stderr dump during a provider outage
      const doc = JSON.parse(l) as Record<string, unknown>;
      assert.equal(doc.service, svc);
      assert.ok(LEVELS.includes(doc.level as (typeof LEVELS)[number]));
      assert.equal(typeof doc.msg, 'string');
      assert.match(String(doc.ts), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    }
  }
  for (const l of of('inventory')) assert.match(l, /^ts=\S+ caller=\S+ level=(debug|info|warn|error) msg="[^"]+"/);
  for (const l of of('notify')) assert.match(l, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} (DEBUG|INFO |WARN |ERROR) \[[\w-]+\] /);
});

test('two hours hold payment timeout bursts, multi-line stack traces and failed logins', () => {
  const e = new Estate({ seed: 6, linesPerSecond: 10 });
  const all = entries(e.produce(T0, T0 + 2 * 3_600_000));
  const timeouts = all.filter((x) => x.line.includes('charge failed: provider timeout'));
  assert.ok(timeouts.length > 10, `${timeouts.length} payment timeouts`);
  // they come in bursts: most fall within a minute of another one
  const ms = timeouts.map((x) => Number(BigInt(x.ts) / 1_000_000n)).sort((a, b) => a - b);
  const clustered = ms.filter((t, i) => (i > 0 && t - ms[i - 1] < 60_000) || (i + 1 < ms.length && ms[i + 1] - t < 60_000));
  assert.ok(clustered.length / ms.length > 0.8);
  assert.ok(all.some((x) => x.line.includes('\n    at ')), 'a multi-line stack trace');
  const failed = all.filter((x) => /Failed password for user \S+ from \d+\.\d+\.\d+\.\d+/.test(x.line));
  assert.ok(failed.length > 20);
  assert.ok(new Set(failed.map((x) => /from (\S+)"/.exec(x.line)?.[1])).size > 5, 'from varied addresses');
  assert.ok(all.some((x) => x.labels.level === 'error' && x.labels.service === 'api-gateway' && x.line.includes('" 504 ')));
});

test('produce rejects non-finite times and returns nothing for an empty range', () => {
  const e = new Estate({ seed: 1 });
  assert.deepEqual(e.produce(T0, T0), []);
  assert.throws(() => e.produce(Number.NaN, T0), RangeError);
  assert.throws(() => new Estate({ linesPerSecond: 0 }), RangeError);
});
