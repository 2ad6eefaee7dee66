// Nanosecond timestamps as text in Go's RFC3339Nano layout, UTC: `2024-05-01T12:00:00.123456789Z` with trailing
// zeros of the fraction removed (`…:00.5Z`, `…:00Z`), as Loki and Vector print them.

export function nsToRfc3339(ns: bigint): string {
  let secs = ns / 1_000_000_000n;
  let frac = ns % 1_000_000_000n;
  if (frac < 0n) {
    frac += 1_000_000_000n;
    secs -= 1n;
  }
  const base = new Date(Number(secs) * 1000).toISOString().slice(0, 19);
  if (frac === 0n) return base + 'Z';
  return base + '.' + String(frac).padStart(9, '0').replace(/0+$/, '') + 'Z';
}
