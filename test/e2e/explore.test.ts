// The Explore page in Chromium against a real server filled over the Loki push API: running a query shows the
// expected rows and histogram, rows expand into details whose click-to-filter rewrites the query (URL and results
// follow), matches are highlighted, table/JSON/patterns views, context around a line, shortcuts, theme, zoom.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { nowNs, push, withServer } from '../integration/harness.ts';
import { closeBrowser, openPage, resultCount, runQuery, skipBrowser, visibleLines } from './browser.ts';

after(closeBrowser);

/** 20 info lines of `shop` (2 s apart), then its 10 error lines (1 s apart, the newest), 5 lines of `other`. */
async function fill(url: string): Promise<void> {
  const t0 = nowNs(-600_000);
  const at = (i: number) => String(t0 + BigInt(i) * 1_000_000_000n);
  const info = Array.from({ length: 20 }, (_, i) => [at(i * 2), `GET /orders/${i} 200 took=${i}ms`, { user: i % 2 ? 'ann' : 'bob' }]);
  const errors = Array.from({ length: 10 }, (_, i) => [at(40 + i), `GET /orders/${i} 500 timeout after 30s`, { user: i % 2 ? 'ann' : 'bob' }]);
  const other = Array.from({ length: 5 }, (_, i) => [at(100 + i), `level=info component=cron run=${i}`]);
  const res = await push(url, [
    { stream: { service: 'shop', level: 'info' }, values: info },
    { stream: { service: 'shop', level: 'error' }, values: errors },
    { stream: { service: 'other' }, values: other },
  ]);
  assert.equal(res.status, 204, await res.text());
}

