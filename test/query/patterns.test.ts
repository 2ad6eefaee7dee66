// The pattern miner behind /loki/api/v1/patterns: token masking, Drain-style grouping, step buckets, and the promise
// that every pattern is a LogQL pattern filter matching the lines counted under it. Loki's documented example and
// the Loghub samples (../shared/data/loghub) serve as inputs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { lineLevel, maskToken, PatternMiner, tokenize, WILDCARD } from '../../src/query/patterns.ts';
import { compilePipeline } from '../../src/query/stages/pipeline.ts';
import { loghubLines } from './stages/stage-harness.ts';

const S = 1_000_000_000n;

/** `{…} |> "<pattern>"` as a compiled filter. */
function patternFilter(pattern: string): (line: string) => boolean {
  const p = compilePipeline([{ kind: 'line_filter', op: '|>', values: [pattern] }]);
  return (line) => p({ line, tsNs: 0n, labels: new Map() });
}

describe('token masking', () => {
  const cases: [string, string][] = [
    ['200', WILDCARD],
    ['-3.5', WILDCARD],
    ['1e-3', WILDCARD],
    ['200ms', WILDCARD],
    ['1h30m', WILDCARD],
    ['10KiB', WILDCARD],
    ['99%', WILDCARD],
    ['0x7ffe3a', WILDCARD],
    ['a9d4d8a928d8db1', WILDCARD],
    ['0568b66ad2d9294c', WILDCARD],
    ['deadbeef', 'deadbeef'], // all letters: a word, not an id
    ['123e4567-e89b-12d3-a456-426614174000', WILDCARD],
    ['10.0.0.1', WILDCARD],
    ['10.0.0.1:8080', WILDCARD],
    ['2001:db8::1', WILDCARD],
    ['2024-03-30T23:03:40', WILDCARD],
    ['2021-06-10T09:24:13.472094048Z', WILDCARD],
    ['23:03:40.123', WILDCARD],
    ['[17/May/2015:08:05:32', `[${WILDCARD}`],
    ['+0000]', `${WILDCARD}]`],
    ['(200)', `(${WILDCARD})`],
    ['"GET', '"GET'],
    ['duration=200ms', `duration=${WILDCARD}`],
    ['ts=2024-03-30T23:03:40', `ts=${WILDCARD}`],
    ['fwd="124.133.124.161"', `fwd="${WILDCARD}"`],
    ['caller=grpc_logging.go:66', 'caller=grpc_logging.go:66'],
    ['method=/cortex.Ingester/Push', 'method=/cortex.Ingester/Push'],
    ['level=info', 'level=info'],
    ['pod-7d9f8b6c5d-x2x4z', WILDCARD], // letters and digits with at least 4 digits: taken for an id
    ['req_12345', WILDCARD],
    ['http2', 'http2'],
    ['<html>', WILDCARD], // would read as a capture in a pattern
    ['', ''],
  ];
  for (const [token, want] of cases) {
    it(`${JSON.stringify(token)} → ${JSON.stringify(want)}`, () => {
      assert.equal(maskToken(token), want);
    });
  }

  it('cuts at single spaces (keeping empty tokens) and folds the rest of a long line into one wildcard', () => {
    assert.deepEqual(tokenize('a  b 7', 64), ['a', '', 'b', WILDCARD]);
    assert.deepEqual(tokenize('a b c d e', 3), ['a', 'b', 'c', WILDCARD]);
  });
});

