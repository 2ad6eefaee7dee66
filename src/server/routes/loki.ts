// Loki's HTTP API: push (JSON or protobuf+snappy), query, query_range, labels, label values and series, answered in
// Loki's shapes (with Loki's `stats` block, and categorized log results on `X-Loki-Response-Encoding-Flags:
// categorize-labels`). Query parameters come from the URL or, for POST, a form-encoded body.

import type { IncomingMessage } from 'node:http';
import type { IngestAdapter } from '../../ingest/adapter.ts';
import { parseLokiJson } from '../../ingest/loki-json.ts';
import { parseLokiProtobuf } from '../../ingest/loki-protobuf.ts';
import { readBody } from '../../ingest/body-decoding.ts';
import type { QueryOutcome, QueryResult } from '../../query/engine.ts';
import { parseExpr, parseLogQuery } from '../../query/parser.ts';
import type { Matcher } from '../../query/ast.ts';
import { HttpError, sendJson, type Route, type ServerDeps } from '../http-server.ts';
import { describeErrors, ingestRequest } from '../ingest-handler.ts';
import { CATEGORIZE_LABELS, defaultStepNs, encodingFlags, ParamError, parseLokiTime, parseStep } from '../loki-params.ts';
import { lokiStats } from '../loki-stats.ts';
import { QueryError } from '../../query/query-error.ts';

export const HOUR_NS = 3_600_000_000_000n;
const MAX_LIMIT = 50_000;

/** A query's parameters: the URL's, plus a form-encoded body for POST (shared by the Loki route modules). */
export async function queryParams(req: IncomingMessage, url: URL): Promise<URLSearchParams> {
  if (req.method !== 'POST') return url.searchParams;
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim();
  const body = await readBody(req, req.headers['content-encoding'], 8 * 1024 * 1024);
  if (type !== 'application/x-www-form-urlencoded' && body.length > 0) {
    throw new HttpError(415, `unsupported Content-Type "${type}" for a query: send parameters in the URL or as application/x-www-form-urlencoded`);
  }
  const merged = new URLSearchParams(url.searchParams);
  for (const [k, v] of new URLSearchParams(body.toString('utf8'))) merged.append(k, v);
  return merged;
}

export function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

/** `start`/`end` as Loki reads them: end defaults to now, start to `defaultSpan` before end. */
export function timeRange(p: URLSearchParams, defaultSpan: bigint): { fromNs: bigint; toNs: bigint } {
  const toNs = parseLokiTime(p.get('end') ?? undefined, nowNs(), 'end');
  const fromNs = parseLokiTime(p.get('start') ?? undefined, toNs - defaultSpan, 'start');
  if (toNs < fromNs) throw new ParamError('the end timestamp must not be before the start time');
  return { fromNs, toNs };
}

function parseLimit(p: URLSearchParams): number {
  const raw = p.get('limit');
  if (raw === null || raw === '') return 100;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new ParamError(`invalid parameter "limit": expected a positive integer, got "${raw}"`);
  if (n > MAX_LIMIT) throw new ParamError(`limit ${n} exceeds the maximum of ${MAX_LIMIT}`);
  return n;
}