test('Explore', { skip: skipBrowser }, async (t) => {
  await withServer({}, async (s) => {
    await fill(s.url);

    await t.test('the page loads at / and a query shows its rows and a histogram by level', async () => {
      const { page, context, errors } = await openPage(`${s.url}/`);
      assert.match(await page.title(), /Sightline/);
      await runQuery(page, '{service="shop"}');
      assert.equal(await resultCount(page, 30), 30);
      assert.match(page.url(), /\/ui\/explore\?q=%7Bservice%3D%22shop%22%7D$/);
      const lines = await visibleLines(page);
      // newest first: the error lines, then the info lines
      assert.deepEqual(lines.slice(0, 2), ['GET /orders/9 500 timeout after 30s', 'GET /orders/8 500 timeout after 30s']);
      assert.equal(lines[10], 'GET /orders/19 200 took=19ms');
      assert.ok(lines.length >= 20, `${lines.length} rows shown`);
      const levels = await page.locator('.log-row').evaluateAll((rows) => rows.slice(9, 11).map((r) => r.className));
      assert.match(levels[0], /level-error/);
      assert.match(levels[1], /level-info/);
      // histogram: 30 lines, 10 errors and 20 infos
      const hist = page.getByRole('figure', { name: 'Histogram of matching lines by level' });
      await page.waitForFunction(() => document.querySelector('.histogram')?.getAttribute('data-total') === '30');
      assert.equal(await hist.locator('[data-level="error"] b').textContent(), '10');
      assert.equal(await hist.locator('[data-level="info"] b').textContent(), '20');
      assert.equal(await hist.locator('canvas').count() > 0, true);
      assert.deepEqual(errors, []);
      await context.close();
    });

    await t.test('expanding a row shows its fields; click-to-filter changes the query, the URL and the results', async () => {
      const { page, context, errors } = await openPage(`${s.url}/ui/explore?q=${encodeURIComponent('{service="shop"}')}`);
      await resultCount(page, 30);
      await page.locator('.log-row').first().getByRole('button', { name: 'Show details' }).click();
      const details = page.locator('.details');
      await details.waitFor();
      assert.equal(await details.locator('[data-field="level"] .details-value').textContent(), 'error');
      assert.equal(await details.locator('[data-field="user"] .details-value').textContent(), 'ann');
      // a stream label: the matcher goes into the selector
      await details.getByRole('button', { name: 'Filter for level=error' }).click();
      assert.equal(await resultCount(page, 10), 10);
      assert.equal(new URL(page.url()).searchParams.get('q'), '{service="shop", level="error"}');
      assert.equal(await page.getByRole('textbox', { name: 'Query' }).textContent(), '{service="shop", level="error"}');
      // structured metadata: a label filter at the end of the pipeline
      await page.locator('.log-row').first().getByRole('button', { name: 'Show details' }).click();
      await page.locator('.details').getByRole('button', { name: 'Filter out user=ann' }).click();
      assert.equal(await resultCount(page, 5), 5);
      assert.equal(new URL(page.url()).searchParams.get('q'), '{service="shop", level="error"} | user!="ann"');
      for (const line of await visibleLines(page)) assert.match(line, /500 timeout/);
      // back restores the previous query and its results
      await page.goBack();
      assert.equal(await resultCount(page, 10), 10);
      assert.deepEqual(errors, []);
      await context.close();
    });

    await t.test('a query the server refuses shows its error message', async () => {
      const { page, context } = await openPage(`${s.url}/ui/explore`);
      await runQuery(page, '{service="shop"} |= ');
      const alert = page.locator('.error-banner');
      await alert.waitFor();
      assert.match((await alert.textContent())!, /parse error/i);
      assert.equal(await alert.getAttribute('role'), 'alert');
      await context.close();
    });

    await t.test('line filter matches are highlighted', async () => {
      const { page, context } = await openPage(`${s.url}/ui/explore`);
      await runQuery(page, '{service="shop"} |= "timeout"');
      await resultCount(page, 10);
      const marks = await page.locator('.log-row mark').allTextContents();
      assert.ok(marks.length >= 10);
      assert.ok(marks.every((m) => m === 'timeout'));
      await context.close();
    });

    await t.test('table with chosen columns, raw JSON, and a shared URL reopening that view', async () => {
      const q = encodeURIComponent('{service="shop"} |= "500"');
      const { page, context } = await openPage(`${s.url}/ui/explore?q=${q}&view=table&cols=user,service`);
      await resultCount(page, 10);
      const headers = await page.locator('.table-head [role="columnheader"]').allTextContents();
      assert.deepEqual(headers, ['Time', 'user', 'service', 'Line']);
      const users = await page.locator('.cell[data-column="user"]').allTextContents();
      assert.equal(users.length, 10);
      assert.deepEqual(new Set(users), new Set(['ann', 'bob']));
      // the column chooser adds and removes columns, kept in the URL
      await page.locator('summary', { hasText: 'Columns' }).click();
      await page.getByRole('group', { name: 'Columns' }).getByLabel('level').check();
      await page.waitForFunction(() => new URL(location.href).searchParams.get('cols') === 'user,service,level');
      await page.getByRole('tab', { name: 'JSON' }).click();
      const json = await page.locator('.json-row code').first().textContent();
      const entry = JSON.parse(json!);
      assert.deepEqual(entry.labels, { level: 'error', service: 'shop' });
      assert.deepEqual(entry.structuredMetadata, { user: 'ann' });
      assert.equal(entry.line, 'GET /orders/9 500 timeout after 30s');
      assert.equal(new URL(page.url()).searchParams.get('view'), 'json');
      await context.close();
    });

    await t.test('context around a line: its stream before and after, itself searchable', async () => {
      const { page, context } = await openPage(`${s.url}/ui/explore?q=${encodeURIComponent('{service="shop"} |= "/orders/5 200"')}`);
      await resultCount(page, 1);
      await page.locator('.log-row').first().getByRole('button', { name: 'Show details' }).click();
      await page.getByRole('button', { name: 'Show context' }).click();
      const panel = page.getByRole('dialog', { name: 'Context around a line' });
      await panel.locator('.log-row.marked').waitFor();
      // the info stream only: 20 lines, the opened one marked
      const lines = await visibleLines(page, 'Context lines');
      assert.ok(lines.includes('GET /orders/4 200 took=4ms') && lines.includes('GET /orders/6 200 took=6ms'));
      assert.ok(lines.every((l) => / 200 /.test(l)));
      assert.equal(await panel.locator('.log-row.marked .line-text').textContent(), 'GET /orders/5 200 took=5ms');
      const ordered = lines.slice(lines.indexOf('GET /orders/4 200 took=4ms'), lines.indexOf('GET /orders/6 200 took=6ms') + 1);
      assert.deepEqual(ordered, ['GET /orders/4 200 took=4ms', 'GET /orders/5 200 took=5ms', 'GET /orders/6 200 took=6ms']);
      assert.equal(new URL(page.url()).searchParams.get('cstream'), '{level="info", service="shop"}');
      await panel.getByRole('searchbox', { name: 'Search the context' }).fill('took=1');
      await panel.getByRole('button', { name: 'Search' }).click();
      await page.waitForFunction(() => [...document.querySelectorAll('[aria-label="Context lines"] .line-text')].every((e) => e.textContent!.includes('took=1')));
      // took=1ms and took=10ms … took=19ms, in time order
      const found = await visibleLines(page, 'Context lines');
      assert.deepEqual(found, [1, ...Array.from({ length: 10 }, (_, i) => 10 + i)].map((i) => `GET /orders/${i} 200 took=${i}ms`));
      await page.keyboard.press('Escape');
      await panel.waitFor({ state: 'detached' });
      await context.close();
    });

    await t.test('patterns tab lists the mined templates', async () => {
      const { page, context } = await openPage(`${s.url}/ui/explore?q=${encodeURIComponent('{service="shop"}')}&view=patterns`);
      const table = page.getByRole('table', { name: 'Log patterns' });
      await table.waitFor();
      const patterns = await table.locator('.pattern-text').allTextContents();
      assert.ok(patterns.some((p) => p.includes('timeout after')), patterns.join(' | '));
      await context.close();
    });

    await t.test('autocomplete offers label names and values from the server', async () => {
      const { page, context } = await openPage(`${s.url}/ui/explore`);
      const box = page.getByRole('textbox', { name: 'Query' });
      await box.click();
      await page.keyboard.type('{');
      const options = page.locator('.cm-tooltip-autocomplete li');
      await options.first().waitFor();
      assert.ok((await options.allTextContents()).includes('service'));
      await page.keyboard.type('serv');
      await page.waitForFunction(() => [...document.querySelectorAll('.cm-tooltip-autocomplete li')].map((l) => l.textContent).join() === 'service');
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => document.querySelector('.cm-tooltip-autocomplete li') !== null && document.querySelector('.cm-content')!.textContent === '{service=}');
      const values = await options.allTextContents();
      assert.deepEqual(values.sort(), ['other', 'shop']);
      await page.keyboard.type('"sh');
      await page.waitForFunction(() => [...document.querySelectorAll('.cm-tooltip-autocomplete li')].map((l) => l.textContent).join() === 'shop');
      await page.keyboard.press('Enter');
      assert.equal(await box.textContent(), '{service="shop"}');
      // Enter with no suggestion open runs the query
      await page.keyboard.press('End');
      await page.keyboard.press('Enter');
      assert.equal(await resultCount(page, 30), 30);
      await context.close();
    });

    await t.test('an empty query offers labels and values; a metric query draws its series', async () => {
      const { page, context, errors } = await openPage(`${s.url}/ui/explore`);
      const labels = page.getByRole('group', { name: 'Labels' });
      await labels.getByRole('button', { name: 'service' }).click();
      await page.getByRole('group', { name: 'Values of service' }).getByRole('button', { name: 'shop' }).click();
      assert.equal(await resultCount(page, 30), 30);
      assert.equal(new URL(page.url()).searchParams.get('q'), '{service="shop"}');
      await runQuery(page, 'sum by (level) (count_over_time({service="shop"}[1m]))');
      const chart = page.getByRole('figure', { name: 'Metric query result: 2 series' });
      await chart.waitFor();
      assert.deepEqual((await chart.locator('.u-legend .u-label').allTextContents()).slice(1).sort(), ['{level="error"}', '{level="info"}']);
      assert.equal(await page.getByRole('button', { name: 'Live' }).isDisabled(), true);
      assert.deepEqual(errors, []);
      await context.close();
    });

    await t.test('field statistics count a field over the whole range and filter by a value', async () => {
      const { page, context, errors } = await openPage(`${s.url}/ui/explore?q=${encodeURIComponent('{service="shop"}')}&limit=5`);
      await resultCount(page, 5);
      await page.getByRole('navigation', { name: 'Fields' }).getByRole('button', { name: /user/ }).click();
      const stats = page.locator('.field-stats');
      await stats.locator('.stat').nth(1).waitFor();
      // counted by a metric query over the range: all 30 lines, not the 5 loaded
      const rows = await stats.locator('.stat').evaluateAll((els) => els.map((e) => [e.querySelector('.stat-value')!.textContent, e.querySelector('.stat-count')!.textContent]));
      assert.deepEqual(rows.sort(), [['ann', '15'], ['bob', '15']]);
      assert.equal(new URL(page.url()).searchParams.get('field'), 'user');
      await stats.getByRole('button', { name: 'Filter for user=bob' }).click();
      await page.waitForFunction(() => new URL(location.href).searchParams.get('q') === '{service="shop"} | user="bob"');
      assert.deepEqual(errors, []);
      await context.close();
    });

    await t.test('keyboard shortcuts, theme switch, and zoom by dragging on the histogram', async () => {
      const { page, context, errors } = await openPage(`${s.url}/ui/explore?q=${encodeURIComponent('{service="shop"}')}`, { colorScheme: 'dark' });
      await resultCount(page, 30);
      await page.locator('body').click({ position: { x: 5, y: 790 } });
      await page.keyboard.press('/');
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Query');
      await page.locator('.results-bar').click();
      await page.keyboard.press('?');
      await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
      await page.keyboard.press('Escape');
      await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor({ state: 'detached' });

      assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
      await page.getByRole('button', { name: 'Switch to light theme' }).click();
      assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'light');
      await page.reload();
      assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'light');

      // drag across the middle of the plot: the range becomes absolute and narrower than the hour shown
      await page.waitForFunction(() => document.querySelector('.histogram')?.getAttribute('data-total') === '30');
      const plot = (await page.locator('.histogram .u-over').boundingBox())!;
      await page.mouse.move(plot.x + plot.width * 0.4, plot.y + plot.height / 2);
      await page.mouse.down();
      await page.mouse.move(plot.x + plot.width * 0.95, plot.y + plot.height / 2, { steps: 5 });
      await page.mouse.up();
      await page.waitForFunction(() => /^\d+$/.test(new URL(location.href).searchParams.get('from') ?? ''));
      const u = new URL(page.url());
      const span = Number(u.searchParams.get('to')) - Number(u.searchParams.get('from'));
      assert.ok(span > 15 * 60_000 && span < 40 * 60_000, `zoomed span ${span} ms`);
      assert.equal(await resultCount(page, 30), 30);
      assert.deepEqual(errors, []);
      await context.close();
    });
  });
});
