// `| decolorize`: strips ANSI escape sequences (colours and other terminal controls) from the line: CSI sequences
// (`ESC [ params final`, or the 8-bit 0x9B form), OSC strings (`ESC ] ... BEL` or `ESC ] ... ESC \`) and two-byte
// escapes (`ESC` + one final byte, optionally after intermediates). An incomplete sequence is left as it is.
import type { StageFn } from './stage.ts';

const ESC = 0x1b;
const CSI8 = 0x9b;

/** Length of the escape sequence starting at `i`, or 0 if there is no complete one. */
function sequenceLength(s: string, i: number): number {
  const n = s.length;
  const c = s.charCodeAt(i);
  let p: number;
  if (c === CSI8) p = i + 1;
  else {
    const next = s.charCodeAt(i + 1);
    if (next === 0x5b /* [ */) p = i + 2;
    else if (next === 0x5d /* ] */) {
      for (let q = i + 2; q < n; q++) {
        const ch = s.charCodeAt(q);
        if (ch === 0x07) return q + 1 - i;
        if (ch === ESC && s.charCodeAt(q + 1) === 0x5c) return q + 2 - i;
      }
      return 0;
    } else {
      let q = i + 1;
      while (q < n && s.charCodeAt(q) >= 0x20 && s.charCodeAt(q) <= 0x2f) q++;
      const fin = s.charCodeAt(q);
      if (q < n && fin >= 0x30 && fin <= 0x7e) return q + 1 - i;
      return 0;
    }
  }
  // CSI: parameter bytes 0x30-0x3F, intermediate bytes 0x20-0x2F, final byte 0x40-0x7E.
  while (p < n && s.charCodeAt(p) >= 0x30 && s.charCodeAt(p) <= 0x3f) p++;
  while (p < n && s.charCodeAt(p) >= 0x20 && s.charCodeAt(p) <= 0x2f) p++;
  const fin = s.charCodeAt(p);
  if (p < n && fin >= 0x40 && fin <= 0x7e) return p + 1 - i;
  return 0;
}

export function stripAnsi(s: string): string {
  let i = s.indexOf('\x1b');
  const j = s.indexOf('\x9b');
  if (i < 0 || (j >= 0 && j < i)) i = j;
  if (i < 0) return s;
  let out = s.slice(0, i);
  let last = i;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === ESC || c === CSI8) {
      const len = sequenceLength(s, i);
      if (len > 0) {
        out += s.slice(last, i);
        i += len;
        last = i;
        continue;
      }
    }
    i++;
  }
  return out + s.slice(last);
}

export function compileDecolorize(): StageFn {
  return (row) => {
    row.line = stripAnsi(row.line);
    return true;
  };
}
