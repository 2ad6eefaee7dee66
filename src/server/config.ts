// Server configuration: defaults, an optional YAML config file, then command-line flags (highest precedence).
// Every key is validated; an error names the file, the key and what was expected.

import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { DEFAULT_LIMITS, type IngestLimits } from '../ingest/limits.ts';

export interface ServerConfig {
  host: string;
  port: number;
  dataDir: string;
  /** total memory budget in MiB; DuckDB gets 40% */
  memoryLimitMb: number;
  tls?: { certFile: string; keyFile: string };
  /** tenant → API keys allowed to act as that tenant; empty = authentication off */
  tenantKeys: Record<string, string[]>;
  limits: IngestLimits;
  retentionMs: number;
  sealRows: number;
  sealAgeMs: number;
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
};

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

const KNOWN_KEYS = ['host', 'port', 'data_dir', 'memory_limit_mb', 'tls', 'auth', 'limits', 'retention', 'seal_rows', 'seal_age'];

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
      case 'memory_limit_mb': cfg.memoryLimitMb = expectNumber(v, where, 128); break;
      case 'retention': cfg.retentionMs = v === 0 || v === '0' ? 0 : parseDurationMs(v, where); break;
      case 'seal_rows': cfg.sealRows = expectNumber(v, where, 1000); break;
      case 'seal_age': cfg.sealAgeMs = parseDurationMs(v, where); break;
      case 'tls': {
        const t = expectObject(v, where);
        cfg.tls = { certFile: expectString(t.cert_file, `${where}.cert_file`), keyFile: expectString(t.key_file, `${where}.key_file`) };
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
}
