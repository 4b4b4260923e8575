/** What a repository shares with its cache. @internal */
import type { CacheEvents } from '../cache/events.js';
import type { StatsCounter } from '../cache/stats.js';
import type { Store } from '../store/store.js';

/** How writes are acknowledged: `sync` waits for Redis, `async` returns at once and reports failures as `error` events. */
export type WriteMode = 'sync' | 'async';

/** The cache-wide state every repository of a cache uses. @internal */
export interface RepositoryContext {
  readonly store: Store;
  readonly prefix: string;
  readonly strict: boolean;
  readonly writes: WriteMode;
  readonly events: CacheEvents;
  readonly stats: StatsCounter;
  /** Registers background work (async writes, invalid-entry removal) that `close()` waits for. */
  track(work: Promise<unknown>): void;
  /** Throws when the cache was closed. */
  assertOpen(operation: string): void;
}
