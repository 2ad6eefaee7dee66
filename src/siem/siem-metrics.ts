// The SIEM's counters and gauges for /metrics (Prometheus text format): records evaluated, Sigma matches, detection
// events, alerts by rule, repeats suppressed, records allowed, late events, correlation groups held and evicted at the memory cap.

interface EngineStats {
  stats(): { groups: number; evicted: number; ungrouped: number; buffered: number; late: number; valuesEvicted: number; overflowed: number };
}

export class SiemMetrics {
  recordsEvaluated = 0;
  sigmaMatches = 0;
  detectionEvents = 0;
  suppressed = 0;
  /** records an allow-list kept from being a rule's event */
  allowed = 0;
  duplicates = 0;
  restoredEvents = 0;
  readonly alerts = new Map<string, number>();

  constructor(private readonly engine: EngineStats) {}

  alert(rule: string): void {
    this.alerts.set(rule, (this.alerts.get(rule) ?? 0) + 1);
  }

  render(): string {
    const s = this.engine.stats();
    const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
    const one = (name: string, type: 'counter' | 'gauge', help: string, value: number) => `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name} ${value}\n`;
    let out = '';
    out += one('sightline_siem_records_evaluated_total', 'counter', 'Records that at least one detection rule looked at.', this.recordsEvaluated);
    out += one('sightline_siem_sigma_matches_total', 'counter', 'Records a Sigma detection rule matched.', this.sigmaMatches);
    out += one('sightline_siem_detection_events_total', 'counter', 'Matches handed to correlation rules.', this.detectionEvents);
    out += one('sightline_siem_suppressed_total', 'counter', 'Repeats of an alert folded into it within its suppression window.', this.suppressed);
    out += one('sightline_siem_allowed_total', 'counter', 'Records an allow-list (per rule or global) kept from being a rule\'s event.', this.allowed);
    out += one('sightline_siem_late_events_total', 'counter', 'Events older than the reorder window on arrival (applied in arrival order).', s.late);
    out += one('sightline_siem_ungrouped_events_total', 'counter', 'Events a correlation ignored because a group-by field was missing.', s.ungrouped);
    out += one('sightline_siem_groups', 'gauge', 'Correlation groups held in memory.', s.groups);
    out += one('sightline_siem_groups_evicted_total', 'counter', 'Correlation groups evicted at the per-rule cap (max_groups_per_rule).', s.evicted);
    out += one('sightline_siem_new_values_evicted_total', 'counter', 'Values a new_value rule forgot at its per-group cap (max_values) before their history ran out.', s.valuesEvicted);
    out += one('sightline_siem_reorder_overflow_total', 'counter', 'Events released before the reorder window passed them because the buffer held its cap (1 000 000).', s.overflowed);
    out += one('sightline_siem_reorder_buffered', 'gauge', 'Events waiting in the reorder buffer.', s.buffered);
    out += '# HELP sightline_siem_alerts_total Alerts raised, by rule.\n# TYPE sightline_siem_alerts_total counter\n';
    for (const [rule, n] of this.alerts) out += `sightline_siem_alerts_total{rule="${esc(rule)}"} ${n}\n`;
    return out;
  }
}
