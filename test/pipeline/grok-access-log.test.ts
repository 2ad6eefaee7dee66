// The hand-written %{COMMONAPACHELOG}/%{COMBINEDAPACHELOG} matcher must give exactly what the RE2 regex gives:
// differential tests over crafted edge cases and tens of thousands of seeded random mutations of real-shaped lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ACCESS_LOG_FIELDS, matchAccessLog } from '../../src/pipeline/grok-access-log.ts';
import { build, ev } from './processors/parse-harness.ts';

const EDGE_CASES = [
  '93.180.71.3 - - [17/May/2015:08:05:32 +0000] "GET /downloads/product_1 HTTP/1.1" 304 0 "-" "Debian APT-HTTP/1.3 (0.8.16~exp12ubuntu10.21)"',
  'www.example.com - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326',
  '10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /a\\"b HTTP/1.1" 200 1 "ref \\"q\\"" "ua"',
  '10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /a"b HTTP/1.1" 200 1 "-" "-"',
  '10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /nohttp" 200 1 "-" "-"',
  '10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /nohttp"" 200 1 "-" "-"',
  '10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "\\x16\\x03\\x01" 400 - "-" "-"',
  '10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "-" 400 0 "-" "-"',
  '10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "" 400 0 "" ""',
  '10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" -5 -0 "-x" "-"',
  '10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 - "-" "-" "1.2.3.4, 5.6.7.8"',
  '10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1.1" 200 5 "-" "-"',
  '10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/.5" 200 5 "-" "-"',
  '10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET  / HTTP/1.1" 200 5 "-" "-"',
  '10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 5 "-" "ends with backslash\\',
  '10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 5 "-" "tab\there"',
  '10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /x\ty HTTP/1.1" 200 5 "-" "-"',
  '10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "raw\nline" 200 5 "-" "-"',
  '::1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 5 "-" "-"',
  '10.0.0.1 - jane@example.com [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 5 "-" "-"',
  '999.1.1.1 - - [32/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 5 "-" "-"',
  '10.0.0.1 - - [1/oct/2000:13:55 +0000] "GET / HTTP/1.1" 200 5 "-" "-"',
  // the date is read in place up to the first `]`: trailing text, a second bracket, or nothing after it
  '10.0.0.1 - - [10/Oct/2000:13:55:36 -0700 x] "GET / HTTP/1.1" 200 5 "-" "-"',
  '10.0.0.1 - - [10/Oct/2000:13:55:36 -0700]] "GET / HTTP/1.1" 200 5 "-" "-"',
  '10.0.0.1 - - [10/Oct/2000:13:55:36 -0700',
  '10.0.0.1 - - [10/Oct/2000:13:55:36 -07]00] "GET / HTTP/1.1" 200 5 "-" "-"',
  'junk before 10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 5 "-" "-"',
  '10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 5 "-" "naïve 日本語 😀"',
  '-host - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 5 "-" "-"',
  'host. - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 5 "-" "-"',
  '',
  ' ',
];

/** A small seeded PRNG (mulberry32), so failures reproduce. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = ['"', ' ', '\\', '-', '[', ']', '/', ':', '.', '0', '5', 'a', 'G', 'H', '\t', '\n', '@', 'é'];

function mutate(line: string, rnd: () => number): string {
  let s = line;
  const edits = 1 + Math.floor(rnd() * 3);
  for (let k = 0; k < edits; k++) {
    const i = Math.floor(rnd() * (s.length + 1));
    const ch = ALPHABET[Math.floor(rnd() * ALPHABET.length)];
    const op = rnd();
    if (op < 0.4) s = s.slice(0, i) + ch + s.slice(i);
    else if (op < 0.7) s = s.slice(0, i) + s.slice(i + 1);
    else s = s.slice(0, i) + ch + s.slice(i + 1);
  }
  return s;
}

for (const [name, combined] of [['COMBINEDAPACHELOG', true], ['COMMONAPACHELOG', false]] as const) {
  test(`%{${name}}: the fast matcher and the regex agree on every line`, () => {
    const fast = build(`type: grok\npattern: '%{${name}}'`);
    // redefining a pattern it uses (to the same regex) turns the fast matcher off: RE2 alone
    const regex = build(`type: grok\npattern_definitions:\n  HTTPDUSER: '%{EMAILADDRESS}|%{USER}'\npattern: '%{${name}}'`);
    const rnd = prng(combined ? 42 : 7);
    const lines = [...EDGE_CASES];
    for (let i = 0; i < 15_000; i++) lines.push(mutate(EDGE_CASES[i % 8], rnd));
    let decidedFast = 0;
    const out = new Int32Array(ACCESS_LOG_FIELDS.length * 2);
    for (const line of lines) {
      if (matchAccessLog(line, combined, out)) decidedFast++;
      const a = fast.process([ev(line)], { nowMs: 0, warn() {} })[0];
      const b = regex.process([ev(line)], { nowMs: 0, warn() {} })[0];
      assert.deepEqual([a.fields, a.error], [b.fields, b.error], JSON.stringify(line));
    }
    assert.ok(decidedFast > 2000, `the fast matcher decided ${decidedFast} of ${lines.length} lines`);
  });
}
