// Accessibility of every page in both themes, checked by our own code (a11y-checks.ts; axe-core is MPL-2.0):
// accessible names from Chromium's accessibility tree, image alternatives, unique ids, tab order of the main
// controls, and text contrast of at least 4.5:1. Also the names the issue promises: the textbox "Query", the
// button "Run query" (Shift+Enter runs too), the toggle "Live", "Sightline" in the title, trace ids as links.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { nowNs, push, withServer } from '../integration/harness.ts';
import { audit, contrast, tabOrder } from './a11y-checks.ts';
import { alertingSetup, pushAttack, siemSetup } from './fixtures.ts';
import { closeBrowser, openPage, resultCount, skipBrowser } from './browser.ts';
import { screenshot } from './screenshots.ts';

after(closeBrowser);

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const THEMES = ['dark', 'light'] as const;

test('the contrast arithmetic matches WCAG', () => {
  assert.equal(contrast([0, 0, 0], [255, 255, 255]), 21);
  assert.equal(contrast([255, 255, 255], [255, 255, 255]), 1);
  // #767676 on white is the well-known lightest grey passing 4.5:1; #777777 just fails
  assert.ok(contrast([0x76, 0x76, 0x76], [255, 255, 255]) >= 4.5);
  assert.ok(contrast([0x77, 0x77, 0x77], [255, 255, 255]) < 4.5);
});

/** Asserts `wanted` names appear in `order` in that sequence. */
function assertInOrder(order: string[], wanted: string[], page: string): void {
  let last = -1;
  for (const w of wanted) {
    const i = order.findIndex((n, k) => k > last && n === w);
    assert.ok(i > last, `${page}: Tab does not reach "${w}" after "${wanted[wanted.indexOf(w) - 1] ?? 'the start'}"; order: ${JSON.stringify(order)}`);
    last = i;
  }
}

async function check(page: Page, name: string): Promise<void> {
  assert.match(await page.title(), /Sightline/, `${name}: title`);
  assert.deepEqual(await audit(page), [], name);
}

test('every page passes the checks in both themes', { skip: skipBrowser }, async () => {
  const hook = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end());
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
  const alerting = alertingSetup(`http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`);
  const siem = siemSetup();
  try {
    await withServer({ dataDir: alerting.dataDir, alertingConfigFile: alerting.alertingConfigFile, siemFile: siem.siemFile }, async (s) => {
      const t0 = nowNs(-60_000);
      // half an hour of a shop's lines (every level, a trace id), so the screenshots show something
      const at = (minAgo: number, i: number) => String(t0 - BigInt(Math.round(minAgo * 60_000 + i * 7_000)) * 1_000_000n);
      const paths = ['/cart', '/checkout', '/orders/17', '/search?q=lamp'];
      await push(s.url, [
        { stream: { service: 'checkout', level: 'error' }, values: [[String(t0), `payment failed: card declined trace_id=${TRACE}`], ...[3, 11, 12, 13, 27].map((m, i) => [at(m, i), `POST /checkout 502 upstream timeout after 30s trace_id=${(0xabc000 + i).toString(16)}`])] },
        { stream: { service: 'checkout', level: 'warn' }, values: [4, 9, 19, 22].map((m, i) => [at(m, i), `GET ${paths[i]} 200 slow: took=${900 + i * 130}ms`]) },
        { stream: { service: 'checkout', level: 'info' }, values: [[String(t0 + 1_000_000n), 'order placed', { user: 'ann' }], ...Array.from({ length: 21 }, (_, i) => [at(i * 1.4, i), `GET ${paths[i % 4]} 200 took=${40 + i * 3}ms`, { user: i % 3 ? 'ann' : 'bob' }])] },
      ]);
      await pushAttack(s.url);
      const q = encodeURIComponent('{service="checkout"}');
      for (const theme of THEMES) {
        const explore = await openPage(`${s.url}/ui/explore?q=${q}`, { colorScheme: theme });
        const p = explore.page;
        await resultCount(p, 32);
        // a trace id in a line is a link
        await p.getByRole('link', { name: TRACE }).first().waitFor();
        await p.locator('.log-row').first().getByRole('button', { name: 'Show details' }).click();
        await check(p, `Explore (${theme})`);
        if (theme === 'dark') await screenshot(p, 'explore');
        assertInOrder(await tabOrder(p, 40), ['Explore', 'Dashboards', 'Alerts', 'Detections', 'Query', 'Run query', 'Live'], `Explore (${theme})`);
        // Shift+Enter runs the query
        await p.getByRole('textbox', { name: 'Query' }).fill('{service="checkout", level="info"} |= "order placed"');
        await p.getByRole('textbox', { name: 'Query' }).press('Shift+Enter');
        await resultCount(p, 1);
        await p.getByRole('button', { name: 'Live' }).waitFor();
        await p.getByRole('button', { name: 'Builder' }).click();
        await p.getByRole('region', { name: 'Query builder' }).waitFor();
        await check(p, `Explore with the query builder (${theme})`);
        assert.deepEqual(explore.errors, []);
        await explore.context.close();

        const alerts = await openPage(`${s.url}/ui/alerts`, { colorScheme: theme });
        await alerts.page.locator('.badge-firing').first().waitFor();
        await check(alerts.page, `Alerts (${theme})`);
        assertInOrder(await tabOrder(alerts.page, 30), ['Alerts', 'Open ErrorsLogged in Explore', 'Silence…'], `Alerts (${theme})`);
        await alerts.page.getByRole('button', { name: 'Silence…' }).click();
        await alerts.page.getByRole('dialog', { name: 'New silence' }).waitFor();
        await check(alerts.page, `the silence dialog (${theme})`);
        await alerts.context.close();

        const detections = await openPage(`${s.url}/ui/detections`, { colorScheme: theme });
        await detections.page.getByRole('button', { name: /^T1110 / }).first().waitFor();
        await check(detections.page, `Detections (${theme})`);
        assertInOrder(await tabOrder(detections.page, 30), ['Detections', 'account takeover suspected', 'T1098 Account Manipulation: 1 rule'], `Detections (${theme})`);
        await detections.page.getByRole('link', { name: 'account takeover suspected' }).click();
        await detections.page.getByRole('list', { name: 'Linked events' }).waitFor();
        await check(detections.page, `an incident (${theme})`);
        await detections.context.close();

        const dashboards = await openPage(`${s.url}/ui/dashboards`, { colorScheme: theme });
        await dashboards.page.locator('main').waitFor();
        await dashboards.page.waitForFunction(() => !document.querySelector('main')?.textContent?.includes('Loading'));
        await check(dashboards.page, `Dashboards (${theme})`);
        await dashboards.context.close();
      }
    });
    await withServer({ tenantKeys: { default: ['k'] } }, async (s) => {
      for (const theme of THEMES) {
        const { page, context } = await openPage(`${s.url}/ui/explore`, { colorScheme: theme });
        await page.getByLabel('API key').waitFor();
        await check(page, `sign-in (${theme})`);
        assertInOrder(await tabOrder(page, 4), ['API key', 'Sign in'], `sign-in (${theme})`);
        if (theme === 'light') await screenshot(page, 'sign-in');
        await context.close();
      }
    });
  } finally {
    hook.close();
    rmSync(alerting.dir, { recursive: true, force: true });
    rmSync(siem.dir, { recursive: true, force: true });
  }
});
