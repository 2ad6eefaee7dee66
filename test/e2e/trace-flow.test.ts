// Trace flow in Chromium: a trace_id in a log line is a link; it opens every line of that request across
// services (found by the id as structured metadata or in the text) on one time axis, in order, errors marked.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { nowNs, push, withServer } from '../integration/harness.ts';
import { closeBrowser, openPage, resultCount, runQuery, skipBrowser } from './browser.ts';

after(closeBrowser);

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

test('a trace id opens the request across three services in time order, errors marked', { skip: skipBrowser }, async () => {
  await withServer({}, async (s) => {
    const t0 = nowNs(-120_000);
    const at = (ms: number) => String(t0 + BigInt(ms) * 1_000_000n);
    const res = await push(s.url, [
      // the gateway writes the id in its line only
      { stream: { service: 'gateway' }, values: [[at(0), `GET /checkout trace_id=${TRACE} start`], [at(480), `GET /checkout 502 trace_id=${TRACE} took=480ms`]] },
      // the others carry it as structured metadata (as OTLP does)
      { stream: { service: 'orders', level: 'info' }, values: [[at(12), 'reserving items', { trace_id: TRACE }], [at(95), 'items reserved', { trace_id: TRACE }]] },
      { stream: { service: 'payments', level: 'error' }, values: [[at(130), 'card declined: insufficient funds', { trace_id: TRACE }]] },
      // another request, not part of this one
      { stream: { service: 'orders', level: 'info' }, values: [[at(50), 'other request', { trace_id: 'ffff0000ffff0000' }]] },
    ]);
    assert.equal(res.status, 204, await res.text());

    const { page, context, errors } = await openPage(`${s.url}/ui/explore`);
    await runQuery(page, '{service="gateway"}');
    await resultCount(page, 2);
    const link = page.getByRole('link', { name: TRACE }).first();
    await link.click();
    const panel = page.getByRole('dialog', { name: `Trace ${TRACE}` });
    await panel.locator('.trace-line').nth(4).waitFor();
    assert.match((await panel.locator('.trace-summary').textContent())!, /^3 services · 5 lines · 480\.000 ms$/);
    // lanes in order of first appearance, errors counted per lane
    const lanes = await panel.locator('.wf-row').evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-service'), r.classList.contains('has-errors')]));
    assert.deepEqual(lanes, [
      ['gateway', false],
      ['orders', false],
      ['payments', true],
    ]);
    const lines = await panel.locator('.trace-line').evaluateAll((rows) =>
      rows.map((r) => [r.querySelector('.offset')!.textContent, r.querySelector('.svc')!.textContent, r.querySelector('.line-text')!.textContent, r.classList.contains('error')]),
    );
    assert.deepEqual(lines, [
      ['+0.000 ms', 'gateway', `GET /checkout trace_id=${TRACE} start`, false],
      ['+12.000 ms', 'orders', 'reserving items', false],
      ['+95.000 ms', 'orders', 'items reserved', false],
      ['+130.000 ms', 'payments', 'card declined: insufficient funds', true],
      ['+480.000 ms', 'gateway', `GET /checkout 502 trace_id=${TRACE} took=480ms`, false],
    ]);
    // the waterfall places each line on the shared axis: payments' error dot at 130/480 of the track
    const dot = await panel.locator('.wf-row[data-service="payments"] .wf-dot.error').evaluate((d) => (d as HTMLElement).style.left);
    assert.equal(dot, '27.083%');
    // the panel is part of the URL: reloading reopens it
    assert.equal(new URL(page.url()).searchParams.get('trace'), TRACE);
    await page.reload();
    await panel.locator('.trace-line').nth(4).waitFor();
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });
    assert.equal(new URL(page.url()).searchParams.get('trace'), null);
    assert.deepEqual(errors, []);
    await context.close();
  });
});
