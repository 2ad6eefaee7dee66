// Counters of the pipelines, per pipeline and per processor, kept across reloads (they are keyed by name) and
// rendered in the Prometheus text format for /metrics. `dropped` counts events a stage took in and did not give
// back in the same call: dropped, merged into another event (multiline, dedupe), or held for later.

export interface StageCounters {
  in: number;
  out: number;
  dropped: number;
  /** calls that threw (the events were passed on unchanged and marked) */
  errors: number;
}

interface Labelled {
  labels: Record<string, string>;
  counters: StageCounters;
}

function escape(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labelText(labels: Record<string, string>): string {
  const keys = Object.keys(labels);
  return keys.length === 0 ? '' : '{' + keys.map((k) => `${k}="${escape(labels[k])}"`).join(',') + '}';
}

export class PipelineMetrics {
  private readonly pipelines = new Map<string, Labelled>();
  private readonly processors = new Map<string, Labelled>();
  /** events delivered per output (`store`, `archive`, `alert`) or dropped (`drop`) */
  readonly outputs = new Map<string, number>();
  readonly reloads = { success: 0, failure: 0 };

  pipeline(name: string): StageCounters {
    let p = this.pipelines.get(name);
    if (!p) this.pipelines.set(name, (p = { labels: { pipeline: name }, counters: { in: 0, out: 0, dropped: 0, errors: 0 } }));
    return p.counters;
  }

  processor(pipeline: string, name: string, type: string): StageCounters {
    const key = `${pipeline}\u0000${name}\u0000${type}`;
    let p = this.processors.get(key);
    if (!p) this.processors.set(key, (p = { labels: { pipeline, processor: name, type }, counters: { in: 0, out: 0, dropped: 0, errors: 0 } }));
    return p.counters;
  }

  countOutput(output: string, n: number): void {
    if (n > 0) this.outputs.set(output, (this.outputs.get(output) ?? 0) + n);
  }

  render(): string {
    let out = '';
    const family = (name: string, help: string, rows: Iterable<Labelled>, pick: (c: StageCounters) => number) => {
      out += `# HELP ${name} ${help}\n# TYPE ${name} counter\n`;
      for (const r of rows) out += `${name}${labelText(r.labels)} ${pick(r.counters)}\n`;
    };
    family('sightline_pipeline_events_in_total', 'Events that entered a pipeline.', this.pipelines.values(), (c) => c.in);
    family('sightline_pipeline_events_out_total', 'Events that left a pipeline.', this.pipelines.values(), (c) => c.out);
    family('sightline_pipeline_events_dropped_total', 'Events a pipeline dropped, merged or holds.', this.pipelines.values(), (c) => c.dropped);
    family('sightline_pipeline_processor_events_in_total', 'Events given to a processor.', this.processors.values(), (c) => c.in);
    family('sightline_pipeline_processor_events_out_total', 'Events a processor gave back (including held events released later).', this.processors.values(), (c) => c.out);
    family('sightline_pipeline_processor_events_dropped_total', 'Events a processor dropped, merged or holds.', this.processors.values(), (c) => c.dropped);
    family('sightline_pipeline_processor_errors_total', 'Processor calls that failed (their events were passed on, marked with pipeline_error).', this.processors.values(), (c) => c.errors);
    out += '# HELP sightline_pipeline_output_events_total Events delivered per output after the pipelines (drop: routed nowhere).\n# TYPE sightline_pipeline_output_events_total counter\n';
    for (const [o, n] of this.outputs) out += `sightline_pipeline_output_events_total{output="${escape(o)}"} ${n}\n`;
    out += '# HELP sightline_pipeline_reloads_total Reloads of the pipelines file, by result.\n# TYPE sightline_pipeline_reloads_total counter\n';
    out += `sightline_pipeline_reloads_total{result="success"} ${this.reloads.success}\nsightline_pipeline_reloads_total{result="failure"} ${this.reloads.failure}\n`;
    return out;
  }
}
