// POSTs a notification body to a receiver's HTTP endpoint with a timeout, and sorts failures into retryable
// (network, timeout, 408, 425, 429, 5xx) and permanent (other 4xx). Error texts never carry the URL (it can be the
// secret) and are passed through secret redaction.

import { redactSecrets } from '../secret-value.ts';
import { DeliveryError } from './integration.ts';

export interface PostResult {
  status: number;
  body: string;
}

export async function postBody(url: string, body: string, headers: Record<string, string>, signal: AbortSignal, what: string): Promise<PostResult> {
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers: { 'User-Agent': 'Sightline', ...headers }, body, signal, redirect: 'error' });
  } catch (e) {
    const cause = (e as { cause?: { message?: string; code?: string } }).cause;
    const why = signal.aborted ? 'timed out' : cause?.code ?? cause?.message ?? (e as Error).message;
    throw new DeliveryError(redactSecrets(`${what}: request failed: ${why}`), true);
  }
  const text = await res.text().catch(() => '');
  if (res.status >= 200 && res.status < 300) return { status: res.status, body: text };
  const retry = res.status === 408 || res.status === 425 || res.status === 429 || res.status >= 500;
  throw new DeliveryError(redactSecrets(`${what}: HTTP ${res.status}${text ? `: ${text.slice(0, 300)}` : ''}`), retry);
}

export function postJson(url: string, value: unknown, headers: Record<string, string>, signal: AbortSignal, what: string): Promise<PostResult> {
  return postBody(url, JSON.stringify(value), { 'Content-Type': 'application/json', ...headers }, signal, what);
}
