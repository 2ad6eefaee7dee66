// Prometheus alert templates: $labels/$value/.Labels/.Value, pipelines, if/else, variables, the humanize family
// with Prometheus' documented outputs, and the errors (syntax, unknown function, unsupported query function).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileAlertTemplate, expandAlertTemplate, AlertTemplateError } from '../../src/rules/alert-template.ts';
import { humanize, humanize1024, humanizeDuration, humanizePercentage, humanizeTimestamp } from '../../src/rules/humanize.ts';

const data = { labels: { service: 'payment', instance: 'db-1.example.com:9187' }, value: 0.07342 };
const x = (t: string) => expandAlertTemplate(t, 'summary', data);

test('labels and value, as variables and as fields of the dot', () => {
  assert.equal(x('{{ $labels.service }} errors at {{ $value }}'), 'payment errors at 0.07342');
  assert.equal(x('{{ .Labels.service }}={{ .Value }}'), 'payment=0.07342');
  assert.equal(x('[{{ $labels.missing }}]'), '[]', 'a missing label reads as empty (missingkey=zero)');
  assert.equal(x('{{ index $labels "service" }}'), 'payment');
  assert.equal(x('no actions here'), 'no actions here');
});

test('pipelines, functions and control flow', () => {
  assert.equal(x('{{ $value | humanizePercentage }}'), '7.342%');
  assert.equal(x('{{ printf "%.1f" $value }} {{ $value | printf "%.3f" }}'), '0.1 0.073');
  assert.equal(x('{{ $labels.service | toUpper }} {{ title "payment service" }} {{ toLower "ABC" }}'), 'PAYMENT Payment Service abc');
  assert.equal(x('{{ $labels.instance | stripPort }} {{ $labels.instance | stripDomain }}'), 'db-1.example.com db-1:9187');
  assert.equal(x('{{ reReplaceAll "^([a-z]+)-.*" "$1" $labels.instance }}'), 'db');
  assert.equal(x('{{ if gt $value 0.05 }}high{{ else }}low{{ end }}'), 'high');
  assert.equal(x('{{ if eq $labels.service "auth" }}a{{ else if eq $labels.service "payment" }}p{{ else }}z{{ end }}'), 'p');
  assert.equal(x('{{ if match "^pay" $labels.service }}yes{{ end }}'), 'yes');
  assert.equal(x('{{ $v := humanize 1234 }}[{{ $v }}]'), '[1.234k]');
  assert.equal(x('{{ with $labels.service }}{{ . }}!{{ end }}'), 'payment!');
  assert.equal(x('a  {{- " b " -}}  c'), 'a b c');
  assert.equal(x('{{/* a comment */}}ok'), 'ok');
});

test('errors: at check time (compile) and at expansion (as Prometheus shows them)', () => {
  assert.throws(() => compileAlertTemplate('{{ nope $value }}', 'summary'), (e: unknown) => e instanceof AlertTemplateError && e.message === 'template: summary:1:4: function "nope" not defined');
  assert.throws(() => compileAlertTemplate('{{ query "up" }}', 'd'), /function "query" is not available/);
  assert.throws(() => compileAlertTemplate('x\n{{ $nope }}', 'd'), /template: d:2:4: undefined variable "\$nope"/);
  assert.throws(() => compileAlertTemplate('{{ if $value }}x', 'd'), /if without end/);
  assert.throws(() => compileAlertTemplate('{{ "unterminated }}', 'd'), /unterminated quoted string/);
  assert.match(x('{{ humanize "abc" }}'), /^<error expanding template: template: summary: error executing: humanize: cannot convert abc to a number>$/);
});

test('humanize family, per Prometheus template reference', () => {
  assert.equal(humanize(0), '0');
  assert.equal(humanize(1234567), '1.235M');
  assert.equal(humanize(0.0123), '12.3m');
  assert.equal(humanize(999), '999');
  assert.equal(humanize(-2500), '-2.5k');
  assert.equal(humanize(Infinity), '+Inf');
  assert.equal(humanize1024(1048576), '1Mi');
  assert.equal(humanize1024(512), '512');
  assert.equal(humanize1024(0.5), '0.5');
  assert.equal(humanizeDuration(0), '0s');
  assert.equal(humanizeDuration(1.5), '1.5s');
  assert.equal(humanizeDuration(65), '1m 5s');
  assert.equal(humanizeDuration(3723), '1h 2m 3s');
  assert.equal(humanizeDuration(90061), '1d 1h 1m 1s');
  assert.equal(humanizeDuration(0.25), '250ms');
  assert.equal(humanizeDuration(-65), '-1m 5s');
  assert.equal(humanizePercentage(0.0523), '5.23%');
  assert.equal(humanizePercentage(1), '100%');
  assert.equal(humanizeTimestamp(1435781451.781), '2015-07-01 20:10:51.781 +0000 UTC');
});
