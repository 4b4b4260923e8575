/**
 * `NearCache`: the in-process entries of one cache, kept coherent with Redis by the tracking
 * connections of `near-tracking.ts`. Holds the race rule of docs/near-cache.md: a read takes a token
 * before it is sent ({@link NearCache.begin}) and fills an entry only if that token is still the key's
 * current one ({@link NearCache.fill}); an invalidation removes the key's entry and token, a flush
 * removes every entry and token. Values are opaque here (the repository keeps decoded entities).
 * @internal
 */
import { LRUCache } from 'lru-cache';
import { nearChannel, type NearCacheMessage } from '../../diagnostics/channels.js';

/** Resolved settings of a near cache (see `createCache`'s `nearCache`). @internal */
export interface NearCacheSettings {
  /** Most entries kept. */
  readonly maxEntries: number;
  /** Most bytes kept (sum of the stored texts' UTF-8 sizes), or `undefined` for no byte bound. */
  readonly maxBytes: number | undefined;
  /** Most time an entry is kept, in ms, or `undefined` (then only the key's Redis TTL bounds it). */
  readonly ttlMs: number | undefined;
  /** The cache's key prefix (for the diagnostics messages). */
  readonly prefix: string;
}

/**
 * Counters of a near cache, in `cache.stats().near`.
 *
 * @example
 * const near = cache.stats().near;
 * if (near) console.log(`near hit rate ${(near.hits / Math.max(1, near.hits + near.misses)).toFixed(2)}`);
 */
export interface NearCacheStats {
  /** Reads (per key) answered from process memory. */
  hits: number;
  /** Reads (per key) of near-cached entities that went to Redis. */
  misses: number;
  /** Entries kept now. */
  entries: number;
  /** Bytes kept now (UTF-8 size of the stored texts of the entries). */
  bytes: number;
  /** Keys Redis reported changed (each may or may not have been kept). */
  invalidations: number;
  /** Times every entry was dropped (see docs/near-cache.md, "What flushes"). */
  flushes: number;
}

/** One kept entry. @internal */
export interface NearEntry {
  /** The decoded value, never handed out as is (the repository copies it). */
  readonly value: unknown;
  /** When the key expires in Redis, by `performance.now()`; `Infinity` without expiry. */
  readonly expiresAt: number;
  /** When the entry stops being served (`expiresAt`, capped by the `ttl` setting). */
  readonly until: number;
  /** The grace period written with the value (0: none); fresh until `expiresAt - graceMs`. */
  readonly graceMs: number;
}

/** The reason of a flush. @internal */
export type FlushReason = NearCacheMessage['reason'];

/** See the file comment. @internal */
export class NearCache {
  readonly settings: NearCacheSettings;
  /** Counted by the repository. */
  hits = 0;
  misses = 0;
  #invalidations = 0;
  #flushes = 0;
  /** Whether tracking is active on every master: only then are entries served and filled. */
  #serving = false;
  #seq = 0;
  /** Each key's current token: the latest read in flight that may fill it. */
  readonly #pending = new Map<string, number>();
  readonly #entries: LRUCache<string, NearEntry>;
  /** Entries with a grace period set aside by a connection loss, for reads during the outage. */
  #kept = new Map<string, NearEntry>();

