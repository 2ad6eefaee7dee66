// The shape of an alert's and an incident's `related` records (docs/siem.md), import-free so that the UI
// (web/src/api/siem-api.ts) uses the same definition as the server.

export interface RelatedRecord {
  ts: string;
  labels: Record<string, string>;
  line: string;
  metadata?: Record<string, string>;
}

export interface RelatedGroup {
  key: string;
  value: string;
  /** related records found (at most what the bounded queries read) */
  count: number;
  /** more records may exist than `records` holds (a limit, the total cap or the time budget cut the search) */
  truncated: boolean;
  records: RelatedRecord[];
  /** why this value was not (fully) searched */
  error?: string;
}
