/** The mechanics behind a repository: keys, validation, store calls, decoding. @internal */
import type { Admission } from './admission.js';
import { EntityCodec } from '../codec/index.js';
import type { EntityMetadata } from '../entity/index.js';
import { fieldEntries } from '../entity/field-index.js';
import { InvalidKeyError, type CacheOrmError } from '../errors/index.js';
import type { KeyCodec } from '../keys/index.js';
import type { QuerySource } from '../query/index.js';
import { getWithPttl } from '../store/layers/decorator.js';
import type { FieldSyncEntry, WriteOp } from '../store/store.js';
import type { RepositoryContext } from './context.js';
import { freshMsLeft, graceWrite, hasGraceHeader, splitGrace, type Entry, type EntryState, type StaleMode } from './freshness.js';
import { nearFetch, nearGet, nearHit, nearReadThrough, NOT_KEPT, type NearReader } from './near-reads.js';
import type { NearCache } from '../store/near/index.js';

export type { Entry, StaleMode } from './freshness.js';
import type { IndexSets } from './index-sets.js';
import { resolveTtl, type WriteOptions } from './options.js';
import { toCacheOrmError } from './store-errors.js';
import { assertValueSizes, oversizedValue, valueTooLarge } from './value-size.js';

const MISS: Entry<never> = Object.freeze({ value: undefined, state: 'miss', freshMs: 0 });

/** Keys, validation, store calls and decoding for one entity in one cache. @internal */
export class EntityIO<E> implements NearReader<E> {
  readonly codec: EntityCodec<E>;
  /** The cache's near cache, unless this entity opted out (`nearCache: false`) or there is none. */
  readonly near: NearCache | undefined;

