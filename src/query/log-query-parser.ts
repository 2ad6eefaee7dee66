// Log queries: a stream selector and its pipeline, e.g. `{app="api", env=~"prod|dev"} |= "error" | json | status >= 500`.
// Stages: line filters (`|=` `!=` `|~` `!~` `|>` `!>`, with `or`), parsers, label filters, line/label formatting, drop/keep, decolorize.
import type {
  DropKeepStage,
  LabelFormatStage,
  LineFilterStage,
  LogfmtParserStage,
  LogQuery,
  Matcher,
  MatchOp,
  PipelineStage,
} from './ast.ts';
import type { Token, TokenKind } from './lexer.ts';
import { atLabelFilterOp, parseLabelFilter } from './label-filter-parser.ts';
import { patternSyntaxError } from './pattern-syntax.ts';
import { namedGroupCount, regexSyntaxError } from './regex-syntax.ts';
import { oneOf, type TokenStream } from './token-stream.ts';
import { parseIpPattern } from './stages/ip-match.ts';

const MATCH_OPS: ReadonlySet<TokenKind> = new Set<TokenKind>(['=', '!=', '=~', '!~']);
const MATCH_OPS_EXPECTED = oneOf('=', '!=', '=~', '!~');
const LINE_FILTER_OPS: ReadonlySet<TokenKind> = new Set<TokenKind>(['|=', '!=', '|~', '!~', '|>', '!>']);
const STAGE_EXPECTED = 'parser, formatter or label filter';

/** `{selector} stage stage ...`; with `stopAtUnwrap` the pipeline ends before `| unwrap` (inside a range aggregation). */
export function parseLogQuery(ts: TokenStream, stopAtUnwrap: boolean): LogQuery {
  const selector = parseSelector(ts);
  return { kind: 'log', selector, stages: parsePipeline(ts, stopAtUnwrap) };
}

/** `{name op "value", ...}`; the empty selector `{}` is accepted (it selects every stream of the tenant). */
export function parseSelector(ts: TokenStream): Matcher[] {
  ts.expect('{');
  const matchers: Matcher[] = [];
  if (ts.accept('}')) return matchers;
  for (;;) {
    matchers.push(parseMatcher(ts, ts.expect('IDENTIFIER', matchers.length === 0 ? oneOf('IDENTIFIER', '}') : 'IDENTIFIER')));
    if (ts.accept('}')) return matchers;
    ts.expect(',', oneOf(',', '}'));
  }
}

/** `name op "value"` once the name is read: a stream matcher, or a drop/keep condition. */
function parseMatcher(ts: TokenStream, name: Token): Matcher {
  if (!MATCH_OPS.has(ts.peek().kind)) ts.unexpected(MATCH_OPS_EXPECTED);
  const op = ts.next().kind as MatchOp;
  const value = ts.expect('STRING');
  if (op === '=~' || op === '!~') checkRegex(ts, value);
  return { name: name.text, op, value: value.value };
}

function checkRegex(ts: TokenStream, tok: Token): void {
  const complaint = regexSyntaxError(tok.value);
  if (complaint !== undefined) ts.failAt(tok, complaint, 'a valid regular expression');
}

/** Stages until something that is not a stage (end of input, `[`, `)`, an operator...). */
export function parsePipeline(ts: TokenStream, stopAtUnwrap: boolean): PipelineStage[] {
  const stages: PipelineStage[] = [];
  for (;;) {
    if (LINE_FILTER_OPS.has(ts.peek().kind)) {
      stages.push(parseLineFilter(ts));
      continue;
    }
    if (!ts.at('|')) return stages;
    if (ts.atWord('unwrap', 1) && !atLabelFilterOp(ts, 2)) {
      if (stopAtUnwrap) return stages;
      ts.failAt(ts.peek(1), 'syntax error: unexpected UNWRAP outside a range aggregation', STAGE_EXPECTED);
    }
    ts.next();
    stages.push(parseStage(ts));
  }
}

/** `|= "a" or "b"`: alternatives joined by `or`; `|= ip("10.0.0.0/8")` (Loki "Matching IP addresses") likewise. */
function parseLineFilter(ts: TokenStream): LineFilterStage {
  const opToken = ts.next();
  const op = opToken.kind as LineFilterStage['op'];
  if (atIp(ts)) return parseIpLineFilter(ts, opToken);
  const values: string[] = [];
  for (;;) {
    const value = ts.expect('STRING');
    if (op === '|~' || op === '!~') checkRegex(ts, value);
    values.push(value.value);
    if (!(ts.atWord('or') && ts.at('STRING', 1))) {
      if (ts.atWord('or') && atIp(ts, 1)) ts.failAt(ts.peek(1), 'syntax error: a line filter cannot mix strings and ip() alternatives', 'STRING');
      return { kind: 'line_filter', op, values };
    }
    ts.next(); // or
  }
}

function atIp(ts: TokenStream, ahead = 0): boolean {
  return ts.atWord('ip', ahead) && ts.at('(', ahead + 1);
}

