// The log list at scale in Chromium: 10,000 and 100,000 lines (two pages of 50,000) keep a bounded number of
// rows in the DOM while scrolling end to end; prints time to first render and frame times while scrolling.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { nowNs, push, withServer } from '../integration/harness.ts';
import { closeBrowser, openPage, resultCount, skipBrowser } from './browser.ts';

after(closeBrowser);

async function fill(url: string, n: number): Promise<void> {
  const t0 = nowNs(-1_800_000);
  const levels = ['info', 'info', 'info', 'warn', 'error', 'debug'];
  for (let start = 0; start < n; start += 25_000) {
    const count = Math.min(25_000, n - start);
    const values = Array.from({ length: count }, (_, k) => {
      const i = start + k;
      return [String(t0 + BigInt(i) * 10_000_000n), `level=${levels[i % levels.length]} seq=${i} path=/api/items/${i % 97} took=${i % 500}ms user=u${i % 31}`];
    });
    const res = await push(url, [{ stream: { service: 'bulk' }, values }]);
    assert.equal(res.status, 204, await res.text());
  }
}

/** Scrolls the list from top to bottom in `steps` frames; frame times and the most rows the DOM held meanwhile. */
async function scrollThrough(page: Page, steps: number): Promise<{ frames: number[]; maxRows: number; lastLine: string }> {
  return page.getByRole('list', { name: 'Log lines' }).evaluate(async (el, steps) => {
    const frames: number[] = [];
    let maxRows = 0;
    let last = performance.now();
    for (let i = 1; i <= steps; i++) {
      el.scrollTop = ((el.scrollHeight - el.clientHeight) * i) / steps;
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      const now = performance.now();
      frames.push((now - last) / 2);
      last = now;
      maxRows = Math.max(maxRows, el.querySelectorAll('.log-row').length);
    }
    const rows = [...el.querySelectorAll('.log-row .line-text')];
    return { frames, maxRows, lastLine: rows[rows.length - 1]?.textContent ?? '' };
  }, steps);
}

function summary(frames: number[]): string {
  const s = [...frames].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))].toFixed(1);
  return `frame p50 ${q(0.5)} ms, p95 ${q(0.95)} ms, max ${s[s.length - 1].toFixed(1)} ms`;
}

test('10,000 and 100,000 lines render with a bounded number of DOM rows', { skip: skipBrowser }, async () => {
  await withServer({}, async (s) => {
    await fill(s.url, 100_000);

    const { page, context, errors } = await openPage(`${s.url}/ui/explore?q=${encodeURIComponent('{service="bulk"}')}&limit=10000`);
    await resultCount(page, 10_000);
    await page.locator('.log-row').first().waitFor();
    const firstRender = await page.evaluate(() => performance.now());
    const fcp = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1);
    const rowsInDom = await page.locator('.log-row').count();
    assert.ok(rowsInDom > 10 && rowsInDom < 100, `${rowsInDom} rows in the DOM for 10,000 lines`);
    assert.equal(await page.locator('.log-row .line-text').first().textContent(), 'level=warn seq=99999 path=/api/items/89 took=499ms user=u24');
    const at10k = await scrollThrough(page, 60);
    assert.ok(at10k.maxRows < 100, `${at10k.maxRows} rows in the DOM while scrolling 10,000 lines`);
    assert.equal(at10k.lastLine, 'level=info seq=90000 path=/api/items/81 took=0ms user=u7');
    console.log(`10,000 lines: first paint ${fcp.toFixed(0)} ms, rows shown ${firstRender.toFixed(0)} ms after navigation; ${rowsInDom} DOM rows; scrolling: ${summary(at10k.frames)}, at most ${at10k.maxRows} DOM rows`);
    await context.close();

    const big = await openPage(`${s.url}/ui/explore?q=${encodeURIComponent('{service="bulk"}')}&limit=50000`);
    await resultCount(big.page, 50_000);
    await big.page.getByRole('button', { name: 'Load 50,000 older lines' }).click();
    await resultCount(big.page, 100_000);
    const at100k = await scrollThrough(big.page, 60);
    assert.ok(at100k.maxRows < 100, `${at100k.maxRows} rows in the DOM while scrolling 100,000 lines`);
    assert.equal(at100k.lastLine, 'level=info seq=0 path=/api/items/0 took=0ms user=u0');
    console.log(`100,000 lines: scrolling: ${summary(at100k.frames)}, at most ${at100k.maxRows} DOM rows`);
    assert.deepEqual([...errors, ...big.errors], []);
    await big.context.close();
  });
});