  constructor(
    readonly metadata: EntityMetadata,
    readonly keys: KeyCodec,
    readonly ctx: RepositoryContext,
    /** The entity's index sets (`find: 'index'`): which one each key's writes and removals update. */
    readonly indexSets: IndexSets,
  ) {
    this.codec = new EntityCodec<E>(metadata, keys);
    this.near = metadata.nearCache ? ctx.near : undefined;
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

  /** Validates and encodes one entity or a batch (`input` is whatever the caller's write type allowed: zod decides). */
  prepareWrites(
    operation: string,
    input: unknown,
    options: WriteOptions | undefined,
    mode?: 'NX' | 'XX',
  ): WriteOp[] {
    this.ctx.assertOpen(operation);
    const batch = Array.isArray(input);
    const items: readonly unknown[] = batch ? input : [input];
    const ttl = mode === 'XX' && options?.ttl === undefined ? 'keep' : resolveTtl(options?.ttl, this.metadata.ttlMs, this.metadata.name, operation);
    // Validate everything before anything is serialized or sent: one bad item writes nothing.
    const data = items.map((item, i) => this.codec.validate(item, operation, batch ? i : undefined));
    const graceMs = this.metadata.graceMs;
    const ops: WriteOp[] = data.map((d) => {
      const key = this.keys.encodeData(d);
      const stored = graceWrite(this.codec.serialize(d), ttl, graceMs);
      return { key, value: stored.value, ttl: stored.ttl, ...(mode ? { mode } : {}), ...this.indexFields(key, d) };
    });
    assertValueSizes(ops, this.ctx.maxValueBytes, this.metadata.name, operation);
    return ops;
  }

  /**
   * The index fields of a write of `redisKey` holding `data` (validated): its index set and registry,
   * and, for an entity with field indexes, its field entries (docs/find.md, "Field indexes").
   */
  indexFields(redisKey: string, data: unknown): Pick<WriteOp, 'index' | 'registry' | 'fields'> {
    const option = this.indexSets.writeOption(redisKey);
    const indexes = this.metadata.fieldIndexes;
    if (indexes.length === 0 || option.index === undefined) return option;
    return { ...option, fields: fieldEntries(indexes, data as Record<string, unknown>) };
  }

  /**
   * `reindex()` of field indexes: the stored value and field entries of each of `redisKeys` that holds
   * a decodable value (others are skipped: a read removes them).
   */
  async fieldSyncEntries(redisKeys: readonly string[]): Promise<FieldSyncEntry[]> {
    const raws = await this.ctx.store.mget(redisKeys);
    const out: FieldSyncEntry[] = [];
    raws.forEach((raw, i) => {
      if (raw === null || raw === undefined) return;
      const key = redisKeys[i]!;
      const decoded = this.codec.decode(splitGrace(raw).payload, key);
      if (decoded.ok) out.push({ key, value: raw, fields: fieldEntries(this.metadata.fieldIndexes, decoded.value as Record<string, unknown>) });
    });
    return out;
  }

  /**
   * MGET + decode, in input order; stale entries are skipped unless `allowStale`. For an entity with a
   * grace period, the keys' PTTLs are read in the same round trip.
   */
  async fetch(operation: string, redisKeys: readonly string[], allowStale = false): Promise<(E | undefined)[]> {
    if (redisKeys.length === 0) return [];
    if (this.near !== undefined) return nearFetch(this, this.near, operation, redisKeys, allowStale);
    const store = this.ctx.store;
    const timed = this.metadata.graceMs > 0;
    const [raws, pttls] = await this.call(operation, undefined, () =>
      Promise.all([store.mget(redisKeys), timed ? Promise.all(redisKeys.map((k) => store.pttl(k))) : undefined]),
    );
    if (!timed && !raws.some((raw) => raw != null && hasGraceHeader(raw))) {
      return raws.map((raw, i) => this.readValue(redisKeys[i]!, raw ?? null));
    }
    const stale: StaleMode = allowStale ? 'serve' : 'skip';
    const entries = await Promise.all(raws.map((raw, i) => this.judge(operation, redisKeys[i]!, raw ?? null, pttls?.[i], stale)));
    return entries.map((e) => e.value);
  }

  /**
   * One entry with its freshness: `GET`, with `PTTL` in the same round trip when `withPttl` (else a
   * `PTTL` follows only for a value carrying a grace header).
   */
  async entry(operation: string, redisKey: string, withPttl: boolean, stale: StaleMode): Promise<Entry<E>> {
    const near = this.near;
    if (near !== undefined) {
      const kept = near.lookup(redisKey);
      return kept === undefined ? nearReadThrough(this, near, operation, redisKey, stale, withPttl) : nearHit(this, near, kept, stale);
    }
    const store = this.ctx.store;
    const [raw, pttl] = await this.call(operation, redisKey, (): Promise<readonly [string | null, number | undefined]> =>
      withPttl ? getWithPttl(store, redisKey) : store.get(redisKey).then((r) => [r, undefined] as const),
    );
    return this.judge(operation, redisKey, raw, pttl, stale);
  }

  /** `ttl()` of an entity with grace: the fresh time left (`0` when stale, `undefined` when gone), from GET + PTTL. */
  async freshTtl(redisKey: string): Promise<number | undefined> {
    const store = this.ctx.store;
    const [raw, pttl] = await this.call('ttl', redisKey, () => getWithPttl(store, redisKey));
    return raw === null || pttl === -2 ? undefined : freshMsLeft(pttl, splitGrace(raw).graceMs);
  }

  /**
   * Decodes a raw value with its freshness. Counts fresh hits and misses; a stale entry counts as a
   * miss (`skip`), a stale hit (`serve`) or not at all (`keep`).
   */
  private judge(operation: string, redisKey: string, raw: string | null, pttl: number | undefined, stale: StaleMode): Entry<E> | Promise<Entry<E>> {
    if (raw !== null && pttl === undefined && hasGraceHeader(raw)) {
      // A value with a grace header read without its PTTL (an entity without grace, a per-call grace).
      return this.call(operation, redisKey, () => this.ctx.store.pttl(redisKey)).then((ms) => this.judge(operation, redisKey, raw, ms, stale));
    }
    if (raw === null) {
      if (stale !== 'peek') this.ctx.stats.misses++;
      return MISS;
    }
    const { graceMs, payload } = splitGrace(raw);
    const freshMs = pttl === undefined ? Infinity : freshMsLeft(pttl, graceMs);
    const state: EntryState = graceMs === 0 || freshMs > 0 ? 'fresh' : 'stale';
    if (state === 'stale' && (stale === 'skip' || stale === 'peek')) {
      if (stale === 'skip') this.ctx.stats.misses++;
      return { value: undefined, state, freshMs };
    }
    const value = this.decodeStored(redisKey, raw, payload, state === 'fresh');
    if (value === undefined) return MISS;
    if (state === 'stale' && stale === 'serve') this.ctx.stats.staleHits++;
    return { value, state, freshMs };
  }

  async write(operation: string, ops: WriteOp[]): Promise<boolean[]> {
    if (ops.length === 0) return [];
    const results = await this.call(operation, ops.length === 1 ? ops[0]!.key : undefined, () => this.ctx.store.write(ops));
    for (const applied of results) if (applied) this.ctx.stats.writes++;
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

  /**
   * Caches what a `getOrLoad` loader returned for `redisKey`: validates it, checks that it is the
   * entity of the requested key ({@link InvalidKeyError} otherwise), writes it with the call's TTL and
   * grace (`awaitWrite`: even with `writes: 'async'`, for the lock's waiters) unless the load was
   * `abandoned` by `close()`, and answers it materialized. A value over `maxValueBytes` is returned but
   * not cached, and reported as an `error` event.
   */
  async cacheLoaded(
    redisKey: string,
    loaded: unknown,
    expiry: { ttlMs: number | null; graceMs: number },
    awaitWrite: boolean,
    abandoned: boolean,
  ): Promise<E | undefined> {
    if (loaded === undefined) return undefined;
    const data = this.codec.validate(loaded, 'getOrLoad');
    const loadedKey = this.keys.encodeData(data);
    if (loadedKey !== redisKey) {
      throw new InvalidKeyError(
        `The loader of entity "${this.metadata.name}" returned an entity whose key (${loadedKey}) differs from the requested one (${redisKey}). Return the entity for the requested key, or undefined.`,
        { entity: this.metadata.name, operation: 'getOrLoad', key: redisKey },
      );
    }
    if (abandoned) return this.codec.materialize(data);
    const stored = graceWrite(this.codec.serialize(data), expiry.ttlMs, expiry.graceMs);
    const op: WriteOp = { key: redisKey, value: stored.value, ttl: stored.ttl, ...this.indexFields(redisKey, data) };
    const tooLarge = valueTooLarge(op, this.ctx.maxValueBytes, this.metadata.name, 'getOrLoad');
    if (tooLarge) this.ctx.events.emitError(tooLarge);
    else await this.commit('getOrLoad', [op], awaitWrite);
    return this.codec.materialize(data);
  }

  /**
   * What a `find` of this entity reads through: fetches (skipping stale entries unless `allowStale`),
   * unlinks with the index, store calls with the repository's error handling, and the cache's admission.
   */
  querySource(allowStale: boolean): QuerySource<E> {
    const { ctx, indexSets } = this;
    return {
      entity: this.metadata.name,
      store: ctx.store,
      keys: this.keys,
      indexOption: indexSets.single === undefined ? {} : { index: indexSets.single },
      fetch: (redisKeys) => this.fetch('find', redisKeys, allowStale),
      ...(this.metadata.graceMs > 0 && !allowStale ? { skipsStale: true } : {}),
      unlink: (redisKeys) => this.call('find.delete', undefined, () => indexSets.unlink(ctx.store, redisKeys)),
      call: (operation, fn) => this.call(operation, undefined, fn),
      assertOpen: (operation) => ctx.assertOpen(operation),
      admit: (operation, run) => ctx.gate.run(operation, run),
      admitIteration: (operation, iterator) => ctx.gate.iterate(operation, iterator),
    };
  }

  /** Runs a store call, turning failures into counted cacheorm errors. */
  call<T>(operation: string, key: string | undefined, fn: () => Promise<T>): Promise<T> {
    return started(fn).catch((err: unknown): never => {
      throw this.failure(err, operation, key);
    });
  }

  /**
   * `GET` and decode, in one promise step (the hot path of `get`: no `async` layers in between).
   * Rejects with what {@link EntityIO.call} and {@link EntityIO.readValue} throw. With `gate`, ends that
   * admitted call once the read settled, in the same step.
   */
  read(operation: string, redisKey: string, allowStale = false, gate?: Admission): Promise<E | undefined> {
    const stale: StaleMode = allowStale ? 'serve' : 'skip';
    const near = this.near;
    if (near !== undefined) {
      // A kept entry answers at once (its admitted call ends here); else one read that may fill it.
      let kept: E | undefined | typeof NOT_KEPT;
      try {
        kept = nearGet(this, near, redisKey, allowStale);
      } catch (err) {
        gate?.leave();
        return Promise.reject(err);
      }
      if (kept !== NOT_KEPT) {
        gate?.leave();
        return Promise.resolve(kept);
      }
      const pending = nearReadThrough(this, near, operation, redisKey, stale).then((entry) => entry.value);
      return gate === undefined ? pending : gate.settle(pending);
    }
    if (this.metadata.graceMs > 0) {
      const pending = started(() => getWithPttl(this.ctx.store, redisKey)).then(
        ([raw, pttl]) => valueOf(this.judge(operation, redisKey, raw, pttl, stale)),
        (err: unknown): never => {
          throw this.failure(err, operation, redisKey);
        },
      );
      return gate === undefined ? pending : gate.settle(pending);
    }
    return started(() => this.ctx.store.get(redisKey)).then(
      (raw) => {
        let value: E | undefined | Promise<E | undefined>;
        try {
          value = raw !== null && hasGraceHeader(raw) ? valueOf(this.judge(operation, redisKey, raw, undefined, stale)) : this.readValue(redisKey, raw);
        } catch (err) {
          gate?.leave();
          throw err;
        }
        if (gate === undefined) return value;
        if (value instanceof Promise) return gate.settle(value);
        gate.leave();
        return value;
      },
      (err: unknown): never => {
        gate?.leave();
        throw this.failure(err, operation, redisKey);
      },
    );
  }

  /** Whether the entity has a grace period. */
  get graced(): boolean {
    return this.metadata.graceMs > 0;
  }

  /** {@link EntityIO.judge}, for the near cache. */
  judgeRead(operation: string, redisKey: string, raw: string | null, pttl: number | undefined, stale: StaleMode): Entry<E> | Promise<Entry<E>> {
    return this.judge(operation, redisKey, raw, pttl, stale);
  }

  /** {@link EntityIO.failure}, for the near cache. */
  failed(err: unknown, operation: string, key: string | undefined): CacheOrmError {
    return this.failure(err, operation, key);
  }

  /** A failed store call as a counted cacheorm error. */
  private failure(err: unknown, operation: string, key: string | undefined): CacheOrmError {
    this.ctx.stats.errors++;
    return toCacheOrmError(err, { entity: this.metadata.name, operation, store: this.ctx.store.kind, ...(key === undefined ? {} : { key }) });
  }

  /**
   * Decodes a raw value without a grace header: a hit, a miss, or an invalid entry (miss + event +
   * removal, or DecodeError in strict mode).
   */
  readValue(redisKey: string, raw: string | null): E | undefined {
    if (raw === null) {
      this.ctx.stats.misses++;
      return undefined;
    }
    return this.decodeStored(redisKey, raw, raw, true);
  }

  /** Decodes `payload` (the codec's text of the stored `raw`); an invalid one is a miss, reported and removed. */
  private decodeStored(redisKey: string, raw: string, payload: string, countHit: boolean): E | undefined {
    const oversized = oversizedValue(raw, this.ctx.maxValueBytes, this.metadata.name, redisKey);
    const decoded = oversized ? { ok: false as const, error: oversized } : this.codec.decode(payload, redisKey);
    if (decoded.ok) {
      if (countHit) this.ctx.stats.hits++;
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

/** The value of an entry, or a promise of it. */
function valueOf<E>(entry: Entry<E> | Promise<Entry<E>>): E | undefined | Promise<E | undefined> {
  return entry instanceof Promise ? entry.then((e) => e.value) : entry.value;
}

/** `fn()`, with a synchronous throw (a custom store's) as a rejection. */
function started<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return fn();
  } catch (err) {
    return Promise.reject(err);
  }
}
