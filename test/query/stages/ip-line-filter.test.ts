// `|= ip("…")` / `!= ip("…")` line filters (Loki "Matching IP addresses"): single addresses, ranges and CIDR prefixes,
// IPv4 and IPv6, found as whole addresses in the line (the docs' 3.180.71.3 versus 93.180.71.3 example), and kept out
// of the store's pushed-down filters.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LineFilterStage } from '../../../src/query/ast.ts';
import { compilePipeline, StageCompileError } from '../../../src/query/stages/pipeline.ts';
import { parseLogQuery } from '../../../src/query/parser.ts';
import { planLogQuery } from '../../../src/query/planner.ts';
import { run } from './stage-harness.ts';

const ipFilter = (op: '|=' | '!=', ...patterns: string[]): LineFilterStage => ({ kind: 'line_filter', op, values: patterns, ip: true });

/** The docs' nginx lines. */
const DOCS_LINES = [
  '3.180.71.3 - - [17/May/2015:08:05:32 +0000] "GET /downloads/product_1 HTTP/1.1" 304 0 "-" "Debian APT-HTTP/1.3 (0.8.16~exp12ubuntu10.21)"',
  '80.91.33.133 - - [17/May/2015:08:05:14 +0000] "GET /downloads/product_1 HTTP/1.1" 304 0 "-" "Debian APT-HTTP/1.3 (0.8.16~exp12ubuntu10.16)"',
  '46.4.66.76 - - [17/May/2015:08:05:45 +0000] "GET /downloads/product_1 HTTP/1.1" 404 318 "-" "Debian APT-HTTP/1.3 (1.0.1ubuntu2)"',
  '93.180.71.3 - - [17/May/2015:08:05:26 +0000] "GET /downloads/product_1 HTTP/1.1" 404 324 "-" "Debian APT-HTTP/1.3 (0.8.16~exp12ubuntu10.21)"',
];

function kept(stage: LineFilterStage, lines: string[]): string[] {
  const p = compilePipeline([stage]);
  return lines.filter((line) => p({ line, tsNs: 0n, labels: new Map() }));
}

describe('ip() line filters', () => {
  it('docs: ip("3.180.71.3") matches the address, not 93.180.71.3 (which |= "3.180.71.3" would)', () => {
    assert.deepEqual(kept(ipFilter('|=', '3.180.71.3'), DOCS_LINES), [DOCS_LINES[0]]);
    assert.equal(kept({ kind: 'line_filter', op: '|=', values: ['3.180.71.3'] }, DOCS_LINES).length, 2);
  });

  it('CIDR, range and != (docs forms)', () => {
    assert.deepEqual(kept(ipFilter('|=', '80.0.0.0/8'), DOCS_LINES), [DOCS_LINES[1]]);
    assert.deepEqual(kept(ipFilter('|=', '46.4.66.70-46.4.66.80'), DOCS_LINES), [DOCS_LINES[2]]);
    assert.deepEqual(kept(ipFilter('!=', '80.0.0.0/8', '93.0.0.0/8'), DOCS_LINES), [DOCS_LINES[0], DOCS_LINES[2]]);
    // `or` alternatives: any of them
    assert.deepEqual(kept(ipFilter('|=', '80.0.0.0/8', '93.0.0.0/8'), DOCS_LINES), [DOCS_LINES[1], DOCS_LINES[3]]);
  });

  const cases: [string, string, boolean][] = [
    ['192.168.4.5/16', 'accepted from 192.168.200.7 port 22', true], // docs: host bits in the prefix are ignored
    ['192.168.4.5/16', 'accepted from 192.169.0.1', false],
    ['10.0.0.0/8', 'connect to 10.1.2.3:8080 failed', true], // host:port
    ['10.0.0.0/8', 'peer=10.1.2.3,', true],
    ['10.0.0.0/8', 'client 10.1.2.3.', true], // end of a sentence
    ['10.0.0.0/8', 'addr:10.1.2.3 ok', true],
    ['10.0.0.0/8', 'version 10.1.2.3.4 released', false], // not an address as a whole
    ['10.0.0.0/8', 'build 110.1.2.3', false],
    ['10.0.0.0/8', 'no address here', false],
    ['10.0.0.0/8', 'leading zeros 010.1.2.3', false],
    ['2001:db8::/32', 'peer [2001:db8::5]:443 closed', true],
    ['2001:db8::1-2001:db8::8', 'from 2001:db8::8 ok', true],
    ['2001:db8::1-2001:db8::8', 'from 2001:db8::9 ok', false],
    ['::1', 'listening on ::1 and 127.0.0.1', true],
    ['127.0.0.1', 'listening on ::1 and 127.0.0.1', true],
    ['0.0.0.0/0', 'only ipv6 ::ffff:abcd here', false], // IPv4 patterns never match IPv6 addresses
  ];
  for (const [pattern, line, want] of cases) {
    it(`ip(${JSON.stringify(pattern)}) on ${JSON.stringify(line)}: ${want}`, () => {
      assert.equal(run([ipFilter('|=', pattern)], line).kept, want);
      assert.equal(run([ipFilter('!=', pattern)], line).kept, !want);
    });
  }

  it('an invalid pattern fails to compile with the stage named', () => {
    assert.throws(() => compilePipeline([ipFilter('|=', '1.2.3')]), (e: unknown) => e instanceof StageCompileError && e.code === 'invalid_ip_pattern' && /stage 1 \(line_filter\): invalid ip pattern "1.2.3"/.test(e.message));
  });

  it('stays in the pipeline: the store gets only the string filters around it', () => {
    const plan = planLogQuery(parseLogQuery('{job_name="myapp"} |= "GET" |= ip("10.0.0.0/8") != "health"'));
    assert.deepEqual(plan.lineFilters, [{ op: 'contains', values: ['GET'] }, { op: 'not_contains', values: ['health'] }]);
    assert.deepEqual(plan.stages, [{ kind: 'line_filter', op: '|=', values: ['10.0.0.0/8'], ip: true }]);
  });
});
