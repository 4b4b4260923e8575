/** `Repository<E>`: the typed read/write API of one entity in one cache. */
import { EntityCodec } from '../codec/index.js';
import type { DeclaredKeyOf, EntityData, EntityKey, EntityMetadata } from '../entity/index.js';
import { InvalidKeyError, type CacheOrmError } from '../errors/index.js';
import { KeyCodec } from '../keys/index.js';
import type { WriteOp } from '../store/store.js';
import type { RepositoryContext } from './context.js';
import { resolveTtl, type WriteOptions } from './options.js';
import { SingleFlight } from './single-flight.js';
import { toCacheOrmError } from './store-errors.js';

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
  private readonly keys: KeyCodec;
  private readonly codec: EntityCodec<E>;
  private readonly loads = new SingleFlight<E | undefined>();

  /** @internal Use `cache.getRepository(Entity)`. */
  constructor(
    metadata: EntityMetadata,
    private readonly ctx: RepositoryContext,
  ) {
    this.metadata = metadata;
    this.keys = new KeyCodec({
      prefix: ctx.prefix,
      entity: metadata.name,
      ...(metadata.version === undefined ? {} : { version: metadata.version }),
      fields: metadata.keyFields,
    });
    this.codec = new EntityCodec<E>(metadata);
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
  async save(entity: EntityData<E> | readonly EntityData<E>[], options?: WriteOptions): Promise<void> {
    const ops = this.prepareWrites('save', entity, options);
    if (this.ctx.writes === 'async') {
      this.ctx.track(this.writeInBackground('save', ops));
      return;
    }
    await this.write('save', ops);
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
  async insert(entity: EntityData<E> | readonly EntityData<E>[], options?: WriteOptions): Promise<boolean | boolean[]> {
    const results = await this.write('insert', this.prepareWrites('insert', entity, options, 'NX'));
    return Array.isArray(entity) ? results : results[0]!;
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
  async update(entity: EntityData<E> | readonly EntityData<E>[], options?: WriteOptions): Promise<boolean | boolean[]> {
    const results = await this.write('update', this.prepareWrites('update', entity, options, 'XX'));
    return Array.isArray(entity) ? results : results[0]!;
  }

  /**
   * Reads one entity (`GET`). A value that does not decode or validate is a miss: an `invalid` event
   * is emitted and the entry removed (with `strict: true`, {@link DecodeError} is thrown instead).
   *
   * @example
   * const session = await repo.get({ tenantId: 'acme', id });
   */
  async get(key: EntityKey<E, K>): Promise<E | undefined> {
    const redisKey = this.redisKey(key, 'get');
    const raw = await this.call('get', redisKey, () => this.ctx.store.get(redisKey));
    return this.readValue(redisKey, raw);
  }

  /**
   * Reads many entities in one round trip (`MGET`), answering in input order with `undefined` for misses.
   *
   * @example
   * const [a, b] = await repo.getMany([{ tenantId: 'acme', id: idA }, { tenantId: 'acme', id: idB }]);
   */
  async getMany(keys: readonly EntityKey<E, K>[]): Promise<(E | undefined)[]> {
    const redisKeys = keys.map((key) => this.redisKey(key, 'getMany'));
    if (redisKeys.length === 0) return [];
    const raws = await this.call('getMany', undefined, () => this.ctx.store.mget(redisKeys));
    return raws.map((raw, i) => this.readValue(redisKeys[i]!, raw ?? null));
  }

  /**
   * Removes one entry or many (`UNLINK`) and answers how many existed.
   *
   * @example
   * await repo.delete({ tenantId: 'acme', id });
   * await repo.delete([keyA, keyB]);
   */
  async delete(key: EntityKey<E, K> | readonly EntityKey<E, K>[]): Promise<number> {
    const list = Array.isArray(key) ? (key as readonly EntityKey<E, K>[]) : [key as EntityKey<E, K>];
    const redisKeys = list.map((k) => this.redisKey(k, 'delete'));
    if (redisKeys.length === 0) return 0;
    return this.call('delete', redisKeys.length === 1 ? redisKeys[0] : undefined, () => this.ctx.store.unlink(redisKeys));
  }

  /**
   * Whether an entry exists (`EXISTS`), without reading or validating it.
   *
   * @example
   * if (await repo.exists({ tenantId: 'acme', id })) { ... }
   */
  async exists(key: EntityKey<E, K>): Promise<boolean> {
    const redisKey = this.redisKey(key, 'exists');
    return this.call('exists', redisKey, () => this.ctx.store.exists(redisKey));
  }

  /**
   * Remaining time to live in ms (`PTTL`): `undefined` when there is no entry, `Infinity` when it
   * never expires.
   *
   * @example
   * const ms = await repo.ttl({ tenantId: 'acme', id });
   */
  async ttl(key: EntityKey<E, K>): Promise<number | undefined> {
    const redisKey = this.redisKey(key, 'ttl');
    const ms = await this.call('ttl', redisKey, () => this.ctx.store.pttl(redisKey));
    if (ms === -2) return undefined;
    return ms === -1 ? Infinity : ms;
  }

  /**
   * Restarts an entry's TTL (`PEXPIRE`) with the entity's TTL or `ttl`; `'never'` removes the expiry
   * (`PERSIST`). Answers whether the entry existed.
   *
   * @example
   * await repo.touch({ tenantId: 'acme', id }); // sliding expiration
   */
  async touch(key: EntityKey<E, K>, ttl?: WriteOptions['ttl']): Promise<boolean> {
    const redisKey = this.redisKey(key, 'touch');
    const ms = resolveTtl(ttl, this.metadata.ttlMs, this.metadata.name, 'touch');
    return this.call('touch', redisKey, () => this.ctx.store.expire(redisKey, ms));
  }

  /**
   * Cache-aside read: returns the cached entity, or calls `loader`, caches what it returns and returns
   * it. Concurrent callers of one key share one loader call; a loader error reaches every waiter and
   * nothing is cached. A loader returning `undefined` caches nothing and resolves `undefined`.
   *
   * @example
   * const user = await users.getOrLoad({ id }, (key) => db.users.findById(key.id));
   */
  async getOrLoad(key: EntityKey<E, K>, loader: Loader<E, K>, options?: WriteOptions): Promise<E | undefined> {
    const redisKey = this.redisKey(key, 'getOrLoad');
    return this.loads.run(redisKey, async () => {
      const raw = await this.call('getOrLoad', redisKey, () => this.ctx.store.get(redisKey));
      const cached = this.readValue(redisKey, raw);
      if (cached !== undefined) return cached;
      const loaded = await loader(key);
      if (loaded === undefined) return undefined;
      const data = this.codec.validate(loaded, 'getOrLoad');
      const loadedKey = this.keys.encode(data);
      if (loadedKey !== redisKey) {
        throw new InvalidKeyError(
          `The loader of entity "${this.metadata.name}" returned an entity whose key (${loadedKey}) differs from the requested one (${redisKey}). Return the entity for the requested key, or undefined.`,
          { entity: this.metadata.name, operation: 'getOrLoad', key: redisKey },
        );
      }
      const ttl = resolveTtl(options?.ttl, this.metadata.ttlMs, this.metadata.name, 'getOrLoad');
      const ops: WriteOp[] = [{ key: redisKey, value: this.codec.serialize(data), ttl }];
      if (this.ctx.writes === 'async') this.ctx.track(this.writeInBackground('getOrLoad', ops));
      else await this.write('getOrLoad', ops);
      return this.codec.materialize(data);
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
    return this.redisKey(key, 'keyOf');
  }

  private redisKey(key: unknown, operation: string): string {
    this.ctx.assertOpen(operation);
    if (key === null || typeof key !== 'object') {
      throw new InvalidKeyError(
        `${operation} of entity "${this.metadata.name}" needs a key object with ${this.keyFieldList()}, got ${key === null ? 'null' : typeof key}.`,
        { entity: this.metadata.name, operation },
      );
    }
    try {
      return this.keys.encode(key as Record<string, unknown>);
    } catch (err) {
      if (err instanceof InvalidKeyError && err.operation === undefined) {
        throw new InvalidKeyError(`${operation}: ${err.message}`, { entity: this.metadata.name, operation, ...(err.field === undefined ? {} : { field: err.field }) }, { cause: err });
      }
      throw err;
    }
  }

  private keyFieldList(): string {
    return this.metadata.keyFields.map((f) => f.name).join(', ');
  }

  private prepareWrites(
    operation: string,
    input: EntityData<E> | readonly EntityData<E>[],
    options: WriteOptions | undefined,
    mode?: 'NX' | 'XX',
  ): WriteOp[] {
    this.ctx.assertOpen(operation);
    const batch = Array.isArray(input);
    const items: readonly unknown[] = batch ? input : [input];
    const ttl = mode === 'XX' && options?.ttl === undefined ? 'keep' : resolveTtl(options?.ttl, this.metadata.ttlMs, this.metadata.name, operation);
    // Validate everything before anything is serialized or sent: one bad item writes nothing.
    const data = items.map((item, i) => this.codec.validate(item, operation, batch ? i : undefined));
    return data.map((d) => ({
      key: this.keys.encode(d),
      value: this.codec.serialize(d),
      ttl,
      ...(mode ? { mode } : {}),
    }));
  }

  private async write(operation: string, ops: WriteOp[]): Promise<boolean[]> {
    if (ops.length === 0) return [];
    const results = await this.call(operation, ops.length === 1 ? ops[0]!.key : undefined, () => this.ctx.store.write(ops));
    for (const applied of results) if (applied) this.ctx.stats.writes++;
    return results;
  }

  private writeInBackground(operation: string, ops: WriteOp[]): Promise<void> {
    return this.write(operation, ops).then(
      () => undefined,
      (err: CacheOrmError) => this.ctx.events.emitError(err),
    );
  }

  /** Runs a store call, turning failures into counted cacheorm errors. */
  private call<T>(operation: string, key: string | undefined, fn: () => Promise<T>): Promise<T> {
    let pending: Promise<T>;
    try {
      pending = fn();
    } catch (err) {
      pending = Promise.reject(err); // a custom store that throws synchronously
    }
    return pending.catch((err: unknown): never => {
      this.ctx.stats.errors++;
      throw toCacheOrmError(err, { entity: this.metadata.name, operation, store: this.ctx.store.kind, ...(key === undefined ? {} : { key }) });
    });
  }

  /** Decodes a raw value: a hit, a miss, or an invalid entry (miss + event + removal, or DecodeError in strict mode). */
  private readValue(redisKey: string, raw: string | null): E | undefined {
    if (raw === null) {
      this.ctx.stats.misses++;
      return undefined;
    }
    const decoded = this.codec.decode(raw, redisKey);
    if (decoded.ok) {
      this.ctx.stats.hits++;
      return decoded.value;
    }
    this.ctx.stats.misses++;
    this.ctx.stats.invalid++;
    this.ctx.events.emitInvalid({ entity: this.metadata.name, key: redisKey, error: decoded.error });
    if (this.ctx.strict) throw decoded.error;
    this.ctx.track(this.removeInvalid(redisKey, raw));
    return undefined;
  }

  /** Removes an invalid entry, unless it was rewritten since it was read. */
  private removeInvalid(redisKey: string, raw: string): Promise<void> {
    return this.call('removeInvalid', redisKey, () => this.ctx.store.deleteIfEquals(redisKey, raw)).then(
      () => undefined,
      (err: CacheOrmError) => this.ctx.events.emitError(err),
    );
  }
}
