// The Dashboards page in Chromium against a real server filled over the Loki push API: the built-in Overview's
// panels show the numbers the query API gives for the same queries, a variable narrows them (and the URL keeps
// it), a panel edited and saved is there after a reload (version 2), a stale save is refused with the server's
// message, import from the list. With SIGHTLINE_SCREENSHOTS=1 the Overview is saved to docs/images/ui-dashboards.png.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { getJson, nowNs, push, withServer } from '../integration/harness.ts';
import { closeBrowser, openPage, skipBrowser } from './browser.ts';
import { screenshot } from './screenshots.ts';
import type { Page } from 'playwright-core';
import { Estate } from '../../src/demo/estate.ts';

after(closeBrowser);

const SHOP = 30;
const SHOP_ERRORS = 6;
const BILLING = 12;
const GATEWAY = 8;

/** Lines spread over the last hour (55 to 5 minutes old): inside the Overview's range whenever it is queried. */
async function fill(url: string): Promise<void> {
  const t0 = nowNs(-3_300_000);
  const at = (s: number) => String(t0 + BigInt(s) * 1_000_000_000n);
  const shop = Array.from({ length: SHOP }, (_, i) => [at(i * 100), `{"level":"info","msg":"order placed","order":${i}}`]);
  const shopErrors = Array.from({ length: SHOP_ERRORS }, (_, i) => [at(600 + i * 400), `{"level":"error","msg":"${i < 4 ? 'payment declined' : 'stock missing'}","order":${i}}`]);
  const billing = Array.from({ length: BILLING }, (_, i) => [at(50 + i * 240), `level=info msg="invoice sent" n=${i}`]);
  const paths = ['/api/v1/orders', '/api/v1/search?q=a', '/api/v1/products'];
  const times = [2.5, 0.2, 0.05];
  const gateway = Array.from({ length: GATEWAY }, (_, i) => [
    at(30 + i * 350),
    `10.0.0.${i} - - [25/Nov/2026:10:00:00 +0000] "GET ${paths[i % 3]} HTTP/1.1" 200 512 "-" "curl/8" rt=${times[i % 3].toFixed(3)} urt=0.001 trace_id=-`,
  ]);
  const res = await push(url, [
    { stream: { service: 'shop', level: 'info' }, values: shop },
    { stream: { service: 'shop', level: 'error' }, values: shopErrors },
    { stream: { service: 'billing', level: 'info' }, values: billing },
    { stream: { service: 'api-gateway', level: 'info' }, values: gateway },
  ]);
  assert.equal(res.status, 204, await res.text());
}

