// The detections API (docs/detection.md "HTTP API"): backtest rules over the tenant's stored records, the stored
// detection alerts (recent ones from the SIEM's alert store, older ones from the `{stream="detections"}` records of the
// log store with `source=store`), and the MITRE ATT&CK coverage of the running rules. Replies are
// `{"status":"success","data":…}` with alerts in the shape `sightline detect` prints; the work is done by src/siem/.

import type { IncomingMessage } from 'node:http';
import { ConfigError } from '../../config/config-node.ts';
import type { SiemAlert } from '../../siem/alert.ts';
import { backtest, BacktestLimitError, BacktestQueryError, parseNarrowing, type Narrowing } from '../../siem/backtest.ts';
import { coverageOf, enabledRules } from '../../siem/coverage.ts';
import { DETECTIONS_STREAM } from '../../siem/alert-record-writer.ts';
import { toDetectionAlert, type DetectionAlert } from '../../siem/detection-alert.ts';
import { DetectionEngine } from '../../siem/detection-engine.ts';
import { formatFailure, loadedCount, loadRuleTexts, type RuleLoadFailure, type RuleSet, type RuleText } from '../../siem/rule-set.ts';
import { parseSeverity, type Severity } from '../../siem/severity.ts';
import { EMPTY_MAPPING, parseMapping } from '../../siem/sigma/logsource-mapping.ts';
import { readJsonObject, timeRangeField } from '../json-body.ts';
import { HttpError, sendJson, type Route, type ServerDeps } from '../http-server.ts';
import { parseLokiTime, parseStep } from '../loki-params.ts';

const MAX_BODY = 16 * 1024 * 1024;
const HOUR_NS = 3_600_000_000_000n;
/** the longest start..end a backtest may cover */
export const BACKTEST_MAX_RANGE_NS = 31n * 24n * HOUR_NS;
/** the most records a backtest may read (a request's `max_records` may lower it) */
export const BACKTEST_MAX_RECORDS = 1_000_000;
/** the stored alerts searched: the alert store keeps this many recent ones in memory */
const ALERTS_SCANNED = 10_000;

/** A time parameter: RFC 3339, Unix seconds or nanoseconds, or a duration back from now (`6h`). */
function timeParam(v: string | undefined, fallbackNs: bigint, nowNs: bigint, key: string): bigint {
  if (v === undefined || v === '') return fallbackNs;
  if (/^\d+(ns|us|µs|ms|s|m|h|d|w|y)/.test(v.trim())) return nowNs - parseStep(v, key);
  return parseLokiTime(v, fallbackNs, key);
}

/** The rules a backtest runs: inline texts, or names of loaded rules (kept by the alerts' `rule`). */
interface RuleChoice {
  texts?: RuleText[];
  names?: { index: number; name: string }[];
}

function ruleChoice(v: unknown): RuleChoice {
  if (v === undefined || v === null) return {};
  if (!Array.isArray(v) || v.length === 0) throw new HttpError(400, 'rules: expected a non-empty list of rule texts ({"name": "...", "text": "<YAML>"} or a YAML string) or names of loaded rules');
  const texts: RuleText[] = [];
  const names: { index: number; name: string }[] = [];
  v.forEach((r, i) => {
    if (typeof r === 'string') {
      // a rule text is YAML over several lines; a name is one word
      if (r.includes('\n')) texts.push({ name: `rules[${i}]`, text: r });
      else if (r.trim() !== '') names.push({ index: i, name: r.trim() });
      else throw new HttpError(400, `rules[${i}]: empty`);
      return;
    }
    if (r === null || typeof r !== 'object' || typeof (r as { text?: unknown }).text !== 'string') throw new HttpError(400, `rules[${i}]: expected a rule name, a YAML rule text or {"name": "...", "text": "<YAML>"}`);
    const o = r as { name?: unknown; text: string };
    texts.push({ name: typeof o.name === 'string' && o.name !== '' ? o.name : `rules[${i}]`, text: o.text });
  });
  if (texts.length > 0 && names.length > 0) throw new HttpError(400, 'rules: give either rule texts or names of loaded rules, not both');
  return texts.length > 0 ? { texts } : { names };
}

/** The alert `rule` values of the loaded rules a name picks: a native rule's name, a Sigma rule's id, name or title. */
function rulesNamed(set: RuleSet, name: string): string[] {
  const out: string[] = [];
  for (const r of set.native) if (r.name === name) out.push(r.name);
  for (const s of set.sigma) if (s.rule.id === name || s.rule.name === name || s.rule.title === name) out.push(s.rule.id ?? s.rule.title);
  for (const c of set.correlations) if (c.id === name || c.name === name || c.title === name) out.push(c.id ?? c.title);
  return out;
}

