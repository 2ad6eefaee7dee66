// The `related` enrichment's query building (LogQL escaping, targets, exact matchers, token boundaries), its bounds
// (limit, max_records, max_values, time budget, window) over a fake query engine, and the action syntax forms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigNode } from '../../../src/config/config-node.ts';
import { parseLogQuery } from '../../../src/query/parser.ts';
import type { QueryOutcome, QueryRequest } from '../../../src/query/engine.ts';
import type { LogEntry, LogStream } from '../../../src/query/log-query.ts';
import { parseActions } from '../../../src/siem/actions/action-spec.ts';
import { containsToken, findRelated, logqlString, RELATED_DEFAULTS, relatedQueries, relatedTargets, type RelatedOptions } from '../../../src/siem/actions/related-records.ts';
import type { SiemAlert } from '../../../src/siem/alert.ts';

const MIN = 60_000_000_000n;
const T0 = 1_700_000_000_000_000_000n;

function alert(over: Partial<SiemAlert> = {}): SiemAlert {
  return {
    alert_id: 'a1', tenant: 'acme', kind: 'native', rule: 'r', title: 't', severity: 'high', group: { user_id: 'admin' },
    first_ts: String(T0), last_ts: String(T0 + 10n * MIN), event_count: 2,
    events: [
      { ts: String(T0), labels: { service: 'sshd' }, stream: '{service="sshd"}', line: 'Failed password for admin from 10.0.0.1 port 1 ssh2', step: 'f', fields: { user_id: 'admin', src_ip: '10.0.0.1' } },
      { ts: String(T0 + 10n * MIN), labels: { service: 'api', trace_id: 'x' }, stream: '{service="api"}', line: 'usermod admin', step: 'p', fields: { trace_id: 'abc123def' } },
    ],
    entities: { user: ['admin'], ip: ['10.0.0.1'], host: [] }, tags: [], notify: true, created_ms: 0,
    ...over,
  };
}

const opts = (o: Partial<RelatedOptions> = {}): RelatedOptions => ({ ...RELATED_DEFAULTS, ...o });

test('values are quoted as LogQL strings that parse back to the same value', () => {
  for (const v of ['plain', 'say "hi"', 'back\\slash', 'new\nline\ttab\r', '\u0001ctl\u007f', 'naïve ✓', '`tick`', '{}|=']) {
    const q = parseLogQuery(`{} |= ${logqlString(v)}`);
    const f = q.stages[0];
    assert.equal(f?.kind, 'line_filter');
    assert.deepEqual(f?.kind === 'line_filter' ? f.values : undefined, [v], JSON.stringify(v));
  }
  assert.equal(logqlString('a"b\\c\nd'), '"a\\"b\\\\c\\u000ad"');
});

test('targets: group values and linked records\' labels and fields, in `by` order, bounded; exact where seen on a record', () => {
  const { targets, dropped } = relatedTargets(alert(), opts({ by: ['trace_id', 'user_id', 'src_ip', 'missing'] }));
  // the label trace_id="x" is too short to search
  assert.deepEqual(targets, [
    { key: 'trace_id', value: 'abc123def', exact: true },
    { key: 'user_id', value: 'admin', exact: true },
    { key: 'src_ip', value: '10.0.0.1', exact: true },
  ]);
  assert.equal(dropped, 0);
  const groupOnly = relatedTargets(alert({ group: { host: 'web-1' }, events: [] }), opts({ by: ['host'] }));
  assert.deepEqual(groupOnly.targets, [{ key: 'host', value: 'web-1', exact: false }]);
  const capped = relatedTargets(alert(), opts({ by: ['trace_id', 'user_id', 'src_ip'], maxValues: 2 }));
  assert.deepEqual(capped.targets.map((t) => t.key), ['trace_id', 'user_id']);
  assert.equal(capped.dropped, 1);
});

test('queries: a full-text line search, plus an exact matcher only for a key that can be a label name', () => {
  assert.deepEqual(relatedQueries({ key: 'src_ip', value: '10.0.0.1', exact: true }), ['{} |= "10.0.0.1"', '{} | src_ip="10.0.0.1"']);
  assert.deepEqual(relatedQueries({ key: 'src_ip', value: '10.0.0.1', exact: false }), ['{} |= "10.0.0.1"']);
  assert.deepEqual(relatedQueries({ key: 'source.ip', value: 'a"b', exact: true }), ['{} |= "a\\"b"']);
  assert.deepEqual(relatedQueries({ key: '__error__', value: 'abc', exact: true }), ['{} |= "abc"']);
  for (const q of relatedQueries({ key: 'user_id', value: 'o"ne\\two', exact: true })) parseLogQuery(q);
});

