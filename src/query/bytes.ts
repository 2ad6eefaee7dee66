// Humanized byte sizes as Loki's bytes() conversion reads them (go-humanize ParseBytes): `20MB`, `1.5KiB`, `10b`, `42 mb`, `1,024`.
// Units are case-insensitive; k/m/g/t/p/e (with or without `b`) are powers of 1000, ki/mi/... (with or without `b`) powers of 1024.

const MULTIPLIERS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 1e3, kb: 1e3, ki: 1024, kib: 1024,
  m: 1e6, mb: 1e6, mi: 1024 ** 2, mib: 1024 ** 2,
  g: 1e9, gb: 1e9, gi: 1024 ** 3, gib: 1024 ** 3,
  t: 1e12, tb: 1e12, ti: 1024 ** 4, tib: 1024 ** 4,
  p: 1e15, pb: 1e15, pi: 1024 ** 5, pib: 1024 ** 5,
  e: 1e18, eb: 1e18, ei: 1024 ** 6, eib: 1024 ** 6,
};

/** Units accepted in byte-size literals inside a query (`size > 20MB`): a `b` must be present so `1m` stays a duration. */
export const BYTES_LITERAL_UNITS: ReadonlySet<string> = new Set(
  ['b', 'kb', 'kib', 'mb', 'mib', 'gb', 'gib', 'tb', 'tib', 'pb', 'pib', 'eb', 'eib'],
);

const MAX_UINT64 = 2 ** 64;

/** Parses a humanized byte size to a whole number of bytes (fractions truncated), or returns undefined. */
export function tryParseBytes(s: string): number | undefined {
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if ((c >= '0' && c <= '9') || c === '.' || c === ',') i++;
    else break;
  }
  const digits = s.slice(0, i).replaceAll(',', '');
  if (!/^(\d+\.?\d*|\.\d+)$/.test(digits)) return undefined;
  const multiplier = MULTIPLIERS[s.slice(i).trim().toLowerCase()];
  if (multiplier === undefined) return undefined;
  const bytes = Number(digits) * multiplier;
  if (bytes >= MAX_UINT64) return undefined; // too large for the uint64 Loki keeps
  return Math.trunc(bytes);
}

/** Parses a humanized byte size (`20MB`, `1.5KiB`, `10b`) to bytes; throws on anything else. */
export function parseBytes(s: string): number {
  const bytes = tryParseBytes(s);
  if (bytes === undefined) throw new Error(`invalid bytes value "${s}"`);
  return bytes;
}
