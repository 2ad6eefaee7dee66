// Explore's query builder in Chromium: labels and values come from the label APIs, each choice writes LogQL into
// the editor (the textbox "Query"), a query typed there of a shape the builder makes is read back into it, and
// anything else says "edit as code". The choice of Builder or Code outlives a reload.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { nowNs, push, withServer } from '../integration/harness.ts';
import { closeBrowser, openPage, resultCount, skipBrowser } from './browser.ts';
import { screenshot } from './screenshots.ts';

after(closeBrowser);

test('the query builder writes and reads LogQL', { skip: skipBrowser }, async () => {
  await withServer({}, async (s) => {
    const t0 = nowNs(-300_000);
    const at = (i: number) => String(t0 + BigInt(i) * 1_000_000_000n);
    await push(s.url, [
      { stream: { service: 'shop', level: 'error' }, values: Array.from({ length: 6 }, (_, i) => [at(i), `status=${i % 2 ? 503 : 404} path=/orders/${i} msg="upstream timeout"`]) },
      { stream: { service: 'cron' }, values: [[at(10), 'status=200 job=cleanup']] },
    ]);
    const { page, context, errors } = await openPage(`${s.url}/ui/explore`);
    const editor = page.getByRole('textbox', { name: 'Query' });
    /** the editor's text once the builder's change has rendered */
    const query = async (want: string) => {
      await page.waitForFunction((w) => document.querySelector('[aria-label="Query"]')?.textContent === w, want, { timeout: 3000 }).catch(() => undefined);
      return editor.textContent();
    };
    await page.getByRole('button', { name: 'Builder' }).click();
    assert.equal(await page.getByRole('button', { name: 'Builder' }).getAttribute('aria-pressed'), 'true');
    const builder = page.getByRole('region', { name: 'Query builder' });
    await builder.waitFor();

    await builder.getByRole('button', { name: '+ Label' }).click();
    await builder.getByLabel('Label 1', { exact: true }).selectOption('service');
    await builder.getByLabel('Label 1 value').selectOption('shop');
    assert.equal(await query('{service="shop"}'), '{service="shop"}');
    await builder.getByRole('button', { name: '+ Line filter' }).click();
    await builder.getByLabel('Line filter 1 text').fill('timeout');
    await builder.getByLabel('Line filter 1 text').press('Tab');
    await builder.getByLabel('Parser').selectOption('logfmt');
    await builder.getByRole('button', { name: '+ Field filter' }).click();
    await builder.getByLabel('Field filter 1 field').fill('status');
    await builder.getByLabel('Field filter 1 operator').selectOption('>=');
    await builder.getByLabel('Field filter 1 value').fill('500');
    await builder.getByLabel('Field filter 1 value').press('Tab');
    assert.equal(await query('{service="shop"} |= "timeout" | logfmt | status>=500'), '{service="shop"} |= "timeout" | logfmt | status>=500');
    await page.getByRole('button', { name: 'Run query' }).click();
    await resultCount(page, 3);

    await builder.getByLabel('Metric', { exact: true }).selectOption('count_over_time');
    await builder.getByLabel('Sum by labels').fill('service');
    await builder.getByLabel('Sum by labels').press('Tab');
    assert.equal(await query('sum by (service) (count_over_time({service="shop"} |= "timeout" | logfmt | status>=500 [5m]))'), 'sum by (service) (count_over_time({service="shop"} |= "timeout" | logfmt | status>=500 [5m]))');
    await screenshot(page, 'query-builder');

    // typed as code: beyond the builder, then a shape it reads back
    await editor.fill('{service="shop"} | logfmt | line_format "{{.path}}"');
    await builder.getByText('edit it as code').waitFor();
    await editor.fill('{service="cron"} != "cleanup"');
    await page.waitForFunction(() => (document.querySelector('[aria-label="Label 1 value"]') as HTMLSelectElement | null)?.value === 'cron');
    assert.equal(await builder.getByLabel('Line filter 1 operator').inputValue(), '!=');
    assert.equal(await builder.getByLabel('Line filter 1 text').inputValue(), 'cleanup');
    assert.equal(await builder.getByLabel('Parser').inputValue(), 'none');

    // the mode is remembered; Code hides the builder
    await page.reload();
    await page.getByRole('region', { name: 'Query builder' }).waitFor();
    await page.getByRole('button', { name: 'Code' }).click();
    assert.equal(await page.getByRole('region', { name: 'Query builder' }).count(), 0);
    assert.deepEqual(errors, []);
    await context.close();
  });
});
