// Pure parts of the OTLP and Splunk HEC adapters: the severity → level rule, attribute-name sanitizing, HEC epoch
// seconds, the OTLP protobuf decoder on hand-built bytes (unknown fields skipped, bad wire types and ids refused).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { otlpLevel, sanitizeAttributeName, bodyLine } from '../../src/ingest/otlp-logs.ts';
import { parseOtlpLogsProtobuf, encodeExportLogsResponse } from '../../src/ingest/otlp-logs-protobuf.ts';
import { epochSecondsToNs } from '../../src/ingest/splunk-hec.ts';
import { DEFAULT_LIMITS } from '../../src/ingest/limits.ts';

test('level from SeverityNumber ranges, else severity text', () => {
  const table: [number, string, string | undefined][] = [[1, '', 'trace'], [4, 'x', 'trace'], [5, '', 'debug'], [9, 'Information', 'info'], [13, '', 'warn'], [17, '', 'error'], [20, '', 'error'], [24, '', 'fatal'], [0, 'NOTICE', 'notice'], [0, '', undefined], [25, '', undefined]];
  for (const [n, t, want] of table) assert.equal(otlpLevel(n, t), want, `${n} ${t}`);
});

test('attribute names in label syntax', () => {
  assert.equal(sanitizeAttributeName('service.name'), 'service_name');
  assert.equal(sanitizeAttributeName('k8s.pod.name'), 'k8s_pod_name');
  assert.equal(sanitizeAttributeName('3d-mode'), '_3d_mode');
  assert.equal(sanitizeAttributeName('ok_name'), 'ok_name');
  assert.equal(bodyLine([1n, 'a', { kvlist: [{ key: 'k', value: undefined }] }]), '[1,"a",{"k":null}]');
});

test('HEC time: epoch seconds as number or string, exact', () => {
  assert.equal(epochSecondsToNs(1426279439.123), 1426279439_123_000_000n);
  assert.equal(epochSecondsToNs('1426279439.123456789'), 1426279439_123456789n);
  assert.equal(epochSecondsToNs(1426279439), 1426279439_000_000_000n);
  for (const bad of ['yesterday', -1, '1e9', true, NaN]) assert.equal(epochSecondsToNs(bad), undefined, String(bad));
});

function len(field: number, payload: number[]): number[] {
  return [(field << 3) | 2, payload.length, ...payload];
}
const str = (field: number, s: string) => len(field, [...Buffer.from(s)]);

test('OTLP protobuf: decodes a record, skips unknown fields, refuses wrong wire types and bad ids', () => {
  const nowMs = Date.now();
  const ts = Buffer.alloc(8);
  ts.writeBigUInt64LE(BigInt(nowMs) * 1_000_000n);
  const kv = len(1, str(1, 'service.name').concat(len(2, str(1, 'svc'))));
  const record = [0x09, ...ts, 0x10, 17, ...str(3, 'ERROR'), ...len(5, str(1, 'boom')), 0x78, 0x01 /* field 15 varint: unknown */];
  const body = Buffer.from(len(1, [...len(1, kv), ...len(2, len(2, record))]));
  const ctx = { tenant: 't', limits: DEFAULT_LIMITS, nowMs };
  const r = parseOtlpLogsProtobuf(body, ctx);
  assert.equal(r.fatal, undefined);
  assert.deepEqual(r.batch.streams[0].labels, { service_name: 'svc' });
  assert.deepEqual(r.batch.streams[0].lines, ['boom']);
  assert.deepEqual(r.batch.streams[0].ts, [BigInt(nowMs) * 1_000_000n]);
  assert.deepEqual(r.batch.streams[0].metadata, [{ severity_text: 'ERROR', severity_number: '17', level: 'error' }]);

  const wrongType = Buffer.from(len(1, len(2, len(2, [0x08, 0x01]))));
  assert.match(parseOtlpLogsProtobuf(wrongType, ctx).fatal ?? '', /field LogRecord\.time_unix_nano \(1\) has wire type 0, expected 1/);
  const shortTrace = Buffer.from(len(1, len(2, len(2, len(9, [1, 2, 3])))));
  assert.match(parseOtlpLogsProtobuf(shortTrace, ctx).fatal ?? '', /trace_id \(9\) is 3 bytes, expected 16/);
  assert.equal(encodeExportLogsResponse(0, '').length, 0);
  assert.deepEqual([...encodeExportLogsResponse(2, 'x')], [0x0a, 5, 0x08, 2, 0x12, 1, 0x78]);
});
