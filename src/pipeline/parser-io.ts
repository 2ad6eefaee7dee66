// Where a parse processor reads its input and writes what it extracts: `source` (the line by default, or a field),
// `prefix` (put before every extracted name) and `keep_source`; and how a failure marks the event (LogQL's
// `__error__` model: the event is kept, the first error wins, details say what and where).

import type { ConfigNode } from '../config/config-node.ts';
import type { FieldValue, PipelineEvent } from './event.ts';
import { fieldsWithout } from './field-removal.ts';

/** Config keys every parser accepts (beside the common processor keys and its own). */
export const PARSER_KEYS = ['source', 'prefix', 'keep_source'] as const;

export interface ParserIO {
  /** field to parse; undefined = the line */
  source: string | undefined;
  prefix: string;
  /** false: remove the source field (or empty the line) once it parsed */
  keepSource: boolean;
}

export function readParserIO(node: ConfigNode): ParserIO {
  const source = node.get('source').optionalString();
  if (source === '') node.get('source').fail('expected a field name (leave `source` out to parse the line)');
  return { source, prefix: node.get('prefix').string(''), keepSource: node.get('keep_source').boolean(true) };
}

/** The text to parse, or undefined when the source field is absent or null (the parser then leaves the event alone). */
export function sourceText(ev: PipelineEvent, io: ParserIO): string | undefined {
  if (io.source === undefined) return ev.line;
  const v: FieldValue | undefined = ev.fields[io.source];
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : String(v);
}

/** After a successful parse: drops the source when `keep_source: false`. */
export function consumeSource(ev: PipelineEvent, io: ParserIO): void {
  if (io.keepSource) return;
  if (io.source === undefined) ev.line = '';
  else ev.fields = fieldsWithout(ev.fields, [io.source], 1);
}

/** Marks a failed event; an earlier error is kept, since it is usually the cause of this one. */
export function markError(ev: PipelineEvent, code: string, details: string): void {
  if (ev.error !== undefined) return;
  ev.error = code;
  ev.errorDetails = details;
}

/** `at offset N` followed by a short quote of the text there, for error details. */
export function describeOffset(text: string, offset: number): string {
  const near = text.slice(offset, offset + 16);
  return `at offset ${offset}${near ? ` near ${JSON.stringify(near)}` : ' (end of input)'}`;
}
