// A bounded cache that keeps what was used recently, for look-ups that repeat a lot (GeoIP by client address,
// container identities). Two generations of at most capacity/2 entries each: a hit in the young one costs one Map
// look-up and changes nothing (an exact LRU would move the entry on every hit); a hit in the old one moves the entry
// to the young one; when the young one is full it becomes the old one and the previous old one is dropped. So an
// entry used within the last capacity/2 insertions is always kept, and at most `capacity` entries are held.

export class LruCache<K, V> {
  private young = new Map<K, V>();
  private old = new Map<K, V>();
  private readonly generation: number;

  constructor(readonly capacity: number) {
    this.generation = Math.max(1, Math.floor(capacity / 2));
  }

  get size(): number {
    return this.young.size + this.old.size;
  }

  /** The cached value (undefined when absent), marked as recently used. */
  get(key: K): V | undefined {
    const v = this.young.get(key);
    if (v !== undefined) return v;
    const o = this.old.get(key);
    if (o !== undefined) {
      this.old.delete(key);
      this.add(key, o);
    }
    return o;
  }

  set(key: K, value: V): void {
    if (this.capacity <= 0) return;
    this.old.delete(key);
    if (this.young.has(key)) this.young.set(key, value);
    else this.add(key, value);
  }

  clear(): void {
    this.young.clear();
    this.old.clear();
  }

  private add(key: K, value: V): void {
    if (this.young.size >= this.generation) {
      // (a capacity of 1 keeps no old generation)
      this.old = this.capacity >= 2 ? this.young : new Map();
      this.young = new Map();
    }
    this.young.set(key, value);
  }
}
