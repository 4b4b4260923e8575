/** `createCache`: builds a {@link Cache} from options. */
import type { Cluster, Redis, RedisOptions } from 'ioredis';
import { ConfigError } from '../errors/index.js';
import { unknownNames, unknownOptionMessage } from '../errors/suggest.js';
import { assertPrefix } from '../keys/index.js';
import type { WriteMode } from '../repository/context.js';
import { MemoryStore } from '../store/memory/memory-store.js';
import type { RedisClusterConfig } from '../store/redis/cluster/cluster.js';
import { RedisStore } from '../store/redis/redis-store.js';
import type { Store } from '../store/store.js';
import { DEFAULT_COMMAND_TIMEOUT_MS } from '../store/calls/bounds.js';
import { Cache } from './cache.js';
import { resolveNearCache, type NearCacheOptions } from './near-options.js';

/** The methods every Store has (see the Store interface). */
const STORE_METHODS = [
  'get', 'mget', 'write', 'unlink', 'deleteIfEquals', 'exists', 'pttl', 'expire', 'scan',
  'indexScan', 'indexPrune', 'indexSync', 'fieldScan', 'fieldSync', 'close',
] as const satisfies readonly (keyof Store)[];

/**
 * Options of {@link createCache}.
 *
 * @example
 * const options: CacheOptions = { redis: 'redis://127.0.0.1:6379', prefix: 'app', writes: 'sync' };
 */
export interface CacheOptions {
  /**
   * Redis to use: an ioredis client (never closed by cacheorm), a URL or ioredis options (cacheorm
   * creates the client and closes it in `close()`). Omit both `redis` and `store` for the embedded
   * {@link MemoryStore}. Redis Cluster: an ioredis `Cluster` (never closed by cacheorm), or a list of
   * node URLs / `{ cluster: [...urls], clusterOptions? }` (created and closed by cacheorm); see
   * docs/cluster.md.
   */
  redis?: Redis | Cluster | string | RedisOptions | RedisClusterConfig;
  /** A store instance (e.g. your own {@link Store} implementation). Not closed by `close()`. */
  store?: Store;
  /**
   * First segment of every key: letters, digits, `.`, `_`, `~`, `-` (no `:`, so that no cache's prefix
   * can nest in another's; write `myapp.cache`, not `myapp:cache`). Default `'cache'`.
   */
  prefix?: string;
  /** Throw {@link DecodeError} on invalid stored values instead of treating them as misses. Default `false`. */
  strict?: boolean;
  /** `'sync'` (default): `save` waits for Redis. `'async'`: `save` returns at once; failures are `error` events. */
  writes?: WriteMode;
  /**
   * The most any store call may take, in ms (default 2000). A call that runs out fails with
   * {@link StoreUnavailableError} (a timed-out write's outcome is unknown: it may still apply). Applies
   * to every store but the embedded MemoryStore, and to clients you pass, whose own settings cacheorm
   * does not change. For a client cacheorm creates it is also the (at least 1 s) `connectTimeout`;
   * one timer bounds all pending calls, so no ioredis per-command timer is set. `0` turns the bound off.
   */
  commandTimeout?: number;
  /**
   * While the store fails (unreachable, timing out, refusing commands), behave as an empty cache that
   * drops writes instead of throwing: reads are misses (`getOrLoad` calls the loader), writes are
   * dropped (`insert` / `update` answer `false`, `delete` 0), and every failure is an `error` event
   * (counted in `stats().failedOpen`). Mistakes in the call itself (validation, keys, queries) still
   * throw. Default `false`. See docs/resilience.md for when to use it.
   */
  failOpen?: boolean;
  /**
   * Largest value, in UTF-8 bytes of its serialized form, that is written or read. A bigger value is
   * not written ({@link ValueTooLargeError}; for `getOrLoad`, not cached and reported as an `error`
   * event), and a bigger stored value is not decoded (a miss with an `invalid` event, or
   * {@link DecodeError} in strict mode). Default: no limit.
   */
  maxValueBytes?: number;
  /**
   * Keep the entities this cache reads in process memory, kept coherent with Redis by `CLIENT
   * TRACKING`: repeated `get` / `getMany` / `exists` / `getOrLoad` reads and `find`'s value fetches are
   * answered without a round trip, and every change of those keys in Redis (by any client, expiry,
   * eviction) drops them. `true` for the defaults (10,000 entries), or bounds. Entities opt out with
   * their `nearCache: false` option. Accepted and ignored on the memory store. See docs/near-cache.md.
   */
  nearCache?: boolean | NearCacheOptions;
}

