// Tests of Elasticsearch-style `Authorization: ApiKey …` credentials: base64("id:key") as Filebeat and the official
// clients send it, or the key verbatim; either way the key picks the tenant, and a wrong key is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { AuthError, Authenticator } from '../../src/server/auth.ts';

const req = (authorization: string, tenant?: string): IncomingMessage =>
  ({ headers: tenant ? { authorization, 'x-scope-orgid': tenant } : { authorization } }) as unknown as IncomingMessage;
const b64 = (s: string) => Buffer.from(s).toString('base64');

function status(fn: () => unknown): number {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof AuthError);
    return e.status;
  }
  return 200;
}

test('ApiKey credentials: encoded id:key, verbatim key, and refusals', () => {
  const auth = new Authenticator({ acme: ['s3cret-acme-key'], ops: ['c29tZTpvdGhlcg=='], both: ['shared'], other: ['shared'] });
  assert.deepEqual(auth.tenants(req(`ApiKey ${b64('filebeat:s3cret-acme-key')}`), false), ['acme']);
  assert.deepEqual(auth.tenants(req(`apikey ${b64('any-id:s3cret-acme-key')}`), false), ['acme']);
  assert.deepEqual(auth.tenants(req('ApiKey s3cret-acme-key'), false), ['acme']);
  // a configured key that itself looks like base64 of "id:key" still works verbatim
  assert.deepEqual(auth.tenants(req('ApiKey c29tZTpvdGhlcg=='), false), ['ops']);
  assert.deepEqual(auth.tenants(req(`ApiKey ${b64('x:shared')}`, 'other'), false), ['other']);
  assert.equal(status(() => auth.tenants(req(`ApiKey ${b64('filebeat:wrong')}`), false)), 401);
  assert.equal(status(() => auth.tenants(req('ApiKey'), false)), 401);
  assert.equal(status(() => auth.tenants(req(`ApiKey ${b64('x:s3cret-acme-key')}`, 'ops'), false)), 403);
});
