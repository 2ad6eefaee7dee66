// Authentication and tenant selection. With keys configured, a request must carry one (Bearer, Basic with the key
// as password, Elasticsearch's ApiKey, or Splunk HEC's `Splunk <token>`) and may only act as the tenants that key is configured for.
// X-Scope-OrgID picks the tenant (Loki's convention), `a|b` picks several for queries.

import { timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { DEFAULT_TENANT } from '../model/record.ts';

export class AuthError extends Error {
  constructor(readonly status: 401 | 403, message: string) {
    super(message);
  }
}

const TENANT_ID = /^[a-zA-Z0-9!\-_.*'()]{1,150}$/;

export class Authenticator {
  /** sha256(key) → tenants; keys are compared by digest so their length leaks nothing */
  private readonly keyTenants = new Map<string, Set<string>>();

  constructor(tenantKeys: Record<string, string[]>) {
    for (const [tenant, keys] of Object.entries(tenantKeys)) {
      for (const key of keys) {
        const d = digest(key);
        let set = this.keyTenants.get(d);
        if (!set) this.keyTenants.set(d, (set = new Set()));
        set.add(tenant);
      }
    }
  }

  get enabled(): boolean {
    return this.keyTenants.size > 0;
  }

  /** The tenants a request acts as. `multi` allows `a|b` (queries); ingest must name exactly one. */
  tenants(req: IncomingMessage, multi: boolean): string[] {
    const header = req.headers['x-scope-orgid'];
    const requested = (Array.isArray(header) ? header[0] : header)?.trim();
    const names = requested ? requested.split('|').map((t) => t.trim()) : [];
    for (const t of names) {
      if (!TENANT_ID.test(t) || t === '.' || t === '..') throw new AuthError(403, `invalid tenant ID "${t}" in X-Scope-OrgID`);
    }
    if (names.length > 1 && !multi) throw new AuthError(403, 'X-Scope-OrgID must name exactly one tenant for this endpoint');
    if (!this.enabled) return names.length > 0 ? [...new Set(names)] : [DEFAULT_TENANT];

    const keys = presentedKeys(req);
    if (keys.length === 0) throw new AuthError(401, 'authentication required: send Authorization: Bearer <api key>');
    let allowed: Set<string> | undefined;
    for (let i = 0; i < keys.length && !allowed; i++) allowed = this.lookup(keys[i]);
    if (!allowed) throw new AuthError(401, 'invalid API key');
    if (names.length === 0) {
      if (allowed.size === 1) return [...allowed];
      if (allowed.has(DEFAULT_TENANT)) return [DEFAULT_TENANT];
      throw new AuthError(403, 'this API key serves several tenants: choose one with X-Scope-OrgID');
    }
    for (const t of names) if (!allowed.has(t)) throw new AuthError(403, `this API key may not access tenant "${t}"`);
    return [...new Set(names)];
  }

  /**
   * The tenant a socket protocol's credentials act as (Fluent Forward's handshake, gRPC metadata): `key` must be
   * a configured API key; `requested` (optional) must be one of its tenants. With authentication off, the
   * requested tenant or `fallback`.
   */
  tenantForKey(key: string | undefined, requested: string | undefined, fallback: string): string {
    if (requested !== undefined && (!TENANT_ID.test(requested) || requested === '.' || requested === '..')) throw new AuthError(403, `invalid tenant ID "${requested}"`);
    if (!this.enabled) return requested || fallback;
    if (!key) throw new AuthError(401, 'authentication required: present an API key');
    const allowed = this.lookup(key);
    if (!allowed) throw new AuthError(401, 'invalid API key');
    if (requested) {
      if (!allowed.has(requested)) throw new AuthError(403, `this API key may not access tenant "${requested}"`);
      return requested;
    }
    if (allowed.size === 1) return [...allowed][0];
    if (allowed.has(fallback)) return fallback;
    throw new AuthError(403, 'this API key serves several tenants: name one');
  }

  private lookup(key: string): Set<string> | undefined {
    const d = digest(key);
    for (const [k, tenants] of this.keyTenants) {
      if (timingSafeEqual(Buffer.from(k, 'hex'), Buffer.from(d, 'hex'))) return tenants;
    }
    return undefined;
  }
}

function digest(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** The candidate keys a request presents (usually one; an ApiKey credential may be read two ways). */
function presentedKeys(req: IncomingMessage): string[] {
  const h = req.headers.authorization;
  if (!h) return [];
  const [scheme, value] = h.split(/\s+/, 2);
  if (!value) return [];
  const s = scheme.toLowerCase();
  // Splunk HEC clients send `Authorization: Splunk <token>`; the token is a Sightline API key
  if (s === 'bearer' || s === 'splunk') return [value];
  if (s === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    return i >= 0 ? [decoded.slice(i + 1)] : [];
  }
  if (s === 'apikey') {
    // Elasticsearch clients send base64("<id>:<api_key>") (Filebeat's `api_key: id:key`, the JS client's
    // {id, api_key}) or an encoded key verbatim: the part after the colon is the key, else the value itself.
    const decoded = Buffer.from(value, 'base64');
    const text = decoded.toString('utf8');
    const i = text.indexOf(':');
    const canonical = decoded.toString('base64').replace(/=+$/, '') === value.replace(/=+$/, '');
    return canonical && i >= 0 && /^[\x20-\x7e]+$/.test(text) ? [text.slice(i + 1), value] : [value];
  }
  return [];
}
