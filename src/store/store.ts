/**
 * The storage contract behind every repository.
 *
 * A `Store` is a small, string-keyed, string-valued key-value interface with millisecond TTLs and Redis
 * semantics. cacheorm ships {@link RedisStore} (standalone Redis, later Redis Cluster) and
 * {@link MemoryStore} (embedded); you can write your own (e.g. over another client) by implementing
 * this interface. One contract test suite (`describeStoreContract` in `cacheorm/testing`) checks every store the same way.
 *
 * Rules every implementation follows:
 * - TTLs are milliseconds. A key past its TTL is gone for every method, at once.
 * - Multi-key methods (`mget`, `write`, `unlink`) take keys that may live on different shards: a
 *   sharded store groups them itself (by hash slot for Redis Cluster) and answers in input order.
 * - `scan` walks every shard and yields batches of keys matching a Redis glob (`*`, `?`, `[...]`,
 *   `\` escapes). A key may be yielded twice; callers de-duplicate. Keys present for the whole scan are
 *   yielded at least once.
 * - Failures are thrown as {@link StoreError} (the store refused a command: OOM, wrong type, ...) or
 *   {@link StoreUnavailableError} (the store cannot be reached). Anything else thrown is wrapped in a
 *   `StoreError` by the repository.
 *
 * @example
 * class LoggingStore implements Store {
 *   constructor(private readonly inner: Store) {}
 *   readonly kind = 'logging';
 *   get(key: string) { console.log('GET', key); return this.inner.get(key); }
 *   // ... delegate the other methods
 * }
 */
export interface Store {
  /** Short name for messages and stats (`redis`, `memory`, ...). */
  readonly kind: string;

  /** The value at `key`, or `null` when absent or expired. */
  get(key: string): Promise<string | null>;

  /** The values at `keys`, in input order, `null` for absent ones. Sharded stores group by slot. */
  mget(keys: readonly string[]): Promise<(string | null)[]>;

  /**
   * Applies `ops` and answers, per op in input order, whether it was applied (`false`: an `NX` op found
   * the key, or an `XX` op did not). A batch is applied atomically where the store can (standalone
   * Redis: one `MULTI`/`EXEC`; memory: synchronously), so a batch Redis refuses while queuing it (e.g.
   * OOM) writes nothing. Redis does not roll back a command that fails inside `EXEC` (e.g. WRONGTYPE).
   */
  write(ops: readonly WriteOp[]): Promise<boolean[]>;

  /**
   * Removes `keys` (Redis `UNLINK`) and answers how many existed. With `options.index`, the keys are
   * removed from that index set too, in the same atomic step.
   */
  unlink(keys: readonly string[], options?: IndexOption): Promise<number>;

  /**
   * Removes `key` only if it currently holds exactly `value`, atomically (compare-and-delete), and
   * answers whether it removed it. The repository uses it to drop an entry it found invalid without
   * clobbering a valid value written in the meantime.
   */
  deleteIfEquals(key: string, value: string, options?: IndexOption): Promise<boolean>;

  /** Whether `key` exists (and has not expired). */
  exists(key: string): Promise<boolean>;

  /** Remaining TTL in ms; `-1` when the key has no expiry, `-2` when it does not exist (Redis `PTTL`). */
  pttl(key: string): Promise<number>;

  /**
   * Optional: the value at `key` and its remaining TTL (as {@link Store.pttl}) read together, in one
   * round trip and one atomic step where the store can (Redis: a two-line Lua script). Reads of
   * entities with a grace period use it (docs/freshness.md); a store without it gets `get` and `pttl`
   * sent together instead.
   */
  getWithPttl?(key: string): Promise<[value: string | null, pttl: number]>;

  /**
   * Sets the remaining TTL of an existing key to `ttlMs` (Redis `PEXPIRE`), or removes its expiry when
   * `ttlMs` is `null` (Redis `PERSIST`). Answers whether the key existed.
   */
  expire(key: string, ttlMs: number | null, options?: IndexOption): Promise<boolean>;

