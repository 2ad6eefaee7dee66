// Strict parser of a stream's label set written as text, as Loki's protobuf push carries it: `{app="api", env="prod"}`.
// Only `name="value"` pairs (no matchers); values are Go string literals ("…" with escapes, or `raw`), as in LogQL.

import { isUtf8 } from 'node:buffer';
import type { Labels } from '../model/record.ts';

export type SelectorParse = { ok: true; labels: Labels } | { ok: false; column: number; message: string };

const SIMPLE_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"' };

class SelectorSyntaxError extends Error {
  constructor(readonly index: number, message: string) {
    super(message);
  }
}

/** Parses `{name="value", …}`; a trailing comma and `{}` are accepted, duplicate names are not. Columns are 1-based. */
export function parseStreamSelector(text: string): SelectorParse {
  let i = 0;
  const n = text.length;
  const labels: Labels = {};
  const space = () => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const describe = (at: number) => (at >= n ? 'end of text' : JSON.stringify(text[at]));
  try {
    space();
    if (text[i] !== '{') throw new SelectorSyntaxError(i, `expected "{" but found ${describe(i)}`);
    i++;
    space();
    while (text[i] !== '}') {
      const nameAt = i;
      if (!isNameStart(text.charCodeAt(i))) throw new SelectorSyntaxError(i, `expected a label name or "}" but found ${describe(i)}`);
      while (i < n && isNamePart(text.charCodeAt(i))) i++;
      const name = text.slice(nameAt, i);
      space();
      if (text[i] !== '=') {
        const op = text[i] === '!' || text[i] === '~' ? ' (push labels are name="value" pairs, not matchers)' : '';
        throw new SelectorSyntaxError(i, `expected "=" after label name "${name}" but found ${describe(i)}${op}`);
      }
      i++;
      if (text[i] === '~') throw new SelectorSyntaxError(i, `expected a quoted value for label "${name}" but found "~" (push labels are name="value" pairs, not matchers)`);
      space();
      const value = readString(name);
      if (Object.hasOwn(labels, name)) throw new SelectorSyntaxError(nameAt, `duplicate label name "${name}"`);
      labels[name] = value;
      space();
      if (text[i] === ',') {
        i++;
        space();
      } else if (text[i] !== '}') {
        throw new SelectorSyntaxError(i, `expected "," or "}" after the value of "${name}" but found ${describe(i)}`);
      }
    }
    i++;
    space();
    if (i < n) throw new SelectorSyntaxError(i, `unexpected ${describe(i)} after "}"`);
    return { ok: true, labels };
  } catch (e) {
    if (!(e instanceof SelectorSyntaxError)) throw e;
    return { ok: false, column: e.index + 1, message: e.message };
  }

  function readString(name: string): string {
    const quote = text[i];
    if (quote === '`') {
      const close = text.indexOf('`', i + 1);
      if (close < 0) throw new SelectorSyntaxError(i, `unterminated raw string for label "${name}"`);
      const raw = text.slice(i + 1, close).replaceAll('\r', '');
      i = close + 1;
      return raw;
    }
    if (quote !== '"') throw new SelectorSyntaxError(i, `expected a double-quoted value for label "${name}" but found ${describe(i)}`);
    const open = i;
    i++;
    let out = '';
    let bytes: number[] | undefined; // pending \x / octal escapes, decoded together as UTF-8
    const flush = (at: number) => {
      if (!bytes) return;
      const buf = Buffer.from(bytes);
      if (!isUtf8(buf)) throw new SelectorSyntaxError(at, `byte escapes in the value of "${name}" are not valid UTF-8`);
      out += buf.toString('utf8');
      bytes = undefined;
    };
    for (;;) {
      if (i >= n) throw new SelectorSyntaxError(open, `unterminated string for label "${name}"`);
      const c = text[i];
      if (c === '"') {
        flush(i);
        i++;
        return out;
      }
      if (c === '\n') throw new SelectorSyntaxError(i, `newline inside the quoted value of "${name}"`);
      if (c !== '\\') {
        flush(i);
        out += c;
        i++;
        continue;
      }
      const escAt = i;
      const e = text[i + 1];
      if (e === undefined) throw new SelectorSyntaxError(open, `unterminated string for label "${name}"`);
      if (SIMPLE_ESCAPES[e] !== undefined) {
        flush(escAt);
        out += SIMPLE_ESCAPES[e];
        i += 2;
      } else if (e === 'x') {
        const hex = text.slice(i + 2, i + 4);
        if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new SelectorSyntaxError(escAt, `invalid \\x escape in the value of "${name}"`);
        (bytes ??= []).push(parseInt(hex, 16));
        i += 4;
      } else if (e >= '0' && e <= '7') {
        const oct = text.slice(i + 1, i + 4);
        if (!/^[0-7]{3}$/.test(oct) || parseInt(oct, 8) > 255) throw new SelectorSyntaxError(escAt, `invalid octal escape in the value of "${name}"`);
        (bytes ??= []).push(parseInt(oct, 8));
        i += 4;
      } else if (e === 'u' || e === 'U') {
        const width = e === 'u' ? 4 : 8;
        const hex = text.slice(i + 2, i + 2 + width);
        const cp = hex.length === width && /^[0-9a-fA-F]+$/.test(hex) ? parseInt(hex, 16) : -1;
        if (cp < 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) throw new SelectorSyntaxError(escAt, `invalid \\${e} escape in the value of "${name}"`);
        flush(escAt);
        out += String.fromCodePoint(cp);
        i += 2 + width;
      } else {
        throw new SelectorSyntaxError(escAt, `unknown escape sequence "\\${e}" in the value of "${name}"`);
      }
    }
  }
}

function isNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}

function isNamePart(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57);
}
