// `grok`: Logstash-compatible `%{PATTERN:field(:type)}` expressions compiled once to RE2, with the built-in library
// (grok-patterns.ts), user definitions from config or pattern files, several expressions tried in order. Named
// captures become fields (`:int`/`:float` as numbers); no expression matching marks the event `GrokParserErr`.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ConfigNode } from '../../config/config-node.ts';
import type { PipelineEvent } from '../event.ts';
import { ACCESS_LOG_FIELDS, matchAccessLog } from '../grok-access-log.ts';
import { expandGrok, GrokError, type GrokType } from '../grok-compile.ts';
import { GROK_PATTERNS } from '../grok-patterns.ts';
import { consumeSource, markError, PARSER_KEYS, readParserIO, sourceText, type ParserIO } from '../parser-io.ts';
import { readPatternList } from '../pattern-list.ts';
import { COMMON_PROCESSOR_KEYS, type Processor, type ProcessorEnv, type ProcessorType } from '../processor.ts';
import { CaptureRegex, compileRe2 } from '../re2-regex.ts';

export const GROK_PARSER_ERROR = 'GrokParserErr';

const TYPE_STRING = 0;
const TYPE_INT = 1;
const TYPE_FLOAT = 2;
const TYPE_CODES: Record<GrokType, number> = { string: TYPE_STRING, int: TYPE_INT, float: TYPE_FLOAT };

/** One compiled regex and, per capture, the slot in the match array, field name and type. */
interface CompiledAlternative {
  regex: CaptureRegex;
  /** match-array index of each capture's start (its end is the next slot) */
  slots: number[];
  fields: string[];
  types: number[];
  /** the hand-written matcher for %{COMMONAPACHELOG}/%{COMBINEDAPACHELOG}, tried before the regex */
  accessLog?: AccessLogFastPath;
}

interface AccessLogFastPath {
  combined: boolean;
  /** per ACCESS_LOG_FIELDS entry, the regex's match-array slot of that field's capture */
  slots: number[];
  /** reused result, shaped as the regex's match array */
  match: number[];
}

/** Built-in patterns the access-log matcher implements exactly, when the user has not redefined what they use. */
const ACCESS_LOG_PATTERNS: Record<string, boolean> = { COMMONAPACHELOG: false, HTTPD_COMMONLOG: false, COMBINEDAPACHELOG: true, HTTPD_COMBINEDLOG: true };

/**
 * One configured expression. A bare reference to an alternation of patterns (`%{JAVA_LOG}` = `%{A}|%{B}|…`) is
 * compiled as one regex per alternative: several small RE2 programs run on the fast backtracking engine where one
 * big one would fall back to the slower NFA. Matching keeps the alternation's meaning: leftmost match, then order.
 */
type CompiledExpression = CompiledAlternative[];

const BARE_REFERENCE = /^%\{(\w+)\}$/;
const ALTERNATION_OF_REFERENCES = /^%\{\w+\}(?:\|%\{\w+\})+$/;

const PATTERN_NAME = /^[A-Za-z0-9_]+$/;

/** Reads `NAME regex` lines (blank lines and `#` comments skipped), as Logstash pattern files are written. */
function readPatternFile(node: ConfigNode, path: string, into: Map<string, string>): void {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    node.fail(`cannot read grok pattern file ${path}: ${(e as Error).message}`);
  }
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([A-Za-z0-9_]+)\s+(.+)$/.exec(line);
    if (!m) node.fail(`${path}:${i + 1}: expected \`NAME regex\`, got ${JSON.stringify(line.slice(0, 60))}`);
    into.set(m[1], m[2]);
  }
}

function toNumber(text: string, type: number): string | number {
  const n = Number(text);
  if (text === '' || !Number.isFinite(n)) return text;
  return type === TYPE_INT ? Math.trunc(n) : n;
}

