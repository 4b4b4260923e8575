import { ConfigError, StoreUnavailableError } from '../../errors/index.js';
import { compileGlob } from '../glob.js';
import { walkInBatches } from './memory-batches.js';
import { IndexSets, expiryScore, isExpired, wrongType, type Entry } from './memory-index.js';
import { MemoryFieldIndexes } from './memory-fields.js';
import type { FieldHit, FieldScanOptions, FieldSyncEntry, IndexOption, IndexScanOptions, ScanOptions, Store, WriteOp } from '../store.js';
import {
  assertExpireTtl, assertFieldSync, assertIndex, assertKeys, assertWriteOps, fieldScanArguments, indexOption, indexScanArguments, scanCount,
} from '../validate.js';

/**
 * Options of {@link MemoryStore}.
 *
 * @example
 * let now = 0;
 * const store = new MemoryStore({ sweepIntervalMs: 0, now: () => now }); // manual clock, no sweep timer
 */
export interface MemoryStoreOptions {
  /**
   * How often, in ms, expired keys are swept out of memory (default 1000). `0` turns the sweep off: keys
   * still expire on time for every method (expiry is checked on access), but an expired key nobody
   * touches again keeps its memory until a scan walks over it.
   */
  sweepIntervalMs?: number;
  /**
   * The clock, in ms since the epoch (default `Date.now`). Tests can pass a fake clock; TTLs, `pttl` and
   * the sweep all read it.
   */
  now?: () => number;
}

/** Entries the sweep examines before deciding whether to go on. */
const SWEEP_BATCH = 1000;
/** The sweep goes on with another batch while more than this share of the last one had expired... */
const SWEEP_AGAIN_RATIO = 0.25;
/** ...and for at most this long per tick, so a huge store never blocks the event loop. */
const SWEEP_BUDGET_MS = 5;

/**
 * An embedded, in-process {@link Store}: a `Map` with Redis semantics (millisecond TTLs, `NX`/`XX`,
 * `KEEPTTL`, Redis glob `MATCH`). cacheorm uses it when no Redis is given; it is also handy in tests. Data
 * lives in this process only and is lost on exit.
 *
 * Expiry is exact: every method treats a key past its TTL as absent (and removes it). Memory of expired
 * keys nobody reads again is reclaimed by a background sweep that works like Redis' active expiry: every
 * `sweepIntervalMs` it examines up to 1000 entries, resuming where it stopped, and goes on while more than
 * a quarter of them had expired, for at most ~5 ms per tick. Its timer is `unref()`ed, so it never keeps
 * the process alive; `close()` stops it.
 *
 * `write` is atomic: all ops are checked first, then applied in order within one synchronous step, each
 * `NX`/`XX` seeing the ops before it (like Redis `MULTI`).
 *
 * Index sets (`WriteOp.index`, entities with `find: 'index'`) are sorted sets in the same keyspace, scored
 * by expiry time on this store's clock, answering `indexScan`/`indexPrune`/`indexSync` as Redis does: an
 * index key is matched by `scan`, seen by `exists`, removed by `unlink`, and `get` of it fails with Redis'
 * `WRONGTYPE` error.
 *
 * @example
 * const store = new MemoryStore();
 * await store.write([{ key: 'cache:greeting:1', value: 'hello', ttl: 60_000 }]);
 * await store.get('cache:greeting:1'); // 'hello'
 * for await (const keys of store.scan('cache:greeting:*')) console.log(keys);
 * await store.close();
 */
export class MemoryStore implements Store {
  /** Always `'memory'`. */
  readonly kind = 'memory';

