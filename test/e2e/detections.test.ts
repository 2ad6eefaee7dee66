// The Detections page in Chromium against a server running the guide's account-takeover rule: the pushed scenario
// shows as an incident whose linked events sit on a timeline (each with a link to Explore around it), whose status,
// assignee and notes are edited from the page; the ATT&CK matrix shows the rule's techniques; the rules list its tags.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { getJson, nowNs, push, withServer } from '../integration/harness.ts';
import { pushAttack, siemSetup } from './fixtures.ts';
import { closeBrowser, openPage, skipBrowser } from './browser.ts';
import { screenshot } from './screenshots.ts';

after(closeBrowser);



test('incidents, their timeline and edits, the ATT&CK matrix and the rules', { skip: skipBrowser }, async () => {
  const { dir, siemFile } = siemSetup();
  try {
    await withServer({ siemFile }, async (s) => {
      const id = await pushAttack(s.url);
      const { page, context, errors } = await openPage(`${s.url}/ui/detections`);
      assert.match(await page.title(), /Sightline/);

      const incidents = page.getByRole('table', { name: 'Incidents' });
      const row = incidents.locator('tbody tr', { hasText: 'account takeover suspected' });
      await row.waitFor();
      assert.match((await row.textContent())!, /high.*account takeover suspected.*new.*nobody.*alice/);

      // the newest alerts: when, severity, title, the group it fired for, events, and the incident it joined
      const recent = page.getByRole('table', { name: 'Recent detection alerts' });
      const fired = recent.locator('tbody tr', { hasText: 'account takeover suspected' });
      await fired.waitFor();
      assert.match((await fired.textContent())!, /(just now|s ago)\s*high\s*account takeover suspected.*brute_force_then_escalation\s*user_id=alice\s*7\s*/);
      assert.equal(await fired.getByRole('link', { name: id }).getAttribute('href'), `?incident=${encodeURIComponent(id)}`);

      // the rules: tags as technique ids, and when it last fired
      const rules = page.getByRole('table', { name: 'Detection rules' });
      const rule = rules.locator('tbody tr', { hasText: 'account takeover suspected' });
      await rule.waitFor();
      assert.match((await rule.textContent())!, /native.*high.*T1110.*T1098.*yes.*(just now|s ago)/);

      // the ATT&CK matrix (GET /api/v1/detections/coverage)
      const coverage = await getJson(s.url, '/api/v1/detections/coverage');
      if (coverage.status === 404) {
        console.log('skipping the matrix checks: /api/v1/detections/coverage answers 404 on this server');
      } else {
        const matrix = page.getByRole('group', { name: 'ATT&CK coverage by tactic' });
        const cell = matrix.getByRole('button', { name: /^T1110 .*: 1 rule$/ }).first();
        await cell.waitFor();
        assert.match((await matrix.textContent())!, /Credential Access/);
        assert.match((await matrix.textContent())!, /Privilege Escalation/);
        await cell.click();
        assert.equal(await cell.getAttribute('aria-pressed'), 'true');
        const covering = page.getByRole('region', { name: 'Rules covering T1110' });
        assert.match((await covering.textContent())!, /high\s*account takeover suspected \(native\)/);
      }
      await screenshot(page, 'detections');

      // one incident: its events on a timeline, each with a link to Explore around it
      await row.getByRole('link', { name: 'account takeover suspected' }).click();
      await page.waitForFunction((want) => new URL(location.href).searchParams.get('incident') === want, id);
      const events = page.getByRole('list', { name: 'Linked events' }).locator('li');
      await events.first().waitFor();
      const texts = await events.allTextContents();
      assert.equal(texts.length, 7, texts.join('\n'));
      assert.match(texts[0], /login_failed.*Failed password for alice from 203\.0\.113\.7 port 40000.*service=sshd/);
      assert.match(texts[6], /privilege_change.*add 'alice' to group 'sudo'.*service=usermod/);
      const link = new URL((await events.first().getByRole('link', { name: 'Explore around this event' }).getAttribute('href'))!, s.url);
      assert.equal(link.searchParams.get('q'), '{host="bastion", service="sshd"}');
      assert.ok(Number(link.searchParams.get('to')) - Number(link.searchParams.get('from')) === 600_000);
      assert.equal(await page.getByRole('img', { name: /^7 events from / }).count(), 1);
      await screenshot(page, 'incident');

      // edits go through the SIEM API
      await page.getByLabel('Status').selectOption('in_progress');
      await page.getByLabel('Assignee').fill('sam');
      await page.getByRole('button', { name: 'Assign' }).click();
      await page.getByLabel('Note').fill('alice confirms she did not log in; password reset');
      await page.getByRole('button', { name: 'Add note' }).click();
      await page.locator('.notes li', { hasText: 'password reset' }).waitFor();
      const stored = (await getJson(s.url, `/api/v1/siem/incidents/${id}`)).body.incident;
      assert.equal(stored.status, 'in_progress');
      assert.equal(stored.assignee, 'sam');
      assert.deepEqual(
        stored.notes.map((n: { text: string }) => n.text),
        ['alice confirms she did not log in; password reset'],
      );

      // back to the list, which shows the edits
      await page.getByRole('button', { name: '← All incidents' }).click();
      await page.waitForFunction(() => /in progress.*sam/.test(document.querySelector('[aria-label="Incidents"] tbody tr')?.textContent ?? ''));
      assert.deepEqual(errors, []);
      await context.close();
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an incident shows the related records its rule searched for, each with a link to Explore around it', { skip: skipBrowser }, async () => {
  const { dir, siemFile } = siemSetup({ related: true });
  try {
    await withServer({ siemFile }, async (s) => {
      // stored before the attack, so the search (run when the alert is stored) sees them
      const t = nowNs(-150_000);
      await push(s.url, [{ stream: { service: 'web', host: 'www-1' }, values: [[String(t), 'GET /admin/users 200 client=203.0.113.7 user=alice'], [String(t + 1_000_000_000n), 'GET /health 200 client=10.0.0.9']] }]);
      const id = await pushAttack(s.url);
      let incident: { related?: { key: string; value: string; count: number; records: { line: string }[] }[] } = {};
      for (let i = 0; i < 100 && incident.related === undefined; i++) {
        incident = (await getJson(s.url, `/api/v1/siem/incidents/${id}`)).body.incident;
        if (incident.related === undefined) await new Promise((r) => setTimeout(r, 100));
      }
      const byIp = incident.related?.find((g) => g.key === 'src_ip' && g.value === '203.0.113.7');
      assert.ok(byIp, JSON.stringify(incident.related));
      assert.deepEqual(byIp.records.map((r) => r.line), ['GET /admin/users 200 client=203.0.113.7 user=alice']);

      const { page, context, errors } = await openPage(`${s.url}/ui/detections?incident=${encodeURIComponent(id)}`);
      const group = page.getByRole('region', { name: 'Related by src_ip = 203.0.113.7' });
      await group.waitFor();
      assert.match((await group.textContent())!, /src_ip = 203\.0\.113\.7\s*1 record/);
      const records = group.getByRole('list', { name: 'Records related by src_ip = 203.0.113.7' }).locator('li');
      assert.equal(await records.count(), 1);
      assert.match((await records.first().textContent())!, /GET \/admin\/users 200 client=203\.0\.113\.7 user=alice.*host=www-1.*service=web/);
      assert.doesNotMatch((await page.locator('main').textContent())!, /GET \/health/);
      const link = new URL((await records.first().getByRole('link', { name: 'Explore around this record' }).getAttribute('href'))!, s.url);
      assert.equal(link.searchParams.get('q'), '{host="www-1", service="web"}');
      assert.equal(Number(link.searchParams.get('to')) - Number(link.searchParams.get('from')), 600_000);
      assert.deepEqual(errors, []);
      await context.close();
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