/** `|= ip("192.168.0.0/16") or ip("10.0.0.1-10.0.0.9")`: only `|=` and `!=` take addresses (Loki docs). */
function parseIpLineFilter(ts: TokenStream, opToken: Token): LineFilterStage {
  if (opToken.kind !== '|=' && opToken.kind !== '!=') {
    ts.failAt(ts.peek(), `syntax error: ip() line filters allow only |= and !=, not ${opToken.kind}`, 'STRING');
  }
  const values: string[] = [];
  for (;;) {
    ts.next(); // ip
    ts.next(); // (
    const pattern = ts.expect('STRING');
    if (parseIpPattern(pattern.value) === null) {
      ts.failAt(pattern, `invalid ip pattern ${JSON.stringify(pattern.value)}: expected an address, a range a-b or a CIDR prefix`, 'an IP address, range or CIDR');
    }
    ts.expect(')');
    values.push(pattern.value);
    if (!(ts.atWord('or') && (atIp(ts, 1) || ts.at('STRING', 1)))) return { kind: 'line_filter', op: opToken.kind, values, ip: true };
    if (!atIp(ts, 1)) ts.failAt(ts.peek(1), 'syntax error: a line filter cannot mix strings and ip() alternatives', 'ip');
    ts.next(); // or
  }
}

/** One stage after its `|`. A stage keyword followed by a comparison is a label filter on a label of that name. */
function parseStage(ts: TokenStream): PipelineStage {
  const word = ts.peek();
  if (word.kind === 'IDENTIFIER' && !atLabelFilterOp(ts, 1)) {
    switch (word.text) {
      case 'json':
        ts.next();
        return { kind: 'json', params: parseExtractionParams(ts).map(({ label, source }) => ({ label, path: source })) };
      case 'logfmt':
        ts.next();
        return parseLogfmt(ts);
      case 'regexp': {
        ts.next();
        const re = ts.expect('STRING');
        checkRegex(ts, re);
        if (namedGroupCount(re.value) === 0) ts.failAt(re, 'at least one named capture must be supplied, e.g. (?P<name>...)', 'named capture');
        return { kind: 'regexp', pattern: re.value };
      }
      case 'pattern': {
        ts.next();
        const pattern = ts.expect('STRING');
        const complaint = patternSyntaxError(pattern.value);
        if (complaint !== undefined) ts.failAt(pattern, complaint, 'a pattern with a named capture');
        return { kind: 'pattern', pattern: pattern.value };
      }
      case 'unpack':
        ts.next();
        return { kind: 'unpack' };
      case 'line_format':
        ts.next();
        return { kind: 'line_format', template: ts.expect('STRING').value };
      case 'label_format':
        ts.next();
        return parseLabelFormat(ts);
      case 'drop':
      case 'keep':
        ts.next();
        return parseDropKeep(ts, word.text);
      case 'decolorize':
        ts.next();
        return { kind: 'decolorize' };
    }
  }
  if (word.kind !== 'IDENTIFIER' && word.kind !== '(') ts.unexpected(STAGE_EXPECTED);
  return { kind: 'label_filter', expr: parseLabelFilter(ts) };
}

/** `| logfmt --strict --keep-empty a, b="c"`: flags first, then optional extraction parameters. */
function parseLogfmt(ts: TokenStream): LogfmtParserStage {
  let strict = false;
  let keepEmpty = false;
  while (ts.at('FLAG')) {
    const flag = ts.next();
    if (flag.text === '--strict') strict = true;
    else if (flag.text === '--keep-empty') keepEmpty = true;
    else ts.failAt(flag, `syntax error: unknown logfmt flag ${flag.text}, expecting --strict or --keep-empty`, oneOf('--strict', '--keep-empty'));
  }
  const params = parseExtractionParams(ts).map(({ label, source }) => ({ label, key: source }));
  return { kind: 'logfmt', strict, keepEmpty, params };
}

/** `a="source", b` (a bare name extracts the field of the same name); none at all is fine. */
function parseExtractionParams(ts: TokenStream): { label: string; source: string }[] {
  const params: { label: string; source: string }[] = [];
  if (!ts.at('IDENTIFIER')) return params;
  do {
    const label = ts.expect('IDENTIFIER').text;
    const source = ts.accept('=') ? ts.expect('STRING').value : label;
    params.push({ label, source });
  } while (ts.accept(','));
  return params;
}

/** `| label_format dst=src, dst2="{{.template}}"`; a label may be set only once per stage. */
function parseLabelFormat(ts: TokenStream): LabelFormatStage {
  const items: LabelFormatStage['items'] = [];
  const seen = new Set<string>();
  do {
    const dst = ts.expect('IDENTIFIER');
    if (seen.has(dst.text)) ts.failAt(dst, `syntax error: multiple label name "${dst.text}" not allowed in a single label_format stage`, 'IDENTIFIER');
    seen.add(dst.text);
    ts.expect('=');
    const src = ts.peek();
    if (src.kind === 'IDENTIFIER') items.push({ dst: dst.text, src: ts.next().text });
    else if (src.kind === 'STRING') items.push({ dst: dst.text, template: ts.next().value });
    else ts.unexpected(oneOf('IDENTIFIER', 'STRING'));
  } while (ts.accept(','));
  return { kind: 'label_format', items };
}

/** `| drop a, b="x", c=~"y.*"`: bare names, or matchers that only apply when the value matches. */
function parseDropKeep(ts: TokenStream, kind: 'drop' | 'keep'): DropKeepStage {
  const items: DropKeepStage['items'] = [];
  do {
    const name = ts.expect('IDENTIFIER');
    if (MATCH_OPS.has(ts.peek().kind)) items.push({ name: name.text, matcher: parseMatcher(ts, name) });
    else items.push({ name: name.text });
  } while (ts.accept(','));
  return { kind, items };
}
