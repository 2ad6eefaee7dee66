// The Dashboards page's pure parts (web/src/dashboards/): variable substitution as Grafana's Loki source does it,
// the URL state, unit formatting and legend names; each substituted query is also parsed by the server's parser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL, defaultChoice, regexEscape, substitute, variableText } from '../../web/src/dashboards/variables.ts';
import { decodeDashboardUrl, encodeDashboardUrl } from '../../web/src/dashboards/dashboard-url.ts';
import { formatValue, seriesName } from '../../web/src/dashboards/panel-format.ts';
import type { DashboardVariable } from '../../web/src/dashboards/dashboard-types.ts';
import { parseExpr } from '../../src/query/parser.ts';
import { overviewDashboard } from '../../src/dashboards/overview-dashboard.ts';

const multi: DashboardVariable = { name: 'service', query: 'service', multi: true, include_all: true };
const single: DashboardVariable = { name: 'env', query: 'env', multi: false, include_all: false };
const time = { rangeS: 3600, stepS: 60 };

test('variable values: single as a string, several as an escaped alternation, All as .+', () => {
  assert.equal(variableText(single, ['prod "eu"\\1']), 'prod \\"eu\\"\\\\1');
  assert.equal(variableText(multi, ['api']), 'api');
  assert.equal(variableText(multi, ['api', 'web.v2']), '(api|web\\\\.v2)');
  assert.equal(variableText(multi, [ALL]), '.+');
  assert.equal(variableText(multi, []), '.+');
  assert.equal(regexEscape('a+b(c)'), 'a\\\\+b\\\\(c\\\\)');
  assert.deepEqual(defaultChoice(multi, ['a', 'b']), [ALL]);
  assert.deepEqual(defaultChoice(single, ['a', 'b']), ['a']);
});

test('substitute: $name and ${name}, $__range and $__interval, unknown names left alone', () => {
  const q = 'sum by (service) (rate({service=~"$service", env="${env}"} |= "$other" [$__interval])) / $__range';
  assert.equal(
    substitute(q, [multi, single], { service: ['a.b', 'c'], env: ['prod'] }, time),
    'sum by (service) (rate({service=~"(a\\\\.b|c)", env="prod"} |= "$other" [60s])) / 3600s',
  );
  assert.equal(substitute('count_over_time({a="b"}[$__auto])', [], {}, { rangeS: 0.2, stepS: 5 }), 'count_over_time({a="b"}[5s])');
});

test('every Overview query parses once substituted, with All and with several values', () => {
  const d = overviewDashboard();
  for (const values of [{ service: [ALL] }, { service: ['api-gateway', 'pay.ment'] }]) {
    for (const p of d.panels) {
      if (p.type === 'security') continue;
      const q = substitute(p.query, d.variables, values, time);
      assert.doesNotThrow(() => parseExpr(q), `${p.title}: ${q}`);
      assert.equal(parseExpr(q).kind === 'log', p.type === 'logs', p.title);
    }
  }
});

test('URL state round-trips; multi values repeat; time only when set', () => {
  const s = { uid: 'overview', from: 'now-6h', to: 'now', refresh: '30s', vars: { service: ['a', 'b'], env: [ALL] }, tenant: 'team-a', search: '' };
  const qs = encodeDashboardUrl(s);
  assert.equal(qs, '?uid=overview&from=now-6h&to=now&refresh=30s&var-env=%24__all&var-service=a&var-service=b&org=team-a');
  assert.deepEqual(decodeDashboardUrl(qs), s);
  assert.equal(encodeDashboardUrl({ uid: '', vars: {}, tenant: '', search: 'ops' }), '?q=ops');
  assert.deepEqual(decodeDashboardUrl(''), { uid: '', from: undefined, to: undefined, refresh: undefined, vars: {}, tenant: '', search: '' });
});

test('values print in their unit; series are named by the legend template', () => {
  assert.equal(formatValue(56, 'short'), '56');
  assert.equal(formatValue(123456), '123K');
  assert.equal(formatValue(0.0489, 'percentunit'), '4.89%');
  assert.equal(formatValue(1_750_000, 'bytes'), '1.75 MB');
  assert.equal(formatValue(0.2, 's'), '200 ms');
  assert.equal(formatValue(2.5, 's'), '2.5 s');
  assert.equal(formatValue(1500, 'ms'), '1.5 s');
  assert.equal(formatValue(12.345, 'lines/s'), '12.3 lines/s');
  assert.equal(seriesName({ service: 'api', level: 'error' }, '{{service}} / {{ level }}'), 'api / error');
  assert.equal(seriesName({ service: 'api', level: 'error' }), '{level="error", service="api"}');
  assert.equal(seriesName({}), 'value');
});

test('a moved panel pushes the panels it overlaps down, in a chain', async () => {
  const { pushDown } = await import('../../web/src/dashboards/grid-layout.ts');
  const p = (id: number, x: number, y: number, w: number, h: number) => ({ id, title: String(id), type: 'stat' as const, query: 'q', grid: { x, y, w, h } });
  // 1 moved down by one row onto 2 (below it), which then lands on 3
  const out = pushDown([p(1, 0, 1, 12, 4), p(2, 0, 4, 12, 8), p(3, 0, 12, 24, 4), p(4, 12, 0, 12, 4)], 1);
  assert.deepEqual(out.map((q) => [q.id, q.grid.y]), [[1, 1], [2, 5], [3, 13], [4, 0]]);
  // nothing overlaps: nothing moves
  assert.deepEqual(pushDown([p(1, 0, 0, 6, 4), p(2, 6, 0, 6, 4)], 1).map((q) => q.grid.y), [0, 0]);
});
