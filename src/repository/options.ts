/** Per-call options of repository methods. */
import { parseTtl, type Ttl } from '../entity/ttl.js';
import type { DeclaredKeyOf, EntityInput, EntityKey } from '../entity/index.js';
import { ConfigError } from '../errors/index.js';

/**
 * Options of `save`, `insert`, `update` and `getOrLoad`.
 *
 * @example
 * await repo.save(session, { ttl: '5m' }); // this write only
 */
export interface WriteOptions {
  /** TTL of this write, overriding the entity's (`'never'` for no expiry). `update` keeps the current TTL unless this is given. */
  ttl?: Ttl;
}

/**
 * Options of `get` and `getMany`.
 *
 * @example
 * const price = await prices.get({ sku }, { allowStale: true }); // fresh, or stale within its grace
 */
export interface ReadOptions {
  /** Also return stale entries (past their TTL, within the entity's grace period). Default `false`. */
  allowStale?: boolean;
}

/** Resolves a per-call TTL to ms (`null`: no expiry), defaulting to the entity's. @internal */
export function resolveTtl(ttl: Ttl | undefined, entityTtlMs: number | null, entity: string, operation: string): number | null {
  if (ttl === undefined) return entityTtlMs;
  const parsed = parseTtl(ttl);
  if ('error' in parsed) throw new ConfigError(`${operation} of entity "${entity}": ${parsed.error}`, { entity, operation });
  return parsed.ms;
}

/**
 * Loads an entity on a cache miss (`getOrLoad`). Returns `undefined` when there is nothing to cache.
 * `W` is what the repository writes accept (see {@link Repository}).
 *
 * @example
 * const loader: Loader<Session, 'tenantId' | 'id'> = (key) => db.sessions.findOne(key);
 */
export type Loader<E, K extends keyof E = DeclaredKeyOf<E>, W = EntityInput<E, K>> = (
  key: EntityKey<E, K>,
) => Promise<W | undefined> | W | undefined;
