/** `Repository<E>`: the typed read/write API of one entity in one cache. */
import type { DeclaredKeyOf, EntityData, EntityInput, EntityKey, EntityMetadata } from '../entity/index.js';
import { InvalidKeyError } from '../errors/index.js';
import { KeyCodec } from '../keys/index.js';
import { planFind, Query, rebuildIndex, type FindOptions, type Pattern, type QuerySource } from '../query/index.js';
import type { RepositoryContext } from './context.js';
import { resolveTtl, type Loader, type ReadOptions, type WriteOptions } from './options.js';
import { EntityIO } from './entity-io.js';
import { nearHas } from './near-reads.js';
import { IndexSets } from './index-sets.js';
import { resolveFreshness } from './freshness.js';
import { LoadJobs, type LoadHooks } from './load-jobs.js';
import { resolveLock, type GetOrLoadOptions, type LockOptions } from './lock.js';
import { repositoryChannel } from '../diagnostics/channels.js';
import { traced } from './tracing.js';
import { closedCacheError, type Admission } from './admission.js';

/**
 * The typed repository of one entity: writes validate with zod and go to the store under the entity's
 * structured keys; reads decode, validate and return entities (instances of the class for decorated
 * entities). Get one with `cache.getRepository(Entity)`; repositories are cheap and cached per cache.
 *
 * `K` is the union of key field names when the type system knows it (`defineEntity`, `CacheKeys`, or
 * `getRepository<E, K>`); key objects are always checked at run time ({@link InvalidKeyError}).
 * `W` is what `save`, `insert` and `update` accept: for a decorated class {@link EntityInput} (plain
 * objects with the class's data properties, only the known key fields required, since the compiler
 * cannot tell a stored field from a field initializer or a getter), for a `defineEntity` entity
 * {@link EntityData} (every schema field required). Values are always validated by the zod schema.
 *
 * @example
 * const sessions = cache.getRepository(Session);
 * await sessions.save({ tenantId: 'acme', id, email: 'ann@acme.test', lastSeen: new Date(), roles: new Set(['admin']) });
 * const s = await sessions.get({ tenantId: 'acme', id }); // Session | undefined
 * await sessions.delete({ tenantId: 'acme', id });
 */
export class Repository<E, K extends keyof E = DeclaredKeyOf<E>, W = EntityInput<E, K>> {
  /** The entity's run-time description (name, TTL, key fields, schema). */
  readonly metadata: EntityMetadata;
  private readonly io: EntityIO<E>;
  private readonly loads: LoadJobs<E>;
  /**
   * The entity's index set (`find: 'index'`), e.g. `app:session#index`; `undefined` for `find: 'scan'`,
   * and for entities with a `hashTag`, which keep one index set per tag value (see {@link indexKeyOf}).
   */
  readonly indexKey: string | undefined;
  private readonly querySource: QuerySource<E>;

  /** @internal Use `cache.getRepository(Entity)`. */
  constructor(
    metadata: EntityMetadata,
    private readonly ctx: RepositoryContext,
  ) {
    this.metadata = metadata;
    const keys = new KeyCodec({
      prefix: ctx.prefix,
      entity: metadata.name,
      ...(metadata.version === undefined ? {} : { version: metadata.version }),
      fields: metadata.keyFields,
      ...(metadata.hashTag.length === 0 ? {} : { hashTag: metadata.hashTag }),
    });
    // '#' never appears in an encoded key part, so an index key can never be an entity key.
    const indexSets = new IndexSets(metadata.find === 'index', keys);
    this.indexKey = indexSets.single;
    const io = new EntityIO<E>(metadata, keys, ctx, indexSets);
    this.io = io;
    this.loads = new LoadJobs(io);
    this.querySource = io.querySource(false);
  }

  /**
   * Writes one entity or a batch (`SET key value PX ttl`; a batch in one atomic round trip). Every
   * entity is validated first: if any is invalid, {@link ValidationError} is thrown and nothing is
   * written. With `writes: 'async'` the call returns once the write is sent; failures become `error` events.
   *
   * @example
   * await repo.save(session);
   * await repo.save([a, b, c], { ttl: '5m' });
   */
  save(entity: W | readonly W[], options?: WriteOptions): Promise<void> {
    return this.op('save', entity, async () => {
      await this.io.commit('save', this.io.prepareWrites('save', entity, options));
    });
  }

  /**
   * Writes entities only where their key is free (`SET ... NX PX`). Answers per entity whether it was
   * written (`false`: an entry existed and was left untouched). Always waits for Redis' answer.
   *
   * @example
   * if (!(await idempotency.insert(record))) return replayStoredResponse();
   */
  insert(entity: W, options?: WriteOptions): Promise<boolean>;
  insert(entities: readonly W[], options?: WriteOptions): Promise<boolean[]>;
  insert(entity: W | readonly W[], options?: WriteOptions): Promise<boolean | boolean[]> {
    return this.op('insert', entity, async () => {
      const results = await this.io.write('insert', this.io.prepareWrites('insert', entity, options, 'NX'));
      return Array.isArray(entity) ? results : results[0]!;
    });
  }

