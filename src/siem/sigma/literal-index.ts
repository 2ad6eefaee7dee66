// Finds, in one pass over a text, which of many substrings it contains: an Aho-Corasick automaton over the
// case-insensitive "contains" literals of every rule that tests the same target (the line, or one field). Hundreds of
// rules with keyword lists then cost one scan per record and target instead of one `includes` per keyword. ASCII
// literals only (the table has a column per ASCII character the literals use); others stay with `includes`. The
// rule prefilter (rule-prefilter.ts) uses the same automaton to list every literal a text holds. Built on first use.

export class LiteralIndex {
  private readonly targets = new Map<string, TargetAutomaton>();

  /** The automaton of a target (`line`, or a field's name), created on first use. */
  target(key: string): TargetAutomaton {
    let t = this.targets.get(key);
    if (t === undefined) this.targets.set(key, (t = new TargetAutomaton()));
    return t;
  }
}

const ALPHABET = 128;

export class TargetAutomaton {
  private readonly literals: string[] = [];
  private readonly ids = new Map<string, number>();
  private delta: Int32Array | undefined;
  /** character → its column in `delta` (0: a character no literal uses) */
  private classOf = new Int32Array(ALPHABET);
  private width = 1;
  /** `collect`'s table and columns (see build) */
  private jump = new Int32Array(1);
  private classFold = new Int32Array(ALPHABET);
  /** per state: the literal ids that end there (following dictionary links), flattened */
  private outStart: Int32Array | undefined;
  private outIds: Int32Array | undefined;
  /** per literal: the scan number that last saw it */
  private seen = new Int32Array(0);
  private scan = 0;
  private lastText: string | undefined;
  private lastEpoch = -1;

  /** Whether the index can take this literal (ASCII, not empty). */
  static accepts(lit: string): boolean {
    if (lit.length === 0) return false;
    for (let i = 0; i < lit.length; i++) if (lit.charCodeAt(i) >= ALPHABET) return false;
    return true;
  }

  /** Registers a literal (already lower-cased); returns its id. */
  add(lit: string): number {
    let id = this.ids.get(lit);
    if (id === undefined) {
      id = this.literals.length;
      this.literals.push(lit);
      this.ids.set(lit, id);
      this.delta = undefined; // rebuilt on next use
    }
    return id;
  }

  private build(): void {
    // trie with goto maps, then BFS for failure links, then the dense table
    const children: Map<number, number>[] = [new Map()];
    const ends: number[][] = [[]];
    for (let id = 0; id < this.literals.length; id++) {
      const lit = this.literals[id]!;
      let s = 0;
      for (let i = 0; i < lit.length; i++) {
        const c = lit.charCodeAt(i);
        let next = children[s]!.get(c);
        if (next === undefined) {
          next = children.length;
          children.push(new Map());
          ends.push([]);
          children[s]!.set(c, next);
        }
        s = next;
      }
      ends[s]!.push(id);
    }
    // characters no literal uses all lead back to the root: one class for them, one per used character, so the
    // table is (states × classes), a fraction of (states × 128), and stays in cache
    const classOf = new Int32Array(ALPHABET);
    const charOf: number[] = [-1];
    for (const lit of this.literals) {
      for (let i = 0; i < lit.length; i++) {
        const c = lit.charCodeAt(i);
        if (classOf[c] === 0) {
          classOf[c] = charOf.length;
          charOf.push(c);
        }
      }
    }
    const width = charOf.length;
    const n = children.length;
    const delta = new Int32Array(n * width);
    const fail = new Int32Array(n);
    const out: number[][] = ends.map((e) => e.slice());
    const queue: number[] = [];
    for (let k = 1; k < width; k++) {
      const s = children[0]!.get(charOf[k]!);
      if (s !== undefined) {
        delta[k] = s;
        fail[s] = 0;
        queue.push(s);
      }
    }
    for (let q = 0; q < queue.length; q++) {
      const r = queue[q]!;
      out[r]!.push(...out[fail[r]!]!);
      for (let k = 1; k < width; k++) {
        const s = children[r]!.get(charOf[k]!);
        if (s !== undefined) {
          fail[s] = delta[fail[r]! * width + k]!;
          delta[r * width + k] = s;
          queue.push(s);
        } else {
          delta[r * width + k] = delta[fail[r]! * width + k]!;
        }
      }
    }
    this.classOf = classOf;
    this.width = width;
    const outStart = new Int32Array(n + 1);
    let total = 0;
    for (let s = 0; s < n; s++) {
      outStart[s] = total;
      total += out[s]!.length;
    }
    outStart[n] = total;
    const outIds = new Int32Array(total);
    for (let s = 0, k = 0; s < n; s++) for (const id of out[s]!) outIds[k++] = id;
    // the scan table of `collect`: the next state's row offset (state × width), bit-inverted when that state ends a
    // literal, so the common step is two loads and no multiplication; capitals share their small letter's column
    const jump = new Int32Array(n * width);
    for (let i = 0; i < jump.length; i++) {
      const t = delta[i]!;
      jump[i] = out[t]!.length > 0 ? ~(t * width) : t * width;
    }
    const classFold = classOf.slice();
    for (let c = 65; c <= 90; c++) classFold[c] = classOf[c + 32]!;
    this.jump = jump;
    this.classFold = classFold;
    this.delta = delta;
    this.outStart = outStart;
    this.outIds = outIds;
    this.seen = new Int32Array(this.literals.length);
    this.scan = 0;
    this.lastText = undefined;
  }

