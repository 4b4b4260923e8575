/**
 * `NearWritesStore`: the layer that makes a cache read its own writes with a near cache. Each change a
 * repository sends (write, unlink, expire, compare-and-delete) drops the near entries and read tokens of
 * its keys before it is sent and again once it settled, so no read that raced it can leave the old
 * value behind (docs/near-cache.md, "Writes through this cache").
 * @internal
 */
import { StoreDecorator, type StoreCall } from '../layers/decorator.js';
import type { IndexOption, Store, WriteOp } from '../store.js';
import type { NearCache } from './near-cache.js';

/** See the file comment. @internal */
export class NearWritesStore extends StoreDecorator {
  readonly #near: NearCache;

  constructor(inner: Store, near: NearCache) {
    super(inner);
    this.#near = near;
  }

  /** Every other call goes through unchanged. */
  protected around<T>(call: StoreCall<T>, run: () => Promise<T>): Promise<T> {
    void call;
    return run();
  }

  override write(ops: readonly WriteOp[]): Promise<boolean[]> {
    return this.#dropping(ops.map((op) => op.key), () => super.write(ops));
  }

  override unlink(keys: readonly string[], options?: IndexOption): Promise<number> {
    return this.#dropping(keys, () => super.unlink(keys, options));
  }

  override deleteIfEquals(key: string, value: string, options?: IndexOption): Promise<boolean> {
    return this.#dropping([key], () => super.deleteIfEquals(key, value, options));
  }

  override expire(key: string, ttlMs: number | null, options?: IndexOption): Promise<boolean> {
    return this.#dropping([key], () => super.expire(key, ttlMs, options));
  }

  #dropping<T>(keys: readonly string[], run: () => Promise<T>): Promise<T> {
    const near = this.#near;
    near.drop(keys);
    const settled = () => near.drop(keys);
    const pending = run();
    pending.then(settled, settled);
    return pending;
  }
}
