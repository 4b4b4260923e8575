import type { Cluster, ClusterOptions, Redis, RedisOptions } from 'ioredis';
import { ConfigError, type StoreUnavailableError } from '../../errors/index.js';
import { checkDurability, ReplicaConfirmations, type Durability } from './durability.js';
import { isClusterClient, isClusterConfig, type RedisClusterConfig } from './cluster/cluster.js';
import { RedisClusterStore } from './cluster/cluster-store.js';
import { StandaloneRedisStore } from './standalone/standalone-store.js';
import type { FieldHit, FieldScanOptions, FieldSyncEntry, IndexOption, IndexScanOptions, ScanOptions, Store, WriteOp } from '../store.js';
import { DEFAULT_COMMAND_TIMEOUT_MS, TRACES_ITS_CALLS, type CallBounds } from '../calls/bounds.js';

/**
 * Options of {@link RedisStore}.
 *
 * @example
 * const store = new RedisStore('redis://localhost:6379', {
 *   redisOptions: { maxRetriesPerRequest: 1, commandTimeout: 500 },
 *   maxKeysPerCommand: 500,
 * });
 */
export interface RedisStoreOptions {
  /**
   * ioredis options for the client the store creates: applied with a URL, or under the `RedisOptions`
   * you pass (yours win). E.g. `{ maxRetriesPerRequest: 1, commandTimeout: 500 }`. Not allowed together
   * with a client you pass: configure that client instead.
   */
  redisOptions?: RedisOptions;
  /**
   * Most keys per `MGET` / `UNLINK` command (default 1000). Longer key lists are split into several
   * commands sent together in one pipeline (one round trip), so Redis never gets one giant command.
   */
  maxKeysPerCommand?: number;
  /**
   * For a client the store creates: its ioredis `commandTimeout` and `connectTimeout` in ms (default
   * 2000; `0` keeps ioredis' own). `createCache` passes its `commandTimeout` here. A client you pass
   * keeps its own settings (a cache still bounds every call it makes, see `createCache`).
   */
  commandTimeout?: number;
  /**
   * Whether a standalone client the store creates keeps ioredis' own `commandTimeout` (a timer per
   * command) once connected (default `true`). `createCache` turns it off: the cache bounds each of its
   * calls itself, with one timer for all of them, and the timer then only guards the connection
   * handshake (so a server that accepts connections but never answers is still retried). A cluster's
   * nodes keep theirs. @internal
   */
  perCommandTimeout?: boolean;
  /**
   * ioredis `ClusterOptions` for a Redis Cluster the store creates (from a list of node URLs), applied
   * over cacheorm's defaults (see docs/cluster.md). Not allowed together with a `Cluster` you pass.
   */
  clusterOptions?: ClusterOptions;
  /**
   * Acknowledge a change only once `replicas` replicas have it (`WAIT replicas timeoutMs` after each
   * write, unlink, expire and compare-and-delete), so it survives a failover. See {@link Durability}.
   */
  durability?: Durability;
}

const DEFAULT_MAX_KEYS_PER_COMMAND = 1000;


