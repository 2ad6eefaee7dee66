// Tail tickets: single use, expire after 30 s, carry the tenants they were issued for, unguessable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AuthError } from '../../src/server/auth.ts';
import { TailTickets, TICKET_TTL_MS } from '../../src/server/tail-tickets.ts';

test('a ticket grants its tenants once', () => {
  const t = new TailTickets();
  const { ticket, expiresInSeconds } = t.issue(['team-a', 'team-b']);
  assert.equal(expiresInSeconds, 30);
  assert.match(ticket, /^[\w-]{43}$/);
  assert.deepEqual(t.redeem(ticket), ['team-a', 'team-b']);
  assert.throws(() => t.redeem(ticket), (e: unknown) => e instanceof AuthError && e.status === 401 && /invalid or expired tail ticket/.test(e.message));
});

test('a ticket expires, and unknown tickets are refused', () => {
  let now = 1_000_000;
  const t = new TailTickets(() => now);
  const a = t.issue(['default']).ticket;
  const b = t.issue(['default']).ticket;
  assert.notEqual(a, b);
  now += TICKET_TTL_MS - 1;
  assert.deepEqual(t.redeem(a), ['default']);
  now += 1;
  assert.throws(() => t.redeem(b), /invalid or expired/);
  assert.throws(() => t.redeem('made-up'), /invalid or expired/);
});
