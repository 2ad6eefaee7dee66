// Finds where a text stops being valid JSON (RFC 8259), for error details: V8's JSON.parse messages do not always
// carry a position. Only run after JSON.parse has failed, so it favours clarity over speed.

class Stop {
  constructor(readonly expected: string) {}
}

/** Offset of the first character that makes `text` invalid JSON, and what was expected there. */
export function jsonErrorOffset(text: string): { offset: number; expected: string } {
  let pos = 0;
  const ws = (): void => {
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      pos++;
    }
  };
  const literal = (word: string): void => {
    for (let i = 0; i < word.length; i++, pos++) if (text[pos] !== word[i]) throw new Stop(`"${word}"`);
  };
  const string = (): void => {
    pos++; // opening quote
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c === 0x22) {
        pos++;
        return;
      }
      if (c < 0x20) throw new Stop('no control character inside a string');
      if (c === 0x5c) {
        const e = text[pos + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(pos + 2, pos + 6))) {
            pos += 2;
            throw new Stop('four hex digits after \\u');
          }
          pos += 6;
          continue;
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) {
          pos++;
          throw new Stop('a valid escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)');
        }
        pos += 2;
        continue;
      }
      pos++;
    }
    throw new Stop('a closing quote');
  };
  const number = (): void => {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(pos, pos + 400));
    if (!m) throw new Stop('a number');
    pos += m[0].length;
  };
  const value = (depth: number): void => {
    ws();
    if (pos >= text.length) throw new Stop('a value');
    const c = text[pos];
    if (c === '{') {
      pos++;
      ws();
      if (text[pos] === '}') {
        pos++;
        return;
      }
      for (;;) {
        ws();
        if (text[pos] !== '"') throw new Stop('a quoted property name');
        string();
        ws();
        if (text[pos] !== ':') throw new Stop("':' after the property name");
        pos++;
        value(depth + 1);
        ws();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === '}') {
          pos++;
          return;
        }
        throw new Stop("',' or '}'");
      }
    }
    if (c === '[') {
      pos++;
      ws();
      if (text[pos] === ']') {
        pos++;
        return;
      }
      for (;;) {
        value(depth + 1);
        ws();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === ']') {
          pos++;
          return;
        }
        throw new Stop("',' or ']'");
      }
    }
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    return number();
  };
  try {
    value(0);
    ws();
    if (pos < text.length) return { offset: pos, expected: 'the end of the input' };
    // valid after all (JSON.parse may have failed on depth): point at the end
    return { offset: text.length, expected: 'a shallower document' };
  } catch (e) {
    if (e instanceof Stop) return { offset: Math.min(pos, text.length), expected: e.expected };
    if (e instanceof RangeError) return { offset: pos, expected: 'a shallower document' };
    throw e;
  }
}
