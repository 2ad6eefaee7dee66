// Reads a whole CSV file (RFC 4180: comma-separated, `"` quoting with `""` for a quote, quoted fields may span
// lines, CRLF or LF) into rows, each with the line it starts on, for lookup tables and indicator lists.

export interface CsvRow {
  /** 1-based line where the record starts */
  line: number;
  values: string[];
}

export class CsvError extends Error {
  constructor(message: string, readonly line: number) {
    super(message);
  }
}

/** Parses `text` into rows; blank lines are skipped. Throws CsvError (with the line) on an unterminated quote. */
export function parseCsv(text: string, delimiter = ','): CsvRow[] {
  const d = delimiter.charCodeAt(0);
  const rows: CsvRow[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // byte order mark
  let line = 1;
  const n = text.length;
  while (i < n) {
    const startLine = line;
    const values: string[] = [];
    let endOfRecord = false;
    while (!endOfRecord) {
      let value = '';
      if (i < n && text.charCodeAt(i) === 34) {
        // RFC 4180 §2.5–2.7: a quoted field, `""` inside is one quote
        const openLine = line;
        i++;
        for (;;) {
          if (i >= n) throw new CsvError(`unterminated quoted field (opened on line ${openLine})`, openLine);
          const c = text.charCodeAt(i);
          if (c === 34) {
            if (text.charCodeAt(i + 1) === 34) {
              value += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === 10) line++;
          value += text[i];
          i++;
        }
        // anything between the closing quote and the delimiter is kept as written
        while (i < n && text.charCodeAt(i) !== d && text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13) value += text[i++];
      } else {
        const s = i;
        while (i < n && text.charCodeAt(i) !== d && text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13) i++;
        value = text.slice(s, i);
      }
      values.push(value);
      if (i >= n) endOfRecord = true;
      else if (text.charCodeAt(i) === d) i++;
      else {
        if (text.charCodeAt(i) === 13) i++;
        if (i < n && text.charCodeAt(i) === 10) i++;
        line++;
        endOfRecord = true;
      }
    }
    if (values.length === 1 && values[0] === '') continue;
    rows.push({ line: startLine, values });
  }
  return rows;
}