function severityFilter(v: string | null): Set<Severity> | undefined {
  if (v === null || v === '') return undefined;
  const out = new Set<Severity>();
  for (const part of v.split(',')) {
    const s = parseSeverity(part);
    if (s === undefined) throw new HttpError(400, `severity: expected informational, low, medium, high or critical (comma-separated), got ${JSON.stringify(part)}`);
    out.add(s);
  }
  return out;
}

function limitParam(v: string | null, def: number, max: number, key = 'limit'): number {
  if (v === null) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new HttpError(400, `${key}: expected an integer from 1 to ${max}, got ${JSON.stringify(v)}`);
  return n;
}

/** Alerts read back from the log store's detection records, newest first (each line is an alert object). */
async function storedAlerts(deps: Pick<ServerDeps, 'engine'>, tenant: string, q: { sinceNs: bigint; untilNs: bigint; severities?: Set<Severity>; rule?: string; limit: number }): Promise<DetectionAlert[]> {
  let selector = `{source="${DETECTIONS_STREAM.source}", stream="${DETECTIONS_STREAM.stream}"`;
  // severities are validated names: safe inside the regex
  if (q.severities !== undefined) selector += `, severity=~"${[...q.severities].join('|')}"`;
  selector += '}';
  const { result } = await deps.engine.run({ query: selector, tenants: [tenant], startNs: q.sinceNs, endNs: q.untilNs, stepNs: 0n, instant: false, limit: ALERTS_SCANNED, direction: 'backward' });
  if (result.resultType !== 'streams') return [];
  const rows: { ts: bigint; alert: DetectionAlert }[] = [];
  for (const s of result.streams) {
    for (const v of s.values) {
      let a: DetectionAlert;
      try {
        a = JSON.parse(v[1]) as DetectionAlert;
      } catch {
        continue; // a record pushed into the stream by hand, not an alert
      }
      if (a === null || typeof a !== 'object' || typeof a.rule !== 'string') continue;
      if (q.rule !== undefined && a.rule !== q.rule && a.id !== q.rule && a.title !== q.rule) continue;
      rows.push({ ts: BigInt(v[0]), alert: a });
    }
  }
  rows.sort((x, y) => (x.ts < y.ts ? 1 : x.ts > y.ts ? -1 : 0));
  return rows.slice(0, q.limit).map((r) => r.alert);
}

