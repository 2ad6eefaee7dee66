// `| unpack`: reverses Promtail's `pack` stage. The line is a JSON object whose `_entry` string becomes the new line
// and whose other string members become labels; non-string members are ignored. Invalid JSON sets JSONParserErr.
import type { CompileContext, StageFn } from './stage.ts';
import { setPipelineError } from './pipeline-errors.ts';
import { addParsedLabel, newPending, pushPending, sanitizeLabelKey } from './extracted-labels.ts';
import { fail, newCursor, resetCursor, scanString, skipValue, skipWs } from './json-scan.ts';

const ENTRY_KEY = '_entry';

export function compileUnpackParser(ctx: CompileContext): StageFn {
  const state = ctx.state;
  const c = newCursor();
  const pending = newPending();
  const seen = new Set<string>();

  /** Returns the `_entry` value (or null when absent), filling `pending`; undefined on a syntax error. */
  const parse = (line: string): string | null | undefined => {
    resetCursor(c, line);
    pending.count = 0;
    let entry: string | null = null;
    skipWs(c);
    if (line.charCodeAt(c.pos) !== 123) return void fail(c, 'a JSON object');
    c.pos++;
    skipWs(c);
    if (line.charCodeAt(c.pos) === 125) c.pos++;
    else {
      for (;;) {
        if (line.charCodeAt(c.pos) !== 34) return void fail(c, 'a string object key');
        const key = scanString(c);
        if (key === null) return undefined;
        skipWs(c);
        if (line.charCodeAt(c.pos) !== 58) return void fail(c, "':' after object key");
        c.pos++;
        skipWs(c);
        if (line.charCodeAt(c.pos) === 34) {
          const value = scanString(c);
          if (value === null) return undefined;
          if (key === ENTRY_KEY) {
            if (entry === null) entry = value;
          } else {
            pushPending(pending, sanitizeLabelKey(key, true), value);
          }
        } else if (!skipValue(c, 1)) return undefined;
        skipWs(c);
        const sep = line.charCodeAt(c.pos);
        if (sep === 44) {
          c.pos++;
          skipWs(c);
          continue;
        }
        if (sep === 125) {
          c.pos++;
          break;
        }
        return void fail(c, "',' or '}'");
      }
    }
    skipWs(c);
    if (c.pos !== line.length) return void fail(c, 'end of input');
    return entry;
  };

  return (row) => {
    const entry = parse(row.line);
    if (entry === undefined) {
      setPipelineError(row.labels, 'JSONParserErr', c.error);
      return true;
    }
    seen.clear();
    for (let i = 0; i < pending.count; i++) addParsedLabel(state, seen, row.labels, pending.names[i]!, pending.values[i]!);
    if (entry !== null) row.line = entry;
    return true;
  };
}
