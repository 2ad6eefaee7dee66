// A stream's index within one part or hot table, cut into blocks of consecutive rows (in arrival order) so that
// a trigram bitmap stays selective: one bitmap over a whole busy stream fills up, one per 8192 rows does not.
// Each block also knows its time bounds, which is how a query reads just that block's rows back.

import { StreamIndexBuilder, mayContain, type NeedleRequirements, type StreamIndex } from './token-index.ts';

export const BLOCK_ROWS = 8192;

export interface BlockExtent {
  rows: number;
  minTs: bigint;
  maxTs: bigint;
}

/**
 * A time bound that the `limit` rows nearest the range's end (backward) or start (forward) cannot cross, from
 * block metadata alone: going back through blocks wholly inside the range by their oldest row, the first bound
 * with `limit` rows entirely at or after it. A query may then read only from that bound on. Undefined when the
 * blocks do not hold enough rows.
 */
export function limitBound(blocks: BlockExtent[], fromNs: bigint, toNs: bigint, limit: number, direction: 'forward' | 'backward'): bigint | undefined {
  const inside = blocks.filter((b) => b.rows > 0 && b.minTs >= fromNs && b.maxTs < toNs);
  if (direction === 'backward') inside.sort((a, b) => (a.minTs > b.minTs ? -1 : a.minTs < b.minTs ? 1 : 0));
  else inside.sort((a, b) => (a.maxTs < b.maxTs ? -1 : a.maxTs > b.maxTs ? 1 : 0));
  let rows = 0;
  for (const b of inside) {
    rows += b.rows;
    if (rows >= limit) return direction === 'backward' ? b.minTs : b.maxTs;
  }
  return undefined;
}

export class StreamBlocks {
  readonly frozen: StreamIndex[] = [];
  private current = new StreamIndexBuilder();
  rows = 0;
  minTs = 0n;
  maxTs = 0n;

  constructor(readonly streamId: number) {}

  addLine(line: string, ts: bigint, metadata?: Record<string, string>): void {
    if (this.rows === 0 || ts < this.minTs) this.minTs = ts;
    if (this.rows === 0 || ts > this.maxTs) this.maxTs = ts;
    this.rows++;
    this.current.addLine(line, ts);
    if (metadata !== undefined) for (const k in metadata) this.current.addValueTokens(metadata[k]);
    if (this.current.rows >= BLOCK_ROWS) {
      this.frozen.push(this.current.build(this.streamId));
      this.current = new StreamIndexBuilder();
    }
  }

  /** Row count and time bounds of every block, the open one included. */
  extents(): BlockExtent[] {
    const out: BlockExtent[] = this.frozen.slice();
    if (this.current.rows > 0) out.push({ rows: this.current.rows, minTs: this.current.minTs, maxTs: this.current.maxTs });
    return out;
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
