// Elasticsearch `_bulk` (NDJSON action/metadata lines, each index/create/update followed by its source document):
// `_index` → label `index`, `@timestamp` → time, `message` (or the whole document) → line, other fields flattened
// into structured metadata. One result per action, in order, with Elasticsearch's error types (Bulk API reference).

import type { Labels, Metadata, StreamEntries } from '../model/record.ts';
import type { AdapterContext, AdapterResult } from './adapter.ts';
import type { IngestError } from './limits.ts';
import { bodyIsUtf8, checkEntry, checkLabels, timestampWindow } from './limits.ts';
import { parseTimestampNs } from './timestamp.ts';
import { newFlattenState, putField, sanitizeName, type FlattenState } from './metadata-fields.ts';

export type BulkAction = 'index' | 'create' | 'update' | 'delete';

/** The outcome of one action, enough to write its entry of the `items` array. */
export interface BulkItem {
  action: BulkAction;
  /** the target index (`_index`, else the one in the URL), null when neither names one */
  index: string | null;
  /** the client's `_id`, if it gave one */
  id: string | null;
  /** set when the action was rejected: HTTP status and Elasticsearch error type */
  error?: { status: number; type: string; reason: string };
}

export interface BulkResult extends AdapterResult {
  items: BulkItem[];
}

/** Bounds on the structured metadata made from one document. */
export const BULK_METADATA_LIMITS = {
  /** fields kept per document; the rest are counted in `sightline_dropped_fields` */
  maxFields: 128,
  /** longer values are cut to this many characters and counted in `sightline_truncated_fields` */
  maxValueChars: 8192,
  /** names plus values, in characters, per document */
  maxTotalChars: 64 * 1024,
  /** objects nested deeper than this are kept as one JSON text value */
  maxDepth: 8,
};

