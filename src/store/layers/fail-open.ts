/**
 * `FailOpenStore`: while the store it wraps fails, it answers as an empty store that drops writes, and
 * hands each failure to a reporter instead of throwing it. @internal
 */
import { CacheOrmError, StoreError, StoreUnavailableError } from '../../errors/index.js';
import { StoreDecorator, type StoreCall } from './decorator.js';
import type { Store } from '../store.js';

/**
 * Whether `err` is a store failure (the store refused a command, could not be reached or timed out,
 * or a custom store threw something of its own), as opposed to a caller's mistake that cacheorm
 * reports as its own typed error (validation, key, query, config, decode).
 * @internal
 */
export function isStoreFailure(err: unknown): boolean {
  if (err instanceof StoreError || err instanceof StoreUnavailableError) return true;
  return !(err instanceof CacheOrmError);
}

/** Receives each store failure a {@link FailOpenStore} absorbed, with the call it failed. @internal */
export type FailOpenReport = (err: unknown, call: StoreCall<unknown>) => void;

/**
 * A store whose failing calls answer what an empty store that drops writes would (`get` → `null`,
 * `mget` → all `null`, `write` → nothing applied, `unlink` → 0, `exists` → `false`, `pttl` → -2,
 * scans end); each failure (see {@link isStoreFailure}) goes to `report`. Other errors pass through.
 * @internal
 *
 * @example
 * const store = new FailOpenStore(inner, (err, call) => log.warn({ command: call.command }, String(err)));
 */
export class FailOpenStore extends StoreDecorator {
  constructor(
    inner: Store,
    private readonly report: FailOpenReport,
  ) {
    super(inner);
  }

  protected around<T>(call: StoreCall<T>, run: () => Promise<T>): Promise<T> {
    let pending: Promise<T>;
    try {
      pending = run();
    } catch (err) {
      pending = Promise.reject(err);
    }
    return pending.catch((err: unknown) => {
      if (!isStoreFailure(err)) throw err;
      this.report(err, call);
      return call.empty;
    });
  }
}
