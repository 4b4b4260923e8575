/** `Cache`: the root object that owns the store, the repositories, the events and the counters. */
import type { z } from 'zod';
import type { EntityClass, EntityData, EntityDefinition, DeclaredKeyOf } from '../entity/index.js';
import { ConfigError, EntityDefinitionError } from '../errors/index.js';
import { getEntityMetadata } from '../entity/index.js';
import type { RepositoryContext, WriteMode } from '../repository/context.js';
import { Repository } from '../repository/repository.js';
import { reportFailOpen } from '../repository/fail-open.js';
import type { Store } from '../store/store.js';
import { setMaxListeners } from 'node:events';
import { Admission, closedCacheError, settleWithin } from '../repository/admission.js';
import { storeStack, type StoreStack } from '../store/layers/stack.js';
import { CacheEvents, type CacheEventMap } from '../repository/events.js';
import { StatsCounter, type CacheStats } from '../repository/stats.js';

/** Settings a {@link Cache} runs with, resolved by `createCache`. @internal */
export interface CacheSettings {
  readonly prefix: string;
  readonly strict: boolean;
  readonly writes: WriteMode;
  /** Whether `close()` closes the store (true when `createCache` created it). */
  readonly ownsStore: boolean;
  /** Bound on every store call, in ms (`0`: none). */
  readonly commandTimeout: number;
  /** Store failures become misses / dropped writes plus `error` events. */
  readonly failOpen: boolean;
  /** Largest serialized value written or read, in bytes. */
  readonly maxValueBytes: number | undefined;
}

/** How long `close()` waits for calls in flight and queued writes by default, in ms. */
const DEFAULT_CLOSE_TIMEOUT_MS = 5000;

/**
 * Options of {@link Cache.close}.
 *
 * @example
 * await cache.close({ timeout: 10_000 });
 */
export interface CloseOptions {
  /**
   * The most `close()` waits, in ms, for calls already in flight (a `getOrLoad`'s loader and its write,
   * a `find` being consumed) and for queued async writes, before it closes the store anyway. Default 5000.
   */
  timeout?: number;
}

/**
 * A cache: one store, one key prefix, the repositories of its entities, its events and counters.
 * Create it with {@link createCache}; close it with `close()` when the application stops.
 *
 * @example
 * const cache = createCache({ redis: process.env.REDIS_URL, prefix: 'app' });
 * const sessions = cache.getRepository(Session);
 * cache.on('error', (err) => log.error(err));
 * // ...
 * await cache.close();
 */
export class Cache {
  /** The store this cache reads and writes. */
  readonly store: Store;
  /** The key prefix, the first segment of every key. */
  readonly prefix: string;
  private readonly settings: CacheSettings;
  private readonly events = new CacheEvents();
  private readonly counters = new StatsCounter();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private readonly repositories = new Map<object, Repository<any, any>>();
  private readonly entityByName = new Map<string, object>();
  private readonly background = new Set<Promise<unknown>>();
  private closing: Promise<void> | undefined;
  /** Admits repository calls until `close()`, and counts the ones in flight. */
  private readonly gate = new Admission();
  /** Set once `close()` has stopped waiting: store calls still made by late in-flight work then fail. */
  private closed = false;
  /** Aborted when `close()` starts; background loads listen to it (RepositoryContext.closing). */
  private readonly closeSignal = new AbortController();
  private readonly context: RepositoryContext;
  private readonly stack: StoreStack;
  private readonly unwatchConnection: (() => void) | undefined;

  /** @internal Use {@link createCache}. */
  constructor(store: Store, settings: CacheSettings) {
    this.store = store;
    this.prefix = settings.prefix;
    this.settings = settings;
    setMaxListeners(0, this.closeSignal.signal); // one listener per background load in flight
    this.stack = storeStack(store, {
      commandTimeout: settings.commandTimeout,
      onTimeout: () => this.counters.timeouts++,
      failOpen: settings.failOpen,
    });
    this.context = {
      store: this.stack.direct,
      directStore: this.stack.direct,
      failOpen: settings.failOpen,
      maxValueBytes: settings.maxValueBytes,
      prefix: settings.prefix,
      strict: settings.strict,
      writes: settings.writes,
      events: this.events,
      stats: this.counters,
      closing: this.closeSignal.signal,
      gate: this.gate,
      track: (work) => {
        this.background.add(work);
        void work.finally(() => this.background.delete(work));
      },
      // New calls are refused by the gate (repository/admission.ts); this only stops work still running once
      // close() has given up waiting for it.
      assertOpen: (operation) => {
        if (this.closed) throw closedCacheError(operation);
      },
    };
    // A lost Redis connection is a failure no caller may be waiting on: report it once per outage.
    this.unwatchConnection = this.stack.watchConnection((error) => {
      this.counters.errors++;
      this.events.emitError(error);
    });
  }

