/** `Repository<E>`: the typed read/write API of one entity in one cache. */
import type { DeclaredKeyOf, EntityData, EntityKey, EntityMetadata } from '../entity/index.js';
import { InvalidKeyError } from '../errors/index.js';
import { KeyCodec } from '../keys/index.js';
import { planFind, Query, rebuildIndex, type FindOptions, type Pattern, type QuerySource } from '../query/index.js';
import type { WriteOp } from '../store/store.js';
import type { RepositoryContext } from './context.js';
import { resolveTtl, type WriteOptions } from './options.js';
import { EntityIO } from './entity-io.js';
import { IndexSets } from './index-sets.js';
import { SingleFlight } from './single-flight.js';
import { loadWithLock, resolveLock, type GetOrLoadOptions, type LockOptions } from './lock.js';
import { valueTooLarge } from './value-size.js';
import { repositoryChannel } from '../diagnostics/channels.js';
import { traced } from './tracing.js';

/**
 * Loads an entity on a cache miss (`getOrLoad`). Returns `undefined` when there is nothing to cache.
 *
 * @example
 * const loader: Loader<Session, 'tenantId' | 'id'> = (key) => db.sessions.findOne(key);
 */
export type Loader<E, K extends keyof E = DeclaredKeyOf<E>> = (
  key: EntityKey<E, K>,
) => Promise<EntityData<E> | undefined> | EntityData<E> | undefined;

/**
 * The typed repository of one entity: writes validate with zod and go to the store under the entity's
 * structured keys; reads decode, validate and return entities (instances of the class for decorated
 * entities). Get one with `cache.getRepository(Entity)`; repositories are cheap and cached per cache.
 *
 * `K` is the union of key field names when the type system knows it (`defineEntity`, `CacheKeys`, or
 * `getRepository<E, K>`); key objects are always checked at run time ({@link InvalidKeyError}).
 *
 * @example
 * const sessions = cache.getRepository(Session);
 * await sessions.save({ tenantId: 'acme', id, email: 'ann@acme.test', lastSeen: new Date(), roles: new Set(['admin']) });
 * const s = await sessions.get({ tenantId: 'acme', id }); // Session | undefined
 * await sessions.delete({ tenantId: 'acme', id });
 */
