// Elasticsearch-compatible ingest: `POST /_bulk` and `/<index>/_bulk` with per-item results, plus the endpoints that
// shippers probe first (`GET|HEAD /`, `_license`, templates, `_nodes/http`, `_cluster/health`), answered harmlessly.
// Every reply carries `X-Elastic-Product: Elasticsearch` (clients check it) and errors use Elasticsearch's shape.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { elasticsearchBulkAdapter, type BulkItem } from '../../ingest/elasticsearch-bulk.ts';
import { AuthError } from '../auth.ts';
import { HttpError, classifyError, sendJson, type Handler, type Route, type ServerDeps } from '../http-server.ts';
import { ingestRequest } from '../ingest-handler.ts';
import { prefersHtml, serveUiPage } from './ui.ts';

/** The Elasticsearch version Sightline reports: clients pick their request format from its major. */
export const ES_COMPAT_VERSION = '8.11.0';
const CLUSTER_NAME = 'sightline';
const BULK_TYPES = new Set(['', 'application/json', 'application/x-ndjson', 'application/vnd.elasticsearch+json', 'application/vnd.elasticsearch+x-ndjson']);

export function elasticsearchRoutes(deps: ServerDeps): Route[] {
  const authenticate = (req: IncomingMessage) => deps.auth.tenants(req, false);

  const bulk: Handler = async (req, res, { params }) => {
    const started = performance.now();
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (!BULK_TYPES.has(type)) throw new HttpError(406, `Content-Type header [${req.headers['content-type']}] is not supported: send application/x-ndjson`);
    const urlIndex = params.index;
    const outcome = await ingestRequest(deps, req, elasticsearchBulkAdapter(urlIndex), 'elasticsearch');
    const nextId = idSource(outcome.result.items.length);
    let seqNo = 0;
    const items = outcome.result.items.map((item) => ({ [item.action]: renderItem(item, nextId, seqNo++) }));
    sendJson(res, 200, { took: Math.round(performance.now() - started), errors: outcome.errors.length > 0, items });
  };

  const clusterInfo: Handler = (req, res) => {
    authenticate(req);
    sendJson(res, 200, {
      name: CLUSTER_NAME,
      cluster_name: CLUSTER_NAME,
      cluster_uuid: 'c2lnaHRsaW5lLXNpZ2h0bA',
      version: {
        number: ES_COMPAT_VERSION,
        build_flavor: 'default',
        build_type: 'sightline',
        build_hash: '',
        build_date: '2023-11-04T10:04:57.184859352Z',
        build_snapshot: false,
        lucene_version: '9.8.0',
        minimum_wire_compatibility_version: '7.17.0',
        minimum_index_compatibility_version: '7.0.0',
      },
      // Elasticsearch's own tagline: some clients' product check compares it verbatim
      tagline: 'You Know, for Search',
    });
  };

  const acknowledged: Handler = async (req, res) => {
    authenticate(req);
    // the mapping or template a shipper uploads has no meaning for Sightline; read and drop it
    for await (const _chunk of req) void _chunk;
    sendJson(res, 200, { acknowledged: true });
  };

  const routes: Route[] = [
    { method: 'GET', path: '/', name: 'es_info', handler: clusterInfo },
    { method: 'POST|PUT', path: '/_bulk', name: 'es_bulk', handler: bulk },
    { method: 'POST|PUT', path: '/:index/_bulk', name: 'es_bulk', handler: bulk },
    {
      method: 'GET',
      path: '/_license',
      name: 'es_license',
      handler: (req, res) => {
        authenticate(req);
        sendJson(res, 200, { license: { status: 'active', uid: '00000000-0000-0000-0000-000000000000', type: 'basic', issue_date_in_millis: 0, max_nodes: 1000, issued_to: CLUSTER_NAME, issuer: 'sightline', start_date_in_millis: -1 } });
      },
    },
    {
      method: 'GET',
      path: '/_cluster/health',
      name: 'es_health',
      handler: (req, res) => {
        authenticate(req);
        sendJson(res, 200, { cluster_name: CLUSTER_NAME, status: 'green', timed_out: false, number_of_nodes: 1, number_of_data_nodes: 1, active_primary_shards: 0, active_shards: 0, relocating_shards: 0, initializing_shards: 0, unassigned_shards: 0, delayed_unassigned_shards: 0, number_of_pending_tasks: 0, number_of_in_flight_fetch: 0, task_max_waiting_in_queue_millis: 0, active_shards_percent_as_number: 100 });
      },
    },
    {
      method: 'GET',
      path: '/_nodes/http',
      name: 'es_nodes',
      handler: (req, res) => {
        authenticate(req);
        // one node, reachable where this request arrived, so a sniffing client keeps talking to us
        const address = req.headers.host ?? `${deps.config.host}:${deps.config.port}`;
        sendJson(res, 200, {
          _nodes: { total: 1, successful: 1, failed: 0 },
          cluster_name: CLUSTER_NAME,
          nodes: { sightline: { name: CLUSTER_NAME, version: ES_COMPAT_VERSION, roles: ['data', 'ingest', 'master'], http: { publish_address: address, bound_address: [address] } } },
        });
      },
    },
    { method: 'POST|PUT', path: '/_template/:name', name: 'es_template', handler: acknowledged },
    {
      method: 'GET',
      path: '/_template/:name',
      name: 'es_template',
      handler: (req, res, { params }) => {
        authenticate(req);
        // reported as present (and empty) so shippers do not try to install their mappings
        sendJson(res, 200, { [params.name]: { order: 0, index_patterns: [`${params.name}*`], settings: {}, mappings: {}, aliases: {} } });
      },
    },
    { method: 'POST|PUT', path: '/_index_template/:name', name: 'es_index_template', handler: acknowledged },
    {
      method: 'GET',
      path: '/_index_template/:name',
      name: 'es_index_template',
      handler: (req, res, { params }) => {
        authenticate(req);
        sendJson(res, 200, { index_templates: [{ name: params.name, index_template: { index_patterns: [`${params.name}*`], template: {}, composed_of: [] } }] });
      },
    },
  ];
  return routes.map((r) => {
    const handler = elasticsearchReply(r.handler);
    if (r.path !== '/') return { ...r, handler };
    // `GET /` is also the UI's address: browsers (Accept: text/html) get the page, everything else the cluster info
    const negotiated: Handler = (req, res, ctx) => {
      if (prefersHtml(req)) return serveUiPage(req, res, ctx);
      res.setHeader('Vary', 'Accept');
      return handler(req, res, ctx);
    };
    return { ...r, handler: negotiated };
  });
}

