// query_range `interval` through the real server: per result stream, the first entry of each interval counted
// from `start` (forward), the newest of each interval counted back from `end` (backward); `limit` counts kept
// entries; metric queries ignore it; a malformed value is a 400 naming the parameter.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getJson, nowNs, push, rangeQuery, withServer } from './harness.ts';

const S = 1_000_000_000n;

test('interval keeps one entry per stream per interval, in either direction', async () => {
  await withServer({}, async (s) => {
    const t0 = nowNs(-60_000);
    const at = (tenths: number): string => String(t0 + (BigInt(tenths) * S) / 10n);
    const a = [0, 10, 25, 40, 90, 105]; // tenths of a second after t0
    const b = [5, 7];
    assert.equal((await push(s.url, [
      { stream: { app: 'a' }, values: a.map((x) => [at(x), `a level=info t=${x}`]) },
      { stream: { app: 'b' }, values: b.map((x) => [at(x), `b level=info t=${x}`]) },
    ])).status, 204);
    const window = { start: String(t0), end: String(t0 + 12n * S), interval: '2s' };
    const byApp = (body: any): Record<string, string[]> =>
      Object.fromEntries(body.data.result.map((r: any) => [r.stream.app, r.values.map((v: [string, string]) => v[1].split(' ')[0] + '@' + v[1].split('t=')[1])]));

    const fwd = await getJson(s.url, rangeQuery('{app=~"a|b"}', { ...window, direction: 'forward' }));
    assert.equal(fwd.status, 200);
    // cells [0,2) [2,4) [4,6) … from start: 0 and 1.0 share the first, 9.0 and 10.5 fall in [8,10) and [10,12)
    assert.deepEqual(byApp(fwd.body), { a: ['a@0', 'a@25', 'a@40', 'a@90', 'a@105'], b: ['b@5'] });

    const bwd = await getJson(s.url, rangeQuery('{app=~"a|b"}', { ...window, direction: 'backward' }));
    // cells (10,12] (8,10] … back from end, newest kept: 1.0 and 0 share (0,2]
    assert.deepEqual(byApp(bwd.body), { a: ['a@105', 'a@90', 'a@40', 'a@25', 'a@10'], b: ['b@7'] });

    // float seconds work too; stages run first, and the interval applies per result stream (parsed labels included)
    const piped = await getJson(s.url, rangeQuery('{app=~"a|b"} | logfmt | t > 5 | drop t', { ...window, interval: '2.0', direction: 'forward' }));
    assert.deepEqual(byApp(piped.body), { a: ['a@10', 'a@25', 'a@40', 'a@90', 'a@105'], b: ['b@7'] });

    // the limit counts the entries kept, not the rows read
    const limited = await getJson(s.url, rangeQuery('{app=~"a|b"}', { ...window, direction: 'forward', limit: '3' }));
    assert.deepEqual(byApp(limited.body), { a: ['a@0', 'a@25'], b: ['b@5'] });

    // without interval every row comes back
    const all = await getJson(s.url, rangeQuery('{app=~"a|b"}', { start: window.start, end: window.end }));
    assert.equal(all.body.data.result.reduce((n: number, r: any) => n + r.values.length, 0), 8);

    // metric queries ignore interval
    const metric = await getJson(s.url, rangeQuery('sum(count_over_time({app=~"a|b"}[1m]))', { ...window, step: '12s', interval: '2s' }));
    assert.equal(metric.status, 200);
    assert.equal(metric.body.data.resultType, 'matrix');

    const bad = await getJson(s.url, rangeQuery('{app="a"}', { interval: 'often' }));
    assert.equal(bad.status, 400);
    assert.match(bad.body.message, /invalid parameter "interval": cannot parse "often"/);
  });
});
