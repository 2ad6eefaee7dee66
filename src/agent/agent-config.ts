// The agent's configuration: a YAML file (sources, sinks, buffers, an optional pipelines file) or, for the common
// case, command-line flags (`--file GLOB --server URL`). Validated on load; errors name file:line and the key.

import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { ConfigError, ConfigNode } from '../config/config-node.ts';
import { DEFAULT_BUFFER, type BufferConfig } from './buffer.ts';

/** batches on the wire at once per sink: enough to hide the destination's commit latency (BENCHMARKS.md#agent) */
const DEFAULT_CONCURRENCY = 4;
import { DEFAULT_RETRY, type RetryConfig } from './sink-worker.ts';
import { DEFAULT_FILE_SOURCE, type FileSourceConfig } from './sources/file-source.ts';
import type { ExecSourceConfig } from './sources/exec-source.ts';
import type { JournaldSourceConfig } from './sources/journald-source.ts';
import { DEFAULT_SYSLOG_MESSAGE_BYTES, type SyslogSourceConfig } from './sources/syslog-source.ts';
import { DEFAULT_CONTAINER_LOGS, type KubernetesSourceConfig } from './sources/kubernetes-source.ts';
import { SINK_TYPES } from './sinks/registry.ts';
import type { Sink } from './sinks/sink.ts';
import { SightlineSink } from './sinks/sightline-sink.ts';
import type { HttpTarget } from './sinks/http-post.ts';

interface SourceBase {
  name: string;
  labels: Record<string, string>;
}

export type SourceSpec =
  | (SourceBase & { type: 'file'; file: FileSourceConfig })
  | (SourceBase & { type: 'exec'; exec: ExecSourceConfig })
  | (SourceBase & { type: 'stdin'; maxLineBytes: number })
  | (SourceBase & { type: 'journald'; journald: JournaldSourceConfig })
  | (SourceBase & { type: 'syslog'; syslog: SyslogSourceConfig })
  | (SourceBase & { type: 'kubernetes'; kubernetes: KubernetesSourceConfig });

export interface SinkSpec {
  sink: Sink;
  /** source names feeding this sink; undefined = all */
  inputs?: string[];
  buffer: BufferConfig;
  batchMaxEvents: number;
  /** batches on the wire at once */
  concurrency: number;
  retry: RetryConfig;
}

export interface AgentConfig {
  dataDir: string;
  /** labels added to every event (`host` by default) */
  labels: Record<string, string>;
  sources: SourceSpec[];
  sinks: SinkSpec[];
  /** a pipelines file in the server's format, run on every event before the sinks */
  pipelinesFile?: string;
  /** the agent's own /metrics and /health listener */
  api?: { host: string; port: number };
}

const SIZE = /^(\d+(?:\.\d+)?)\s*(B|KiB|MiB|GiB|KB|MB|GB)?$/i;
const SIZE_UNITS: Record<string, number> = { b: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, kb: 1000, mb: 1000 ** 2, gb: 1000 ** 3 };

/** A byte size: a number, or text like 64MiB, 512KiB, 1GB. */
export function byteSize(node: ConfigNode, fallback: number): number {
  if (!node.exists) return fallback;
  const v = node.value;
  if (typeof v === 'number' && v > 0) return v;
  const m = typeof v === 'string' ? SIZE.exec(v.trim()) : null;
  if (!m) node.fail(`expected a size such as 65536, 512KiB or 64MiB, got ${JSON.stringify(v)}`);
  return Math.round(Number(m[1]) * SIZE_UNITS[(m[2] ?? 'b').toLowerCase()]);
}

export function loadAgentConfig(file: string): AgentConfig {
  const root = ConfigNode.read(file);
  const configDir = path.dirname(path.resolve(file));
  root.onlyKeys(['data_dir', 'labels', 'api', 'pipelines', 'sources', 'sinks']);
  const cfg: AgentConfig = {
    dataDir: path.resolve(configDir, root.get('data_dir').string('./sightline-agent-data')),
    labels: { host: os.hostname(), ...root.get('labels').stringMap({}) },
    sources: [],
    sinks: [],
  };
  const pipelines = root.get('pipelines').optionalString();
  if (pipelines) cfg.pipelinesFile = path.resolve(configDir, pipelines);
  const api = root.get('api');
  if (api.exists) {
    api.onlyKeys(['host', 'port']);
    cfg.api = { host: api.get('host').string('127.0.0.1'), port: api.get('port').integer(undefined, 0, 65535) };
  }
  const sources = root.get('sources');
  if (!sources.exists) sources.fail('is required: at least one source');
  for (const [name, node] of sources.entries()) cfg.sources.push(sourceSpec(name, node, configDir));
  const sinks = root.get('sinks');
  if (!sinks.exists) sinks.fail('is required: at least one sink');
  const sourceNames = cfg.sources.map((s) => s.name);
  for (const [name, node] of sinks.entries()) cfg.sinks.push(sinkSpec(name, node, configDir, sourceNames));
  return cfg;
}

