// Loading a pipelines file: every mistake is refused with file:line, the key's path and what was expected.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadPipelinesFile, parsePipelines } from '../../src/pipeline/pipeline-config.ts';
import { loadError } from './pipeline-fixture.ts';

test('a valid file: pipelines in order, processor names, conditions, tests', () => {
  const cfg = parsePipelines(
    `pipelines:
  web:
    if: 'labels.service == "nginx"'
    processors:
      - type: drop
        if: 'line =~ "health"'
      - type: drop
      - type: set
        name: tag
        fields: {a: 1}
  all:
    final: true
    processors: []
tests:
  - name: t
    input: {line: x}
    expect: {dropped: true}
`,
    'p.yaml',
  );
  assert.deepEqual(cfg.pipelines.map((p) => [p.name, p.final, p.condition?.source]), [
    ['web', false, 'labels.service == "nginx"'],
    ['all', true, undefined],
  ]);
  assert.deepEqual(cfg.pipelines[0].processors.map((s) => [s.name, s.type, s.where, s.condition?.source]), [
    ['drop', 'drop', 'p.yaml:5', 'line =~ "health"'],
    ['drop_2', 'drop', 'p.yaml:7', undefined],
    ['tag', 'set', 'p.yaml:8', undefined],
  ]);
  assert.deepEqual(cfg.tests.map((t) => [t.name, t.where, t.inputs.length, t.expect.length]), [['t', 'p.yaml:15', 1, 0]]);
});

test('mistakes are refused with file:line: path: what was expected', () => {
  const cases: [string, string | RegExp][] = [
    ['', 'test.yaml: the file is empty (expected a mapping with pipelines:)'],
    ['pipeline: {}', 'test.yaml:1: pipeline: unknown key (expected one of pipelines, tests)'],
    ['pipelines:\n  web:\n    processor: []', 'test.yaml:3: pipelines.web.processor: unknown key (expected one of if, final, processors, description)'],
    ['pipelines:\n  web:\n    if: "true"', 'test.yaml:3: pipelines.web.processors: is required (expected a list of processors)'],
    ['pipelines:\n  "we b":\n    processors: []', 'test.yaml:3: pipelines.we b: a pipeline name may use letters, digits, _ . and - only'],
    ['pipelines:\n  web:\n    processors: {type: drop}', 'test.yaml:3: pipelines.web.processors: expected a list, got a mapping'],
    ['pipelines:\n  web:\n    processors:\n      - drop', 'test.yaml:4: pipelines.web.processors[0]: expected a mapping with a type: key'],
    ['pipelines:\n  web:\n    processors:\n      - name: x', 'test.yaml:4: pipelines.web.processors[0].type: is required (expected a string)'],
    [
      'pipelines:\n  web:\n    processors:\n      - type: dorp',
      /^test\.yaml:4: pipelines\.web\.processors\[0\]\.type: unknown processor type "dorp" \(known types: .*\bdedupe\b.*\bdrop\b.*\bpromote\b.*\broute\b.*\)$/,
    ],
    ['pipelines:\n  web:\n    processors:\n      - type: drop\n        iff: x', 'test.yaml:5: pipelines.web.processors[0].iff: unknown key (expected one of type, name, if)'],
    ['pipelines:\n  web:\n    final: yes please\n    processors: []', 'test.yaml:3: pipelines.web.final: expected true or false, got "yes please"'],
    [
      'pipelines:\n  web:\n    processors:\n      - type: drop\n        if: \'fields.path =~ 5\'',
      'test.yaml:5: pipelines.web.processors[0].if: invalid expression: column 16: expected a regular expression in quotes after =~, got "5"\n  fields.path =~ 5\n                 ^',
    ],
    ['pipelines:\n  web:\n    if: \'labels.x == \'\n    processors: []', /^test\.yaml:3: pipelines\.web\.if: invalid expression: column 13: expected a value/],
    [
      'pipelines:\n  web:\n    processors:\n      - type: drop\n        name: a\n      - type: drop\n        name: a',
      'test.yaml:7: pipelines.web.processors[1].name: another processor of this pipeline is already named "a"',
    ],
    ['pipelines:\n  web:\n    processors:\n      - type: sample\n        rate: 0', 'test.yaml:5: pipelines.web.processors[0].rate: expected a number between 1 and 1000000000, got 0'],
    ['pipelines:\n  web:\n    processors:\n      - type: sample', 'test.yaml:4: pipelines.web.processors[0].rate: is required (expected a number)'],
    ['pipelines: {}\ntests:\n  - input: {line: x}', 'test.yaml:3: tests[0].expect: is required (expected {dropped: true}, an event, or a list of events)'],
    ['pipelines: {}\ntests:\n  - input: {line: x}\n    expect: {dropped: false}', 'test.yaml:4: tests[0].expect.dropped: only `dropped: true` is meaningful; to expect an event, describe it (line:, fields:, …)'],
    ['pipelines: {}\ntests:\n  - input: {lines: x}\n    expect: {dropped: true}', 'test.yaml:3: tests[0].input.lines: unknown key (expected one of tenant, ts, labels, line, fields)'],
    ['pipelines: {}\ntests:\n  - input: {line: x, ts: yesterday}\n    expect: {dropped: true}', 'test.yaml:3: tests[0].input.ts: expected an RFC 3339 time or nanoseconds since the epoch, got "yesterday"'],
    ['pipelines: {}\ntests:\n  - input: {line: x}\n    expect: {outputs: [stdout]}', 'test.yaml:4: tests[0].expect.outputs: unknown output "stdout" (expected one of store, archive, alert, drop)'],
    ['pipelines:\n  web:\n    processors: []\n  web:\n    processors: []', /^test\.yaml:4: invalid YAML: Map keys must be unique/],
  ];
  for (const [yaml, expected] of cases) {
    const message = loadError(yaml);
    if (typeof expected === 'string') assert.equal(message, expected, yaml);
    else assert.match(message, expected, yaml);
  }
});

test('a file that cannot be read names itself', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sightline-pipeline-config-'));
  try {
    assert.throws(() => loadPipelinesFile(path.join(dir, 'missing.yaml')), (err: Error) => err.message.startsWith(`${dir}/missing.yaml: cannot read config file: ENOENT`));
    const file = path.join(dir, 'p.yaml');
    writeFileSync(file, 'pipelines:\n  a:\n    processors:\n      - type: nope\n');
    assert.throws(() => loadPipelinesFile(file), (err: Error) => err.message.startsWith(`${file}:4: pipelines.a.processors[0].type: unknown processor type "nope"`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
