// Runs a pipelines file's test cases: each case on freshly built pipelines (so sampling counters and held events
// of one case never leak into the next), then compares what came out with what was expected and describes
// every difference (`event 1: fields.status: expected 200 (number), got "200" (string)`).

import type { FieldValue, PipelineEvent } from './event.ts';
import { DEFAULT_OUTPUTS } from './outputs.ts';
import type { PipelinesConfig } from './pipeline-config.ts';
import { PipelineRunner } from './runner.ts';
import { inputEvent, type ExpectedEvent, type PipelineTestCase } from './test-cases.ts';
import { nsToRfc3339 } from './time-text.ts';

export interface TestCaseResult {
  name: string;
  where: string;
  passed: boolean;
  /** one line per difference */
  problems: string[];
  /** the events that came out (dropped ones left out) */
  actual: PipelineEvent[];
  warnings: string[];
}

/** `build` gives fresh pipelines for each case; they are closed afterwards. */
export function runTestCases(cases: PipelineTestCase[], build: () => PipelinesConfig, nowMs = Date.now()): TestCaseResult[] {
  return cases.map((c) => {
    const warnings: string[] = [];
    const runner = new PipelineRunner(build(), { warn: (m) => warnings.push(m) });
    try {
      const events = c.inputs.map((i) => inputEvent(i, nowMs));
      const out = [...runner.process(events, nowMs), ...runner.flush(nowMs, true)].filter(isDelivered);
      const problems = compare(c.expect, out);
      return { name: c.name, where: c.where, passed: problems.length === 0, problems, actual: out, warnings };
    } finally {
      runner.close();
    }
  });
}

/** Goes to at least one output (not dropped by a route to `drop` or to no output). */
export function isDelivered(e: PipelineEvent): boolean {
  const outs = e.outputs;
  if (outs === undefined) return true;
  for (const o of outs) if (o !== 'drop') return true;
  return false;
}

function compare(expected: ExpectedEvent[], actual: PipelineEvent[]): string[] {
  if (expected.length === 0) {
    return actual.length === 0 ? [] : [`expected every event to be dropped, got ${plural(actual.length, 'event')}`];
  }
  const problems: string[] = [];
  if (actual.length !== expected.length) {
    problems.push(`expected ${plural(expected.length, 'event')}, got ${actual.length === 0 ? 'none (all dropped)' : actual.length}`);
  }
  const n = Math.min(expected.length, actual.length);
  for (let i = 0; i < n; i++) {
    const prefix = expected.length > 1 || actual.length > 1 ? `event ${i + 1}: ` : '';
    for (const p of compareEvent(expected[i], actual[i])) problems.push(prefix + p);
  }
  return problems;
}

function compareEvent(want: ExpectedEvent, got: PipelineEvent): string[] {
  const out: string[] = [];
  if (want.line !== undefined && want.line !== got.line) out.push(`line: expected ${JSON.stringify(want.line)}, got ${JSON.stringify(got.line)}`);
  if (want.ts !== undefined && want.ts !== got.ts) out.push(`ts: expected ${nsToRfc3339(want.ts)}, got ${nsToRfc3339(got.ts)}`);
  if (want.labels) {
    for (const [k, v] of Object.entries(want.labels)) {
      const actual = Object.hasOwn(got.labels, k) ? got.labels[k] : undefined;
      if (v === null ? actual !== undefined : actual !== v) out.push(`labels.${k}: expected ${v === null ? 'no such label' : JSON.stringify(v)}, got ${actual === undefined ? 'no such label' : JSON.stringify(actual)}`);
    }
  }
  if (want.fields) {
    for (const [k, v] of Object.entries(want.fields)) {
      const present = Object.hasOwn(got.fields, k) && got.fields[k] !== null && got.fields[k] !== undefined;
      const actual = present ? got.fields[k] : null;
      if (v === null ? present : actual !== v) out.push(`fields.${k}: expected ${v === null ? 'no such field' : typed(v)}, got ${present ? typed(actual) : 'no such field'}`);
    }
  }
  if (want.outputs !== undefined) {
    const actual = got.outputs ?? DEFAULT_OUTPUTS;
    if (want.outputs.join(',') !== actual.join(',')) out.push(`outputs: expected [${want.outputs.join(', ')}], got [${actual.join(', ')}]`);
  }
  if (want.error !== undefined) {
    const actual = got.error ?? null;
    if (want.error !== actual) out.push(`error: expected ${want.error === null ? 'none' : JSON.stringify(want.error)}, got ${actual === null ? 'none' : JSON.stringify(actual) + (got.errorDetails ? ` (${got.errorDetails})` : '')}`);
  }
  return out;
}

function typed(v: FieldValue): string {
  if (v === null) return 'null';
  return typeof v === 'string' ? `${JSON.stringify(v)} (string)` : `${String(v)} (${typeof v})`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
