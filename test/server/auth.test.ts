// Tests of authentication and tenant selection: with auth off the X-Scope-OrgID header (or the default tenant)
// decides; with auth on a key is required (Bearer or Basic) and limits the tenants a request may act as.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { AuthError, Authenticator } from '../../src/server/auth.ts';

const req = (headers: Record<string, string | string[]>): IncomingMessage => ({ headers }) as unknown as IncomingMessage;
const bearer = (key: string) => `Bearer ${key}`;
const basic = (user: string, key: string) => `Basic ${Buffer.from(`${user}:${key}`).toString('base64')}`;

function authError(fn: () => unknown): AuthError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof AuthError, `expected an AuthError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected an AuthError');
}
const expectAuthError = (fn: () => unknown, status: 401 | 403, message: string) => {
  const e = authError(fn);
  assert.equal(e.status, status);
  assert.equal(e.message, message);
};

const SINGLE = 'X-Scope-OrgID must name exactly one tenant for this endpoint';
const invalidTenant = (t: string) => `invalid tenant ID "${t}" in X-Scope-OrgID`;

test('auth off: the tenant comes from X-Scope-OrgID or is "default"', async (t) => {
  const auth = new Authenticator({});
  assert.equal(auth.enabled, false);
  const cases: [Record<string, string | string[]>, boolean, string[]][] = [
    [{}, false, ['default']],
    [{}, true, ['default']],
    [{ 'x-scope-orgid': '' }, false, ['default']],
    [{ 'x-scope-orgid': '   ' }, true, ['default']],
    [{ 'x-scope-orgid': 'acme' }, false, ['acme']],
    [{ 'x-scope-orgid': ' acme ' }, false, ['acme']],
    [{ 'x-scope-orgid': 'acme' }, true, ['acme']],
    [{ 'x-scope-orgid': 'a|b' }, true, ['a', 'b']],
    [{ 'x-scope-orgid': 'a | b | c' }, true, ['a', 'b', 'c']],
    [{ 'x-scope-orgid': 'a|b|a' }, true, ['a', 'b']],
    [{ 'x-scope-orgid': ['first', 'second'] }, false, ['first']],
    [{ 'x-scope-orgid': "team-1_prod.eu!*'()" }, false, ["team-1_prod.eu!*'()"]],
    [{ 'x-scope-orgid': 'x'.repeat(150) }, false, ['x'.repeat(150)]],
    [{ 'x-scope-orgid': 'acme', authorization: 'Bearer anything' }, false, ['acme']],
  ];
  for (const [headers, multi, expected] of cases) {
    await t.test(`${JSON.stringify(headers)} multi=${multi}`, () => assert.deepEqual(auth.tenants(req(headers), multi), expected));
  }
});

test('auth off: several tenants are refused where exactly one is needed', () => {
  const auth = new Authenticator({});
  expectAuthError(() => auth.tenants(req({ 'x-scope-orgid': 'a|b' }), false), 403, SINGLE);
  expectAuthError(() => auth.tenants(req({ 'x-scope-orgid': 'a|b|c' }), false), 403, SINGLE);
});

test('invalid tenant IDs are refused with 403', async (t) => {
  const cases = ['.', '..', 'a/b', 'a b', 'ümlaut', 'x'.repeat(151), 'a;b', 'a\\b', 'a:b', 'a@b'];
  for (const enabled of [false, true]) {
    const auth = new Authenticator(enabled ? { acme: ['k'] } : {});
    for (const tenant of cases) {
      await t.test(`auth ${enabled ? 'on' : 'off'}: ${JSON.stringify(tenant.slice(0, 20))}`, () => {
        expectAuthError(() => auth.tenants(req({ 'x-scope-orgid': tenant, authorization: bearer('k') }), true), 403, invalidTenant(tenant));
      });
    }
  }
  await t.test('an empty member of a|b list', () => {
    const auth = new Authenticator({});
    expectAuthError(() => auth.tenants(req({ 'x-scope-orgid': 'a||b' }), true), 403, invalidTenant(''));
    expectAuthError(() => auth.tenants(req({ 'x-scope-orgid': 'a|..' }), true), 403, invalidTenant('..'));
  });
});

const KEYS = {
  acme: ['acme-key', 'shared-key'],
  globex: ['globex-key', 'shared-key'],
  default: ['default-and-ops-key'],
  ops: ['default-and-ops-key', 'ops-key'],
};

test('auth on: a key is required and must be known (401)', async (t) => {
  const auth = new Authenticator(KEYS);
  assert.equal(auth.enabled, true);
  const required = 'authentication required: send Authorization: Bearer <api key>';
  const cases: [string, Record<string, string>, string][] = [
    ['no Authorization header', { 'x-scope-orgid': 'acme' }, required],
    ['no header at all', {}, required],
    ['empty Authorization', { authorization: '' }, required],
    ['Bearer without a key', { authorization: 'Bearer' }, required],
    ['unknown scheme', { authorization: 'Token acme-key' }, required],
    ['Basic without a colon', { authorization: `Basic ${Buffer.from('acme-key').toString('base64')}` }, required],
    ['wrong Bearer key', { authorization: bearer('nope') }, 'invalid API key'],
    ['key with a different case', { authorization: bearer('ACME-KEY') }, 'invalid API key'],
    ['prefix of a key', { authorization: bearer('acme') }, 'invalid API key'],
    ['wrong Basic password', { authorization: basic('acme', 'nope') }, 'invalid API key'],
    ['Basic with the key as user name', { authorization: basic('acme-key', '') }, 'invalid API key'],
  ];
  for (const [name, headers, message] of cases) {
    await t.test(name, () => expectAuthError(() => auth.tenants(req(headers), false), 401, message));
  }
});

test('auth on: Bearer and Basic keys select their tenants', async (t) => {
  const auth = new Authenticator(KEYS);
  const cases: [string, Record<string, string>, boolean, string[]][] = [
    ['Bearer, key with one tenant, no header', { authorization: bearer('acme-key') }, false, ['acme']],
    ['bearer (lowercase scheme)', { authorization: 'bearer globex-key' }, false, ['globex']],
    ['BEARER with extra spaces', { authorization: 'BEARER   ops-key' }, false, ['ops']],
    ['Basic, password is the key', { authorization: basic('anyone', 'acme-key') }, false, ['acme']],
    ['Basic, empty user name', { authorization: basic('', 'globex-key') }, false, ['globex']],
    ['header naming the key\'s tenant', { authorization: bearer('acme-key'), 'x-scope-orgid': 'acme' }, false, ['acme']],
    ['shared key, header picks one', { authorization: bearer('shared-key'), 'x-scope-orgid': 'globex' }, false, ['globex']],
    ['shared key, a|b for queries', { authorization: bearer('shared-key'), 'x-scope-orgid': 'acme|globex' }, true, ['acme', 'globex']],
    ['shared key, a|b|a deduplicated', { authorization: bearer('shared-key'), 'x-scope-orgid': 'acme|globex|acme' }, true, ['acme', 'globex']],
    ['key of default and ops, no header → default', { authorization: bearer('default-and-ops-key') }, false, ['default']],
    ['key of default and ops, header ops', { authorization: bearer('default-and-ops-key'), 'x-scope-orgid': 'ops' }, false, ['ops']],
  ];
  for (const [name, headers, multi, expected] of cases) {
    await t.test(name, () => assert.deepEqual(auth.tenants(req(headers), multi), expected));
  }
});

test('auth on: a key with a colon inside works through Basic', () => {
  const auth = new Authenticator({ acme: ['sk:live:123'] });
  assert.deepEqual(auth.tenants(req({ authorization: basic('user', 'sk:live:123') }), false), ['acme']);
  assert.deepEqual(auth.tenants(req({ authorization: bearer('sk:live:123') }), false), ['acme']);
});

test('auth on: tenants the key may not act as are refused with 403', async (t) => {
  const auth = new Authenticator(KEYS);
  const cases: [string, Record<string, string>, boolean, string][] = [
    ['other tenant', { authorization: bearer('acme-key'), 'x-scope-orgid': 'globex' }, false, 'this API key may not access tenant "globex"'],
    ['unknown tenant', { authorization: bearer('acme-key'), 'x-scope-orgid': 'initech' }, false, 'this API key may not access tenant "initech"'],
    ['one of a|b not allowed', { authorization: bearer('acme-key'), 'x-scope-orgid': 'acme|globex' }, true, 'this API key may not access tenant "globex"'],
    ['default not implied', { authorization: bearer('acme-key'), 'x-scope-orgid': 'default' }, false, 'this API key may not access tenant "default"'],
    ['several tenants, none default, no header', { authorization: bearer('shared-key') }, false, 'this API key serves several tenants: choose one with X-Scope-OrgID'],
    ['a|b where one is needed', { authorization: bearer('shared-key'), 'x-scope-orgid': 'acme|globex' }, false, SINGLE],
    ['invalid tenant ID', { authorization: bearer('acme-key'), 'x-scope-orgid': '../etc' }, false, invalidTenant('../etc')],
  ];
  for (const [name, headers, multi, message] of cases) {
    await t.test(name, () => expectAuthError(() => auth.tenants(req(headers), multi), 403, message));
  }
});

test('a key configured for one tenant gives no access to another tenant\'s keys', () => {
  const auth = new Authenticator({ a: ['ka'], b: ['kb'] });
  assert.deepEqual(auth.tenants(req({ authorization: bearer('ka') }), false), ['a']);
  assert.deepEqual(auth.tenants(req({ authorization: bearer('kb') }), false), ['b']);
  expectAuthError(() => auth.tenants(req({ authorization: bearer('ka'), 'x-scope-orgid': 'b' }), false), 403, 'this API key may not access tenant "b"');
});