test('a value counts in a line only as a whole token', () => {
  assert.equal(containsToken('from 10.0.0.1 port 22', '10.0.0.1'), true);
  assert.equal(containsToken('from 10.0.0.15 port 22', '10.0.0.1'), false);
  assert.equal(containsToken('from 110.0.0.1 port 22', '10.0.0.1'), false);
  assert.equal(containsToken('ip=10.0.0.1,', '10.0.0.1'), true);
  assert.equal(containsToken('user bobby; user=bob', 'bob'), true);
  assert.equal(containsToken('user bobby', 'bob'), false);
  assert.equal(containsToken('at end 10.0.0.1', '10.0.0.1'), true);
  assert.equal(containsToken('[x] y', '[x]'), true);
});

interface Stored {
  ts: bigint;
  labels: Record<string, string>;
  line: string;
  metadata?: Record<string, string>;
}

/** A fake engine that answers the two query shapes findRelated sends over an in-memory list. */
function fakeEngine(rows: Stored[], seen: QueryRequest[], fail?: string) {
  return {
    async run(req: QueryRequest): Promise<QueryOutcome> {
      seen.push(req);
      if (fail !== undefined && req.query.includes(fail)) throw new Error('store is closed');
      const q = parseLogQuery(req.query);
      const st = q.stages[0]!;
      const hit = (r: Stored): boolean => {
        if (st.kind === 'line_filter') return r.line.includes(st.values[0]!);
        if (st.kind === 'label_filter' && st.expr.kind === 'string') return (r.labels[st.expr.name] ?? r.metadata?.[st.expr.name]) === st.expr.value;
        throw new Error(`unexpected stage in ${req.query}`);
      };
      const streams = new Map<string, LogStream>();
      let n = 0;
      for (const r of rows) {
        if (r.ts < req.startNs || r.ts >= req.endNs || !hit(r) || n >= req.limit) continue;
        n++;
        const k = JSON.stringify(r.labels);
        let s = streams.get(k);
        if (s === undefined) streams.set(k, (s = { labels: r.labels, values: [] }));
        const e: LogEntry = r.metadata ? [String(r.ts), r.line, { structuredMetadata: r.metadata }] : [String(r.ts), r.line];
        s.values.push(e);
      }
      return { result: { resultType: 'streams', streams: [...streams.values()] }, stats: {} as QueryOutcome['stats'] };
    },
  };
}

const sshd = { service: 'sshd' };
const rows: Stored[] = [
  { ts: T0, labels: sshd, line: 'Failed password for admin from 10.0.0.1 port 1 ssh2' }, // the alert's own event
  { ts: T0 - 16n * MIN, labels: sshd, line: 'Accepted key for admin from 10.0.0.1' }, // before the window
  { ts: T0 - 15n * MIN, labels: sshd, line: 'Accepted key for admin from 10.0.0.1' }, // at the window's start
  { ts: T0 + 1n * MIN, labels: { service: 'nginx' }, line: 'GET / 200 client=10.0.0.15' }, // another address
  { ts: T0 + 2n * MIN, labels: { service: 'nginx' }, line: 'GET /export 200 client=10.0.0.1' },
  { ts: T0 + 3n * MIN, labels: { service: 'api' }, line: 'export started', metadata: { src_ip: '10.0.0.1' } }, // metadata only
  { ts: T0 + 4n * MIN, labels: { source: 'sightline', stream: 'detections' }, line: '{"rule":"r","src_ip":"10.0.0.1"}' },
  { ts: T0 + 25n * MIN, labels: sshd, line: 'Accepted key for admin from 10.0.0.1' }, // at the window's end
  { ts: T0 + 25n * MIN + 1n, labels: sshd, line: 'late 10.0.0.1' }, // after it
];

test('findRelated: ±window, own events and the detections stream left out, token boundaries, metadata matches', async () => {
  const seen: QueryRequest[] = [];
  const groups = await findRelated(alert(), opts({ by: ['src_ip'] }), { engine: fakeEngine(rows, seen) });
  assert.deepEqual(seen.map((r) => [r.query, r.tenants, r.startNs, r.endNs]), [
    ['{} |= "10.0.0.1"', ['acme'], T0 - 15n * MIN, T0 + 25n * MIN + 1n],
    ['{} | src_ip="10.0.0.1"', ['acme'], T0 - 15n * MIN, T0 + 25n * MIN + 1n],
  ]);
  assert.equal(groups.length, 1);
  const g = groups[0]!;
  assert.deepEqual([g.key, g.value, g.count, g.truncated, g.error], ['src_ip', '10.0.0.1', 4, false, undefined]);
  assert.deepEqual(g.records.map((r) => [BigInt(r.ts) - T0, r.line]), [
    [-15n * MIN, 'Accepted key for admin from 10.0.0.1'],
    [2n * MIN, 'GET /export 200 client=10.0.0.1'],
    [3n * MIN, 'export started'],
    [25n * MIN, 'Accepted key for admin from 10.0.0.1'],
  ]);
  assert.deepEqual(g.records[2]!.metadata, { src_ip: '10.0.0.1' });
});

