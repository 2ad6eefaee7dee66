// Live tail in Chromium over the Loki /tail WebSocket: a pushed line appears within about a second (the server
// polls once a second), the rate indicator counts, pause holds new lines back until resume.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { nowNs, push, withServer } from '../integration/harness.ts';
import { closeBrowser, openPage, skipBrowser, visibleLines } from './browser.ts';

after(closeBrowser);

test('live tail shows pushed lines, counts their rate, and pauses', { skip: skipBrowser }, async () => {
  await withServer({}, async (s) => {
    await push(s.url, [{ stream: { service: 'tail' }, values: [[String(nowNs(-5000)), 'before the tail started']] }]);
    const { page, context, errors } = await openPage(`${s.url}/ui/explore?q=${encodeURIComponent('{service="tail"}')}&live=1`);
    const status = page.locator('.tail-bar');
    await page.waitForFunction(() => document.querySelector('.tail-bar')?.textContent?.includes('Live via WebSocket'));
    assert.equal(await page.getByRole('button', { name: 'Live' }).getAttribute('aria-pressed'), 'true');
    // the look-back shows what was there
    await page.locator('.line-text', { hasText: 'before the tail started' }).waitFor();

    const latencies: number[] = [];
    for (let i = 0; i < 3; i++) {
      const pushed = Date.now();
      const res = await push(s.url, [{ stream: { service: 'tail' }, values: [[String(nowNs()), `tailed line ${i}`]] }]);
      assert.equal(res.status, 204);
      await page.locator('.line-text', { hasText: `tailed line ${i}` }).waitFor({ timeout: 2500 });
      latencies.push(Date.now() - pushed);
    }
    console.log(`live tail latency, push acknowledged → line shown: ${latencies.join(', ')} ms`);
    // poll-based server tail: a line waits at most one poll (1 s) plus the frame
    assert.ok(Math.min(...latencies) < 1500, `latencies ${latencies.join(', ')} ms`);
    // oldest at the top, newest at the bottom, as `tail -f`
    assert.deepEqual(await visibleLines(page), ['before the tail started', 'tailed line 0', 'tailed line 1', 'tailed line 2']);
    await page.waitForFunction(() => Number(document.querySelector('.rate')?.textContent?.split(' ')[0]) > 0);

    await page.getByRole('button', { name: 'Pause' }).click();
    await push(s.url, [{ stream: { service: 'tail' }, values: [[String(nowNs()), 'held while paused']] }]);
    await page.getByRole('button', { name: 'Resume (1 new)' }).waitFor({ timeout: 3000 });
    assert.ok(!(await visibleLines(page)).includes('held while paused'));
    await page.getByRole('button', { name: 'Resume (1 new)' }).click();
    await page.locator('.line-text', { hasText: 'held while paused' }).waitFor();
    assert.match((await status.textContent())!, /5 of 10,000 kept/);

    // leaving live mode closes the tail
    await page.getByRole('button', { name: 'Live' }).click();
    await page.waitForFunction(() => !new URL(location.href).searchParams.has('live'));
    assert.equal(await status.count(), 0);
    assert.deepEqual(errors, []);
    await context.close();
  });
});

test('a reader scrolled up keeps their place while lines arrive', { skip: skipBrowser }, async () => {
  await withServer({}, async (s) => {
    const t0 = nowNs(-60_000);
    await push(s.url, [{ stream: { service: 'tail' }, values: Array.from({ length: 300 }, (_, i) => [String(t0 + BigInt(i) * 1_000_000n), `old line ${i}`]) }]);
    // look-back of the tail is its newest 100 lines
    const { page, context } = await openPage(`${s.url}/ui/explore?q=${encodeURIComponent('{service="tail"}')}&live=1`);
    await page.locator('.line-text', { hasText: 'old line 299' }).waitFor();
    const list = page.getByRole('list', { name: 'Log lines' });
    // following the end: the newest line is in view
    await page.waitForFunction(() => {
      const el = document.querySelector('[aria-label="Log lines"]')!;
      return el.scrollTop + el.clientHeight >= el.scrollHeight - 2;
    });
    // the reader scrolls up (again, should the list still be settling at its end)
    await list.evaluate(async (el) => {
      for (let i = 0; i < 20 && el.scrollTop !== 200; i++) {
        el.scrollTop = 200;
        for (let f = 0; f < 3; f++) await new Promise((r) => requestAnimationFrame(r));
      }
    });
    assert.equal(await list.evaluate((el) => el.scrollTop), 200);
    const anchor = await list.evaluate((el) => {
      const top = el.getBoundingClientRect().top;
      const row = [...el.querySelectorAll('.log-row')].find((r) => r.getBoundingClientRect().bottom > top + 1)!;
      return { text: row.querySelector('.line-text')!.textContent, offset: row.getBoundingClientRect().top - top };
    });
    await push(s.url, [{ stream: { service: 'tail' }, values: Array.from({ length: 20 }, (_, i) => [String(nowNs() + BigInt(i)), `new line ${i}`]) }]);
    await page.waitForFunction(() => document.querySelector('.tail-bar')?.textContent?.includes('120 of'));
    const after = await list.evaluate((el, text) => {
      const top = el.getBoundingClientRect().top;
      const row = [...el.querySelectorAll('.log-row')].find((r) => r.querySelector('.line-text')!.textContent === text)!;
      return row.getBoundingClientRect().top - top;
    }, anchor.text);
    assert.ok(Math.abs(after - anchor.offset) <= 1, `the row moved from ${anchor.offset} to ${after}`);
    await context.close();
  });
});
