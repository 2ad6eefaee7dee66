// One state per group key with a memory bound: a Map kept in least-recently-updated order (touch = delete + set), so
// when the cap is reached the group idle longest is evicted first, and counted (sightline_siem_groups_evicted_total).

export class GroupTable<S> {
  readonly map = new Map<string, S>();
  evicted = 0;

  constructor(readonly cap: number) {}

  get(key: string): S | undefined {
    return this.map.get(key);
  }

  /** Stores (and marks as most recent); evicts the least recent group when over the cap. */
  set(key: string, state: S): void {
    this.map.delete(key);
    this.map.set(key, state);
    if (this.map.size > this.cap) {
      const oldest = this.map.keys().next().value as string;
      this.map.delete(oldest);
      this.evicted++;
    }
  }

  delete(key: string): void {
    this.map.delete(key);
  }

  get size(): number {
    return this.map.size;
  }
}