const ACTIONS = new Set<string>(['index', 'create', 'update', 'delete']);
const TIMESTAMP_FIELD = '@timestamp';
const MESSAGE_FIELD = 'message';
const INDEX_LABEL = 'index';
// Elasticsearch's index-name rules (MetadataCreateIndexService.validateIndexOrAliasName)
const INDEX_FORBIDDEN = /[\\/*?"<>| ,#:]/;

/** ES error type per Sightline rejection reason. */
const ERROR_TYPES: Record<IngestError['reason'], string> = {
  invalid_json: 'mapper_parsing_exception',
  invalid_timestamp: 'mapper_parsing_exception',
  invalid_utf8: 'mapper_parsing_exception',
  missing_field: 'action_request_validation_exception',
  invalid_labels: 'invalid_index_name_exception',
  line_too_long: 'illegal_argument_exception',
  timestamp_too_old: 'illegal_argument_exception',
  timestamp_too_new: 'illegal_argument_exception',
  unsupported_action: 'illegal_argument_exception',
};

/** The adapter for one request; `urlIndex` is the `<index>` of `POST /<index>/_bulk`. */
export function elasticsearchBulkAdapter(urlIndex: string | undefined): (body: Buffer, ctx: AdapterContext) => BulkResult {
  return (body, ctx) => parseBulk(body, ctx, urlIndex);
}

function parseBulk(body: Buffer, ctx: AdapterContext, urlIndex: string | undefined): BulkResult {
  const errors: IngestError[] = [];
  const items: BulkItem[] = [];
  const batch = { tenant: ctx.tenant, streams: [] as StreamEntries[], entries: 0, bytes: 0 };
  const fail = (fatal: string): BulkResult => ({ batch: { ...batch, streams: [], entries: 0, bytes: 0 }, errors: [], items: [], fatal });
  const hadBadUtf8 = !bodyIsUtf8(body);
  const text = body.toString('utf8');
  const window = timestampWindow(ctx.limits, ctx.nowMs);
  const arrivalNs = BigInt(ctx.nowMs) * 1_000_000n;
  const byIndex = new Map<string, StreamEntries>();

  const reject = (item: BulkItem, actionLine: number, reason: IngestError['reason'], message: string, status = 400) => {
    item.error = { status, type: ERROR_TYPES[reason], reason: message };
    errors.push({ entry: items.length - 1, line: actionLine, reason, message: `item ${items.length - 1} (line ${actionLine}): ${message}` });
  };

  let start = 0;
  let lineNo = 0;
  const nextLine = (): string | undefined => {
    if (start >= text.length) return undefined;
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    lineNo++;
    return line;
  };

  for (let raw = nextLine(); raw !== undefined; raw = nextLine()) {
    const actionText = raw.trim();
    if (actionText === '') continue;
    const actionLine = lineNo;
    let parsed: unknown;
    try {
      parsed = JSON.parse(actionText);
    } catch (e) {
      return fail(`Malformed action/metadata line [${actionLine}]: ${(e as Error).message}`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      return fail(`Malformed action/metadata line [${actionLine}], expected START_OBJECT`);
    }
    const keys = Object.keys(parsed);
    if (keys.length !== 1 || !ACTIONS.has(keys[0])) {
      return fail(`Malformed action/metadata line [${actionLine}], expected a single field [create], [delete], [index] or [update] but found [${keys.join('], [')}]`);
    }
    const action = keys[0] as BulkAction;
    const meta = (parsed as Record<string, unknown>)[action];
    if (meta !== null && (typeof meta !== 'object' || Array.isArray(meta))) {
      return fail(`Malformed action/metadata line [${actionLine}], expected an object after [${action}]`);
    }
    const m = (meta ?? {}) as Record<string, unknown>;
    const rawIndex = m._index ?? urlIndex;
    const rawId = m._id;
    const item: BulkItem = {
      action,
      index: typeof rawIndex === 'string' ? rawIndex : null,
      id: typeof rawId === 'string' ? rawId : typeof rawId === 'number' ? String(rawId) : null,
    };
    items.push(item);

    if (action === 'delete') {
      reject(item, actionLine, 'unsupported_action', 'Sightline stores logs append-only: [delete] is not supported; use [index] or [create]');
      continue;
    }
    const source = nextLine();
    if (source === undefined) return fail(`action/metadata line [${actionLine}] ([${action}]) is not followed by a source document`);
    if (action === 'update') {
      reject(item, actionLine, 'unsupported_action', 'Sightline stores logs append-only: [update] is not supported; use [index] or [create]');
      continue;
    }
    if (rawIndex !== undefined && typeof rawIndex !== 'string') {
      reject(item, actionLine, 'missing_field', `Validation Failed: 1: [_index] must be a string, got ${JSON.stringify(rawIndex)};`);
      continue;
    }
    if (item.index === null) {
      reject(item, actionLine, 'missing_field', 'Validation Failed: 1: index is missing;');
      continue;
    }
    const indexProblem = checkIndexName(item.index);
    if (indexProblem) {
      reject(item, actionLine, 'invalid_labels', indexProblem);
      continue;
    }
    const sourceText = source.trim();
    if (sourceText === '') {
      reject(item, actionLine, 'invalid_json', 'failed to parse: the source document on line ' + lineNo + ' is empty');
      continue;
    }
    let doc: unknown;
    try {
      doc = JSON.parse(sourceText);
    } catch (e) {
      reject(item, actionLine, 'invalid_json', `failed to parse the source document on line ${lineNo}: ${(e as Error).message}`);
      continue;
    }
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
      reject(item, actionLine, 'invalid_json', `failed to parse the source document on line ${lineNo}: expected a JSON object`);
      continue;
    }
    const fields = doc as Record<string, unknown>;
    let ts = arrivalNs;
    const rawTs = fields[TIMESTAMP_FIELD];
    if (rawTs !== undefined && rawTs !== null) {
      const parsedTs = parseTimestampNs(rawTs);
      if (parsedTs === undefined) {
        reject(item, actionLine, 'invalid_timestamp', `failed to parse field [@timestamp] of type [date]: ${JSON.stringify(rawTs)} is not an RFC 3339 time or an epoch in milliseconds`);
        continue;
      }
      ts = parsedTs;
    }
    const message = fields[MESSAGE_FIELD];
    const line = typeof message === 'string' ? message : sourceText;
    let stream = byIndex.get(item.index);
    if (!stream) {
      const labels: Labels = ctx.extraLabels ? { [INDEX_LABEL]: item.index, ...ctx.extraLabels } : { [INDEX_LABEL]: item.index };
      const labelError = checkLabels(labels, ctx.limits);
      if (labelError) {
        reject(item, actionLine, 'invalid_labels', labelError);
        continue;
      }
      stream = { labels, ts: [], lines: [], metadata: [] };
      byIndex.set(item.index, stream);
    }
    const problem = checkEntry(stream.labels, items.length - 1, ts, line, ctx.limits, window, hadBadUtf8);
    if (problem) {
      reject(item, actionLine, problem.reason, problem.message);
      continue;
    }
    const metadata = flattenFields(fields, typeof message === 'string');
    if (stream.lines.length === 0) batch.streams.push(stream);
    stream.ts.push(ts);
    stream.lines.push(line);
    stream.metadata.push(metadata);
    batch.entries++;
    batch.bytes += line.length;
  }
  if (items.length === 0) return fail('Validation Failed: 1: no requests added;');
  return { batch, errors, items };
}

/** Elasticsearch's index-name rules; returns the reason a name is refused, or undefined. */
export function checkIndexName(name: string): string | undefined {
  if (name === '') return 'Invalid index name [], must not be empty';
  if (name !== name.toLowerCase()) return `Invalid index name [${name}], must be lowercase`;
  if (INDEX_FORBIDDEN.test(name)) return `Invalid index name [${name}], must not contain the following characters [ , ", *, \\, <, |, ,, >, /, ?, #, :]`;
  if (name[0] === '_' || name[0] === '-' || name[0] === '+') return `Invalid index name [${name}], must not start with '_', '-', or '+'`;
  if (name === '.' || name === '..') return `Invalid index name [${name}], must not be '.' or '..'`;
  const bytes = Buffer.byteLength(name);
  if (bytes > 255) return `Invalid index name [${name.slice(0, 40)}…], index name is too long, (${bytes} > 255)`;
  return undefined;
}

/**
 * A document's fields as structured metadata: nested objects flattened, names made LogQL-safe the way `| json` names
 * them (`http.request.method` and {"http":{"request":{"method":…}}} both → `http_request_method`), arrays as JSON text,
 * nulls skipped; `@timestamp`, and `message` when it is the line, left out. Bounded by BULK_METADATA_LIMITS.
 */
export function flattenFields(doc: Record<string, unknown>, messageIsLine: boolean): Metadata | undefined {
  const st = newFlattenState();
  walkFields(st, doc, '', 0, messageIsLine);
  if (st.dropped > 0) st.out.sightline_dropped_fields = String(st.dropped);
  if (st.truncated > 0) st.out.sightline_truncated_fields = String(st.truncated);
  return st.fields > 0 || st.dropped > 0 ? st.out : undefined;
}

function walkFields(st: FlattenState, obj: Record<string, unknown>, prefix: string, depth: number, messageIsLine: boolean): void {
  for (const key in obj) {
    if (depth === 0 && (key === TIMESTAMP_FIELD || (key === MESSAGE_FIELD && messageIsLine))) continue;
    const v = obj[key];
    if (v === null || v === undefined) continue;
    const name = prefix === '' ? sanitizeName(key, true) : prefix + '_' + sanitizeName(key, false);
    if (typeof v === 'string') putField(st, BULK_METADATA_LIMITS, name, v);
    else if (typeof v === 'number' || typeof v === 'boolean') putField(st, BULK_METADATA_LIMITS, name, String(v));
    else if (Array.isArray(v)) putField(st, BULK_METADATA_LIMITS, name, JSON.stringify(v));
    else if (typeof v === 'object') {
      if (depth + 1 >= BULK_METADATA_LIMITS.maxDepth) putField(st, BULK_METADATA_LIMITS, name, JSON.stringify(v));
      else walkFields(st, v as Record<string, unknown>, name, depth + 1, messageIsLine);
    }
  }
}
