// The shapes of the Loki API replies the UI reads (docs/http-api.md), as plain types. Replies are `unknown` until
// narrowed by the reader that uses them (log-rows.ts, the histogram), which tolerates missing parts.

export type Labels = Record<string, string>;

/** Third element of an entry under `X-Loki-Response-Encoding-Flags: categorize-labels`. */
export interface EntryExtra {
  structuredMetadata?: Labels;
  parsed?: Labels;
}

export type StreamEntry = [string, string] | [string, string, EntryExtra];

export interface StreamResult {
  stream: Labels;
  values: StreamEntry[];
}

export interface MatrixSeries {
  metric: Labels;
  values: [number, string][];
}

export interface VectorSample {
  metric: Labels;
  value: [number, string];
}

export type QueryData =
  | { resultType: 'streams'; result: StreamResult[]; encodingFlags?: string[] }
  | { resultType: 'matrix'; result: MatrixSeries[] }
  | { resultType: 'vector'; result: VectorSample[] }
  | { resultType: 'scalar'; result: [number, string] };

export interface QueryResponse {
  status: 'success';
  data: QueryData;
}

export interface DetectedField {
  label: string;
  type: string;
  cardinality: number;
  parsers: string[] | null;
}

export interface Pattern {
  pattern: string;
  samples: [number, number][];
  level?: string;
}

/** A tail frame on the WebSocket. */
export interface TailFrame {
  streams: StreamResult[];
  dropped_entries: { labels: Labels; timestamp: string }[] | null;
}
