// Inhibition rules, as Alertmanager applies them: an alert matching a rule's target_matchers is muted while another
// firing alert of the same tenant matches its source_matchers and has the same values for every `equal` label
// (a missing label counts as the empty value). An alert never inhibits itself.

import type { Labels } from '../../model/record.ts';
import type { InhibitRule } from './alerting-config.ts';
import { matchesAll } from './label-matchers.ts';

export interface InhibitionSource {
  fingerprint: string;
  labels: Labels;
}

/** Fingerprints of the firing alerts that inhibit `target` (empty when none). */
export function inhibitedBy(rules: InhibitRule[], firing: InhibitionSource[], target: InhibitionSource): string[] {
  const out: string[] = [];
  for (const rule of rules) {
    if (!matchesAll(rule.target, target.labels)) continue;
    for (const src of firing) {
      if (src.fingerprint === target.fingerprint || !matchesAll(rule.source, src.labels)) continue;
      if (rule.equal.every((name) => (src.labels[name] ?? '') === (target.labels[name] ?? ''))) out.push(src.fingerprint);
    }
  }
  return [...new Set(out)];
}
