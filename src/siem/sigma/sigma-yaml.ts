// Reads Sigma YAML (one or more `---` documents) into plain position-aware nodes. Sigma files are read here rather than
// through ConfigNode because they are multi-document and matching needs each scalar's source text and quoting
// (`EventID: 0755` must stay "0755", `field: null` is null while `field: 'null'` is a string).

import { isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';

interface Base {
  /** 1-based line in the file */
  line: number;
}
export interface SigmaMap extends Base {
  kind: 'map';
  entries: { key: string; keyLine: number; value: SigmaNode }[];
}
export interface SigmaSeq extends Base {
  kind: 'seq';
  items: SigmaNode[];
}
export interface SigmaScalar extends Base {
  kind: 'scalar';
  /** the value YAML 1.2 gives it (numbers, booleans, null), or the string */
  value: string | number | boolean | null;
  /** the text as written, without quotes (e.g. `0755`, `1.10`) */
  source: string;
  /** false when quoted or a block scalar: never null, boolean or number in Sigma's eyes then */
  plain: boolean;
}
export type SigmaNode = SigmaMap | SigmaSeq | SigmaScalar;

/** A problem in a rule file, with where it is: `file:line: message`. */
export class SigmaError extends Error {
  /** the rule's title, when the document got that far */
  rule: string | undefined;
  constructor(message: string, readonly file: string, readonly line: number | undefined) {
    super(`${file}${line ? ':' + line : ''}: ${message}`);
    this.name = 'SigmaError';
  }
  /** the message without the place */
  get reason(): string {
    return this.message.slice(this.message.indexOf(': ') + 2);
  }
}

export interface SigmaDocument {
  file: string;
  /** 0-based document index in the file */
  index: number;
  root: SigmaNode;
}

/** Splits a file into documents; a YAML syntax error fails the whole file (its documents cannot be trusted). */
export function readSigmaDocuments(text: string, file: string): SigmaDocument[] {
  const lines = new LineCounter();
  // an empty file is an empty stream (an array too)
  const list: Document[] = [...parseAllDocuments(text, { lineCounter: lines, uniqueKeys: true })];
  const out: SigmaDocument[] = [];
  for (let i = 0; i < list.length; i++) {
    const doc = list[i]!;
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!;
      throw new SigmaError(`invalid YAML: ${e.message.split('\n')[0]}`, file, e.linePos?.[0]?.line);
    }
    if (doc.contents === null) continue;
    out.push({ file, index: i, root: convert(doc, doc.contents as Node, lines, file, 0) });
  }
  return out;
}

function lineOf(node: Node | null | undefined, lines: LineCounter): number {
  const start = node?.range?.[0];
  return start === undefined ? 0 : lines.linePos(start).line;
}

function convert(doc: Document, node: Node | null, lines: LineCounter, file: string, depth: number): SigmaNode {
  if (depth > 64) throw new SigmaError('YAML nested too deeply', file, lineOf(node, lines));
  if (node === null) return { kind: 'scalar', value: null, source: '', plain: true, line: 0 };
  if (isAlias(node)) return convert(doc, node.resolve(doc) as Node, lines, file, depth + 1);
  const line = lineOf(node, lines);
  if (isMap(node)) {
    const entries: SigmaMap['entries'] = [];
    for (const pair of node.items) {
      const k = pair.key as Node | null;
      const key = k !== null && isScalar(k) ? String(k.value) : String(k);
      entries.push({ key, keyLine: lineOf(k, lines) || line, value: convert(doc, (pair.value as Node | null) ?? null, lines, file, depth + 1) });
    }
    return { kind: 'map', entries, line };
  }
  if (isSeq(node)) return { kind: 'seq', items: node.items.map((n) => convert(doc, n as Node, lines, file, depth + 1)), line };
  if (isScalar(node)) {
    const v = node.value;
    const value = v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : String(v);
    const plain = node.type === 'PLAIN' || node.type === undefined;
    const source = typeof node.source === 'string' ? node.source : String(v ?? '');
    return { kind: 'scalar', value: plain ? value : String(value ?? ''), source, plain, line };
  }
  throw new SigmaError('unsupported YAML node', file, line);
}

/** The entry of a mapping by key, if present. */
export function mapGet(node: SigmaMap, key: string): SigmaNode | undefined {
  for (const e of node.entries) if (e.key === key) return e.value;
  return undefined;
}

export function isNull(node: SigmaNode | undefined): boolean {
  return node === undefined || (node.kind === 'scalar' && node.plain && node.value === null);
}

/** A scalar's text: a string as written, a number by its source text. */
export function scalarText(node: SigmaScalar): string {
  return typeof node.value === 'string' ? node.value : node.source;
}
