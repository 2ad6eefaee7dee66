// `sightline alerts`: the current alerts, silences (add, list, expire) and the notification log of a server, through
// its Alertmanager-style API (/alertmanager/api/v2) and /api/v1/alerting/{notifications,status}.

import { parseArgs } from 'node:util';
import { parseMatcher, MatcherError } from '../rules/notify/label-matchers.ts';
import { parsePromDuration } from '../rules/prom-duration.ts';
import { parseTimestampNs } from '../ingest/timestamp.ts';

const HELP = `sightline alerts: alerts, silences and notifications of a Sightline server

  sightline alerts list                          alerts now active or suppressed, with their receivers
  sightline alerts silence add MATCHER... (--duration 2h | --end T) --comment TEXT [--author NAME] [--start T]
                                                 MATCHER: name="value", name!="value", name=~"regex", name!~"regex"
  sightline alerts silence list [--expired]      active and pending silences (and expired ones with --expired)
  sightline alerts silence expire ID...          ends silences now
  sightline alerts notifications [--receiver R] [--result sent|retrying|failed|dropped] [--limit N]
                                                 the notification log, newest first
  sightline alerts status                        the alerting config in force and its last reload (exit 1 if it failed)

  Common: --server URL (default $SIGHTLINE_URL or http://127.0.0.1:3100), --tenant T, --api-key K
          (default $SIGHTLINE_API_KEY), --output text|json
`;

const OPTIONS = {
  server: { type: 'string' },
  tenant: { type: 'string' },
  'api-key': { type: 'string' },
  output: { type: 'string' },
  duration: { type: 'string' },
  start: { type: 'string' },
  end: { type: 'string' },
  comment: { type: 'string' },
  author: { type: 'string' },
  expired: { type: 'boolean' },
  receiver: { type: 'string' },
  result: { type: 'string' },
  limit: { type: 'string' },
  help: { type: 'boolean' },
} as const;

class UsageError extends Error {}

function timeFlag(flag: string, v: string): number {
  const ns = parseTimestampNs(v);
  if (ns === undefined) throw new UsageError(`--${flag}: expected an RFC 3339 time or a Unix time, got "${v}"`);
  return Number(ns / 1_000_000n);
}

