// STIX 2.1 patterns (OASIS STIX 2.1 §9 "STIX Patterning") read for indicator lists: the whole grammar is parsed, and
// a pattern is usable when it is an OR of `=` / `IN` comparisons (and `ISSUBSET` on addresses) over the observables a
// record can hold as one value: ipv4-addr / ipv6-addr / domain-name / url `:value` and file `:hashes` MD5, SHA-1, SHA-256.

export type IocKind = 'ip' | 'domain' | 'url' | 'hash';

export interface PatternValue {
  kind: IocKind;
  value: string;
}

/** A pattern that parsed but cannot be a list of single values, or one that does not parse; `reason` says which part. */
export class StixPatternError extends Error {
  constructor(
    message: string,
    /** true when the pattern is valid STIX that this reader does not index (counted as skipped, not an error) */
    readonly unsupported: boolean,
  ) {
    super(message);
  }
}

type Tok =
  | { t: 'punct'; v: string }
  | { t: 'op'; v: string }
  | { t: 'word'; v: string }
  | { t: 'str'; v: string }
  | { t: 'typed'; v: string; prefix: string }
  | { t: 'num'; v: string };

const KEYWORD_OPS = new Set(['LIKE', 'MATCHES', 'ISSUBSET', 'ISSUPERSET', 'IN']);

/** §9.2/§9.3 lexical rules: strings in single quotes with `\'` and `\\` escapes; t'…', b'…', h'…' typed constants. */
function lex(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if ('[](),:.*'.includes(c)) {
      out.push({ t: 'punct', v: c });
      i++;
      continue;
    }
    if (c === '=' || c === '!' || c === '<' || c === '>') {
      const two = src.slice(i, i + 2);
      if (two === '!=' || two === '<=' || two === '>=') {
        out.push({ t: 'op', v: two });
        i += 2;
      } else if (c === '!') {
        throw new StixPatternError(`unexpected "!" at offset ${i}`, false);
      } else {
        out.push({ t: 'op', v: c });
        i++;
      }
      continue;
    }
    const typed = (c === 't' || c === 'b' || c === 'h') && src[i + 1] === "'";
    if (c === "'" || typed) {
      const start = i;
      i += typed ? 2 : 1;
      let v = '';
      for (;;) {
        if (i >= n) throw new StixPatternError(`unterminated string starting at offset ${start}`, false);
        const d = src[i]!;
        if (d === '\\') {
          const e = src[i + 1];
          if (e !== "'" && e !== '\\') throw new StixPatternError(`bad escape "\\${e ?? ''}" at offset ${i} (only \\' and \\\\ are allowed)`, false);
          v += e;
          i += 2;
        } else if (d === "'") {
          i++;
          break;
        } else {
          v += d;
          i++;
        }
      }
      out.push(typed ? { t: 'typed', v, prefix: c } : { t: 'str', v });
      continue;
    }
    if ((c >= '0' && c <= '9') || ((c === '-' || c === '+') && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^[-+]?[0-9]+(\.[0-9]+)?/.exec(src.slice(i))!;
      out.push({ t: 'num', v: m[0] });
      i += m[0].length;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(src.slice(i))!;
      out.push({ t: 'word', v: m[0] });
      i += m[0].length;
      continue;
    }
    throw new StixPatternError(`unexpected ${JSON.stringify(c)} at offset ${i}`, false);
  }
  return out;
}

/** The parsed pattern, reduced to what matters here: comparisons, how they are joined, and what blocks indexing. */
type Node =
  | { k: 'or'; items: Node[] }
  | { k: 'blocked'; why: string; items: Node[] }
  | { k: 'cmp'; objectType: string; path: string[]; op: string; negated: boolean; values: Tok[] };

class Parser {
  private p = 0;
  constructor(private readonly toks: Tok[]) {}

  private peek(): Tok | undefined {
    return this.toks[this.p];
  }
  private isWord(v: string): boolean {
    const t = this.peek();
    return t !== undefined && t.t === 'word' && t.v === v;
  }
  private isPunct(v: string): boolean {
    const t = this.peek();
    return t !== undefined && t.t === 'punct' && t.v === v;
  }
  private expectPunct(v: string, what: string): void {
    if (!this.isPunct(v)) throw new StixPatternError(`expected "${v}" ${what}, found ${this.describe()}`, false);
    this.p++;
  }
  private describe(): string {
    const t = this.peek();
    return t === undefined ? 'the end of the pattern' : t.t === 'str' ? `'${t.v}'` : JSON.stringify(t.v);
  }

  parse(): Node {
    const n = this.observations();
    if (this.peek() !== undefined) throw new StixPatternError(`unexpected ${this.describe()} after the pattern`, false);
    return n;
  }

