// Assembles one Sightline server process: the store, the query engine and the HTTP listener.

import type { AddressInfo } from 'node:net';
import { DuckDbStore } from '../store/duckdb/duckdb-store.ts';
import { QueryEngine } from '../query/engine.ts';
import { Authenticator } from './auth.ts';
import { checkExposure, type ServerConfig } from './config.ts';
import { SightlineHttpServer, type ServerDeps } from './http-server.ts';
import { Ruler } from '../rules/ruler-service.ts';
import { Gauge, ServerMetrics } from './metrics.ts';
import { LISTENER_STARTERS } from './listeners/registry.ts';
import { PipelineHost } from './pipeline-host.ts';
import type { SocketListener } from './listeners/socket-listener.ts';
import { SiemService } from '../siem/siem-service.ts';
import { loadSiemConfig } from '../siem/siem-config.ts';
import type { IngestBatch } from '../model/record.ts';
import { threatIntelFeedMetrics } from '../pipeline/processors/threat-intel-feeds/url-feed.ts';

export interface RunningServer {
  address: AddressInfo;
  url: string;
  store: DuckDbStore;
  /** socket listeners by name (`forward`, `syslog_udp`…), with their bound addresses */
  listeners: Record<string, AddressInfo>;
  /** rules, alerts and notifications */
  ruler: Ruler;
  /** the pipelines (`pipelines:` / `--pipelines`), when configured */
  pipeline?: PipelineHost;
  /** SIEM detection (`siem:` / `--siem`), when configured */
  siem?: SiemService;
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
  let pipeline: PipelineHost | undefined;
  let siem: SiemService | undefined;
  // what the pipelines store is also what the SIEM sees (after parsing and masking)
  const observedStore = {
    append: async (b: IngestBatch) => {
      await store.append(b);
      siem?.onCommitted(b);
    },
  };
  try {
    pipeline = config.pipelinesFile ? new PipelineHost({ file: config.pipelinesFile, dataDir: config.dataDir, store: observedStore }) : undefined;
  } catch (e) {
    await store.close();
    throw e;
  }
  if (pipeline) metrics.collectors.push(pipeline.metrics, threatIntelFeedMetrics);
  const deps: ServerDeps = { config, store, engine: new QueryEngine(store), auth: new Authenticator(config.tenantKeys), metrics, pipeline };
  let address: AddressInfo;
  const sockets: SocketListener[] = [];
  const closeListeners = async () => {
    for (const l of sockets.splice(0).reverse()) await l.close();
  };
  let ruler: Ruler | undefined;
  let http: SightlineHttpServer | undefined;
  let url = '';
  try {
    ruler = deps.ruler = await Ruler.start({ config, store, engine: deps.engine, metrics });
    if (config.siemFile) {
      siem = deps.siem = new SiemService({ dataDir: config.dataDir, config: loadSiemConfig(config.siemFile), alertSink: ruler.alerting, externalUrl: () => url, queryEngine: deps.engine, alertStore: store });
      metrics.collectors.push(siem.metrics);
    }
    http = new SightlineHttpServer(deps);
    address = await http.listen();
    for (const start of LISTENER_STARTERS) sockets.push(...(await start(deps)));
  } catch (e) {
    await closeListeners();
    await http?.close();
    await ruler?.close();
    await pipeline?.close();
    await siem?.close();
    await store.close();
    throw e;
  }
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  url = `${config.tls ? 'https' : 'http'}://${host}:${address.port}`;
  const httpServer = http;
  ruler.setExternalURL(url);
  return {
    address,
    url,
    store,
    ruler,
    pipeline,
    siem,
    listeners: Object.fromEntries(sockets.map((l) => [l.name, l.address])),
    async close() {
      await closeListeners();
      await httpServer.close();
      // after the listeners (no new pushes), before the store: held events are delivered, not dropped
      await pipeline?.close();
      await siem?.close();
      await ruler.close();
      await store.close();
    },
  };
}
