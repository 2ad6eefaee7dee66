// Seeded pseudo-random numbers for the simulated estate and the benchmark corpus (sfc32, seeded by splitmix32).
// Same seed and stream → same sequence on every platform: generators built on it are deterministic.

/** Mixes two 32-bit words into one well-spread 32-bit word (splitmix32 finaliser over a ⊕ golden-ratio·b). */
export function mix32(a: number, b: number): number {
  let z = (a ^ Math.imul(b + 0x9e3779b9, 0x85ebca6b)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

const HEX_BYTE: string[] = [];
for (let i = 0; i < 256; i++) HEX_BYTE.push(i.toString(16).padStart(2, '0'));

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A small fast PRNG (sfc32). One instance per independent sequence; it is cheap to create. */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** `seed` picks the universe, `stream` an independent sequence in it (e.g. a simulated second). */
  constructor(seed: number, stream = 0) {
    const s = mix32(seed >>> 0, stream >>> 0);
    // `stream` may exceed 32 bits (e.g. seconds since 1970 are fine, but ms are not): fold the high part in too
    const hi = Math.floor(stream / 4294967296) >>> 0;
    this.a = mix32(s, 1);
    this.b = mix32(s, 2 + hi);
    this.c = mix32(s, 3);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** Next uniformly distributed unsigned 32-bit integer. */
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Uniform integer in [lo, hi]. */
  between(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** Index in [0, n) skewed towards 0: a few items are popular, most are rare (a cheap Zipf-like law). */
  skewed(n: number, power = 3): number {
    return Math.floor(n * Math.pow(this.next(), power));
  }

  /** Log-normal draw with the given median and spread (σ of the underlying normal). */
  logNormal(median: number, sigma: number): number {
    // Box–Muller; one of the pair is enough here
    const u = 1 - this.next();
    const v = this.next();
    const n = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    return median * Math.exp(sigma * n);
  }

  /** `bytes` random bytes as lowercase hex (2·bytes characters). */
  hex(bytes: number): string {
    let out = '';
    let word = 0;
    for (let i = 0; i < bytes; i++) {
      if ((i & 3) === 0) word = this.u32();
      out += HEX_BYTE[word & 0xff];
      word >>>= 8;
    }
    return out;
  }

  /** `length` random characters of [a-z0-9]. */
  alnum(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += ALNUM[this.int(36)];
    return out;
  }
}
