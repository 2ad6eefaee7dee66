// Server configuration: defaults, an optional YAML config file, then command-line flags (highest precedence).
// Every key is validated; an error names the file, the key and what was expected.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { DEFAULT_LIMITS, type IngestLimits } from '../ingest/limits.ts';
import { DEFAULT_TENANT } from '../model/record.ts';

export interface TlsFiles {
  certFile: string;
  keyFile: string;
  /** when set, clients must present a certificate signed by this CA (mutual TLS) */
  clientCaFile?: string;
}

/** Fluent Forward listener (TCP). Port 0 here means "any free port" (tests); the CLI's and config file's 0 disable it. */
export interface ForwardConfig {
  port: number;
  tls?: TlsFiles;
  /** enables the shared-key handshake (HELO/PING/PONG) */
  sharedKey?: string;
  /** tenant written to when authentication is off (with auth on, the handshake's username/password choose it) */
  tenant: string;
}

/** Syslog listeners: UDP and TCP on `port`, TLS (RFC 5425) on `tlsPort`. Undefined ports are off. */
export interface SyslogConfig {
  port?: number;
  tlsPort?: number;
  /** certificate for tlsPort; defaults to the server's `tls` */
  tls?: TlsFiles;
  tenant: string;
  /** syslog has no credentials: with authentication on, plain UDP/TCP (and TLS without client_ca_file) need this opt-in */
  allowUnauthenticated?: boolean;
}

/** OTLP on its conventional ports (it is always on the main port at /v1/logs too). */
export interface OtlpPortsConfig {
  grpcPort?: number;
  httpPort?: number;
}

export interface ServerConfig {
  host: string;
  port: number;
  dataDir: string;
  /** total memory budget in MiB; DuckDB gets 40% */
  memoryLimitMb: number;
  tls?: TlsFiles;
  /** tenant → API keys allowed to act as that tenant; empty = authentication off */
  tenantKeys: Record<string, string[]>;
  limits: IngestLimits;
  retentionMs: number;
  sealRows: number;
  sealAgeMs: number;
  /** socket listeners; undefined = off */
  forward?: ForwardConfig;
  syslog?: SyslogConfig;
  otlp: OtlpPortsConfig;
  /** alert and recording rules, `<rulesDir>/<tenant>/*.yaml` (docs/alerting.md); default `<dataDir>/rules` */
  rulesDir?: string;
  /** notification config (receivers, route, inhibit_rules; docs/alerting.md); undefined = alerts are not sent */
  alertingConfigFile?: string;
  /** the pipelines file (docs/pipeline.md) every ingested record goes through; undefined = none */
  pipelinesFile?: string;
  /** SIEM detection config (rules, mapping, actions): docs/siem.md */
  siemFile?: string;
}

export const DEFAULT_CONFIG: ServerConfig = {
  host: '127.0.0.1',
  port: 3100,
  dataDir: './data',
  memoryLimitMb: 1024,
  tenantKeys: {},
  limits: DEFAULT_LIMITS,
  retentionMs: 0,
  sealRows: 250_000,
  sealAgeMs: 5 * 60_000,
  forward: { port: 24224, tenant: DEFAULT_TENANT },
  syslog: { port: 1514, tenant: DEFAULT_TENANT },
  otlp: {},
};

/** The socket listeners' conventional ports, for `--<listener>-port` help and docs. */
export const DEFAULT_PORTS = { forward: 24224, syslog: 1514, syslogTls: 6514, otlpGrpc: 4317, otlpHttp: 4318 } as const;

export class ConfigError extends Error {}

type Raw = Record<string, unknown>;

function expectObject(v: unknown, where: string): Raw {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ConfigError(`${where}: expected a mapping`);
  return v as Raw;
}

function expectNumber(v: unknown, where: string, min = 0): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) throw new ConfigError(`${where}: expected a number ≥ ${min}, got ${JSON.stringify(v)}`);
  return v;
}

function expectString(v: unknown, where: string): string {
  if (typeof v !== 'string' || v === '') throw new ConfigError(`${where}: expected a non-empty string, got ${JSON.stringify(v)}`);
  return v;
}

/** Parses durations such as 30s, 5m, 12h, 7d into milliseconds. */
export function parseDurationMs(v: unknown, where: string): number {
  if (typeof v === 'number') return expectNumber(v, where) * 1000;
  const m = typeof v === 'string' ? /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/.exec(v.trim()) : null;
  if (!m) throw new ConfigError(`${where}: expected a duration like 30s, 5m, 12h or 7d, got ${JSON.stringify(v)}`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[m[2]]!;
  return Number(m[1]) * unit;
}

const KNOWN_KEYS = ['host', 'port', 'data_dir', 'memory_limit_mb', 'tls', 'auth', 'limits', 'retention', 'seal_rows', 'seal_age', 'forward', 'syslog', 'otlp', 'rules_dir', 'alerting_config', 'pipelines', 'siem'];

/** A listener port from a config file: 0 disables (undefined), otherwise 1-65535. */
function listenerPort(v: unknown, where: string): number | undefined {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 65535) throw new ConfigError(`${where}: expected an integer port 0-65535 (0 disables), got ${JSON.stringify(v)}`);
  return v === 0 ? undefined : v;
}

