// One HTTP(S) POST for the HTTP-based sinks, with TLS options (a CA to trust, a client certificate for mutual
// TLS), gzip, keep-alive, a timeout, and the status mapped onto retryable or not.

import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { gzip } from 'node:zlib';
import { promisify } from 'node:util';

// compression runs on libuv's thread pool, off the agent's main thread
const gzipAsync = promisify(gzip);
import type { ConfigNode } from '../../config/config-node.ts';
import { DeliveryError } from './sink.ts';

export interface HttpTarget {
  url: URL;
  headers: Record<string, string>;
  agent: http.Agent;
  gzip: boolean;
  timeoutMs: number;
}

export interface HttpReply {
  status: number;
  text: string;
}

/** Reads `url`, `tls`, `headers`, `compression`, `timeout` and the credentials (`api_key`, `api_key_file`). */
export function httpTarget(node: ConfigNode, configDir: string, authScheme: 'Bearer' | 'ApiKey' | 'Splunk' = 'Bearer'): HttpTarget {
  const urlText = node.get('url').string();
  const url = URL.canParse(urlText) ? new URL(urlText) : node.get('url').fail(`expected an http:// or https:// URL, got ${JSON.stringify(urlText)}`);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') node.get('url').fail(`expected an http:// or https:// URL, got ${JSON.stringify(urlText)}`);
  const headers: Record<string, string> = { ...node.get('headers').stringMap({}) };
  const key = secretValue(node, 'api_key', configDir);
  if (key) headers.Authorization = `${authScheme} ${key}`;
  const tenant = node.get('tenant').optionalString();
  if (tenant) headers['X-Scope-OrgID'] = tenant;
  const tls = node.get('tls');
  const read = (k: string): Buffer | undefined => {
    const f = tls.get(k).optionalString();
    if (f === undefined) return undefined;
    try {
      return readFileSync(resolvePath(f, configDir));
    } catch (e) {
      tls.get(k).fail(`cannot read ${f}: ${(e as Error).message}`);
    }
  };
  if (tls.exists) tls.onlyKeys(['ca_file', 'cert_file', 'key_file', 'insecure_skip_verify', 'server_name']);
  const agent =
    url.protocol === 'https:'
      ? new https.Agent({
          keepAlive: true,
          ca: read('ca_file'),
          cert: read('cert_file'),
          key: read('key_file'),
          rejectUnauthorized: !tls.get('insecure_skip_verify').boolean(false),
          servername: tls.get('server_name').optionalString(),
        })
      : new http.Agent({ keepAlive: true });
  const gzip = node.get('compression').oneOf(['gzip', 'none'], 'gzip') === 'gzip';
  return { url, headers, agent, gzip, timeoutMs: node.get('timeout').durationMs(30_000) };
}

/** A secret given inline, from a file (`<key>_file`) or from the environment (`${VAR}` inline). */
export function secretValue(node: ConfigNode, key: string, configDir: string): string | undefined {
  const inline = node.get(key).optionalString();
  const file = node.get(`${key}_file`).optionalString();
  if (inline !== undefined && file !== undefined) node.get(key).fail(`give ${key} or ${key}_file, not both`);
  if (file !== undefined) {
    try {
      return readFileSync(resolvePath(file, configDir), 'utf8').trim();
    } catch (e) {
      node.get(`${key}_file`).fail(`cannot read ${file}: ${(e as Error).message}`);
    }
  }
  if (inline === undefined) return undefined;
  const env = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(inline);
  if (env) {
    const v = process.env[env[1]];
    if (v === undefined) node.get(key).fail(`environment variable ${env[1]} is not set`);
    return v;
  }
  return inline;
}

export function resolvePath(p: string, configDir: string): string {
  return p.startsWith('/') ? p : `${configDir}/${p}`;
}

/**
 * POSTs a body; 2xx resolves; 429/5xx/network errors reject retryable; other 4xx reject not retryable.
 * `gzipped`: the body is already gzip (a sealed buffered batch, see buffer.ts): sent as is.
 */
export async function post(target: HttpTarget, path: string, body: Buffer | string, contentType: string, gzipped = false): Promise<HttpReply> {
  const raw = typeof body === 'string' ? Buffer.from(body) : body;
  const payload = target.gzip && !gzipped ? await gzipAsync(raw, { level: 1 }) : raw;
  const headers: Record<string, string | number> = { ...target.headers, 'Content-Type': contentType, 'Content-Length': payload.length };
  if (target.gzip) headers['Content-Encoding'] = 'gzip';
  const url = new URL(path, target.url);
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise<HttpReply>((resolve, reject) => {
    const req = mod.request(url, { method: 'POST', headers, agent: target.agent, timeout: target.timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (e) => reject(new DeliveryError(`${url.host}: reply broken: ${e.message}`, true)));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        const text = Buffer.concat(chunks).toString('utf8');
        if (status >= 200 && status < 300) return resolve({ status, text });
        const retryAfter = Number(res.headers['retry-after']);
        const retryable = status === 429 || status === 408 || status >= 500 || status === 401 || status === 403;
        reject(new DeliveryError(`${url.host}${url.pathname} answered ${status}: ${text.slice(0, 300)}`, retryable, Number.isFinite(retryAfter) ? retryAfter * 1000 : undefined, `http_${status}`));
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no reply within ${target.timeoutMs} ms`)));
    req.on('error', (e) => reject(networkError(url.host, e)));
    req.end(payload);
  });
}

/** TLS verification failures of the server's certificate, as Node names them */
const SERVER_CERT_CODES = /^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|CERT_HAS_EXPIRED|CERT_NOT_YET_VALID|ERR_TLS_CERT_ALTNAME_INVALID)$/;

/** A failed connection, said in terms of what to fix (retryable: the destination or the config may be fixed). */
function networkError(host: string, e: Error & { code?: string }): DeliveryError {
  const code = e.code ?? '';
  const detail = e.message.replace(/^[0-9A-F]+:error:[0-9A-F]+:SSL routines:[^:]*:/, '').replace(/:\.\.\/deps\/openssl\S*/, '');
  // RFC 8446 §6.2 alert 116 certificate_required; 42/43/46/48 when the certificate sent was not accepted
  if (code === 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' || /alert certificate required/i.test(e.message)) {
    return new DeliveryError(`${host}: the server requires a client certificate (mutual TLS): set tls.cert_file and tls.key_file (${detail})`, true, undefined, 'tls_client_certificate_required');
  }
  if (/alert (bad certificate|unknown ca|certificate unknown|unsupported certificate|certificate expired)/i.test(e.message)) {
    return new DeliveryError(`${host}: the server refused the client certificate: is tls.cert_file signed by a CA the server trusts (its tls.client_ca_file), and valid? (${detail})`, true, undefined, 'tls_client_certificate_rejected');
  }
  if (SERVER_CERT_CODES.test(code)) {
    return new DeliveryError(`${host}: the server's certificate is not trusted (${code}: ${e.message}): set tls.ca_file to the CA that signed it, or tls.server_name to the name it carries`, true, undefined, 'tls_server_certificate');
  }
  if (code === 'ECONNREFUSED') return new DeliveryError(`${host}: ${e.message}`, true, undefined, 'connection_refused');
  return new DeliveryError(`${host}: ${e.message}`, true, undefined, 'network');
}