  readonly #data = new Map<string, Entry>();
  readonly #fields = new MemoryFieldIndexes();
  readonly #indexes = new IndexSets(
    this.#data,
    (key, now) => this.#live(key, now),
    (index, member) => this.#fields.drop(index, member),
  );
  readonly #now: () => number;
  readonly #timer: NodeJS.Timeout | undefined;
  /** Where the sweep resumes; `undefined` starts a new pass over the map. */
  #sweepCursor: Iterator<[string, Entry]> | undefined;
  #closed = false;

  /**
   * @param options - sweep interval and clock; see {@link MemoryStoreOptions}.
   * @throws ConfigError when `sweepIntervalMs` is not a finite number >= 0 or `now` is not a function.
   *
   * @example
   * const store = new MemoryStore({ sweepIntervalMs: 5_000 });
   */
  constructor(options: MemoryStoreOptions = {}) {
    const { sweepIntervalMs = 1000, now = Date.now } = options;
    if (typeof sweepIntervalMs !== 'number' || !Number.isFinite(sweepIntervalMs) || sweepIntervalMs < 0) {
      throw new ConfigError(
        `MemoryStore option sweepIntervalMs must be a finite number of milliseconds >= 0 (0 turns the sweep off), got ${String(sweepIntervalMs)}.`,
      );
    }
    if (typeof now !== 'function') {
      throw new ConfigError('MemoryStore option now must be a function answering the current time in ms.');
    }
    this.#now = now;
    if (sweepIntervalMs > 0) {
      this.#timer = setInterval(() => this.#sweep(), sweepIntervalMs);
      this.#timer.unref();
    }
  }

  /**
   * Entries held in memory, including expired ones the sweep has not removed yet (they are invisible to
   * every other method). Meant for monitoring and tests.
   *
   * @example
   * if (store.size > 1_000_000) console.warn('the in-memory cache is large; consider Redis');
   */
  get size(): number {
    return this.#data.size;
  }

  /** {@inheritDoc Store.get} */
  async get(key: string): Promise<string | null> {
    this.#assertOpen();
    const value = this.#live(key, this.#now())?.value ?? null;
    if (typeof value === 'object' && value !== null) throw wrongType('GET', key);
    return value;
  }

  /** {@inheritDoc Store.getWithPttl} */
  async getWithPttl(key: string): Promise<[value: string | null, pttl: number]> {
    const value = await this.get(key);
    return value === null ? [null, -2] : [value, await this.pttl(key)];
  }

  /** {@inheritDoc Store.mget} */
  async mget(keys: readonly string[]): Promise<(string | null)[]> {
    this.#assertOpen();
    const now = this.#now();
    return keys.map((key) => {
      const value = this.#live(key, now)?.value;
      return typeof value === 'string' ? value : null; // Redis MGET answers nil for other types
    });
  }

  /** {@inheritDoc Store.write} */
  async write(ops: readonly WriteOp[]): Promise<boolean[]> {
    this.#assertOpen();
    assertWriteOps(ops);
    const now = this.#now();
    for (const { index, registry } of ops) {
      if (index !== undefined) this.#indexes.get(index, now, 'ZADD'); // WRONGTYPE first
      if (registry !== undefined) this.#indexes.get(registry, now, 'ZADD');
    }
    return ops.map(({ key, value, ttl, mode, index, registry, fields }) => {
      const current = this.#live(key, now);
      if ((mode === 'NX' && current) || (mode === 'XX' && !current)) return false;
      const expiresAt = ttl === 'keep' ? (current?.expiresAt ?? null) : ttl === null ? null : now + ttl;
      this.#data.set(key, { value, expiresAt });
      // 'keep' leaves the score of a member already there, as RedisStore does.
      if (index !== undefined) this.#indexes.add(index, key, expiryScore(expiresAt), now, ttl === 'keep');
      if (index !== undefined && fields !== undefined) this.#fields.set(index, key, fields);
      if (index !== undefined && registry !== undefined) this.#indexes.add(registry, index, Number.POSITIVE_INFINITY, now);
      return true;
    });
  }

  /** {@inheritDoc Store.unlink} */
  async unlink(keys: readonly string[], options?: IndexOption): Promise<number> {
    this.#assertOpen();
    const index = indexOption(options, 'UNLINK');
    if (keys.length === 0) return 0; // nothing sent to Redis either
    const now = this.#now();
    if (index !== undefined) this.#indexes.get(index, now, 'ZREM'); // WRONGTYPE before anything is removed
    let removed = 0;
    for (const key of keys) {
      if (this.#live(key, now)) {
        this.#data.delete(key);
        removed++;
      }
      if (index !== undefined) this.#indexes.remove(index, [key], now);
    }
    return removed;
  }

  /** {@inheritDoc Store.deleteIfEquals} */
  async deleteIfEquals(key: string, value: string, options?: IndexOption): Promise<boolean> {
    this.#assertOpen();
    const index = indexOption(options, 'EVALSHA');
    const now = this.#now();
    const current = this.#live(key, now)?.value;
    if (typeof current === 'object') throw wrongType('GET', key);
    if (current !== value) return false;
    if (index !== undefined) this.#indexes.remove(index, [key], now);
    return this.#data.delete(key);
  }

  /** {@inheritDoc Store.exists} */
  async exists(key: string): Promise<boolean> {
    this.#assertOpen();
    return this.#live(key, this.#now()) !== undefined;
  }

  /** {@inheritDoc Store.pttl} */
  async pttl(key: string): Promise<number> {
    this.#assertOpen();
    const now = this.#now();
    const entry = this.#live(key, now);
    if (!entry) return -2;
    return entry.expiresAt === null ? -1 : Math.ceil(entry.expiresAt - now);
  }

  /** {@inheritDoc Store.expire} */
  async expire(key: string, ttlMs: number | null, options?: IndexOption): Promise<boolean> {
    this.#assertOpen();
    assertExpireTtl(key, ttlMs);
    const index = indexOption(options, ttlMs === null ? 'PERSIST' : 'PEXPIRE');
    const now = this.#now();
    const entry = this.#live(key, now);
    if (!entry) return false;
    if (index !== undefined) this.#indexes.get(index, now, 'ZADD'); // WRONGTYPE before anything changes
    entry.expiresAt = ttlMs === null ? null : now + ttlMs;
    if (index !== undefined) this.#indexes.add(index, key, expiryScore(entry.expiresAt), now);
    return true;
  }

  /**
   * Yields batches of the keys matching the Redis glob `match`, as {@link Store.scan} describes.
   *
   * Walks the live map `count` entries per step (like Redis' `COUNT`, so a batch holds at most `count`
   * keys), skipping expired keys, and yields to the event loop between steps. Keys present for the whole
   * scan are yielded exactly once; keys written during the scan may or may not be.
   */
  async *scan(match: string, options?: ScanOptions): AsyncIterable<string[]> {
    this.#assertOpen();
    const count = scanCount(match, options);
    const matches = compileGlob(match);
    yield* walkInBatches(
      this.#data.entries(),
      count,
      () => this.#now(),
      ([key, entry], at) => {
        if (!isExpired(entry, at)) return matches(key) ? key : undefined;
        this.#data.delete(key);
        return undefined;
      },
      () => this.#assertOpen(),
    );
  }

  /**
   * Yields batches of the live members of the index set `index`, as {@link Store.indexScan} describes.
   *
   * Walks the index set `count` members per step (a batch holds at most `count` keys), yields to the event
   * loop between steps, and judges liveness by the clock at each step. Members present for the whole scan
   * are yielded exactly once.
   */
  async *indexScan(index: string, options?: IndexScanOptions): AsyncIterable<string[]> {
    this.#assertOpen();
    const { match, prefix, count } = indexScanArguments(index, options);
    yield* this.#indexes.scan(index, { match, prefix, count }, this.#now, () => this.#assertOpen());
  }

  /** {@inheritDoc Store.indexPrune} */
  async indexPrune(index: string): Promise<number> {
    this.#assertOpen();
    assertIndex(index, 'ZREMRANGEBYSCORE');
    return this.#indexes.prune(index, this.#now());
  }

  /** {@inheritDoc Store.indexSync} */
  async indexSync(index: string, keys: readonly string[]): Promise<number> {
    this.#assertOpen();
    assertIndex(index, 'ZADD');
    assertKeys(keys, 'ZADD');
    if (keys.length === 0) return 0; // nothing sent to Redis either
    const now = this.#now();
    this.#indexes.get(index, now, 'ZADD'); // WRONGTYPE before anything changes
    let existing = 0;
    for (const key of keys) {
      const entry = this.#live(key, now);
      if (entry === undefined) this.#indexes.remove(index, [key], now);
      else {
        existing++;
        this.#indexes.add(index, key, expiryScore(entry.expiresAt), now);
      }
    }
    return existing;
  }

  /**
   * Yields batches of one field's entries in the field index of `index`, as {@link Store.fieldScan}
   * describes: `count` members per step in value order, resuming after the last member read; an entry
   * whose key is gone is dropped with every index entry of its key.
   */
  async *fieldScan(index: string, options: FieldScanOptions): AsyncIterable<FieldHit[]> {
    this.#assertOpen();
    const args = fieldScanArguments(index, options);
    yield* this.#fields.scan(
      index,
      args,
      (key) => this.#live(key, this.#now()) !== undefined,
      (key) => {
        this.#indexes.remove(index, [key], this.#now());
        this.#fields.drop(index, key);
      },
      () => this.#assertOpen(),
    );
  }

  /** {@inheritDoc Store.fieldSync} */
  async fieldSync(index: string, entries: readonly FieldSyncEntry[]): Promise<number> {
    this.#assertOpen();
    assertFieldSync(index, entries);
    const now = this.#now();
    let written = 0;
    for (const { key, value, fields } of entries) {
      const current = this.#live(key, now)?.value;
      if (current === undefined) {
        this.#indexes.remove(index, [key], now);
        this.#fields.drop(index, key);
      } else if (current === value) {
        this.#fields.set(index, key, fields);
        written++;
      }
    }
    return written;
  }

  /**
   * The score of `key` in the index set `index` (its expiry in ms since the epoch, `Infinity` for none),
   * or `null` when it is not a member, like Redis `ZSCORE`. Expired members keep their score until
   * `indexPrune`. Meant for monitoring and tests.
   *
   * @example
   * const expiresAt = await store.indexScore('app:session#index', 'app:session:acme:1');
   */
  async indexScore(index: string, key: string): Promise<number | null> {
    this.#assertOpen();
    assertIndex(index, 'ZSCORE');
    return this.#indexes.get(index, this.#now(), 'ZSCORE')?.get(key) ?? null;
  }

  /**
   * Stops the sweep and drops every key. Calling it again does nothing; any other method called after
   * it throws {@link StoreUnavailableError}.
   *
   * @example
   * process.on('SIGTERM', () => void store.close());
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#sweepCursor = undefined;
    this.#data.clear();
  }

  /** The entry at `key` if it has not expired; an expired one is removed. */
  #live(key: string, now: number): Entry | undefined {
    const entry = this.#data.get(key);
    if (entry && isExpired(entry, now)) {
      this.#data.delete(key);
      return undefined;
    }
    return entry;
  }

  /** One sweep tick; see the class notes. */
  #sweep(): void {
    const started = performance.now();
    const now = this.#now();
    for (;;) {
      this.#sweepCursor ??= this.#data.entries();
      let seen = 0;
      let expired = 0;
      while (seen < SWEEP_BATCH) {
        const next = this.#sweepCursor.next();
        if (next.done) {
          this.#sweepCursor = undefined; // pass complete: the next tick starts over
          return;
        }
        seen++;
        const [key, entry] = next.value;
        if (isExpired(entry, now)) {
          this.#data.delete(key);
          expired++;
        }
      }
      if (expired <= seen * SWEEP_AGAIN_RATIO || performance.now() - started >= SWEEP_BUDGET_MS) return;
    }
  }

  #assertOpen(): void {
    if (this.#closed) {
      throw new StoreUnavailableError(
        'The MemoryStore was closed and its data dropped. Create a new MemoryStore (or cache) instead of using a closed one.',
      );
    }
  }
}
