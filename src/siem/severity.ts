// Alert severity on Sigma's scale (informational, low, medium, high, critical): native rules may write it in any case
// (the guide's `HIGH`), incidents take the highest of their alerts.

export const SEVERITIES = ['informational', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

const ALIASES: Record<string, Severity> = { info: 'informational', informational: 'informational', low: 'low', medium: 'medium', moderate: 'medium', high: 'high', critical: 'critical' };

export function parseSeverity(text: string): Severity | undefined {
  return ALIASES[text.trim().toLowerCase()];
}

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

export function maxSeverity(a: Severity, b: Severity): Severity {
  return severityRank(a) >= severityRank(b) ? a : b;
}
