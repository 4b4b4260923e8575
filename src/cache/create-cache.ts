/** `createCache`: builds a {@link Cache} from options. */
import type { Redis, RedisOptions } from 'ioredis';
import { ConfigError } from '../errors/index.js';
import { assertPrefix } from '../keys/index.js';
import type { WriteMode } from '../repository/context.js';
import { MemoryStore } from '../store/memory-store.js';
import { RedisStore } from '../store/redis-store.js';
import type { Store } from '../store/store.js';
import { Cache } from './cache.js';

/** The methods every Store has (see the Store interface). */
const STORE_METHODS = [
  'get', 'mget', 'write', 'unlink', 'deleteIfEquals', 'exists', 'pttl', 'expire', 'scan',
  'indexScan', 'indexPrune', 'indexSync', 'close',
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
   * {@link MemoryStore}.
   */
  redis?: Redis | string | RedisOptions;
  /** A store instance (e.g. your own {@link Store} implementation). Not closed by `close()`. */
  store?: Store;
  /** First segment of every key: letters, digits, `.`, `_`, `~`, `-`, segments joined by `:`. Default `'cache'`. */
  prefix?: string;
  /** Throw {@link DecodeError} on invalid stored values instead of treating them as misses. Default `false`. */
  strict?: boolean;
  /** `'sync'` (default): `save` waits for Redis. `'async'`: `save` returns at once; failures are `error` events. */
  writes?: WriteMode;
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
  const { redis, store, prefix = 'cache', strict = false, writes = 'sync' } = options;
  if (redis !== undefined && store !== undefined) {
    throw new ConfigError('createCache was given both `redis` and `store`. Pass one: `redis` for Redis, `store` for your own store.');
  }
  if (writes !== 'sync' && writes !== 'async') {
    throw new ConfigError(`createCache: writes must be 'sync' or 'async', got ${JSON.stringify(writes)}.`);
  }
  if (typeof strict !== 'boolean') {
    throw new ConfigError(`createCache: strict must be a boolean, got ${JSON.stringify(strict)}.`);
  }
  assertPrefix(prefix);
  if (store !== undefined) {
    const missing = typeof store === 'object' && store !== null ? STORE_METHODS.filter((m) => typeof store[m] !== 'function') : STORE_METHODS;
    if (missing.length > 0) {
      throw new ConfigError(`createCache: \`store\` must implement the Store interface; it lacks ${missing.join(', ')}.`);
    }
    return new Cache(store, { prefix, strict, writes, ownsStore: false });
  }
  const created: Store = redis === undefined ? new MemoryStore() : new RedisStore(redis);
  return new Cache(created, { prefix, strict, writes, ownsStore: true });
}
