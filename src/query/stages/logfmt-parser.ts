// `| logfmt [--strict] [--keep-empty] [params]`: extracts `key=value` pairs (bare or double-quoted values with
// escapes), following the go-logfmt grammar Loki uses. Default mode skips malformed pairs and keeps scanning;
// `--strict` stops at the first malformed pair and sets `__error__="LogfmtParserErr"` (pairs before it are kept).
// Standalone keys and empty values are dropped unless `--keep-empty` is set or the key is requested as a parameter.
import type { LogfmtParserStage } from '../ast.ts';
import type { CompileContext, StageFn } from './stage.ts';
import { StageCompileError, setPipelineError } from './pipeline-errors.ts';
import { addParsedLabel, labelNameProblem, sanitizeLabelKey } from './extracted-labels.ts';

/** Result of scanning one pair; reused across calls. */
export interface LogfmtToken {
  /** 'pair' (key with `=`), 'key' (standalone key), 'error' or 'end'. */
  kind: 'pair' | 'key' | 'error' | 'end';
  key: string;
  value: string;
  /** 1-based position of the error, as go-logfmt reports it. */
  errorPos: number;
  error: string;
}

export function newLogfmtToken(): LogfmtToken {
  return { kind: 'end', key: '', value: '', errorPos: 0, error: '' };
}

function unexpected(tok: LogfmtToken, line: string, pos: number): number {
  tok.kind = 'error';
  tok.errorPos = pos + 1;
  tok.error = `unexpected '${line[pos]}'`;
  return pos;
}

function hex4(s: string, at: number): number {
  if (at + 4 > s.length) return -1;
  const v = Number.parseInt(s.slice(at, at + 4), 16);
  return /^[0-9a-fA-F]{4}$/.test(s.slice(at, at + 4)) ? v : -1;
}

/** Decodes the escapes of a quoted value body (JSON string escapes); null if one is invalid. */
function unquote(body: string): string | null {
  let out = '';
  let i = 0;
  while (i < body.length) {
    const bs = body.indexOf('\\', i);
    if (bs < 0) {
      out += body.slice(i);
      break;
    }
    out += body.slice(i, bs);
    const e = body[bs + 1];
    i = bs + 2;
    switch (e) {
      case '"': out += '"'; break;
      case '\\': out += '\\'; break;
      case '/': out += '/'; break;
      case "'": out += "'"; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'u': {
        const code = hex4(body, i);
        if (code < 0) return null;
        out += String.fromCharCode(code);
        i += 4;
        break;
      }
      default:
        return null;
    }
  }
  return out;
}

/** Scans the next key/value starting at `pos`; returns the position after it (or of the error). */
export function scanLogfmt(line: string, pos: number, tok: LogfmtToken): number {
  const n = line.length;
  let p = pos;
  while (p < n && line.charCodeAt(p) <= 32) p++;
  if (p >= n) {
    tok.kind = 'end';
    return n;
  }
  const start = p;
  for (;;) {
    if (p >= n) {
      tok.kind = 'key';
      tok.key = line.slice(start, p);
      return p;
    }
    const c = line.charCodeAt(p);
    if (c === 61 /* = */) {
      if (p === start) return unexpected(tok, line, p);
      break;
    }
    if (c === 34 /* " */) return unexpected(tok, line, p);
    if (c <= 32) {
      tok.kind = 'key';
      tok.key = line.slice(start, p);
      return p;
    }
    p++;
  }
  tok.key = line.slice(start, p);
  tok.kind = 'pair';
  p++; // past '='
  if (p >= n || line.charCodeAt(p) <= 32) {
    tok.value = '';
    return p;
  }
  if (line.charCodeAt(p) === 34) {
    let hasEsc = false;
    let q = p + 1;
    for (; q < n; q++) {
      const c = line.charCodeAt(q);
      if (c === 92) {
        hasEsc = true;
        q++;
        continue;
      }
      if (c === 34) break;
    }
    if (q >= n) {
      tok.kind = 'error';
      tok.errorPos = n + 1;
      tok.error = 'unterminated quoted value';
      return n;
    }
    const body = line.slice(p + 1, q);
    if (hasEsc) {
      const v = unquote(body);
      if (v === null) {
        tok.kind = 'error';
        tok.errorPos = q + 2;
        tok.error = 'invalid quoted value';
        return q + 1;
      }
      tok.value = v;
    } else tok.value = body;
    return q + 1;
  }
  const vstart = p;
  for (; p < n; p++) {
    const c = line.charCodeAt(p);
    if (c === 61 || c === 34) return unexpected(tok, line, p);
    if (c <= 32) break;
  }
  tok.value = line.slice(vstart, p);
  return p;
}

export function compileLogfmtParser(ctx: CompileContext, stage: LogfmtParserStage): StageFn {
  const state = ctx.state;
  const tok = newLogfmtToken();
  const seen = new Set<string>();
  const { strict, keepEmpty } = stage;

  // Parameter mode: raw logfmt key -> label names to fill.
  let wanted: Map<string, string[]> | null = null;
  if (stage.params.length > 0) {
    wanted = new Map();
    const declared = new Set<string>();
    for (const p of stage.params) {
      const problem = labelNameProblem(p.label);
      if (problem !== null) throw new StageCompileError(ctx, 'invalid_label_name', problem, p.label);
      if (declared.has(p.label)) {
        throw new StageCompileError(ctx, 'duplicate_label', `label ${JSON.stringify(p.label)} extracted twice`, p.label);
      }
      declared.add(p.label);
      const key = p.key.length > 0 ? p.key : p.label;
      const list = wanted.get(key);
      if (list) list.push(p.label);
      else wanted.set(key, [p.label]);
    }
  }

  return (row) => {
    const line = row.line;
    const labels = row.labels;
    seen.clear();
    let pos = 0;
    for (;;) {
      pos = scanLogfmt(line, pos, tok);
      if (tok.kind === 'end') break;
      if (tok.kind === 'error') {
        if (strict) {
          setPipelineError(labels, 'LogfmtParserErr', `logfmt syntax error at pos ${tok.errorPos} : ${tok.error}`);
          return true;
        }
        // Skip the rest of the malformed token and carry on with the next one.
        while (pos < line.length && line.charCodeAt(pos) > 32) pos++;
        continue;
      }
      const value = tok.kind === 'pair' ? tok.value : '';
      if (wanted !== null) {
        const names = wanted.get(tok.key);
        if (names !== undefined) for (const name of names) addParsedLabel(state, seen, labels, name, value);
        continue;
      }
      if (value.length === 0 && !keepEmpty) continue;
      addParsedLabel(state, seen, labels, sanitizeLabelKey(tok.key, true), value);
    }
    return true;
  };
}
