// `csv`: splits one delimited record per event (RFC 4180 quoting: a quoted field may hold delimiters, `""` is a quote)
// into named fields. Column names come from `columns`, or from each stream's first line with `header: read`; surplus
// values are named `column<N>`. A bad quote marks the event `CSVParserErr` with the offset.

import type { ConfigNode } from '../../config/config-node.ts';
import type { PipelineEvent } from '../event.ts';
import { consumeSource, describeOffset, markError, PARSER_KEYS, readParserIO, sourceText, type ParserIO } from '../parser-io.ts';
import { COMMON_PROCESSOR_KEYS, type Processor, type ProcessorType } from '../processor.ts';
import { StreamKeys } from '../stream-key.ts';

export const CSV_PARSER_ERROR = 'CSVParserErr';

type HeaderMode = 'none' | 'skip' | 'read';

interface CsvConfig {
  io: ParserIO;
  columns: string[];
  delimiter: number;
  quote: number;
  quoteText: string;
  header: HeaderMode;
  trim: boolean;
  /** a record whose value count differs from the columns is an error */
  strictColumns: boolean;
}

/** Splits `text` into `out`; returns the value count, or -(offset + 1) of the quoting problem (message in `problem`). */
function splitRecord(text: string, cfg: CsvConfig, out: string[], problem: { message: string }): number {
  const n = text.length;
  const d = cfg.delimiter;
  const q = cfg.quote;
  let count = 0;
  let pos = 0;
  for (;;) {
    let start = pos;
    if (cfg.trim) while (start < n && (text.charCodeAt(start) === 0x20 || text.charCodeAt(start) === 0x09)) start++;
    if (start < n && text.charCodeAt(start) === q) {
      // RFC 4180 §2.6–2.7: quoted field, a doubled quote stands for one
      let value = '';
      let from = start + 1;
      let i = from;
      for (;;) {
        i = text.indexOf(cfg.quoteText, i);
        if (i < 0) {
          problem.message = 'unterminated quoted value';
          return -(start + 1);
        }
        if (text.charCodeAt(i + 1) === q) {
          value += text.slice(from, i + 1);
          i += 2;
          from = i;
          continue;
        }
        break;
      }
      value += text.slice(from, i);
      pos = i + 1;
      if (cfg.trim) while (pos < n && (text.charCodeAt(pos) === 0x20 || text.charCodeAt(pos) === 0x09)) pos++;
      if (pos < n && text.charCodeAt(pos) !== d) {
        problem.message = 'expected a delimiter after the closing quote';
        return -(pos + 1);
      }
      out[count++] = value;
    } else {
      let i = start;
      while (i < n && text.charCodeAt(i) !== d) {
        if (text.charCodeAt(i) === q) {
          problem.message = 'quote inside an unquoted value (quote the whole value and double the quote)';
          return -(i + 1);
        }
        i++;
      }
      out[count++] = cfg.trim ? text.slice(start, i).trimEnd() : text.slice(start, i);
      pos = i;
    }
    if (pos >= n) return count;
    pos++; // delimiter
  }
}

class CsvParser implements Processor {
  private readonly values: string[] = [];
  private readonly problem = { message: '' };
  /** header mode `read`: column names per stream */
  private readonly headers = new Map<string, string[]>();
  private readonly streamKeys = new StreamKeys();
  constructor(private readonly cfg: CsvConfig) {}

  process(events: PipelineEvent[]): PipelineEvent[] {
    const cfg = this.cfg;
    let out: PipelineEvent[] | undefined; // only allocated once a header line is dropped
    for (let i = 0; i < events.length; i++) {
      const ev = events[i];
      const text = sourceText(ev, cfg.io);
      if (text === undefined) {
        out?.push(ev);
        continue;
      }
      const count = splitRecord(text, cfg, this.values, this.problem);
      if (count < 0) {
        markError(ev, CSV_PARSER_ERROR, `${this.problem.message} ${describeOffset(text, -count - 1)}`);
        out?.push(ev);
        continue;
      }
      let columns = cfg.columns;
      if (cfg.header !== 'none') {
        let isHeader = false;
        if (cfg.header === 'read') {
          const key = this.streamKeys.key(ev);
          const known = this.headers.get(key);
          if (known === undefined) {
            if (this.headers.size >= 10_000) this.headers.clear();
            this.headers.set(key, this.values.slice(0, count));
            isHeader = true;
          } else columns = known;
        } else isHeader = count === columns.length && columns.every((c, k) => c === this.values[k]);
        if (isHeader) {
          if (out === undefined) out = events.slice(0, i);
          continue;
        }
      }
      if (cfg.strictColumns && count !== columns.length) {
        markError(ev, CSV_PARSER_ERROR, `${count} values, expected ${columns.length} (${columns.join(', ')})`);
        out?.push(ev);
        continue;
      }
      consumeSource(ev, cfg.io);
      const prefix = cfg.io.prefix;
      for (let k = 0; k < count; k++) ev.fields[prefix + (k < columns.length ? columns[k] : `column${k + 1}`)] = this.values[k];
      out?.push(ev);
    }
    return out ?? events;
  }
}

function singleChar(node: ConfigNode, fallback: string): number {
  let s = node.string(fallback);
  if (s === '\\t') s = '\t';
  if (s.length !== 1) node.fail(`expected a single character, got ${JSON.stringify(s)}`);
  return s.charCodeAt(0);
}

export const csvProcessor: ProcessorType = {
  type: 'csv',
  description: 'split a delimited (CSV/TSV) record into named fields',
  build(node: ConfigNode): Processor {
    node.onlyKeys([...COMMON_PROCESSOR_KEYS, ...PARSER_KEYS, 'columns', 'delimiter', 'quote', 'header', 'trim', 'strict_columns']);
    const header = node.get('header').oneOf(['none', 'skip', 'read'] as const, 'none');
    if (header === 'read' && node.get('columns').exists) node.get('columns').fail('expected no columns with `header: read` (the first line of each stream names them)');
    const columns = header === 'read' ? [] : node.get('columns').stringList();
    if (header !== 'read' && columns.length === 0) node.get('columns').fail('expected at least one column name');
    const delimiter = singleChar(node.get('delimiter'), ',');
    const quote = singleChar(node.get('quote'), '"');
    if (delimiter === quote) node.get('quote').fail('expected a quote character different from the delimiter');
    return new CsvParser({
      io: readParserIO(node),
      columns,
      delimiter,
      quote,
      quoteText: String.fromCharCode(quote),
      header,
      trim: node.get('trim').boolean(false),
      strictColumns: node.get('strict_columns').boolean(false),
    });
  },
};
