// A typed, position-aware view of a YAML config document. Every read names where it came from, so a bad value
// fails with `file:line: path.to.key: what was expected, got what`. Shared by every config file Sightline reads
// (server, pipelines, rules, agent).

import { readFileSync } from 'node:fs';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';

export class ConfigError extends Error {
  constructor(message: string, readonly file?: string, readonly line?: number) {
    super(message);
  }
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export class ConfigNode {
  private constructor(
    readonly file: string,
    /** dotted path from the document root, e.g. `pipelines.web.processors[2].pattern` ('' at the root) */
    readonly path: string,
    private readonly node: Node | null,
    private readonly lines: LineCounter,
    /** where an absent value is reported: its key, or the mapping that lacks it */
    private readonly anchor?: Node,
  ) {}

  /** Parses YAML text; syntax errors throw ConfigError with the line. */
  static parse(text: string, file: string): ConfigNode {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
    if (doc.errors.length > 0) {
      const err = doc.errors[0];
      const line = err.linePos?.[0]?.line;
      throw new ConfigError(`${file}${line ? ':' + line : ''}: invalid YAML: ${err.message.split('\n')[0]}`, file, line);
    }
    return new ConfigNode(file, '', (doc.contents as Node | null) ?? null, lines);
  }

  static read(file: string): ConfigNode {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new ConfigError(`${file}: cannot read config file: ${(e as Error).message}`, file);
    }
    return ConfigNode.parse(text, file);
  }

  /** 1-based line of this node (or of its parent key when the value is absent). */
  get line(): number | undefined {
    const start = (this.node ?? this.anchor)?.range?.[0];
    return start === undefined ? undefined : this.lines.linePos(start).line;
  }

  /** `file:line: path` */
  where(): string {
    const line = this.line;
    return `${this.file}${line ? ':' + line : ''}${this.path ? ': ' + this.path : ''}`;
  }

  fail(expected: string): never {
    throw new ConfigError(`${this.where()}: ${expected}`, this.file, this.line);
  }

  get exists(): boolean {
    return this.node !== null && !(isScalar(this.node) && this.node.value === null);
  }

  /** The plain JavaScript value (for free-form sections such as test inputs). */
  get value(): unknown {
    return this.node === null ? undefined : this.node.toJSON();
  }

  get isMap(): boolean {
    return isMap(this.node);
  }

  get isList(): boolean {
    return isSeq(this.node);
  }

  /** The keys of a mapping, in document order. */
  keys(): string[] {
    if (!isMap(this.node)) this.fail(`expected a mapping, got ${this.describe()}`);
    return this.node.items.map((pair) => String(isScalar(pair.key) ? pair.key.value : pair.key));
  }

  /** A child of a mapping; absent keys give a node whose `exists` is false (and whose line is the parent's). */
  get(key: string): ConfigNode {
    const childPath = this.path ? `${this.path}.${key}` : key;
    if (this.node === null || !this.exists) return new ConfigNode(this.file, childPath, null, this.lines, this.node ?? this.anchor);
    if (!isMap(this.node)) this.fail(`expected a mapping, got ${this.describe()}`);
    const pair = this.node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === key);
    const child = (pair?.value as Node | null | undefined) ?? null;
    return new ConfigNode(this.file, childPath, child, this.lines, (pair?.key as Node | undefined) ?? this.node);
  }

  /** The items of a list. */
  items(): ConfigNode[] {
    if (!isSeq(this.node)) this.fail(`expected a list, got ${this.describe()}`);
    return this.node.items.map((item, i) => new ConfigNode(this.file, `${this.path}[${i}]`, item as Node, this.lines));
  }

  /** The entries of a mapping as (key, node) pairs. */
  entries(): [string, ConfigNode][] {
    return this.keys().map((k) => [k, this.get(k)]);
  }

  /** Fails on keys outside `allowed`, listing what is allowed. */
  onlyKeys(allowed: readonly string[]): this {
    for (const key of this.keys()) {
      if (!allowed.includes(key)) this.get(key).fail(`unknown key (expected one of ${allowed.join(', ')})`);
    }
    return this;
  }

  string(fallback?: string): string {
    if (!this.exists) {
      if (fallback !== undefined) return fallback;
      this.fail('is required (expected a string)');
    }
    const v = this.value;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    this.fail(`expected a string, got ${this.describe()}`);
  }

  optionalString(): string | undefined {
    return this.exists ? this.string() : undefined;
  }

  number(fallback?: number, min = -Infinity, max = Infinity): number {
    if (!this.exists) {
      if (fallback !== undefined) return fallback;
      this.fail('is required (expected a number)');
    }
    const v = this.value;
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(`expected a number, got ${this.describe()}`);
    if (v < min || v > max) this.fail(`expected a number between ${min} and ${max}, got ${v}`);
    return v;
  }

  integer(fallback?: number, min = -Infinity, max = Infinity): number {
    const v = this.number(fallback, min, max);
    if (!Number.isInteger(v)) this.fail(`expected an integer, got ${v}`);
    return v;
  }

  boolean(fallback?: boolean): boolean {
    if (!this.exists) {
      if (fallback !== undefined) return fallback;
      this.fail('is required (expected true or false)');
    }
    const v = this.value;
    if (typeof v !== 'boolean') this.fail(`expected true or false, got ${this.describe()}`);
    return v;
  }

  /** A duration such as 500ms, 30s, 5m, 12h, 7d (a bare number means seconds), in milliseconds. */
  durationMs(fallback?: number): number {
    if (!this.exists) {
      if (fallback !== undefined) return fallback;
      this.fail('is required (expected a duration like 30s or 5m)');
    }
    const v = this.value;
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v * 1000;
    const m = typeof v === 'string' ? DURATION.exec(v.trim()) : null;
    if (!m) this.fail(`expected a duration like 500ms, 30s, 5m, 12h or 7d, got ${this.describe()}`);
    return Number(m[1]) * UNIT_MS[m[2]];
  }

  /** One of a fixed set of strings. */
  oneOf<T extends string>(choices: readonly T[], fallback?: T): T {
    const v = this.string(fallback);
    if (!choices.includes(v as T)) this.fail(`expected one of ${choices.join(', ')}, got ${JSON.stringify(v)}`);
    return v as T;
  }

  /** A list of strings; a single string is accepted as a one-item list. */
  stringList(fallback?: string[]): string[] {
    if (!this.exists) {
      if (fallback !== undefined) return fallback;
      this.fail('is required (expected a list of strings)');
    }
    if (!this.isList) return [this.string()];
    return this.items().map((i) => i.string());
  }

  /** A mapping of string → string (e.g. labels). */
  stringMap(fallback?: Record<string, string>): Record<string, string> {
    if (!this.exists) {
      if (fallback !== undefined) return fallback;
      this.fail('is required (expected a mapping)');
    }
    const out: Record<string, string> = {};
    for (const [k, v] of this.entries()) out[k] = v.string();
    return out;
  }

  private describe(): string {
    if (this.node === null) return 'nothing';
    if (isMap(this.node)) return 'a mapping';
    if (isSeq(this.node)) return 'a list';
    return JSON.stringify(this.value);
  }
}
