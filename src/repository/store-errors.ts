/** Normalizes whatever a store throws into cacheorm errors. @internal */
import { CacheOrmError, StoreError, withContext } from '../errors/index.js';

/**
 * Returns `err` with the repository's context filled in when it is already a cacheorm error, otherwise
 * wraps it in a {@link StoreError} (a custom store threw something of its own).
 */
export function toCacheOrmError(err: unknown, context: { entity: string; operation: string; key?: string; store: string }): CacheOrmError {
  if (err instanceof CacheOrmError) {
    return withContext(err, { entity: context.entity, operation: context.operation, ...(context.key === undefined ? {} : { key: context.key }) });
  }
  const text = err instanceof Error ? err.message : String(err);
  return new StoreError(
    `The ${context.store} store failed during ${context.operation} of entity "${context.entity}": ${text}. Check the store's health; the operation did not complete.`,
    text,
    { entity: context.entity, operation: context.operation, ...(context.key === undefined ? {} : { key: context.key }) },
    { cause: err },
  );
}