function sourceSpec(name: string, node: ConfigNode, configDir: string): SourceSpec {
  const type = node.get('type').oneOf(['file', 'kubernetes', 'exec', 'stdin', 'journald', 'syslog']);
  const labels = node.get('labels').stringMap({});
  const maxLineBytes = byteSize(node.get('max_line_bytes'), DEFAULT_FILE_SOURCE.maxLineBytes);
  const abs = (g: string) => (path.isAbsolute(g) ? g : path.join(configDir, g));
  const fileConfig = (include: string[] | undefined): FileSourceConfig => ({
    include: node.get('include').stringList(include).map(abs),
    exclude: node.get('exclude').stringList([]).map(abs),
    startAt: node.get('start_at').oneOf(['beginning', 'end'], 'beginning'),
    maxLineBytes,
    encoding: node.get('encoding').oneOf(['utf8', 'latin1'], 'utf8'),
    globIntervalMs: node.get('glob_interval').durationMs(DEFAULT_FILE_SOURCE.globIntervalMs),
    rotateWaitMs: node.get('rotate_wait').durationMs(DEFAULT_FILE_SOURCE.rotateWaitMs),
    compressed: node.get('compressed').value === 'auto' ? 'auto' : node.get('compressed').exists ? node.get('compressed').boolean() : DEFAULT_FILE_SOURCE.compressed,
  });
  const FILE_KEYS = ['type', 'include', 'exclude', 'start_at', 'labels', 'max_line_bytes', 'encoding', 'glob_interval', 'rotate_wait', 'compressed'];
  switch (type) {
    case 'file':
      node.onlyKeys(FILE_KEYS);
      return { name, type, labels, file: fileConfig(undefined) };
    case 'kubernetes':
      node.onlyKeys([...FILE_KEYS, 'api']);
      return { name, type, labels, kubernetes: { file: fileConfig(DEFAULT_CONTAINER_LOGS), api: node.get('api').boolean(false) } };
    case 'exec': {
      node.onlyKeys(['type', 'command', 'stderr', 'restart', 'restart_delay', 'labels', 'max_line_bytes']);
      const command = node.get('command').stringList();
      if (command.length === 0) node.get('command').fail('expected the command and its arguments, e.g. [kubectl, logs, -f, deploy/api]');
      return {
        name,
        type,
        labels,
        exec: { command, stderr: node.get('stderr').boolean(false), restart: node.get('restart').oneOf(['always', 'never'], 'always'), restartDelayMs: node.get('restart_delay').durationMs(1000), maxLineBytes },
      };
    }
    case 'stdin':
      node.onlyKeys(['type', 'labels', 'max_line_bytes']);
      return { name, type, labels, maxLineBytes };
    case 'journald':
      node.onlyKeys(['type', 'labels', 'max_line_bytes', 'start_at', 'args', 'journalctl']);
      return {
        name,
        type,
        labels,
        journald: { args: node.get('args').stringList([]), startAt: node.get('start_at').oneOf(['beginning', 'end'], 'end'), journalctl: node.get('journalctl').string('journalctl'), maxLineBytes },
      };
    case 'syslog':
      node.onlyKeys(['type', 'labels', 'mode', 'host', 'port', 'tls', 'max_message_bytes']);
      return { name, type, labels, syslog: syslogConfig(node, configDir) };
  }
}

function syslogConfig(node: ConfigNode, configDir: string): SyslogSourceConfig {
  const mode = node.get('mode').oneOf(['udp', 'tcp', 'tls'], 'udp');
  const cfg: SyslogSourceConfig = {
    mode,
    host: node.get('host').string('127.0.0.1'),
    port: node.get('port').integer(mode === 'tls' ? 6514 : 1514, 0, 65535),
    maxMessageBytes: byteSize(node.get('max_message_bytes'), DEFAULT_SYSLOG_MESSAGE_BYTES),
  };
  const t = node.get('tls');
  if (mode !== 'tls') {
    if (t.exists) t.fail('is only read with mode: tls');
    return cfg;
  }
  if (!t.exists) t.fail('is required with mode: tls: give cert_file and key_file (and client_ca_file to require client certificates)');
  t.onlyKeys(['cert_file', 'key_file', 'client_ca_file']);
  const read = (k: string): Buffer => {
    const f = t.get(k).string();
    try {
      return readFileSync(path.resolve(configDir, f));
    } catch (e) {
      return t.get(k).fail(`cannot read ${f}: ${(e as Error).message}`);
    }
  };
  cfg.tls = { cert: read('cert_file'), key: read('key_file'), ca: t.get('client_ca_file').exists ? read('client_ca_file') : undefined };
  return cfg;
}