/** True when `name` or any pattern it references (transitively) is defined by the user. */
function usesCustom(name: string, custom: Map<string, string>, seen = new Set<string>()): boolean {
  if (custom.has(name)) return true;
  if (seen.has(name) || !Object.hasOwn(GROK_PATTERNS, name)) return false;
  seen.add(name);
  for (const m of GROK_PATTERNS[name].matchAll(/%\{(\w+)/g)) if (usesCustom(m[1], custom, seen)) return true;
  return false;
}

class GrokParser implements Processor {
  constructor(
    private readonly io: ParserIO,
    private readonly expressions: CompiledExpression[],
    private readonly keepEmpty: boolean,
    private readonly sources: string[],
  ) {}

  private readonly accessLogOut = new Int32Array(ACCESS_LOG_FIELDS.length * 2);

  /** The access-log matcher's result in the regex's match-array shape, or null when the regex must decide. */
  private accessLog(text: string, x: CompiledAlternative, fast: AccessLogFastPath): number[] | null {
    const out = this.accessLogOut;
    if (!matchAccessLog(text, fast.combined, out)) return null;
    const m = fast.match;
    m.fill(-1);
    m[0] = 0;
    for (let f = 0; f < fast.slots.length; f++) {
      const slot = fast.slots[f];
      if (slot < 0) continue;
      m[slot] = out[f * 2];
      m[slot + 1] = out[f * 2 + 1];
    }
    return m;
  }

  process(events: PipelineEvent[]): PipelineEvent[] {
    const io = this.io;
    const exprs = this.expressions;
    for (let i = 0; i < events.length; i++) {
      const ev = events[i];
      const text = sourceText(ev, io);
      if (text === undefined) continue;
      let matched = false;
      for (let e = 0; e < exprs.length && !matched; e++) {
        const alts = exprs[e];
        let x = alts[0];
        let m = x.accessLog !== undefined ? this.accessLog(text, x, x.accessLog) : null;
        if (m === null) m = x.regex.find(text);
        for (let a = 1; a < alts.length && (m === null || m[0] > 0); a++) {
          const other = alts[a].regex.find(text);
          if (other !== null && (m === null || other[0] < m[0])) {
            m = other;
            x = alts[a];
          }
        }
        if (m === null) continue;
        matched = true;
        consumeSource(ev, io);
        const fields = ev.fields;
        for (let c = 0; c < x.slots.length; c++) {
          const at = x.slots[c];
          const start = m[at];
          if (start < 0) continue;
          const end = m[at + 1];
          if (start === end && !this.keepEmpty) continue;
          const value = text.slice(start, end);
          fields[io.prefix + x.fields[c]] = x.types[c] === TYPE_STRING ? value : toNumber(value, x.types[c]);
        }
      }
      if (!matched) {
        markError(ev, GROK_PARSER_ERROR, exprs.length === 1 ? `no match for ${this.sources[0]}` : `none of ${exprs.length} patterns matched (${this.sources.join(', ')})`);
      }
    }
    return events;
  }
}

export const grokProcessor: ProcessorType = {
  type: 'grok',
  description: 'parse with grok patterns (%{COMBINEDAPACHELOG}, %{SYSLOGLINE}, %{JAVA_LOG}…) into fields',
  build(node: ConfigNode, env: ProcessorEnv): Processor {
    node.onlyKeys([...COMMON_PROCESSOR_KEYS, ...PARSER_KEYS, 'pattern', 'patterns', 'pattern_definitions', 'pattern_files', 'keep_empty_captures']);
    const custom = new Map<string, string>();
    const files = node.get('pattern_files');
    if (files.exists) {
      const list = files.isList ? files.items() : [files];
      for (const item of list) readPatternFile(item, resolve(env.configDir, item.string()), custom);
    }
    const defs = node.get('pattern_definitions');
    if (defs.exists) {
      for (const [name, def] of defs.entries()) {
        if (!PATTERN_NAME.test(name)) def.fail('expected a pattern name of letters, digits and _');
        custom.set(name, def.string());
      }
    }
    const lookup = (name: string): string | undefined => custom.get(name) ?? (Object.hasOwn(GROK_PATTERNS, name) ? GROK_PATTERNS[name] : undefined);
    const patterns = readPatternList(node);
    const compile = (source: string, at: ConfigNode): CompiledAlternative => {
      let expansion;
      try {
        expansion = expandGrok(source, lookup);
      } catch (e) {
        if (e instanceof GrokError) at.fail(e.message);
        throw e;
      }
      const regex = new CaptureRegex(compileRe2(at, expansion.regex, 'grok pattern'));
      const groupIndex = new Map(regex.groups.map((g) => [g.name, g.index]));
      const slots: number[] = [];
      const fields: string[] = [];
      const types: number[] = [];
      for (const c of expansion.captures) {
        const index = groupIndex.get(c.group);
        if (index === undefined) continue;
        slots.push(index * 2);
        fields.push(c.field);
        types.push(TYPE_CODES[c.type]);
      }
      return { regex, slots, fields, types };
    };
    const expressions = patterns.map(({ source, node: at }): CompiledExpression => {
      const bare = BARE_REFERENCE.exec(source.trim());
      const definition = bare ? lookup(bare[1]) : undefined;
      const alts = definition !== undefined && ALTERNATION_OF_REFERENCES.test(definition)
        ? definition.split('|').map((ref) => compile(ref, at))
        : [compile(source, at)];
      if (bare && Object.hasOwn(ACCESS_LOG_PATTERNS, bare[1]) && !usesCustom(bare[1], custom)) {
        const alt = alts[0];
        const slots = ACCESS_LOG_FIELDS.map((f) => {
          const c = alt.fields.indexOf(f);
          return c < 0 ? -1 : alt.slots[c];
        });
        alt.accessLog = { combined: ACCESS_LOG_PATTERNS[bare[1]], slots, match: new Array<number>(2 * (alt.regex.re.groupCount() + 1)).fill(-1) };
      }
      if (alts.every((a) => a.slots.length === 0)) at.fail('expected at least one named capture, e.g. %{IP:client}');
      return alts;
    });
    return new GrokParser(readParserIO(node), expressions, node.get('keep_empty_captures').boolean(false), patterns.map((p) => p.source));
  },
};