export function detectionRoutes(deps: Pick<ServerDeps, 'auth' | 'engine' | 'siem'>): Route[] {
  const tenantOf = (req: IncomingMessage) => deps.auth.tenants(req, false)[0]!;
  return [
    {
      method: 'POST',
      path: '/api/v1/detections/backtest',
      name: 'detections_backtest',
      handler: async (req, res) => {
        const tenant = tenantOf(req);
        const body = await readJsonObject(req, MAX_BODY);
        const { startNs, endNs } = timeRangeField(body);
        if (endNs - startNs > BACKTEST_MAX_RANGE_NS) throw new HttpError(400, `start..end covers ${(endNs - startNs) / HOUR_NS}h, more than the ${BACKTEST_MAX_RANGE_NS / HOUR_NS}h a backtest may: shorten the range`);
        const maxRecords = body.max_records === undefined ? BACKTEST_MAX_RECORDS : Number(body.max_records);
        if (!Number.isInteger(maxRecords) || maxRecords < 1 || maxRecords > BACKTEST_MAX_RECORDS) throw new HttpError(400, `max_records: expected an integer from 1 to ${BACKTEST_MAX_RECORDS}`);
        if (body.query !== undefined && body.query !== null && typeof body.query !== 'string') throw new HttpError(400, 'query: expected a LogQL stream selector as a string');
        if (body.mapping !== undefined && body.mapping !== null && typeof body.mapping !== 'string') throw new HttpError(400, 'mapping: expected the mapping file as YAML text');
        let narrowing: Narrowing | undefined;
        try {
          narrowing = typeof body.query === 'string' && body.query.trim() !== '' ? parseNarrowing(body.query) : undefined;
        } catch (e) {
          if (e instanceof BacktestQueryError) throw new HttpError(400, e.message);
          throw e;
        }
        const choice = ruleChoice(body.rules);
        let rules: RuleSet;
        let only: Set<string> | undefined;
        let failures: RuleLoadFailure[] = [];
        if (choice.texts !== undefined) {
          try {
            const mapping = typeof body.mapping === 'string' ? parseMapping(body.mapping, 'mapping') : (deps.siem?.rules.mapping ?? EMPTY_MAPPING);
            rules = loadRuleTexts(choice.texts, mapping);
          } catch (e) {
            if (e instanceof ConfigError) throw new HttpError(400, e.message);
            throw e;
          }
          const notRunning = new DetectionEngine({ rules, clockWatermark: false }).program.failures;
          failures = [...rules.failures, ...notRunning];
          if (loadedCount(rules) - notRunning.length <= 0) throw new HttpError(400, `rules: no rule loaded: ${failures.map(formatFailure).join('; ') || 'no rule in the texts'}`);
        } else {
          if (deps.siem === undefined) throw new HttpError(400, 'rules: this server runs no detection rules (no siem: config); give rule texts');
          rules = deps.siem.rules;
          if (choice.names !== undefined) {
            only = new Set();
            for (const { index, name } of choice.names) {
              const picked = rulesNamed(rules, name);
              if (picked.length === 0) throw new HttpError(400, `rules[${index}]: no loaded rule is named ${JSON.stringify(name)} (a native rule's name, a Sigma rule's id, name or title; GET /api/v1/siem/rules lists them)`);
              for (const p of picked) only.add(p);
            }
          }
        }
        let result;
        try {
          result = await backtest({ engine: deps.engine, rules, tenant, fromNs: startNs, toNs: endNs, narrowing, maxRecords, only });
        } catch (e) {
          if (e instanceof BacktestLimitError) throw new HttpError(400, e.message);
          throw e;
        }
        sendJson(res, 200, {
          status: 'success',
          data: {
            alerts: result.alerts.map(toDetectionAlert),
            stats: { records: result.records, windows: result.windows, queries: result.queries, rules: { loaded: loadedCount(rules) - (failures.length - rules.failures.length), failed: failures.length, failures } },
          },
        });
      },
    },
    {
      method: 'GET',
      path: '/api/v1/detections/alerts',
      name: 'detections_alerts',
      handler: async (req, res, { url }) => {
        const tenant = tenantOf(req);
        const p = url.searchParams;
        const source = p.get('source') ?? 'recent';
        if (source !== 'recent' && source !== 'store') throw new HttpError(400, `source: expected recent (the SIEM's newest 10 000 alerts) or store (the {stream="detections"} records), got ${JSON.stringify(source)}`);
        const nowNs = BigInt(Date.now()) * 1_000_000n;
        const sinceNs = timeParam(p.get('since') ?? undefined, 0n, nowNs, 'since');
        const untilNs = timeParam(p.get('until') ?? undefined, -1n, nowNs, 'until');
        const severities = severityFilter(p.get('severity'));
        const rule = p.get('rule') ?? undefined;
        const limit = limitParam(p.get('limit'), 100, ALERTS_SCANNED);
        if (source === 'store') {
          // alert records carry the time of their last event; until defaults to an hour ahead (clock skew of sources)
          const alerts = await storedAlerts(deps, tenant, { sinceNs, untilNs: untilNs >= 0n ? untilNs : nowNs + HOUR_NS, severities, rule, limit });
          sendJson(res, 200, { status: 'success', data: { alerts } });
          return;
        }
        const out: SiemAlert[] = [];
        // newest first; an alert is in [since, until) by the time of its last event
        for (const a of deps.siem?.recentAlerts(tenant, { limit: ALERTS_SCANNED }) ?? []) {
          const last = BigInt(a.last_ts);
          if (last < sinceNs || (untilNs >= 0n && last >= untilNs)) continue;
          if (severities !== undefined && !severities.has(a.severity)) continue;
          if (rule !== undefined && a.rule !== rule && a.id !== rule && a.title !== rule) continue;
          out.push(a);
          if (out.length >= limit) break;
        }
        sendJson(res, 200, { status: 'success', data: { alerts: out.map(toDetectionAlert) } });
      },
    },
    {
      method: 'GET',
      path: '/api/v1/detections/coverage',
      name: 'detections_coverage',
      handler: (req, res) => {
        tenantOf(req);
        const siem = deps.siem;
        const coverage = coverageOf(siem === undefined ? [] : enabledRules(siem.rules, siem.engine.program.failures));
        sendJson(res, 200, { status: 'success', data: coverage });
      },
    },
  ];
}