/** An instant query's single value, asked of the API directly (what the page should draw). */
async function scalar(url: string, query: string): Promise<number> {
  const r = await getJson(url, `/loki/api/v1/query?${new URLSearchParams({ query, time: String(nowNs()) })}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return Number(r.body.data.result[0].value[1]);
}

async function statValue(page: Page, title: string): Promise<string> {
  const el = page.getByRole('region', { name: title }).locator('.stat-value');
  await el.waitFor();
  return (await el.getAttribute('data-value')) ?? '';
}

/** Waits until every panel has loaded (or failed) and the charts are drawn. */
async function panelsSettled(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const panels = [...document.querySelectorAll('.dash-panel')];
    return panels.length > 0 && panels.every((p) => p.getAttribute('data-state') !== 'loading');
  });
}

test('Dashboards', { skip: skipBrowser }, async (t) => {
  await withServer({}, async (s) => {
    await fill(s.url);

    await t.test('the list offers the built-in Overview; its panels show what the query API answers', async () => {
      const { page, context, errors } = await openPage(`${s.url}/ui/dashboards`);
      assert.match(await page.title(), /Sightline/);
      const list = page.getByRole('table', { name: 'Dashboards' });
      await list.getByRole('link', { name: 'Overview' }).click();
      assert.equal(new URL(page.url()).searchParams.get('uid'), 'overview');
      await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();

      const total = await scalar(s.url, 'sum(count_over_time({service=~".+"} [3600s]))');
      assert.equal(total, SHOP + SHOP_ERRORS + BILLING + GATEWAY);
      assert.equal(await statValue(page, 'Lines ingested'), String(total));
      assert.equal(await page.getByRole('region', { name: 'Lines ingested' }).locator('.stat-value').textContent(), '56');
      const errorLines = await scalar(s.url, 'sum(count_over_time({service=~".+"} |~ `(?i)error` [3600s]))');
      assert.equal(errorLines, SHOP_ERRORS);
      assert.equal(await statValue(page, 'Error lines'), String(errorLines));

      // top error messages: the msg of JSON error lines, counted
      const top = page.getByRole('region', { name: 'Top error messages' });
      await top.locator('tbody tr').first().waitFor();
      assert.deepEqual(await top.locator('tbody tr').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent))), [
        ['payment declined', 'shop', '4'],
        ['stock missing', 'shop', '2'],
      ]);
      // slowest endpoints: p95 of nginx's rt by path, the query string cut off
      const slow = page.getByRole('region', { name: 'Slowest endpoints (p95 request time, nginx)' });
      await slow.locator('tbody tr').first().waitFor();
      assert.deepEqual(await slow.locator('tbody tr').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent))), [
        ['GET', '/api/v1/orders', '2.5 s'],
        ['GET', '/api/v1/search', '200 ms'],
        ['GET', '/api/v1/products', '50 ms'],
      ]);
      // charts: one series per service, drawn by uPlot
      const rate = page.getByRole('region', { name: 'Ingest rate by service' });
      await rate.locator('figure[data-series="3"] canvas').waitFor();
      const legend = (await rate.locator('.u-legend .u-series th').allTextContents()).slice(1).map((x) => x.trim()).sort();
      assert.deepEqual(legend, ['api-gateway', 'billing', 'shop']);
      await page.getByRole('region', { name: 'Volume by service' }).locator('figure[data-series="3"] canvas').waitFor();
      // logs: the error lines, newest first
      const recent = page.getByRole('region', { name: 'Recent errors' });
      await recent.locator('.log-row').first().waitFor();
      assert.match((await recent.locator('.line-text').first().textContent()) ?? '', /stock missing/);
      // no SIEM on this server: the security panel says so
      assert.match((await page.getByRole('region', { name: 'Security summary' }).textContent()) ?? '', /SIEM detection is not enabled/);

      assert.deepEqual(errors, []);
      await context.close();
    });

    await t.test('a variable narrows every panel and is kept in the URL', async () => {
      const { page, context, errors } = await openPage(`${s.url}/ui/dashboards?uid=overview`);
      assert.equal(await statValue(page, 'Lines ingested'), '56');
      await page.getByRole('group', { name: 'Variables' }).locator('summary').click();
      await page.getByRole('checkbox', { name: 'billing' }).check();
      await page.waitForFunction(() => new URL(location.href).searchParams.getAll('var-service').join() === 'billing');
      await page.waitForFunction(() => document.querySelector('[aria-label="Lines ingested"] .stat-value')?.getAttribute('data-value') === '12');
      assert.equal(await scalar(s.url, 'sum(count_over_time({service=~"billing"} [3600s]))'), BILLING);
      await page.getByRole('checkbox', { name: 'shop' }).check();
      await page.waitForFunction(() => document.querySelector('[aria-label="Lines ingested"] .stat-value')?.getAttribute('data-value') === String(12 + 36));
      assert.deepEqual(new URL(page.url()).searchParams.getAll('var-service'), ['billing', 'shop']);
      // the URL alone reproduces the view
      const again = await openPage(page.url());
      assert.equal(await statValue(again.page, 'Lines ingested'), '48');
      assert.equal(await again.page.getByRole('group', { name: 'Variables' }).locator('summary').textContent(), 'billing + shop');
      await again.context.close();
      assert.deepEqual(errors, []);
      await context.close();
    });

    await t.test('edit a panel, save, reload: the change is there as version 2; a stale save is refused', async () => {
      const { page, context, errors } = await openPage(`${s.url}/ui/dashboards?uid=overview`);
      await statValue(page, 'Lines ingested');
      await page.getByRole('button', { name: 'Edit', exact: true }).click();
      await page.getByRole('button', { name: 'Edit Lines ingested' }).click();
      const dialog = page.getByRole('dialog', { name: 'Edit panel' });
      await dialog.getByLabel('Title').fill('Shop lines');
      await dialog.getByLabel('Panel query').fill('sum(count_over_time({service="shop"} [$__range]))');
      await dialog.getByRole('button', { name: 'Apply' }).click();
      await page.getByRole('button', { name: 'Move Shop lines down' }).click();
      await page.getByRole('button', { name: 'Save dashboard' }).click();
      await page.getByRole('status').filter({ hasText: 'Saved as version 2.' }).waitFor();

      await page.reload();
      assert.equal(await statValue(page, 'Shop lines'), String(SHOP + SHOP_ERRORS));
      assert.equal(await page.getByRole('region', { name: 'Lines ingested' }).count(), 0);
      const saved = await getJson(s.url, '/api/v1/dashboards/overview');
      assert.equal(saved.body.version, 2);
      const panel = saved.body.panels.find((p: { id: number }) => p.id === 1);
      assert.deepEqual([panel.title, panel.query, panel.grid.y], ['Shop lines', 'sum(count_over_time({service="shop"} [$__range]))', 1]);

      // someone else saves version 3 meanwhile: this page's save of version 2 is refused, the edit kept
      const put = await fetch(`${s.url}/api/v1/dashboards/overview`, { method: 'PUT', body: JSON.stringify({ ...saved.body, title: 'Overview (theirs)', version: 2 }) });
      assert.equal(put.status, 200);
      await page.getByRole('button', { name: 'Edit', exact: true }).click();
      await page.getByRole('textbox', { name: 'Dashboard title' }).fill('Overview (mine)');
      await page.getByRole('button', { name: 'Save dashboard' }).click();
      const alert = page.getByRole('alert');
      await alert.waitFor();
      assert.match((await alert.textContent()) ?? '', /version conflict: dashboard "overview" is at version 3, this edit started from version 2/);
      assert.equal(await page.getByRole('textbox', { name: 'Dashboard title' }).inputValue(), 'Overview (mine)');
      // Chromium logs the refused request itself
      assert.deepEqual(errors.filter((e) => !/status of 409/.test(e)), []);
      await context.close();
    });

    await t.test('import a dashboard JSON from the list, then find it by tag', async () => {
      const { page, context, errors } = await openPage(`${s.url}/ui/dashboards`);
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      const json = {
        uid: 'billing',
        title: 'Billing',
        tags: ['finance'],
        time: { from: 'now-1h', to: 'now' },
        panels: [{ id: 1, title: 'Invoices', type: 'stat', query: 'sum(count_over_time({service="billing"} |= "invoice" [$__range]))', grid: { x: 0, y: 0, w: 8, h: 4 } }],
      };
      await page.getByLabel('Dashboard JSON').fill(JSON.stringify(json));
      await page.getByRole('button', { name: 'Import dashboard' }).click();
      await page.waitForFunction(() => new URL(location.href).searchParams.get('uid') === 'billing');
      assert.equal(await statValue(page, 'Invoices'), String(BILLING));
      // a broken one is refused with the field named
      await page.goto(`${s.url}/ui/dashboards`);
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      await page.getByLabel('Dashboard JSON').fill(JSON.stringify({ ...json, uid: 'x', panels: [{ ...json.panels[0], type: 'pie' }] }));
      await page.getByRole('button', { name: 'Import dashboard' }).click();
      assert.match((await page.locator('.import-form [role="alert"]').textContent()) ?? '', /panels\[0\]\.type: expected one of/);
      await page.getByRole('searchbox', { name: 'Search dashboards' }).fill('finance');
      assert.deepEqual(await page.getByRole('table', { name: 'Dashboards' }).getByRole('link').allTextContents(), ['Billing']);
      assert.deepEqual(errors.filter((e) => !/status of 400/.test(e)), []);
      await context.close();
    });
  });
});

// The docs' picture: the Overview over an hour of the demo estate's logs.
test('screenshot of the Overview', { skip: skipBrowser ?? (process.env.SIGHTLINE_SCREENSHOTS === '1' ? undefined : 'set SIGHTLINE_SCREENSHOTS=1') }, async () => {
  await withServer({}, async (s) => {
    const estate = new Estate({ seed: 7, linesPerSecond: 8 });
    const end = Date.now();
    for (let t = end - 3_600_000; t < end; t += 300_000) {
      const res = await push(s.url, estate.produce(t, Math.min(end, t + 300_000)));
      assert.equal(res.status, 204, await res.text());
    }
    const { page, context } = await openPage(`${s.url}/ui/dashboards?uid=overview`);
    await panelsSettled(page);
    await screenshot(page, 'dashboards');
    await context.close();
  });
});