/**
 * Every option of {@link CacheOptions}, by name: the one list unknown options are checked against (a
 * new option must be added here, or this stops compiling). @internal
 */
export const CACHE_OPTION_NAMES: readonly (keyof CacheOptions)[] = Object.keys({
  redis: true, store: true, prefix: true, strict: true, writes: true, commandTimeout: true, failOpen: true, maxValueBytes: true, nearCache: true,
} satisfies { [K in keyof Required<CacheOptions>]: true }) as (keyof CacheOptions)[];

/**
 * Throws {@link ConfigError} for the first own property of `options` that is not one of `known`, naming
 * the closest valid option when there is one (a misspelt option would otherwise be silently ignored).
 * `where` names the call, e.g. `createCache`. @internal
 *
 * @example
 * assertKnownOptions({ prefx: 'a' }, CACHE_OPTION_NAMES, 'createCache'); // ConfigError: ... Did you mean "prefix"? ...
 */
export function assertKnownOptions(options: object, known: readonly string[], where: string): void {
  const [unknown] = unknownNames(options, known);
  if (unknown !== undefined) throw new ConfigError(unknownOptionMessage(where, unknown, known));
}

/**
 * Creates a cache on Redis (when `redis` is given), on your `store`, or on the embedded
 * {@link MemoryStore}.
 *
 * @example
 * import { createCache } from 'cacheorm';
 * const cache = createCache({ redis: process.env.REDIS_URL, prefix: 'app' });
 * const sessions = cache.getRepository(Session);
 */
export function createCache(options: CacheOptions = {}): Cache {
  if (options === null || typeof options !== 'object') {
    throw new ConfigError('createCache takes an options object, e.g. createCache({ redis: process.env.REDIS_URL, prefix: "app" }).');
  }
  assertKnownOptions(options, CACHE_OPTION_NAMES, 'createCache');
  const {
    redis, store, prefix = 'cache', strict = false, writes = 'sync',
    commandTimeout = DEFAULT_COMMAND_TIMEOUT_MS, failOpen = false, maxValueBytes,
  } = options;
  const near = resolveNearCache(options.nearCache);
  if (redis !== undefined && store !== undefined) {
    throw new ConfigError('createCache was given both `redis` and `store`. Pass one: `redis` for Redis, `store` for your own store.');
  }
  if (writes !== 'sync' && writes !== 'async') {
    throw new ConfigError(`createCache: writes must be 'sync' or 'async', got ${JSON.stringify(writes)}.`);
  }
  if (typeof strict !== 'boolean') {
    throw new ConfigError(`createCache: strict must be a boolean, got ${JSON.stringify(strict)}.`);
  }
  if (!(Number.isSafeInteger(commandTimeout) && commandTimeout >= 0 && commandTimeout <= 2 ** 31 - 1)) {
    throw new ConfigError(
      `createCache: commandTimeout must be a whole number of ms (e.g. 2000; 0 turns the bound off), got ${JSON.stringify(commandTimeout)}.`,
    );
  }
  if (typeof failOpen !== 'boolean') {
    throw new ConfigError(`createCache: failOpen must be a boolean, got ${JSON.stringify(failOpen)}.`);
  }
  if (maxValueBytes !== undefined && !(Number.isSafeInteger(maxValueBytes) && maxValueBytes > 0)) {
    throw new ConfigError(`createCache: maxValueBytes must be a positive whole number of bytes, got ${JSON.stringify(maxValueBytes)}.`);
  }
  assertPrefix(prefix);
  const resilience = { commandTimeout, failOpen, maxValueBytes, near };
  if (store !== undefined) {
    const missing = typeof store === 'object' && store !== null ? STORE_METHODS.filter((m) => typeof store[m] !== 'function') : STORE_METHODS;
    if (missing.length > 0) {
      throw new ConfigError(`createCache: \`store\` must implement the Store interface; it lacks ${missing.join(', ')}.`);
    }
    if (near !== undefined && !(store instanceof RedisStore) && !(store instanceof MemoryStore)) {
      throw new ConfigError(
        'createCache: nearCache needs Redis to tell it about changes; pass `redis` (or a RedisStore as `store`), or remove nearCache for this store.',
      );
    }
    return new Cache(store, { prefix, strict, writes, ownsStore: false, ...resilience });
  }
  const created: Store = redis === undefined ? new MemoryStore() : new RedisStore(redis, { commandTimeout, perCommandTimeout: false });
  return new Cache(created, { prefix, strict, writes, ownsStore: true, ...resilience });
}
