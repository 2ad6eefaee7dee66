// Times as people read them on the Alerts and Detections pages: "3 min ago" beside the exact local time, which
// goes in the title. RFC 3339 text, nanosecond strings and epoch milliseconds are all accepted.

/** Go's zero time, which the Prometheus rules API sends for "never evaluated". */
const NEVER = /^0001-01-01/;

export function toMs(t: string | number): number | undefined {
  if (typeof t === 'number') return t;
  if (NEVER.test(t)) return undefined;
  if (/^\d{16,20}$/.test(t)) return Number(BigInt(t) / 1_000_000n);
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

export function ago(t: string | number | undefined, nowMs = Date.now()): string {
  const ms = t === undefined ? undefined : toMs(t);
  if (ms === undefined) return 'never';
  const s = Math.round((nowMs - ms) / 1000);
  if (s < 0) return `in ${span(-s)}`;
  if (s < 5) return 'just now';
  return `${span(s)} ago`;
}

function span(s: number): string {
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  if (s < 86_400) return `${Math.round(s / 360) / 10} h`;
  return `${Math.round(s / 8640) / 10} d`;
}

export function exactTime(t: string | number | undefined): string {
  const ms = t === undefined ? undefined : toMs(t);
  return ms === undefined ? '' : new Date(ms).toLocaleString();
}