test('findRelated bounds: limit per value, max_records over all, the time budget, a failing query', async () => {
  const limited = await findRelated(alert(), opts({ by: ['src_ip'], limit: 2 }), { engine: fakeEngine(rows, []) });
  assert.deepEqual([limited[0]!.records.length, limited[0]!.truncated], [2, true]);
  assert.equal(limited[0]!.records[0]!.line, 'Accepted key for admin from 10.0.0.1');

  const capped = await findRelated(alert(), opts({ by: ['src_ip', 'user_id'], maxRecords: 3 }), { engine: fakeEngine(rows, []) });
  assert.deepEqual(capped.map((g) => [g.key, g.records.length, g.truncated]), [['src_ip', 3, true], ['user_id', 0, true]]);
  assert.match(capped[1]!.error ?? '', /max_records/);

  let clock = 0;
  const slow = fakeEngine(rows, []);
  const timed = await findRelated(alert(), opts({ by: ['src_ip', 'user_id'], timeoutMs: 100 }), { engine: { run: (r) => ((clock += 150), slow.run(r)) }, now: () => clock });
  assert.deepEqual(timed.map((g) => [g.key, g.truncated, g.error]), [['src_ip', false, undefined], ['user_id', true, 'not searched: time budget of 100 ms spent']]);

  const failed = await findRelated(alert(), opts({ by: ['user_id', 'src_ip'] }), { engine: fakeEngine(rows, [], 'src_ip=') });
  assert.equal(failed[0]!.error, undefined);
  assert.equal(failed[1]!.error, 'query failed: store is closed');
  assert.equal(failed[1]!.count, 3, 'what the line search found before the failure is kept');
});

test('enrich syntax: the guide\'s words, the list form and the object form with options; errors say where', () => {
  const parse = (yaml: string) => parseActions(ConfigNode.parse(yaml, 'rule.yaml').get('action'));
  assert.deepEqual(parse('action:\n  - enrich: add geo_ip, threat_intel lookup, related records\n'), [
    { kind: 'enrich', text: 'add geo_ip, threat_intel lookup, related records', enrichments: ['geo_ip', 'threat_intel', 'related'], related: RELATED_DEFAULTS },
  ]);
  assert.deepEqual(parse('action:\n  - enrich: [geo_ip, threat_intel, related]\n'), [{ kind: 'enrich', enrichments: ['geo_ip', 'threat_intel', 'related'], related: RELATED_DEFAULTS }]);
  const withOpts = { ...RELATED_DEFAULTS, by: ['trace_id', 'user_id', 'src_ip'], limit: 5, windowMs: 300_000 };
  assert.deepEqual(parse('action:\n  - enrich: [geo_ip, {related: {by: [trace_id, user_id, src_ip], window: 5m, limit: 5}}]\n'), [{ kind: 'enrich', enrichments: ['geo_ip', 'related'], related: withOpts }]);
  assert.deepEqual(parse('action:\n  - enrich:\n      threat_intel: true\n      related: {by: [trace_id, user_id, src_ip], window: 5m, limit: 5}\n'), [{ kind: 'enrich', enrichments: ['threat_intel', 'related'], related: withOpts }]);
  assert.deepEqual(parse('action:\n  - enrich: add geo_ip\n'), [{ kind: 'enrich', text: 'add geo_ip', enrichments: ['geo_ip'] }]);
  assert.throws(() => parse('action:\n  - enrich: {related: {by: [user], depth: 3}}\n'), /rule\.yaml:2: .*depth.*unknown key/);
  assert.throws(() => parse('action:\n  - enrich: {related: {limit: 0}}\n'), /rule\.yaml:2: .*limit/);
  assert.throws(() => parse('action:\n  - enrich: {related: {by: []}}\n'), /at least one key/);
  assert.throws(() => parse('action:\n  - enrich: {geo_ip: {db: x}}\n'), /geo_ip takes no options/);
  assert.throws(() => parse('action:\n  - enrich: add related gossip\n'), /unknown enrichment "gossip"/);
});