/**
 * A {@link Store} on Redis through ioredis: standalone Redis, or Redis Cluster.
 *
 * - Pass an ioredis `Redis` client to share your connection: the store never closes it. Pass a URL
 *   (`redis://[[user]:password@]host[:port][/db]`, `rediss://` for TLS) or ioredis `RedisOptions` to let
 *   the store create a client it owns and quits on `close()`.
 * - Redis Cluster: pass an ioredis `Cluster` (not owned), or a list of node URLs /
 *   `{ cluster: [...], clusterOptions? }` (owned). Multi-key commands are grouped by hash slot, `scan`
 *   walks every master (or the one owning a hash tag the glob fixes); see docs/cluster.md.
 * - `write` sends one `SET` for one op and one `MULTI`/`EXEC` (one round trip, atomic) for several; a
 *   batch Redis refuses (e.g. OOM) writes nothing. A batch with index sets (`WriteOp.index`) runs as one
 *   Lua script instead, just as atomic.
 * - Index sets (entities with `find: 'index'`) are sorted sets scored by expiry time taken from the Redis
 *   server's clock, each with a companion set `<index>:lex` (same members, score 0) that answers key-prefix
 *   ranges, maintained together by small Lua scripts that only touch the keys they are given (see
 *   `lua/index-scripts.ts`): plain scripts, no Redis 7 shebang flags or functions.
 * - Every call is traced on the `cacheorm:store` tracing channel from inside the store (one call per
 *   Store method call, or per page of a scan), so it needs no `TracingStore`.
 * - Failures are {@link StoreError} (Redis refused a command; `redisMessage` holds Redis' text) or
 *   {@link StoreUnavailableError} (Redis unreachable, closed, loading, or credentials rejected). Messages
 *   name the command and the server's `host:port`, never a password or a stored value.
 *
 * @example
 * import { Redis } from 'ioredis';
 * const shared = new RedisStore(new Redis(process.env.REDIS_URL!)); // you keep ownership of the client
 * const owned = new RedisStore('redis://localhost:6379/0');        // close() quits this connection
 * await owned.write([{ key: 'cache:greeting:1', value: 'hello', ttl: 60_000, mode: 'NX' }]); // [true]
 * await owned.close();
 */
export class RedisStore<C extends Redis | Cluster = Redis> implements Store {
  /** Always `'redis'`. */
  readonly kind = 'redis';

  /** Every call is traced on `cacheorm:store` inside the store's call path: a `TracingStore` around it adds nothing. @internal */
  readonly [TRACES_ITS_CALLS] = true;

  /** The implementation every method delegates to: one standalone client, or a cluster. */
  readonly #impl: StandaloneRedisStore | RedisClusterStore;

