// The SIEM against real servers: the guide's scenario sent with `logger` over syslog and found by a hunt over the
// stored records; near misses pushed with the Loki API and hunted through the SIEM HTTP API and `sightline siem hunt`;
// the live path of the SIEM service with its actions (a webhook receiver on 127.0.0.1, approval, notification),
// incident updates over HTTP and incidents surviving a restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { getJson, nowNs, push, REPO, tempDir, withServer, type PushStream } from './harness.ts';
import { QueryEngine } from '../../src/query/engine.ts';
import { hunt } from '../../src/siem/hunt.ts';
import { loadRulePaths } from '../../src/siem/rule-set.ts';
import { SiemService } from '../../src/siem/siem-service.ts';
import { parseSiemConfig } from '../../src/siem/siem-config.ts';
import type { SiemAlert } from '../../src/siem/alert.ts';
import { siemRoutes } from '../../src/server/routes/siem.ts';
import { Authenticator } from '../../src/server/auth.ts';
import { classifyError, type Route } from '../../src/server/http-server.ts';
import { siemCommand } from '../../src/cli/siem-command.ts';
import type { AlertNotice } from '../../src/rules/alert-notice.ts';
import { batchOf, takeover, download, T0, MIN } from '../siem/scenario.ts';

const RULE = path.join(REPO, 'examples/detections/brute-force-then-escalation.yaml');
const MINUTE = 60_000_000_000n;

function run(cmd: string, args: string[], input?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { timeout: 20_000 }, (err, _o, stderr) => (err ? reject(new Error(`${cmd}: ${err.message} ${stderr}`)) : resolve()));
    if (input !== undefined) child.stdin!.end(input);
  });
}

/** Serves route modules the way the main listener does (paths with :params, errors shaped by classifyError). */
async function serveRoutes(routes: Route[]): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url!, 'http://x');
    const segs = url.pathname.split('/');
    for (const r of routes) {
      const rs = r.path.split('/');
      if (rs.length !== segs.length || !r.method.split('|').includes(req.method!)) continue;
      const params: Record<string, string> = {};
      if (!rs.every((s, i) => (s.startsWith(':') ? ((params[s.slice(1)] = decodeURIComponent(segs[i]!)), true) : s === segs[i]))) continue;
      try {
        await r.handler(req, res, { url, params });
      } catch (e) {
        const { status, message } = classifyError(e);
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ status: 'error', message }));
      }
      return;
    }
    res.writeHead(404);
    res.end('not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(() => r())) };
}

