// Sightline's native API: NDJSON ingest for scripts (POST /api/v1/logs).

import { parseNativeNdjson } from '../../ingest/native-ndjson.ts';
import { HttpError, sendJson, type Route, type ServerDeps } from '../http-server.ts';
import { ingestRequest } from '../ingest-handler.ts';

const ACCEPTED_TYPES = ['application/x-ndjson', 'application/jsonl', 'application/json', 'text/plain', ''];
const RESERVED_PARAMS = new Set(['tenant']);

export function nativeRoutes(deps: ServerDeps): Route[] {
  return [
    {
      method: 'POST',
      path: '/api/v1/logs',
      name: 'native_push',
      handler: async (req, res, { url }) => {
        const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
        if (!ACCEPTED_TYPES.includes(type)) throw new HttpError(415, `unsupported Content-Type "${type}": send application/x-ndjson (one JSON object per line)`);
        // every query parameter becomes a label on each entry
        const labels: Record<string, string> = {};
        for (const [k, v] of url.searchParams) if (!RESERVED_PARAMS.has(k)) labels[k] = v;
        const outcome = await ingestRequest(deps, req, parseNativeNdjson, 'native', Object.keys(labels).length > 0 ? labels : undefined);
        const body = { accepted: outcome.accepted, rejected: outcome.errors.length, errors: outcome.errors.slice(0, 100) };
        sendJson(res, outcome.errors.length > 0 ? 400 : 200, body);
      },
    },
  ];
}
