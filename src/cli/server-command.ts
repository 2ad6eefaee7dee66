// `sightline server`: flags and config file → a running server until SIGINT/SIGTERM.

import { parseArgs } from 'node:util';
import { ConfigError, DEFAULT_CONFIG, loadConfigFile, type ServerConfig } from '../server/config.ts';
import { startServer } from '../server/sightline-server.ts';

export const SERVER_OPTIONS = {
  'data-dir': { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  config: { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'memory-limit': { type: 'string' },
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
`;

export function configFromArgs(argv: string[]): ServerConfig | undefined {
  const { values } = parseArgs({ args: argv, options: SERVER_OPTIONS, strict: true });
  if (values.help) {
    process.stdout.write(HELP);
    return undefined;
  }
  let cfg: ServerConfig = { ...DEFAULT_CONFIG };
  if (values.config) cfg = loadConfigFile(values.config, cfg);
  if (values['data-dir']) cfg.dataDir = values['data-dir'];
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