function parseDirection(p: URLSearchParams): 'forward' | 'backward' {
  const d = (p.get('direction') ?? 'backward').toLowerCase();
  if (d !== 'forward' && d !== 'backward') throw new ParamError(`invalid parameter "direction": expected forward or backward, got "${d}"`);
  return d;
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** The reply's `data`: the result in Loki's shape, its stats, and for categorized log results the encoding flag. */
function renderData(result: QueryResult, outcome: QueryOutcome, categorized: boolean): Record<string, unknown> {
  const stats = lokiStats(outcome.stats);
  switch (result.resultType) {
    case 'streams': {
      const flags = categorized ? { encodingFlags: [CATEGORIZE_LABELS] } : {};
      return { resultType: 'streams', ...flags, result: result.streams.map((s) => ({ stream: s.labels, values: s.values })), stats };
    }
    case 'matrix':
      return {
        resultType: 'matrix',
        result: result.series.map((s) => ({ metric: s.labels, values: s.points.map(([t, v]) => [t, formatValue(v)]) })),
        stats,
      };
    case 'vector':
      return { resultType: 'vector', result: result.samples.map((s) => ({ metric: s.labels, value: [s.time, formatValue(s.value)] })), stats };
    case 'scalar':
      return { resultType: 'scalar', result: [result.time, formatValue(result.value)], stats };
  }
}

/** Optional `query` (a selector) narrowing label look-ups, as newer Loki versions accept. */
function selectorOf(p: URLSearchParams): Matcher[] {
  const q = p.get('query');
  if (!q) return [];
  return parseLogQuery(q).selector;
}

export function lokiRoutes(deps: ServerDeps): Route[] {
  const { engine, store, auth, metrics } = deps;

  const range = timeRange;

  return [
    {
      method: 'POST',
      path: '/loki/api/v1/push',
      name: 'loki_push',
      handler: async (req, res) => {
        const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
        let adapter: IngestAdapter;
        if (type === 'application/x-protobuf') adapter = parseLokiProtobuf;
        else if (type === 'application/json' || type === '') adapter = parseLokiJson;
        else throw new HttpError(415, `unsupported Content-Type "${type}": send application/json or application/x-protobuf (snappy-compressed)`);
        const outcome = await ingestRequest(deps, req, adapter, 'loki');
        if (outcome.errors.length > 0) throw new HttpError(400, describeErrors(outcome));
        res.writeHead(204);
        res.end();
      },
    },
    {
      method: 'GET|POST',
      path: '/loki/api/v1/query_range',
      name: 'loki_query_range',
      handler: async (req, res, { url }) => {
        const p = await queryParams(req, url);
        const tenants = auth.tenants(req, true);
        const query = p.get('query');
        if (!query) throw new ParamError('missing parameter "query"');
        const { fromNs, toNs } = range(p, HOUR_NS);
        const stepRaw = p.get('step');
        const stepNs = stepRaw ? parseStep(stepRaw) : defaultStepNs(fromNs, toNs);
        const intervalRaw = p.get('interval');
        const intervalNs = intervalRaw ? parseStep(intervalRaw, 'interval') : undefined;
        const categorize = encodingFlags(req.headers).has(CATEGORIZE_LABELS);
        const started = performance.now();
        const outcome = await engine.run({ query, tenants, startNs: fromNs, endNs: toNs, stepNs, instant: false, limit: parseLimit(p), direction: parseDirection(p), categorizeLabels: categorize, intervalNs });
        metrics.queryDuration.observe((performance.now() - started) / 1000, { kind: outcome.result.resultType === 'streams' ? 'log' : 'metric' });
        sendJson(res, 200, { status: 'success', data: renderData(outcome.result, outcome, categorize) });
      },
    },
    {
      method: 'GET|POST',
      path: '/loki/api/v1/query',
      name: 'loki_query',
      handler: async (req, res, { url }) => {
        const p = await queryParams(req, url);
        const tenants = auth.tenants(req, true);
        const query = p.get('query');
        if (!query) throw new ParamError('missing parameter "query"');
        if (parseExpr(query).kind === 'log') {
          throw new QueryError('log queries are not supported as an instant query type, please change your query to a range query type');
        }
        const t = parseLokiTime(p.get('time') ?? undefined, nowNs(), 'time');
        const started = performance.now();
        const outcome = await engine.run({ query, tenants, startNs: t, endNs: t, stepNs: 1_000_000_000n, instant: true, limit: parseLimit(p), direction: parseDirection(p) });
        metrics.queryDuration.observe((performance.now() - started) / 1000, { kind: 'metric' });
        sendJson(res, 200, { status: 'success', data: renderData(outcome.result, outcome, false) });
      },
    },
    {
      method: 'GET|POST',
      path: '/loki/api/v1/labels',
      name: 'loki_labels',
      handler: async (req, res, { url }) => {
        const p = await queryParams(req, url);
        const tenants = auth.tenants(req, true);
        const { fromNs, toNs } = range(p, 6n * HOUR_NS);
        const names = new Set<string>();
        for (const s of store.streams(tenants, selectorOf(p), fromNs, toNs + 1n)) for (const k of Object.keys(s.labels)) names.add(k);
        sendJson(res, 200, { status: 'success', data: [...names].sort() });
      },
    },
    {
      method: 'GET|POST',
      path: '/loki/api/v1/label/:name/values',
      name: 'loki_label_values',
      handler: async (req, res, { url, params }) => {
        const p = await queryParams(req, url);
        const tenants = auth.tenants(req, true);
        const { fromNs, toNs } = range(p, 6n * HOUR_NS);
        const values = new Set<string>();
        for (const s of store.streams(tenants, selectorOf(p), fromNs, toNs + 1n)) {
          const v = s.labels[params.name];
          if (v !== undefined) values.add(v);
        }
        sendJson(res, 200, { status: 'success', data: [...values].sort() });
      },
    },
    {
      method: 'GET|POST',
      path: '/loki/api/v1/series',
      name: 'loki_series',
      handler: async (req, res, { url }) => {
        const p = await queryParams(req, url);
        const tenants = auth.tenants(req, true);
        const { fromNs, toNs } = range(p, 6n * HOUR_NS);
        const matches = [...p.getAll('match[]'), ...p.getAll('match')];
        const selectors = matches.length > 0 ? matches.map((m) => parseLogQuery(m).selector) : [[]];
        const seen = new Map<number, Record<string, string>>();
        for (const sel of selectors) for (const s of store.streams(tenants, sel, fromNs, toNs + 1n)) seen.set(s.id, s.labels);
        sendJson(res, 200, { status: 'success', data: [...seen.values()] });
      },
    },
  ];
}
