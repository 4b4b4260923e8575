/**
 * Bounded waits: `TimeoutStore` makes every call of the store it wraps settle within a time limit.
 */
import type { StoreUnavailableError } from '../../errors/index.js';
import { CallBounds } from '../calls/bounds.js';
import { StoreDecorator, type StoreCall } from './decorator.js';
import type { Store } from '../store.js';

export { DEFAULT_COMMAND_TIMEOUT_MS, StoreTimeoutError } from '../calls/bounds.js';

/**
 * Options of {@link TimeoutStore}.
 *
 * @example
 * const options: TimeoutStoreOptions = { timeoutMs: 500, onTimeout: () => metrics.increment('cache.timeouts') };
 */
export interface TimeoutStoreOptions {
  /** The most a call may take, in ms (a positive number). */
  timeoutMs: number;
  /** Called for each call that ran out of time. */
  onTimeout?: (error: StoreUnavailableError) => void;
}

/**
 * A store whose every call settles within `timeoutMs`: a call the inner store has not answered by then
 * rejects with {@link StoreUnavailableError} (`cause`: a {@link StoreTimeoutError}). Each page of a scan
 * is one call. The inner call is not cancelled (a Redis command already sent may still run later): a
 * timed-out write's outcome is unknown, and the message says so. `createCache` puts one in front of
 * a store you pass (option `commandTimeout`); not in front of the embedded MemoryStore, which answers
 * in-process, nor of a RedisStore, which bounds each call the same way inside its own call path.
 *
 * @example
 * const store = new TimeoutStore(new RedisStore(client), { timeoutMs: 500 });
 * await store.get('k'); // resolves, or rejects with StoreUnavailableError after 500 ms
 */
export class TimeoutStore extends StoreDecorator {
  /** The limit, one timer for every pending call (all share it) instead of a setTimeout per call. */
  readonly #bounds: CallBounds;

  /**
   * @throws RangeError when `timeoutMs` is not a positive number of ms that a timer can hold.
   */
  constructor(inner: Store, options: TimeoutStoreOptions) {
    super(inner);
    this.#bounds = new CallBounds(inner.kind, options.timeoutMs, options.onTimeout);
  }

  /** The limit, in ms. */
  get timeoutMs(): number {
    return this.#bounds.timeoutMs;
  }

  /** Closes the inner store; then no timer of this store is left armed unless a call is still pending. */
  override async close(): Promise<void> {
    try {
      await this.inner.close();
    } finally {
      this.#bounds.sweep();
    }
  }

  protected around<T>(call: StoreCall<T>, run: () => Promise<T>): Promise<T> {
    return this.#bounds.run(call, run);
  }

  protected override finishPages(call: StoreCall<IteratorResult<string[]>>, run: () => Promise<IteratorResult<string[]>>): Promise<IteratorResult<string[]>> {
    return this.around(call, run).catch(() => ({ done: true, value: undefined }));
  }
}