  /**
   * Overwrites entities only where their key exists (`SET ... XX`), keeping the current TTL
   * (`KEEPTTL`) unless `ttl` is given. Answers per entity whether it was written (`false`: no entry).
   *
   * @example
   * await idempotency.update({ ...record, response }); // keeps the remaining TTL
   */
  update(entity: W, options?: WriteOptions): Promise<boolean>;
  update(entities: readonly W[], options?: WriteOptions): Promise<boolean[]>;
  update(entity: W | readonly W[], options?: WriteOptions): Promise<boolean | boolean[]> {
    return this.op('update', entity, async () => {
      const results = await this.io.write('update', this.io.prepareWrites('update', entity, options, 'XX'));
      return Array.isArray(entity) ? results : results[0]!;
    });
  }

  /**
   * Reads one entity (`GET`). A value that does not decode or validate is a miss: an `invalid` event
   * is emitted and the entry removed (with `strict: true`, {@link DecodeError} is thrown instead).
   * For an entity with a `grace` period, a stale entry is a miss unless `allowStale` (`GET` and `PTTL`
   * in one round trip; see docs/freshness.md).
   *
   * @example
   * const session = await repo.get({ tenantId: 'acme', id });
   * const maybeStale = await prices.get({ sku }, { allowStale: true });
   */
  get(key: EntityKey<E, K>, options?: ReadOptions): Promise<E | undefined> {
    // The hot path: one admission and, unless someone traces, no closure; the admitted call ends in
    // the same continuation that decodes the value (no promise step of its own).
    const gate = this.ctx.gate;
    if (gate.isShut) return Promise.reject(closedCacheError('get'));
    gate.enter('get');
    if (repositoryChannel.hasSubscribers) return gate.settle(traced(this, 'get', key, () => this.read(key, options, undefined)));
    return this.read(key, options, gate);
  }

  /** `get` itself; ends the admitted call on `gate` once settled, if given. */
  private read(key: EntityKey<E, K>, options: ReadOptions | undefined, gate: Admission | undefined): Promise<E | undefined> {
    let redisKey: string;
    try {
      redisKey = this.io.redisKey(key, 'get');
    } catch (err) {
      gate?.leave();
      return Promise.reject(err); // a bad key or a closed cache rejects, as from any async method
    }
    return this.io.read('get', redisKey, options?.allowStale === true, gate);
  }

  /**
   * Reads many entities in one round trip (`MGET`), answering in input order with `undefined` for
   * misses (and for stale entries, unless `allowStale`).
   *
   * @example
   * const [a, b] = await repo.getMany([{ tenantId: 'acme', id: idA }, { tenantId: 'acme', id: idB }]);
   */
  getMany(keys: readonly EntityKey<E, K>[], options?: ReadOptions): Promise<(E | undefined)[]> {
    return this.op('getMany', keys, async () =>
      this.io.fetch('getMany', keys.map((key) => this.io.redisKey(key, 'getMany')), options?.allowStale === true),
    );
  }

  /**
   * Removes one entry or many (`UNLINK`) and answers how many existed.
   *
   * @example
   * await repo.delete({ tenantId: 'acme', id });
   * await repo.delete([keyA, keyB]);
   */
  delete(key: EntityKey<E, K> | readonly EntityKey<E, K>[]): Promise<number> {
    return this.op('delete', key, async () => {
      const list = Array.isArray(key) ? (key as readonly EntityKey<E, K>[]) : [key as EntityKey<E, K>];
      const redisKeys = list.map((k) => this.io.redisKey(k, 'delete'));
      if (redisKeys.length === 0) return 0;
      return this.io.call('delete', redisKeys.length === 1 ? redisKeys[0] : undefined, () => this.io.indexSets.unlink(this.ctx.store, redisKeys));
    });
  }

  /**
   * Whether an entry exists (`EXISTS`), without reading or validating it.
   *
   * @example
   * if (await repo.exists({ tenantId: 'acme', id })) { ... }
   */
  exists(key: EntityKey<E, K>): Promise<boolean> {
    return this.op('exists', key, async () => {
      const redisKey = this.io.redisKey(key, 'exists');
      if (nearHas(this.io.near, redisKey)) return true;
      return this.io.call('exists', redisKey, () => this.ctx.store.exists(redisKey));
    });
  }