  /** observationExpressions: …Or (FOLLOWEDBY …Or)* */
  private observations(): Node {
    const items = [this.observationOr()];
    while (this.isWord('FOLLOWEDBY')) {
      this.p++;
      items.push(this.observationOr());
    }
    return items.length === 1 ? items[0]! : { k: 'blocked', why: 'FOLLOWEDBY (a sequence of observations)', items };
  }

  private observationOr(): Node {
    const items = [this.observationAnd()];
    while (this.isWord('OR')) {
      this.p++;
      items.push(this.observationAnd());
    }
    return items.length === 1 ? items[0]! : { k: 'or', items };
  }

  private observationAnd(): Node {
    const items = [this.observation()];
    while (this.isWord('AND')) {
      this.p++;
      items.push(this.observation());
    }
    return items.length === 1 ? items[0]! : { k: 'blocked', why: 'AND of observations', items };
  }

  /** `[ comparisons ]` or `( observations )`, followed by any qualifiers (§9.5: WITHIN, REPEATS, START/STOP). */
  private observation(): Node {
    let n: Node;
    if (this.isPunct('[')) {
      this.p++;
      n = this.comparisonOr();
      this.expectPunct(']', 'to close the observation expression');
    } else if (this.isPunct('(')) {
      this.p++;
      n = this.observations();
      this.expectPunct(')', 'to close the parenthesis');
    } else {
      throw new StixPatternError(`expected "[" or "(" to start an observation expression, found ${this.describe()}`, false);
    }
    for (;;) {
      if (this.isWord('WITHIN')) {
        this.p++;
        this.number('WITHIN');
        this.word('SECONDS');
        n = { k: 'blocked', why: 'the WITHIN qualifier', items: [n] };
      } else if (this.isWord('REPEATS')) {
        this.p++;
        this.number('REPEATS');
        this.word('TIMES');
        n = { k: 'blocked', why: 'the REPEATS qualifier', items: [n] };
      } else if (this.isWord('START')) {
        this.p++;
        this.timestamp('START');
        this.word('STOP');
        this.timestamp('STOP');
        n = { k: 'blocked', why: 'the START/STOP qualifier', items: [n] };
      } else return n;
    }
  }

  private number(after: string): void {
    const t = this.peek();
    if (t === undefined || t.t !== 'num') throw new StixPatternError(`expected a number after ${after}, found ${this.describe()}`, false);
    this.p++;
  }
  private word(w: string): void {
    if (!this.isWord(w)) throw new StixPatternError(`expected ${w}, found ${this.describe()}`, false);
    this.p++;
  }
  private timestamp(after: string): void {
    const t = this.peek();
    if (t === undefined || t.t !== 'typed' || t.prefix !== 't') throw new StixPatternError(`expected a timestamp t'…' after ${after}, found ${this.describe()}`, false);
    this.p++;
  }

  private comparisonOr(): Node {
    const items = [this.comparisonAnd()];
    while (this.isWord('OR')) {
      this.p++;
      items.push(this.comparisonAnd());
    }
    return items.length === 1 ? items[0]! : { k: 'or', items };
  }

  private comparisonAnd(): Node {
    const items = [this.propTest()];
    while (this.isWord('AND')) {
      this.p++;
      items.push(this.propTest());
    }
    return items.length === 1 ? items[0]! : { k: 'blocked', why: 'AND of comparisons (a record holds one value)', items };
  }

  /** §9.4 comparison: `object-type:path [NOT] op constant`, `EXISTS path`, or a parenthesized comparison expression. */
  private propTest(): Node {
    if (this.isPunct('(')) {
      this.p++;
      const n = this.comparisonOr();
      this.expectPunct(')', 'to close the parenthesis');
      return n;
    }
    if (this.isWord('EXISTS')) {
      this.p++;
      const { objectType, path } = this.objectPath();
      return { k: 'blocked', why: 'EXISTS', items: [{ k: 'cmp', objectType, path, op: 'EXISTS', negated: false, values: [] }] };
    }
    const { objectType, path } = this.objectPath();
    let negated = false;
    if (this.isWord('NOT')) {
      negated = true;
      this.p++;
    }
    const t = this.peek();
    let op: string;
    if (t !== undefined && t.t === 'op') op = t.v;
    else if (t !== undefined && t.t === 'word' && KEYWORD_OPS.has(t.v)) op = t.v;
    else throw new StixPatternError(`expected a comparison operator after ${objectType}:${path.join('.')}, found ${this.describe()}`, false);
    this.p++;
    const values: Tok[] = [];
    if (op === 'IN') {
      this.expectPunct('(', 'after IN');
      for (;;) {
        values.push(this.constant());
        if (this.isPunct(',')) {
          this.p++;
          continue;
        }
        this.expectPunct(')', 'to close the IN set');
        break;
      }
    } else values.push(this.constant());
    return { k: 'cmp', objectType, path, op, negated, values };
  }

