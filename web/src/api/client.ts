// The UI's HTTP client for Sightline's APIs: adds the API key (Bearer, kept in sessionStorage for this tab only)
// and the tenant (X-Scope-OrgID), turns error replies into ApiError with the server's message, and lets callers
// cancel. Also asks for the live tail's single-use ticket and builds its WebSocket URL (the key never goes in a URL).

export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const KEY_STORAGE = 'sightline.apiKey';

interface Credentials {
  key: string;
  tenant: string;
}

const credentials: Credentials = { key: readStoredKey(), tenant: '' };

function readStoredKey(): string {
  try {
    return sessionStorage.getItem(KEY_STORAGE) ?? '';
  } catch {
    return '';
  }
}

export function apiKey(): string {
  return credentials.key;
}

export function setApiKey(key: string): void {
  credentials.key = key;
  try {
    if (key) sessionStorage.setItem(KEY_STORAGE, key);
    else sessionStorage.removeItem(KEY_STORAGE);
  } catch {
    // storage refused (private mode): the key lives as long as the page
  }
}

/** Tenant(s) for X-Scope-OrgID; empty = the key's own (or `default` without authentication). */
export function setTenant(tenant: string): void {
  credentials.tenant = tenant;
}

export function tenant(): string {
  return credentials.tenant;
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const h: Record<string, string> = { Accept: 'application/json', ...extra };
  if (credentials.key) h.Authorization = `Bearer ${credentials.key}`;
  if (credentials.tenant) h['X-Scope-OrgID'] = credentials.tenant;
  return h;
}

export type Params = Record<string, string | number | undefined>;

function url(path: string, params: Params = {}): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') p.set(k, String(v));
  const qs = p.toString();
  return qs ? `${path}?${qs}` : path;
}

/** GET a JSON endpoint; throws ApiError (status and the server's message) on an error reply. */
export async function getJson<T>(path: string, params: Params = {}, opts: { signal?: AbortSignal; headers?: Record<string, string> } = {}): Promise<T> {
  const res = await fetch(url(path, params), { headers: headers(opts.headers), signal: opts.signal });
  return readReply<T>(res);
}

/** POST/PUT/DELETE with an optional JSON body; the reply's JSON (undefined when empty). */
export async function sendJson<T>(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, { method, headers: headers(body === undefined ? {} : { 'Content-Type': 'application/json' }), body: body === undefined ? undefined : JSON.stringify(body) });
  return readReply<T>(res);
}

async function readReply<T>(res: Response): Promise<T> {
  const text = await res.text();
  let body: unknown = text === '' ? undefined : text;
  try {
    if (text) body = JSON.parse(text);
  } catch {
    // not JSON: the text is the message
  }
  if (!res.ok) {
    const message = typeof body === 'object' && body !== null && 'message' in body ? String((body as { message: unknown }).message) : text || res.statusText;
    throw new ApiError(res.status, message);
  }
  return body as T;
}

/**
 * The tail's WebSocket URL. A browser WebSocket cannot send headers, so the key and tenant are presented once to
 * `POST /ui/api/tail-ticket`, and the single-use ticket it returns (valid 30 s) rides in the URL instead.
 */
export async function tailUrl(params: Params): Promise<string> {
  const loc = window.location;
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  const { ticket } = await sendJson<{ ticket: string }>('POST', '/ui/api/tail-ticket');
  return `${scheme}//${loc.host}${url('/loki/api/v1/tail', { ...params, ticket })}`;
}

export function isAbort(e: unknown): boolean {
  return e instanceof DOMException && e.name === 'AbortError';
}