export class Repository<E, K extends keyof E = DeclaredKeyOf<E>> {
  /** The entity's run-time description (name, TTL, key fields, schema). */
  readonly metadata: EntityMetadata;
  private readonly io: EntityIO<E>;
  private readonly loads = new SingleFlight<E | undefined>();
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
    this.querySource = {
      entity: metadata.name,
      store: ctx.store,
      keys,
      indexOption: this.indexKey === undefined ? {} : { index: this.indexKey },
      fetch: (redisKeys) => io.fetch('find', redisKeys),
      unlink: (redisKeys) => io.call('find.delete', undefined, () => indexSets.unlink(ctx.store, redisKeys)),
      call: (operation, fn) => io.call(operation, undefined, fn),
      assertOpen: (operation) => ctx.assertOpen(operation),
    };
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
  save(entity: EntityData<E> | readonly EntityData<E>[], options?: WriteOptions): Promise<void> {
    return traced(this, 'save', entity, async () => {
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
  insert(entity: EntityData<E>, options?: WriteOptions): Promise<boolean>;
  insert(entities: readonly EntityData<E>[], options?: WriteOptions): Promise<boolean[]>;
  insert(entity: EntityData<E> | readonly EntityData<E>[], options?: WriteOptions): Promise<boolean | boolean[]> {
    return traced(this, 'insert', entity, async () => {
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
  update(entity: EntityData<E>, options?: WriteOptions): Promise<boolean>;
  update(entities: readonly EntityData<E>[], options?: WriteOptions): Promise<boolean[]>;
  update(entity: EntityData<E> | readonly EntityData<E>[], options?: WriteOptions): Promise<boolean | boolean[]> {
    return traced(this, 'update', entity, async () => {
      const results = await this.io.write('update', this.io.prepareWrites('update', entity, options, 'XX'));
      return Array.isArray(entity) ? results : results[0]!;
    });
  }

  /**
   * Reads one entity (`GET`). A value that does not decode or validate is a miss: an `invalid` event
   * is emitted and the entry removed (with `strict: true`, {@link DecodeError} is thrown instead).
   *
   * @example
   * const session = await repo.get({ tenantId: 'acme', id });
   */
  get(key: EntityKey<E, K>): Promise<E | undefined> {
    // The hot path: no closure unless someone traces.
    if (repositoryChannel.hasSubscribers) return traced(this, 'get', key, () => this.read(key));
    return this.read(key);
  }

  /** `get` itself. */
  private read(key: EntityKey<E, K>): Promise<E | undefined> {
    let redisKey: string;
    try {
      redisKey = this.io.redisKey(key, 'get');
    } catch (err) {
      return Promise.reject(err); // a bad key or a closed cache rejects, as from any async method
    }
    return this.io.read('get', redisKey);
  }

  /**
   * Reads many entities in one round trip (`MGET`), answering in input order with `undefined` for misses.
   *
   * @example
   * const [a, b] = await repo.getMany([{ tenantId: 'acme', id: idA }, { tenantId: 'acme', id: idB }]);
   */
  getMany(keys: readonly EntityKey<E, K>[]): Promise<(E | undefined)[]> {
    return traced(this, 'getMany', keys, async () => this.io.fetch('getMany', keys.map((key) => this.io.redisKey(key, 'getMany'))));
  }

  /**
   * Removes one entry or many (`UNLINK`) and answers how many existed.
   *
   * @example
   * await repo.delete({ tenantId: 'acme', id });
   * await repo.delete([keyA, keyB]);
   */
  delete(key: EntityKey<E, K> | readonly EntityKey<E, K>[]): Promise<number> {
    return traced(this, 'delete', key, async () => {
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
    return traced(this, 'exists', key, async () => {
      const redisKey = this.io.redisKey(key, 'exists');
      return this.io.call('exists', redisKey, () => this.ctx.store.exists(redisKey));
    });
  }

  /**
   * Remaining time to live in ms (`PTTL`): `undefined` when there is no entry, `Infinity` when it
   * never expires.
   *
   * @example
   * const ms = await repo.ttl({ tenantId: 'acme', id });
   */
  ttl(key: EntityKey<E, K>): Promise<number | undefined> {
    return traced(this, 'ttl', key, async () => {
      const redisKey = this.io.redisKey(key, 'ttl');
      const ms = await this.io.call('ttl', redisKey, () => this.ctx.store.pttl(redisKey));
      if (ms === -2) return undefined;
      return ms === -1 ? Infinity : ms;
    });
  }

  /**
   * Restarts an entry's TTL (`PEXPIRE`) with the entity's TTL or `ttl`; `'never'` removes the expiry
   * (`PERSIST`). Answers whether the entry existed.
   *
   * @example
   * await repo.touch({ tenantId: 'acme', id }); // sliding expiration
   */
  touch(key: EntityKey<E, K>, ttl?: WriteOptions['ttl']): Promise<boolean> {
    return traced(this, 'touch', key, async () => {
      const redisKey = this.io.redisKey(key, 'touch');
      const ms = resolveTtl(ttl, this.metadata.ttlMs, this.metadata.name, 'touch');
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
   * @example
   * const user = await users.getOrLoad({ id }, (key) => db.users.findById(key.id));
   * const report = await reports.getOrLoad({ id }, buildReport, { ttl: '1h', lock: true });
   */
  getOrLoad(key: EntityKey<E, K>, loader: Loader<E, K>, options?: GetOrLoadOptions): Promise<E | undefined> {
    return traced(this, 'getOrLoad', key, () => this.cachedOrLoaded(key, loader, options));
  }

  /** `getOrLoad` itself. */
  private async cachedOrLoaded(key: EntityKey<E, K>, loader: Loader<E, K>, options?: GetOrLoadOptions): Promise<E | undefined> {
    const redisKey = this.io.redisKey(key, 'getOrLoad');
    const lock = resolveLock(options?.lock, this.metadata.name);
    return this.loads.run(redisKey, async () => {
      const load = (awaitWrite: boolean) => this.loadAndCache(key, redisKey, loader, options, awaitWrite);
      if (lock) return loadWithLock({ io: this.io, redisKey, lock, load });
      const raw = await this.io.call('getOrLoad', redisKey, () => this.ctx.store.get(redisKey));
      const cached = this.io.readValue(redisKey, raw);
      if (cached !== undefined) return cached;
      return load(false);
    });
  }

  /**
   * `getOrLoad` on a miss: runs the loader, validates and caches its value (`awaitWrite`: wait for the
   * write even with `writes: 'async'`, for the lock's waiters). A value over `maxValueBytes` is returned
   * but not cached, and reported as an `error` event.
   */
  private async loadAndCache(
    key: EntityKey<E, K>,
    redisKey: string,
    loader: Loader<E, K>,
    options: WriteOptions | undefined,
    awaitWrite: boolean,
  ): Promise<E | undefined> {
    const loaded = await loader(key);
    if (loaded === undefined) return undefined;
    const data = this.io.codec.validate(loaded, 'getOrLoad');
    const loadedKey = this.io.keys.encode(data);
    if (loadedKey !== redisKey) {
      throw new InvalidKeyError(
        `The loader of entity "${this.metadata.name}" returned an entity whose key (${loadedKey}) differs from the requested one (${redisKey}). Return the entity for the requested key, or undefined.`,
        { entity: this.metadata.name, operation: 'getOrLoad', key: redisKey },
      );
    }
    const ttl = resolveTtl(options?.ttl, this.metadata.ttlMs, this.metadata.name, 'getOrLoad');
    const op: WriteOp = { key: redisKey, value: this.io.codec.serialize(data), ttl, ...this.io.indexSets.optionFor(redisKey) };
    const tooLarge = valueTooLarge(op, this.ctx.maxValueBytes, this.metadata.name, 'getOrLoad');
    if (tooLarge) this.ctx.events.emitError(tooLarge);
    else await this.io.commit('getOrLoad', [op], awaitWrite);
    return this.io.codec.materialize(data);
  }

  /**
   * Finds entities by a pattern over their fields: literals, or `prefix`, `suffix`, `contains`, `oneOf`
   * matchers. Key-field conditions become a `GET`, an `MGET` or the glob of a `SCAN MATCH` (or an index
   * walk for `find: 'index'` entities); the rest is filtered after the values are fetched. User input
   * can never widen the pattern: `find({ tenantId: '*' })` finds only the tenant named `*`.
   * Lazy and streaming: see {@link Query}. Throws {@link InvalidQueryError} for a pattern that cannot run.
   *
   * @example
   * const q = sessions.find({ tenantId: 'acme', id: prefix('a1'), email: contains('@corp') });
   * for await (const s of q) console.log(s.id);
   * await sessions.find({ tenantId: 'acme' }).delete();
   */
  find(pattern: Pattern<E>, options?: FindOptions): Query<E, EntityKey<E, K>> {
    this.ctx.assertOpen('find');
    const plan = planFind({
      metadata: this.metadata,
      keys: this.io.keys,
      pattern: pattern as Record<string, unknown>,
      ...(this.io.indexSets.enabled ? { indexKey: this.io.indexSets.planIndex()! } : {}),
      ...(options?.batchSize === undefined ? {} : { batchSize: options.batchSize }),
    });
    const query = new Query<E, EntityKey<E, K>>(this.querySource, plan);
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
    return traced(this, 'reindex', undefined, async () => {
      this.ctx.assertOpen('reindex');
      return rebuildIndex({
        store: this.ctx.store,
        keys: this.io.keys,
        indexes: this.io.indexSets,
        batchSize: options.batchSize ?? 1000,
        call: (fn) => this.io.call('reindex', undefined, fn),
      });
    });
  }

  /**
   * The Redis key of an entity or key object, e.g. `app:session:acme:42`. Throws
   * {@link InvalidKeyError} when a key field is missing or invalid.
   *
   * @example
   * repo.keyOf({ tenantId: 'acme', id: '42' }); // 'app:session:acme:42'
   */
  keyOf(key: EntityKey<E, K> | EntityData<E>): string {
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
  indexKeyOf(key: EntityKey<E, K> | EntityData<E>): string | undefined {
    return this.io.indexSets.indexOf(this.io.encodeKey(key, 'indexKeyOf'));
  }
}
