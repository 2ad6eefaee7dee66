// IP address text → numbers, and the special-purpose ranges that are not globally routable (IANA IPv4 and IPv6
// Special-Purpose Address Registries, RFC 6890 and successors). Pure; shared by the geoip and threat_intel
// processors.

export interface ParsedIp {
  /** 4 or 6; an IPv4-mapped IPv6 address (`::ffff:1.2.3.4`) is reported as the IPv4 address */
  version: 4 | 6;
  /** the address as an unsigned 32-bit (IPv4) or 128-bit (IPv6) integer */
  value: bigint;
  /** IPv4 only: the address as a number (fast path) */
  v4: number;
}

/** Parses dotted-quad IPv4 (no leading `+`, octets 0–255, no more than 3 digits each); -1 when not one. */
export function parseIPv4(s: string, start = 0, end = s.length): number {
  let value = 0;
  let octets = 0;
  let i = start;
  while (i < end) {
    let n = 0;
    let digits = 0;
    while (i < end) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) break;
      n = n * 10 + (c - 48);
      digits++;
      i++;
    }
    if (digits === 0 || digits > 3 || n > 255) return -1;
    value = value * 256 + n;
    octets++;
    if (i === end) break;
    if (s.charCodeAt(i) !== 46 || octets === 4) return -1;
    i++;
    if (i === end) return -1;
  }
  return octets === 4 ? value : -1;
}

/** Parses IPv6 text (RFC 4291 §2.2: `::` compression, a dotted IPv4 tail; a `%zone` is ignored); null when not one. */
export function parseIPv6(s: string): bigint | null {
  const pct = s.indexOf('%');
  const text = pct === -1 ? s : s.slice(0, pct);
  if (text.length < 2 || text.length > 45 || !text.includes(':')) return null;
  const dbl = text.indexOf('::');
  if (dbl !== -1 && text.indexOf('::', dbl + 1) !== -1) return null;
  const head = dbl === -1 ? text : text.slice(0, dbl);
  const tail = dbl === -1 ? '' : text.slice(dbl + 2);
  const parts: number[] = [];
  const tailParts: number[] = [];
  if (!hextets(head, parts, dbl === -1) || !hextets(tail, tailParts, true)) return null;
  const total = parts.length + tailParts.length;
  if (dbl === -1 ? total !== 8 : total > 7) return null;
  let v = 0n;
  for (const p of parts) v = (v << 16n) | BigInt(p);
  for (let i = total; i < 8; i++) v <<= 16n;
  for (const p of tailParts) v = (v << 16n) | BigInt(p);
  return v;
}

/** Splits `a:b:c` (maybe ending in a dotted IPv4) into 16-bit groups; false when malformed. */
function hextets(s: string, out: number[], mayEndWithV4: boolean): boolean {
  if (s.length === 0) return true;
  const groups = s.split(':');
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i]!;
    if (i === groups.length - 1 && mayEndWithV4 && g.includes('.')) {
      const v4 = parseIPv4(g);
      if (v4 < 0) return false;
      out.push(Math.floor(v4 / 65536), v4 % 65536);
      return true;
    }
    if (g.length === 0 || g.length > 4) return false;
    let n = 0;
    for (let k = 0; k < g.length; k++) {
      const c = g.charCodeAt(k) | 32;
      const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
      if (d < 0) return false;
      n = n * 16 + d;
    }
    out.push(n);
  }
  return true;
}

const V4_MAPPED = 0xffffn << 32n;

/**
 * Parses an address as found in logs: plain IPv4 or IPv6, `1.2.3.4:port`, `[v6]:port`, or the first entry of an
 * `X-Forwarded-For` list. IPv4-mapped IPv6 becomes IPv4. Null when the text is no address (a host name, `-`).
 */