export async function alertsCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true });
  if (values.help || positionals.length === 0) {
    process.stdout.write(HELP);
    return values.help ? 0 : 2;
  }
  const server = (values.server ?? process.env.SIGHTLINE_URL ?? 'http://127.0.0.1:3100').replace(/\/$/, '');
  const headers: Record<string, string> = {};
  if (values.tenant) headers['X-Scope-OrgID'] = values.tenant;
  const key = values['api-key'] ?? process.env.SIGHTLINE_API_KEY;
  if (key) headers.Authorization = `Bearer ${key}`;
  const json = values.output === 'json';
  if (values.output !== undefined && values.output !== 'json' && values.output !== 'text') throw new UsageError(`--output: expected text or json, got "${values.output}"`);

  const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(server + path, { method, headers: { ...headers, ...(body ? { 'Content-Type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
    const text = await res.text();
    if (!res.ok) {
      let message = text;
      try {
        message = (JSON.parse(text) as { error?: string }).error ?? text;
      } catch {
        // plain text error
      }
      throw new Error(`${method} ${path}: HTTP ${res.status}: ${message}`);
    }
    return text ? JSON.parse(text) : undefined;
  };

  try {
    const [what, sub, ...rest] = positionals;
    if (what === 'list') {
      const alerts = (await call('GET', '/alertmanager/api/v2/alerts')) as { labels: Record<string, string>; startsAt: string; status: { state: string }; receivers: { name: string }[]; annotations: Record<string, string> }[];
      if (json) process.stdout.write(JSON.stringify(alerts) + '\n');
      else for (const a of alerts) process.stdout.write(`${a.status.state.padEnd(10)} since ${a.startsAt} ${labelText(a.labels)} → ${a.receivers.map((r) => r.name).join(', ') || '(no receiver)'}${a.annotations.summary ? `  ${a.annotations.summary}` : ''}\n`);
      return 0;
    }
    if (what === 'notifications') {
      const q = new URLSearchParams();
      if (values.receiver) q.set('receiver', values.receiver);
      if (values.result) q.set('result', values.result);
      if (values.limit) q.set('limit', values.limit);
      const r = (await call('GET', `/api/v1/alerting/notifications?${q}`)) as { data: { pending: number; notifications: { ts: string; receiver: string; integration: string; status: string; alerts: number; result: string; attempt: number; error?: string; groupKey: string }[] } };
      if (json) process.stdout.write(JSON.stringify(r.data) + '\n');
      else {
        for (const n of r.data.notifications) process.stdout.write(`${n.ts} ${n.result.padEnd(8)} ${n.receiver}/${n.integration} ${n.status} ${n.alerts} alert${n.alerts === 1 ? '' : 's'} ${n.groupKey} (attempt ${n.attempt})${n.error ? ` ${n.error}` : ''}\n`);
        process.stdout.write(`${r.data.pending} waiting in the outbox\n`);
      }
      return 0;
    }
    if (what === 'status') {
      const r = (await call('GET', '/api/v1/alerting/status')) as {
        data: { configFile: string; reloadable: boolean; lastReloadSuccessful: boolean; loadedAt: string; lastError: string | null; reloads: { success: number; failure: number }; receivers: string[]; pending: number };
      };
      const d = r.data;
      if (json) process.stdout.write(JSON.stringify(d) + '\n');
      else {
        process.stdout.write(`config     ${d.configFile || '(none: nothing is sent)'}${d.reloadable ? '' : ' (not reloadable)'}\n`);
        process.stdout.write(`loaded at  ${d.loadedAt}; reloads: ${d.reloads.success} ok, ${d.reloads.failure} failed\n`);
        process.stdout.write(`receivers  ${d.receivers.join(', ') || '(none)'}; ${d.pending} waiting in the outbox\n`);
        if (!d.lastReloadSuccessful) process.stdout.write(`last reload FAILED, the previous config keeps running:\n${d.lastError}\n`);
      }
      return d.lastReloadSuccessful ? 0 : 1;
    }
    if (what !== 'silence') throw new UsageError(`unknown subcommand "${what}"`);
    if (sub === 'add') {
      if (rest.length === 0) throw new UsageError('silence add needs at least one matcher, e.g. service="payment"');
      const matchers = rest.map((m) => {
        try {
          const p = parseMatcher(m);
          return { name: p.name, value: p.value, isRegex: p.op === '=~' || p.op === '!~', isEqual: p.op === '=' || p.op === '=~' };
        } catch (e) {
          if (e instanceof MatcherError) throw new UsageError(e.message);
          throw e;
        }
      });
      if (!values.comment) throw new UsageError('silence add needs --comment saying why');
      const start = values.start ? timeFlag('start', values.start) : Date.now();
      let end: number;
      if (values.end) end = timeFlag('end', values.end);
      else {
        const d = parsePromDuration(values.duration ?? '');
        if (!d) throw new UsageError('silence add needs --duration (e.g. 2h) or --end');
        end = start + d;
      }
      const author = values.author ?? process.env.USER ?? 'sightline';
      const r = (await call('POST', '/alertmanager/api/v2/silences', { matchers, startsAt: new Date(start).toISOString(), endsAt: new Date(end).toISOString(), createdBy: author, comment: values.comment })) as { silenceID: string };
      process.stdout.write(json ? JSON.stringify(r) + '\n' : r.silenceID + '\n');
      return 0;
    }
    if (sub === 'list') {
      const list = (await call('GET', '/alertmanager/api/v2/silences')) as { id: string; status: { state: string }; matchers: { name: string; value: string; isRegex: boolean; isEqual: boolean }[]; endsAt: string; createdBy: string; comment: string }[];
      const shown = values.expired ? list : list.filter((s) => s.status.state !== 'expired');
      if (json) process.stdout.write(JSON.stringify(shown) + '\n');
      else {
        for (const s of shown) {
          const ms = s.matchers.map((m) => `${m.name}${m.isRegex ? (m.isEqual ? '=~' : '!~') : m.isEqual ? '=' : '!='}${JSON.stringify(m.value)}`).join(', ');
          process.stdout.write(`${s.id} ${s.status.state.padEnd(8)} until ${s.endsAt} {${ms}} by ${s.createdBy}: ${s.comment}\n`);
        }
      }
      return 0;
    }
    if (sub === 'expire') {
      if (rest.length === 0) throw new UsageError('silence expire needs silence IDs');
      for (const id of rest) await call('DELETE', `/alertmanager/api/v2/silence/${encodeURIComponent(id)}`);
      return 0;
    }
    throw new UsageError(`unknown silence subcommand "${sub ?? ''}" (expected add, list or expire)`);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`sightline alerts: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

function labelText(l: Record<string, string>): string {
  return '{' + Object.entries(l).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ') + '}';
}