describe('mining', () => {
  it("Loki's documented example: ts and duration vary, caller and method stay", () => {
    const miner = new PatternMiner({ stepNs: 10n * S });
    miner.add('ts=2024-03-30T23:03:40 caller=grpc_logging.go:66 level=info method=/cortex.Ingester/Push duration=200ms msg=gRPC', 1711839820n * S);
    miner.add('ts=2024-03-30T23:03:41 caller=grpc_logging.go:66 level=info method=/cortex.Ingester/Push duration=500ms msg=gRPC', 1711839821n * S);
    assert.deepEqual(miner.result(), [
      { pattern: 'ts=<_> caller=grpc_logging.go:66 level=info method=/cortex.Ingester/Push duration=<_> msg=gRPC', samples: [[1711839820, 2]] },
    ]);
  });

  it('lines differing in a word merge into one template; a different first word or length starts another', () => {
    const miner = new PatternMiner({ stepNs: 60n * S });
    const t = 1_700_000_000n * S;
    miner.add('user alice logged in', t);
    miner.add('user bob logged in', t + S);
    miner.add('user carol logged in', t + 70n * S);
    miner.add('session alice expired', t);
    miner.add('user alice logged in twice', t);
    const got = miner.result();
    assert.deepEqual(got, [
      { pattern: 'user <_> logged in', samples: [[1699999980, 2], [1700000040, 1]] },
      { pattern: 'session alice expired', samples: [[1699999980, 1]] },
      { pattern: 'user alice logged in twice', samples: [[1699999980, 1]] },
    ]);
  });

  it('too different to merge: below half of the tokens equal', () => {
    const miner = new PatternMiner({ stepNs: S });
    miner.add('GET a b c', 0n);
    miner.add('GET x y z', 0n);
    assert.deepEqual(miner.result().map((p) => p.pattern).sort(), ['GET a b c', 'GET x y z']);
  });

  it('levels keep patterns apart and are reported', () => {
    const miner = new PatternMiner({ stepNs: S });
    miner.add('request failed', 0n, 'error');
    miner.add('request failed', 0n, 'warn');
    miner.add('request failed', 0n, 'error');
    assert.deepEqual(miner.result(), [
      { pattern: 'request failed', level: 'error', samples: [[0, 2]] },
      { pattern: 'request failed', level: 'warn', samples: [[0, 1]] },
    ]);
  });

  it('past the cap on templates, lines that fit none are counted as unclustered', () => {
    const miner = new PatternMiner({ stepNs: S, maxPatterns: 2 });
    miner.add('alpha one', 0n);
    miner.add('beta two', 0n);
    miner.add('gamma three', 0n);
    miner.add('alpha one', 0n);
    assert.equal(miner.result().length, 2);
    assert.equal(miner.unclustered, 1);
  });

  it('rejects a step that is not positive', () => {
    assert.throws(() => new PatternMiner({ stepNs: 0n }), /step must be positive/);
  });

  for (const system of ['Apache', 'HDFS', 'Linux', 'Zookeeper', 'Spark', 'OpenStack', 'BGL']) {
    it(`${system} (Loghub, 2k lines): every line is counted once and matched by its pattern as a |> filter`, () => {
      const lines = loghubLines(system);
      const miner = new PatternMiner({ stepNs: S });
      lines.forEach((l, i) => miner.add(l, BigInt(i) * S));
      const patterns = miner.result();
      const total = patterns.reduce((n, p) => n + p.samples.reduce((m, [, c]) => m + c, 0), 0);
      assert.equal(total, lines.length);
      // far fewer patterns than lines: variables were found
      assert.ok(patterns.length < lines.length / 4, `${patterns.length} patterns for ${lines.length} lines`);
      // each line is matched by at least one pattern's filter (the one it was counted under)
      const filters = patterns.map((p) => patternFilter(p.pattern));
      for (const line of lines) assert.ok(filters.some((f) => f(line)), `no pattern matches ${JSON.stringify(line)}`);
      // and each pattern's samples sit on the lines' own seconds
      for (const p of patterns) for (const [t] of p.samples) assert.ok(Number.isInteger(t) && t >= 0 && t < lines.length);
    });
  }
});

describe('line level', () => {
  const cases: [string, string | undefined][] = [
    ['level=info msg=hi', 'info'],
    ['ts=1 lvl=WARNING msg=x', 'warn'],
    ['{"level":"error","msg":"x"}', 'error'],
    ['{"msg":"x", "severity": "Critical"}', 'critical'],
    ['t=1 level="debug" m=1', 'debug'],
    ['loglevel=err', 'error'],
    ['sublevel=info', undefined], // not the level key
    ['level=verbose', undefined], // not a level we know
    ['just an error message', undefined], // no field: no guess from words
  ];
  for (const [line, want] of cases) it(`${JSON.stringify(line)} → ${want}`, () => assert.equal(lineLevel(line), want));
});