  /**
   * The repository of an entity (a `@CacheEntity` class or a `defineEntity` result). Repositories are
   * created once per cache and entity. Two different entities with the same name in one cache throw
   * {@link EntityDefinitionError}, since their keys would collide.
   *
   * @example
   * const sessions = cache.getRepository(Session);                         // key type from CacheKeys, if declared
   * const typed = cache.getRepository<Session, 'tenantId' | 'id'>(Session); // or name the key fields here
   */
  getRepository<E, K extends keyof E>(entity: EntityDefinition<E, K, z.ZodObject>): Repository<E, K, EntityData<E>>;
  getRepository<E, K extends keyof E = DeclaredKeyOf<E>>(entity: EntityClass<E>): Repository<E, K>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  getRepository(entity: EntityClass | EntityDefinition<any, any, any>): Repository<unknown, never> {
    const cached = this.repositories.get(entity);
    if (cached) return cached;
    const metadata = getEntityMetadata(entity);
    const other = this.entityByName.get(metadata.name);
    if (other !== undefined && other !== entity) {
      throw new EntityDefinitionError(
        `Two different entities are named "${metadata.name}" in this cache, so their keys would collide. Give each entity its own name (or use a separate cache prefix).`,
        { entity: metadata.name },
      );
    }
    const store = this.stack.repositoryStore((err, call) => reportFailOpen(this.context, metadata.name, err, call.command));
    const context = store === this.context.store ? this.context : { ...this.context, store };
    const repository = new Repository<unknown, never>(metadata, context);
    this.repositories.set(entity, repository);
    this.entityByName.set(metadata.name, entity);
    return repository;
  }

  /**
   * Subscribes to `error` (failures no caller receives, e.g. async writes) or `invalid` (stored values
   * that failed to decode or validate).
   *
   * @example
   * cache.on('error', (err) => log.error({ code: err.code }, err.message));
   * cache.on('invalid', ({ key, error }) => log.warn({ key }, error.message));
   */
  on<Ev extends keyof CacheEventMap>(event: Ev, listener: CacheEventMap[Ev]): this {
    this.events.on(event, listener);
    return this;
  }

  /**
   * Removes a listener added with {@link Cache.on}.
   *
   * @example
   * cache.off('error', onError);
   */
  off<Ev extends keyof CacheEventMap>(event: Ev, listener: CacheEventMap[Ev]): this {
    this.events.off(event, listener);
    return this;
  }

  /**
   * Like {@link Cache.on}, for the next event only.
   *
   * @example
   * cache.once('invalid', (e) => console.log('first invalid entry', e.key));
   */
  once<Ev extends keyof CacheEventMap>(event: Ev, listener: CacheEventMap[Ev]): this {
    this.events.once(event, listener);
    return this;
  }

  /**
   * Counters since the cache was created: hits, misses, writes, errors, invalid entries.
   *
   * @example
   * setInterval(() => metrics.gauge('cache', cache.stats()), 10_000);
   */
  stats(): CacheStats {
    return this.counters.snapshot();
  }

  /**
   * Closes the cache. Calls made from now on fail at once with {@link StoreUnavailableError} ("... was
   * called on a closed cache"). Calls already in flight finish normally: a `getOrLoad` runs its loader
   * and writes the value, a `find` already being consumed (or its `toArray()`) runs to the end, and
   * queued async writes, invalid-entry removals and background loads whose loader has settled are
   * flushed (background loads whose loader has not settled are abandoned: their value is not cached). `close()` waits for them at most
   * `timeout` ms (default 5000); then it closes the store if this cache created it (a client or store
   * you passed in stays open), and work still running fails. Idempotent: later calls answer the first
   * call's promise.
   *
   * Rejects with ConfigError (and closes nothing) when `timeout` is not a whole number of ms.
   *
   * @example
   * process.on('SIGTERM', () => void cache.close());
   * await cache.close({ timeout: 10_000 }); // give slow loaders up to 10 s
   */
  close(options: CloseOptions = {}): Promise<void> {
    const timeout = options?.timeout ?? DEFAULT_CLOSE_TIMEOUT_MS;
    if (!(Number.isSafeInteger(timeout) && timeout >= 0 && timeout <= 2 ** 31 - 1)) {
      // Rejects, as every other async method does, rather than throwing from a promise-returning call.
      return Promise.reject(new ConfigError(`Cache close: timeout must be a whole number of ms (e.g. 5000), got ${JSON.stringify(timeout)}.`));
    }
    this.closing ??= (async () => {
      this.gate.shut();
      this.closeSignal.abort();
      const deadline = Date.now() + timeout;
      await this.gate.idle(timeout);
      // Background work (async writes, invalid-entry removals) may start more of itself: wait until none is left.
      for (let left = deadline - Date.now(); this.background.size > 0 && left > 0; left = deadline - Date.now()) {
        await settleWithin(Promise.allSettled([...this.background]), left);
      }
      this.closed = true;
      this.unwatchConnection?.();
      try {
        if (this.settings.ownsStore) await this.store.close();
      } finally {
        this.stack.release();
      }
    })();
    return this.closing;
  }
}
