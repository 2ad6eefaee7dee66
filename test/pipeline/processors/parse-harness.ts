// Shared helpers for the parse/normalize processor tests: build a processor from a YAML entry (as a pipelines file
// holds it), make events, run batches, and read Loghub sample files (../shared/data/loghub, see its README and
// LICENSE; https://github.com/logpai/loghub) at test time.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigNode, ConfigError } from '../../../src/config/config-node.ts';
import type { FieldValue, PipelineEvent } from '../../../src/pipeline/event.ts';
import type { Processor, ProcessorContext } from '../../../src/pipeline/processor.ts';
import { PROCESSOR_TYPES } from '../../../src/pipeline/registry.ts';

/** 2024-03-15T12:00:00Z: the test clock */
export const NOW_MS = Date.UTC(2024, 2, 15, 12, 0, 0);

export function build(yaml: string, configDir = process.cwd()): Processor {
  const node = ConfigNode.parse(yaml, 'test.yaml');
  const type = PROCESSOR_TYPES.get(node.get('type').string());
  if (!type) throw new Error(`no processor type in ${yaml}`);
  return type.build(node, { configDir });
}

/** The message of the config error building `yaml` throws. */
export function buildError(yaml: string): string {
  try {
    build(yaml);
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  throw new Error('expected a config error');
}

export function ev(line: string, fields: Record<string, FieldValue> = {}, labels: Record<string, string> = { app: 'test' }): PipelineEvent {
  return { tenant: 'default', ts: 1n, line, labels, fields: { ...fields } };
}

export function ctx(nowMs = NOW_MS): ProcessorContext & { warnings: string[] } {
  const warnings: string[] = [];
  return { nowMs, warn: (m: string) => warnings.push(m), warnings };
}

/** Runs lines (or events) through a processor as one batch. */
export function run(p: Processor, input: (string | PipelineEvent)[], nowMs = NOW_MS): PipelineEvent[] {
  return p.process(input.map((x) => (typeof x === 'string' ? ev(x) : x)), ctx(nowMs));
}

export function one(p: Processor, line: string | PipelineEvent): PipelineEvent {
  const out = run(p, [line]);
  if (out.length !== 1) throw new Error(`expected one event, got ${out.length}`);
  return out[0];
}

const LOGHUB = join(fileURLToPath(new URL('.', import.meta.url)), '../../../../shared/data/loghub');

export function loghubLines(system: string): string[] {
  return readFileSync(join(LOGHUB, system, `${system}_2k.log`), 'utf8').split(/\r?\n/).filter((l) => l.length > 0);
}

/** Raw lines of the `_structured.csv` Loghub ships beside each sample (header first). */
export function loghubStructuredLines(system: string): string[] {
  return readFileSync(join(LOGHUB, system, `${system}_2k.log_structured.csv`), 'utf8').split(/\r?\n/).filter((l) => l.length > 0);
}