export function parseIp(raw: string): ParsedIp | null {
  let s = raw.trim();
  const comma = s.indexOf(',');
  if (comma !== -1) s = s.slice(0, comma).trim();
  if (s.length < 2) return null;
  if (s.charCodeAt(0) === 91 /* [ */) {
    const close = s.indexOf(']');
    if (close === -1) return null;
    s = s.slice(1, close);
  }
  const v4 = parseIPv4(s);
  if (v4 >= 0) return { version: 4, value: BigInt(v4), v4 };
  const colon = s.indexOf(':');
  if (colon !== -1 && s.indexOf(':', colon + 1) === -1) {
    // `1.2.3.4:8080`
    const port = s.length - colon - 1;
    if (port < 1 || port > 5) return null;
    for (let i = colon + 1; i < s.length; i++) if (s.charCodeAt(i) < 48 || s.charCodeAt(i) > 57) return null;
    const host = parseIPv4(s, 0, colon);
    return host >= 0 ? { version: 4, value: BigInt(host), v4: host } : null;
  }
  const v6 = parseIPv6(s);
  if (v6 === null) return null;
  if (v6 >> 32n === 0xffffn) {
    const n = Number(v6 & 0xffffffffn);
    return { version: 4, value: BigInt(n), v4: n };
  }
  return { version: 6, value: v6, v4: -1 };
}

/** Canonical text of a parsed address (IPv4 dotted; IPv6 as 8 lower-case groups, uncompressed). */
export function ipToString(ip: ParsedIp): string {
  if (ip.version === 4) {
    const n = ip.v4;
    return `${Math.floor(n / 16777216) % 256}.${Math.floor(n / 65536) % 256}.${Math.floor(n / 256) % 256}.${n % 256}`;
  }
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((ip.value >> BigInt(i * 16)) & 0xffffn).toString(16));
  return groups.join(':');
}

export type SpecialRange =
  | 'private'
  | 'loopback'
  | 'link_local'
  | 'shared'
  | 'documentation'
  | 'benchmarking'
  | 'multicast'
  | 'reserved'
  | 'unspecified';

// [network, prefix length, class], IPv4 (IANA IPv4 Special-Purpose Address Registry; RFC 1918, 6598, 3927, 5737…)
const V4_RANGES: [number, number, SpecialRange][] = [
  [0x00000000, 8, 'unspecified'],
  [0x0a000000, 8, 'private'],
  [0x64400000, 10, 'shared'],
  [0x7f000000, 8, 'loopback'],
  [0xa9fe0000, 16, 'link_local'],
  [0xac100000, 12, 'private'],
  [0xc0000000, 24, 'reserved'],
  [0xc0000200, 24, 'documentation'],
  [0xc0586300, 24, 'reserved'],
  [0xc0a80000, 16, 'private'],
  [0xc6120000, 15, 'benchmarking'],
  [0xc6336400, 24, 'documentation'],
  [0xcb007100, 24, 'documentation'],
  [0xe0000000, 4, 'multicast'],
  [0xf0000000, 4, 'reserved'],
];

/** The special-purpose range an address falls in, or null for a globally routable one. */
export function specialRange(ip: ParsedIp): SpecialRange | null {
  if (ip.version === 4) {
    const n = ip.v4;
    for (const [net, len, cls] of V4_RANGES) {
      const size = 2 ** (32 - len);
      if (n >= net && n < net + size) return cls;
    }
    return null;
  }
  const v = ip.value;
  if (v === 0n) return 'unspecified';
  if (v === 1n) return 'loopback';
  const top16 = Number(v >> 112n);
  if ((top16 & 0xfe00) === 0xfc00) return 'private'; // fc00::/7 unique local (RFC 4193)
  if ((top16 & 0xffc0) === 0xfe80) return 'link_local'; // fe80::/10
  if ((top16 & 0xff00) === 0xff00) return 'multicast'; // ff00::/8
  if (v >> 96n === 0x20010db8n) return 'documentation'; // 2001:db8::/32 (RFC 3849)
  if (v >> 64n === 0x0100000000000000n) return 'reserved'; // 100::/64 discard (RFC 6666)
  if (v >> 32n === 0n || v >> 32n === V4_MAPPED >> 32n) return 'reserved'; // IPv4-compatible leftovers
  return null;
}
