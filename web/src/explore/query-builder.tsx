// The query builder, for people who don't write LogQL: labels and values (from the label APIs), line filters,
// a parser, field filters and an optional metric. Every change writes the query into the editor; a query typed
// there is read back when it has a shape the builder makes (query-builder-model.ts), else it says "edit as code".

import { useEffect, useRef, useState } from 'preact/hooks';
import { labelNames, labelValues } from '../api/loki-queries.ts';
import { buildQuery, emptyBuilder, FIELD_OPS, LINE_OPS, MATCH_OPS, parseBuilder, type BuilderQuery, type FieldOp, type LineOp, type MatchOp, type MetricFn, type ParserKind } from './query-builder-model.ts';

const RANGES = ['1m', '5m', '15m', '1h', '6h', '1d'];
/** writes remembered while their echoes may still come back from the editor */
const MAX_PENDING_ECHOES = 32;

interface Props {
  query: string;
  onQuery: (q: string) => void;
  fromMs: number;
  toMs: number;
  /** parsed fields of the current results, offered for field filters */
  fields: string[];
}

export function QueryBuilder({ query, onQuery, fromMs, toMs, fields }: Props) {
  const [b, setB] = useState<BuilderQuery | undefined>(() => (query.trim() ? parseBuilder(query) : emptyBuilder()));
  /**
   * The texts this builder wrote since the query last came from elsewhere: the editor echoing any of them back (echoes
   * can arrive late, after newer writes) is not a new query. Reading a late echo back would drop rows the newer state
   * holds but the text leaves out (a numeric field filter still without its value).
   */
  const written = useRef<string[]>([query]);
  const [labels, setLabels] = useState<string[]>([]);
  const [values, setValues] = useState<Record<string, string[]>>({});

  useEffect(() => {
    // echoes come in order, and one text may have been written twice (`| logfmt`, then a filter, then `| logfmt`
    // again): the oldest match is the echo arriving; the writes before it will not come back
    const echoed = written.current.indexOf(query);
    if (echoed >= 0) {
      written.current = written.current.slice(echoed);
      return;
    }
    written.current = [query];
    setB(query.trim() ? parseBuilder(query) : emptyBuilder());
  }, [query]);
  const write = (text: string) => {
    written.current = [...written.current.slice(-(MAX_PENDING_ECHOES - 1)), text];
    onQuery(text);
  };

  useEffect(() => {
    labelNames('{}', fromMs, toMs).then(setLabels, () => setLabels([]));
  }, [fromMs, toMs]);
  const wanted = (b?.matchers ?? []).map((m) => m.label).filter((l) => l && !values[l]);
  useEffect(() => {
    for (const l of wanted) labelValues(l, '{}', fromMs, toMs).then((v) => setValues((prev) => ({ ...prev, [l]: v })), () => undefined);
  }, [wanted.join(',')]);

  if (!b)
    return (
      <section class="query-builder" aria-label="Query builder">
        <p class="muted">
          This query uses LogQL the builder does not make: edit it as code.{' '}
          <button
            type="button"
            onClick={() => {
              const fresh = emptyBuilder();
              setB(fresh);
              write(buildQuery(fresh));
            }}
          >
            Start over in the builder
          </button>
        </p>
      </section>
    );

  const update = (next: BuilderQuery) => {
    setB(next);
    write(buildQuery(next));
  };
  const set = <K extends keyof BuilderQuery>(key: K, value: BuilderQuery[K]) => update({ ...b, [key]: value });
  const replaceAt = <T,>(list: T[], i: number, item: T) => list.map((x, j) => (j === i ? item : x));
  const val = (e: Event) => (e.target as HTMLInputElement | HTMLSelectElement).value;

  return (
    <section class="query-builder" aria-label="Query builder">
      <datalist id="qb-fields">
        {fields.map((f) => (
          <option key={f} value={f} />
        ))}
      </datalist>
      <div class="qb-row">
        <span class="qb-title">Labels</span>
        {b.matchers.map((m, i) => (
          <span class="qb-item" key={i}>
            <select aria-label={`Label ${i + 1}`} value={m.label} onChange={(e) => set('matchers', replaceAt(b.matchers, i, { ...m, label: val(e), value: '' }))}>
              <option value="">label…</option>
              {[...new Set([...labels, m.label])].filter(Boolean).map((l) => (
                <option key={l} value={l}>
                  {l}
                </option>
              ))}
            </select>
            <select aria-label={`Label ${i + 1} operator`} value={m.op} onChange={(e) => set('matchers', replaceAt(b.matchers, i, { ...m, op: val(e) as MatchOp }))}>
              {MATCH_OPS.map((o) => (
                <option key={o} value={o}>
                  {o}
                </option>
              ))}
            </select>
            {m.op === '=' || m.op === '!=' ? (
              <select aria-label={`Label ${i + 1} value`} value={m.value} onChange={(e) => set('matchers', replaceAt(b.matchers, i, { ...m, value: val(e) }))}>
                <option value="">value…</option>
                {[...new Set([...(values[m.label] ?? []), m.value])].filter(Boolean).map((v) => (
                  <option key={v} value={v}>
                    {v}
                  </option>
                ))}
              </select>
            ) : (
              <input aria-label={`Label ${i + 1} value`} placeholder="regex" value={m.value} onInput={(e) => set('matchers', replaceAt(b.matchers, i, { ...m, value: val(e) }))} />
            )}
            <button type="button" class="icon" aria-label={`Remove label ${i + 1}`} onClick={() => set('matchers', b.matchers.filter((_, j) => j !== i))}>
              ×
            </button>
          </span>
        ))}
        <button type="button" onClick={() => set('matchers', [...b.matchers, { label: '', op: '=', value: '' }])}>
          + Label
        </button>
      </div>
      <div class="qb-row">
        <span class="qb-title">Line</span>
        {b.lineFilters.map((f, i) => (
          <span class="qb-item" key={i}>
            <select aria-label={`Line filter ${i + 1} operator`} value={f.op} onChange={(e) => set('lineFilters', replaceAt(b.lineFilters, i, { ...f, op: val(e) as LineOp }))}>
              {LINE_OPS.map((o) => (
                <option key={o.op} value={o.op}>
                  {o.name}
                </option>
              ))}
            </select>
            <input aria-label={`Line filter ${i + 1} text`} value={f.value} onInput={(e) => set('lineFilters', replaceAt(b.lineFilters, i, { ...f, value: val(e) }))} />
            <button type="button" class="icon" aria-label={`Remove line filter ${i + 1}`} onClick={() => set('lineFilters', b.lineFilters.filter((_, j) => j !== i))}>
              ×
            </button>
          </span>
        ))}
        <button type="button" onClick={() => set('lineFilters', [...b.lineFilters, { op: '|=', value: '' }])}>
          + Line filter
        </button>
      </div>
      <div class="qb-row">
        <label class="qb-title" for="qb-parser">
          Parser
        </label>
        <select id="qb-parser" value={b.parser} onChange={(e) => set('parser', val(e) as ParserKind)}>
          <option value="none">none</option>
          <option value="json">json</option>
          <option value="logfmt">logfmt</option>
          <option value="pattern">pattern</option>
        </select>
        {b.parser === 'pattern' && <input aria-label="Pattern" placeholder='<ip> - - [<_>] "<method> <path> <_>"' size={40} value={b.pattern} onInput={(e) => set('pattern', val(e))} />}
        <span class="qb-title">Fields</span>
        {b.fieldFilters.map((f, i) => (
          <span class="qb-item" key={i}>
            <input aria-label={`Field filter ${i + 1} field`} list="qb-fields" size={12} placeholder="field" value={f.field} onInput={(e) => set('fieldFilters', replaceAt(b.fieldFilters, i, { ...f, field: val(e) }))} />
            <select aria-label={`Field filter ${i + 1} operator`} value={f.op} onChange={(e) => set('fieldFilters', replaceAt(b.fieldFilters, i, { ...f, op: val(e) as FieldOp }))}>
              {FIELD_OPS.map((o) => (
                <option key={o} value={o}>
                  {o}
                </option>
              ))}
            </select>
            <input aria-label={`Field filter ${i + 1} value`} size={10} value={f.value} onInput={(e) => set('fieldFilters', replaceAt(b.fieldFilters, i, { ...f, value: val(e) }))} />
            <button type="button" class="icon" aria-label={`Remove field filter ${i + 1}`} onClick={() => set('fieldFilters', b.fieldFilters.filter((_, j) => j !== i))}>
              ×
            </button>
          </span>
        ))}
        <button type="button" onClick={() => set('fieldFilters', [...b.fieldFilters, { field: '', op: '=', value: '' }])}>
          + Field filter
        </button>
      </div>
      <div class="qb-row">
        <label class="qb-title" for="qb-metric">
          Metric
        </label>
        <select id="qb-metric" value={b.metric?.fn ?? ''} onChange={(e) => set('metric', val(e) ? { fn: val(e) as MetricFn, range: b.metric?.range ?? '5m', by: b.metric?.by ?? [] } : undefined)}>
          <option value="">none: show lines</option>
          <option value="rate">rate (lines per second)</option>
          <option value="count_over_time">count_over_time</option>
        </select>
        {b.metric && (
          <>
            <select aria-label="Metric range" value={b.metric.range} onChange={(e) => set('metric', { ...b.metric!, range: val(e) })}>
              {[...new Set([...RANGES, b.metric.range])].map((r) => (
                <option key={r} value={r}>
                  over {r}
                </option>
              ))}
            </select>
            <SumBy by={b.metric.by} onBy={(by) => set('metric', { ...b.metric!, by })} />
          </>
        )}
      </div>
    </section>
  );
}

/** The `sum by` labels as typed (`service, le`): kept as text while typing, so a trailing comma is not lost. */
function SumBy({ by, onBy }: { by: string[]; onBy: (by: string[]) => void }) {
  const [text, setText] = useState(by.join(', '));
  useEffect(() => {
    if (splitNames(text).join(',') !== by.join(',')) setText(by.join(', '));
  }, [by.join(',')]);
  return (
    <label>
      sum by{' '}
      <input
        aria-label="Sum by labels"
        placeholder="service, level"
        size={18}
        value={text}
        onInput={(e) => {
          const t = (e.target as HTMLInputElement).value;
          setText(t);
          onBy(splitNames(t));
        }}
      />
    </label>
  );
}

function splitNames(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
