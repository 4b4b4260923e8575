/**
 * Bounded waits: `TimeoutStore` makes every call of the store it wraps settle within a time limit.
 */
import { StoreUnavailableError } from '../../errors/index.js';
import { STORE_COMMANDS } from '../commands.js';
import { DeadlineQueue } from './deadlines.js';
import { StoreDecorator, type StoreCall } from './decorator.js';
import type { Store } from '../store.js';

/**
 * Default of `createCache({ commandTimeout })`, in ms.
 *
 * @example
 * const cache = createCache({ redis: url, commandTimeout: DEFAULT_COMMAND_TIMEOUT_MS / 4 }); // 500 ms
 */
export const DEFAULT_COMMAND_TIMEOUT_MS = 2000;

/**
 * The `cause` of a timed-out call's {@link StoreUnavailableError}.
 *
 * @example
 * if (err instanceof StoreUnavailableError && err.cause instanceof StoreTimeoutError) metrics.increment('cache.timeout');
 */
export class StoreTimeoutError extends Error {
  /** The limit that ran out, in ms. */
  readonly timeoutMs: number;

  constructor(message: string, timeoutMs: number) {
    super(message);
    this.name = 'StoreTimeoutError';
    this.timeoutMs = timeoutMs;
  }
}

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
 * every store except the embedded MemoryStore (option `commandTimeout`).
 *
 * @example
 * const store = new TimeoutStore(new RedisStore(client), { timeoutMs: 500 });
 * await store.get('k'); // resolves, or rejects with StoreUnavailableError after 500 ms
 */
export class TimeoutStore extends StoreDecorator {
  readonly #timeoutMs: number;
  readonly #onTimeout: ((error: StoreUnavailableError) => void) | undefined;
  /** One timer for every pending call (all share the limit), instead of a setTimeout per call. */
  readonly #deadlines: DeadlineQueue;

  /**
   * @throws RangeError when `timeoutMs` is not a positive number of ms that a timer can hold.
   */
  constructor(inner: Store, options: TimeoutStoreOptions) {
    super(inner);
    if (!(typeof options.timeoutMs === 'number' && options.timeoutMs > 0 && options.timeoutMs <= 2 ** 31 - 1)) {
      throw new RangeError(`TimeoutStore: timeoutMs must be a positive number of ms up to 2147483647, got ${String(options.timeoutMs)}.`);
    }
    this.#timeoutMs = options.timeoutMs;
    this.#onTimeout = options.onTimeout;
    this.#deadlines = new DeadlineQueue(options.timeoutMs);
  }

  /** The limit, in ms. */
  get timeoutMs(): number {
    return this.#timeoutMs;
  }

  /** Closes the inner store; then no timer of this store is left armed unless a call is still pending. */
  override async close(): Promise<void> {
    try {
      await this.inner.close();
    } finally {
      this.#deadlines.sweep();
    }
  }

  protected around<T>(call: StoreCall<T>, run: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      // The deadline starts before the call, so it runs out before any timer of the same length the call
      // itself sets (e.g. ioredis' own commandTimeout on a client cacheorm created).
      const deadline = this.#deadlines.add(() => {
        const error = this.#timeoutError(call);
        try {
          this.#onTimeout?.(error);
        } finally {
          reject(error);
        }
      });
      let pending: Promise<T>;
      try {
        pending = run();
      } catch (err) {
        DeadlineQueue.settle(deadline);
        reject(err);
        return;
      }
      pending.then(
        (value) => {
          DeadlineQueue.settle(deadline);
          resolve(value);
        },
        (err: unknown) => {
          DeadlineQueue.settle(deadline);
          reject(err);
        },
      );
    });
  }

  protected override finishPages(call: StoreCall<IteratorResult<string[]>>, run: () => Promise<IteratorResult<string[]>>): Promise<IteratorResult<string[]>> {
    return this.around(call, run).catch(() => ({ done: true, value: undefined }));
  }

  #timeoutError(call: StoreCall<unknown>): StoreUnavailableError {
    const command = STORE_COMMANDS[call.command].label;
    const target = call.count !== undefined && call.count > 1 ? ` (${call.count} keys)` : '';
    const outcome = call.write
      ? ' The outcome of this write is unknown: the command may still have been applied, now or later, so do not assume it was not; ' +
        're-read or rewrite the entry once the store answers again.'
      : '';
    const cause = new StoreTimeoutError(`${command} did not complete within ${this.#timeoutMs} ms.`, this.#timeoutMs);
    return new StoreUnavailableError(
      `The ${this.kind} store did not answer ${command}${target} within ${this.#timeoutMs} ms (commandTimeout). ` +
        `It may be stalled, overloaded or unreachable; check its health, or raise commandTimeout if such calls are expected to be slow.${outcome}`,
      { command, operation: command, ...(call.key === undefined || call.command === 'scan' ? {} : { key: call.key }) },
      { cause },
    );
  }
}
