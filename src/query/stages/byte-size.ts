// Humanized byte sizes as go-humanize's ParseBytes reads them (`42`, `42MB`, `1.5 KiB`, `20b`; case-insensitive;
// SI units are powers of 1000, IEC units of 1024; commas in the number are ignored). Used by bytes label filters.

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1e3, kb: 1e3, ki: 2 ** 10, kib: 2 ** 10,
  m: 1e6, mb: 1e6, mi: 2 ** 20, mib: 2 ** 20,
  g: 1e9, gb: 1e9, gi: 2 ** 30, gib: 2 ** 30,
  t: 1e12, tb: 1e12, ti: 2 ** 40, tib: 2 ** 40,
  p: 1e15, pb: 1e15, pi: 2 ** 50, pib: 2 ** 50,
  e: 1e18, eb: 1e18, ei: 2 ** 60, eib: 2 ** 60,
};

const MAX_UINT64 = 18446744073709551615;

export type BytesResult = { ok: true; bytes: number } | { ok: false; error: string };

export function parseByteSize(s: string): BytesResult {
  let end = 0;
  while (end < s.length) {
    const c = s.charCodeAt(end);
    if (!((c >= 48 && c <= 57) || c === 46 || c === 44)) break;
    end++;
  }
  const num = s.slice(0, end).replaceAll(',', '');
  if (!/^(?:\d+\.?\d*|\.\d+)$/.test(num)) {
    return { ok: false, error: `strconv.ParseFloat: parsing ${JSON.stringify(num)}: invalid syntax` };
  }
  const f = Number(num);
  const unitName = s.slice(end).trim().toLowerCase();
  const unit = UNITS[unitName];
  if (unit === undefined) return { ok: false, error: `unhandled size name: ${unitName}` };
  const v = f * unit;
  if (v >= MAX_UINT64) return { ok: false, error: `too large: ${s}` };
  return { ok: true, bytes: Math.trunc(v) };
}