  /**
   * Scans `text` (lower-cased) unless it is the text of this same event already scanned (`epoch` names the event);
   * afterwards `has(id)` answers.
   */
  prepare(text: string, epoch: number): void {
    if (this.delta === undefined) this.build();
    if (epoch === this.lastEpoch && text === this.lastText) return;
    this.lastEpoch = epoch;
    this.lastText = text;
    this.scan++;
    if (this.scan === 0x7fffffff) {
      this.seen.fill(0);
      this.scan = 1;
    }
    const delta = this.delta!;
    const outStart = this.outStart!;
    const outIds = this.outIds!;
    const seen = this.seen;
    const stamp = this.scan;
    const classOf = this.classOf;
    const width = this.width;
    let s = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      s = c < ALPHABET ? delta[s * width + classOf[c]!]! : 0;
      for (let k = outStart[s]!, e = outStart[s + 1]!; k < e; k++) seen[outIds[k]!] = stamp;
    }
  }

  /** Builds the automaton now (it is otherwise built on first use, e.g. by the first record). */
  compile(): void {
    if (this.delta === undefined) this.build();
  }

  /** How many literals it holds (a buffer for `collect` needs that many slots). */
  get size(): number {
    return this.literals.length;
  }

  /**
   * Like `collect` over `text.toLowerCase()`, without making that string: ASCII capitals are folded as the scan goes.
   * A non-ASCII character can lower-case to ASCII (the Kelvin sign to `k`, `İ` to `i` + a combining dot), so a text
   * that has one is lower-cased and scanned again the plain way.
   */
  collectFolded(text: string, out: Int32Array): number {
    const n = this.collect(text, out, true);
    return n >= 0 ? n : this.collect(text.toLowerCase(), out, false);
  }

  /**
   * Scans `text` (lower-cased, or folded as it goes with `fold`) and writes to `out` (at least `size` long) the id of
   * every literal it contains, each once; returns how many. -1: `fold` met a non-ASCII character (see collectFolded).
   */
  collect(text: string, out: Int32Array, fold = false): number {
    if (this.delta === undefined) this.build();
    this.lastEpoch = -1; // `seen` is reused: a later prepare() must scan again
    this.scan++;
    if (this.scan === 0x7fffffff) {
      this.seen.fill(0);
      this.scan = 1;
    }
    const jump = this.jump;
    const classFold = this.classFold;
    const width = this.width;
    const outStart = this.outStart!;
    const outIds = this.outIds!;
    const seen = this.seen;
    const stamp = this.scan;
    let n = 0;
    let base = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= ALPHABET) {
        if (fold) return -1;
        base = 0;
        continue;
      }
      const v = jump[base + classFold[c]!]!;
      if (v >= 0) {
        base = v;
        continue;
      }
      base = ~v;
      const st = base / width;
      for (let k = outStart[st]!, e = outStart[st + 1]!; k < e; k++) {
        const id = outIds[k]!;
        if (seen[id] !== stamp) {
          seen[id] = stamp;
          out[n++] = id;
        }
      }
    }
    return n;
  }

  has(id: number): boolean {
    return this.seen[id] === this.scan;
  }
}
