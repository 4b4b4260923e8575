/**
 * A custom Store: wraps any other store and counts the commands the cache sends, per method. The same
 * shape fits logging, metrics, key rewriting or a store over another client. It passes the contract
 * suite (test/examples/custom-store.test.ts).
 */
import type { FieldHit, FieldScanOptions, FieldSyncEntry, IndexOption, IndexScanOptions, ScanOptions, Store, WriteOp } from 'cacheorm';

/** The Store methods, as counted. */
export type StoreMethod = Exclude<keyof Store, 'kind'>;

export class MeteredStore implements Store {
  readonly kind: string;
  readonly #calls = new Map<StoreMethod, number>();

  /** `owned`: whether close() also closes `inner` (a store you built for this wrapper) or leaves it open. */
  constructor(private readonly inner: Store, private readonly owned = true) {
    this.kind = inner.kind; // error messages and stats name the real backend
  }

  /** Commands sent so far, per method. */
  calls(): Partial<Record<StoreMethod, number>> {
    return Object.fromEntries(this.#calls);
  }

  #count(method: StoreMethod): void {
    this.#calls.set(method, (this.#calls.get(method) ?? 0) + 1);
  }

  get(key: string): Promise<string | null> {
    this.#count('get');
    return this.inner.get(key);
  }

  mget(keys: readonly string[]): Promise<(string | null)[]> {
    this.#count('mget');
    return this.inner.mget(keys);
  }

  write(ops: readonly WriteOp[]): Promise<boolean[]> {
    this.#count('write');
    return this.inner.write(ops);
  }

  unlink(keys: readonly string[], options?: IndexOption): Promise<number> {
    this.#count('unlink');
    return this.inner.unlink(keys, options);
  }

  deleteIfEquals(key: string, value: string, options?: IndexOption): Promise<boolean> {
    this.#count('deleteIfEquals');
    return this.inner.deleteIfEquals(key, value, options);
  }

  exists(key: string): Promise<boolean> {
    this.#count('exists');
    return this.inner.exists(key);
  }

  pttl(key: string): Promise<number> {
    this.#count('pttl');
    return this.inner.pttl(key);
  }

  expire(key: string, ttlMs: number | null, options?: IndexOption): Promise<boolean> {
    this.#count('expire');
    return this.inner.expire(key, ttlMs, options);
  }

  scan(match: string, options?: ScanOptions): AsyncIterable<string[]> {
    this.#count('scan');
    return this.inner.scan(match, options);
  }

  indexScan(index: string, options?: IndexScanOptions): AsyncIterable<string[]> {
    this.#count('indexScan');
    return this.inner.indexScan(index, options);
  }

  indexPrune(index: string): Promise<number> {
    this.#count('indexPrune');
    return this.inner.indexPrune(index);
  }

  indexSync(index: string, keys: readonly string[]): Promise<number> {
    this.#count('indexSync');
    return this.inner.indexSync(index, keys);
  }

  fieldScan(index: string, options: FieldScanOptions): AsyncIterable<FieldHit[]> {
    this.#count('fieldScan');
    return this.inner.fieldScan(index, options);
  }

  fieldSync(index: string, entries: readonly FieldSyncEntry[]): Promise<number> {
    this.#count('fieldSync');
    return this.inner.fieldSync(index, entries);
  }

  async close(): Promise<void> {
    if (this.owned) await this.inner.close();
  }
}
