/**
 * `failOpen`: while the store fails, a cache behaves as an empty cache that drops writes, and reports
 * each failure as an `error` event instead of throwing it.
 * @internal
 */
import { CacheOrmError, StoreError, StoreUnavailableError, withContext } from '../errors/index.js';
import { StoreDecorator, type StoreCall } from '../store/layers/decorator.js';
import type { Store } from '../store/store.js';
import type { RepositoryContext } from './context.js';
import { toCacheOrmError } from './store-errors.js';

/**
 * Whether `err` is a store failure (the store refused a command, could not be reached or timed out,
 * or a custom store threw something of its own), as opposed to a caller's mistake that cacheorm
 * reports as its own typed error (validation, key, query, config, decode).
 */
export function isStoreFailure(err: unknown): boolean {
  if (err instanceof StoreError || err instanceof StoreUnavailableError) return true;
  return !(err instanceof CacheOrmError);
}

/**
 * Reports a store failure that `failOpen` absorbed: counted in `errors` and `failedOpen`, and emitted as
 * an `error` event carrying the entity's name (and, for a store's own error, its command as operation).
 */
export function reportFailOpen(ctx: RepositoryContext, entity: string, err: unknown, operation: string): CacheOrmError {
  const error =
    err instanceof CacheOrmError
      ? withContext(err, { entity })
      : toCacheOrmError(err, { entity, operation, store: ctx.directStore.kind });
  ctx.stats.errors++;
  ctx.stats.failedOpen++;
  ctx.events.emitError(error);
  return error;
}

/**
 * The store a `failOpen` repository uses: a failing call answers what an empty store that drops
 * writes would (`get` → `null`, `mget` → all `null`, `write` → nothing applied, `unlink` → 0, `exists`
 * → `false`, `pttl` → -2, scans end) and the failure goes to {@link reportFailOpen}.
 *
 * @example
 * const store = new FailOpenStore(ctx.directStore, (err, call) => reportFailOpen(ctx, 'session', err, call.command));
 */
export class FailOpenStore extends StoreDecorator {
  constructor(
    inner: Store,
    private readonly report: (err: unknown, call: StoreCall<unknown>) => void,
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

/**
 * The context of one repository of a `failOpen` cache: the same, with `store` answering as an empty
 * store while the real one fails (`directStore` keeps the real one for the lock protocol).
 */
export function failOpenContext(ctx: RepositoryContext, entity: string): RepositoryContext {
  if (!ctx.failOpen) return ctx;
  const failOpen = new FailOpenStore(ctx.directStore, (err, call) => reportFailOpen(ctx, entity, err, call.command));
  return { ...ctx, store: failOpen };
}
