// Links from the Alerts and Detections pages into Explore: a rule's expression, or the minutes around an event.

/** Explore with `query` over `[fromMs, toMs]` (default: Explore's own range), as `tenant`. */
export function exploreHref(query: string, tenant: string, range?: { fromMs: number; toMs: number }): string {
  const p = new URLSearchParams({ q: query });
  if (range) {
    p.set('from', String(Math.floor(range.fromMs)));
    p.set('to', String(Math.ceil(range.toMs)));
  }
  if (tenant) p.set('org', tenant);
  return `/ui/explore?${p}`;
}

/** The stream selector for a label set: `{a="1", b="2"}` with LogQL string escapes. */
export function selectorOf(labels: Record<string, string>): string {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return `{${parts.join(', ')}}`;
}
