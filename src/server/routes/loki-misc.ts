// The smaller Loki endpoints Grafana reads: format_query, detected_labels, detected_fields and detected field values
// (Explore / Logs Drilldown) and patterns (mined at query time, src/query/patterns.ts). The ruler API is in ruler.ts.

import type { LineFilterStage } from '../../query/ast.ts';
import { parseExpr, parseLogQuery } from '../../query/parser.ts';
import { planLogQuery } from '../../query/planner.ts';
import { compilePipeline, type CompiledPipeline } from '../../query/stages/pipeline.ts';
import { parseGoDuration } from '../../query/stages/go-duration.ts';
import { parseByteSize } from '../../query/stages/byte-size.ts';
import { sendJson, sendText, type Route, type ServerDeps } from '../http-server.ts';
import { defaultStepNs, ParamError, parseStep } from '../loki-params.ts';
import { lineLevel, PatternMiner } from '../../query/patterns.ts';
import { rowLabels } from '../../query/row-labels.ts';
import { HOUR_NS, queryParams, timeRange } from './loki.ts';

type FieldType = 'string' | 'int' | 'float' | 'boolean' | 'duration' | 'bytes';

interface FieldStats {
  types: Set<FieldType>;
  values: Set<string>;
  /** null for structured metadata, as Loki reports it */
  parsers: Set<'json' | 'logfmt'> | null;
  jsonPath: string[] | undefined;
}

/** Distinct values counted per field, enough to tell low from high cardinality. */
const MAX_DISTINCT = 10_000;

/** Loki's field type detection: the narrowest type every sampled value parses as. */
function valueType(v: string): FieldType {
  if (/^-?\d+$/.test(v)) return 'int';
  if (/^-?(\d+\.\d*|\.\d+)([eE][-+]?\d+)?$/.test(v)) return 'float';
  if (v === 'true' || v === 'false') return 'boolean';
  if (parseGoDuration(v).ok) return 'duration';
  if (/[a-zA-Z]/.test(v) && parseByteSize(v).ok) return 'bytes';
  return 'string';
}

function fieldType(types: Set<FieldType>): FieldType {
  if (types.size === 1) return [...types][0];
  if (types.size === 2 && types.has('int') && types.has('float')) return 'float';
  return 'string';
}

/** A JSON line's top-level keys, which are their own JSON path (nested fields are flattened with `_` by the parser). */
function topLevelKeys(line: string): Set<string> {
  try {
    const v: unknown = JSON.parse(line);
    return new Set(v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v) : []);
  } catch {
    return new Set();
  }
}

function positiveInt(p: URLSearchParams, name: string, fallback: number, max: number): number {
  const raw = p.get(name);
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0 || n > max) throw new ParamError(`invalid parameter "${name}": expected an integer from 1 to ${max}, got "${raw}"`);
  return n;
}

/** Lines mined per /patterns request at most (the newest ones of the range). */
const MAX_PATTERN_LINES = 500_000;
/** /patterns buckets default to at least 10 s, the sample interval of Loki's pattern ingester. */
const PATTERN_MIN_STEP_NS = 10_000_000_000n;
const LEVEL_LABELS = ['detected_level', 'level', 'lvl', 'severity'];

/** A row's level for pattern grouping: the first of detected_level, level, lvl, severity it carries, else the line's own. */
function levelOf(labels: Map<string, string>, line: string): string | undefined {
  for (const name of LEVEL_LABELS) {
    const v = labels.get(name);
    if (v !== undefined && v !== '') return v;
  }
  return lineLevel(line);
}

type FieldSink = (name: string, value: string, parser: 'json' | 'logfmt' | null, jsonPath?: string[]) => void;

/**
 * The detected fields of a sample: the newest `line_limit` lines (default 1000) that the query's selector and line
 * filters pick in [start, end) (default the last hour); each line's structured metadata (parser null), and its fields
 * parsed as JSON (when it starts with `{`) or logfmt. Parsers and other stages of the query are not applied.
 */