function sinkSpec(name: string, node: ConfigNode, configDir: string, sourceNames: string[]): SinkSpec {
  const typeName = node.get('type').string();
  const type = SINK_TYPES.get(typeName) ?? node.get('type').fail(`unknown sink type "${typeName}" (expected one of ${[...SINK_TYPES.keys()].join(', ')})`);
  const inputsNode = node.get('inputs');
  const inputs = inputsNode.exists ? inputsNode.stringList() : undefined;
  for (const [i, input] of (inputs ?? []).entries()) {
    if (!sourceNames.includes(input)) inputsNode.items()[i]?.fail(`no source named "${input}" (sources: ${sourceNames.join(', ')})`);
  }
  const b = node.get('buffer');
  if (b.exists) b.onlyKeys(['type', 'max_events', 'max_bytes', 'when_full']);
  const buffer: BufferConfig = {
    type: b.get('type').oneOf(['memory', 'disk'], DEFAULT_BUFFER.type),
    maxEvents: b.get('max_events').integer(DEFAULT_BUFFER.maxEvents, 1),
    maxBytes: byteSize(b.get('max_bytes'), b.get('type').value === 'disk' ? 1024 ** 3 : DEFAULT_BUFFER.maxBytes),
    whenFull: b.get('when_full').oneOf(['block', 'drop_newest'], DEFAULT_BUFFER.whenFull),
  };
  const batch = node.get('batch');
  if (batch.exists) batch.onlyKeys(['max_events', 'concurrency']);
  const retry = node.get('retry');
  if (retry.exists) retry.onlyKeys(['initial_backoff', 'max_backoff']);
  return {
    sink: type.build(name, node, { configDir }),
    inputs,
    buffer,
    batchMaxEvents: batch.get('max_events').integer(10_000, 1),
    concurrency: batch.get('concurrency').integer(DEFAULT_CONCURRENCY, 1, 16),
    retry: { initialBackoffMs: retry.get('initial_backoff').durationMs(DEFAULT_RETRY.initialBackoffMs), maxBackoffMs: retry.get('max_backoff').durationMs(DEFAULT_RETRY.maxBackoffMs) },
  };
}

/** The quick mode: `--file GLOB... --server URL [--label k=v...] [--api-key K] [--data-dir DIR]`. */
export function quickAgentConfig(opts: { files: string[]; server: string; labels: string[]; apiKey?: string; tenant?: string; dataDir?: string; caFile?: string }): AgentConfig {
  if (opts.files.length === 0) throw new ConfigError('--file: give at least one path or glob to tail');
  let url: URL;
  try {
    url = new URL(opts.server);
  } catch {
    throw new ConfigError(`--server: expected a URL such as http://127.0.0.1:3100, got ${JSON.stringify(opts.server)}`);
  }
  const labels: Record<string, string> = { host: os.hostname() };
  for (const l of opts.labels) {
    const eq = l.indexOf('=');
    if (eq <= 0) throw new ConfigError(`--label: expected name=value, got ${JSON.stringify(l)}`);
    labels[l.slice(0, eq)] = l.slice(eq + 1);
  }
  const headers: Record<string, string> = {};
  if (opts.apiKey) headers.Authorization = `Bearer ${opts.apiKey}`;
  if (opts.tenant) headers['X-Scope-OrgID'] = opts.tenant;
  const target: HttpTarget = { url, headers, agent: quickAgent(url, opts.caFile), gzip: true, timeoutMs: 30_000 };
  return {
    dataDir: path.resolve(opts.dataDir ?? './sightline-agent-data'),
    labels,
    sources: [{ name: 'files', type: 'file', labels: {}, file: { ...DEFAULT_FILE_SOURCE, include: opts.files.map((f) => path.resolve(f)) } }],
    sinks: [{ sink: new SightlineSink('sightline', target), buffer: DEFAULT_BUFFER, batchMaxEvents: 10_000, concurrency: DEFAULT_CONCURRENCY, retry: DEFAULT_RETRY }],
  };
}

function quickAgent(url: URL, caFile?: string): http.Agent {
  if (url.protocol !== 'https:') return new http.Agent({ keepAlive: true });
  return new https.Agent({ keepAlive: true, ca: caFile ? readFileSync(caFile) : undefined });
}