function tlsFiles(v: unknown, where: string): TlsFiles {
  const t = expectObject(v, where);
  for (const k of Object.keys(t)) {
    if (!['cert_file', 'key_file', 'client_ca_file'].includes(k)) throw new ConfigError(`${where}.${k}: unknown key (expected cert_file, key_file, client_ca_file)`);
  }
  const files: TlsFiles = { certFile: expectString(t.cert_file, `${where}.cert_file`), keyFile: expectString(t.key_file, `${where}.key_file`) };
  if (t.client_ca_file !== undefined) files.clientCaFile = expectString(t.client_ca_file, `${where}.client_ca_file`);
  return files;
}

function onlyKeys(obj: Raw, allowed: string[], where: string): void {
  for (const k of Object.keys(obj)) if (!allowed.includes(k)) throw new ConfigError(`${where}.${k}: unknown key (expected one of ${allowed.join(', ')})`);
}

/** Reads a YAML config file onto a base config. */
export function loadConfigFile(file: string, base: ServerConfig): ServerConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`${file}: cannot read config file: ${(e as Error).message}`);
  }
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    const line = err.linePos?.[0]?.line ?? '?';
    throw new ConfigError(`${file}:${line}: invalid YAML: ${err.message.split('\n')[0]}`);
  }
  // the line of a top-level key: an unindented `key:` (quoted or not)
  const topLevelLines = new Map<string, number>();
  text.split('\n').forEach((line, i) => {
    const m = /^(?:"([^"]+)"|'([^']+)'|([^\s#:'"][^:]*?))\s*:/.exec(line);
    const key = m ? (m[1] ?? m[2] ?? m[3]) : undefined;
    if (key !== undefined && !topLevelLines.has(key)) topLevelLines.set(key, i + 1);
  });
  const lineOf = (key: string): string => {
    const line = topLevelLines.get(key);
    return line === undefined ? '' : ':' + line;
  };
  const raw = expectObject(doc.toJS() ?? {}, file);
  const cfg: ServerConfig = { ...base, limits: { ...base.limits }, tenantKeys: { ...base.tenantKeys } };
  for (const key of Object.keys(raw)) {
    const where = `${file}${lineOf(key)}: ${key}`;
    const v = raw[key];
    switch (key) {
      case 'host': cfg.host = expectString(v, where); break;
      case 'port':
        cfg.port = expectNumber(v, where);
        if (!Number.isInteger(cfg.port) || cfg.port > 65535) throw new ConfigError(`${where}: expected an integer port 0-65535, got ${JSON.stringify(v)}`);
        break;
      case 'data_dir': cfg.dataDir = expectString(v, where); break;
      case 'rules_dir': cfg.rulesDir = expectString(v, where); break;
      case 'alerting_config': cfg.alertingConfigFile = expectString(v, where); break;
      // relative to the config file, like any path a config file names
      case 'pipelines': cfg.pipelinesFile = path.resolve(path.dirname(file), expectString(v, where)); break;
      case 'siem': cfg.siemFile = path.resolve(path.dirname(file), expectString(v, where)); break;
      case 'memory_limit_mb': cfg.memoryLimitMb = expectNumber(v, where, 128); break;
      case 'retention': cfg.retentionMs = v === 0 || v === '0' ? 0 : parseDurationMs(v, where); break;
      case 'seal_rows': cfg.sealRows = expectNumber(v, where, 1000); break;
      case 'seal_age': cfg.sealAgeMs = parseDurationMs(v, where); break;
      case 'tls': cfg.tls = tlsFiles(v, where); break;
      case 'forward': {
        const f = expectObject(v, where);
        onlyKeys(f, ['port', 'tls', 'shared_key', 'tenant'], where);
        const port = f.port === undefined ? DEFAULT_PORTS.forward : listenerPort(f.port, `${where}.port`);
        if (port === undefined) {
          cfg.forward = undefined;
          break;
        }
        cfg.forward = { port, tenant: f.tenant === undefined ? DEFAULT_TENANT : expectString(f.tenant, `${where}.tenant`) };
        if (f.tls !== undefined) cfg.forward.tls = tlsFiles(f.tls, `${where}.tls`);
        if (f.shared_key !== undefined) cfg.forward.sharedKey = expectString(f.shared_key, `${where}.shared_key`);
        break;
      }
      case 'syslog': {
        const sl = expectObject(v, where);
        onlyKeys(sl, ['port', 'tls_port', 'tls', 'tenant', 'allow_unauthenticated'], where);
        const syslog: SyslogConfig = { tenant: sl.tenant === undefined ? DEFAULT_TENANT : expectString(sl.tenant, `${where}.tenant`) };
        syslog.port = sl.port === undefined ? DEFAULT_PORTS.syslog : listenerPort(sl.port, `${where}.port`);
        if (sl.tls_port !== undefined) syslog.tlsPort = listenerPort(sl.tls_port, `${where}.tls_port`);
        if (sl.tls !== undefined) syslog.tls = tlsFiles(sl.tls, `${where}.tls`);
        if (sl.allow_unauthenticated !== undefined) {
          if (typeof sl.allow_unauthenticated !== 'boolean') throw new ConfigError(`${where}.allow_unauthenticated: expected true or false`);
          syslog.allowUnauthenticated = sl.allow_unauthenticated;
        }
        cfg.syslog = syslog.port === undefined && syslog.tlsPort === undefined ? undefined : syslog;
        break;
      }
      case 'otlp': {
        const o = expectObject(v, where);
        onlyKeys(o, ['grpc_port', 'http_port'], where);
        cfg.otlp = {};
        if (o.grpc_port !== undefined) cfg.otlp.grpcPort = listenerPort(o.grpc_port, `${where}.grpc_port`);
        if (o.http_port !== undefined) cfg.otlp.httpPort = listenerPort(o.http_port, `${where}.http_port`);
        break;
      }
      case 'auth': {
        const a = expectObject(v, where);
        const tenants = expectObject(a.tenants, `${where}.tenants`);
        for (const [tenant, tv] of Object.entries(tenants)) {
          const keys = expectObject(tv, `${where}.tenants.${tenant}`).api_keys;
          if (!Array.isArray(keys) || keys.length === 0) throw new ConfigError(`${where}.tenants.${tenant}.api_keys: expected a non-empty list of keys`);
          cfg.tenantKeys[tenant] = keys.map((k, i) => expectString(k, `${where}.tenants.${tenant}.api_keys[${i}]`));
        }
        break;
      }
      case 'limits': {
        const l = expectObject(v, where);
        for (const [lk, lv] of Object.entries(l)) {
          const w = `${where}.${lk}`;
          switch (lk) {
            case 'max_line_bytes': cfg.limits.maxLineBytes = expectNumber(lv, w, 1); break;
            case 'max_age': cfg.limits.maxAgeMs = parseDurationMs(lv, w); break;
            case 'max_future': cfg.limits.maxFutureMs = parseDurationMs(lv, w); break;
            case 'max_labels': cfg.limits.maxLabels = expectNumber(lv, w, 1); break;
            case 'max_body_bytes': cfg.limits.maxBodyBytes = expectNumber(lv, w, 1024); break;
            default: throw new ConfigError(`${w}: unknown key (expected max_line_bytes, max_age, max_future, max_labels, max_body_bytes)`);
          }
        }
        break;
      }
      default:
        throw new ConfigError(`${where}: unknown key (expected one of ${KNOWN_KEYS.join(', ')})`);
    }
  }
  return cfg;
}

