// Tail tickets: a browser WebSocket cannot send Authorization or X-Scope-OrgID, so the UI first asks for a ticket
// with its headers (`POST /ui/api/tail-ticket`) and passes it as `?ticket=` on the `/loki/api/v1/tail` upgrade. A
// ticket is 256 random bits, single use, valid TICKET_TTL_MS, and bound to the tenants its request was allowed.

import { createHash, randomBytes } from 'node:crypto';
import { AuthError } from './auth.ts';

export const TICKET_TTL_MS = 30_000;
/** outstanding tickets kept at most: a flood of requests cannot grow memory without bound */
const MAX_OUTSTANDING = 10_000;

interface Grant {
  tenants: string[];
  expiresAtMs: number;
}

export class TailTickets {
  /** sha256(ticket) → grant: the tickets themselves are never held, so a heap dump shows none that still work */
  private readonly grants = new Map<string, Grant>();

  constructor(private readonly clock: () => number = Date.now) {}

  /** A new ticket for tenants an authenticated request may act as. */
  issue(tenants: string[]): { ticket: string; expiresInSeconds: number } {
    const now = this.clock();
    this.prune(now);
    if (this.grants.size >= MAX_OUTSTANDING) {
      // the oldest go first (Map keeps insertion order)
      const first = this.grants.keys().next();
      if (!first.done) this.grants.delete(first.value);
    }
    const ticket = randomBytes(32).toString('base64url');
    this.grants.set(digest(ticket), { tenants: [...tenants], expiresAtMs: now + TICKET_TTL_MS });
    return { ticket, expiresInSeconds: TICKET_TTL_MS / 1000 };
  }

  /** The tenants a ticket grants; it is spent by this call. Unknown, used or expired tickets are refused with 401. */
  redeem(ticket: string): string[] {
    const key = digest(ticket);
    const grant = this.grants.get(key);
    this.grants.delete(key);
    if (!grant || grant.expiresAtMs <= this.clock()) throw new AuthError(401, 'invalid or expired tail ticket: ask POST /ui/api/tail-ticket for a new one (tickets are single use, valid 30 s)');
    return grant.tenants;
  }

  private prune(now: number): void {
    for (const [k, g] of this.grants) if (g.expiresAtMs <= now) this.grants.delete(k);
  }
}

function digest(ticket: string): string {
  return createHash('sha256').update(ticket).digest('hex');
}
