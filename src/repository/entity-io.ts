/** The mechanics behind a repository: keys, validation, store calls, decoding. @internal */
import { EntityCodec } from '../codec/index.js';
import type { EntityData, EntityMetadata } from '../entity/index.js';
import { InvalidKeyError, type CacheOrmError } from '../errors/index.js';
import type { KeyCodec } from '../keys/index.js';
import type { WriteOp } from '../store/store.js';
import type { RepositoryContext } from './context.js';
import type { IndexSets } from './index-sets.js';
import { resolveTtl, type WriteOptions } from './options.js';
import { toCacheOrmError } from './store-errors.js';
import { assertValueSizes, oversizedValue } from './value-size.js';

/** Keys, validation, store calls and decoding for one entity in one cache. @internal */
export class EntityIO<E> {
  readonly codec: EntityCodec<E>;

  constructor(
    readonly metadata: EntityMetadata,
    readonly keys: KeyCodec,
    readonly ctx: RepositoryContext,
    /** The entity's index sets (`find: 'index'`): which one each key's writes and removals update. */
    readonly indexSets: IndexSets,
  ) {
    this.codec = new EntityCodec<E>(metadata, keys);
  }

  /** The Redis key for a store call: fails on a closed cache, then encodes. */
  redisKey(key: unknown, operation: string): string {
    this.ctx.assertOpen(operation);
    return this.encodeKey(key, operation);
  }

  /** Encodes a key object (no I/O, so it works on a closed cache too), with errors naming `operation`. */
  encodeKey(key: unknown, operation: string): string {
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

  keyFieldList(): string {
    return this.metadata.keyFields.map((f) => f.name).join(', ');
  }

  prepareWrites(
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
    const ops: WriteOp[] = data.map((d) => {
      const key = this.keys.encodeData(d);
      return { key, value: this.codec.serialize(d), ttl, ...(mode ? { mode } : {}), ...this.indexSets.optionFor(key) };
    });
    assertValueSizes(ops, this.ctx.maxValueBytes, this.metadata.name, operation);
    return ops;
  }

  /** MGET + decode, in input order. */
  async fetch(operation: string, redisKeys: readonly string[]): Promise<(E | undefined)[]> {
    if (redisKeys.length === 0) return [];
    const raws = await this.call(operation, undefined, () => this.ctx.store.mget(redisKeys));
    return raws.map((raw, i) => this.readValue(redisKeys[i]!, raw ?? null));
  }

  async write(operation: string, ops: WriteOp[]): Promise<boolean[]> {
    if (ops.length === 0) return [];
    const results = await this.call(operation, ops.length === 1 ? ops[0]!.key : undefined, () => this.ctx.store.write(ops));
    for (const applied of results) if (applied) this.ctx.stats.writes++;
    // Hash-tag index entities: list the index sets written to in the registry (for finds across tags).
    // Only they have a registry; skipping the call otherwise saves every other write a promise round.
    if (this.indexSets.registry !== undefined) {
      await this.call(operation, undefined, () => this.indexSets.registerAfterWrite(this.ctx.store, ops, results));
    }
    return results;
  }

  /**
   * Writes `ops` in the cache's write mode: `sync` waits for the store (failures throw); `async`
   * returns at once (or, with `wait`, once the write settled), tracks the write for `close()` and
   * reports a failure as an `error` event.
   */
  async commit(operation: string, ops: WriteOp[], wait = false): Promise<void> {
    if (this.ctx.writes === 'sync') {
      await this.write(operation, ops);
      return;
    }
    if (wait) {
      await this.write(operation, ops).catch((err: CacheOrmError) => this.ctx.events.emitError(err));
      return;
    }
    this.ctx.track(
      this.write(operation, ops).then(
        () => undefined,
        (err: CacheOrmError) => this.ctx.events.emitError(err),
      ),
    );
  }

  /** Runs a store call, turning failures into counted cacheorm errors. */
  call<T>(operation: string, key: string | undefined, fn: () => Promise<T>): Promise<T> {
    return started(fn).catch((err: unknown): never => {
      throw this.failure(err, operation, key);
    });
  }

  /**
   * `GET` and decode, in one promise step (the hot path of `get`: no `async` layers in between).
   * Rejects with what {@link EntityIO.call} and {@link EntityIO.readValue} throw.
   */
  read(operation: string, redisKey: string): Promise<E | undefined> {
    return started(() => this.ctx.store.get(redisKey)).then(
      (raw) => this.readValue(redisKey, raw),
      (err: unknown): never => {
        throw this.failure(err, operation, redisKey);
      },
    );
  }

  /** A failed store call as a counted cacheorm error. */
  private failure(err: unknown, operation: string, key: string | undefined): CacheOrmError {
    this.ctx.stats.errors++;
    return toCacheOrmError(err, { entity: this.metadata.name, operation, store: this.ctx.store.kind, ...(key === undefined ? {} : { key }) });
  }

  /** Decodes a raw value: a hit, a miss, or an invalid entry (miss + event + removal, or DecodeError in strict mode). */
  readValue(redisKey: string, raw: string | null): E | undefined {
    if (raw === null) {
      this.ctx.stats.misses++;
      return undefined;
    }
    const oversized = oversizedValue(raw, this.ctx.maxValueBytes, this.metadata.name, redisKey);
    const decoded = oversized ? { ok: false as const, error: oversized } : this.codec.decode(raw, redisKey);
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
  removeInvalid(redisKey: string, raw: string): Promise<void> {
    return this.call('removeInvalid', redisKey, () => this.ctx.store.deleteIfEquals(redisKey, raw, this.indexSets.optionFor(redisKey))).then(
      () => undefined,
      (err: CacheOrmError) => this.ctx.events.emitError(err),
    );
  }
}

/** `fn()`, with a synchronous throw (a custom store's) as a rejection. */
function started<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return fn();
  } catch (err) {
    return Promise.reject(err);
  }
}