  /**
   * @param redis - an ioredis `Redis` or `Cluster` client (not owned), or a URL / `RedisOptions` / list of
   *   cluster node URLs / `{ cluster: [...] }` (owned client).
   * @param options - see {@link RedisStoreOptions}.
   * @throws ConfigError for a string that is not a Redis URL, malformed cluster node URLs, `redisOptions`
   *   or `clusterOptions` together with a client, or a bad `maxKeysPerCommand`, `commandTimeout` or
   *   `durability`.
   *
   * @example
   * const store = new RedisStore('redis://:s3cret@cache.internal:6379', { redisOptions: { commandTimeout: 500 } });
   * const clustered = new RedisStore<Cluster>(['redis://10.0.0.1:7000', 'redis://10.0.0.2:7000']);
   */
  constructor(redis: C, options?: RedisStoreOptions);
  constructor(redis: string | RedisOptions | RedisClusterConfig, options?: RedisStoreOptions);
  constructor(redis: Redis | Cluster | string | RedisOptions | RedisClusterConfig, options?: RedisStoreOptions);
  constructor(redis: C | string | RedisOptions | RedisClusterConfig, options: RedisStoreOptions = {}) {
    const maxKeys = options.maxKeysPerCommand ?? DEFAULT_MAX_KEYS_PER_COMMAND;
    if (!Number.isSafeInteger(maxKeys) || maxKeys < 1) {
      throw new ConfigError(`RedisStore option maxKeysPerCommand must be a positive whole number, got ${String(maxKeys)}.`);
    }
    const commandTimeout = options.commandTimeout ?? DEFAULT_COMMAND_TIMEOUT_MS;
    if (!(Number.isSafeInteger(commandTimeout) && commandTimeout >= 0)) {
      throw new ConfigError(`RedisStore option commandTimeout must be a whole number of ms (0 for ioredis' default), got ${String(commandTimeout)}.`);
    }
    const durability = checkDurability(options.durability);
    if (isClusterClient(redis) || isClusterConfig(redis)) {
      if (options.redisOptions) {
        throw new ConfigError('RedisStore option redisOptions is for a standalone Redis; for a cluster, pass clusterOptions (its redisOptions apply to every node).');
      }
      this.#impl = new RedisClusterStore(redis, { clusterOptions: options.clusterOptions, maxKeysPerCommand: maxKeys, commandTimeout, durability });
    } else {
      const confirmations = durability === undefined ? undefined : new ReplicaConfirmations(durability);
      this.#impl = new StandaloneRedisStore(redis as Redis | string | RedisOptions, options.redisOptions, {
        maxKeys, commandTimeout, perCommandTimeout: options.perCommandTimeout ?? true, confirmations,
      });
    }
  }

  /**
   * Calls `listener` once per outage of a client the store created: when its connection is lost, or its
   * first connection attempt fails (not for every failed reconnection attempt). The cache uses it to
   * emit an `error` event. Returns a function that removes the listener. Never called for a client you
   * passed: cacheorm adds no listener to it.
   *
   * @example
   * const stop = store.onConnectionLost((err) => log.warn(err.message));
   */
  onConnectionLost(listener: (error: StoreUnavailableError) => void): () => void {
    return this.#impl.onConnectionLost(listener);
  }

  /**
   * Lets one cache bound every call of this store by its `commandTimeout` inside the store's call path
   * (see `runCall`), in place of the `TimeoutStore` it puts around other stores. Answers how to give the
   * store back (once the cache is closed), or `undefined` when another cache already holds it (that cache
   * then wraps it in a `TimeoutStore`). @internal
   *
   * @example
   * const release = store.adoptBounds(new CallBounds('redis', 2000));
   */
  adoptBounds(bounds: CallBounds): (() => void) | undefined {
    const path = this.#impl.path;
    if (path.bounds !== undefined) return undefined;
    path.bounds = bounds;
    return () => {
      if (path.bounds !== bounds) return;
      path.bounds = undefined;
      bounds.sweep();
    };
  }

  /**
   * The ioredis client in use: the one you passed, or the one the store created (do not quit an owned
   * client yourself; call `close()`).
   *
   * @example
   * await store.client.ping();
   */
  get client(): C {
    return this.#impl.client as unknown as C;
  }

  /** {@inheritDoc Store.get} */
  get(key: string): Promise<string | null> {
    return this.#impl.get(key);
  }

  /** The value at `key` and its remaining TTL (`Store.getWithPttl`): one Lua script (`GET`, `PTTL`), one round trip, one atomic step. */
  getWithPttl(key: string): Promise<[value: string | null, pttl: number]> {
    return this.#impl.getWithPttl(key);
  }

  /** {@inheritDoc Store.mget} */
  mget(keys: readonly string[]): Promise<(string | null)[]> {
    return this.#impl.mget(keys);
  }

  /**
   * Applies `ops`, answering per op whether it applied ({@link Store.write}).
   *
   * One op: one `SET`. Several: one `MULTI`/`EXEC` (atomic), or one Lua script when ops carry index sets.
   * On a cluster: one such atomic step per hash slot (see docs/cluster.md).
   */
  write(ops: readonly WriteOp[]): Promise<boolean[]> {
    return this.#impl.write(ops);
  }

  /**
   * Removes `keys` (`UNLINK`) and answers how many existed ({@link Store.unlink}).
   *
   * With an index set, each chunk of keys is one Lua script (`UNLINK` and `ZREM` per key, atomic).
   */
  unlink(keys: readonly string[], options?: IndexOption): Promise<number> {
    return this.#impl.unlink(keys, options);
  }

  /**
   * Removes `key` only while it holds `value`, atomically ({@link Store.deleteIfEquals}).
   *
   * A small Lua script (`GET`, compare, `ZREM` from the index sets if any, `UNLINK`), run atomically.
   */
  deleteIfEquals(key: string, value: string, options?: IndexOption): Promise<boolean> {
    return this.#impl.deleteIfEquals(key, value, options);
  }

  /** {@inheritDoc Store.exists} */
  exists(key: string): Promise<boolean> {
    return this.#impl.exists(key);
  }

  /** {@inheritDoc Store.pttl} */
  pttl(key: string): Promise<number> {
    return this.#impl.pttl(key);
  }

  /**
   * Sets (`ttlMs`) or removes (`null`) the expiry of an existing key ({@link Store.expire}).
   *
   * `PEXPIRE`, or `PERSIST` + `EXISTS` in one `MULTI`/`EXEC`; with an index set, a Lua script that also
   * updates the key's score.
   */
  expire(key: string, ttlMs: number | null, options?: IndexOption): Promise<boolean> {
    return this.#impl.expire(key, ttlMs, options);
  }

  /**
   * Yields batches of the keys matching the Redis glob `match` ({@link Store.scan}).
   *
   * `SCAN cursor MATCH match COUNT count` until the cursor is back to `0`; on a cluster, on every master
   * (or only the one owning a hash tag the glob fixes). A cursor only means something to the server that
   * issued it: when a node's connection is re-established during the walk (it may have restarted), the
   * scan fails with {@link StoreUnavailableError} instead of ending with part of the keys (on a cluster
   * whose topology changed too, it starts over on the new masters, up to 3 times).
   */
  scan(match: string, options?: ScanOptions): AsyncIterable<string[]> {
    return this.#impl.scan(match, options);
  }

  /**
   * Yields batches of the live members of the index set `index` ({@link Store.indexScan}).
   *
   * With `prefix`: pages of `ZRANGEBYLEX` over the index's lexicographic set, each resuming after the last
   * member read (members present for the whole scan are yielded once), live members only, filtered by
   * `match` in the client; O(log N + M) per page. Else, with `match`: Lua-filtered `ZSCAN` steps
   * (members present for the whole scan are yielded at least once). With neither: pages of `count`
   * members in expiry order; a member present for the whole scan is yielded unless its expiry moved
   * backwards meanwhile, and may repeat if the last member of a page was rewritten or removed in between
   * (`find` therefore walks by `prefix`). Liveness is judged by the server's clock at each page; a member
   * whose key is gone is skipped and removed. Fails with {@link StoreUnavailableError} when the
   * connection was re-established during the walk (on a cluster: the master of the index's slot
   * changed or reconnected).
   */
  indexScan(index: string, options?: IndexScanOptions): AsyncIterable<string[]> {
    return this.#impl.indexScan(index, options);
  }

  /** {@inheritDoc Store.indexPrune} */
  indexPrune(index: string): Promise<number> {
    return this.#impl.indexPrune(index);
  }

  /**
   * Brings the membership of `keys` in `index` in line with the keys ({@link Store.indexSync}).
   *
   * One Lua script per `maxKeysPerCommand` keys (each atomic), sent together in one pipeline.
   */
  indexSync(index: string, keys: readonly string[]): Promise<number> {
    return this.#impl.indexSync(index, keys);
  }

  /**
   * Yields batches of one field's entries in the field index of `index` ({@link Store.fieldScan}).
   *
   * @example
   * for await (const hits of store.fieldScan('app:user#index', { field: 'age' })) console.log(hits.map(([key]) => key));
   */
  fieldScan(index: string, options: FieldScanOptions): AsyncIterable<FieldHit[]> {
    return this.#impl.fieldScan(index, options);
  }

  /**
   * Writes the field entries of keys that still hold the value they were computed from ({@link Store.fieldSync}).
   *
   * @example
   * await store.fieldSync('app:user#index', [{ key: 'app:user:1', value: stored, fields: entries }]);
   */
  fieldSync(index: string, entries: readonly FieldSyncEntry[]): Promise<number> {
    return this.#impl.fieldSync(index, entries);
  }

  /**
   * Releases the store: quits the client it created and waits until its connection has ended (dropping
   * it if `QUIT` does not complete within 2 s), leaves a client you passed untouched. Calling it again does nothing; any other method
   * called after it throws {@link StoreUnavailableError}.
   *
   * @example
   * process.on('SIGTERM', () => void store.close());
   */
  close(): Promise<void> {
    return this.#impl.close();
  }
}
