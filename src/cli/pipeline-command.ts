// `sightline pipeline`: `test` runs a pipelines file's own test cases, or runs it over an input file and shows
// each event before and after (or prints surviving events as JSON); `processors` lists the processor types.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError } from '../config/config-node.ts';
import { parseTimestampNs } from '../ingest/timestamp.ts';
import type { FieldValue, PipelineEvent } from '../pipeline/event.ts';
import { eventToJsonObject, eventToText } from '../pipeline/event-text.ts';
import { closePipelines, loadPipelinesFile } from '../pipeline/pipeline-config.ts';
import { PROCESSOR_TYPES } from '../pipeline/registry.ts';
import { PipelineRunner } from '../pipeline/runner.ts';
import { isDelivered, runTestCases } from '../pipeline/test-case-runner.ts';

const HELP = `sightline pipeline: check and try pipelines files (docs/pipeline.md)

  sightline pipeline test --config FILE
      Loads the file (every error as file:line: key: what was expected) and runs its tests: section,
      printing PASS or FAIL per case with the differences. Exit 1 if a test fails, 2 if the file is invalid.

  sightline pipeline test --config FILE --input FILE [--label k=v...] [--tenant T] [--output text|json]
      Runs the pipelines over FILE ('-' for standard input). Each line is raw text (given the --label labels)
      or a JSON record {"ts", "labels", "line", "metadata", "tenant"}.
      --output text (default) shows each event before and after; --output json prints one JSON object per
      surviving event: {"ts", "labels", "line", "fields", "outputs"} (plus "error", "error_details").

  sightline pipeline processors
      Lists the processor types with a description of each.
`;

