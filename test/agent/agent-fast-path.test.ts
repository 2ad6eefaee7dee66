// Which sources take the byte fast path: only UTF-8 file sources whose one sink is a sightline sink with a memory
// buffer, and no pipeline; every other combination keeps the event path.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Agent, type AgentPipeline } from '../../src/agent/agent.ts';
import { loadAgentConfig } from '../../src/agent/agent-config.ts';
import { tempDir } from '../integration/harness.ts';

const noPipeline = undefined;
const passThrough: AgentPipeline = { process: (e) => e, flush: () => [] };

function agentFor(t: { after: (fn: () => void) => void }, yaml: string, pipeline?: AgentPipeline): Agent {
  const dir = tempDir('sightline-fastpath-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'agent.yaml'), `data_dir: ./data\n${yaml}`);
  return new Agent(loadAgentConfig(path.join(dir, 'agent.yaml')), pipeline, () => {});
}

const SINK = 'out: {type: sightline, url: "http://127.0.0.1:9"}';

test('file → sightline, no pipeline: on; a pipeline, latin1, a disk buffer, another sink type: off', (t) => {
  const cases: [string, string, AgentPipeline | undefined, string[]][] = [
    ['plain', `sources:\n  a: {type: file, include: [x.log]}\nsinks:\n  ${SINK}\n`, noPipeline, ['a']],
    ['pipeline', `sources:\n  a: {type: file, include: [x.log]}\nsinks:\n  ${SINK}\n`, passThrough, []],
    ['latin1', `sources:\n  a: {type: file, include: [x.log], encoding: latin1}\nsinks:\n  ${SINK}\n`, noPipeline, []],
    ['disk', `sources:\n  a: {type: file, include: [x.log]}\nsinks:\n  out: {type: sightline, url: "http://127.0.0.1:9", buffer: {type: disk}}\n`, noPipeline, []],
    ['http', `sources:\n  a: {type: file, include: [x.log]}\nsinks:\n  out: {type: http, url: "http://127.0.0.1:9"}\n`, noPipeline, []],
    [
      'two sinks, inputs',
      `sources:\n  a: {type: file, include: [x.log]}\n  b: {type: file, include: [y.log]}\nsinks:\n  ${SINK}\n  more: {type: http, url: "http://127.0.0.1:9", inputs: [b]}\n`,
      noPipeline,
      ['a'],
    ],
    ['stdin', `sources:\n  a: {type: stdin}\nsinks:\n  ${SINK}\n`, noPipeline, []],
  ];
  for (const [name, yaml, pipeline, expected] of cases) assert.deepEqual(agentFor(t, yaml, pipeline).fastPathSources(), expected, name);
});
