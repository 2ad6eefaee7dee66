// Shown while the query is empty: the labels of the time range and their values, so a first query is two clicks
// (`{service="api"}`) without knowing LogQL.

import { useEffect, useState } from 'preact/hooks';
import { labelNames, labelValues } from '../api/loki-queries.ts';
import { quote } from '../logql/query-edit.ts';

export function LabelBrowser({ fromMs, toMs, onPick }: { fromMs: number; toMs: number; onPick: (query: string) => void }) {
  const [labels, setLabels] = useState<string[] | undefined>();
  const [label, setLabel] = useState<string | undefined>();
  const [values, setValues] = useState<string[] | undefined>();
  const [error, setError] = useState('');

  useEffect(() => {
    labelNames('{}', fromMs, toMs)
      .then(setLabels)
      .catch((e) => setError(e instanceof Error ? e.message : String(e)));
  }, [fromMs, toMs]);
  useEffect(() => {
    if (!label) return;
    setValues(undefined);
    labelValues(label, '{}', fromMs, toMs)
      .then(setValues)
      .catch((e) => setError(e instanceof Error ? e.message : String(e)));
  }, [label]);

  return (
    <section class="label-browser" aria-label="Start from a label">
      <h2>Start from a label</h2>
      <p class="muted">Pick a label and a value to see its lines, or type a LogQL query above (Enter runs it).</p>
      {error && (
        <p class="error-text" role="alert">
          {error}
        </p>
      )}
      {labels?.length === 0 && <p class="muted">No logs in this time range yet.</p>}
      <div class="chips" role="group" aria-label="Labels">
        {labels?.map((l) => (
          <button type="button" key={l} class={l === label ? 'chip on' : 'chip'} aria-pressed={l === label} onClick={() => setLabel(l)}>
            {l}
          </button>
        ))}
      </div>
      {label && (
        <div class="chips" role="group" aria-label={`Values of ${label}`}>
          {!values && <span class="muted">Loading…</span>}
          {values?.map((v) => (
            <button type="button" key={v} class="chip" onClick={() => onPick(`{${label}=${quote(v)}}`)}>
              {v}
            </button>
          ))}
        </div>
      )}
    </section>
  );
}