export function authEnabled(cfg: ServerConfig): boolean {
  return Object.keys(cfg.tenantKeys).length > 0;
}

/** Refuses configurations that would expose data: a non-loopback bind without authentication. */
export function checkExposure(cfg: ServerConfig): void {
  const loopback = cfg.host === '127.0.0.1' || cfg.host === 'localhost' || cfg.host === '::1';
  if (!loopback && !authEnabled(cfg)) {
    throw new ConfigError(`refusing to listen on ${cfg.host} without authentication: configure auth.tenants.<tenant>.api_keys in --config, or bind to 127.0.0.1`);
  }
  const syslogTls = cfg.syslog?.tls ?? cfg.tls;
  if (cfg.syslog?.tlsPort !== undefined && !syslogTls) {
    throw new ConfigError('syslog.tls_port needs a certificate: set syslog.tls (or the server tls) with cert_file and key_file');
  }
  if (!loopback) {
    // reachable from other machines: the socket protocols must not become a way around the API keys
    if (cfg.forward && !cfg.forward.sharedKey) {
      throw new ConfigError(`forward: listening on ${cfg.host} needs forward.shared_key (clients log in with username = tenant, password = API key); or set forward.port: 0 (--forward-port 0) to turn it off`);
    }
    const syslogAuthenticated = cfg.syslog?.port === undefined && (cfg.syslog?.tlsPort === undefined || syslogTls?.clientCaFile !== undefined);
    if (cfg.syslog && !syslogAuthenticated && !cfg.syslog.allowUnauthenticated) {
      throw new ConfigError(`syslog: listening on ${cfg.host}, but syslog carries no credentials: use syslog.tls_port with syslog.tls.client_ca_file (mutual TLS), set syslog.allow_unauthenticated: true, or turn syslog off with syslog.port: 0 (--syslog-port 0)`);
    }
  }
}