async function sampleFields(store: ServerDeps['store'], tenants: string[], p: URLSearchParams, sink: FieldSink): Promise<void> {
  const q = p.get('query');
  if (!q) throw new ParamError('missing parameter "query"');
  const query = parseLogQuery(q);
  const lineLimit = positiveInt(p, 'line_limit', 1000, 100_000);
  const { fromNs, toNs } = timeRange(p, HOUR_NS);
  const lineFilters = planLogQuery({ kind: 'log', selector: query.selector, stages: query.stages.filter((s): s is LineFilterStage => s.kind === 'line_filter') });
  const residual: CompiledPipeline | undefined = lineFilters.stages.length > 0 ? compilePipeline(lineFilters.stages) : undefined;
  const json = compilePipeline([{ kind: 'json', params: [] }]);
  const logfmt = compilePipeline([{ kind: 'logfmt', strict: false, keepEmpty: false, params: [] }]);
  const note: FieldSink = (name, value, parser, jsonPath) => {
    if (!name.startsWith('__')) sink(name, value, parser, jsonPath);
  };
  let sampled = 0;
  const scan = store.scan({ tenants, matchers: query.selector, fromNs, toNs, lineFilters: lineFilters.lineFilters, direction: 'backward', limit: residual ? undefined : lineLimit });
  for await (const chunk of scan) {
    for (let i = 0; i < chunk.ts.length; i++) {
      const line = chunk.line[i];
      if (residual && !residual({ line, tsNs: chunk.ts[i], labels: new Map() })) continue;
      const meta = chunk.metadata[i];
      if (meta !== null) for (const [k, v] of Object.entries(JSON.parse(meta) as Record<string, string>)) note(k, v, null);
      const isJson = line.trimStart().startsWith('{');
      const row = { line, tsNs: chunk.ts[i], labels: new Map<string, string>() };
      if ((isJson ? json : logfmt)(row) && !row.labels.has('__error__')) {
        const top = isJson ? topLevelKeys(line) : undefined;
        for (const [k, v] of row.labels) note(k, v, isJson ? 'json' : 'logfmt', top ? (top.has(k) ? [k] : undefined) : []);
      }
      if (++sampled >= lineLimit) return;
    }
  }
}