  constructor(settings: NearCacheSettings) {
    this.settings = settings;
    this.#entries = new LRUCache<string, NearEntry>({
      max: settings.maxEntries,
      // Always sized, so that `bytes` is known without a byte bound too.
      maxSize: settings.maxBytes ?? Number.MAX_SAFE_INTEGER,
    });
  }

  /** Whether entries are served and filled now. */
  get serving(): boolean {
    return this.#serving;
  }

  /**
   * The entry of `key` when the near cache serves and it has not reached its deadline, else
   * `undefined`. Counts nothing.
   */
  lookup(key: string): NearEntry | undefined {
    if (!this.#serving) return undefined;
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.until !== Infinity && performance.now() >= entry.until) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  /**
   * Takes the token of a read of `key` about to be sent: `0` (fills nothing) when not serving. Must be
   * called before the command is sent; the read then ends with {@link NearCache.fill}.
   */
  begin(key: string): number {
    if (!this.#serving) return 0;
    const token = ++this.#seq;
    this.#pending.set(key, token);
    return token;
  }

  /**
   * Ends the read of `key` that took `token`: keeps `value` (with the key's `pttl`, asked at `readAt`
   * (`performance.now()`), the grace it was written with, and its stored size) only if `token` is still
   * the key's current one. `value` `undefined` just releases the token.
   */
  fill(key: string, token: number, value: unknown, pttl: number, graceMs: number, bytes: number, readAt: number): void {
    if (token === 0 || this.#pending.get(key) !== token) return;
    this.#pending.delete(key);
    if (value === undefined || pttl === -2 || pttl === 0) return;
    const now = performance.now();
    // From the time the PTTL was asked (not answered): the key expires no earlier than that.
    const expiresAt = pttl < 0 ? Infinity : readAt + pttl;
    const ttlMs = this.settings.ttlMs;
    const until = ttlMs === undefined ? expiresAt : Math.min(expiresAt, now + ttlMs);
    const size = Math.max(1, bytes);
    if (this.settings.maxBytes !== undefined && size > this.settings.maxBytes) return;
    this.#entries.set(key, { value, expiresAt, until, graceMs }, { size });
  }

  /** Ends a read of `key` that fills nothing (a miss, an invalid value, a failure). */
  release(key: string, token: number): void {
    if (token !== 0 && this.#pending.get(key) === token) this.#pending.delete(key);
  }

  /** Drops the entries and tokens of `keys` (a write of this cache, or an invalidation). */
  drop(keys: readonly string[]): void {
    for (const key of keys) {
      this.#pending.delete(key);
      this.#entries.delete(key);
      this.#kept.delete(key);
    }
  }

  /** Redis reported `keys` changed (`null`: everything). */
  invalidate(keys: readonly string[] | null): void {
    if (keys === null) {
      this.flush('invalidate-all', this.#serving);
      return;
    }
    this.#invalidations += keys.length;
    this.drop(keys);
  }

  /**
   * Drops every entry and token, and stops or resumes serving. On a lost connection (`disconnect`,
   * `ping-timeout`), entries with a grace period are kept aside for {@link NearCache.outageEntry}.
   */
  flush(reason: FlushReason, serve: boolean): void {
    const dropped = this.#entries.size;
    if (reason === 'disconnect' || reason === 'ping-timeout') {
      const now = performance.now();
      for (const [key, entry] of this.#entries.entries()) {
        if (entry.graceMs > 0 && entry.until > now) this.#kept.set(key, entry);
      }
    } else {
      this.#kept = new Map();
    }
    this.#serving = serve;
    this.#entries.clear();
    this.#pending.clear();
    this.#flushes++;
    if (nearChannel.hasSubscribers) nearChannel.publish({ type: 'flush', reason, prefix: this.settings.prefix, entries: dropped });
  }

  /** Tracking is active on every master again: serve (after dropping what was kept for the outage). */
  resume(): void {
    this.#kept = new Map();
    this.#entries.clear();
    this.#pending.clear();
    this.#serving = true;
  }

  /**
   * An entry of an entity with a grace period kept from before the connection was lost, for a read
   * that failed because Redis is unavailable and accepts a stale value; `undefined` when none (or past
   * its deadline).
   */
  outageEntry(key: string): NearEntry | undefined {
    if (this.#serving) return undefined;
    const entry = this.#kept.get(key);
    if (entry === undefined) return undefined;
    if (performance.now() >= entry.until) {
      this.#kept.delete(key);
      return undefined;
    }
    return entry;
  }

  /** The counters. */
  stats(): NearCacheStats {
    return {
      hits: this.hits,
      misses: this.misses,
      entries: this.#entries.size,
      bytes: this.#entries.calculatedSize,
      invalidations: this.#invalidations,
      flushes: this.#flushes,
    };
  }
}
