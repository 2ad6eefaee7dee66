// FNV-1a, 32 bits, over a string's UTF-16 code units: a fast, stable hash for deterministic sampling (the same
// key gives the same decision on every node and every run). Not for anything adversarial.

export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
