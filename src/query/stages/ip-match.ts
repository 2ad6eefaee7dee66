// IP matching for `label = ip("<pattern>")` (Loki "Matching IP addresses"): a pattern is a single address, an
// inclusive range `a-b`, or a CIDR prefix `addr/bits`, IPv4 or IPv6. Addresses parse like Go's netip (no leading
// zeros in IPv4 parts, `::` compression, embedded IPv4 in IPv6); IPv4 and IPv6 never match each other.

/** 16 bytes; IPv4 addresses use the first 4. */
export interface IpAddr {
  v6: boolean;
  bytes: Uint8Array;
}

export function parseIPv4(s: string, out: Uint8Array, at: number): boolean {
  const parts = s.split('.');
  if (parts.length !== 4) return false;
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (p.length === 0 || p.length > 3 || !/^\d+$/.test(p)) return false;
    if (p.length > 1 && p[0] === '0') return false;
    const v = Number(p);
    if (v > 255) return false;
    out[at + i] = v;
  }
  return true;
}

function parseIPv6(s: string, out: Uint8Array): boolean {
  if (s.includes('%')) return false; // zones never fall inside a prefix or range
  const dbl = s.indexOf('::');
  if (dbl >= 0 && s.indexOf('::', dbl + 1) >= 0) return false;
  const head = dbl >= 0 ? s.slice(0, dbl) : s;
  const tail = dbl >= 0 ? s.slice(dbl + 2) : '';
  const groups = (text: string): number[] | null => {
    if (text.length === 0) return [];
    const res: number[] = [];
    const parts = text.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = new Uint8Array(4);
        if (!parseIPv4(p, v4, 0)) return null;
        res.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return null;
      res.push(Number.parseInt(p, 16));
    }
    return res;
  };
  const h = groups(head);
  const t = groups(tail);
  if (h === null || t === null) return false;
  if (dbl >= 0) {
    if (h.length + t.length > 7) return false;
  } else if (h.length !== 8) return false;
  const all = dbl >= 0 ? [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t] : h;
  for (let i = 0; i < 8; i++) {
    out[2 * i] = all[i]! >> 8;
    out[2 * i + 1] = all[i]! & 0xff;
  }
  return true;
}

/** Parses `s` into `out` (reusing its buffer); false when `s` is not an address. */
export function parseIpInto(s: string, out: IpAddr): boolean {
  if (s.length === 0 || s.length > 64) return false;
  out.bytes.fill(0);
  out.v6 = s.includes(':');
  return out.v6 ? parseIPv6(s, out.bytes) : parseIPv4(s, out.bytes, 0);
}

export function parseIp(s: string): IpAddr | null {
  const out: IpAddr = { v6: false, bytes: new Uint8Array(16) };
  return parseIpInto(s, out) ? out : null;
}

function compareIp(a: IpAddr, b: IpAddr): number {
  const n = a.v6 ? 16 : 4;
  for (let i = 0; i < n; i++) {
    const d = a.bytes[i]! - b.bytes[i]!;
    if (d !== 0) return d;
  }
  return 0;
}

/** A compiled pattern: the inclusive address range it covers. */
export interface IpRange {
  v6: boolean;
  low: IpAddr;
  high: IpAddr;
}

/** Parses an `ip("...")` pattern; null when it is not a valid address, range or prefix. */
export function parseIpPattern(pattern: string): IpRange | null {
  const p = pattern.trim();
  const slash = p.indexOf('/');
  if (slash >= 0) {
    const addr = parseIp(p.slice(0, slash));
    const bitsText = p.slice(slash + 1);
    if (addr === null || !/^\d{1,3}$/.test(bitsText)) return null;
    const bits = Number(bitsText);
    const width = addr.v6 ? 128 : 32;
    if (bits > width) return null;
    const low = { v6: addr.v6, bytes: new Uint8Array(16) };
    const high = { v6: addr.v6, bytes: new Uint8Array(16) };
    for (let i = 0; i < width / 8; i++) {
      const keep = Math.max(0, Math.min(8, bits - i * 8));
      const mask = keep === 0 ? 0 : (0xff << (8 - keep)) & 0xff;
      low.bytes[i] = addr.bytes[i]! & mask;
      high.bytes[i] = (addr.bytes[i]! & mask) | (~mask & 0xff);
    }
    return { v6: addr.v6, low, high };
  }
  const dash = p.indexOf('-');
  if (dash >= 0) {
    const low = parseIp(p.slice(0, dash).trim());
    const high = parseIp(p.slice(dash + 1).trim());
    if (low === null || high === null || low.v6 !== high.v6 || compareIp(low, high) > 0) return null;
    return { v6: low.v6, low, high };
  }
  const addr = parseIp(p);
  if (addr === null) return null;
  return { v6: addr.v6, low: addr, high: addr };
}

const scratch: IpAddr = { v6: false, bytes: new Uint8Array(16) };

export function ipInRange(range: IpRange, value: string): boolean {
  const addr = scratch;
  if (!parseIpInto(value, addr) || addr.v6 !== range.v6) return false;
  return compareIp(range.low, addr) <= 0 && compareIp(addr, range.high) <= 0;
}

/** Characters an address (IPv4, IPv6, IPv4-in-IPv6) can be written with. */
function isAddressChar(c: number): boolean {
  return (c >= 48 && c <= 58) /* 0-9 : */ || c === 46 /* . */ || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

function inAny(ranges: readonly IpRange[], s: string): boolean {
  for (let i = 0; i < ranges.length; i++) if (ipInRange(ranges[i]!, s)) return true;
  return false;
}

/**
 * True when an address in `line` falls in one of the ranges (`|= ip("…")`). The line is cut into candidates at every
 * character that cannot belong to an address, so `3.180.71.3` is not found inside `93.180.71.3` (Loki's docs use this
 * very example); a candidate that is not an address as a whole is also tried without trailing `.`/`:` (end of a
 * sentence, `addr:`), without leading ones (`addr:10.0.0.1`) and, for `host:port`, as the IPv4 part before the colon.
 */
export function lineHasIpInRanges(ranges: readonly IpRange[], line: string): boolean {
  const n = line.length;
  let i = 0;
  while (i < n) {
    if (!isAddressChar(line.charCodeAt(i))) {
      i++;
      continue;
    }
    const start = i;
    let digits = false;
    let seps = false;
    while (i < n) {
      const c = line.charCodeAt(i);
      if (!isAddressChar(c)) break;
      if (c >= 48 && c <= 57) digits = true;
      else if (c === 46 || c === 58) seps = true;
      i++;
    }
    if (!seps) continue;
    const candidate = line.slice(start, i);
    // an address without digits is all hex letters, which only IPv6 `::` compression allows (`::`, `fe::ab`)
    if (!digits && !candidate.includes('::')) continue;
    if (inAny(ranges, candidate)) return true;
    let trimmed = candidate;
    while (trimmed.length > 0 && (trimmed.endsWith('.') || (trimmed.endsWith(':') && !trimmed.endsWith('::')))) trimmed = trimmed.slice(0, -1);
    while (trimmed.length > 0 && (trimmed.startsWith('.') || (trimmed.startsWith(':') && !trimmed.startsWith('::')))) trimmed = trimmed.slice(1);
    if (trimmed !== candidate && inAny(ranges, trimmed)) return true;
    const colon = trimmed.indexOf(':');
    if (colon > 0 && trimmed.lastIndexOf(':') === colon && trimmed.includes('.', 0) && trimmed.indexOf('.') < colon) {
      if (inAny(ranges, trimmed.slice(0, colon))) return true;
    }
  }
  return false;
}
