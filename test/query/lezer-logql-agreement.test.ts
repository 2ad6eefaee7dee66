// An independent LogQL grammar, Grafana's own (@grafana/lezer-logql, Apache-2.0, the parser of Grafana's Loki query
// editor), over every query of our conformance suites and parser tables: whatever it accepts, Sightline's parser
// accepts too, except the queries listed here (and in docs/logql.md, "Grafana's grammar").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runInNewContext } from 'node:vm';
import { parser } from '@grafana/lezer-logql';
import { parseExpr } from '../../src/query/parser.ts';

const read = (file: string): string => readFileSync(path.join(import.meta.dirname, file), 'utf8');

/**
 * Reads one JS string literal starting at `i` (a quote): its value (undefined for a template literal with `${…}`,
 * computed at run time) and the index after its closing quote.
 */
function literalAt(source: string, i: number): { value?: string; end: number } {
  const quote = source[i];
  let raw = quote;
  for (i++; i < source.length && source[i] !== quote; i++) {
    raw += source[i];
    if (source[i] === '\\') raw += source[++i];
  }
  raw += quote;
  if (quote === '`' && raw.includes('${')) return { end: i + 1 };
  // a plain string literal of our own test source, delimited above
  return { value: runInNewContext(raw) as string, end: i + 1 };
}

/** Literal queries passed as `query:` or to the instant/range/fails/q helpers of a suite. */
function queriesIn(source: string): string[] {
  const out: string[] = [];
  const start = /(?:\bquery:\s*|\b(?:instant|range|fails|q)\(\s*)(['"`])/g;
  for (let m = start.exec(source); m; m = start.exec(source)) {
    const q = literalAt(source, start.lastIndex - 1).value;
    if (q !== undefined) out.push(q);
  }
  return out;
}

/** The first element of each `[query, …]` row of a table in parser.test.ts (its valid-query tables). */
function tableQueries(source: string, table: string): string[] {
  const from = source.indexOf(`const ${table}`);
  const body = source.slice(from, source.indexOf('\n];', from));
  const out: string[] = [];
  const row = /^\s*\[(['"`])/gm;
  for (let m = row.exec(body); m; m = row.exec(body)) {
    const q = literalAt(body, m.index + m[0].length - 1).value;
    if (q !== undefined) out.push(q);
  }
  return out;
}

/** The template-function cases of the doc examples, built as that suite builds them. */
function templateQueries(source: string): string[] {
  const out: string[] = [];
  const call = /^tpl\(\s*(['"`])/gm;
  for (let m = call.exec(source); m; m = call.exec(source)) {
    let i = literalAt(source, m.index + m[0].length - 1).end;
    while (source[i] === ',' || /\s/.test(source[i])) i++;
    const template = literalAt(source, i).value;
    if (template !== undefined) out.push(`{job="tpl"} | line_format \`${template}\``);
  }
  return out;
}

function grafanaAccepts(query: string): boolean {
  let ok = true;
  parser.parse(query).iterate({ enter: (n) => { if (n.type.isError) ok = false; } });
  return ok;
}

function weAccept(query: string): boolean {
  try {
    parseExpr(query);
    return true;
  } catch {
    return false;
  }
}

const parserTests = read('parser.test.ts');
const docs = read('loki-doc-examples.test.ts');
const queries = [...new Set([
  ...queriesIn(docs),
  ...queriesIn(read('metric-conformance.test.ts')),
  ...templateQueries(docs),
  ...tableQueries(parserTests, 'logQueries'),
  ...tableQueries(parserTests, 'metricQueries'),
])];

/** Grammatical, but refused by Loki's own parser too (its checks after the grammar), so by Sightline. */
const REFUSED_AFTER_GRAMMAR = new Map<string, string>([
  ['{job="loki"} | pattern `<_> msg=<_>`', 'a pattern needs at least one named capture'],
  ['{job="loki"} | pattern `<a><b>`', 'two captures side by side'],
  ['{job="api"} | regexp "(\\\\w+)"', 'a regexp stage needs a named group'],
  ['{container="frontend"} | label_format foo=bar,foo="new"', 'one label_format may not set a label twice'],
]);

test('the suites hold enough queries to mean something', () => {
  assert.ok(queries.length >= 250, `found ${queries.length} queries`);
});

test('every query Grafana\'s LogQL grammar accepts, Sightline accepts (but for Loki\'s own semantic refusals)', () => {
  const disagreements = queries.filter((q) => grafanaAccepts(q) && !weAccept(q) && !REFUSED_AFTER_GRAMMAR.has(q));
  assert.deepEqual(disagreements, []);
  for (const q of REFUSED_AFTER_GRAMMAR.keys()) assert.ok(queries.includes(q) && grafanaAccepts(q) && !weAccept(q), q);
});

test('queries Sightline accepts and Grafana\'s grammar does not are the known, documented ones', () => {
  const onlyOurs = queries.filter((q) => weAccept(q) && !grafanaAccepts(q));
  assert.deepEqual(onlyOurs, [...ONLY_OURS.keys()]);
});

/** Sightline accepts these, Grafana's grammar does not (see docs/logql.md). */
const ONLY_OURS = new Map<string, string>([
  ['{}', 'Sightline extension: an empty selector means every stream (Loki refuses it)'],
  ['{ }', 'the same, with a space'],
  ['{app="api"} | json="x" | pattern != "y"', 'a parser keyword followed by a comparison is read as a label name'],
  ['count_over_time({app="api"} | a > 1 b < 2 [1m])', 'a space between label filter predicates is `and`, as the LogQL docs say'],
  ['count_over_time({app="api"} | unwrap > 1 [1m])', '`unwrap` followed by a comparison is read as a label name'],
  ['vector(-0.5)', 'a signed number in vector()'],
]);
