// The server's metrics, exposed on /metrics.

import { Counter, Gauge, Histogram } from '../metrics/prometheus.ts';

export { Counter, Gauge, Histogram };

export class ServerMetrics {
  readonly ingestEntries = new Counter('sightline_ingest_entries_total', 'Log entries accepted and committed, by tenant and protocol.');
  readonly ingestBytes = new Counter('sightline_ingest_bytes_total', 'Bytes of log lines accepted, by tenant and protocol.');
  readonly ingestRejected = new Counter('sightline_ingest_rejected_entries_total', 'Log entries rejected, by reason.');
  readonly requests = new Counter('sightline_http_requests_total', 'HTTP requests by route and status code.');
  readonly requestDuration = new Histogram('sightline_http_request_duration_seconds', 'HTTP request latency by route.');
  readonly queryDuration = new Histogram('sightline_query_duration_seconds', 'LogQL query execution time by kind (log, metric).');
  readonly gauges: Gauge[] = [];
  /** other components' metric families (e.g. the pipelines'), rendered after these */
  readonly collectors: { render(): string }[] = [];

  render(): string {
    const parts = [this.ingestEntries, this.ingestBytes, this.ingestRejected, this.requests, this.requestDuration, this.queryDuration, ...this.gauges, ...this.collectors];
    return parts.map((p) => p.render()).join('');
  }
}
