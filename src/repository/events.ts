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
 * The events of a {@link Cache}, with their listener signatures.
 *
 * - `error`: a failure that no caller can receive: an async-mode write (`writes: 'async'`) that Redis
 *   refused, the removal of an invalid entry that failed, a lost Redis connection (once per outage,
 *   `operation: 'connect'`), a lock release that failed; and with `failOpen`, every store failure it
 *   absorbed. With no `error` listener these are written to the process's warnings (never thrown, never
 *   crashing the process).
 * - `invalid`: a stored value that failed to decode or validate.
 *
 * @example
 * cache.on('error', (err) => log.error({ code: err.code, entity: err.entity }, err.message));
 */
export interface CacheEventMap {
  /** A failure no caller can receive (see above); `error.code` says which kind. */
  error: (error: CacheOrmError) => void;
  /** A stored value that failed to decode or validate; it was treated as a miss and removed. */
  invalid: (event: InvalidEntryEvent) => void;
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
}
