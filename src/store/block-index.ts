// A stream's index within one part or hot table, cut into blocks of consecutive rows (in arrival order) so that
// a trigram bitmap stays selective: one bitmap over a whole busy stream fills up, one per 8192 rows does not.
// Each block also knows its time bounds, which is how a query reads just that block's rows back.

import { StreamIndexBuilder, mayContain, type NeedleRequirements, type StreamIndex } from './token-index.ts';

export const BLOCK_ROWS = 8192;

export class StreamBlocks {
  readonly frozen: StreamIndex[] = [];
  private current = new StreamIndexBuilder();
  rows = 0;
  minTs = 0n;
  maxTs = 0n;

  constructor(readonly streamId: number) {}

  addLine(line: string, ts: bigint): void {
    if (this.rows === 0 || ts < this.minTs) this.minTs = ts;
    if (this.rows === 0 || ts > this.maxTs) this.maxTs = ts;
    this.rows++;
    this.current.addLine(line, ts);
    if (this.current.rows >= BLOCK_ROWS) {
      this.frozen.push(this.current.build(this.streamId));
      this.current = new StreamIndexBuilder();
    }
  }

  /** Every block, the open one included, frozen for writing beside a part. */
  build(): StreamIndex[] {
    return this.current.rows > 0 ? [...this.frozen, this.current.build(this.streamId)] : this.frozen;
  }

  /** True if some block may hold a row in [fromNs, toNs) meeting every filter (each a list of alternatives). */
  mayMatch(fromNs: bigint, toNs: bigint, filters: NeedleRequirements[][]): boolean {
    for (const b of this.frozen) if (blockMatches(b, fromNs, toNs, filters)) return true;
    const c = this.current;
    if (c.rows === 0 || c.maxTs < fromNs || c.minTs >= toNs) return false;
    return filters.every((alts) => alts.some((req) => c.mayContain(req)));
  }
}

/** The block overlaps the time range and may hold a line meeting every filter. */
export function blockMatches(b: StreamIndex, fromNs: bigint, toNs: bigint, filters: NeedleRequirements[][]): boolean {
  if (b.rows === 0 || b.maxTs < fromNs || b.minTs >= toNs) return false;
  return filters.every((alts) => alts.some((req) => mayContain(b, req)));
}
