// The `tests:` section of a pipelines file: each case gives input events and what should come out (or that
// nothing should), like Vector's unit tests. Parsed and checked at load; run by `sightline pipeline test`.

import type { ConfigNode } from '../config/config-node.ts';
import { parseTimestampNs } from '../ingest/timestamp.ts';
import type { FieldValue, PipelineEvent } from './event.ts';
import { KNOWN_OUTPUTS } from './outputs.ts';

export interface TestInput {
  tenant: string;
  /** undefined: the time the test runs */
  ts?: bigint;
  labels: Record<string, string>;
  line: string;
  fields: Record<string, FieldValue>;
}

/** What one output event must look like; absent parts are not checked. null in labels/fields means "absent". */
export interface ExpectedEvent {
  line?: string;
  ts?: bigint;
  labels?: Record<string, string | null>;
  fields?: Record<string, FieldValue>;
  outputs?: string[];
  /** null: no error */
  error?: string | null;
}

export interface PipelineTestCase {
  name: string;
  /** file:line of the case */
  where: string;
  inputs: TestInput[];
  /** the events that must come out, in order ([] = everything dropped) */
  expect: ExpectedEvent[];
}

const CASE_KEYS = ['name', 'input', 'expect'];
const INPUT_KEYS = ['tenant', 'ts', 'labels', 'line', 'fields'];
const EXPECT_KEYS = ['dropped', 'line', 'ts', 'labels', 'fields', 'outputs', 'error'];

export function parseTestCases(node: ConfigNode): PipelineTestCase[] {
  if (!node.exists) return [];
  return node.items().map((c, i) => {
    c.onlyKeys(CASE_KEYS);
    const input = c.get('input');
    if (!input.exists) input.fail('is required (expected an event, or a list of events, with line:, labels:, fields:)');
    const expect = c.get('expect');
    if (!expect.exists) expect.fail('is required (expected {dropped: true}, an event, or a list of events)');
    return {
      name: c.get('name').string(`test ${i + 1}`),
      where: `${c.file}:${c.line ?? '?'}`,
      inputs: input.isList ? input.items().map(parseInput) : [parseInput(input)],
      expect: expect.isList ? expect.items().map(parseExpected) : parseSingleExpectation(expect),
    };
  });
}

function scalar(node: ConfigNode): FieldValue {
  const v = node.value;
  if (v === null || v === undefined || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v ?? null;
  node.fail('expected a string, number, true, false or null');
}

function timestamp(node: ConfigNode): bigint {
  const ns = parseTimestampNs(node.value);
  if (ns === undefined) node.fail(`expected an RFC 3339 time or nanoseconds since the epoch, got ${JSON.stringify(node.value)}`);
  return ns;
}

function parseInput(node: ConfigNode): TestInput {
  node.onlyKeys(INPUT_KEYS);
  const fields: Record<string, FieldValue> = {};
  const f = node.get('fields');
  if (f.exists) for (const [k, v] of f.entries()) fields[k] = scalar(v);
  const ts = node.get('ts');
  return {
    tenant: node.get('tenant').string('default'),
    ts: ts.exists ? timestamp(ts) : undefined,
    labels: node.get('labels').stringMap({}),
    line: node.get('line').string(''),
    fields,
  };
}

function parseSingleExpectation(node: ConfigNode): ExpectedEvent[] {
  const dropped = node.get('dropped');
  if (dropped.exists) {
    if (!dropped.boolean()) dropped.fail('only `dropped: true` is meaningful; to expect an event, describe it (line:, fields:, …)');
    if (node.keys().length > 1) node.fail('`dropped: true` cannot be combined with other expectations');
    return [];
  }
  return [parseExpected(node)];
}

function parseExpected(node: ConfigNode): ExpectedEvent {
  node.onlyKeys(EXPECT_KEYS);
  if (node.get('dropped').exists) node.get('dropped').fail('`dropped` belongs in a single expectation, not in a list of events');
  const out: ExpectedEvent = {};
  const line = node.get('line');
  if (line.exists) out.line = line.string();
  const ts = node.get('ts');
  if (ts.exists) out.ts = timestamp(ts);
  const labels = node.get('labels');
  if (labels.exists) {
    out.labels = {};
    for (const [k, v] of labels.entries()) out.labels[k] = v.exists ? v.string() : null;
  }
  const fields = node.get('fields');
  if (fields.exists) {
    out.fields = {};
    for (const [k, v] of fields.entries()) out.fields[k] = scalar(v);
  }
  const outputs = node.get('outputs');
  if (outputs.exists) {
    out.outputs = outputs.stringList();
    for (const o of out.outputs) {
      if (!(KNOWN_OUTPUTS as readonly string[]).includes(o)) outputs.fail(`unknown output ${JSON.stringify(o)} (expected one of ${KNOWN_OUTPUTS.join(', ')})`);
    }
  }
  const error = node.get('error');
  if (node.keys().includes('error')) out.error = error.exists ? error.string() : null;
  return out;
}

/** A test input as a fresh event (the time defaults to `nowMs`). */
export function inputEvent(input: TestInput, nowMs: number): PipelineEvent {
  return { tenant: input.tenant, ts: input.ts ?? BigInt(nowMs) * 1_000_000n, labels: { ...input.labels }, line: input.line, fields: { ...input.fields } };
}
