/** Per-call options of repository methods. */
import { parseTtl, type Ttl } from '../entity/ttl.js';
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
