// LogQL parse errors, worded like Loki's: `parse error at line 1, col 14: syntax error: unexpected IDENTIFIER, expecting STRING`.
// They carry where (0-based char offset, 1-based line and column) and what was expected there.

/** A place in the query text: `pos` is a 0-based UTF-16 offset, `line` and `column` are 1-based (column counts code points). */
export interface SourcePosition {
  pos: number;
  line: number;
  column: number;
}

export class LogQLParseError extends Error {
  override readonly name = 'LogQLParseError';
  readonly code = 'logql_parse_error';
  /** 0-based char offset of the offending token in the query */
  readonly position: number;
  readonly line: number;
  readonly column: number;
  /** what the parser expected there, e.g. `STRING` or `=, !=, =~ or !~` (empty when nothing specific) */
  readonly expected: string;
  /** the message without its `parse error at line L, col C: ` prefix */
  readonly detail: string;

  constructor(detail: string, at: SourcePosition, expected: string) {
    super(`parse error at line ${at.line}, col ${at.column}: ${detail}`);
    this.position = at.pos;
    this.line = at.line;
    this.column = at.column;
    this.expected = expected;
    this.detail = detail;
  }
}
