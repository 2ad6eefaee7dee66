// Threat-intelligence indicators (IOCs) in memory: IP addresses and CIDR networks (one hash map per prefix length,
// probed most specific first: at most 33 probes for IPv4, 129 for IPv6), domains (matching their subdomains too) and
// file hashes (MD5, SHA-1, SHA-256). Parsing of indicator text lives here as well, so lists and events agree.

import { parseIPv4, parseIPv6, parseIp, type ParsedIp } from './ip-address.ts';

export type IndicatorType = 'ip' | 'domain' | 'hash';

export interface Indicator {
  type: IndicatorType;
  /** as listed, normalized: `203.0.113.7`, `203.0.113.0/24` (host bits cleared), `evil.example`, lower-case hex */
  text: string;
}

export interface IndicatorMatch {
  type: IndicatorType;
  /** the list entry that matched */
  indicator: string;
  /** names of the lists holding it, comma-separated */
  lists: string;
}

interface Hit {
  indicator: string;
  lists: string;
}

const HEX = /^[0-9a-f]+$/;
// A DNS name of letters, digits and hyphens per label (RFC 1123 §2.1), underscores tolerated as real names have them.
const DOMAIN = /^(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)+[a-z0-9-]{2,63}$/;

function isHash(s: string): boolean {
  return (s.length === 32 || s.length === 40 || s.length === 64) && HEX.test(s);
}

/** Reads one list entry: an IP, a CIDR network, a domain (`*.` or a leading `.` allowed) or a hash; null if none. */
export function parseIndicator(raw: string, only?: IndicatorType): Indicator | null {
  const s = raw.trim().toLowerCase();
  if (s.length === 0) return null;
  if (only === undefined || only === 'ip') {
    const slash = s.indexOf('/');
    if (slash !== -1) {
      const cidr = parseCidr(s.slice(0, slash), s.slice(slash + 1));
      if (cidr !== null) return { type: 'ip', text: cidr.text };
    } else {
      // a bare address (not `1.2.3.4:80`, not a forwarded list)
      if (parseIPv4(s) >= 0 || (s.indexOf(':') !== s.lastIndexOf(':') && parseIPv6(s) !== null)) return { type: 'ip', text: s };
    }
    if (only === 'ip') return null;
  }
  if ((only === undefined || only === 'hash') && isHash(s)) return { type: 'hash', text: s };
  if (only === undefined || only === 'domain') {
    let d = s.startsWith('*.') ? s.slice(2) : s.startsWith('.') ? s.slice(1) : s;
    if (d.endsWith('.')) d = d.slice(0, -1);
    if (DOMAIN.test(d) && /[a-z]/.test(d.slice(d.lastIndexOf('.') + 1))) return { type: 'domain', text: d };
  }
  return null;
}

/** RFC 5952 text: lower-case hex, the longest run of two or more zero groups as `::`. */
function formatV6(v: bigint): string {
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((v >> BigInt(i * 16)) & 0xffffn));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best === -1) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

function parseCidr(addr: string, lenText: string): { text: string } | null {
  if (!/^\d{1,3}$/.test(lenText)) return null;
  const len = Number(lenText);
  const v4 = parseIPv4(addr);
  if (v4 >= 0) {
    if (len > 32) return null;
    const net = maskV4(v4, len);
    return { text: `${Math.floor(net / 16777216) % 256}.${Math.floor(net / 65536) % 256}.${Math.floor(net / 256) % 256}.${net % 256}/${len}` };
  }
  const v6 = parseIPv6(addr);
  if (v6 === null || len > 128) return null;
  return { text: `${formatV6(maskV6(v6, len))}/${len}` };
}

function maskV4(ip: number, len: number): number {
  if (len === 0) return 0;
  const mask = (0xffffffff << (32 - len)) >>> 0;
  return (ip & mask) >>> 0;
}

const ALL128 = (1n << 128n) - 1n;
function maskV6(ip: bigint, len: number): bigint {
  if (len === 0) return 0n;
  return ip & (ALL128 ^ ((1n << BigInt(128 - len)) - 1n));
}

export class IndicatorIndex {
  /** prefix length → network → hit, lengths most specific first */
  private readonly v4 = new Map<number, Map<number, Hit>>();
  private v4Lengths: number[] = [];
  private readonly v6 = new Map<number, Map<bigint, Hit>>();
  private v6Lengths: number[] = [];
  private readonly domains = new Map<string, Hit>();
  private readonly hashes = new Map<string, Hit>();
  size = 0;

