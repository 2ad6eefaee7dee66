// `| json`: without parameters every leaf of the line's JSON object becomes a label (nested keys joined with `_`,
// arrays skipped); with parameters `| json a="x.y", b="list[0]"` only the named expressions are extracted.
// Invalid JSON keeps the row and sets `__error__="JSONParserErr"`; no partial labels are added then.
import type { JsonParserStage } from '../ast.ts';
import type { CompileContext, StageFn } from './stage.ts';
import { StageCompileError, setPipelineError } from './pipeline-errors.ts';
import { addParsedLabel, labelNameProblem, newPending, pushPending, sanitizeLabelKey, type PendingLabels } from './extracted-labels.ts';
import {
  fail,
  MAX_JSON_DEPTH,
  newCursor,
  resetCursor,
  scanString,
  scanValueText,
  skipValue,
  skipWs,
  validateJson,
  type JsonCursor,
} from './json-scan.ts';
import { compileJsonPath, evalJsonPath, type JsonPath } from './json-path.ts';

/** Walks the object at the cursor, pushing every non-array leaf under its flattened, sanitized name. */
function flattenObject(c: JsonCursor, prefix: string, depth: number, out: PendingLabels): boolean {
  if (depth >= MAX_JSON_DEPTH) {
    c.error = `JSON nesting deeper than ${MAX_JSON_DEPTH} levels at offset ${c.pos}`;
    return false;
  }
  const t = c.text;
  c.pos++; // '{'
  skipWs(c);
  if (t.charCodeAt(c.pos) === 125) {
    c.pos++;
    return true;
  }
  for (;;) {
    if (t.charCodeAt(c.pos) !== 34) return fail(c, 'a string object key');
    const key = scanString(c);
    if (key === null) return false;
    skipWs(c);
    if (t.charCodeAt(c.pos) !== 58) return fail(c, "':' after object key");
    c.pos++;
    skipWs(c);
    const name = prefix.length === 0 ? sanitizeLabelKey(key, true) : prefix + '_' + sanitizeLabelKey(key, false);
    const ch = t.charCodeAt(c.pos);
    if (ch === 123) {
      if (!flattenObject(c, name, depth + 1, out)) return false;
    } else if (ch === 91) {
      if (!skipValue(c, depth + 1)) return false; // arrays are skipped (Loki docs)
    } else {
      const value = scanValueText(c, depth + 1);
      if (value === null) return false;
      if (name.length > 0) pushPending(out, name, value);
    }
    skipWs(c);
    const sep = t.charCodeAt(c.pos);
    if (sep === 44) {
      c.pos++;
      skipWs(c);
      continue;
    }
    if (sep === 125) {
      c.pos++;
      return true;
    }
    return fail(c, "',' or '}'");
  }
}

/** Parses a whole line that must be one JSON object; fills `out` or returns false with `c.error` set. */
export function flattenJsonLine(c: JsonCursor, line: string, out: PendingLabels): boolean {
  resetCursor(c, line);
  out.count = 0;
  skipWs(c);
  if (line.charCodeAt(c.pos) !== 123) return fail(c, 'a JSON object');
  if (!flattenObject(c, '', 0, out)) return false;
  skipWs(c);
  if (c.pos !== line.length) return fail(c, 'end of input');
  return true;
}

export function compileJsonParser(ctx: CompileContext, stage: JsonParserStage): StageFn {
  const state = ctx.state;
  const cursor = newCursor();
  const seen = new Set<string>();

  if (stage.params.length === 0) {
    const pending = newPending();
    return (row) => {
      if (!flattenJsonLine(cursor, row.line, pending)) {
        setPipelineError(row.labels, 'JSONParserErr', cursor.error);
        return true;
      }
      seen.clear();
      for (let i = 0; i < pending.count; i++) addParsedLabel(state, seen, row.labels, pending.names[i]!, pending.values[i]!);
      return true;
    };
  }

  const labels: string[] = [];
  const paths: JsonPath[] = [];
  const declared = new Set<string>();
  for (const p of stage.params) {
    const problem = labelNameProblem(p.label);
    if (problem !== null) throw new StageCompileError(ctx, 'invalid_label_name', problem, p.label);
    if (declared.has(p.label)) {
      throw new StageCompileError(ctx, 'duplicate_label', `label ${JSON.stringify(p.label)} extracted twice`, p.label);
    }
    declared.add(p.label);
    labels.push(p.label);
    paths.push(compileJsonPath(ctx, p.path.length > 0 ? p.path : p.label));
  }
  const n = labels.length;
  return (row) => {
    resetCursor(cursor, row.line);
    if (!validateJson(cursor)) {
      setPipelineError(row.labels, 'JSONParserErr', cursor.error);
      return true;
    }
    seen.clear();
    for (let i = 0; i < n; i++) {
      // An expression that finds nothing yields an empty value, as Loki does.
      const value = evalJsonPath(cursor, paths[i]!) ?? '';
      addParsedLabel(state, seen, row.labels, labels[i]!, value);
    }
    return true;
  };
}
