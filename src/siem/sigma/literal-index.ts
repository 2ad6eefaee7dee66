// Finds, in one pass over a text, which of many substrings it contains: an Aho-Corasick automaton over the
// case-insensitive "contains" literals of every rule that tests the same target (the line, or one field). Hundreds of
// rules with keyword lists then cost one scan per record and target instead of one `includes` per keyword. ASCII
// literals only (the transition table is 128 wide); others stay with `includes`. Built on first use.

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
    const n = children.length;
    const delta = new Int32Array(n * ALPHABET);
    const fail = new Int32Array(n);
    const out: number[][] = ends.map((e) => e.slice());
    const queue: number[] = [];
    for (let c = 0; c < ALPHABET; c++) {
      const s = children[0]!.get(c);
      if (s !== undefined) {
        delta[c] = s;
        fail[s] = 0;
        queue.push(s);
      }
    }
    for (let q = 0; q < queue.length; q++) {
      const r = queue[q]!;
      out[r]!.push(...out[fail[r]!]!);
      for (let c = 0; c < ALPHABET; c++) {
        const s = children[r]!.get(c);
        if (s !== undefined) {
          fail[s] = delta[fail[r]! * ALPHABET + c]!;
          delta[r * ALPHABET + c] = s;
          queue.push(s);
        } else {
          delta[r * ALPHABET + c] = delta[fail[r]! * ALPHABET + c]!;
        }
      }
    }
    const outStart = new Int32Array(n + 1);
    let total = 0;
    for (let s = 0; s < n; s++) {
      outStart[s] = total;
      total += out[s]!.length;
    }
    outStart[n] = total;
    const outIds = new Int32Array(total);
    for (let s = 0, k = 0; s < n; s++) for (const id of out[s]!) outIds[k++] = id;
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
    let s = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      s = c < ALPHABET ? delta[s * ALPHABET + c]! : 0;
      for (let k = outStart[s]!, e = outStart[s + 1]!; k < e; k++) seen[outIds[k]!] = stamp;
    }
  }

  has(id: number): boolean {
    return this.seen[id] === this.scan;
  }
}