export async function pipelineCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  try {
    switch (sub) {
      case 'test':
        return testCommand(rest);
      case 'processors':
        return listProcessors();
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(HELP);
        return sub === undefined ? 2 : 0;
      default:
        process.stderr.write(`sightline pipeline: unknown subcommand "${sub}"\n\n${HELP}`);
        return 2;
    }
  } catch (err) {
    if (err instanceof ConfigError || err instanceof UsageError) {
      process.stderr.write(`sightline pipeline: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

class UsageError extends Error {}

function listProcessors(): number {
  const types = [...PROCESSOR_TYPES.values()].sort((a, b) => a.type.localeCompare(b.type));
  const width = Math.max(...types.map((t) => t.type.length), 4);
  for (const t of types) process.stdout.write(`${t.type.padEnd(width)}  ${t.description}\n`);
  return 0;
}

function testCommand(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      config: { type: 'string' },
      input: { type: 'string' },
      output: { type: 'string' },
      label: { type: 'string', multiple: true },
      tenant: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (!values.config) throw new UsageError('test needs --config FILE');
  const output = values.output ?? 'text';
  if (output !== 'text' && output !== 'json') throw new UsageError(`--output: expected text or json, got "${output}"`);
  const file = values.config;
  const config = loadPipelinesFile(file);
  if (values.input === undefined) {
    // the cases run on pipelines built afresh for each; this load only validated the file
    closePipelines(config.pipelines);
    if (config.tests.length === 0) {
      const processors = config.pipelines.reduce((n, p) => n + p.processors.length, 0);
      process.stdout.write(`${file}: valid (${config.pipelines.length} pipelines, ${processors} processors); it has no tests: section, and no --input was given\n`);
      return 0;
    }
    const results = runTestCases(config.tests, () => loadPipelinesFile(file));
    let failed = 0;
    for (const r of results) {
      if (r.passed) process.stdout.write(`PASS ${r.name}\n`);
      else {
        failed++;
        process.stdout.write(`FAIL ${r.name} (${r.where})\n`);
        for (const p of r.problems) process.stdout.write(`  ${p}\n`);
        for (const e of r.actual) process.stdout.write(`  got: ${JSON.stringify(eventToJsonObject(e))}\n`);
      }
      for (const w of r.warnings) process.stdout.write(`  warning: ${w}\n`);
    }
    process.stdout.write(`${results.length} tests: ${results.length - failed} passed, ${failed} failed\n`);
    return failed > 0 ? 1 : 0;
  }
  const labels: Record<string, string> = {};
  for (const l of values.label ?? []) {
    const eq = l.indexOf('=');
    if (eq <= 0) throw new UsageError(`--label: expected name=value, got "${l}"`);
    labels[l.slice(0, eq)] = l.slice(eq + 1);
  }
  const text = values.input === '-' ? readFileSync(0, 'utf8') : readInput(values.input);
  const events = parseInput(text, values.input, labels, values.tenant ?? 'default');
  const runner = new PipelineRunner(config, { warn: (m) => process.stderr.write(`warning: ${m}\n`) });
  try {
    if (output === 'json') runJson(runner, events);
    else runText(runner, events);
  } finally {
    runner.close();
  }
  return 0;
}

function readInput(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`--input: cannot read ${file}: ${(e as Error).message}`);
  }
}

/** Raw text lines, or JSON records `{ts, labels, line, metadata, tenant}`, told apart line by line. */
export function parseInput(text: string, file: string, labels: Record<string, string>, tenant: string): PipelineEvent[] {
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const events: PipelineEvent[] = [];
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].endsWith('\r') ? lines[i].slice(0, -1) : lines[i];
    const record = raw.trimStart().startsWith('{') ? asRecord(raw) : undefined;
    if (record === undefined) {
      // raw lines keep their order: one nanosecond apart
      events.push({ tenant, ts: nowNs + BigInt(i), labels: { ...labels }, line: raw, fields: {} });
      continue;
    }
    const where = `${file}:${i + 1}`;
    let ts = nowNs + BigInt(i);
    if (record.ts !== undefined) {
      const parsed = parseTimestampNs(record.ts);
      if (parsed === undefined) throw new UsageError(`${where}: ts: expected an RFC 3339 time or nanoseconds since the epoch, got ${JSON.stringify(record.ts)}`);
      ts = parsed;
    }
    const fields: Record<string, FieldValue> = {};
    for (const [k, v] of Object.entries(objectOf(record.metadata, `${where}: metadata`))) fields[k] = scalar(v, `${where}: metadata.${k}`);
    const recordLabels: Record<string, string> = { ...labels };
    for (const [k, v] of Object.entries(objectOf(record.labels, `${where}: labels`))) recordLabels[k] = String(scalar(v, `${where}: labels.${k}`));
    events.push({ tenant: typeof record.tenant === 'string' ? record.tenant : tenant, ts, labels: recordLabels, line: record.line as string, fields });
  }
  return events;
}

function asRecord(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && typeof (v as Record<string, unknown>).line === 'string') return v as Record<string, unknown>;
  } catch {
    // not JSON: a raw line that happens to start with {
  }
  return undefined;
}

function objectOf(v: unknown, where: string): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new UsageError(`${where}: expected an object`);
  return v as Record<string, unknown>;
}

function scalar(v: unknown, where: string): FieldValue {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  throw new UsageError(`${where}: expected a string, number, boolean or null`);
}

const JSON_BATCH = 1000;

function runJson(runner: PipelineRunner, events: PipelineEvent[]): void {
  const print = (out: PipelineEvent[]) => {
    let text = '';
    for (const e of out) if (isDelivered(e)) text += JSON.stringify(eventToJsonObject(e)) + '\n';
    if (text) process.stdout.write(text);
  };
  for (let i = 0; i < events.length; i += JSON_BATCH) print(runner.process(events.slice(i, i + JSON_BATCH), Date.now()));
  print(runner.flush(Date.now(), true));
}

/** Each event alone through the pipelines, so what comes out can be shown under what went in. */
function runText(runner: PipelineRunner, events: PipelineEvent[]): void {
  const nothing = runner.holdsEvents ? '(nothing out: dropped, or held until a later event or the end)' : 'dropped';
  const show = (out: PipelineEvent[]) => {
    let text = '';
    for (const e of out) {
      const [first, ...rest] = eventToText(e, '          ');
      text += `  ${isDelivered(e) ? 'out' : 'dropped (routed to no output)'}:  ${first}\n`;
      for (const r of rest) text += r + '\n';
    }
    process.stdout.write(text);
  };
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    process.stdout.write(`#${i + 1} in:   ${eventToText(e, '')[0]}\n`);
    const out = runner.process([e], Date.now());
    if (out.length === 0) process.stdout.write(`  ${nothing}\n`);
    else show(out);
  }
  const released = runner.flush(Date.now(), true);
  if (released.length > 0) {
    process.stdout.write(`end: released ${released.length} held event${released.length === 1 ? '' : 's'}\n`);
    show(released);
  }
}
