/** Counters behind `cache.stats()`. */
import type { NearCacheStats } from '../store/near/near-cache.js';

/**
 * A snapshot of a cache's counters since it was created.
 *
 * @example
 * const { hits, misses } = cache.stats();
 * const hitRate = hits / Math.max(1, hits + misses);
 */
export interface CacheStats {
  /** Reads (per key) that found a valid entry. */
  hits: number;
  /** Reads (per key) that found nothing, or an invalid entry. */
  misses: number;
  /** Entries written (per key, counted once Redis acknowledged them; an `insert`/`update` that changed nothing is not counted). */
  writes: number;
  /** Store failures: thrown to a caller or emitted as `error` events. */
  errors: number;
  /** Stored values that failed to decode or validate (also counted as misses). */
  invalid: number;
  /** Store calls that did not answer within `commandTimeout` (also counted in `errors` when they reach a caller or an `error` event). */
  timeouts: number;
  /** Store failures `failOpen` turned into misses or dropped writes (each also an `error` event and counted in `errors`). */
  failedOpen: number;
  /** Stale entries served (entities with a grace period): `get`/`getMany`/`find` with `allowStale`, and `getOrLoad` serving one in place of a failed or slow load. Not counted in `hits`. */
  staleHits: number;
  /** Loads that finished in the background and cached their value (`refreshAhead`, or after a `softTimeout`/`hardTimeout`). */
  refreshes: number;
  /** Loads in the background that failed (loader error, or the write failed). */
  refreshFailures: number;
  /** The near cache's counters (`createCache({ nearCache })` on Redis); absent without one. See docs/near-cache.md. */
  near?: NearCacheStats;
}

/** Mutable counters shared by a cache's repositories. @internal */
export class StatsCounter implements Omit<CacheStats, 'near'> {
  hits = 0;
  misses = 0;
  writes = 0;
  errors = 0;
  invalid = 0;
  timeouts = 0;
  failedOpen = 0;
  staleHits = 0;
  refreshes = 0;
  refreshFailures = 0;

  snapshot(): CacheStats {
    return {
      hits: this.hits,
      misses: this.misses,
      writes: this.writes,
      errors: this.errors,
      invalid: this.invalid,
      timeouts: this.timeouts,
      failedOpen: this.failedOpen,
      staleHits: this.staleHits,
      refreshes: this.refreshes,
      refreshFailures: this.refreshFailures,
    };
  }
}