  get hasIps(): boolean {
    return this.v4Lengths.length > 0 || this.v6Lengths.length > 0;
  }
  get hasDomains(): boolean {
    return this.domains.size > 0;
  }
  get hasHashes(): boolean {
    return this.hashes.size > 0;
  }

  add(ind: Indicator, list: string): void {
    if (ind.type === 'ip') {
      const slash = ind.text.indexOf('/');
      const addr = slash === -1 ? ind.text : ind.text.slice(0, slash);
      const v4 = parseIPv4(addr);
      const len = slash === -1 ? (v4 >= 0 ? 32 : 128) : Number(ind.text.slice(slash + 1));
      if (v4 >= 0) {
        let m = this.v4.get(len);
        if (m === undefined) this.v4.set(len, (m = new Map()));
        this.put(m, v4, ind.text, list);
        this.v4Lengths = [...this.v4.keys()].sort((a, b) => b - a);
      } else {
        let m = this.v6.get(len);
        if (m === undefined) this.v6.set(len, (m = new Map()));
        this.put(m, parseIPv6(addr)!, ind.text, list);
        this.v6Lengths = [...this.v6.keys()].sort((a, b) => b - a);
      }
    } else {
      this.put(ind.type === 'domain' ? this.domains : this.hashes, ind.text, ind.text, list);
    }
  }

  private put<K>(m: Map<K, Hit>, key: K, indicator: string, list: string): void {
    const hit = m.get(key);
    if (hit === undefined) {
      m.set(key, { indicator, lists: list });
      this.size++;
    } else if (!hit.lists.split(',').includes(list)) {
      hit.lists += `,${list}`;
    }
  }

  matchIp(ip: ParsedIp): IndicatorMatch | null {
    if (ip.version === 4) {
      for (const len of this.v4Lengths) {
        const hit = this.v4.get(len)!.get(maskV4(ip.v4, len));
        if (hit !== undefined) return { type: 'ip', indicator: hit.indicator, lists: hit.lists };
      }
    } else {
      for (const len of this.v6Lengths) {
        const hit = this.v6.get(len)!.get(maskV6(ip.value, len));
        if (hit !== undefined) return { type: 'ip', indicator: hit.indicator, lists: hit.lists };
      }
    }
    return null;
  }

  /** `a.b.evil.example` matches a listed `evil.example`. */
  matchDomain(name: string): IndicatorMatch | null {
    let d = name.toLowerCase();
    if (d.endsWith('.')) d = d.slice(0, -1);
    for (;;) {
      const hit = this.domains.get(d);
      if (hit !== undefined) return { type: 'domain', indicator: hit.indicator, lists: hit.lists };
      const dot = d.indexOf('.');
      if (dot === -1) return null;
      d = d.slice(dot + 1);
      if (d.indexOf('.') === -1) return null; // a bare TLD is never an indicator
    }
  }

  matchHash(hex: string): IndicatorMatch | null {
    const hit = this.hashes.get(hex.toLowerCase());
    return hit === undefined ? null : { type: 'hash', indicator: hit.indicator, lists: hit.lists };
  }

  /**
   * Matches a field value: an address (with port or in a forwarded list), a hash, a URL (by its host) or a host name.
   */
  matchValue(value: string): IndicatorMatch | null {
    const v = value.trim();
    if (v.length === 0) return null;
    if (this.hasIps) {
      const ip = parseIp(v);
      if (ip !== null) return this.matchIp(ip);
    }
    if (this.hasHashes && isHash(v.toLowerCase())) return this.matchHash(v);
    if (this.hasDomains) {
      let host = v;
      const scheme = host.indexOf('://');
      if (scheme !== -1) {
        host = host.slice(scheme + 3);
        const end = host.search(/[/?#]/);
        if (end !== -1) host = host.slice(0, end);
        const at = host.lastIndexOf('@');
        if (at !== -1) host = host.slice(at + 1);
      }
      const colon = host.lastIndexOf(':');
      if (colon !== -1 && host.indexOf(':') === colon) host = host.slice(0, colon);
      if (host.includes('.') && !host.includes(' ')) return this.matchDomain(host);
    }
    return null;
  }
}
