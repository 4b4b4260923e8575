/** The events a cache emits, and the emitter behind `cache.on`. */
import { EventEmitter } from 'node:events';
import type { CacheOrmError, DecodeError } from '../errors/index.js';

/**
 * Payload of the `invalid` event: a stored value that did not decode or validate. It was treated as a
 * miss and removed (unless `strict: true`, where the read throws instead).
 *
 * @example
 * cache.on('invalid', ({ entity, key, error }) => log.warn({ entity, key, issues: error.issues }, 'bad cache entry'));
 */
export interface InvalidEntryEvent {
  /** Entity name. */
  entity: string;
  /** Redis key of the entry. */
  key: string;
  /** Why it was rejected. */
  error: DecodeError;
}

/**
 * Payload of the `stale` event: `getOrLoad` served a stale entry (an entity with a grace period) in
 * place of a load that failed (`reason: 'error'`, with the loader's or store's `error`) or that took
 * longer than the call's `softTimeout` / `hardTimeout` (the load goes on in the background).
 *
 * @example
 * cache.on('stale', ({ entity, key, reason, error }) => log.warn({ entity, key, reason, err: error }, 'served stale'));
 */
export interface StaleEvent {
  /** Entity name. */
  entity: string;
  /** Redis key of the entry. */
  key: string;
  /** Why the stale value was served. */
  reason: 'error' | 'softTimeout' | 'hardTimeout';
  /** What the loader (or the write of its value) threw, for `reason: 'error'`. */
  error?: unknown;
}

/**
 * Payload of the `refresh` event: a load that ran in the background (`refreshAhead`, or one that
 * outlived its caller's `softTimeout` / `hardTimeout`) finished: `ok: true` when its value was cached
 * (or the loader returned `undefined`), `ok: false` with the `error` it failed with.
 *
 * @example
 * cache.on('refresh', ({ entity, ok, error }) => metrics.increment(`cache.refresh.${ok ? 'ok' : 'failed'}`, { entity, error }));
 */
export interface RefreshEvent {
  /** Entity name. */
  entity: string;
  /** Redis key of the entry. */
  key: string;
  /** Whether the load and its write succeeded. */
  ok: boolean;
  /** What failed, when `ok` is false. */
  error?: unknown;
}

/**
 * The events of a {@link Cache}, with their listener signatures.
 *
 * - `error`: a failure that no caller can receive: an async-mode write (`writes: 'async'`) that Redis
 *   refused, the removal of an invalid entry that failed, a lost Redis connection (once per outage,
 *   `operation: 'connect'`), a lock release that failed; and with `failOpen`, every store failure it
 *   absorbed. With no `error` listener these are written to the process's warnings (never thrown, never
 *   crashing the process).
 * - `invalid`: a stored value that failed to decode or validate.
 * - `stale`: `getOrLoad` served a stale entry instead of a failed or slow load (see docs/freshness.md).
 * - `refresh`: a load running in the background finished or failed.
 *
 * @example
 * cache.on('error', (err) => log.error({ code: err.code, entity: err.entity }, err.message));
 */
export interface CacheEventMap {
  /** A failure no caller can receive (see above); `error.code` says which kind. */
  error: (error: CacheOrmError) => void;
  /** A stored value that failed to decode or validate; it was treated as a miss and removed. */
  invalid: (event: InvalidEntryEvent) => void;
  /** `getOrLoad` served a stale entry in place of a failed or slow load. */
  stale: (event: StaleEvent) => void;
  /** A background load finished (`ok`) or failed. */
  refresh: (event: RefreshEvent) => void;
}

/** Typed wrapper over an EventEmitter that never throws for an unheard `error`. @internal */
export class CacheEvents {
  private readonly emitter = new EventEmitter();

  on<K extends keyof CacheEventMap>(event: K, listener: CacheEventMap[K]): void {
    this.emitter.on(event, listener);
  }

  off<K extends keyof CacheEventMap>(event: K, listener: CacheEventMap[K]): void {
    this.emitter.off(event, listener);
  }

  once<K extends keyof CacheEventMap>(event: K, listener: CacheEventMap[K]): void {
    this.emitter.once(event, listener);
  }

  emitError(error: CacheOrmError): void {
    if (this.emitter.listenerCount('error') > 0) {
      this.emitter.emit('error', error);
    } else {
      // Reported, not swallowed, and never an uncaught 'error' event that would crash the process.
      process.emitWarning(error.message, { type: 'CacheOrmWarning', code: error.code });
    }
  }

  emitInvalid(event: InvalidEntryEvent): void {
    this.emitter.emit('invalid', event);
  }

  emitStale(event: StaleEvent): void {
    this.emitter.emit('stale', event);
  }

  emitRefresh(event: RefreshEvent): void {
    this.emitter.emit('refresh', event);
  }
}
