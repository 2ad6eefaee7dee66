// `drop`: removes what matches its `if`, everything without one; its own keys are checked.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ev, linesOf, loadError, runnerFor } from '../pipeline-fixture.ts';

test('drops the events its if: matches and keeps the rest in order', () => {
  const runner = runnerFor(`
pipelines:
  web:
    processors:
      - type: drop
        if: 'line =~ "\\"GET /(health|ready)z? "'
`);
  const input = [
    '10.0.0.1 - - [01/May/2024:12:00:00 +0000] "GET /health HTTP/1.1" 200 2 "-" "kube-probe/1.29"',
    '10.0.0.2 - - [01/May/2024:12:00:01 +0000] "GET /api/orders HTTP/1.1" 200 512 "-" "curl/8.5"',
    '10.0.0.1 - - [01/May/2024:12:00:02 +0000] "GET /readyz HTTP/1.1" 200 2 "-" "kube-probe/1.29"',
    '10.0.0.3 - - [01/May/2024:12:00:03 +0000] "POST /health/report HTTP/1.1" 201 0 "-" "app"',
  ].map((l) => ev(l));
  assert.deepEqual(linesOf(runner.process(input, 0)), [input[1].line, input[3].line]);
});

test('without if: every event that reaches it', () => {
  assert.deepEqual(runnerFor('pipelines: {noise: {if: \'labels.service == "noise"\', processors: [{type: drop}]}}').process([ev('a', { service: 'noise' }), ev('b')], 0).map((e) => e.line), ['b']);
});

test('takes no keys of its own', () => {
  assert.equal(loadError('pipelines:\n  p:\n    processors:\n      - type: drop\n        when: x'), 'test.yaml:5: pipelines.p.processors[0].when: unknown key (expected one of type, name, if)');
});
