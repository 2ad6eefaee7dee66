// The Alerts page in Chromium against a server running a rule and a webhook receiver: the rule shows firing with
// its active alert, "Open in Explore" carries its expression, a silence made from the alert's labels is listed and
// expired, and the notification log shows what was sent to whom.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import { getJson, nowNs, push, withServer } from '../integration/harness.ts';
import { alertingSetup, EXPR } from './fixtures.ts';
import { closeBrowser, openPage, skipBrowser } from './browser.ts';
import { screenshot } from './screenshots.ts';

after(closeBrowser);


test('alert rules, silences and the notification log', { skip: skipBrowser }, async () => {
  let notified = 0;
  const hook = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      notified++;
      res.writeHead(200);
      res.end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
  const { dir, dataDir, alertingConfigFile } = alertingSetup(`http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`);
  try {
    await withServer({ dataDir, alertingConfigFile }, async (s) => {
      await push(s.url, [{ stream: { service: 'checkout', level: 'error' }, values: [[String(nowNs(-2000)), 'payment provider timed out']] }]);
      // the rule fires and its notification is logged before the page looks
      for (let i = 0; i < 200; i++) {
        const { body } = await getJson(s.url, '/api/v1/alerting/notifications');
        if (body.data.notifications.length) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(notified > 0, 'the webhook was not called');

      const { page, context, errors } = await openPage(`${s.url}/ui/alerts`);
      assert.match(await page.title(), /Sightline/);
      const group = page.getByRole('region', { name: 'Group service-health' });
      await group.locator('.badge-firing').first().waitFor();
      assert.match((await group.locator('.rule-row').textContent())!, /ErrorsLogged.*severity=page.*firing/);
      assert.match((await group.locator('.rule-row').textContent())!, /summary: \{\{ \$labels\.service \}\} logs errors/);
      const explore = page.getByRole('link', { name: 'Open ErrorsLogged in Explore' });
      assert.equal(new URL((await explore.getAttribute('href'))!, s.url).searchParams.get('q'), EXPR);
      assert.match((await group.locator('.alert-row').textContent())!, /firing.*service=checkout.*value 1Silence…$/);

      // the notification log: sent to oncall's webhook
      const log = page.getByRole('table', { name: 'Notifications' });
      assert.match((await log.locator('tbody tr').first().textContent())!, /oncall.*webhook\[0\].*1 firing.*1.*sent/);

      // silence it from its row: all of its labels, an author, a comment, a duration
      await group.getByRole('button', { name: 'Silence…' }).click();
      const dialog = page.getByRole('dialog', { name: 'New silence' });
      await dialog.waitFor();
      await dialog.getByLabel('Duration').fill('soon');
      await dialog.getByLabel('Author').fill('dana@example.com');
      await dialog.getByLabel('Comment').fill('checkout provider outage, known');
      await dialog.getByRole('button', { name: 'Create silence' }).click();
      await dialog.getByRole('alert').filter({ hasText: 'duration: expected a number and a unit' }).waitFor();
      await dialog.getByLabel('Duration').fill('2h');
      await dialog.getByRole('button', { name: 'Create silence' }).click();
      await dialog.waitFor({ state: 'detached' });
      const silences = page.getByRole('table', { name: 'Silences' });
      const row = silences.locator('tbody tr', { hasText: 'checkout provider outage, known' });
      await row.waitFor();
      await screenshot(page, 'alerts');
      assert.match((await row.textContent())!, /active.*alertname="ErrorsLogged".*service="checkout".*in 2 h.*dana@example\.com/);
      const stored = (await getJson(s.url, '/alertmanager/api/v2/silences')).body as { createdBy: string; matchers: { name: string; value: string }[] }[];
      assert.equal(stored.length, 1);
      assert.deepEqual(stored[0].matchers.map((m) => `${m.name}=${m.value}`).sort(), ['alertname=ErrorsLogged', 'service=checkout', 'severity=page']);
      await group.locator('.alert-row .badge-silenced').waitFor();
      // the server now lists the alert as suppressed
      assert.equal((await getJson(s.url, '/alertmanager/api/v2/alerts?silenced=false')).body.length, 0);

      await row.getByRole('button', { name: 'Expire silence checkout provider outage, known' }).click();
      await page.waitForFunction(() => [...document.querySelectorAll('[aria-label="Silences"] tbody tr')].some((r) => r.textContent?.includes('expired')));
      await group.locator('.alert-row .badge-silenced').waitFor({ state: 'detached' });
      assert.equal((await getJson(s.url, '/alertmanager/api/v2/silences')).body[0].status.state, 'expired');

      // Explore opens with the rule's expression
      await explore.click();
      await page.waitForURL(/\/ui\/explore/);
      await page.getByRole('textbox', { name: 'Query' }).waitFor();
      assert.equal(await page.getByRole('textbox', { name: 'Query' }).textContent(), EXPR);
      assert.deepEqual(errors, []);
      await context.close();
    });
  } finally {
    hook.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
