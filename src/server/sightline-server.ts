// Assembles one Sightline server process: the store, the query engine and the HTTP listener.

import type { AddressInfo } from 'node:net';
import { DuckDbStore } from '../store/duckdb/duckdb-store.ts';
import { QueryEngine } from '../query/engine.ts';
import { Authenticator } from './auth.ts';
import { checkExposure, type ServerConfig } from './config.ts';
import { SightlineHttpServer } from './http-server.ts';
import { Gauge, ServerMetrics } from './metrics.ts';

export interface RunningServer {
  address: AddressInfo;
  url: string;
  store: DuckDbStore;
  close(): Promise<void>;
}

export async function startServer(config: ServerConfig): Promise<RunningServer> {
  checkExposure(config);
  const store = await DuckDbStore.open({
    dataDir: config.dataDir,
    // DuckDB gets 40%: the rest is V8, the block indexes (outside the V8 heap) and the allocator's slack
    memoryLimitMb: Math.max(128, Math.floor(config.memoryLimitMb * 0.4)),
    sealRows: config.sealRows,
    sealAgeMs: config.sealAgeMs,
    retentionMs: config.retentionMs,
    maxLineBytes: config.limits.maxLineBytes,
  });
  const metrics = new ServerMetrics();
  metrics.gauges.push(
    new Gauge('sightline_store_parts', 'Sealed Parquet parts on disk.', () => store.status().parts),
    new Gauge('sightline_store_hot_rows', 'Rows in the hot (not yet sealed) tables.', () => store.status().hotRows),
    new Gauge('sightline_store_streams', 'Streams known to the store.', () => store.status().streams),
    new Gauge('sightline_store_commits_total', 'Group commits made (each one fsync).', () => store.counters.commits),
    new Gauge('process_resident_memory_bytes', 'Resident memory of the server process.', () => process.memoryUsage.rss()),
    new Gauge('nodejs_heap_used_bytes', 'V8 heap in use (the rest of resident memory is mostly DuckDB).', () => process.memoryUsage().heapUsed),
  );
  const http = new SightlineHttpServer({ config, store, engine: new QueryEngine(store), auth: new Authenticator(config.tenantKeys), metrics });
  let address: AddressInfo;
  try {
    address = await http.listen();
  } catch (e) {
    await store.close();
    throw e;
  }
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    address,
    url: `${config.tls ? 'https' : 'http'}://${host}:${address.port}`,
    store,
    async close() {
      await http.close();
      await store.close();
    },
  };
}