  /**
   * Remaining time to live in ms (`PTTL`): `undefined` when there is no entry, `Infinity` when it
   * never expires. For an entry with a grace period, the *fresh* time left (`0` once stale): the
   * entry stays in Redis for its grace beyond that.
   *
   * @example
   * const ms = await repo.ttl({ tenantId: 'acme', id });
   */
  ttl(key: EntityKey<E, K>): Promise<number | undefined> {
    return this.op('ttl', key, async () => {
      const redisKey = this.io.redisKey(key, 'ttl');
      if (this.metadata.graceMs > 0) return this.io.freshTtl(redisKey);
      const ms = await this.io.call('ttl', redisKey, () => this.ctx.store.pttl(redisKey));
      if (ms === -2) return undefined;
      return ms === -1 ? Infinity : ms;
    });
  }

  /**
   * Restarts an entry's TTL (`PEXPIRE`) with the entity's TTL or `ttl`; `'never'` removes the expiry
   * (`PERSIST`). Answers whether the entry existed (a stale one too, which becomes fresh again: the
   * expiry set is the TTL plus the entity's grace).
   *
   * @example
   * await repo.touch({ tenantId: 'acme', id }); // sliding expiration
   */
  touch(key: EntityKey<E, K>, ttl?: WriteOptions['ttl']): Promise<boolean> {
    return this.op('touch', key, async () => {
      const redisKey = this.io.redisKey(key, 'touch');
      const fresh = resolveTtl(ttl, this.metadata.ttlMs, this.metadata.name, 'touch');
      const ms = fresh === null ? null : fresh + this.metadata.graceMs;
      return this.io.call('touch', redisKey, () => this.ctx.store.expire(redisKey, ms, this.io.indexSets.optionFor(redisKey)));
    });
  }

  /**
   * Cache-aside read: returns the cached entity, or calls `loader`, caches what it returns and returns
   * it. Concurrent callers of one key share one loader call; a loader error reaches every waiter and
   * nothing is cached. A loader returning `undefined` caches nothing and resolves `undefined`.
   * With `lock: true`, processes sharing the Redis take a short lock per missing entry, so only one of
   * them runs the loader while the others wait (bounded) for its value (see {@link LockOptions}).
   *
   * Freshness (see docs/freshness.md): a stale entry (entity or call `grace`) is reloaded, and served
   * when the loader fails (`stale` event), takes longer than `softTimeout`, or than `hardTimeout`;
   * without a stale value, `hardTimeout` fails the call with {@link LoaderTimeoutError}. With
   * `refreshAhead`, a fresh entry past that fraction of its TTL is returned and reloaded in the background.
   *
   * @example
   * const user = await users.getOrLoad({ id }, (key) => db.users.findById(key.id));
   * const report = await reports.getOrLoad({ id }, buildReport, { ttl: '1h', lock: true });
   * const price = await prices.getOrLoad({ sku }, fetchPrice, { softTimeout: '200ms', hardTimeout: '2s' });
   */
  getOrLoad(key: EntityKey<E, K>, loader: Loader<E, K, W>, options?: GetOrLoadOptions): Promise<E | undefined> {
    return this.op('getOrLoad', key, () => this.cachedOrLoaded(key, loader, options));
  }

  /** `getOrLoad` itself. */
  private async cachedOrLoaded(key: EntityKey<E, K>, loader: Loader<E, K, W>, options?: GetOrLoadOptions): Promise<E | undefined> {
    const redisKey = this.io.redisKey(key, 'getOrLoad');
    const name = this.metadata.name;
    const lock = resolveLock(options?.lock, name);
    const freshness = resolveFreshness(options, this.metadata.graceMs, name);
    const ttlMs = resolveTtl(options?.ttl, this.metadata.ttlMs, name, 'getOrLoad');
    return this.loads.getOrLoad({
      redisKey,
      ttlMs,
      freshness,
      lock,
      load: (awaitWrite, hooks) => this.loadAndCache(key, redisKey, loader, { ttlMs, graceMs: freshness.graceMs }, awaitWrite, hooks),
    });
  }

  /**
   * `getOrLoad` on a miss: runs the loader, validates and caches its value (`awaitWrite`: wait for the
   * write even with `writes: 'async'`, for the lock's waiters). A value over `maxValueBytes` is returned
   * but not cached, and reported as an `error` event. A load `close()` gave up on is not written.
   */
  private async loadAndCache(
    key: EntityKey<E, K>,
    redisKey: string,
    loader: Loader<E, K, W>,
    expiry: { ttlMs: number | null; graceMs: number },
    awaitWrite: boolean,
    hooks: LoadHooks,
  ): Promise<E | undefined> {
    let loaded: Awaited<ReturnType<Loader<E, K, W>>>;
    try {
      loaded = await loader(key);
    } finally {
      hooks.loaderSettled();
    }
    return this.io.cacheLoaded(redisKey, loaded, expiry, awaitWrite, hooks.abandoned);
  }

