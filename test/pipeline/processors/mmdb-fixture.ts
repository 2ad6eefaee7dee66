// Writes small MaxMind DB files for tests, from the MaxMind DB File Format Specification v2.0: a binary search tree
// of 24-bit records, 16 zero bytes, the data section, then `\xab\xcd\xefMaxMind.com` and the metadata map. Only what
// the geoip tests need: maps, strings, doubles, uint16/32/64, booleans and arrays; no pointers (no deduplication).

import { parseIPv4, parseIPv6 } from '../../../src/pipeline/ip-address.ts';

export type MmdbValue = string | number | boolean | bigint | MmdbValue[] | { [key: string]: MmdbValue };

// Data types (spec "Output Data Section"): 1..7 in the control byte, the others as extended (type - 7).
const T_STRING = 2;
const T_DOUBLE = 3;
const T_UINT16 = 5;
const T_UINT32 = 6;
const T_MAP = 7;
const T_UINT64 = 9;
const T_ARRAY = 11;
const T_BOOLEAN = 14;

function control(type: number, size: number): number[] {
  const out: number[] = [];
  let sizeBits: number;
  const ext: number[] = [];
  if (size < 29) sizeBits = size;
  else if (size < 29 + 256) {
    sizeBits = 29;
    ext.push(size - 29);
  } else if (size < 285 + 65536) {
    sizeBits = 30;
    const v = size - 285;
    ext.push(v >> 8, v & 0xff);
  } else {
    sizeBits = 31;
    const v = size - 65821;
    ext.push((v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff);
  }
  if (type <= 7) out.push((type << 5) | sizeBits);
  else out.push(sizeBits, type - 7);
  return out.concat(ext);
}

function unsignedBytes(v: bigint): number[] {
  const out: number[] = [];
  while (v > 0n) {
    out.unshift(Number(v & 0xffn));
    v >>= 8n;
  }
  return out;
}

function encode(v: MmdbValue, typeHint?: number): number[] {
  if (typeof v === 'string') {
    const b = [...Buffer.from(v, 'utf8')];
    return control(T_STRING, b.length).concat(b);
  }
  if (typeof v === 'boolean') return control(T_BOOLEAN, v ? 1 : 0);
  if (typeof v === 'bigint') {
    const b = unsignedBytes(v);
    return control(T_UINT64, b.length).concat(b);
  }
  if (typeof v === 'number') {
    if (Number.isInteger(v) && v >= 0 && v < 2 ** 32) {
      const b = unsignedBytes(BigInt(v));
      return control(typeHint ?? T_UINT32, b.length).concat(b);
    }
    const buf = Buffer.alloc(8);
    buf.writeDoubleBE(v);
    return control(T_DOUBLE, 8).concat([...buf]);
  }
  if (Array.isArray(v)) {
    let out = control(T_ARRAY, v.length);
    for (const item of v) out = out.concat(encode(item));
    return out;
  }
  const keys = Object.keys(v);
  let out = control(T_MAP, keys.length);
  for (const k of keys) out = out.concat(encode(k), encode(v[k]!, UINT16_KEYS.has(k) ? T_UINT16 : undefined));
  return out;
}

const UINT16_KEYS = new Set(['record_size', 'ip_version', 'binary_format_major_version', 'binary_format_minor_version']);

interface TreeNode {
  child: (TreeNode | { data: number } | null)[];
}

/**
 * Builds an MMDB of `ipVersion` 4 or 6 from (CIDR → record) pairs. In an IPv6 database, IPv4 networks live at
 * `::a.b.c.d` (96 zero bits first), where readers look them up.
 */
export function buildMmdb(networks: [string, MmdbValue][], opts: { ipVersion: 4 | 6; databaseType: string }): Buffer {
  const data: number[] = [];
  const root: TreeNode = { child: [null, null] };
  const depth = opts.ipVersion === 4 ? 32 : 128;
  for (const [cidr, record] of networks) {
    const [addr, lenText] = cidr.split('/');
    let len = Number(lenText);
    let bits: bigint;
    const v4 = parseIPv4(addr!);
    if (v4 >= 0) {
      bits = BigInt(v4);
      if (opts.ipVersion === 6) len += 96;
    } else {
      const v6 = parseIPv6(addr!);
      if (v6 === null || opts.ipVersion === 4) throw new Error(`bad network ${cidr}`);
      bits = v6;
    }
    const offset = data.length;
    data.push(...encode(record));
    let node = root;
    for (let i = 0; i < len; i++) {
      const bit = Number((bits >> BigInt(depth - 1 - i)) & 1n);
      if (i === len - 1) {
        node.child[bit] = { data: offset };
      } else {
        let next = node.child[bit];
        if (next === null || next === undefined || 'data' in next) {
          next = { child: [null, null] };
          node.child[bit] = next;
        }
        node = next;
      }
    }
  }
  // Number the nodes breadth-first (root = 0), then write 24-bit records: node number, node_count (no data), or
  // node_count + 16 + data offset.
  const order: TreeNode[] = [root];
  for (let i = 0; i < order.length; i++) for (const c of order[i]!.child) if (c !== null && !('data' in c)) order.push(c);
  const index = new Map(order.map((n, i) => [n, i]));
  const nodeCount = order.length;
  const tree: number[] = [];
  for (const n of order) {
    for (const c of n.child) {
      const v = c === null ? nodeCount : 'data' in c ? nodeCount + 16 + c.data : index.get(c)!;
      tree.push((v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff);
    }
  }
  const metadata = encode({
    node_count: nodeCount,
    record_size: 24,
    ip_version: opts.ipVersion,
    database_type: opts.databaseType,
    languages: ['en'],
    binary_format_major_version: 2,
    binary_format_minor_version: 0,
    build_epoch: 1_700_000_000n,
    description: { en: 'Sightline test database' },
  });
  return Buffer.from([...tree, ...new Array<number>(16).fill(0), ...data, 0xab, 0xcd, 0xef, ...Buffer.from('MaxMind.com'), ...metadata]);
}