function renderItem(item: BulkItem, nextId: () => string, seqNo: number): Record<string, unknown> {
  if (item.error) return { _index: item.index, _id: item.id, status: item.error.status, error: { type: item.error.type, reason: item.error.reason } };
  return {
    _index: item.index,
    _id: item.id ?? nextId(),
    _version: 1,
    result: 'created',
    _shards: { total: 1, successful: 1, failed: 0 },
    _seq_no: seqNo,
    _primary_term: 1,
    status: 201,
  };
}

/** Auto-generated document ids: 20 URL-safe base64 characters each, like Elasticsearch's, from one random draw per request. */
function idSource(count: number): () => string {
  const pool = randomBytes(15 * Math.max(count, 1));
  let used = 0;
  return () => pool.subarray(used, (used += 15)).toString('base64url');
}

/** Wraps a handler: the product header on every reply, failures in Elasticsearch's error shape. */
function elasticsearchReply(handler: Handler): Handler {
  return async (req, res, ctx) => {
    res.setHeader('X-Elastic-Product', 'Elasticsearch');
    try {
      await handler(req, res, ctx);
    } catch (e) {
      sendElasticsearchError(res, e);
      req.resume();
    }
  };
}

const ERROR_TYPE_BY_STATUS: Record<number, string> = {
  400: 'illegal_argument_exception',
  401: 'security_exception',
  403: 'security_exception',
  406: 'media_type_header_exception',
  413: 'content_too_long_exception',
  415: 'media_type_header_exception',
  429: 'es_rejected_execution_exception',
  503: 'unavailable_shards_exception',
};

function sendElasticsearchError(res: ServerResponse, e: unknown): void {
  const { status, message: reason, headers } = classifyError(e);
  if (status === 401 && e instanceof AuthError) headers['WWW-Authenticate'] = 'ApiKey, Basic realm="sightline", Bearer';
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const type = ERROR_TYPE_BY_STATUS[status] ?? 'exception';
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  sendJson(res, status, { error: { root_cause: [{ type, reason }], type, reason }, status });
}
