/**
 * `failOpen` reporting: a store failure the fail-open layer absorbed (store/layers/fail-open.ts)
 * becomes an `error` event of the cache instead of an exception.
 * @internal
 */
import { CacheOrmError, withContext } from '../errors/index.js';
import type { RepositoryContext } from './context.js';
import { toCacheOrmError } from './store-errors.js';

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
