// The query plan: what the query layer asks of a store. Stores compile it to their own dialect; nothing here
// mentions SQL or HTTP. Time ranges are [fromNs, toNs) in integer nanoseconds.

import type { Matcher } from '../query/ast.ts';
import type { Labels } from '../model/record.ts';

/** A line predicate the store evaluates exactly. Alternatives are OR-ed for positive ops, NOR-ed for negative. */
export interface LineFilterPlan {
  op: 'contains' | 'not_contains' | 'regex' | 'not_regex';
  values: string[];
}

/** Which records: tenants, stream matchers, a time range and line predicates (AND-ed). */
export interface Selection {
  tenants: string[];
  matchers: Matcher[];
  fromNs: bigint;
  toNs: bigint;
  lineFilters: LineFilterPlan[];
  /**
   * `name = value` conditions on a row's labels as LogQL sees them before any parser: the stream's label, or the
   * structured metadata field when the stream has no such label. A prefilter: the engine still applies its stages.
   */
  fieldEquals?: { name: string; value: string }[];
}

/** Stream records in time order, newest first when backward. `limit` is exact only if nothing filters after the store. */
export interface ScanPlan extends Selection {
  direction: 'forward' | 'backward';
  limit?: number;
}

/**
 * Counts (or line bytes) per stream per time bucket. Bucket j ≥ 1 covers (baseNs + (j-1)·widthNs, baseNs + j·widthNs],
 * the left-open windows LogQL range vectors use.
 */
export interface AggregatePlan extends Selection {
  measure: 'count' | 'bytes';
  baseNs: bigint;
  widthNs: bigint;
}

/** A chunk of scanned rows, column-shaped. `metadata` is the JSON text of structured metadata or null. */
export interface RowChunk {
  ts: bigint[];
  stream: number[];
  line: string[];
  metadata: (string | null)[];
}

export interface AggregateRows {
  stream: number[];
  bucket: number[];
  value: number[];
}

export interface StreamInfo {
  id: number;
  tenant: string;
  labels: Labels;
}

/** Where the store spent its effort, for the `stats` block of query replies. */
export interface ScanStats {
  partsTotal: number;
  partsScanned: number;
  streamsMatched: number;
  rowsScanned: number;
}
