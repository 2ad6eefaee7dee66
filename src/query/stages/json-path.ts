// Loki's JSON expressions for `| json label="expr"`: field access (`a.b`, `a["b"]`) and array access (`list[0]`) in any
// combination (`my.list[0]["field"]`), compiled to a list of keys and indexes and evaluated by scanning the line.
import { StageCompileError } from './pipeline-errors.ts';
import type { CompileContext } from './stage.ts';
import { scanString, scanValueText, skipValue, skipWs, type JsonCursor } from './json-scan.ts';

export type JsonPath = (string | number)[];

export function compileJsonPath(ctx: CompileContext, expr: string): JsonPath {
  const fail = (msg: string): never => {
    throw new StageCompileError(ctx, 'invalid_json_path', `invalid JSON expression ${JSON.stringify(expr)}: ${msg}`, expr);
  };
  const path: JsonPath = [];
  let i = 0;
  const n = expr.length;
  if (n === 0) fail('empty expression');
  let expectField = true;
  while (i < n) {
    const ch = expr[i]!;
    if (ch === '[') {
      i++;
      if (expr[i] === '"') {
        let key = '';
        i++;
        for (;;) {
          if (i >= n) fail('unterminated string in brackets');
          const c = expr[i]!;
          if (c === '\\' && i + 1 < n) {
            key += expr[i + 1];
            i += 2;
            continue;
          }
          if (c === '"') break;
          key += c;
          i++;
        }
        i++;
        if (expr[i] !== ']') fail(`expected ']' at offset ${i}`);
        i++;
        path.push(key);
      } else {
        const start = i;
        while (i < n && expr[i]! >= '0' && expr[i]! <= '9') i++;
        if (i === start || expr[i] !== ']') fail(`expected an array index or a quoted key at offset ${start}`);
        path.push(Number(expr.slice(start, i)));
        i++;
      }
      expectField = false;
      continue;
    }
    if (ch === '.') {
      if (path.length === 0) fail('expression starts with "."');
      if (expectField) fail(`unexpected "." at offset ${i}`);
      i++;
      expectField = true;
      continue;
    }
    if (!expectField) fail(`expected '.' or '[' at offset ${i}`);
    const start = i;
    while (i < n && expr[i] !== '.' && expr[i] !== '[' && expr[i] !== ']' && expr[i] !== '"' && expr[i] !== ' ') i++;
    if (i === start) fail(`unexpected ${JSON.stringify(expr[i])} at offset ${i}`);
    path.push(expr.slice(start, i));
    expectField = false;
  }
  if (expectField) fail('expression ends with "."');
  return path;
}

/**
 * Finds `path` in the (already validated) JSON text at the cursor and returns its value as label text: strings
 * unescaped, numbers/booleans as written, null as '', objects/arrays as their raw JSON. Null when absent.
 */
export function evalJsonPath(c: JsonCursor, path: JsonPath): string | null {
  c.pos = 0;
  skipWs(c);
  for (let s = 0; s < path.length; s++) {
    const seg = path[s]!;
    const t = c.text;
    if (typeof seg === 'string') {
      if (t.charCodeAt(c.pos) !== 123) return null;
      c.pos++;
      let found = false;
      for (;;) {
        skipWs(c);
        if (t.charCodeAt(c.pos) !== 34) return null; // '}' (not found) or malformed
        const key = scanString(c);
        if (key === null) return null;
        skipWs(c);
        c.pos++; // ':'
        skipWs(c);
        if (key === seg) {
          found = true;
          break;
        }
        if (!skipValue(c, s + 1)) return null;
        skipWs(c);
        if (t.charCodeAt(c.pos) !== 44) return null;
        c.pos++;
      }
      if (!found) return null;
    } else {
      if (t.charCodeAt(c.pos) !== 91) return null;
      c.pos++;
      skipWs(c);
      if (t.charCodeAt(c.pos) === 93) return null;
      for (let idx = 0; idx < seg; idx++) {
        if (!skipValue(c, s + 1)) return null;
        skipWs(c);
        if (t.charCodeAt(c.pos) !== 44) return null;
        c.pos++;
        skipWs(c);
      }
    }
  }
  return scanValueText(c, path.length);
}
