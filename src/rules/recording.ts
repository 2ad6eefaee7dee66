// Recording rules' output: each sample becomes one entry of a stream labelled `__name__="<record>"` plus the sample's
// labels and the rule's, in the rule's tenant. The line is the value (Go's %v form, e.g. `0.0523`) and the structured
// metadata field `value` holds it too, so LogQL reads it back with
// `last_over_time({__name__="<record>"} | unwrap value [1m])`. Ingest refuses labels starting with `__`, so nothing
// but the ruler can write these streams.

import { labelsToString, sortLabels, type IngestBatch, type Labels, type StreamEntries } from '../model/record.ts';
import { formatGoFloat } from '../query/stages/go-number.ts';
import type { Sample } from './alert-state.ts';
import type { RecordingRule } from './rule-file.ts';

export const RECORD_NAME_LABEL = '__name__';

/** The batch a recording rule writes at `tNs`; throws on two samples with the same resulting labels, as Prometheus does. */
export function recordedBatch(tenant: string, rule: RecordingRule, groupLabels: Labels, samples: Sample[], tNs: bigint): IngestBatch {
  const streams: StreamEntries[] = [];
  const seen = new Set<string>();
  let bytes = 0;
  for (const s of samples) {
    const labels: Labels = { ...s.labels, ...groupLabels, ...rule.labels, [RECORD_NAME_LABEL]: rule.name };
    const sorted = sortLabels(labels);
    const key = labelsToString(sorted);
    if (seen.has(key)) throw new Error('vector contains metrics with the same labelset after applying rule labels');
    seen.add(key);
    const text = formatGoFloat(s.value);
    streams.push({ labels: sorted, ts: [tNs], lines: [text], metadata: [{ value: text }] });
    bytes += text.length;
  }
  return { tenant, streams, entries: streams.length, bytes };
}
