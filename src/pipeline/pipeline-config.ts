// The pipelines file: named pipelines (in file order), each an optional `if` selector, an optional `final` flag and
// an ordered list of processors; plus optional `tests`. Loading validates everything and builds every processor,
// so a file that loads is a file that runs; errors name file:line, the key and what was expected.

import path from 'node:path';
import { ConfigNode } from '../config/config-node.ts';
import { readCondition, type Condition } from './expression/expression.ts';
import type { Processor } from './processor.ts';
import { PROCESSOR_TYPES } from './registry.ts';
import { parseTestCases, type PipelineTestCase } from './test-cases.ts';

export interface ProcessorSlot {
  /** unique within its pipeline: the entry's `name`, else its type (`drop`, then `drop_2`…) */
  name: string;
  type: string;
  condition?: Condition;
  processor: Processor;
  /** `file:line` of the entry, for messages */
  where: string;
}

export interface PipelineSpec {
  name: string;
  condition?: Condition;
  /** events that went through this pipeline skip the pipelines after it */
  final: boolean;
  processors: ProcessorSlot[];
}

export interface PipelinesConfig {
  file: string;
  pipelines: PipelineSpec[];
  tests: PipelineTestCase[];
}

const TOP_KEYS = ['pipelines', 'tests'];
const PIPELINE_KEYS = ['if', 'final', 'processors', 'description'];
const NAME = /^[A-Za-z0-9_.-]+$/;

export function loadPipelinesFile(file: string): PipelinesConfig {
  return buildPipelines(ConfigNode.read(file));
}

export function parsePipelines(text: string, file: string): PipelinesConfig {
  return buildPipelines(ConfigNode.parse(text, file));
}

/** Builds every pipeline (and its processors) of a document; on error, closes what was already built. */
export function buildPipelines(root: ConfigNode): PipelinesConfig {
  if (!root.exists) root.fail('the file is empty (expected a mapping with pipelines:)');
  root.onlyKeys(TOP_KEYS);
  const env = { configDir: path.dirname(path.resolve(root.file)) };
  const pipelines: PipelineSpec[] = [];
  try {
    const section = root.get('pipelines');
    if (section.exists) {
      for (const [name, node] of section.entries()) {
        if (!NAME.test(name)) section.get(name).fail('a pipeline name may use letters, digits, _ . and - only');
        node.onlyKeys(PIPELINE_KEYS);
        const spec: PipelineSpec = { name, condition: readCondition(node.get('if')), final: node.get('final').boolean(false), processors: [] };
        pipelines.push(spec);
        const list = node.get('processors');
        if (!list.exists) list.fail('is required (expected a list of processors)');
        const used = new Set<string>();
        for (const entry of list.items()) spec.processors.push(buildSlot(entry, env, used));
      }
    }
    return { file: root.file, pipelines, tests: parseTestCases(root.get('tests')) };
  } catch (err) {
    closePipelines(pipelines);
    throw err;
  }
}

function buildSlot(entry: ConfigNode, env: { configDir: string }, used: Set<string>): ProcessorSlot {
  if (!entry.isMap) entry.fail('expected a mapping with a type: key');
  const typeNode = entry.get('type');
  const type = typeNode.string();
  const kind = PROCESSOR_TYPES.get(type);
  if (!kind) {
    const known = [...PROCESSOR_TYPES.keys()].sort();
    return typeNode.fail(`unknown processor type ${JSON.stringify(type)} (known types: ${known.length > 0 ? known.join(', ') : 'none registered'})`);
  }
  const nameNode = entry.get('name');
  let name: string;
  if (nameNode.exists) {
    name = nameNode.string();
    if (!NAME.test(name)) nameNode.fail('a processor name may use letters, digits, _ . and - only');
    if (used.has(name)) nameNode.fail(`another processor of this pipeline is already named ${JSON.stringify(name)}`);
  } else {
    name = type;
    for (let n = 2; used.has(name); n++) name = `${type}_${n}`;
  }
  used.add(name);
  const condition = readCondition(entry.get('if'));
  // each type checks its own keys (and must accept COMMON_PROCESSOR_KEYS, which the runner handles)
  const processor = kind.build(entry, env);
  return { name, type, condition, processor, where: `${entry.file}:${entry.line ?? '?'}` };
}

export function closePipelines(pipelines: PipelineSpec[]): void {
  for (const p of pipelines) for (const s of p.processors) s.processor.close?.();
}