  private constant(): Tok {
    const t = this.peek();
    if (t === undefined || !(t.t === 'str' || t.t === 'typed' || t.t === 'num' || (t.t === 'word' && (t.v === 'true' || t.v === 'false')))) {
      throw new StixPatternError(`expected a constant ('text', a number, true/false, t'…', b'…', h'…'), found ${this.describe()}`, false);
    }
    this.p++;
    return t;
  }

  /** §9.3 object path: `type:prop(.prop | .'quoted' | [index|*])*` */
  private objectPath(): { objectType: string; path: string[] } {
    const t = this.peek();
    if (t === undefined || t.t !== 'word') throw new StixPatternError(`expected an object path (e.g. ipv4-addr:value), found ${this.describe()}`, false);
    this.p++;
    this.expectPunct(':', `after the object type ${t.v}`);
    const path: string[] = [this.pathStep()];
    for (;;) {
      if (this.isPunct('.')) {
        this.p++;
        path.push(this.pathStep());
      } else if (this.isPunct('[')) {
        this.p++;
        const i = this.peek();
        if (i === undefined || !(i.t === 'num' || (i.t === 'punct' && i.v === '*'))) {
          throw new StixPatternError(`expected a list index or * in the object path, found ${this.describe()}`, false);
        }
        this.p++;
        this.expectPunct(']', 'to close the list index');
        path.push(`[${i.v}]`);
      } else return { objectType: t.v, path };
    }
  }

  private pathStep(): string {
    const t = this.peek();
    if (t !== undefined && (t.t === 'word' || t.t === 'str')) {
      this.p++;
      return t.v;
    }
    throw new StixPatternError(`expected a property name in the object path, found ${this.describe()}`, false);
  }
}

const HASH_LENGTHS: Record<string, number> = { MD5: 32, 'SHA-1': 40, 'SHA-256': 64 };

function kindOf(objectType: string, path: string[]): IocKind | string {
  const p = path.join('.');
  if ((objectType === 'ipv4-addr' || objectType === 'ipv6-addr') && p === 'value') return 'ip';
  if (objectType === 'domain-name' && p === 'value') return 'domain';
  if (objectType === 'url' && p === 'value') return 'url';
  if (objectType === 'file' && path.length === 2 && path[0] === 'hashes') {
    if (HASH_LENGTHS[path[1]!] !== undefined) return 'hash';
    return `the hash algorithm ${path[1]} (MD5, SHA-1 and SHA-256 are indexed)`;
  }
  return `the object path ${objectType}:${p}`;
}

function collect(n: Node, out: PatternValue[]): void {
  if (n.k === 'or') {
    for (const item of n.items) collect(item, out);
    return;
  }
  if (n.k === 'blocked') throw new StixPatternError(`unsupported: ${n.why}`, true);
  const kind = kindOf(n.objectType, n.path);
  if (kind !== 'ip' && kind !== 'domain' && kind !== 'url' && kind !== 'hash') throw new StixPatternError(`unsupported: ${kind}`, true);
  if (n.negated) throw new StixPatternError(`unsupported: NOT ${n.op} on ${n.objectType}:${n.path.join('.')}`, true);
  const subset = n.op === 'ISSUBSET' && kind === 'ip';
  if (n.op !== '=' && n.op !== 'IN' && !subset) throw new StixPatternError(`unsupported: the operator ${n.op} on ${n.objectType}:${n.path.join('.')}`, true);
  for (const v of n.values) {
    if (v.t !== 'str') throw new StixPatternError(`${n.objectType}:${n.path.join('.')}: expected a string constant, found ${v.t === 'typed' ? `${v.prefix}'${v.v}'` : v.v}`, false);
    if (kind === 'hash' && v.v.length !== HASH_LENGTHS[n.path[1]!]) {
      throw new StixPatternError(`file:hashes.'${n.path[1]}': ${JSON.stringify(v.v)} is not ${HASH_LENGTHS[n.path[1]!]! / 2} bytes of hex`, false);
    }
    out.push({ kind, value: v.v });
  }
}

/**
 * The values a pattern matches when it is an OR of single-value comparisons; throws StixPatternError otherwise
 * (`unsupported` for valid patterns this reader does not index, e.g. AND, FOLLOWEDBY, qualifiers, other objects).
 */
export function patternValues(pattern: string): PatternValue[] {
  const tree = new Parser(lex(pattern)).parse();
  const out: PatternValue[] = [];
  collect(tree, out);
  return out;
}