  /**
   * Yields batches of keys matching the Redis glob `match` (`SCAN cursor MATCH match COUNT count`), on
   * every shard. Batches can be empty-free but may repeat keys; callers de-duplicate.
   */
  scan(match: string, options?: ScanOptions): AsyncIterable<string[]>;

  /**
   * Yields batches of the live members of the index set `index` (entities with `find: 'index'`): keys
   * whose recorded expiry is in the future, starting with `prefix` when given (Redis: a `ZRANGEBYLEX`
   * range of the index's lexicographic set), matching the glob `match` when given (Redis `ZSCAN MATCH`;
   * with neither, `ZRANGE BYSCORE now +inf` pages). May repeat keys; callers de-duplicate. A member
   * that stays in the set for the whole scan is yielded at least once, unless (without `match`) its
   * recorded expiry moved earlier meanwhile; members added or removed during the scan may or may not be.
   * A member whose key no longer exists (removed without the index: a raw `DEL`, eviction, another tool;
   * also with a `+inf` score) is not yielded, and is removed from the set when the scan meets it, so
   * every consumer (`count`, `keys`, `toArray`, `delete`) sees the same members. (On Redis Cluster, the
   * check runs inside the page's script when the index set shares its members' hash tag, else with
   * `EXISTS` per member and `indexSync` for the gone ones.) An absent index set yields nothing; batches
   * are never empty.
   */
  indexScan(index: string, options?: IndexScanOptions): AsyncIterable<string[]>;

  /** Removes the members of `index` whose expiry has passed (`ZREMRANGEBYSCORE -inf now`); answers how many. */
  indexPrune(index: string): Promise<number>;

  /**
   * Brings the membership of `keys` in `index` in line with the keys themselves: an existing key is
   * (re)added with its current expiry, a missing one is removed. Answers how many keys exist. Used by
   * `reindex()`; safe to run while other clients write.
   */
  indexSync(index: string, keys: readonly string[]): Promise<number>;

  /**
   * Yields batches of the entries of one field in the field index of `index` (entities with field
   * indexes, docs/find.md "Field indexes"), as `[key, encoded value]` pairs, in encoded-value order
   * (then key order; `reverse`: both descending), between `min` and `max` (Redis: pages of
   * `ZRANGEBYLEX`/`ZREVRANGEBYLEX` over `<index>:fields`). Only entries whose key exists are yielded; an
   * entry whose key is gone (expired, raw `DEL`, eviction) is removed, with every other index entry of
   * that key, when the scan meets it. An entry present for the whole scan is yielded once; entries
   * added or removed meanwhile may or may not be. Batches are never empty.
   */
  fieldScan(index: string, options: FieldScanOptions): AsyncIterable<FieldHit[]>;

  /**
   * `reindex()`'s step for field indexes: for each entry whose key still holds exactly `value`, makes
   * `fields` the key's field-index entries in `index` (replacing the previous ones); a key that no
   * longer exists loses every index entry; a key holding another value is left alone (its writer keeps
   * its entries). Answers how many keys got their entries written.
   */
  fieldSync(index: string, entries: readonly FieldSyncEntry[]): Promise<number>;

  /** Releases what the store created (connections, timers). Never closes a client it was given. */
  close(): Promise<void>;
}

/**
 * One write of {@link Store.write}: Redis `SET key value [PX ttl | KEEPTTL] [NX | XX]`.
 *
 * @example
 * const op: WriteOp = { key: 'cache:session:acme:42', value: '{"json":1}', ttl: 30_000, mode: 'NX' };
 * const [inserted] = await store.write([op]); // false when the key already existed
 */
