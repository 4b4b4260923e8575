/** What a repository shares with its cache. @internal */
import type { CacheEvents } from './events.js';
import type { StatsCounter } from './stats.js';
import type { Store } from '../store/store.js';
import type { Admission } from './admission.js';
import type { NearCache } from '../store/near/near-cache.js';

/**
 * How writes are acknowledged: `sync` waits for Redis, `async` returns at once and reports failures as
 * `error` events.
 *
 * @example
 * const writes: WriteMode = process.env.CACHE_ASYNC_WRITES ? 'async' : 'sync';
 * const cache = createCache({ redis: process.env.REDIS_URL, writes });
 */
export type WriteMode = 'sync' | 'async';

/** The cache-wide state every repository of a cache uses. @internal */
export interface RepositoryContext {
  /** The store repository calls go to (with `failOpen`, one that answers as an empty store while the real one fails). */
  readonly store: Store;
  /** The store without the `failOpen` layer (bounded by `commandTimeout`, traced): for the lock protocol. */
  readonly directStore: Store;
  /** Store failures become misses / dropped writes plus `error` events (store/layers/fail-open.ts, repository/fail-open.ts). */
  readonly failOpen: boolean;
  /** Largest serialized value written or read, in UTF-8 bytes; `undefined` for no limit. */
  readonly maxValueBytes: number | undefined;
  readonly prefix: string;
  readonly strict: boolean;
  readonly writes: WriteMode;
  readonly events: CacheEvents;
  readonly stats: StatsCounter;
  /** The near cache (`nearCache` on Redis): entities whose `nearCache` option is not `false` read through it. */
  readonly near?: NearCache | undefined;
  /** Registers background work (async writes, invalid-entry removal) that `close()` waits for. */
  track(work: Promise<unknown>): void;
  /**
   * Aborted when `close()` starts: background loads (see load-jobs.ts) stop keeping `close()` waiting
   * for a loader that has not settled (a write already under way is still waited for).
   */
  readonly closing: AbortSignal;
  /** Admits repository calls until `close()` and counts the ones in flight (see admission.ts). */
  readonly gate: Admission;
  /** Throws once `close()` has stopped waiting for calls in flight (store calls of late work then fail). */
  assertOpen(operation: string): void;
}
