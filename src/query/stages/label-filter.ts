// Label filter expressions (`| status >= 400 and method=~"GET|POST"`). String comparisons work like Prometheus
// matchers (regexes fully anchored; a missing label equals ""). Number, duration and bytes comparisons drop a row
// that lacks the label (Loki, grafana/loki#6766) and convert the label otherwise; a value that does not convert sets
// `__error__="LabelFilterErr"` and keeps the row (an earlier error is kept instead: grafana/loki#12378).
import type { CompareOp, LabelFilterExpr, LabelFilterStage, MatchOp } from '../ast.ts';
import type { CompileContext, StageFn, StageRow } from './stage.ts';
import { StageCompileError, hasPipelineError, setPipelineError } from './pipeline-errors.ts';
import { anchoredMatcher } from './re2.ts';
import { parseGoFloat } from './go-number.ts';
import { durationSeconds, parseGoDuration } from './go-duration.ts';
import { parseByteSize } from './byte-size.ts';
import { ipInRange, parseIpPattern } from './ip-match.ts';

type Predicate = (row: StageRow) => boolean;

function compare(op: CompareOp, a: number, b: number): boolean {
  switch (op) {
    case '==': return a === b;
    case '!=': return a !== b;
    case '>': return a > b;
    case '>=': return a >= b;
    case '<': return a < b;
    case '<=': return a <= b;
  }
}

/** A string matcher over a label value (missing label = ""), as used by label filters and drop/keep. */
export function compileValueMatcher(ctx: CompileContext, op: MatchOp, value: string): (v: string) => boolean {
  switch (op) {
    case '=': return (v) => v === value;
    case '!=': return (v) => v !== value;
    case '=~': return anchoredMatcher(ctx, value);
    case '!~': {
      const m = anchoredMatcher(ctx, value);
      return (v) => !m(v);
    }
  }
}

/** A typed comparison: converts the label value, or reports the conversion error text. */
type Converter = (v: string) => number | string;

function typedPredicate(name: string, op: CompareOp, want: number, convert: Converter): Predicate {
  // a converting filter cannot read __error__ (grafana/loki#23902: `| __error__ > 0` matches nothing)
  if (name === '__error__') return () => false;
  return (row) => {
    const labels = row.labels;
    const value = labels.get(name);
    if (value === undefined) return false;
    const got = convert(value);
    if (typeof got === 'string') {
      if (!hasPipelineError(labels)) setPipelineError(labels, 'LabelFilterErr', got);
      return true;
    }
    return compare(op, got, want);
  };
}

function compileExpr(ctx: CompileContext, expr: LabelFilterExpr): Predicate {
  switch (expr.kind) {
    case 'and': {
      // Both sides always run, as in Loki, so a conversion error on the right is recorded even when the left fails.
      const l = compileExpr(ctx, expr.left);
      const r = compileExpr(ctx, expr.right);
      return (row) => {
        const a = l(row);
        const b = r(row);
        return a && b;
      };
    }
    case 'or': {
      const l = compileExpr(ctx, expr.left);
      const r = compileExpr(ctx, expr.right);
      return (row) => l(row) || r(row);
    }
    case 'string': {
      const { name } = expr;
      const m = compileValueMatcher(ctx, expr.op, expr.value);
      return (row) => m(row.labels.get(name) ?? '');
    }
    case 'number':
      return typedPredicate(expr.name, expr.op, expr.value, (v) => {
        const r = parseGoFloat(v);
        return r.ok ? r.value : r.error;
      });
    case 'duration':
      return typedPredicate(expr.name, expr.op, expr.value, (v) => {
        const r = parseGoDuration(v);
        return r.ok ? durationSeconds(r.ns) : r.error;
      });
    case 'bytes':
      return typedPredicate(expr.name, expr.op, expr.value, (v) => {
        const r = parseByteSize(v);
        return r.ok ? r.bytes : r.error;
      });
    case 'ip': {
      const range = parseIpPattern(expr.pattern);
      if (range === null) {
        throw new StageCompileError(ctx, 'invalid_ip_pattern', `invalid ip pattern ${JSON.stringify(expr.pattern)}: expected an address, a range a-b or a CIDR prefix`, expr.pattern);
      }
      const { name } = expr;
      const equal = expr.op === '=';
      return (row) => {
        const labels = row.labels;
        if (hasPipelineError(labels)) return true;
        const v = labels.get(name);
        if (v === undefined) return false;
        return ipInRange(range, v) === equal;
      };
    }
  }
}

export function compileLabelFilter(ctx: CompileContext, stage: LabelFilterStage): StageFn {
  return compileExpr(ctx, stage.expr);
}