export interface WriteOp {
  /** The key to write. */
  key: string;
  /** The value to store (the entity's encoded text). */
  value: string;
  /**
   * Expiry: a positive number of milliseconds (`PX`), `null` for no expiry, or `'keep'` to keep the
   * current TTL (`KEEPTTL`, only meaningful with `mode: 'XX'`).
   */
  ttl: number | null | 'keep';
  /** `NX`: only if absent. `XX`: only if present. Omitted: always. */
  mode?: 'NX' | 'XX';
  /**
   * Index set to keep in step (entities with `find: 'index'`): when the write applies, `key` is added to
   * this sorted set scored by its expiry time in ms since the epoch by the store's clock (`+inf` without
   * expiry; unchanged expiry for `ttl: 'keep'`), in the same atomic step as the write.
   */
  index?: string;
  /**
   * Registry of index sets (entities with a hash tag keep one index set per tag value, listed in a
   * registry, itself an index set): when the write applies, `index` is listed in this sorted set
   * (scored `+inf`), so a find across tags reads it. Only together with `index`. Standalone Redis and
   * the memory store list it in the same atomic step as the write; Redis Cluster, where the registry
   * lives in another slot, lists it right after the write that created the index set.
   */
  registry?: string;
  /**
   * The key's field-index entries (entities with field indexes; only together with `index`): per
   * indexed field with a value, `field \0 encoded value \0`, concatenated (`''`: no indexed value). When
   * the write applies, they replace the key's previous entries in `<index>:fields` (the previous ones
   * are read from `<index>:fvals`, not guessed), in the same atomic step as the write. Omitted: the
   * key's field entries are left as they are.
   */
  fields?: string;
}

/**
 * One bound of {@link FieldScanOptions}: an encoded value, included or not.
 *
 * @example
 * const atLeast18: FieldBound = { value: encodedEighteen, inclusive: true };
 */
export interface FieldBound {
  /** The encoded value (see docs/find.md, "Field indexes"). */
  value: string;
  /** Whether entries with exactly this value are in range. */
  inclusive: boolean;
}

/**
 * Options of {@link Store.fieldScan}.
 *
 * @example
 * for await (const hits of store.fieldScan('app:user#index', { field: 'age', min: { value: enc18, inclusive: true } })) { ... }
 */
export interface FieldScanOptions {
  /** The field's name in the index (the field name, `\0`/`\1` escaped). */
  field: string;
  /** Lower bound; omitted: the field's smallest value. */
  min?: FieldBound;
  /** Upper bound; omitted: the field's largest value. */
  max?: FieldBound;
  /** Largest value first. */
  reverse?: boolean;
  /** Entries per round trip (default 1000). */
  count?: number;
}

/**
 * One entry yielded by {@link Store.fieldScan}: the entity's key and the encoded value it is listed under.
 *
 * @example
 * const [key, value]: FieldHit = ['app:user:42', 'bff0000000000000'];
 */
export type FieldHit = readonly [key: string, value: string];

/**
 * One key of {@link Store.fieldSync}.
 *
 * @example
 * const entry: FieldSyncEntry = { key: 'app:user:42', value: storedText, fields: 'age\0bff0000000000000\0' };
 */
export interface FieldSyncEntry {
  /** The entity's key. */
  key: string;
  /** The stored value the entries were computed from. */
  value: string;
  /** The entries (as {@link WriteOp.fields}). */
  fields: string;
}

/**
 * The `index` option of {@link Store.unlink}, {@link Store.expire} and {@link Store.deleteIfEquals}.
 *
 * @example
 * await store.unlink(['app:session:acme:1'], { index: 'app:session#index' });
 */
export interface IndexOption {
  /** Index set that lists the keys; kept in step with the operation. */
  index?: string;
}

/**
 * Options of {@link Store.indexScan}.
 *
 * @example
 * for await (const keys of store.indexScan('app:session#index', { prefix: 'app:session:acme:', count: 500 })) { ... }
 */
export interface IndexScanOptions {
  /** Redis glob the members must match; omit for every live member. */
  match?: string;
  /**
   * Literal start every member must have (compared as bytes, no glob characters). Lets the store read
   * just that range of the index (Redis: `ZRANGEBYLEX` over the index's lexicographic set, O(log N + M))
   * instead of walking the whole set. Combine with `match` for the rest of the pattern.
   */
  prefix?: string;
  /** Members per round trip (default 1000). */
  count?: number;
}

/**
 * Options of {@link Store.scan}.
 *
 * @example
 * for await (const keys of store.scan('cache:session:acme:*', { count: 500 })) console.log(keys.length);
 */
export interface ScanOptions {
  /** The `COUNT` hint per SCAN call (default 1000). */
  count?: number;
}
