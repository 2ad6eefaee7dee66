// Decoding the inside of a quoted value with JSON-style backslash escapes (\" \\ \/ \' \b \f \n \r \t \uXXXX), as
// go-logfmt and most key=value writers produce them. Shared by the logfmt and kv parsers.

const SIMPLE: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', "'": "'", b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** The decoded text, or undefined when an escape is invalid. */
export function unquoteEscapes(raw: string): string | undefined {
  let out = '';
  let from = 0;
  let i = raw.indexOf('\\');
  while (i >= 0) {
    out += raw.slice(from, i);
    const e = raw[i + 1];
    if (e === 'u') {
      const hex = raw.slice(i + 2, i + 6);
      if (hex.length !== 4 || !/^[0-9a-fA-F]{4}$/.test(hex)) return undefined;
      out += String.fromCharCode(parseInt(hex, 16));
      from = i + 6;
    } else {
      const s = e === undefined ? undefined : SIMPLE[e];
      if (s === undefined) return undefined;
      out += s;
      from = i + 2;
    }
    i = raw.indexOf('\\', from);
  }
  return out + raw.slice(from);
}