export function lokiMiscRoutes(deps: ServerDeps): Route[] {
  const { store, auth } = deps;

  return [
    {
      method: 'GET|POST',
      path: '/loki/api/v1/format_query',
      name: 'loki_format_query',
      handler: async (req, res, { url }) => {
        const p = await queryParams(req, url);
        const query = p.get('query');
        if (query === null) throw new ParamError('missing parameter "query"');
        parseExpr(query); // a malformed query answers 400 with the parser's position and expectation
        sendJson(res, 200, { status: 'success', data: query.trim() });
      },
    },
    {
      method: 'GET|POST',
      path: '/loki/api/v1/detected_labels',
      name: 'loki_detected_labels',
      handler: async (req, res, { url }) => {
        const p = await queryParams(req, url);
        const tenants = auth.tenants(req, true);
        const q = p.get('query');
        const matchers = q ? parseLogQuery(q).selector : [];
        const { fromNs, toNs } = timeRange(p, 6n * HOUR_NS);
        const values = new Map<string, Set<string>>();
        for (const s of store.streams(tenants, matchers, fromNs, toNs + 1n)) {
          for (const [k, v] of Object.entries(s.labels)) {
            let set = values.get(k);
            if (!set) values.set(k, (set = new Set()));
            set.add(v);
          }
        }
        const detectedLabels = [...values.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([label, set]) => ({ label, cardinality: set.size }));
        sendJson(res, 200, { detectedLabels });
      },
    },
    {
      method: 'GET|POST',
      path: '/loki/api/v1/detected_fields',
      name: 'loki_detected_fields',
      handler: async (req, res, { url }) => {
        const p = await queryParams(req, url);
        const tenants = auth.tenants(req, true);
        const limit = positiveInt(p, 'limit', 1000, 100_000);
        const fields = new Map<string, FieldStats>();
        await sampleFields(store, tenants, p, (name, value, parser, jsonPath) => {
          let f = fields.get(name);
          if (!f) fields.set(name, (f = { types: new Set(), values: new Set(), parsers: parser ? new Set() : null, jsonPath }));
          if (parser && f.parsers) f.parsers.add(parser);
          f.types.add(valueType(value));
          if (f.values.size < MAX_DISTINCT) f.values.add(value);
        });
        const out = [...fields.entries()]
          .sort((a, b) => (a[0] < b[0] ? -1 : 1))
          .slice(0, limit)
          .map(([label, f]) => ({
            label,
            type: fieldType(f.types),
            cardinality: f.values.size,
            parsers: f.parsers ? [...f.parsers].sort() : null,
            jsonPath: f.jsonPath ?? [],
          }));
        sendJson(res, 200, { fields: out, limit });
      },
    },
    {
      // Logs Drilldown's field value list: the distinct values of one detected field over the same sample
      method: 'GET|POST',
      path: '/loki/api/v1/detected_field/:name/values',
      name: 'loki_detected_field_values',
      handler: async (req, res, { url, params }) => {
        const p = await queryParams(req, url);
        const tenants = auth.tenants(req, true);
        const limit = positiveInt(p, 'limit', 1000, 100_000);
        const values = new Set<string>();
        await sampleFields(store, tenants, p, (name, value) => {
          if (name === params.name && values.size < MAX_DISTINCT) values.add(value);
        });
        sendJson(res, 200, { values: [...values].sort().slice(0, limit), limit });
      },
    },
    {
      method: 'GET|POST',
      path: '/loki/api/v1/patterns',
      name: 'loki_patterns',
      handler: async (req, res, { url }) => {
        const p = await queryParams(req, url);
        const tenants = auth.tenants(req, true);
        const q = p.get('query');
        if (!q) throw new ParamError('missing parameter "query"');
        const query = parseLogQuery(q);
        const { fromNs, toNs } = timeRange(p, HOUR_NS);
        const stepRaw = p.get('step');
        let stepNs = stepRaw ? parseStep(stepRaw) : defaultStepNs(fromNs, toNs);
        if (stepNs <= 0n) throw new ParamError('zero or negative query resolution step widths are not accepted. Try a positive integer');
        if (!stepRaw && stepNs < PATTERN_MIN_STEP_NS) stepNs = PATTERN_MIN_STEP_NS;
        const plan = planLogQuery(query);
        const pipeline = plan.stages.length > 0 ? compilePipeline(plan.stages) : undefined;
        const miner = new PatternMiner({ stepNs });
        let mined = 0;
        // newest lines first, so a range with more than the cap is mined over its most recent part
        const scan = store.scan({ tenants, matchers: query.selector, fromNs, toNs, lineFilters: plan.lineFilters, fieldEquals: plan.fieldEquals, direction: 'backward', limit: pipeline ? undefined : MAX_PATTERN_LINES });
        outer: for await (const chunk of scan) {
          for (let i = 0; i < chunk.ts.length; i++) {
            const info = store.stream(chunk.stream[i]);
            if (!info) continue;
            const row = { line: chunk.line[i], tsNs: chunk.ts[i], labels: rowLabels(info.labels, chunk.metadata[i]) };
            if (pipeline && !pipeline(row)) continue;
            miner.add(row.line, row.tsNs, levelOf(row.labels, row.line));
            if (++mined >= MAX_PATTERN_LINES) break outer;
          }
        }
        sendJson(res, 200, { status: 'success', data: miner.result() });
      },
    },
    // the ruler API lives in routes/ruler.ts
  ];
}
