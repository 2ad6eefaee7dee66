// The gRPC helpers that need no socket: grpc-message percent-encoding (PROTOCOL-HTTP2 "Responses").

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { percentEncode } from '../../../src/server/listeners/grpc-unary.ts';

test('grpc-message keeps printable ASCII, encodes %, controls and non-ASCII as %XX of their UTF-8 bytes', () => {
  assert.equal(percentEncode('invalid API key'), 'invalid API key');
  assert.equal(percentEncode('tenant "a|b" ~ {x}'), 'tenant "a|b" ~ {x}');
  assert.equal(percentEncode('100% done'), '100%25 done');
  assert.equal(percentEncode('line\nbreak\ttab'), 'line%0Abreak%09tab');
  assert.equal(percentEncode('café …'), 'caf%C3%A9 %E2%80%A6');
  assert.equal(decodeURIComponent(percentEncode('café 100% … \u0000')), 'café 100% … \u0000');
});