async function waitCount(url: string, query: string, n: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const p = new URLSearchParams({ query, start: String(nowNs(-3_600_000)), end: String(nowNs(60_000)), limit: '1000' });
    const r = await getJson(url, `/loki/api/v1/query_range?${p}`);
    const got = r.body.data.result.reduce((k: number, s: { values: unknown[] }) => k + s.values.length, 0);
    if (got >= n) return;
    if (Date.now() > deadline) assert.fail(`waited 30s for ${n} entries of ${query}, got ${got}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('the guide scenario sent by logger over syslog is found by a hunt over the stored records', async () => {
  await withServer({ syslog: { port: 0, tenant: 'default' } }, async (s) => {
    const port = String(s.listeners.syslog_tcp!.port);
    const send = (tag: string, lines: string[]) => run('logger', ['--server', '127.0.0.1', '--port', port, '--tcp', '--octet-count', '--rfc5424', '-t', tag, '-p', 'auth.info'], lines.join('\n') + '\n');
    const fails = (u: string, n: number) => Array.from({ length: n }, (_, i) => `Failed password for ${u} from 203.0.113.7 port ${50000 + i} ssh2`);
    // admin: the full sequence; mallory: four failures only; trudy: the success is eve's
    await send('sshd', [...fails('admin', 5), ...fails('mallory', 4), ...fails('trudy', 5)]);
    await send('sshd', ['Accepted password for admin from 203.0.113.7 port 50010 ssh2', 'Accepted password for mallory from 203.0.113.7 port 50011 ssh2', 'Accepted password for eve from 203.0.113.7 port 50012 ssh2']);
    await send('usermod', ["add 'admin' to group 'sudo'", "add 'mallory' to group 'sudo'", "add 'trudy' to group 'sudo'"]);
    await waitCount(s.url, '{service=~"sshd|usermod"}', 20);

    const result = await hunt({ engine: new QueryEngine(s.store), rules: loadRulePaths([RULE]), tenant: 'default', fromNs: nowNs(-3_600_000), toNs: nowNs(60_000) });
    assert.equal(result.records, 20);
    assert.deepEqual(result.queries, ['{service="fileserver"}', '{service="sshd"} |= "Accepted "', '{service="sshd"} |= "Failed password"', '{service=~"usermod|gpasswd"} |~ "(?i)to (shadow )?group"']);
    assert.equal(result.alerts.length, 1);
    const a = result.alerts[0]!;
    assert.equal(a.title, 'account takeover suspected');
    assert.equal(a.severity, 'high');
    assert.deepEqual(a.group, { user_id: 'admin' });
    assert.equal(a.event_count, 7);
    assert.deepEqual(a.events.map((e) => e.step), ['login_failed', 'login_failed', 'login_failed', 'login_failed', 'login_failed', 'login_success', 'privilege_change']);
    assert.equal(a.events[0]!.labels.service, 'sshd');
    assert.equal(a.events[6]!.labels.service, 'usermod');
    assert.equal(a.events[6]!.labels.facility, 'auth');
  });
});

/** The scenario and its near misses at explicit times (now - 50m onwards), as Loki push streams. */
function nearMisses(): PushStream[] {
  const t0 = nowNs(-50 * 60_000);
  const at = (m: number, s = 0) => String(t0 + BigInt(m) * MINUTE + BigInt(s) * 1_000_000_000n);
  const sshd: string[][] = [];
  const usermod: string[][] = [];
  const files: string[][] = [];
  const seq = (user: string, offsetS: number, opts: { failures?: number; successBy?: string; privAt?: number } = {}) => {
    for (let i = 0; i < (opts.failures ?? 5); i++) sshd.push([at(i, offsetS), `Failed password for ${user} from 198.51.100.4 port ${40000 + i} ssh2`]);
    sshd.push([at(6, offsetS), `Accepted password for ${opts.successBy ?? user} from 198.51.100.4 port 40100 ssh2`]);
    usermod.push([at(opts.privAt ?? 10, offsetS), `add '${user}' to group 'sudo'`]);
  };
  seq('admin', 0);
  seq('four', 1, { failures: 4 });
  seq('other', 2, { successBy: 'someone' });
  seq('slow', 3, { privAt: 37 });
  files.push([at(25), 'action=download user_id=admin bytes=3221225472 path=/exports/all.csv']);
  return [
    { stream: { service: 'sshd', host: 'bastion' }, values: sshd },
    { stream: { service: 'usermod', host: 'bastion' }, values: usermod },
    { stream: { service: 'fileserver', host: 'files' }, values: files },
  ];
}

test('near misses pushed through the Loki API: a hunt over the SIEM API and `sightline siem hunt` finds only the real attack', async () => {
  const dir = tempDir('sightline-siem-api-');
  try {
    await withServer({}, async (s) => {
      const r = await push(s.url, nearMisses());
      assert.equal(r.status, 204);
      await waitCount(s.url, '{host=~"bastion|files"}', 28);
      const cfg = path.join(dir, 'siem.yaml');
      writeFileSync(cfg, `rules: [${RULE}]\n`);
      const service = new SiemService({ dataDir: dir, config: parseSiemConfig(readFileSync(cfg, 'utf8'), cfg), queryEngine: new QueryEngine(s.store) });
      const api = await serveRoutes(siemRoutes({ auth: new Authenticator({}) }, service));
      try {
        // with the service's own rules
        const res = await fetch(`${api.url}/api/v1/siem/hunt`, { method: 'POST', body: JSON.stringify({ start: String(nowNs(-3_600_000)), end: String(nowNs(60_000)) }) });
        assert.equal(res.status, 200);
        const body = (await res.json()) as { alerts: SiemAlert[]; stats: { records: number } };
        assert.equal(body.stats.records, 28);
        assert.deepEqual(body.alerts.map((a) => [a.group.user_id, a.extends ? 'extension' : 'alert']), [['admin', 'alert'], ['admin', 'extension']]);
        assert.equal(body.alerts[1]!.events[0]!.step, 'mass_download');

        // the CLI, rules sent from files
        const out: string[] = [];
        const err: string[] = [];
        const code = await siemCommand(['hunt', '--rules', RULE, '--since', '2h', '--server', api.url], { write: (t) => void out.push(t) }, { write: (t) => void err.push(t) });
        assert.equal(code, 0, err.join(''));
        const lines = out.join('').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
        assert.equal(lines.length, 2);
        assert.deepEqual(Object.keys(lines[0]!).slice(0, 9), ['rule', 'title', 'severity', 'group', 'first_ts', 'last_ts', 'event_count', 'events', 'tags']);
        assert.deepEqual(lines[0]!.group, { user_id: 'admin' });
        assert.match(err.join(''), /2 alerts from 1 rules over 28 records/);

        // bad requests are answered with the reason
        const bad = await fetch(`${api.url}/api/v1/siem/hunt`, { method: 'POST', body: JSON.stringify({ start: 'yesterday' }) });
        assert.equal(bad.status, 400);
        assert.match(((await bad.json()) as { message: string }).message, /invalid parameter "start": cannot parse "yesterday"/);
        // small pages: windows are split until each fits, and nothing is lost
        const small = await hunt({ engine: new QueryEngine(s.store), rules: loadRulePaths([RULE]), tenant: 'default', fromNs: nowNs(-3_600_000), toNs: nowNs(60_000), pageLimit: 4 });
        assert.equal(small.records, 28);
        assert.ok(small.windows >= 7, `windows: ${small.windows}`);
        assert.deepEqual(small.alerts.map((a) => a.alert_id), body.alerts.map((a) => a.alert_id));

        const rules = await getJson(api.url, '/api/v1/siem/rules');
        assert.equal(rules.body.loaded, 1);
        assert.equal(rules.body.rules[0].rule, 'brute_force_then_escalation');
      } finally {
        await api.close();
        await service.close();
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('live: the SIEM service alerts on committed batches, runs its actions, and incidents are managed over HTTP', async () => {
  const dir = tempDir('sightline-siem-live-');
  const hooks: { path: string; body: string; auth?: string }[] = [];
  const receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      hooks.push({ path: req.url!, body, auth: req.headers.authorization });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  try {
    const rule = readFileSync(RULE, 'utf8').replace(
      /action:\n[\s\S]*$/,
      `action:
  - alert: {labels: {team: soc, pager: pagerduty}, text: SOC team via PagerDuty}
  - auto_response: {name: disable_account, url: "${hook}/disable", body: '{"user": "{{group.user_id}}", "incident": "{{incident.id}}"}', dry_run: false, headers: {Authorization: Bearer s3cret}}
  - auto_response: {name: block_ip, url: "${hook}/block", body: '{"ip": "{{entities.ip}}"}', approval: required}
  - auto_response: disable account temporarily
`,
    );
    writeFileSync(path.join(dir, 'rule.yaml'), rule);
    const config = parseSiemConfig(`rules: [rule.yaml]\nreorder_window: 5s\n`, path.join(dir, 'siem.yaml'));
    const notices: AlertNotice[] = [];
    let clock = T0;
    const open = () => new SiemService({ dataDir: dir, config, clock: () => clock, alertSink: { receive: (_t, n) => void notices.push(...n) }, externalUrl: () => 'http://sightline.example' });
    let service = open();
    for (const r of [...takeover(), download('admin', T0 + 20n * MIN)]) {
      clock = r.ts;
      service.onCommitted(batchOf([r]));
    }
    clock = T0 + 21n * MIN;
    service.engine.tick();
    await service.engine.settled();

    const [inc] = service.incidents.list('default');
    assert.ok(inc);
    assert.equal(inc.event_count, 8, 'the download extended it');
    assert.deepEqual(hooks.map((h) => h.path), ['/disable']);
    assert.deepEqual(JSON.parse(hooks[0]!.body), { user: 'admin', incident: inc.id });
    assert.equal(hooks[0]!.auth, 'Bearer s3cret');
    assert.deepEqual(inc.responses.map((r) => [r.name, r.status]), [['disable_account', 'sent'], ['block_ip', 'pending_approval'], ['disable account temporarily', 'manual']]);
    assert.deepEqual(inc.responses[1]!.request, { method: 'POST', url: `${hook}/block`, body: '{"ip": "198.51.100.23"}' });
    assert.equal(notices.length, 2, 'the alert, then the extension');
    assert.deepEqual({ ...notices[0]!.labels }, { alertname: 'account takeover suspected', siem_rule: 'brute_force_then_escalation', severity: 'high', source: 'siem', team: 'soc', pager: 'pagerduty', user_id: 'admin' });
    assert.equal(notices[0]!.annotations.notify, 'SOC team via PagerDuty');
    assert.equal(notices[0]!.annotations.summary, 'account takeover suspected');
    assert.equal(notices[0]!.annotations.extends, undefined);
    // the extension says what it adds, with the alert it extends, so a receiver does not show the first alert twice
    assert.equal(notices[1]!.annotations.summary, 'account takeover suspected: extended by mass_download');
    assert.equal(notices[1]!.annotations.extends, inc.alerts[0]);
    assert.equal(notices[0]!.generatorURL, `http://sightline.example/api/v1/siem/incidents/${inc.id}`);

    const api = await serveRoutes(siemRoutes({ auth: new Authenticator({}) }, service));
    try {
      const list = await getJson(api.url, '/api/v1/siem/incidents?status=new&severity=high');
      assert.deepEqual(list.body.incidents.map((i: { id: string }) => i.id), [inc.id]);
      const one = await getJson(api.url, `/api/v1/siem/incidents/${inc.id}`);
      assert.equal(one.body.alerts.length, 2);
      const upd = await fetch(`${api.url}/api/v1/siem/incidents/${inc.id}`, { method: 'POST', body: JSON.stringify({ status: 'in_progress', assignee: 'kim', note: 'checking with the account owner', author: 'kim' }) });
      assert.equal(upd.status, 200);
      const bad = await fetch(`${api.url}/api/v1/siem/incidents/${inc.id}`, { method: 'POST', body: JSON.stringify({ status: 'closed' }) });
      assert.equal(bad.status, 400);
      assert.match(((await bad.json()) as { message: string }).message, /status: expected one of new, triaged, in_progress, resolved, false_positive, got "closed"/);
      assert.equal((await fetch(`${api.url}/api/v1/siem/incidents/inc-nope`)).status, 404);
      const approve = await fetch(`${api.url}/api/v1/siem/incidents/${inc.id}/responses/1/approve`, { method: 'POST', body: JSON.stringify({ approver: 'lee' }) });
      assert.equal(approve.status, 200);
      assert.deepEqual(hooks.map((h) => h.path), ['/disable', '/block']);
      assert.equal(JSON.parse(hooks[1]!.body).ip, '198.51.100.23');
      const again = await fetch(`${api.url}/api/v1/siem/incidents/${inc.id}/responses/1/approve`, { method: 'POST', body: '{}' });
      assert.equal(again.status, 409);
    } finally {
      await api.close();
    }
    await service.close();

    // a restart keeps incidents, their status, notes and responses
    service = open();
    const after = service.incidents.get('default', inc.id);
    assert.equal(after.status, 'in_progress');
    assert.equal(after.assignee, 'kim');
    assert.deepEqual(after.notes.map((n) => n.text), ['checking with the account owner', 'auto_response block_ip approved: sent: HTTP 200: ok']);
    assert.equal(after.responses[1]!.status, 'sent');
    await service.close();
  } finally {
    await new Promise<void>((r) => receiver.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  }
});

