// Authentication in the browser: with API keys configured the UI asks for one (kept in sessionStorage) and sends
// it as Bearer; a key serving several tenants gets a tenant picker (X-Scope-OrgID), and the live tail follows it over a ticketed WebSocket.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { nowNs, push, withServer } from '../integration/harness.ts';
import { closeBrowser, openPage, resultCount, runQuery, skipBrowser, visibleLines } from './browser.ts';

after(closeBrowser);

const KEYS = { 'team-a': ['key-a', 'key-both'], 'team-b': ['key-both'] };

test('the UI asks for a key, rejects a wrong one, and reads only its tenants', { skip: skipBrowser }, async () => {
  await withServer({ tenantKeys: KEYS }, async (s) => {
    await push(s.url, [{ stream: { app: 'web' }, values: [[String(nowNs(-60_000)), 'line of team a']] }], { key: 'key-a' });
    await push(s.url, [{ stream: { app: 'web' }, values: [[String(nowNs(-60_000)), 'line of team b']] }], { key: 'key-both', tenant: 'team-b' });

    const { page, context, errors } = await openPage(`${s.url}/`);
    const keyBox = page.getByLabel('API key');
    await keyBox.waitFor();
    await keyBox.fill('wrong-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'invalid API key' }).waitFor();
    await keyBox.fill('key-a');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await runQuery(page, '{app="web"}');
    await resultCount(page, 1);
    assert.deepEqual(await visibleLines(page), ['line of team a']);
    // one tenant: no picker
    assert.equal(await page.getByRole('combobox', { name: 'Tenant' }).count(), 0);
    // the key lasts for the tab: a reload does not ask again
    await page.reload();
    await resultCount(page, 1);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('sightline.apiKey')), 'key-a');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await keyBox.waitFor();
    await keyBox.fill('key-both');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const picker = page.getByRole('combobox', { name: 'Tenant' });
    await picker.waitFor();
    assert.deepEqual(await picker.locator('option').allTextContents(), ['team-a', 'team-b']);
    await resultCount(page, 1);
    await picker.selectOption('team-b');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('org') === 'team-b');
    await page.waitForFunction(() => document.querySelector('.line-text')?.textContent === 'line of team b');
    assert.deepEqual(await visibleLines(page), ['line of team b']);

    // live tail for that tenant: a real WebSocket, authenticated by a single-use ticket (no polling, no key in a URL)
    const requests: string[] = [];
    const sockets: string[] = [];
    page.on('request', (r) => requests.push(new URL(r.url()).pathname));
    page.on('websocket', (ws) => sockets.push(ws.url()));
    await page.getByRole('button', { name: 'Live' }).click();
    await page.waitForFunction(() => document.querySelector('.tail-bar')?.textContent?.includes('Live via WebSocket'));
    await push(s.url, [{ stream: { app: 'web' }, values: [[String(nowNs()), 'tailed for team b']] }], { key: 'key-both', tenant: 'team-b' });
    await page.locator('.line-text', { hasText: 'tailed for team b' }).waitFor({ timeout: 3000 });
    assert.ok(requests.includes('/ui/api/tail-ticket'), requests.join(' '));
    assert.deepEqual(requests.filter((p) => p === '/loki/api/v1/query_range'), [], 'the tail polled instead of streaming');
    assert.equal(sockets.length, 1);
    assert.match(sockets[0], /[?&]ticket=[\w-]{43}(&|$)/);
    assert.ok(!sockets[0].includes('key-both') && !sockets[0].includes('@'), `the key leaked into ${sockets[0]}`);
    assert.deepEqual(errors, []);
    await context.close();
  });
});
