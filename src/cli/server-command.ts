// `sightline server`: flags and config file → a running server until SIGINT/SIGTERM.

import { parseArgs } from 'node:util';
import { ConfigError, DEFAULT_CONFIG, DEFAULT_PORTS, loadConfigFile, type ServerConfig } from '../server/config.ts';
import { DEFAULT_TENANT } from '../model/record.ts';
import { startServer } from '../server/sightline-server.ts';

export const SERVER_OPTIONS = {
  'data-dir': { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  config: { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'memory-limit': { type: 'string' },
  'forward-port': { type: 'string' },
  siem: { type: 'string' },
  'syslog-port': { type: 'string' },
  'syslog-tls-port': { type: 'string' },
  'otlp-grpc-port': { type: 'string' },
  'otlp-http-port': { type: 'string' },
  'rules-dir': { type: 'string' },
  'alerting-config': { type: 'string' },
  pipelines: { type: 'string' },
  help: { type: 'boolean' },
} as const;

const HELP = `sightline server: ingest, store and query logs in one process

  --data-dir DIR       where data lives (default ./data)
  --host H             address to bind (default 127.0.0.1; other addresses need auth configured)
  --port N             HTTP port (default 3100, Loki's)
  --config FILE        YAML config file (see docs/configuration.md)
  --tls-cert FILE      serve HTTPS with this certificate (PEM) ...
  --tls-key FILE       ... and this private key (PEM)
  --memory-limit MB    memory budget (default 1024); DuckDB gets 40%
  --rules-dir DIR      alert and recording rules, DIR/<tenant>/*.yaml, reloaded on change
                       (default <data-dir>/rules; see docs/alerting.md)
  --alerting-config F  where alerts are sent: receivers, route, inhibit_rules (see docs/alerting.md)
  --siem FILE          SIEM detection config: Sigma and correlation rules on every committed record (docs/siem.md)
  --pipelines FILE     run every ingested record through this pipelines file, reloaded on change and
                       on SIGHUP (see docs/pipeline.md)

  Socket listeners (on --host; 0 turns one off):
  --forward-port N     Fluent Forward over TCP (default ${DEFAULT_PORTS.forward})
  --syslog-port N      syslog over UDP and TCP (default ${DEFAULT_PORTS.syslog})
  --syslog-tls-port N  syslog over TLS, RFC 5425 (off by default; ${DEFAULT_PORTS.syslogTls} is usual; needs a certificate)
  --otlp-grpc-port N   OTLP/gRPC logs (off by default; ${DEFAULT_PORTS.otlpGrpc} is usual)
  --otlp-http-port N   OTLP/HTTP logs on a port of its own (off by default; ${DEFAULT_PORTS.otlpHttp} is usual;
                       /v1/logs is always on the main port too)
`;

/** A listener port flag: 0 disables (undefined), otherwise 1-65535. */
function listenerPortFlag(flag: string, value: string): number | undefined {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`--${flag}: expected a port 0-65535 (0 turns it off), got "${value}"`);
  return port === 0 ? undefined : port;
}

export function configFromArgs(argv: string[]): ServerConfig | undefined {
  const { values } = parseArgs({ args: argv, options: SERVER_OPTIONS, strict: true });
  if (values.help) {
    process.stdout.write(HELP);
    return undefined;
  }
  let cfg: ServerConfig = { ...DEFAULT_CONFIG };
  if (values.config) cfg = loadConfigFile(values.config, cfg);
  if (values['data-dir']) cfg.dataDir = values['data-dir'];
  if (values.pipelines) cfg.pipelinesFile = values.pipelines;
  if (values.siem) cfg.siemFile = values.siem;
  if (values.host) cfg.host = values.host;
  if (values.port !== undefined) {
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`--port: expected 0-65535, got "${values.port}"`);
    cfg.port = port;
  }
  if (values['memory-limit']) {
    const mb = Number(values['memory-limit']);
    if (!Number.isFinite(mb) || mb < 256) throw new ConfigError(`--memory-limit: expected MiB ≥ 256, got "${values['memory-limit']}"`);
    cfg.memoryLimitMb = mb;
  }
  if (values['forward-port'] !== undefined) {
    const port = listenerPortFlag('forward-port', values['forward-port']);
    cfg.forward = port === undefined ? undefined : { tenant: DEFAULT_TENANT, ...cfg.forward, port };
  }
  if (values['syslog-port'] !== undefined || values['syslog-tls-port'] !== undefined) {
    const syslog = { tenant: DEFAULT_TENANT, ...cfg.syslog };
    if (values['syslog-port'] !== undefined) syslog.port = listenerPortFlag('syslog-port', values['syslog-port']);
    if (values['syslog-tls-port'] !== undefined) syslog.tlsPort = listenerPortFlag('syslog-tls-port', values['syslog-tls-port']);
    cfg.syslog = syslog.port === undefined && syslog.tlsPort === undefined ? undefined : syslog;
  }
  if (values['otlp-grpc-port'] !== undefined) cfg.otlp = { ...cfg.otlp, grpcPort: listenerPortFlag('otlp-grpc-port', values['otlp-grpc-port']) };
  if (values['otlp-http-port'] !== undefined) cfg.otlp = { ...cfg.otlp, httpPort: listenerPortFlag('otlp-http-port', values['otlp-http-port']) };
  if (values['rules-dir']) cfg.rulesDir = values['rules-dir'];
  if (values['alerting-config']) cfg.alertingConfigFile = values['alerting-config'];
  if (values['tls-cert'] || values['tls-key']) {
    if (!values['tls-cert'] || !values['tls-key']) throw new ConfigError('--tls-cert and --tls-key must be given together');
    cfg.tls = { certFile: values['tls-cert'], keyFile: values['tls-key'] };
  }
  return cfg;
}

export async function serverCommand(argv: string[]): Promise<number> {
  const cfg = configFromArgs(argv);
  if (!cfg) return 0;
  const server = await startServer(cfg);
  process.stdout.write(`sightline server listening on ${server.url} (data in ${cfg.dataDir})\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  process.stdout.write('sightline server shutting down\n');
  await server.close();
  return 0;
}
