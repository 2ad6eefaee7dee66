// Test helpers for pipelines: build a runner from YAML text, and make events tersely.

import type { FieldValue, PipelineEvent } from '../../src/pipeline/event.ts';
import { parsePipelines } from '../../src/pipeline/pipeline-config.ts';
import { PipelineRunner, type RunnerOptions } from '../../src/pipeline/runner.ts';

export function runnerFor(yaml: string, options: RunnerOptions = {}): PipelineRunner {
  return new PipelineRunner(parsePipelines(yaml, 'test.yaml'), { warn: () => {}, ...options });
}

/** The error a YAML document fails to load with. */
export function loadError(yaml: string): string {
  try {
    parsePipelines(yaml, 'test.yaml').pipelines.length;
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected the document to be refused');
}

let nextTs = 1_700_000_000_000_000_000n;

export function ev(line: string, labels: Record<string, string> = {}, fields: Record<string, FieldValue> = {}, tenant = 'default'): PipelineEvent {
  return { tenant, ts: nextTs++, line, labels: { ...labels }, fields: { ...fields } };
}

export const linesOf = (events: PipelineEvent[]): string[] => events.map((e) => e.line);