  /**
   * Finds entities by a pattern over their fields: literals, or `prefix`, `suffix`, `contains`, `oneOf`,
   * `gt`, `gte`, `lt`, `lte`, `between` matchers. Key-field conditions become a `GET`, an `MGET` or the glob of a `SCAN MATCH` (or an index
   * walk for `find: 'index'` entities); the rest is filtered after the values are fetched. User input
   * can never widen the pattern: `find({ tenantId: '*' })` finds only the tenant named `*`.
   * Stale entries (a `grace` period) are skipped unless `{ allowStale: true }`. `{ orderBy: { field:
   * 'asc' | 'desc' }, limit }` sorts the results (see {@link FindOptions}).
   * Lazy and streaming: see {@link Query}. Throws {@link InvalidQueryError} for a pattern that cannot run.
   *
   * @example
   * const q = sessions.find({ tenantId: 'acme', id: prefix('a1'), email: contains('@corp') });
   * for await (const s of q) console.log(s.id);
   * await sessions.find({ tenantId: 'acme' }).delete();
   * const oldest = await sessions.find({ tenantId: 'acme', lastSeen: lt(cutoff) }, { orderBy: { lastSeen: 'asc' }, limit: 20 }).toArray();
   */
  find(pattern: Pattern<E>, options?: FindOptions<E>): Query<E, EntityKey<E, K>> {
    if (this.ctx.gate.isShut) throw closedCacheError('find');
    const plan = planFind({
      metadata: this.metadata,
      keys: this.io.keys,
      pattern: pattern as Record<string, unknown>,
      ...(this.io.indexSets.enabled ? { indexKey: this.io.indexSets.planIndex()! } : {}),
      ...(options?.batchSize === undefined ? {} : { batchSize: options.batchSize }),
      ...(options?.orderBy === undefined ? {} : { orderBy: options.orderBy }),
    });
    const allowStale = options?.allowStale === true;
    const source = this.metadata.graceMs === 0 && !allowStale ? this.querySource : this.io.querySource(allowStale);
    const query = new Query<E, EntityKey<E, K>>(source, plan);
    return options?.limit === undefined ? query : query.limit(options.limit);
  }

  /**
   * Rebuilds the index set of a `find: 'index'` entity from a `SCAN` of its keys (adds what is missing,
   * drops members whose key is gone, prunes expired ones; with a `hashTag`, every tag's set and the
   * registry listing them). Safe while other clients write. Answers how many entities are indexed. For
   * `find: 'scan'` entities there is nothing to rebuild: answers the number of keys found.
   *
   * @example
   * await sessions.reindex(); // after a deploy that switched the entity to find: 'index'
   */
  reindex(options: { batchSize?: number } = {}): Promise<number> {
    return this.op('reindex', undefined, async () => {
      this.ctx.assertOpen('reindex');
      return rebuildIndex({
        store: this.ctx.store,
        keys: this.io.keys,
        indexes: this.io.indexSets,
        batchSize: options.batchSize ?? 1000,
        call: (fn) => this.io.call('reindex', undefined, fn),
        ...(this.metadata.fieldIndexes.length > 0 ? { fieldEntries: (redisKeys: readonly string[]) => this.io.fieldSyncEntries(redisKeys) } : {}),
      });
    });
  }

  /**
   * Runs one repository operation: admitted by the cache (refused once `close()` was called, counted
   * until it settles) and traced on `cacheorm:repository` while someone subscribes. `run` must be an
   * `async` function (a bad key then rejects instead of throwing).
   */
  private op<T>(operation: string, subject: unknown, run: () => Promise<T>): Promise<T> {
    return this.ctx.gate.run(operation, () => traced(this, operation, subject, run));
  }

  /**
   * The Redis key of an entity or key object, e.g. `app:session:acme:42`. Throws
   * {@link InvalidKeyError} when a key field is missing or invalid.
   *
   * @example
   * repo.keyOf({ tenantId: 'acme', id: '42' }); // 'app:session:acme:42'
   */
  keyOf(key: EntityKey<E, K> | W): string {
    return this.io.encodeKey(key, 'keyOf');
  }

  /**
   * The index set that lists an entity's key (`find: 'index'`): the entity's one set, or with a
   * `hashTag` the set of its tag value, which shares the key's Redis Cluster slot. `undefined` for
   * `find: 'scan'`. Throws {@link InvalidKeyError} like {@link keyOf}.
   *
   * @example
   * repo.indexKeyOf({ tenantId: 'acme', id: '42' }); // 'app:session#index:{acme}' (hashTag: ['tenantId'])
   */
  indexKeyOf(key: EntityKey<E, K> | W): string | undefined {
    return this.io.indexSets.indexOf(this.io.encodeKey(key, 'indexKeyOf'));
  }
}
