// Rule files: a valid file in the Loki/Prometheus ruler format, every kind of error reported with its file:line
// (LogQL parse errors pointing into block scalars), single groups as the ruler API receives them, durations, and
// rendering back to YAML that parses to the same groups.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRuleFile, parseRuleGroup, formatRuleErrors } from '../../src/rules/rule-file.ts';
import { renderRuleFile } from '../../src/rules/rule-namespaces.ts';
import { formatPromDuration, parsePromDuration } from '../../src/rules/prom-duration.ts';

const VALID = `groups:
  - name: service-errors
    interval: 30s
    limit: 10
    rules:
      - alert: HighErrorRate
        expr: |
          sum by (service) (count_over_time({level="error"}[5m]))
            / sum by (service) (count_over_time({service=~".+"}[5m])) > 0.05
        for: 1m
        keep_firing_for: 2m
        labels:
          severity: warning
        annotations:
          summary: "{{ $labels.service }}: {{ $value | humanizePercentage }}"
      - record: service:errors:rate1m
        expr: sum by (service) (rate({level="error"}[1m]))
        labels:
          source: logs
  - name: other
    rules: []
`;

test('a valid rule file', () => {
  const { groups, errors } = parseRuleFile(VALID, 'rules.yaml');
  assert.deepEqual(errors, []);
  assert.equal(groups.length, 2);
  const [g] = groups;
  assert.equal(g.name, 'service-errors');
  assert.equal(g.intervalMs, 30_000);
  assert.equal(g.limit, 10);
  assert.equal(g.line, 2);
  const [alert, record] = g.rules;
  assert.equal(alert.kind, 'alert');
  if (alert.kind !== 'alert') return;
  assert.equal(alert.name, 'HighErrorRate');
  assert.equal(alert.forMs, 60_000);
  assert.equal(alert.keepFiringForMs, 120_000);
  assert.deepEqual(alert.labels, { severity: 'warning' });
  assert.equal(alert.ast.kind, 'binary');
  assert.equal(alert.line, 6);
  assert.equal(record.kind, 'record');
  assert.equal(record.name, 'service:errors:rate1m');
  assert.deepEqual(record.labels, { source: 'logs' });
  assert.equal(groups[1].intervalMs, 0, 'no interval = the default');
});

test('every problem is reported with file:line and why, in line order', () => {
  const text = `groups:
  - name: g
    interval: soon
    rules:
      - alert: A
        expr: |
          sum(rate({app="x"}[5m]))
            >>> 3
        for: 5x
        labels:
          __name__: x
        annotations:
          summary: "{{ nope }}"
      - record: "bad name"
        expr: '{app="x"}'
        for: 1m
      - alert: B
        record: c
        expr: sum(rate({a="b"}[1m]))
      - expr: sum(rate({a="b"}[1m]))
      - alert: D
        expr: ""
        severity: high
  - name: g
    rules:
      - alert: E
        expr: count_over_time({a="b"}[1m]) > 0
`;
  const { groups, errors } = parseRuleFile(text, 'r.yaml');
  assert.equal(groups.length, 0, 'a file with errors loads nothing');
  assert.deepEqual(formatRuleErrors(errors).trimEnd().split('\n'), [
    'r.yaml:3: groups[0].interval: expected a duration like 30s, 5m or 1h30m, got "soon"',
    'r.yaml:8: groups[0].rules[0].expr: parse error at line 2, col 4: syntax error: unexpected >, expecting {, (, NUMBER or function name',
    'r.yaml:9: groups[0].rules[0].for: expected a duration like 30s, 5m or 1h30m, got "5x"',
    'r.yaml:11: groups[0].rules[0].labels.__name__: the label __name__ cannot be set by a rule',
    'r.yaml:13: groups[0].rules[0].annotations.summary: template: summary:1:4: function "nope" not defined',
    'r.yaml:14: groups[0].rules[1].record: invalid recording rule name "bad name" (expected a metric name, [a-zA-Z_:][a-zA-Z0-9_:]*)',
    'r.yaml:15: groups[0].rules[1].expr: a log query cannot be a rule: expected a metric query such as sum by (service) (count_over_time({...}[5m])) > 10',
    "r.yaml:16: groups[0].rules[1].for: invalid field 'for' in recording rule",
    "r.yaml:17: groups[0].rules[2]: only one of 'record' and 'alert' must be set",
    "r.yaml:20: groups[0].rules[3]: one of 'record' or 'alert' must be set",
    "r.yaml:22: groups[0].rules[4].expr: is required: field 'expr' must be set in rule",
    'r.yaml:23: groups[0].rules[4].severity: unknown key (expected one of alert, record, expr, for, keep_firing_for, labels, annotations)',
    'r.yaml:24: groups[1].name: groupname: "g" is repeated in the same file (first at line 2)',
  ]);
});

test('YAML syntax errors and wrong shapes', () => {
  assert.match(parseRuleFile('groups:\n  - name: [x\n', 'y.yaml').errors[0].message, /^y\.yaml:\d+: invalid YAML/);
  assert.equal(parseRuleFile('rules: []\n', 'y.yaml').errors[0].message, 'y.yaml:1: rules: unknown key (expected one of groups)');
  assert.equal(parseRuleFile('groups:\n  - just a string\n', 'y.yaml').errors[0].message, 'y.yaml:2: groups[0]: expected a rule group (a mapping with name and rules)');
  assert.deepEqual(parseRuleFile('', 'empty.yaml'), { groups: [], errors: [] });
});

test('a single group, as the ruler API receives it', () => {
  const ok = parseRuleGroup('name: g\ninterval: 1m\nrules:\n  - alert: A\n    expr: count_over_time({a="b"}[1m]) > 1\n', 'request body');
  assert.equal(ok.group?.name, 'g');
  assert.equal(parseRuleGroup('name: g\nrules: []\n', 'request body').errors[0].message, 'request body:2: rules: rule group "g" has no rules');
  assert.equal(parseRuleGroup('', 'request body').errors[0].message, 'request body: expected a rule group (a mapping with name and rules), got nothing');
});

test('rendered back to YAML, groups parse to the same thing', () => {
  const { groups } = parseRuleFile(VALID, 'rules.yaml');
  const again = parseRuleFile(renderRuleFile(groups), 'again.yaml');
  assert.deepEqual(again.errors, []);
  const strip = (gs: typeof groups) => JSON.parse(JSON.stringify(gs, (k, v) => (k === 'line' || k === 'ast' ? undefined : v)));
  assert.deepEqual(strip(again.groups), strip(groups));
});

test('Prometheus durations', () => {
  assert.equal(parsePromDuration('1h30m'), 5_400_000);
  assert.equal(parsePromDuration('0'), 0);
  assert.equal(parsePromDuration('500ms'), 500);
  assert.equal(parsePromDuration('2d'), 172_800_000);
  assert.equal(parsePromDuration('1.5h'), undefined);
  assert.equal(parsePromDuration('30m1h'), undefined, 'units go from largest to smallest');
  assert.equal(parsePromDuration('5'), undefined);
  assert.equal(formatPromDuration(0), '0s');
  assert.equal(formatPromDuration(5_400_000), '1h30m');
  assert.equal(formatPromDuration(90 * 86_400_000), '90d');
  assert.equal(formatPromDuration(14 * 86_400_000), '2w');
  assert.equal(formatPromDuration(61_500), '1m1s500ms');
});
