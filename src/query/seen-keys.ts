/**
 * De-duplication of the keys a find has seen (SCAN and ZSCAN may return a key more than once), with
 * memory that stays small for huge results.
 *
 * The first {@link EXACT_LIMIT} keys (10,000) are kept exactly in a Set. Past that, the set is replaced by a table
 * of 64-bit fingerprints (two independent 32-bit hashes with a per-query random seed) in typed arrays:
 * about 16 bytes a key instead of ~80, so streaming a million keys stays within tens of MB. The price:
 * two distinct keys that share a 64-bit fingerprint look like one; for a million keys the chance that
 * this happens at all is about 3 in 100 million (n² / 2⁶⁵). `find().delete()` never relies on it.
 * @internal
 */

/** Results up to this size are de-duplicated exactly. */
export const EXACT_LIMIT = 10_000;

/** Tracks keys seen so far; `add` answers whether the key is new. @internal */
export class SeenKeys {
  private exact: Set<string> | undefined = new Set();
  private table: FingerprintTable | undefined;

  constructor(private readonly exactLimit = EXACT_LIMIT) {}

  /** Records `key`; `true` when it had not been seen. */
  add(key: string): boolean {
    if (this.exact) {
      if (this.exact.has(key)) return false;
      this.exact.add(key);
      if (this.exact.size > this.exactLimit) this.spill();
      return true;
    }
    return this.table!.add(key);
  }

  /** Number of distinct keys recorded. */
  get size(): number {
    return this.exact ? this.exact.size : this.table!.size;
  }

  private spill(): void {
    const table = new FingerprintTable(this.exact!.size * 4);
    for (const key of this.exact!) table.add(key);
    this.table = table;
    this.exact = undefined;
  }
}

/** Open-addressing hash set of 64-bit fingerprints (hi/lo halves), never storing 0/0. @internal */
export class FingerprintTable {
  private hi: Uint32Array;
  private lo: Uint32Array;
  private mask: number;
  private count = 0;
  private readonly seed1 = (Math.random() * 0x100000000) >>> 0;
  private readonly seed2 = (Math.random() * 0x100000000) >>> 0;

  constructor(initialCapacity = 1024) {
    let capacity = 1024;
    while (capacity < initialCapacity) capacity *= 2;
    this.hi = new Uint32Array(capacity);
    this.lo = new Uint32Array(capacity);
    this.mask = capacity - 1;
  }

  get size(): number {
    return this.count;
  }

  add(key: string): boolean {
    let h1 = 0xdeadbeef ^ this.seed1;
    let h2 = 0x41c6ce57 ^ this.seed2;
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 2654435761);
      h2 = Math.imul(h2 ^ c, 1597334677);
    }
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    const hi = h1 >>> 0 || 1; // 0/0 marks an empty slot
    const lo = h2 >>> 0;
    return this.insert(hi, lo);
  }

  private insert(hi: number, lo: number): boolean {
    let slot = (hi ^ lo) & this.mask;
    while (this.hi[slot] !== 0) {
      if (this.hi[slot] === hi && this.lo[slot] === lo) return false;
      slot = (slot + 1) & this.mask;
    }
    this.hi[slot] = hi;
    this.lo[slot] = lo;
    if (++this.count * 4 > this.mask * 3) this.grow(); // load factor 3/4: linear probing stays short
    return true;
  }

  private grow(): void {
    const { hi, lo } = this;
    this.hi = new Uint32Array(hi.length * 2);
    this.lo = new Uint32Array(lo.length * 2);
    this.mask = this.hi.length - 1;
    this.count = 0;
    for (let i = 0; i < hi.length; i++) if (hi[i] !== 0) this.insert(hi[i]!, lo[i]!);
  }
}
